/* memwhere: where did the memory go? */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/escape.h"
#include "cli/export.h"
#include "cli/log.h"
#include "cli/dump-open.h"
#include "cli/render-util.h"
#include "cli/slab.h"
#include "cli/vmalloc.h"
#include "cli/bpf.h"
#include "cli/pools.h"
#include "cli/tasks.h"
#include "analyzer/debuginfod.h"
#include "formats/decompress.h"

/* diff takes two files and runs before any dump is opened (main) */
static int mw_cmd_diff_misplaced(struct mw_context *ctx)
{
	(void)ctx;
	fputs("memwhere: diff compares two files: memwhere diff OLD NEW\n", stderr);
	return MW_EXIT_FAIL;
}

static const struct mw_command commands[] = {
	{ "report", "one screen: what happened, findings, where RAM went (default)",
	  "Runs every analysis that applies (one page scan) and prints the answer on\n"
	  "one screen: the kernel and the dump in two lines, what happened (the panic\n"
	  "and the OOM report in the kernel's log), the findings ranked by severity\n"
	  "and size (as many in full as fit, each with the command that shows more),\n"
	  "and where RAM went by category. Findings are wrapped to the terminal's\n"
	  "width (80 columns when not a terminal). --full prints every section\n"
	  "instead: the dump, what happened, the summary, memory cgroups, processes,\n"
	  "files, sockets, the pools that hold something (hugetlb, zram, zswap, CMA)\n"
	  "and every finding in full. --json gives every section either way;\n"
	  "--html FILE also writes a page to share, --folded prints folded stacks\n"
	  "for flame graphs instead.\n",
	  .run = mw_cmd_report },
	{ "info", "the dump: format, compression, memory ranges, kernel, VMCOREINFO",
	  "Describes the dump file: its format and compression, the physical\n"
	  "memory ranges it covers, pages it left out, the CPU count, and the\n"
	  "kernel's VMCOREINFO (release, KASLR offset, phys_base, ...). The\n"
	  "machine and the kernel's page size come from VMCOREINFO when the\n"
	  "header names no machine (QEMU's arm64 kdump: \"Unknown\"); a kdump\n"
	  "file's block size (64 KiB there) is shown apart.\n",
	  .run = mw_cmd_info },
	{ "summary", "where RAM went: every page in one category, then findings",
	  "Walks every struct page of the dump once and puts each page in one\n"
	  "category (free, anon, file, shmem, slab, kernel stacks, page tables,\n"
	  "vmalloc, percpu, hugetlb, reserved, offline, zram/zswap pool: zsmalloc\n"
	  "and z3fold, unaccounted, ...), so the categories add up to all RAM;\n"
	  "then reserved broken down by purpose (crash kernel, struct page array,\n"
	  "kernel image, holes, not identified), the balloon drivers holding\n"
	  "offline pages, and the findings worth a look.\n",
	  .results = MW_RESULT_SUMMARY | MW_RESULT_FINDINGS,
	  .no_kernel = "cannot walk the pages", .render = &mw_summary_renderer },
	{ "pages", "the page scan in pages, next to the kernel's own counters",
	  "The summary's categories in pages, free blocks per order, compound,\n"
	  "THP and hugetlb counts, per node and zone, per memory cgroup, and the\n"
	  "kernel's vmstat counters (per-CPU deltas folded in) next to the scan's\n"
	  "numbers, flagging differences over 1%.\n",
	  .results = MW_RESULT_SUMMARY,
	  .no_kernel = "cannot walk the pages", .render = &mw_pages_renderer },
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
	  .results = MW_RESULT_FILES | MW_RESULT_FINDINGS,
	  .no_kernel = "cannot list the page cache by file", .render = &mw_files_renderer },
	{ "memcg", "the memory cgroup tree, dying cgroups and what still holds them",
	  "Walks the memory cgroups from root_mem_cgroup (cgroup v2, or the v1\n"
	  "memory hierarchy), online and dying ones: usage from the page counter\n"
	  "(memory.current), limits, and memory.stat's counters with the changes\n"
	  "the kernel had not flushed folded in; the bytes the page scan found\n"
	  "charged to each; and for each dying cgroup what still holds it (page\n"
	  "cache by file, child cgroups, writeback, other references).\n"
	  "--memcg PATH shows one subtree, --top N the N largest.\n",
	  .results = MW_RESULT_MEMCG | MW_RESULT_FINDINGS,
	  .no_kernel = "cannot read memory cgroups", .render = &mw_memcg_renderer },
	{ "sockets", "socket queues, their skbs and the pages they pin, per process",
	  "Finds every socket through every process's fd table and through the\n"
	  "protocol tables (TCP established, listening, time-wait; UDP; unix;\n"
	  "packet), walks its receive and send queues skb by skb, and adds up\n"
	  "what they keep alive: sk_buff objects, head buffers and the whole\n"
	  "compound pages behind their frags, each page counted once. Ranked by\n"
	  "pinned bytes, with a finding per process holding unread data, and the\n"
	  "memory cgroup each socket is charged to. --memcg PATH keeps the sockets\n"
	  "charged to that cgroup and below.\n",
	  .results = MW_RESULT_SOCKETS | MW_RESULT_FINDINGS,
	  .no_kernel = "cannot read sockets", .render = &mw_sockets_renderer },
	{ "log", "the kernel's log (printk ring buffer), like dmesg",
	  "Reads the kernel's printk ring buffer out of the dump and prints its\n"
	  "records as the console does, \"[seconds.micros] text\", every line of a\n"
	  "multi-line record with the prefix; continuation records as the kernel\n"
	  "stored them. --level LEVEL (emerg, alert, crit, err, warn, notice, info,\n"
	  "debug, or 0-7) keeps the records at that level or more severe. --json\n"
	  "gives the records {seq, ts_nsec, level, facility, caller, cont, text}\n"
	  "and the counts of records not shown (overwritten, unfinished, lost).\n"
	  "A corrupt ring gives the sound records and one warning (exit 1).\n",
	  .run = mw_cmd_log },
	{ "slab", "slab caches: objects, slabs and bytes per cache, as /proc/slabinfo counts",
	  "Walks every kmem_cache on the slab_caches list and counts it the way\n"
	  "the kernel's /proc/slabinfo does (SLUB): slabs and objects per node from\n"
	  "kmem_cache_node, free objects over the node partial lists, slabs held by\n"
	  "CPUs as in use. Each cache's object size (asked and with metadata),\n"
	  "objects active and total, slabs, pages and objects per slab, bytes, and\n"
	  "whether it is reclaimable or accounted to memory cgroups; ranked by bytes,\n"
	  "with a finding for a cache out of proportion. --top N the N largest.\n"
	  "The names SLUB merged into a cache (its aliases: links in\n"
	  "/sys/kernel/slab, read from the dump) follow the table.\n"
	  "--memcg PATH: which memory cgroup's objects? Scans every slab page's\n"
	  "obj_cgroup vector (one entry per object) and lists, per cache, the\n"
	  "objects and bytes charged to each memcg of PATH's subtree (--memcg /:\n"
	  "all), ranked by those bytes; bytes as the kernel charges them (SIZE plus\n"
	  "one pointer). Reads all of the struct page array, so it takes as long as\n"
	  "summary. JSON: memcg {path, objects, bytes} and per cache memcgs [].\n",
	  .results = MW_RESULT_SLAB | MW_RESULT_FINDINGS,
	  .no_kernel = "cannot read slab caches", .render = &mw_slab_renderer },
	{ "vmalloc", "vmalloc areas by caller: vmalloc, vmap, ioremap, percpu chunks",
	  "Walks every vmap_area (vmap_area_list, or the per-node busy lists since\n"
	  "6.9): address range, pages, kind (vmalloc, vmap, ioremap, user map,\n"
	  "percpu chunk, vm_map_ram) and the allocating caller as symbol+offset;\n"
	  "then the same grouped by caller, ranked by bytes. The total is what\n"
	  "VmallocUsed shows. Then the per-CPU allocator's chunks (populated\n"
	  "pages, adding up to Percpu) and the loaded modules with their memory.\n"
	  "--top N the N largest callers and areas.\n",
	  .results = MW_RESULT_VMALLOC,
	  .no_kernel = "cannot read vmalloc areas", .render = &mw_vmalloc_renderer },
	{ "bpf", "BPF maps and programs: type, name, sizes, the memory each holds",
	  "Walks map_idr and prog_idr: every BPF map with its id, type, name, key\n"
	  "and value size, max_entries, flags, the memory cgroup charged for it,\n"
	  "and the memory the kernel accounts to it as /proc/PID/fdinfo shows it\n"
	  "(memlock): since 6.4 the type's own usage, computed from the map's\n"
	  "structures for the array, hash and ring buffer types (others: an\n"
	  "estimate, marked ~); before, the kernel's footprint formula or the\n"
	  "pages charged at creation. Every program with its id, type, name, the\n"
	  "pages of struct bpf_prog (memlock) and its JIT image. Ranked by bytes;\n"
	  "--top N the N largest of each. A finding when BPF holds 5% of RAM or\n"
	  "more.\n",
	  .results = MW_RESULT_BPF | MW_RESULT_FINDINGS,
	  .no_kernel = "cannot read BPF maps and programs", .render = &mw_bpf_renderer },
	{ "pools", "hugetlb pools and who holds them, zram, zswap, zsmalloc, CMA areas",
	  "Reads the kernel's own pool structures (no page scan). hugetlb: every\n"
	  "huge page size (hstates) with its total, free, reserved and surplus\n"
	  "pages, per node, as /sys/kernel/mm/hugepages shows them (gigantic: beyond\n"
	  "the buddy allocator's orders); then who holds the pools: every hugetlbfs\n"
	  "inode by path with the bytes of huge pages it holds: files on mounted\n"
	  "hugetlbfs, SysV shared memory made with SHM_HUGETLB (SYSV<key>),\n"
	  "anonymous MAP_HUGETLB mappings (anon_hugepage), memfd MFD_HUGETLB files;\n"
	  "the pool's pages of private mappings (in no page cache); every process\n"
	  "mapping hugetlb pages with its HugetlbPages (mm->hugetlb_usage).\n"
	  "zsmalloc: its pages (nr_zspages: zram's and zswap's compressed data); the\n"
	  "zram devices with their disk size, mm_stat (original and compressed data,\n"
	  "memory used, limit, max, same, compacted, huge pages) and algorithm, read\n"
	  "with the zram module's BTF the kernel keeps (btf_modules); zswap's pool\n"
	  "and stored pages (Zswap, Zswapped). CMA: every area with its base, size\n"
	  "and pages in use. DMA-BUF and DRM memory: not supported. Findings: a\n"
	  "pool of 2% of RAM or more mostly idle (free and not reserved); a zram\n"
	  "device of 8 MiB or more compressed to above 75%. --top N the N largest\n"
	  "holders.\n",
	  .results = MW_RESULT_POOLS | MW_RESULT_FINDINGS,
	  .no_kernel = "cannot read the memory pools", .render = &mw_pools_renderer },
	{ "diff", "what grew and shrank between two dumps or saved --json reports",
	  "memwhere diff OLD NEW compares two dumps of one machine, or two saved\n"
	  "`memwhere --json report` documents (either side may be either: a file\n"
	  "whose first byte is '{' is read as JSON; a dump is analysed as report\n"
	  "does, with slab caches and processes too). Per category of RAM, memory\n"
	  "cgroup (usage), file (cached bytes), process (RSS), slab cache, socket\n"
	  "owner (pinned bytes) and dying memory cgroups: old, new and the change,\n"
	  "ranked by growth (grown first, then shrunk; --top N of each, default\n"
	  "10). A finding names the owner that explains more than half of the\n"
	  "growth of RAM in use (the deepest such memory cgroup). A saved report\n"
	  "lists what it was written with (--top), and has no slab or tasks: a\n"
	  "section not in both is shown as not compared.\n",
	  .run = mw_cmd_diff_misplaced },
	{ "tasks", "processes and kernel threads by RSS: anon, file, shmem, swap, page tables",
	  "Walks the task list (init_task.tasks): every process and kernel thread\n"
	  "with its parent, state, uid, threads, oom_score_adj, memory cgroup, and\n"
	  "from its mm the RSS counters (anon, file, shmem; per-CPU deltas folded\n"
	  "in), swap entries, page-table bytes, total VM and the command line when\n"
	  "its pages are in the dump. Ranked by RSS. --memcg PATH keeps the tasks\n"
	  "of that cgroup and below, --top N the N largest.\n",
	  .results = MW_RESULT_TASKS,
	  .no_kernel = "cannot read tasks", .render = &mw_tasks_renderer },
};
enum { NR_COMMANDS = sizeof(commands) / sizeof(commands[0]) };

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: memwhere [OPTIONS] DUMP                same as `memwhere report DUMP`\n"
		"       memwhere [OPTIONS] COMMAND DUMP\n"
		"       memwhere [OPTIONS] COMMAND PART1 PART2 ... every part of a split dump\n"
		"       memwhere [OPTIONS] live [COMMAND]      the running kernel through /proc/kcore\n"
		"       memwhere [OPTIONS] diff OLD NEW        what grew and shrank between two\n"
		"                                              dumps or saved --json reports\n"
		"       memwhere help [COMMAND]                this help, or one command's\n"
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
		"  --no-dump-btf       types from debug files, not the BTF inside the dump\n"
		"  --force-types       use --btf, --vmlinux or --system-map even when they do not\n"
		"                      match the dump (a warning says why; figures may be wrong)\n"
		"  --top N             rows in ranked lists (default 30; 0 = all)\n"
		"  --memcg PATH        restrict files, sockets, tasks, memcg and slab (objects\n"
		"                      by memcg) to one cgroup subtree\n"
		"                      (a path, a unique cgroup name, or a container ID prefix)\n"
		"  --level LEVEL       (log) records at LEVEL (emerg..debug, 0-7) or more severe\n"
		"  --html FILE         (report) also write the report as one self-contained\n"
		"                      HTML page: treemap of RAM, findings, sortable tables\n"
		"  --folded            (report) print RAM as folded stacks (category;memcg;\n"
		"                      file or socket owner BYTES) for flamegraph.pl, speedscope\n"
		"  --full              (report) every section in full, not the one-screen answer\n"
		"  --no-timing         no timings or thread count in the output, so two runs\n"
		"                      on one dump give byte-identical output\n"
		"  --threads N         threads of the page scan and its decompression\n"
		"                      (default: one per online CPU, at most 8; 1 to 64)\n"
		"  --no-progress       no progress bar\n"
		"  -h, --help          this help (`memwhere help COMMAND` or\n"
		"                      `memwhere COMMAND --help` for one command)\n"
		"  -V, --version       print the version\n"
		"\nExit status: 0 done; 1 done, but parts could not be analysed (see the\n"
		"warnings); 2 bad usage (an unknown option or command, also in `help\n"
		"COMMAND' and `COMMAND --help'), or an unreadable or corrupt dump.\n"
		"\nSee memwhere(1).\n");
}

static void command_help(const struct mw_command *cmd)
{
	if (!strcmp(cmd->name, "diff")) {
		printf("Usage: memwhere [OPTIONS] diff OLD NEW\n\n%s - %s\n\n%s"
		       "\nOptions: --json, --top N, --vmlinux FILE, --btf FILE, --system-map FILE,\n"
		       "--no-dump-btf, --no-timing, --no-progress (see `memwhere --help`).\n", cmd->name, cmd->summary, cmd->help);
		return;
	}
	printf("Usage: memwhere [OPTIONS] %s DUMP\n"
	       "       memwhere [OPTIONS] %s PART1 PART2 ...   every part of a split dump\n"
	       "       memwhere [OPTIONS] live %s\n\n%s - %s\n\n%s"
	       "\nOptions: --json, --vmlinux FILE, --btf FILE, --system-map FILE, --no-dump-btf,\n"
	       "--top N, --memcg PATH, --threads N, --no-timing, --no-progress%s\n(see `memwhere --help`).\n",
	       cmd->name, cmd->name, cmd->name, cmd->name, cmd->summary, cmd->help,
	       !strcmp(cmd->name, "report") ? ",\n--full, --html FILE, --folded" :
	       !strcmp(cmd->name, "log") ? ", --level LEVEL" : "");
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


/* The options, any position (getopt_long permutes argv): 0 or 1 to go on,
 * else the exit status. help is set by -h/--help. */
static int parse_options(int argc, char **argv, struct mw_options *opt, bool *help)
{
	enum { OPT_JSON = 256, OPT_NO_PROGRESS, OPT_VMLINUX, OPT_BTF, OPT_SYSTEM_MAP,
	       OPT_MEMCG, OPT_TOP, OPT_LEVEL, OPT_HTML, OPT_FOLDED, OPT_NO_DUMP_BTF, OPT_FULL,
	       OPT_NO_TIMING, OPT_FORCE_TYPES, OPT_THREADS };
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		{ "no-progress", no_argument, NULL, OPT_NO_PROGRESS },
		{ "vmlinux", required_argument, NULL, OPT_VMLINUX },
		{ "btf", required_argument, NULL, OPT_BTF },
		{ "system-map", required_argument, NULL, OPT_SYSTEM_MAP },
		{ "memcg", required_argument, NULL, OPT_MEMCG },
		{ "top", required_argument, NULL, OPT_TOP },
		{ "level", required_argument, NULL, OPT_LEVEL },
		{ "html", required_argument, NULL, OPT_HTML },
		{ "folded", no_argument, NULL, OPT_FOLDED },
		{ "no-dump-btf", no_argument, NULL, OPT_NO_DUMP_BTF },
		{ "full", no_argument, NULL, OPT_FULL },
		{ "no-timing", no_argument, NULL, OPT_NO_TIMING },
		{ "force-types", no_argument, NULL, OPT_FORCE_TYPES },
		{ "threads", required_argument, NULL, OPT_THREADS },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c, li;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hV", longopts, &li)) != -1) {
		const char *name = optopt >= OPT_JSON ? longopts[optopt - OPT_JSON].name : NULL;
		if (c != '?' && c != ':' && c >= OPT_VMLINUX && c < OPT_FOLDED && !*optarg)
			return bad_usage("--%s needs a value", longopts[c - OPT_JSON].name);
		switch (c) {
		case OPT_JSON: opt->json = true; break;
		case OPT_NO_PROGRESS: opt->no_progress = true; break;
		case OPT_VMLINUX: opt->vmlinux = optarg; break;
		case OPT_BTF: opt->btf = optarg; break;
		case OPT_SYSTEM_MAP: opt->system_map = optarg; break;
		case OPT_MEMCG: opt->memcg = optarg; break;
		case OPT_LEVEL: opt->level = optarg; break;
		case OPT_HTML: opt->html = optarg; break;
		case OPT_FOLDED: opt->folded = true; break;
		case OPT_NO_DUMP_BTF: opt->no_dump_btf = true; break;
		case OPT_FULL: opt->full = true; break;
		case OPT_NO_TIMING: opt->no_timing = true; break;
		case OPT_FORCE_TYPES: opt->force_types = true; break;
		case OPT_TOP: {
			char *end;
			errno = 0;
			unsigned long n = strtoul(optarg, &end, 10);
			if (errno || *end || optarg[0] == '-')
				return bad_usage("--top needs a number, not %s", optarg);
			opt->top = n;
			opt->top_given = true;
			break;
		}
		case OPT_THREADS: {
			char *end;
			errno = 0;
			unsigned long n = strtoul(optarg, &end, 10);
			if (errno || *end || optarg[0] == '-' || !optarg[0] || n == 0 ||
			    n > MW_PAGESCAN_MAX_THREADS)
				return bad_usage("--threads needs a number from 1 to %d, not %s",
						 MW_PAGESCAN_MAX_THREADS, optarg);
			opt->threads = (unsigned)n;
			break;
		}
		case 'h': *help = true; break;
		case 'V':
			printf("memwhere %s\ndebuginfod: %s\n", PACKAGE_VERSION,
			       mw_debuginfod_built() ? "yes (a vmlinux by build ID when DEBUGINFOD_URLS is set)" :
			       "no (built without libdebuginfod)");
			printf("zlib pages: %s\n", mw_inflate_backend_name(mw_inflate_default()));
			return MW_EXIT_OK;
		case ':':
			if (name)
				return bad_usage("--%s needs a value", name);
			return bad_usage("%s needs a value", argv[optind - 1]);
		default:
			return bad_usage("unknown option %s", argv[optind - 1]);
		}
	}
	return -1;
}

/* `help [COMMAND]`, `[COMMAND] --help`: exit 0, or 2 for no such command. */
static int help(const char *name)
{
	const struct mw_command *cmd = NULL;
	if (name && strcmp(name, "live") != 0 && !(cmd = find_command(name)))
		return bad_usage("unknown command '%s'", name);
	if (cmd)
		command_help(cmd);
	else
		usage(stdout);
	return MW_EXIT_OK;
}

/* [live] [COMMAND] [DUMP] into ctx; 0 or 1 to go on, else the exit status. */
static int parse_positional(int npos, char **pos, struct mw_context *ctx,
			    const struct mw_command **ret, int *first_dump)
{
	const struct mw_command *cmd = NULL;
	int p = 0;
	if (p < npos && strcmp(pos[p], "live") == 0) {
		ctx->live = true;
		p++;
	}
	/* a word before the dump, or after live, must be a command (a file
	 * there is a dump given too early) */
	if (p < npos && (ctx->live || npos - p > 1) && !(cmd = find_command(pos[p])) &&
	    (ctx->live || (!strchr(pos[p], '/') && access(pos[p], F_OK) != 0)))
		return bad_usage("unknown command '%s'", pos[p]);
	if (cmd)
		p++;
	if (!cmd && p < npos && (cmd = find_command(pos[p])))
		p++;
	if (!cmd)
		cmd = &commands[0];
	*ret = cmd;
	if (ctx->live) {
		if (p < npos)
			return bad_usage("live takes no dump file: %s", pos[p]);
		ctx->dump_path = "/proc/kcore";
		return -1;
	}
	if (p >= npos) {
		if (npos == 0) {
			usage(stderr);
			return MW_EXIT_FAIL;
		}
		return bad_usage("%s: which dump? (give a file, or `live`)", cmd->name);
	}
	/* DUMP, or every part of a makedumpfile --split set */
	*first_dump = p;
	ctx->dump_path = pos[p];
	return -1;
}

int main(int argc, char **argv)
{
	struct mw_context ctx = { .out = stdout };
	ctx.opt.top = 30;
	bool want_help = false;
	int rc = parse_options(argc, argv, &ctx.opt, &want_help);
	if (rc >= 0)
		return rc;
	int npos = argc - optind;
	char **pos = argv + optind;
	if (npos > 0 && strcmp(pos[0], "help") == 0) {
		if (npos > 2)
			return bad_usage("too many arguments: %s", pos[2]);
		return help(npos > 1 ? pos[1] : NULL);
	}
	if (npos > 0 && strcmp(pos[0], "diff") == 0 && !want_help) {
		if (npos != 3)
			return bad_usage("diff needs two files: OLD NEW (dumps or saved --json reports)");
		return mw_cmd_diff(&ctx.opt, npos - 1, pos + 1);
	}
	if (want_help)
		return help(npos > 0 ? pos[npos > 1 && !strcmp(pos[0], "live") ? 1 : 0] : NULL);
	const struct mw_command *cmd = NULL;
	int first = 0;
	if ((rc = parse_positional(npos, pos, &ctx, &cmd, &first)) >= 0)
		return rc;
	if ((ctx.opt.html || ctx.opt.folded) && strcmp(cmd->name, "report") != 0)
		return bad_usage("--%s applies to report only", ctx.opt.html ? "html" : "folded");
	mw_warnings_init(&ctx.warnings);

	struct mw_error *err = mw_cli_open_dump(ctx.live ? &ctx.dump_path :
						(const char *const *)pos + first,
						ctx.live ? 1 : (size_t)(npos - first), &ctx.reader);
	if (err) {
		char *s = mw_error_string(err);
		char *hint = ctx.live ? mw_live_hint() : NULL;
		fprintf(stderr, "memwhere: %s%s%s\n", s ? s : err->message, hint ? ": " : "",
			hint ? hint : "");
		free(hint);
		free(s);
		mw_error_destroy(err);
		mw_warnings_deinit(&ctx.warnings);
		return MW_EXIT_FAIL;
	}
	const struct mw_dump_info *dinfo = mw_reader_info(ctx.reader);
	if (dinfo->incomplete) {
		char *cut = mw_dump_cut_text(ctx.dump_path, dinfo);
		mw_warn(&ctx.warnings, "%s", cut ? cut : "the dump is cut short");
		free(cut);
	}
	struct mw_kernel_options kopt = {
		.vmlinux = ctx.opt.vmlinux,
		.btf = ctx.opt.btf,
		.system_map = ctx.opt.system_map,
		.live = ctx.live,
		.no_dump_btf = ctx.opt.no_dump_btf,
		.debug_root = getenv("MEMWHERE_DEBUG_ROOT"),
		.force_types = ctx.opt.force_types,
	};
	ctx.kernel_error = mw_kernel_open(ctx.reader, ctx.dump_path, &kopt,
					  &ctx.warnings, &ctx.kernel);
	/* text: names from the dump must not drive the terminal (cli/escape.h) */
	FILE *escaped = ctx.opt.json ? NULL : mw_escaping_stream(stdout);
	if (escaped)
		ctx.out = escaped;
	rc = cmd->run ? cmd->run(&ctx) : mw_run_command(&ctx, cmd);
	if (escaped && fclose(escaped) != 0)
		rc = MW_EXIT_FAIL;
	ctx.out = stdout;
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
