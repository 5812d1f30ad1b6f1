/* Check the kernel model of a real dump against independent sources (TAP):
 *   kmodel DUMP [SYSTEM.MAP]
 * - the release in init_uts_ns (read through the types) equals VMCOREINFO's
 *   OSRELEASE;
 * - every VMCOREINFO SYMBOL() inside the kernel image equals the address
 *   decoded from kallsyms;
 * - with a System.map (from the kernel package): every symbol kallsyms has
 *   sits at its System.map address plus VMCOREINFO's KERNELOFFSET;
 * - linux_banner reads "Linux version RELEASE" through the kernel mapping,
 *   through the direct map, and via a page-table walk to the same address;
 * - the vmemmap and the direct map are reached through the page tables.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/kernel.h"
#include "btf/name-index.h"
#include "tests/tap.h"

static int check_system_map(struct mw_kernel *k, const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		tap_skip("no System.map");
		return 0;
	}
	char line[1024];
	uint64_t total = 0, found = 0, same = 0, shown = 0;
	/* compare each name once: the entry mw_symbols_find picks (a global
	 * one, else the lowest address) */
	struct mw_symbols *map;
	struct mw_error *merr = mw_symbols_open_system_map(path, &map);
	if (merr) {
		tap_diag("%s", merr->message);
		mw_error_destroy(merr);
		fclose(f);
		tap_ok(0, "System.map parses");
		return 0;
	}
	struct mw_name_index seen;
	mw_name_index_init(&seen);
	while (fgets(line, sizeof(line), f)) {
		char name[512], type;
		unsigned long long addr;
		if (sscanf(line, "%llx %c %511s", &addr, &type, name) != 3)
			continue;
		/* kallsyms leaves out absolute and some linker symbols */
		if (type == 'A' || type == 'a' || type == 'U' || type == 'N' || type == 'n')
			continue;
		uint64_t *slot;
		bool added;
		char *copy = strdup(name);
		if (mw_name_index_insert(&seen, 0, copy, strlen(copy), &slot, &added) || !added) {
			free(copy);
			continue;
		}
		total++;
		const struct mw_symbol *ms = mw_symbols_find(map, name);
		if (ms)
			addr = ms->address;
		uint64_t ka;
		struct mw_error *err = mw_kernel_symbol(k, name, &ka);
		if (err) {
			mw_error_destroy(err);
			continue;
		}
		found++;
		/* per-CPU symbols are offsets, not relocated by KASLR */
		uint64_t want = addr < k->vm.image_link_start ? addr : addr + k->vm.kaslr_offset;
		if (ka == want)
			same++;
		else if (shown++ < 5)
			tap_diag("%s: kallsyms 0x%" PRIx64 ", System.map+KASLR 0x%" PRIx64,
				 name, ka, want);
	}
	fclose(f);
	for (size_t i = 0; i < seen.capacity; i++)
		free((char *)seen.slots[i].name);
	mw_name_index_deinit(&seen);
	mw_symbols_destroy(map);
	tap_diag("System.map: %" PRIu64 " symbols, %" PRIu64 " in kallsyms, %" PRIu64 " at the same address",
		 total, found, same);
	tap_ok(total > 0 && found * 100 >= total * 90,
	       "kallsyms has at least 90%% of System.map's symbols");
	tap_ok(found > 0 && same == found,
	       "every kallsyms address equals System.map + KERNELOFFSET");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: kmodel DUMP [SYSTEM.MAP]\n");
		return 2;
	}
	struct mw_reader *r;
	struct mw_error *err = mw_reader_open(argv[1], &r);
	if (!tap_ok(err == NULL, "open %s", argv[1])) {
		tap_diag("%s", err->message);
		return tap_done();
	}
	struct mw_warnings w;
	mw_warnings_init(&w);
	struct mw_kernel *k;
	struct mw_kernel_options opt = { 0 };
	err = mw_kernel_open(r, argv[1], &opt, &w, &k);
	if (!tap_ok(err == NULL, "kernel model from the dump alone")) {
		tap_diag("%s", err->message);
		return tap_done();
	}
	for (size_t i = 0; i < w.kept; i++)
		tap_diag("warning: %s", w.text[i]);
	tap_ok(w.kept == 0, "no warnings building the model");
	tap_ok(mw_types_source(k->types) == MW_TYPES_BTF_DUMP, "types from the BTF inside the dump");
	/* Debian's arm64 kernels have no KALLSYMS_ALL: a System.map beside
	 * the dump gives their symbols (scripts/capture --arch arm64) */
	bool arm64 = strcmp(mw_vm_arch_name(&k->vm), "arm64") == 0;
	tap_ok((k->symbols_source == MW_SYMBOLS_KALLSYMS ||
		(arm64 && k->symbols_source == MW_SYMBOLS_SYSTEM_MAP)) && k->nr_symbols > 10000,
	       "symbols from kallsyms in the dump%s (%zu)", arm64 ? ", or System.map on arm64" : "",
	       k->nr_symbols);
	tap_ok(k->osrelease[0] && strcmp(k->uts_release, k->osrelease) == 0,
	       "init_uts_ns release '%s' equals VMCOREINFO OSRELEASE '%s'",
	       k->uts_release, k->osrelease);

	/* VMCOREINFO SYMBOL()s in the kernel image against kallsyms */
	const struct mw_dump_info *info = mw_reader_info(r);
	const char *p = info->vmcoreinfo, *end = p + info->vmcoreinfo_len;
	int checked = 0, agree = 0;
	while (p && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		char name[128];
		unsigned long long v;
		/* (mem_section's is the pointer's value with SPARSEMEM_EXTREME) */
		if (sscanf(p, "SYMBOL(%127[^)])=%llx", name, &v) == 2 && v >= k->vm.image_link_start &&
		    strcmp(name, "mem_section") != 0) {
			/* some are macros (swapper_pg_dir, node_online_map)
			 * or kallsyms' own tables, which it leaves out */
			uint64_t ka;
			if ((err = mw_kernel_symbol(k, name, &ka))) {
				mw_error_destroy(err);
			} else {
				checked++;
				if (ka == v)
					agree++;
				else
					tap_diag("SYMBOL(%s)=%llx, kallsyms 0x%" PRIx64,
						 name, v, ka);
			}
		}
		p = eol + 1;
	}
	tap_ok(checked >= 5 && agree == checked,
	       "the %d VMCOREINFO image SYMBOL()s that kallsyms has are equal", checked);

	if (argc > 2)
		check_system_map(k, argv[2]);
	else
		tap_skip("no System.map given");

	/* linux_banner three ways */
	uint64_t banner, pa_fast, pa_walk, left;
	char want[128], got[128];
	snprintf(want, sizeof(want), "Linux version %s ", k->osrelease);
	size_t n = strlen(want);
	err = mw_kernel_symbol(k, "linux_banner", &banner);
	if (!err)
		err = mw_kernel_read(k, banner, got, n);
	tap_ok(!err && memcmp(got, want, n) == 0, "linux_banner through the kernel mapping");
	mw_error_destroy(err);
	err = mw_vm_translate(&k->vm, banner, &pa_fast, &left);
	if (!err)
		err = mw_vm_walk(&k->vm, banner, &pa_walk, &left);
	tap_ok(!err && pa_fast == pa_walk,
	       "page-table walk of linux_banner gives the kernel-mapping address");
	mw_error_destroy(err);
	memset(got, 0, sizeof(got));
	err = mw_kernel_read(k, k->page_offset_base + pa_fast, got, n);
	tap_ok(!err && memcmp(got, want, n) == 0, "linux_banner through the direct map");
	mw_error_destroy(err);
	err = mw_vm_walk(&k->vm, k->page_offset_base + pa_fast, &pa_walk, &left);
	tap_ok(!err && pa_walk == pa_fast, "direct map through the page tables");
	mw_error_destroy(err);
	/* the struct page of the banner's page lives in the vmemmap */
	uint64_t page_size = 0;
	err = mw_types_sizeof(k->types, "page", &page_size);
	if (!err)
		err = mw_vm_walk(&k->vm, k->vmemmap_base + (pa_fast >> k->vm.page_shift) * page_size,
				 &pa_walk, &left);
	tap_ok(!err, "vmemmap mapped for the banner's page (struct page is %" PRIu64 " bytes)",
	       page_size);
	mw_error_destroy(err);

	mw_kernel_destroy(k);
	mw_warnings_deinit(&w);
	mw_reader_destroy(r);
	return tap_done();
}
