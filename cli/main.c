/* memwhere: where did the memory go? */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/files.h"
#include "cli/memcg.h"
#include "cli/sockets.h"
#include "cli/summary.h"

static const struct mw_command commands[] = {
	{ "report", "everything below that applies to the dump (the default)",
	  "Runs every analysis that applies and prints their results.\n",
	  mw_cmd_report },
	{ "info", "the dump: format, compression, memory ranges, kernel, VMCOREINFO",
	  "Describes the dump file: its format and compression, the physical\n"
	  "memory ranges it covers, pages it left out, the CPU count, and the\n"
	  "kernel's VMCOREINFO (release, KASLR offset, phys_base, ...).\n",
	  mw_cmd_info },
	{ "summary", "where RAM went: every page in one category, then findings",
	  "Walks every struct page of the dump once and puts each page in one\n"
	  "category (free, anon, file, shmem, slab, kernel stacks, page tables,\n"
	  "vmalloc, percpu, hugetlb, reserved, unaccounted, ...), so the categories\n"
	  "add up to all RAM; then the findings worth a look.\n",
	  mw_cmd_summary },
	{ "pages", "the page scan in pages, next to the kernel's own counters",
	  "The summary's categories in pages, free blocks per order, compound,\n"
	  "THP and hugetlb counts, per node and zone, per memory cgroup, and the\n"
	  "kernel's vmstat counters (per-CPU deltas folded in) next to the scan's\n"
	  "numbers, flagging differences over 1%.\n",
	  mw_cmd_pages },
	{ "files", "page cache and shared memory by file, with each file's memory cgroup",
	  "Counts every page-cache and shmem page of the page scan by the file it\n"
	  "caches, and names the file: its path from the root of the initial mount\n"
	  "namespace (mount points included; \"(deleted)\" with its last name when\n"
	  "unlinked), or its kind when it has none: memfd, SysV shared memory (key,\n"
	  "shmid), anonymous shared memory, block device cache. Each file shows its\n"
	  "size, cached and dirty bytes, file system and the memory cgroup its pages\n"
	  "are charged to; then the same by directory (\"/dev/shm/ganglia/: 200\n"
	  "files, 31.2 MiB, average 160 KiB\"). --memcg PATH keeps the pages charged\n"
	  "to that cgroup and below, --top N the N largest files and directories.\n",
	  mw_cmd_files },
	{ "memcg", "the memory cgroup tree, dying cgroups and what still holds them",
	  "Walks the memory cgroups from root_mem_cgroup (cgroup v2, or the v1\n"
	  "memory hierarchy), online and dying ones: usage from the page counter\n"
	  "(memory.current), limits, and memory.stat's counters with the changes\n"
	  "the kernel had not flushed folded in; the bytes the page scan found\n"
	  "charged to each; and for each dying cgroup what still holds it (page\n"
	  "cache by file, child cgroups, writeback, other references).\n"
	  "--memcg PATH shows one subtree, --top N the N largest.\n",
	  mw_cmd_memcg },
	{ "sockets", "socket queues, their skbs and the pages they pin, per process",
	  "Finds every socket through every process's fd table and through the\n"
	  "protocol tables (TCP established, listening, time-wait; UDP; unix;\n"
	  "packet), walks its receive and send queues skb by skb, and adds up\n"
	  "what they keep alive: sk_buff objects, head buffers and the whole\n"
	  "compound pages behind their frags, each page counted once. Ranked by\n"
	  "pinned bytes, with a finding per process holding unread data, and the\n"
	  "memory cgroup each socket is charged to. --memcg PATH keeps the sockets\n"
	  "charged to that cgroup and below.\n",
	  mw_cmd_sockets },
};
enum { NR_COMMANDS = sizeof(commands) / sizeof(commands[0]) };

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: memwhere [OPTIONS] DUMP                same as `memwhere report DUMP`\n"
		"       memwhere [OPTIONS] COMMAND DUMP\n"
		"       memwhere [OPTIONS] live [COMMAND]      the running kernel through /proc/kcore\n"
		"\n"
		"Where did the memory go? memwhere reads a vmcore (ELF, kdump-compressed,\n"
		"makedumpfile flattened) or /proc/kcore and says who owns the RAM.\n"
		"\nCommands:\n");
	for (size_t i = 0; i < NR_COMMANDS; i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(f,
		"\nOptions (any position):\n"
		"  --json              one JSON document on stdout; messages on stderr\n"
		"  --vmlinux FILE      types and symbols from a vmlinux with DWARF\n"
		"  --btf FILE          types from a BTF file (raw BTF or an ELF with .BTF)\n"
		"  --system-map FILE   symbols from System.map\n"
		"  --top N             rows in ranked lists (default 30; 0 = all)\n"
		"  --memcg PATH        restrict files, sockets and memcg to one cgroup subtree\n"
		"  --no-progress       no progress bar\n"
		"  -h, --help          this help (`memwhere COMMAND --help` for one command)\n"
		"  -V, --version       print the version\n"
		"\nExit status: 0 done; 1 done, but parts could not be analysed (see the\n"
		"warnings); 2 bad usage, or an unreadable or corrupt dump.\n"
		"\nSee memwhere(1).\n");
}

static void command_help(const struct mw_command *cmd)
{
	printf("Usage: memwhere [OPTIONS] %s DUMP\n"
	       "       memwhere [OPTIONS] live %s\n\n%s - %s\n\n%s"
	       "\nOptions: --json, --vmlinux FILE, --btf FILE, --system-map FILE, --top N,\n"
	       "--memcg PATH, --no-progress (see `memwhere --help`).\n",
	       cmd->name, cmd->name, cmd->name, cmd->summary, cmd->help);
}

static const struct mw_command *find_command(const char *name)
{
	for (size_t i = 0; i < NR_COMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

__attribute__((format(printf, 1, 2)))
static int bad_usage(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("memwhere: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry `memwhere --help'.\n", stderr);
	return MW_EXIT_FAIL;
}

/* Options with a value: "--opt VALUE" or "--opt=VALUE". */
static const char *option_value(int argc, char **argv, int *i,
				const char *name, bool *matched)
{
	size_t n = strlen(name);
	*matched = false;
	if (strncmp(argv[*i], name, n) != 0)
		return NULL;
	if (argv[*i][n] == '=') {
		*matched = true;
		return argv[*i] + n + 1;
	}
	if (argv[*i][n] != '\0')
		return NULL;
	*matched = true;
	if (*i + 1 >= argc)
		return NULL;
	return argv[++*i];
}

int main(int argc, char **argv)
{
	struct mw_context ctx = { .out = stdout };
	ctx.opt.top = 30;
	mw_warnings_init(&ctx.warnings);
	const char *pos[3];
	int npos = 0;
	bool help = false, only_positional = false;

	for (int i = 1; i < argc; i++) {
		char *a = argv[i];
		if (only_positional || a[0] != '-' || a[1] == '\0') {
			if (npos >= 3)
				return bad_usage("too many arguments: %s", a);
			pos[npos++] = a;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			only_positional = true;
			continue;
		}
		if (strcmp(a, "--json") == 0) {
			ctx.opt.json = true;
			continue;
		}
		if (strcmp(a, "--no-progress") == 0) {
			ctx.opt.no_progress = true;
			continue;
		}
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			help = true;
			continue;
		}
		if (strcmp(a, "-V") == 0 || strcmp(a, "--version") == 0) {
			printf("memwhere %s\n", PACKAGE_VERSION);
			return MW_EXIT_OK;
		}
		static const char *const valued[] = {
			"--vmlinux", "--btf", "--system-map", "--memcg", "--top",
		};
		bool matched = false;
		const char *val = NULL;
		size_t k;
		for (k = 0; k < sizeof(valued) / sizeof(valued[0]); k++) {
			val = option_value(argc, argv, &i, valued[k], &matched);
			if (matched)
				break;
		}
		if (!matched)
			return bad_usage("unknown option %s", a);
		if (!val || !*val)
			return bad_usage("%s needs a value", valued[k]);
		switch (k) {
		case 0: ctx.opt.vmlinux = val; break;
		case 1: ctx.opt.btf = val; break;
		case 2: ctx.opt.system_map = val; break;
		case 3: ctx.opt.memcg = val; break;
		case 4: {
			char *end;
			errno = 0;
			unsigned long n = strtoul(val, &end, 10);
			if (errno || *end || val[0] == '-')
				return bad_usage("--top needs a number, not %s", val);
			ctx.opt.top = n;
			ctx.opt.top_given = true;
			break;
		}
		}
	}

	/* [live] [COMMAND] [DUMP] */
	const struct mw_command *cmd = NULL;
	int p = 0;
	if (p < npos && strcmp(pos[p], "live") == 0) {
		ctx.live = true;
		p++;
	}
	if (p < npos && (cmd = find_command(pos[p])) != NULL)
		p++;
	if (help) {
		if (cmd)
			command_help(cmd);
		else
			usage(stdout);
		return MW_EXIT_OK;
	}
	if (!cmd)
		cmd = &commands[0];
	if (ctx.live) {
		if (p < npos)
			return bad_usage("live takes no dump file: %s", pos[p]);
		ctx.dump_path = "/proc/kcore";
	} else {
		if (p >= npos) {
			if (npos == 0) {
				usage(stderr);
				return MW_EXIT_FAIL;
			}
			return bad_usage("%s: which dump? (give a file, or `live`)",
					 cmd->name);
		}
		ctx.dump_path = pos[p++];
		if (p < npos)
			return bad_usage("unexpected argument %s", pos[p]);
	}

	struct mw_error *err = mw_reader_open(ctx.dump_path, &ctx.reader);
	if (err) {
		char *s = mw_error_string(err);
		fprintf(stderr, "memwhere: %s\n", s ? s : err->message);
		free(s);
		mw_error_destroy(err);
		mw_warnings_deinit(&ctx.warnings);
		return MW_EXIT_FAIL;
	}
	const struct mw_dump_info *dinfo = mw_reader_info(ctx.reader);
	if (dinfo->incomplete)
		mw_warn(&ctx.warnings,
			"%s: the dump is incomplete (cut short); %" PRIu64 " pages of its memory are not in it",
			ctx.dump_path, dinfo->excluded_pages);
	struct mw_kernel_options kopt = {
		.vmlinux = ctx.opt.vmlinux,
		.btf = ctx.opt.btf,
		.system_map = ctx.opt.system_map,
		.live = ctx.live,
	};
	ctx.kernel_error = mw_kernel_open(ctx.reader, ctx.dump_path, &kopt,
					  &ctx.warnings, &ctx.kernel);
	int rc = cmd->run(&ctx);
	mw_kernel_destroy(ctx.kernel);
	mw_error_destroy(ctx.kernel_error);
	if (rc == MW_EXIT_OK && mw_warnings_count(&ctx.warnings))
		rc = MW_EXIT_PARTIAL;
	mw_reader_destroy(ctx.reader);
	mw_warnings_deinit(&ctx.warnings);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "memwhere: error writing output: %s\n",
			strerror(errno));
		return MW_EXIT_FAIL;
	}
	return rc;
}
