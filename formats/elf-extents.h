/* memwhere: an address space of an ELF core as a sorted table of extents.
 *
 * The program headers of an ELF core say where in the file each run of
 * memory is kept. They may overlap (kexec vmcores map the kernel text twice,
 * QEMU paging dumps map one physical page at several virtual addresses) and
 * may describe more memory than the file holds. The builder resolves all of
 * that once, at open, into non-overlapping extents sorted by address, so a
 * read is a binary search and one pread per extent it touches.
 */
#ifndef MW_ELF_EXTENTS_H
#define MW_ELF_EXTENTS_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "formats/format.h"
#include "formats/source.h"

enum mw_extent_kind {
	MW_EXTENT_FILE = 0,	/* bytes at a file offset */
	MW_EXTENT_EXCLUDED,	/* memory the dump left out on purpose
				 * (ELF: p_filesz < p_memsz, as makedumpfile -E
				 * writes filtered pages) */
	MW_EXTENT_MISSING,	/* memory the file should hold but does not
				 * (the file is truncated) */
};

struct mw_extent {
	uint64_t start;		/* inclusive */
	uint64_t end;		/* exclusive */
	uint64_t offset;	/* file offset of start (MW_EXTENT_FILE) */
	enum mw_extent_kind kind;
};

/* Input to the builder: one run of memory, possibly overlapping others. */
struct mw_extent_piece {
	uint64_t start;
	uint64_t end;
	uint64_t offset;
	enum mw_extent_kind kind;
	/* Where pieces overlap, the lowest kind wins (file data over
	 * excluded over missing), then the longer segment, then the lower
	 * order. */
	uint64_t seg_size;
	uint32_t order;
};

struct mw_extent_map {
	struct mw_extent *ext;
	size_t nr;
};

/*
 * Build the map from n pieces (reordered in place). Empty pieces are
 * ignored. O(n log n); the map holds at most 2n extents.
 */
struct mw_error *mw_extent_map_build(struct mw_extent_piece *pieces, size_t n,
				     struct mw_extent_map *map);
void mw_extent_map_deinit(struct mw_extent_map *map);

/* Index of the first extent whose end is above addr (map->nr if none). */
size_t mw_extent_map_lower_bound(const struct mw_extent_map *map,
				 uint64_t addr);

/* Pages of page_size touched by extents of kind >= min_kind (excluded
 * and missing, or missing only). */
uint64_t mw_extent_map_count_pages(const struct mw_extent_map *map,
				   uint64_t page_size,
				   enum mw_extent_kind min_kind);

/* The state of page pfn: MW_PAGE_EXCLUDED if any of it is excluded or
 * missing from the file, MW_PAGE_PRESENT if every byte of it reads, else MW_PAGE_HOLE (a
 * page only partly in the dump, such as the one holding the end of
 * "System RAM" at 0x9fc00 in a kexec vmcore, is not RAM to the kernel
 * either). */
enum mw_page_state mw_extent_map_page_state(const struct mw_extent_map *map,
					    uint64_t pfn, uint64_t page_size);

/* Set info->ranges to the extents (every kind), normalized. */
struct mw_error *mw_extent_map_ranges(const struct mw_extent_map *map,
				      struct mw_dump_info *info);

/* What a read reports for addresses outside every extent. */
struct mw_extent_read_errors {
	enum mw_error_code unmapped;	/* MW_ERR_HOLE or MW_ERR_NOT_MAPPED */
	const char *space;		/* "physical", "virtual" */
};

/*
 * Read len bytes at addr through the map: one pread per file extent.
 * Fails with errs->unmapped or MW_ERR_NOT_IN_DUMP
 * at the first address that cannot be read. Thread-safe.
 */
struct mw_error *mw_extent_map_read(const struct mw_extent_map *map,
				    struct mw_source *src,
				    const struct mw_extent_read_errors *errs,
				    uint64_t addr, void *buf, size_t len);

#endif
