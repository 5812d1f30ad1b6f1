/* memwhere: what a dump format implements (internal to formats/). */
#ifndef MW_FORMAT_H
#define MW_FORMAT_H

#include <pthread.h>

#include "formats/reader.h"
#include "formats/source.h"

struct mw_format_ops {
	const char *name;
	/* Does the content (first bytes of the logical stream) look like ours? */
	bool (*probe)(const uint8_t *head, size_t len, const char *path);
	/* Parse headers; fill r->info and r->priv. */
	struct mw_error *(*open)(struct mw_reader *r);
	/* Read physical memory; must be thread-safe. The caller has checked
	 * nothing: the format reports holes and exclusions itself. */
	struct mw_error *(*read_phys)(struct mw_reader *r, uint64_t paddr,
				      void *buf, size_t len);
	enum mw_page_state (*page_state)(struct mw_reader *r, uint64_t pfn);
	/* Optional: read the dump's own virtual segments. */
	struct mw_error *(*read_segment)(struct mw_reader *r, uint64_t vaddr,
					 void *buf, size_t len);
	void (*close)(struct mw_reader *r);
};

struct mw_reader {
	const struct mw_format_ops *ops;
	char *path;
	int fd;
	struct mw_source *src;	/* plain file, or flattened stream */
	struct mw_dump_info info;
	uint8_t *notes_buf;	/* owns the bytes mw_note.desc point into */
	void *priv;
};

extern const struct mw_format_ops mw_format_elf;
extern const struct mw_format_ops mw_format_kdump;
extern const struct mw_format_ops mw_format_kcore;

/*
 * Parse a buffer of ELF notes (Elf64_Nhdr records, 4-byte aligned) into
 * r->info: notes[], vmcoreinfo (copied, NUL-terminated), nr_cpus (PRSTATUS).
 * Takes ownership of buf (freed at reader destroy). Bounded: a note whose
 * sizes run past the buffer ends the parse with MW_ERR_FORMAT.
 */
struct mw_error *mw_notes_parse(struct mw_reader *r, uint8_t *buf, size_t len,
				uint64_t file_offset);
/* Sort and merge r->info.ranges; recompute total_bytes. */
void mw_ranges_normalize(struct mw_dump_info *info);
/* Fill info->missing and missing_pages: the RAM (info->ranges) that none
 * of info->parts (sorted by start_pfn) holds. */
struct mw_error *mw_split_missing(struct mw_dump_info *info);
/* Which range holds paddr? Binary search; NULL if in a hole. */
const struct mw_phys_range *mw_ranges_find(const struct mw_dump_info *info,
					   uint64_t paddr);

#endif
