/* memwhere: findings as data: the list, the ranking, the socket findings. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "analyzer/findings.h"
#include "analyzer/sockets.h"

const char *mw_severity_name(enum mw_severity s)
{
	switch (s) {
	case MW_SEVERITY_INFO: return "info";
	case MW_SEVERITY_WARNING: return "warning";
	case MW_SEVERITY_CRITICAL: return "critical";
	}
	return "info";
}

const char *mw_finding_id(enum mw_finding_kind k)
{
	static const char *const ids[MW_FINDING_NR_KINDS] = {
		[MW_FINDING_UNACCOUNTED_MEMORY] = "unaccounted-memory",
		[MW_FINDING_SHMEM_HIGH] = "shmem-high",
		[MW_FINDING_FILE_CACHE_HIGH] = "file-cache-high",
		[MW_FINDING_SLAB_RECLAIMABLE_HIGH] = "slab-reclaimable-high",
		[MW_FINDING_SLAB_UNRECLAIMABLE_HIGH] = "slab-unreclaimable-high",
		[MW_FINDING_LOW_FREE_MEMORY] = "low-free-memory",
		[MW_FINDING_HUGETLB_FREE] = "hugetlb-free",
		[MW_FINDING_INCONSISTENT_STRUCT_PAGES] = "inconsistent-struct-pages",
		[MW_FINDING_NOT_IN_DUMP] = "not-in-dump",
		[MW_FINDING_COUNTERS_DIFFER] = "counters-differ",
		[MW_FINDING_BALLOON] = "balloon",
		[MW_FINDING_CRASHKERNEL_LARGE] = "crashkernel-large",
		[MW_FINDING_SHMEM_FILES_UNMAPPED] = "shmem-files-unmapped",
		[MW_FINDING_DELETED_FILES_IN_USE] = "deleted-files-in-use",
		[MW_FINDING_FILE_CACHE_DIRECTORY] = "file-cache-directory",
		[MW_FINDING_DYING_MEMCGS] = "dying-memcgs",
		[MW_FINDING_UNREAD_SOCKET_DATA] = "unread-socket-data",
		[MW_FINDING_SLAB_CACHE_LARGE] = "slab-cache-large",
		[MW_FINDING_BPF_LARGE] = "bpf-memory-large",
		[MW_FINDING_HUGETLB_POOL_FREE] = "hugetlb-pool-free",
		[MW_FINDING_ZRAM_POOR_COMPRESSION] = "zram-poor-compression",
		[MW_FINDING_OOM_PANIC] = "oom-panic",
		[MW_FINDING_PANIC] = "panic",
	};
	return (unsigned)k < MW_FINDING_NR_KINDS && ids[k] ? ids[k] : "unknown";
}

struct mw_finding *mw_findings_add(struct mw_findings *list, enum mw_finding_kind kind,
				   enum mw_severity sev, uint64_t bytes)
{
	if (list->nr == list->cap) {
		size_t cap = list->cap ? list->cap * 2 : 16;
		struct mw_finding *v = realloc(list->v, cap * sizeof(*v));
		if (!v)
			return NULL;
		list->v = v;
		list->cap = cap;
	}
	struct mw_finding *f = &list->v[list->nr];
	memset(f, 0, sizeof(*f));
	f->kind = kind;
	f->severity = sev;
	f->bytes = bytes;
	f->seq = list->nr++;
	return f;
}

int mw_finding_cmp(const void *a, const void *b)
{
	const struct mw_finding *x = a, *y = b;
	if (x->severity != y->severity)
		return x->severity > y->severity ? -1 : 1;
	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void mw_findings_sort_from(struct mw_findings *list, size_t from)
{
	if (from < list->nr)
		qsort(list->v + from, list->nr - from, sizeof(*list->v), mw_finding_cmp);
}

void mw_findings_drop_repeated(struct mw_findings *list)
{
	bool pool = false;
	for (size_t i = 0; i < list->nr; i++)
		pool |= list->v[i].kind == MW_FINDING_HUGETLB_POOL_FREE;
	if (!pool)
		return;
	size_t n = 0;
	for (size_t i = 0; i < list->nr; i++)
		if (list->v[i].kind != MW_FINDING_HUGETLB_FREE)
			list->v[n++] = list->v[i];
	list->nr = n;
}

void mw_findings_sort(struct mw_findings *list)
{
	mw_findings_sort_from(list, 0);
}

void mw_findings_deinit(struct mw_findings *list)
{
	free(list->v);
	memset(list, 0, sizeof(*list));
}

/* Severity of one process's pinned socket memory. */
static enum mw_severity socket_severity(uint64_t pinned, uint64_t total_ram)
{
	if (total_ram && pinned * 4 >= total_ram)
		return MW_SEVERITY_CRITICAL;	/* a quarter of RAM */
	if (pinned >= (64ULL << 20) || (total_ram && pinned * 20 >= total_ram))
		return MW_SEVERITY_WARNING;	/* 64 MiB or 5% of RAM */
	return MW_SEVERITY_INFO;
}

struct mw_error *mw_sockets_findings(const struct mw_sockets *s,
				     const struct mw_sockets_holder *holders, size_t nr,
				     uint64_t total_ram, struct mw_findings *out)
{
	for (size_t i = 0; i < nr; i++) {
		const struct mw_sockets_holder *h = &holders[i];
		struct mw_finding *f = mw_findings_add(out, MW_FINDING_UNREAD_SOCKET_DATA,
						       socket_severity(h->pinned_bytes, total_ram),
						       h->pinned_bytes);
		if (!f)
			return &mw_error_nomem;
		f->u.sockets.holder = h;
		f->u.sockets.top = &s->v[h->first];
		f->u.sockets.ratio = h->payload_bytes ?
			(double)h->pinned_bytes / (double)h->payload_bytes : 0;
		if (h->pid < 0)
			f->advice = MW_ADVICE_ACCEPT_SOCKETS;
		else if (h->page_bytes * 2 >= h->pinned_bytes)
			f->advice = MW_ADVICE_READ_SOCKETS_PAGES;
		else
			f->advice = MW_ADVICE_READ_SOCKETS_SLAB;
	}
	return NULL;
}
