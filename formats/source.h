/* memwhere: byte sources under the dump parsers.
 *
 * A format parser reads its container through an mw_source, so the same
 * kdump or ELF parser works on a plain file and on a makedumpfile flattened
 * stream (whose records are indexed once and read in place).
 */
#ifndef MW_SOURCE_H
#define MW_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

struct mw_source;

struct mw_source_ops {
	/* Read exactly len bytes at offset; errors name the offset. */
	struct mw_error *(*pread)(struct mw_source *src, uint64_t offset,
				  void *buf, size_t len);
	void (*destroy)(struct mw_source *src);
	/* Where the byte at a logical offset lies in the file (flattened
	 * streams); NULL: the same offset. false if no record provides it. */
	bool (*file_offset)(const struct mw_source *src, uint64_t offset,
			    uint64_t *file_off);
};

struct mw_source {
	const struct mw_source_ops *ops;
	uint64_t size;		/* logical size in bytes */
	const char *path;	/* for messages; not owned */
	/* A stream cut short inside a record: the file bytes it claimed up to
	 * that record's end (0: not cut inside a record). */
	uint64_t cut_claim;
};

/* A plain file (fd is not closed by destroy). */
struct mw_error *mw_source_file_create(int fd, const char *path,
				       struct mw_source **ret);
/* A flattened stream over a plain file: see formats/flattened.c. */
struct mw_error *mw_source_flattened_create(int fd, const char *path,
					    struct mw_source **ret);
/* Does the file start with a flattened-format header? */
int mw_flattened_probe(const uint8_t *head, size_t len);

static inline struct mw_error *mw_source_pread(struct mw_source *src,
					       uint64_t offset, void *buf,
					       size_t len)
{
	return src->ops->pread(src, offset, buf, len);
}

static inline void mw_source_destroy(struct mw_source *src)
{
	if (src)
		src->ops->destroy(src);
}

#endif
