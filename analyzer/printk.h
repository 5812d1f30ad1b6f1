/* memwhere: the kernel's log (printk ring buffer) read out of the dump.
 *
 * Since 5.10 the kernel keeps its log in a lockless printk_ringbuffer
 * (kernel/printk/printk_ringbuffer.c), `prb`:
 *   - a descriptor ring of 2^count_bits struct prb_desc, each a state_var
 *     (descriptor id in the low bits, state in the top two: reserved,
 *     committed, finalized, reusable) and the logical positions (lpos) of
 *     its text block;
 *   - beside it an array of struct printk_info (seq, ts_nsec, text_len,
 *     facility, flags, level, caller_id), one per descriptor;
 *   - a text data ring of 2^size_bits bytes holding blocks "id, text"; a
 *     block that would cross the end starts again at offset 0 (its begin
 *     lpos stays in the previous wrap).
 * Ids run from tail_id to head_id and wrap (the first ones are chosen to
 * overflow early); a record's seq is its id plus a constant, and
 * seq % count is its slot.
 *
 * Records that are committed or finalized are read; reusable ones (older
 * than the data ring still holds) count as overwritten, reserved ones (a
 * writer was inside printk at the dump) as unfinished, data-less failed
 * ones as without text. A descriptor whose id, seq or text block does not
 * fit is lost; all the lost ones become ONE warning naming their sequence
 * numbers. The ring's geometry is bounded before anything is allocated.
 */
#ifndef MW_PRINTK_H
#define MW_PRINTK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "btf/types.h"
#include "common/error.h"
#include "common/warn.h"
#include "formats/reader.h"

struct mw_kernel;

enum {
	MW_PRINTK_MAX_COUNT_BITS = 22,	/* 4M descriptors */
	MW_PRINTK_MAX_SIZE_BITS = 30,	/* 1 GiB of text */
	MW_PRINTK_MAX_LOST_RANGES = 8,	/* seq ranges named in the warning */
};

/* struct printk_info's flags (kernel/printk/internal.h) */
enum mw_printk_flags {
	MW_PRINTK_LOG_NEWLINE = 2,	/* the text ended with a newline */
	MW_PRINTK_LOG_CONT = 8,		/* a continuation (KERN_CONT) fragment */
};

/* Where the ring's fields are: from the types, or VMCOREINFO. */
struct mw_printk_layout {
	/* struct printk_ringbuffer */
	uint64_t rb_desc_ring, rb_text_ring, rb_fail;
	bool has_fail;
	/* struct prb_desc_ring */
	uint64_t dr_count_bits, dr_descs, dr_infos, dr_head_id, dr_tail_id;
	/* struct prb_desc, struct prb_data_blk_lpos */
	uint64_t desc_size, desc_state_var, desc_text_lpos;
	uint64_t lpos_begin, lpos_next;
	/* struct printk_info; flags and level are bitfields */
	uint64_t info_size, info_seq, info_ts_nsec, info_text_len,
		info_facility, info_caller_id;
	uint64_t info_flags_bit, info_level_bit;	/* bits from the start */
	uint32_t info_flags_bits, info_level_bits;
	/* struct prb_data_ring */
	uint64_t ring_size_bits, ring_data, ring_head_lpos, ring_tail_lpos;
	/* enum desc_state */
	unsigned state_reserved, state_committed, state_finalized, state_reusable;
	const char *source;	/* "types" or "VMCOREINFO" */
};

struct mw_log_record {
	uint64_t seq;
	uint64_t ts_nsec;
	uint8_t level;		/* 0 emerg .. 7 debug */
	uint8_t facility;	/* 0 kernel, 1 user (/dev/kmsg), ... */
	uint8_t flags;		/* enum mw_printk_flags */
	uint32_t caller_id;	/* bit 31: CPU number, else thread id */
	size_t text_off;	/* into mw_log.text */
	size_t text_len;
};

struct mw_log_range {
	uint64_t first, last;	/* sequence numbers, inclusive */
};

struct mw_log {
	struct mw_log_record *v;	/* by seq */
	size_t nr;
	char *text;			/* every record's text, back to back */
	size_t text_len;

	uint64_t count;			/* descriptors in the ring */
	uint64_t text_size;		/* bytes of the text data ring */
	uint64_t first_seq;		/* oldest record still in the ring */
	uint64_t next_seq;		/* the seq the next record would get */
	bool seq_known;			/* first_seq/next_seq/lost ranges are seqs */

	/* records not shown, by why */
	uint64_t overwritten;		/* seq < first_seq (the ring wrapped over them),
					 * and reusable ones after first_seq */
	uint64_t unfinished;		/* reserved: being written at the dump */
	uint64_t no_text;		/* data-less: text space could not be reserved */
	uint64_t lost;			/* corrupt descriptor, info or text block */
	uint64_t reserve_failed;	/* prb->fail: not even a descriptor */
	struct mw_log_range lost_ranges[MW_PRINTK_MAX_LOST_RANGES];
	size_t nr_lost_ranges;		/* kept; more may have been lost */
	bool ids_wrapped;		/* head_id - tail_id >= count */
};

/* Read len bytes of kernel memory at addr (a struct mw_vm, a test image). */
typedef struct mw_error *mw_printk_read_fn(void *arg, uint64_t addr, void *buf,
					   size_t len);

/* Layout from the kernel's types; MW_ERR_NOT_FOUND names what is missing. */
struct mw_error *mw_printk_layout_from_types(struct mw_types *t,
					     struct mw_printk_layout *ret);
/* Layout from VMCOREINFO's OFFSET(printk_info.*) etc. (5.10+); facility,
 * flags and level (not exported) follow text_len as struct printk_info
 * has always laid them out, checked against caller_id's offset. */
struct mw_error *mw_printk_layout_from_vmcoreinfo(const struct mw_dump_info *info,
						  struct mw_printk_layout *ret);

/*
 * Read the ring buffer at rb_addr (a struct printk_ringbuffer). An error
 * only when nothing can be read (ring header unreadable or out of bounds);
 * corrupt records become one warning in w and the counts in ret.
 */
struct mw_error *mw_printk_read(const struct mw_printk_layout *l,
				mw_printk_read_fn *read, void *arg,
				uint64_t rb_addr, struct mw_warnings *w,
				struct mw_log *ret);

/* The dump's log: layout (types, else VMCOREINFO), `prb`, mw_printk_read. */
struct mw_error *mw_log_read(struct mw_kernel *k, struct mw_warnings *w,
			     struct mw_log *ret);
void mw_log_deinit(struct mw_log *log);

/* "emerg".."debug" or "0".."7" -> 0..7; -1 if neither. */
int mw_log_level_parse(const char *s);
const char *mw_log_level_name(unsigned level);
/* "T123" (thread) or "C1" (CPU) into buf (at least 16 bytes). */
void mw_log_caller(uint32_t caller_id, char *buf, size_t len);

#endif
