/* Benchmark helper (not a test): what finding the kallsyms tables in the
 * kernel image costs, for dumps whose VMCOREINFO does not name them (Linux
 * before 6.0), next to decoding them once found.
 *
 *   kallsymsbench DUMP
 * Output: one line "find_s=... find_cpu_s=... decode_s=... decode_cpu_s=...
 * symbols=N" (wall-clock and CPU seconds; find 0 when VMCOREINFO names the
 * tables), for scripts/bench-info.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "analyzer/vm.h"
#include "btf/kallsyms.h"
#include "formats/reader.h"

static double clock_s(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
static double now(void) { return clock_s(CLOCK_MONOTONIC); }
static double cpu(void) { return clock_s(CLOCK_PROCESS_CPUTIME_ID); }

static void die(struct mw_error *err)
{
	char *s = mw_error_string(err);
	fprintf(stderr, "kallsymsbench: %s\n", s ? s : err->message);
	exit(2);
}


static struct mw_error *count(void *arg, const char *name, size_t len, char type,
			      uint64_t addr)
{
	(void)name; (void)len; (void)type; (void)addr;
	++*(size_t *)arg;
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fputs("usage: kallsymsbench DUMP\n", stderr);
		return 2;
	}
	struct mw_reader *r;
	struct mw_error *err = mw_reader_open(argv[1], &r);
	if (err)
		die(err);
	const struct mw_dump_info *info = mw_reader_info(r);
	struct mw_vm vm;
	if ((err = mw_vm_init(&vm, r)))
		die(err);
	struct mw_kallsyms_tables t = {
		.num_syms = mw_vmcoreinfo_symbol(info, "kallsyms_num_syms"),
		.names = mw_vmcoreinfo_symbol(info, "kallsyms_names"),
		.token_table = mw_vmcoreinfo_symbol(info, "kallsyms_token_table"),
		.token_index = mw_vmcoreinfo_symbol(info, "kallsyms_token_index"),
		.offsets = mw_vmcoreinfo_symbol(info, "kallsyms_offsets"),
		.relative_base = mw_vmcoreinfo_symbol(info, "kallsyms_relative_base"),
		.addresses = mw_vmcoreinfo_symbol(info, "kallsyms_addresses"),
	};
	double t0 = now(), c0 = cpu(), find = 0, find_cpu = 0;
	/* as analyzer/kernel.c scans: 64 MiB of image from _stext */
	if (!t.names && !t.offsets && !t.addresses) {
		if ((err = mw_kallsyms_find(mw_vmcoreinfo_symbol(info, "_stext"), 64 << 20, mw_vm_read_cb, &vm, &t)))
			die(err);
		find = now() - t0;
		find_cpu = cpu() - c0;
	}
	size_t n = 0;
	double t1 = now(), c1 = cpu();
	if ((err = mw_kallsyms_decode(&t, mw_vm_read_cb, &vm, count, &n)))
		die(err);
	printf("find_s=%.3f find_cpu_s=%.3f decode_s=%.3f decode_cpu_s=%.3f symbols=%zu\n",
	       find, find_cpu, now() - t1, cpu() - c1, n);
	mw_reader_destroy(r);
	return 0;
}
