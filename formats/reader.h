/* memwhere: the one physical-memory read interface over every dump format.
 *
 * mw_reader_open() detects the format from the file's content, picks the
 * format's ops table and opens it. Analyzers then only ever ask for bytes of
 * physical memory (and, where the dump has them, of its own virtual
 * segments), and can tell memory holes (no RAM there) from pages the dump
 * left out.
 *
 * Reads are thread-safe: several threads may call mw_reader_read_phys() on
 * one reader at once.
 */
#ifndef MW_READER_H
#define MW_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

enum mw_format {
	MW_FORMAT_ELF = 1,	/* ELF core: QEMU dump-guest-memory, kexec /proc/vmcore */
	MW_FORMAT_KDUMP,	/* makedumpfile/QEMU kdump-compressed ("KDUMP   ") */
	MW_FORMAT_FLATTENED,	/* makedumpfile flattened stream of a kdump/ELF file */
	MW_FORMAT_KCORE,	/* /proc/kcore of the running kernel */
};

/* Bits of mw_dump_info.compression: methods seen among the dump's pages. */
enum mw_compression {
	MW_COMP_NONE = 1u << 0,
	MW_COMP_ZLIB = 1u << 1,
	MW_COMP_LZO = 1u << 2,
	MW_COMP_SNAPPY = 1u << 3,
	MW_COMP_ZSTD = 1u << 4,
};

enum mw_page_state {
	MW_PAGE_HOLE = 0,	/* not RAM the dump describes */
	MW_PAGE_PRESENT,	/* readable */
	MW_PAGE_EXCLUDED,	/* RAM, but the dump left it out (filtered, incomplete) */
};

struct mw_phys_range {
	uint64_t start;		/* physical, inclusive */
	uint64_t end;		/* physical, exclusive */
};

/* A segment of the dump addressed virtually (ELF with paging, kcore). */
struct mw_virt_segment {
	uint64_t vaddr;
	uint64_t size;
	uint64_t paddr;		/* MW_NO_PADDR if the segment has none */
};
#define MW_NO_PADDR UINT64_MAX

struct mw_note {
	uint32_t type;
	char name[32];
	const uint8_t *desc;	/* points into the reader's copy */
	uint32_t descsz;
};

/* A pfn span [start, end). */
struct mw_pfn_span {
	uint64_t start;
	uint64_t end;
};

/* One file of a makedumpfile --split set: the pfns it holds. */
struct mw_dump_part {
	const char *path;	/* not owned: the part's reader's */
	uint64_t start_pfn;	/* [start_pfn, end_pfn) */
	uint64_t end_pfn;
	uint64_t file_size;
};

struct mw_dump_info {
	enum mw_format format;
	/* For MW_FORMAT_FLATTENED: what the stream carries (KDUMP or ELF). */
	enum mw_format inner_format;
	uint32_t compression;		/* enum mw_compression bits */
	uint32_t page_size;
	uint32_t header_version;	/* kdump header version, 0 otherwise */
	/* makedumpfile -d: which kinds of pages the filter left out (bits:
	 * 1 zero, 2 cache, 4 private cache, 8 user, 16 free); -1 unknown */
	int32_t dump_level;
	/* makedumpfile -e: the struct pages of the pages the filter left out
	 * are left out too (kdump header status) */
	bool vmemmap_excluded;
	bool incomplete;		/* dump was cut short (kdump flag/zero offsets) */

	struct mw_phys_range *ranges;	/* sorted, non-overlapping */
	size_t nr_ranges;
	uint64_t total_bytes;		/* sum of ranges */
	uint64_t excluded_pages;	/* pages in ranges that the dump left out */

	struct mw_virt_segment *segments;
	size_t nr_segments;

	char *vmcoreinfo;		/* NUL-terminated VMCOREINFO text, or NULL */
	size_t vmcoreinfo_len;
	struct mw_note *notes;
	size_t nr_notes;
	unsigned nr_cpus;		/* PRSTATUS notes (or kdump header nr_cpus) */

	/* kdump header's utsname (empty elsewhere), and the machine: the
	 * kdump header's, or from ELF e_machine ("x86_64") */
	char utsname_release[65];
	char utsname_machine[65];
	uint64_t file_size;		/* bytes of the file on disk */
	/* A file cut short (a copy interrupted, a disk full): the bytes its own
	 * headers say it has (0: unknown or not cut), and the pages of RAM the
	 * cut lost (also counted in excluded_pages). */
	uint64_t expected_size;
	uint64_t cut_pages;
	bool cut_in_record;	/* flattened: expected_size is the cut record's end */

	/* makedumpfile --split: the dump is written in several files, each
	 * holding the pages of one pfn span. split is true for one part read
	 * alone and for a set read as one dump (mw_reader_open_set); parts
	 * are the files read, sorted by pfn. missing: RAM pfn spans that no
	 * part given holds (their pages are also in excluded_pages). */
	bool split;
	struct mw_dump_part *parts;
	size_t nr_parts;
	struct mw_pfn_span *missing;
	size_t nr_missing;
	uint64_t missing_pages;		/* pages of RAM in missing */
};

struct mw_reader;

struct mw_error *mw_reader_open(const char *path, struct mw_reader **ret);
/*
 * Open several files as one dump: the parts of a makedumpfile --split set
 * (kdump-compressed or flattened, in any order). The parts must be of one
 * dump (same page size, VMCOREINFO and memory map) and must not overlap;
 * pfns that no part given holds are listed in info->missing and read as
 * left out. With one path this is mw_reader_open().
 */
struct mw_error *mw_reader_open_set(const char *const *paths, size_t n,
				    struct mw_reader **ret);
void mw_reader_destroy(struct mw_reader *r);
const struct mw_dump_info *mw_reader_info(const struct mw_reader *r);
const char *mw_reader_path(const struct mw_reader *r);
const char *mw_format_name(enum mw_format format);
/* Fill names[] (up to 5) with "none", "zlib", ... for the bits set; returns count. */
size_t mw_compression_names(uint32_t bits, const char *names[5]);

/*
 * Read len bytes of physical memory at paddr. The whole read succeeds or
 * fails: MW_ERR_HOLE (address not in any range) or MW_ERR_NOT_IN_DUMP
 * (excluded page) carry the address of the first page that failed;
 * MW_ERR_FORMAT/MW_ERR_IO for a corrupt or unreadable file (with offset).
 */
struct mw_error *mw_reader_read_phys(struct mw_reader *r, uint64_t paddr,
				     void *buf, size_t len);
enum mw_page_state mw_reader_page_state(struct mw_reader *r, uint64_t pfn);
/*
 * Read from the dump's own virtual segments (ELF with paging, kcore).
 * MW_ERR_NOT_MAPPED if no segment covers the range.
 */
struct mw_error *mw_reader_read_segment(struct mw_reader *r, uint64_t vaddr,
					void *buf, size_t len);
/* Look up a VMCOREINFO key ("OSRELEASE", "SYMBOL(init_top_pgt)", ...). */
const char *mw_vmcoreinfo_get(const struct mw_dump_info *info,
			      const char *key, size_t *len);
/* The same, parsed as hex (SYMBOL, KERNELOFFSET, phys_base) or decimal
 * (SIZE, OFFSET, NUMBER, LENGTH; negative NUMBER()s as two's complement). */
struct mw_error *mw_vmcoreinfo_u64(const struct mw_dump_info *info,
				   const char *key, uint64_t *ret);
/* VMCOREINFO's SYMBOL(name), or 0 when it has none (or a bad one). */
uint64_t mw_vmcoreinfo_symbol(const struct mw_dump_info *info, const char *name);

#endif
