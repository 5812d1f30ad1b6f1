/* Fuzz the BTF parser and the layout queries on arbitrary blobs (as a base
 * BTF, then as a split BTF on top of itself). */
#include "config.h"

#include "btf/types.h"
#include "fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mw_types *t;
	struct mw_error *err = mw_types_open_btf_buf(data, size, "fuzz input", &t);
	if (err) {
		mw_error_destroy(err);
		return 0;
	}
	static const char *const paths[] = {
		"page.flags", "page.mapping", "folio.memcg_data", "sock.__sk_common.skc_family",
		"pglist_data.node_zones[1].vm_stat", "a.b.c.d.e", "task_struct.comm",
	};
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		struct mw_member m;
		mw_error_destroy(mw_types_member(t, paths[i], &m));
	}
	uint64_t v;
	mw_error_destroy(mw_types_sizeof(t, "page", &v));
	mw_error_destroy(mw_types_sizeof(t, "long unsigned int", &v));
	int64_t e;
	mw_error_destroy(mw_types_enum_value(t, NULL, "PG_locked", &e));
	mw_error_destroy(mw_types_enum_value(t, "pageflags", "PG_slab", &e));
	/* describe the first types, whatever they are */
	for (mw_type_id id = 1; id < 64; id++) {
		struct mw_type ty;
		struct mw_error *e2 = mw_types_resolve(t, id, &ty);
		if (e2) {
			mw_error_destroy(e2);
			continue;
		}
		struct mw_member m;
		mw_error_destroy(mw_types_member_of(t, id, "x", &m));
	}
	/* the same blob as a split BTF on itself: its ids after the base's,
	 * its names in either string section, its references into both */
	struct mw_types *split;
	err = mw_types_open_btf_split(t, data, size, "fuzz split", &split);
	if (!err) {
		uint32_t first = 0, str = 0;
		if (mw_types_btf_split_start(t, &first, &str)) {
			for (mw_type_id id = first; id < (mw_type_id)first + 64; id++) {
				struct mw_type ty;
				struct mw_error *e2 = mw_types_resolve(split, id, &ty);
				if (e2) {
					mw_error_destroy(e2);
					continue;
				}
				struct mw_member m;
				mw_error_destroy(mw_types_member_of(split, id, "x", &m));
			}
		}
		for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
			struct mw_member m;
			mw_error_destroy(mw_types_member(split, paths[i], &m));
		}
		mw_error_destroy(mw_types_enum_value(split, NULL, "PG_locked", &e));
		mw_types_destroy(split);
	} else {
		mw_error_destroy(err);
	}
	mw_types_destroy(t);
	return 0;
}
