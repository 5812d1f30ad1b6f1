/* memwhere command line: reserved memory by purpose (see cli/reserved.h). */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>

#include "cli/render-util.h"
#include "cli/reserved.h"

static const char *owner_name(const struct mw_offline_owner *o)
{
	return o->driver[0] ? o->driver : "offline, driver not recorded";
}

void mw_reserved_text(FILE *o, const struct mw_reserved *r)
{
	char h[32], h2[32];
	if (!r->reserved_pages && !r->offline_pages)
		return;
	mw_human_bytes(r->reserved_pages * r->page_size, h, sizeof(h));
	fprintf(o, "\nreserved (%s), by purpose:\n", h);
	for (size_t i = 0; i < MW_RESERVED_NR_PARTS; i++) {
		const struct mw_reserved_part_info *p = &r->parts[i];
		if (!p->pages && i != MW_RESERVED_UNIDENTIFIED &&
		    !(i == MW_RESERVED_CRASH_KERNEL && p->known))
			continue;
		mw_human_bytes(p->pages * r->page_size, h, sizeof(h));
		fprintf(o, "  %-32s %10s", mw_reserved_part_label((enum mw_reserved_part)i), h);
		uint64_t pb = p->pages * r->page_size;
		if (p->known && p->region_bytes &&
		    (pb > p->region_bytes ? pb - p->region_bytes : p->region_bytes - pb) * 100 >
			    p->region_bytes) {	/* more than 1% apart */
			mw_human_bytes(p->region_bytes, h2, sizeof(h2));
			fprintf(o, "  (the kernel's figure: %s)", h2);
		}
		if (i == MW_RESERVED_CRASH_KERNEL && p->known)
			fprintf(o, "  at 0x%" PRIx64 "-0x%" PRIx64, p->start, p->end - 1);
		fputc('\n', o);
	}
	if (r->offline_pages) {
		mw_human_bytes(r->offline_pages * r->page_size, h, sizeof(h));
		fprintf(o, "offline (%s): not the machine's to use\n", h);
		for (size_t i = 0; i < r->nr_owners; i++) {
			mw_human_bytes(r->owners[i].pages * r->page_size, h, sizeof(h));
			fprintf(o, "  %-32s %10s\n", owner_name(&r->owners[i]), h);
		}
	}
}

void mw_reserved_json(struct mw_json *j, const struct mw_reserved *r)
{
	mw_json_key(j, "reserved");
	mw_json_object_begin(j);
	mw_json_kv_uint(j, "bytes", r->reserved_pages * r->page_size);
	mw_json_key(j, "parts");
	mw_json_object_begin(j);
	for (size_t i = 0; i < MW_RESERVED_NR_PARTS; i++) {
		const struct mw_reserved_part_info *p = &r->parts[i];
		mw_json_key(j, mw_reserved_part_name((enum mw_reserved_part)i));
		mw_json_object_begin(j);
		mw_json_kv_uint(j, "bytes", p->pages * r->page_size);
		mw_json_kv_bool(j, "recorded", p->known);
		mw_json_kv_uint_or_null(j, "region_bytes", p->known && p->region_bytes, p->region_bytes);
		mw_json_kv_uint_or_null(j, "start", p->known && p->end > p->start, p->start);
		mw_json_kv_uint_or_null(j, "end", p->known && p->end > p->start, p->end);
		mw_json_object_end(j);
	}
	mw_json_object_end(j);
	mw_json_object_end(j);
	mw_json_key(j, "offline");
	mw_json_object_begin(j);
	mw_json_kv_uint(j, "bytes", r->offline_pages * r->page_size);
	mw_json_key(j, "owners");
	mw_json_array_begin(j);
	for (size_t i = 0; i < r->nr_owners; i++) {
		mw_json_object_begin(j);
		mw_json_kv_string(j, "driver", r->owners[i].driver[0] ? r->owners[i].driver : "unknown");
		mw_json_kv_bool(j, "balloon", r->owners[i].balloon != 0);
		mw_json_kv_uint(j, "bytes", r->owners[i].pages * r->page_size);
		mw_json_object_end(j);
	}
	mw_json_array_end(j);
	mw_json_object_end(j);
}
