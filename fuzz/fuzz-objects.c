/* Fuzz the analyses over a real small dump: the input is the bytes of one
 * kernel object inside the bundled dump testdata/6.1-oom (or
 * $MW_FUZZ_DUMP), laid over it as the dump is read. Its first byte picks
 * the object: a slab cache, a vmap area, a task, a memcg, the printk ring
 * buffer (found once from the dump's own symbols and types); the rest
 * replaces the object's first bytes. Then every analysis runs (the page
 * scan, memcgs, files, sockets, slab, vmalloc, tasks, the log, findings):
 * each must end without a crash, a sanitizer report or a hang, whatever
 * the object holds. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/analysis.h"
#include "analyzer/kernel.h"
#include "formats/format.h"
#include "formats/reader.h"
#include "fuzz/fuzz.h"

#ifndef MW_TOP_SRCDIR
#define MW_TOP_SRCDIR "."
#endif

enum { OBJ_MAX = 8, OBJ_MAX_SIZE = 4096 };

struct object {
	const char *what;
	uint64_t paddr;
	size_t size;
};

/* the fuzz target's one dump and what it knows of it (set up once) */
static struct {
	int ready;		/* 1: set up, -1: cannot be */
	struct mw_reader *r;
	const struct mw_format_ops *ops;	/* the format's own */
	struct mw_format_ops overlay_ops;
	struct object obj[OBJ_MAX];
	size_t nr;
	/* the current input's bytes over [paddr, paddr + len) */
	uint64_t paddr;
	const uint8_t *data;
	size_t len;
} fz;

static struct mw_error *overlay_read(struct mw_reader *r, uint64_t paddr, void *buf, size_t len)
{
	struct mw_error *err = fz.ops->read_phys(r, paddr, buf, len);
	if (err || !fz.len)
		return err;
	uint64_t lo = paddr > fz.paddr ? paddr : fz.paddr;
	uint64_t hi = paddr + len < fz.paddr + fz.len ? paddr + len : fz.paddr + fz.len;
	if (lo < hi)
		memcpy((uint8_t *)buf + (lo - paddr), fz.data + (lo - fz.paddr), hi - lo);
	return NULL;
}

static void add(struct mw_kernel *k, const char *what, uint64_t vaddr, const char *type)
{
	uint64_t size, pa, left;
	struct mw_error *err;
	if (fz.nr >= OBJ_MAX || !vaddr)
		return;
	if ((err = mw_types_sizeof(k->types, type, &size))) {
		mw_error_destroy(err);
		return;
	}
	if (size > OBJ_MAX_SIZE)
		size = OBJ_MAX_SIZE;
	if ((err = mw_vm_translate(&k->vm, vaddr, &pa, &left))) {
		mw_error_destroy(err);
		return;
	}
	if (left < size)	/* the object must be one physical run */
		size = left;
	fz.obj[fz.nr++] = (struct object){ what, pa, size };
}

/* The second node of the list at head (the first may be special). */
static uint64_t second(struct mw_kernel *k, uint64_t head)
{
	uint64_t a = 0, b = 0;
	if (!head || mw_kernel_read(k, head, &a, 8) || mw_kernel_read(k, a, &b, 8) || b == head)
		return 0;
	return b;
}

static uint64_t off(struct mw_kernel *k, const char *member)
{
	uint64_t v = 0;
	struct mw_error *err = mw_types_offsetof(k->types, member, &v);
	mw_error_destroy(err);
	return v;
}

static uint64_t sym(struct mw_kernel *k, const char *name)
{
	uint64_t v = 0;
	struct mw_error *err = mw_kernel_symbol(k, name, &v);
	mw_error_destroy(err);
	return v;
}

static void setup(void)
{
	const char *path = getenv("MW_FUZZ_DUMP");
	static char def[4096];
	if (!path) {
		snprintf(def, sizeof(def), "%s/testdata/6.1-oom/vmcore.kdump", MW_TOP_SRCDIR);
		path = def;
	}
	fz.ready = -1;
	struct mw_error *err = mw_reader_open(path, &fz.r);
	if (err) {
		fprintf(stderr, "fuzz-objects: %s: %s\n", path, err->message);
		mw_error_destroy(err);
		return;
	}
	fz.ops = fz.r->ops;
	fz.overlay_ops = *fz.ops;
	fz.overlay_ops.read_phys = overlay_read;
	fz.r->ops = &fz.overlay_ops;

	struct mw_warnings w;
	mw_warnings_init(&w);
	struct mw_kernel *k;
	struct mw_kernel_options ko = { 0 };
	if ((err = mw_kernel_open(fz.r, path, &ko, &w, &k))) {
		fprintf(stderr, "fuzz-objects: %s: %s\n", path, err->message);
		mw_error_destroy(err);
		mw_warnings_deinit(&w);
		return;
	}
	uint64_t n, v = 0;
	if ((n = second(k, sym(k, "slab_caches"))))
		add(k, "kmem_cache", n - off(k, "kmem_cache.list"), "kmem_cache");
	if ((n = second(k, sym(k, "vmap_area_list"))))
		add(k, "vmap_area", n - off(k, "vmap_area.list"), "vmap_area");
	if ((n = second(k, sym(k, "init_task") + off(k, "task_struct.tasks"))))
		add(k, "task_struct", n - off(k, "task_struct.tasks"), "task_struct");
	if (sym(k, "root_mem_cgroup") && !mw_kernel_read(k, sym(k, "root_mem_cgroup"), &v, 8) && v) {
		uint64_t css = off(k, "mem_cgroup.css");
		uint64_t head = v + css + off(k, "cgroup_subsys_state.children");
		if (!mw_kernel_read(k, head, &n, 8) && n != head)
			add(k, "mem_cgroup", n - off(k, "cgroup_subsys_state.sibling") - css, "mem_cgroup");
	}
	if (sym(k, "prb") && !mw_kernel_read(k, sym(k, "prb"), &v, 8))
		add(k, "printk_ringbuffer", v, "printk_ringbuffer");
	mw_kernel_destroy(k);
	mw_warnings_deinit(&w);
	if (fz.nr)
		fz.ready = 1;
	else
		fprintf(stderr, "fuzz-objects: %s: no kernel object found\n", path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!fz.ready)
		setup();
	if (fz.ready < 0 || size < 2)
		return 0;
	const struct object *o = &fz.obj[data[0] % fz.nr];
	fz.paddr = o->paddr;
	fz.data = data + 1;
	fz.len = size - 1 < o->size ? size - 1 : o->size;

	struct mw_warnings w;
	mw_warnings_init(&w);
	struct mw_kernel *k;
	struct mw_kernel_options ko = { 0 };
	struct mw_error *err = mw_kernel_open(fz.r, mw_reader_path(fz.r), &ko, &w, &k);
	if (!err) {
		struct mw_analysis_options opt = {
			.want = MW_RESULT_SUMMARY | MW_RESULT_MEMCG | MW_RESULT_FILES |
				MW_RESULT_SOCKETS | MW_RESULT_FINDINGS | MW_RESULT_LOG |
				MW_RESULT_SLAB | MW_RESULT_VMALLOC | MW_RESULT_TASKS,
			.threads = 1,
		};
		struct mw_analysis a;
		err = mw_analysis_run(k, &opt, &w, &a);
		mw_analysis_deinit(&a);
		mw_kernel_destroy(k);
	}
	mw_error_destroy(err);
	mw_warnings_deinit(&w);
	fz.len = 0;
	return 0;
}
