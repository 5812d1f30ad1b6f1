/* memwhere: reserved memory by purpose (see reserved.h). */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/kread.h"
#include "analyzer/modules.h"
#include "analyzer/reserved.h"

enum {
	MAX_REGIONS = 32,		/* fixed regions (crash kernel, image parts...) */
	MAX_RAM_RANGES = 1024,		/* top-level System RAM resources */
	MAX_RESOURCES = 1 << 16,	/* resources walked at the top level */
	MAX_VMEMMAP_STEPS = 1 << 26,	/* translations of the vmemmap (256 GiB of it) */
	LOW_MEMORY_BYTES = 1 << 20,
	BALLOON_PCT = 5,		/* a balloon finding from this share of RAM */
	BALLOON_WARN_PCT = 25,
	CRASHKERNEL_PCT = 10,		/* a crash kernel region out of proportion */
};

static const char *const names[MW_RESERVED_NR_PARTS] = {
	[MW_RESERVED_CRASH_KERNEL] = "crash_kernel",
	[MW_RESERVED_STRUCT_PAGES] = "struct_pages",
	[MW_RESERVED_KERNEL_TEXT] = "kernel_text",
	[MW_RESERVED_KERNEL_RODATA] = "kernel_rodata",
	[MW_RESERVED_KERNEL_DATA] = "kernel_data",
	[MW_RESERVED_KERNEL_BSS] = "kernel_bss",
	[MW_RESERVED_KERNEL_INIT] = "kernel_init",
	[MW_RESERVED_KERNEL_OTHER] = "kernel_other",
	[MW_RESERVED_INITRD] = "initrd",
	[MW_RESERVED_SWIOTLB] = "swiotlb",
	[MW_RESERVED_NOT_RAM] = "not_ram",
	[MW_RESERVED_LOW_MEMORY] = "low_memory",
	[MW_RESERVED_UNIDENTIFIED] = "unidentified",
};

static const char *const labels[MW_RESERVED_NR_PARTS] = {
	[MW_RESERVED_CRASH_KERNEL] = "crash kernel (crashkernel=)",
	[MW_RESERVED_STRUCT_PAGES] = "struct page array",
	[MW_RESERVED_KERNEL_TEXT] = "kernel code",
	[MW_RESERVED_KERNEL_RODATA] = "kernel rodata",
	[MW_RESERVED_KERNEL_DATA] = "kernel rwdata",
	[MW_RESERVED_KERNEL_BSS] = "kernel bss",
	[MW_RESERVED_KERNEL_INIT] = "kernel init (not freed)",
	[MW_RESERVED_KERNEL_OTHER] = "kernel image, other",
	[MW_RESERVED_INITRD] = "initrd (not freed)",
	[MW_RESERVED_SWIOTLB] = "swiotlb buffer",
	[MW_RESERVED_NOT_RAM] = "not RAM (holes, firmware)",
	[MW_RESERVED_LOW_MEMORY] = "below 1 MiB (BIOS, trampoline)",
	[MW_RESERVED_UNIDENTIFIED] = "reserved, not identified",
};

const char *mw_reserved_part_name(enum mw_reserved_part p)
{
	return p < MW_RESERVED_NR_PARTS ? names[p] : "?";
}

const char *mw_reserved_part_label(enum mw_reserved_part p)
{
	return p < MW_RESERVED_NR_PARTS ? labels[p] : "?";
}

struct region {
	uint64_t lo, hi;		/* PFNs, hi exclusive */
	enum mw_reserved_part part;
};

struct range {
	uint64_t lo, hi;		/* PFNs, hi exclusive */
};

struct mw_reserved_scan {
	struct mw_kernel *k;
	uint64_t page_size;
	struct mw_reserved r;		/* regions known, merged counts */
	struct region regions[MAX_REGIONS];	/* in priority order */
	size_t nr_regions;
	struct range *ram;		/* System RAM, sorted */
	size_t nr_ram;
	struct range *vmemmap;		/* pages behind the vmemmap, sorted, merged */
	size_t nr_vmemmap;
};

struct tstate {
	uint64_t parts[MW_RESERVED_NR_PARTS];
	uint64_t reserved, offline;
	struct mw_offline_owner owners[MW_OFFLINE_OWNERS];
	size_t nr_owners;
};

static void add_region(struct mw_reserved_scan *s, enum mw_reserved_part part, uint64_t start,
		       uint64_t end, uint64_t region_bytes)
{
	struct mw_reserved_part_info *p = &s->r.parts[part];
	if (end <= start)
		return;
	if (!p->known) {
		p->start = start;
		p->end = end;
	}
	p->known = true;
	p->region_bytes += region_bytes;
	if (s->nr_regions < MAX_REGIONS)
		s->regions[s->nr_regions++] = (struct region){
			start / s->page_size, (end + s->page_size - 1) / s->page_size, part };
}

static int cmp_range(const void *a, const void *b)
{
	const struct range *x = a, *y = b;
	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* Sort and merge touching ranges; returns the new count. */
static size_t merge_ranges(struct range *v, size_t n)
{
	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_range);
	size_t o = 0;
	for (size_t i = 1; i < n; i++) {
		if (v[i].lo <= v[o].hi) {
			if (v[i].hi > v[o].hi)
				v[o].hi = v[i].hi;
		} else {
			v[++o] = v[i];
		}
	}
	return o + 1;
}

static bool in_ranges(const struct range *v, size_t n, uint64_t pfn)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (pfn < v[mid].lo)
			hi = mid;
		else if (pfn >= v[mid].hi)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

/* struct resource members. */
struct res_layout {
	uint64_t start, end, name, sibling, child, size;
};

static struct mw_error *res_layout(struct mw_types *t, struct res_layout *l)
{
	struct mw_error *err;
	if ((err = mw_types_offsetof(t, "resource.start", &l->start)) ||
	    (err = mw_types_offsetof(t, "resource.end", &l->end)) ||
	    (err = mw_types_offsetof(t, "resource.name", &l->name)) ||
	    (err = mw_types_offsetof(t, "resource.sibling", &l->sibling)) ||
	    (err = mw_types_offsetof(t, "resource.child", &l->child)) ||
	    (err = mw_types_sizeof(t, "struct resource", &l->size)))
		return err;
	return NULL;
}

/* A struct resource variable (crashk_res): its range, if set. */
static void resource_symbol(struct mw_reserved_scan *s, const struct res_layout *l,
			    const char *sym)
{
	uint64_t addr, start, end;
	if (mw_failed(mw_kernel_symbol(s->k, sym, &addr)) ||
	    mw_failed(mw_kread_u64(s->k, addr + l->start, &start)) ||
	    mw_failed(mw_kread_u64(s->k, addr + l->end, &end)))
		return;
	if (end > start)
		add_region(s, MW_RESERVED_CRASH_KERNEL, start, end + 1, end + 1 - start);
}

/* iomem_resource's top level: the System RAM ranges. */
static struct mw_error *system_ram(struct mw_reserved_scan *s, const struct res_layout *l,
				   struct mw_warnings *w)
{
	uint64_t root, cur, prev = 0;
	struct mw_error *err;
	if ((err = mw_kernel_symbol(s->k, "iomem_resource", &root)) ||
	    (err = mw_kread_u64(s->k, root + l->child, &cur)))
		return err;
	if (!(s->ram = calloc(MAX_RAM_RANGES, sizeof(*s->ram))))
		return &mw_error_nomem;
	for (size_t n = 0; cur && n < MAX_RESOURCES; n++) {
		uint64_t start, end, name, next;
		char buf[32] = "";
		if (mw_failed(mw_kread_u64(s->k, cur + l->start, &start)) ||
		    mw_failed(mw_kread_u64(s->k, cur + l->end, &end)) ||
		    mw_failed(mw_kread_u64(s->k, cur + l->name, &name)) ||
		    mw_failed(mw_kread_u64(s->k, cur + l->sibling, &next))) {
			mw_warn(w, "reserved: iomem resource at 0x%" PRIx64 " unreadable: "
				"the System RAM ranges may be incomplete", cur);
			break;
		}
		if (name && mw_failed(mw_kread_string(s->k, name, buf, sizeof(buf))))
			buf[0] = '\0';
		if (!strcmp(buf, "System RAM") && end > start && s->nr_ram < MAX_RAM_RANGES)
			s->ram[s->nr_ram++] = (struct range){ start / s->page_size,
							      (end + 1) / s->page_size };
		if (n && start <= prev) {	/* siblings are sorted by address */
			mw_warn(w, "reserved: iomem resources out of order at 0x%" PRIx64, cur);
			break;
		}
		prev = end;
		cur = next;
	}
	s->nr_ram = merge_ranges(s->ram, s->nr_ram);
	return NULL;
}

/* The kernel image by section, from its symbols. */
static void kernel_image(struct mw_reserved_scan *s, struct mw_warnings *w)
{
	static const struct {
		enum mw_reserved_part part;
		const char *lo, *hi;		/* what the kernel counts */
		const char *map_lo;		/* where its pages begin, if not lo */
	} secs[] = {
		{ MW_RESERVED_KERNEL_TEXT, "_stext", "_etext", "_text" },
		{ MW_RESERVED_KERNEL_RODATA, "__start_rodata", "__end_rodata", NULL },
		{ MW_RESERVED_KERNEL_DATA, "_sdata", "_edata", NULL },
		{ MW_RESERVED_KERNEL_BSS, "__bss_start", "__bss_stop", NULL },
		{ MW_RESERVED_KERNEL_INIT, "__init_begin", "__init_end", NULL },
	};
	uint64_t text, end, text_phys, left;
	if (mw_failed(mw_kernel_symbol(s->k, "_text", &text)) ||
	    mw_failed(mw_kernel_symbol(s->k, "_end", &end)) ||
	    end <= text || mw_failed(mw_vm_translate(&s->k->vm, text, &text_phys, &left))) {
		mw_warn(w, "reserved: no _text/_end: the kernel image is not identified");
		return;
	}
	for (size_t i = 0; i < sizeof(secs) / sizeof(secs[0]); i++) {
		uint64_t lo, hi, mlo;
		if (mw_failed(mw_kernel_symbol(s->k, secs[i].lo, &lo)) ||
		    mw_failed(mw_kernel_symbol(s->k, secs[i].hi, &hi)) ||
		    hi <= lo || lo < text || hi > end)
			continue;
		mlo = lo;
		if (secs[i].map_lo && mw_failed(mw_kernel_symbol(s->k, secs[i].map_lo, &mlo)))
			mlo = lo;
		add_region(s, secs[i].part, text_phys + (mlo - text), text_phys + (hi - text), hi - lo);
		s->r.parts[secs[i].part].region_bytes = hi - lo;
	}
	add_region(s, MW_RESERVED_KERNEL_OTHER, text_phys, text_phys + (end - text), 0);
}

/* A region whose start and size are two variables (phys_initrd_*). */
static void var_region(struct mw_reserved_scan *s, enum mw_reserved_part part,
		       const char *start_sym, const char *size_sym)
{
	uint64_t start, size;
	if (mw_failed(mw_kread_sym_u64(s->k, start_sym, &start)) ||
	    mw_failed(mw_kread_sym_u64(s->k, size_sym, &size)) ||
	    !size || size > (1ULL << 40))
		return;
	add_region(s, part, start, start + size, size);
}

/* The swiotlb's default pool: io_tlb_mem.start/end, or .defpool.start/end. */
static void swiotlb(struct mw_reserved_scan *s)
{
	struct mw_types *t = s->k->types;
	uint64_t addr, off_start, off_end, start, end;
	if (mw_failed(mw_kernel_symbol(s->k, "io_tlb_default_mem", &addr)))
		return;
	if (mw_failed(mw_types_offsetof(t, "io_tlb_mem.start", &off_start)) ||
	    mw_failed(mw_types_offsetof(t, "io_tlb_mem.end", &off_end))) {
		if (mw_failed(mw_types_offsetof(t, "io_tlb_mem.defpool.start", &off_start)) ||
		    mw_failed(mw_types_offsetof(t, "io_tlb_mem.defpool.end", &off_end)))
			return;
	}
	if (mw_failed(mw_kread_u64(s->k, addr + off_start, &start)) ||
	    mw_failed(mw_kread_u64(s->k, addr + off_end, &end)))
		return;
	if (end > start && end - start < (1ULL << 36))
		add_region(s, MW_RESERVED_SWIOTLB, start, end, end - start);
}

/* The physical pages behind the vmemmap of PFNs 0..max_pfn. */
static struct mw_error *vmemmap_pages(struct mw_reserved_scan *s, struct mw_warnings *w)
{
	uint64_t max_pfn, page_bytes;
	struct mw_error *err;
	if (!s->k->vmemmap_base || mw_failed(mw_kread_sym_u64(s->k, "max_pfn", &max_pfn)) ||
	    mw_failed(mw_types_sizeof(s->k->types, "struct page", &page_bytes)) || !page_bytes) {
		mw_warn(w, "reserved: no vmemmap base or max_pfn: the struct page array is not identified");
		return NULL;
	}
	uint64_t va = s->k->vmemmap_base, va_end = va + max_pfn * page_bytes;
	size_t cap = 64, n = 0;
	struct range *v = malloc(cap * sizeof(*v));
	if (!v)
		return &mw_error_nomem;
	for (uint64_t steps = 0; va < va_end && steps < MAX_VMEMMAP_STEPS; steps++) {
		uint64_t pa, left;
		if ((err = mw_vm_translate(&s->k->vm, va, &pa, &left))) {
			mw_error_destroy(err);
			va = (va | (s->page_size - 1)) + 1;
			continue;
		}
		if (left < s->page_size)
			left = s->page_size - (va & (s->page_size - 1));
		if (va + left > va_end)
			left = va_end - va;
		uint64_t lo = pa / s->page_size, hi = (pa + left + s->page_size - 1) / s->page_size;
		if (n && v[n - 1].hi == lo) {
			v[n - 1].hi = hi;
		} else {
			if (n == cap) {
				struct range *nv = realloc(v, 2 * cap * sizeof(*v));
				if (!nv) {
					free(v);
					return &mw_error_nomem;
				}
				v = nv;
				cap *= 2;
			}
			v[n++] = (struct range){ lo, hi };
		}
		va += left;
	}
	s->vmemmap = v;
	s->nr_vmemmap = merge_ranges(v, n);
	s->r.parts[MW_RESERVED_STRUCT_PAGES].known = s->nr_vmemmap > 0;
	return NULL;
}

struct mw_error *mw_reserved_scan_create(struct mw_kernel *k, struct mw_warnings *w,
					 struct mw_reserved_scan **ret)
{
	struct mw_reserved_scan *s = calloc(1, sizeof(*s));
	struct mw_error *err;
	struct res_layout l;
	if (!s)
		return &mw_error_nomem;
	s->k = k;
	s->page_size = k->vm.page_size ? k->vm.page_size : 4096;
	s->r.page_size = s->page_size;
	if ((err = res_layout(k->types, &l))) {
		free(s);
		return mw_error_prepend(err, "reserved: struct resource");
	}
	resource_symbol(s, &l, "crashk_res");
	resource_symbol(s, &l, "crashk_low_res");
	var_region(s, MW_RESERVED_INITRD, "phys_initrd_start", "phys_initrd_size");
	swiotlb(s);
	kernel_image(s, w);
	if ((err = system_ram(s, &l, w)) || (err = vmemmap_pages(s, w))) {
		mw_reserved_scan_destroy(s);
		return mw_error_prepend(err, "reserved");
	}
	*ret = s;
	return NULL;
}

void mw_reserved_scan_destroy(struct mw_reserved_scan *s)
{
	if (!s)
		return;
	free(s->ram);
	free(s->vmemmap);
	free(s);
}

static enum mw_reserved_part classify(const struct mw_reserved_scan *s, uint64_t pfn)
{
	for (size_t i = 0; i < s->nr_regions; i++)
		if (pfn >= s->regions[i].lo && pfn < s->regions[i].hi)
			return s->regions[i].part;
	if (in_ranges(s->vmemmap, s->nr_vmemmap, pfn))
		return MW_RESERVED_STRUCT_PAGES;
	if (s->nr_ram && !in_ranges(s->ram, s->nr_ram, pfn))
		return MW_RESERVED_NOT_RAM;
	if (pfn < LOW_MEMORY_BYTES / s->page_size)
		return MW_RESERVED_LOW_MEMORY;
	return MW_RESERVED_UNIDENTIFIED;
}

static void add_owner(struct mw_offline_owner *v, size_t *n, uint64_t balloon, uint64_t pages)
{
	for (size_t i = 0; i < *n; i++)
		if (v[i].balloon == balloon) {
			v[i].pages += pages;
			return;
		}
	if (*n < MW_OFFLINE_OWNERS) {
		v[*n] = (struct mw_offline_owner){ .balloon = balloon, .pages = pages };
		(*n)++;
		return;
	}
	v[MW_OFFLINE_OWNERS - 1].balloon = 0;	/* the last gathers the rest */
	v[MW_OFFLINE_OWNERS - 1].pages += pages;
}

/* Each scanning thread's counts, with the scan's regions. */
struct tpair {
	struct tstate t;
	const struct mw_reserved_scan *s;
};

static struct mw_error *pair_init(void *arg, unsigned thread, void **ret)
{
	(void)thread;
	struct tpair *p = calloc(1, sizeof(*p));
	if (!p)
		return &mw_error_nomem;
	p->s = arg;
	*ret = p;
	return NULL;
}

static void pair_page(void *tstate, const struct mw_page_event *ev)
{
	struct tpair *p = tstate;
	if (ev->category == MW_PAGE_OFFLINE) {
		p->t.offline += ev->nr_pages;
		/* balloon_page_insert(): page->private is the balloon_dev_info */
		add_owner(p->t.owners, &p->t.nr_owners, ev->private_data, ev->nr_pages);
		return;
	}
	p->t.reserved += ev->nr_pages;
	for (uint64_t i = 0; i < ev->nr_pages; i++)
		p->t.parts[classify(p->s, ev->pfn + i)]++;
}

static struct mw_error *pair_done(void *arg, unsigned thread, void *tstate)
{
	(void)thread;
	struct mw_reserved_scan *s = arg;
	struct tpair *p = tstate;
	for (size_t i = 0; i < MW_RESERVED_NR_PARTS; i++)
		s->r.parts[i].pages += p->t.parts[i];
	s->r.reserved_pages += p->t.reserved;
	s->r.offline_pages += p->t.offline;
	for (size_t i = 0; i < p->t.nr_owners; i++)
		add_owner(s->r.owners, &s->r.nr_owners, p->t.owners[i].balloon, p->t.owners[i].pages);
	free(p);
	return NULL;
}

void mw_reserved_scan_observer(struct mw_reserved_scan *s, struct mw_page_observer *ret)
{
	*ret = (struct mw_page_observer){
		.name = "reserved",
		.categories = MW_PAGE_CATEGORY_BIT(MW_PAGE_RESERVED) |
			      MW_PAGE_CATEGORY_BIT(MW_PAGE_OFFLINE),
		.arg = s,
		.thread_init = pair_init,
		.page = pair_page,
		.thread_done = pair_done,
	};
}

/* Name the driver behind a balloon_dev_info: the module of its
 * migratepage callback ("virtio_balloon"), else "balloon". */
static void name_owner(struct mw_reserved_scan *s, const struct mw_modules *mods,
		       struct mw_offline_owner *o)
{
	uint64_t off, fn;
	char buf[160];
	if (!o->balloon) {
		snprintf(o->driver, sizeof(o->driver), "%s", "");
		return;
	}
	snprintf(o->driver, sizeof(o->driver), "%s", "balloon");
	if (!mods || mw_failed(mw_types_offsetof(s->k->types, "balloon_dev_info.migratepage", &off)) ||
	    mw_failed(mw_kread_u64(s->k, o->balloon + off, &fn)) || !fn ||
	    !mw_modules_name_addr(s->k, mods, fn, buf, sizeof(buf)))
		return;
	char *a = strrchr(buf, '['), *b = a ? strchr(a, ']') : NULL;
	if (a && b && b > a + 1) {
		*b = '\0';
		snprintf(o->driver, sizeof(o->driver), "%s", a + 1);
	}
}

struct mw_error *mw_reserved_finish(struct mw_reserved_scan *s, const struct mw_pagescan *ps,
				    struct mw_warnings *w, struct mw_reserved *ret)
{
	s->r.parts[MW_RESERVED_STRUCT_PAGES].region_bytes = ps->struct_page_bytes;
	s->r.parts[MW_RESERVED_STRUCT_PAGES].known = true;
	if (s->r.nr_owners) {
		struct mw_modules mods;
		bool have = false;
		struct mw_error *err = mw_modules_read(s->k, w, true, &mods);
		if (err)
			mw_warn_error(w, err, "reserved: modules not read: balloon drivers not named");
		else
			have = true;
		for (size_t i = 0; i < s->r.nr_owners; i++)
			name_owner(s, have ? &mods : NULL, &s->r.owners[i]);
		if (have)
			mw_modules_deinit(&mods);
	}
	*ret = s->r;
	return NULL;
}

struct mw_error *mw_reserved_findings(const struct mw_reserved *r, uint64_t total_bytes,
				      struct mw_findings *out)
{
	if (!total_bytes)
		return NULL;
	uint64_t balloon = 0;
	for (size_t i = 0; i < r->nr_owners; i++)
		if (r->owners[i].balloon)
			balloon += r->owners[i].pages;
	uint64_t bb = balloon * r->page_size;
	double pct = 100.0 * (double)bb / (double)total_bytes;
	if (balloon && pct >= BALLOON_PCT) {
		struct mw_finding *f = mw_findings_add(out, MW_FINDING_BALLOON,
						       pct >= BALLOON_WARN_PCT ? MW_SEVERITY_WARNING :
										 MW_SEVERITY_INFO, bb);
		if (!f)
			return &mw_error_nomem;
		f->advice = MW_ADVICE_BALLOON;
		f->u.pages.percent = pct;
		f->u.pages.pages = balloon;
	}
	const struct mw_reserved_part_info *ck = &r->parts[MW_RESERVED_CRASH_KERNEL];
	pct = 100.0 * (double)ck->region_bytes / (double)total_bytes;
	if (ck->known && pct >= CRASHKERNEL_PCT) {
		struct mw_finding *f = mw_findings_add(out, MW_FINDING_CRASHKERNEL_LARGE,
						       MW_SEVERITY_INFO, ck->region_bytes);
		if (!f)
			return &mw_error_nomem;
		f->advice = MW_ADVICE_CRASHKERNEL;
		f->u.pages.percent = pct;
		f->u.pages.pages = ck->pages;
	}
	return NULL;
}
