/* Page type decoding against the kernel's own definitions
 * (include/linux/page-flags.h):
 *   6.1:  PAGE_TYPE_BASE 0xf0000000; a type clears its bit: PG_buddy 0x80,
 *         PG_offline 0x100, PG_table 0x200, PG_guard 0x400; _mapcount -1
 *         (0xffffffff) is no type; PageType() = (page_type & (BASE | bit))
 *         == BASE.
 *   6.12: enum pagetype (PGTY_buddy 0xf0 ... PGTY_unaccepted 0xf7,
 *         PGTY_mapcount_underflow 0xff) in the top byte; page_type_has_type()
 *         = (int)page_type < (int)(0xff << 24); mapcounts are >= -1.
 */
#include "config.h"

#include "analyzer/pageflags.h"
#include "tests/tap.h"

static void bits_layout(struct mw_page_layout *l)
{
	memset(l, 0, sizeof(*l));
	l->scheme = MW_PAGETYPE_BITS;
	l->type_base = 0xf0000000u;
	l->type_value[MW_PT_BUDDY] = 0x80;
	l->type_value[MW_PT_OFFLINE] = 0x100;
	l->type_value[MW_PT_TABLE] = 0x200;
	l->type_value[MW_PT_GUARD] = 0x400;
}

static void pgty_layout(struct mw_page_layout *l)
{
	memset(l, 0, sizeof(*l));
	l->scheme = MW_PAGETYPE_PGTY;
	l->type_value[MW_PT_BUDDY] = 0xf0;
	l->type_value[MW_PT_OFFLINE] = 0xf1;
	l->type_value[MW_PT_TABLE] = 0xf2;
	l->type_value[MW_PT_GUARD] = 0xf3;
	l->type_value[MW_PT_HUGETLB] = 0xf4;
	l->type_value[MW_PT_SLAB] = 0xf5;
	l->type_value[MW_PT_ZSMALLOC] = 0xf6;
	l->type_value[MW_PT_UNACCEPTED] = 0xf7;
}

int main(void)
{
	struct mw_page_layout l;
	static const struct { uint32_t v; enum mw_pagetype t; const char *what; } bits[] = {
		{ 0xffffffffu, MW_PT_NONE, "_mapcount -1" },
		{ 0, MW_PT_NONE, "_mapcount 0" },
		{ 41, MW_PT_NONE, "_mapcount 41" },
		{ 0xffffff7fu, MW_PT_BUDDY, "PAGE_BUDDY_MAPCOUNT_VALUE (-129)" },
		{ 0xfffffeffu, MW_PT_OFFLINE, "PAGE_OFFLINE_MAPCOUNT_VALUE (-257)" },
		{ 0xfffffdffu, MW_PT_TABLE, "~PG_table" },
		{ 0xfffffbffu, MW_PT_GUARD, "~PG_guard" },
		{ 0xfffffffeu, MW_PT_BAD, "_mapcount -2 (underflow)" },
		{ 0xf0000fffu, MW_PT_BAD, "base with every type bit set" },
	};
	bits_layout(&l);
	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		tap_ok(mw_page_type_of(&l, bits[i].v) == bits[i].t, "6.1 scheme: 0x%08x %s",
		       bits[i].v, bits[i].what);
	static const struct { uint32_t v; enum mw_pagetype t; const char *what; } pgty[] = {
		{ 0xffffffffu, MW_PT_NONE, "-1: no type" },
		{ 0xff000000u, MW_PT_NONE, "PGTY_mapcount_underflow << 24" },
		{ 0, MW_PT_NONE, "_mapcount 0" },
		{ 0x7fffffffu, MW_PT_NONE, "huge mapcount" },
		{ 0xf0000000u, MW_PT_BUDDY, "PGTY_buddy (PAGE_BUDDY_MAPCOUNT_VALUE -268435456)" },
		{ 0xf2000000u, MW_PT_TABLE, "PGTY_table" },
		{ 0xf4000000u, MW_PT_HUGETLB, "PGTY_hugetlb (PAGE_HUGETLB_MAPCOUNT_VALUE -201326592)" },
		{ 0xf5000000u, MW_PT_SLAB, "PGTY_slab (PAGE_SLAB_MAPCOUNT_VALUE -184549376)" },
		{ 0xf5001234u, MW_PT_SLAB, "PGTY_slab with data in the low bits" },
		{ 0xf7000000u, MW_PT_UNACCEPTED, "PGTY_unaccepted" },
		{ 0xf9000000u, MW_PT_BAD, "0xf9: no such type" },
		{ 0x80000000u, MW_PT_BAD, "0x80: no such type" },
	};
	pgty_layout(&l);
	for (size_t i = 0; i < sizeof(pgty) / sizeof(pgty[0]); i++)
		tap_ok(mw_page_type_of(&l, pgty[i].v) == pgty[i].t, "6.12 scheme: 0x%08x %s",
		       pgty[i].v, pgty[i].what);
	return tap_done();
}
