#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/dump-open.h"
#include "cli/render-util.h"

enum { SHOWN_SPANS = 4 };

/* "0x2c00-0xffff, 0x10000-0x1ffff and 3 more spans" */
static void spans_text(const struct mw_dump_info *info, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < info->nr_missing && i < SHOWN_SPANS && used < len; i++) {
		int n = snprintf(buf + used, len - used, "%s%#" PRIx64 "-%#" PRIx64,
				 i ? ", " : "", info->missing[i].start,
				 info->missing[i].end - 1);
		if (n < 0)
			return;
		used += (size_t)n;
	}
	if (info->nr_missing > SHOWN_SPANS && used < len)
		snprintf(buf + used, len - used, " and %zu more spans",
			 info->nr_missing - SHOWN_SPANS);
}

struct mw_error *mw_cli_open_dump(const char *const *paths, size_t n,
				  struct mw_reader **ret)
{
	return mw_reader_open_set(paths, n, ret);
}

char *mw_dump_split_text(const char *path, const struct mw_dump_info *info)
{
	if (!info->split || !info->nr_missing)
		return NULL;
	char spans[256], size[32], *t = NULL;
	spans_text(info, spans, sizeof(spans));
	mw_human_bytes(info->missing_pages * info->page_size, size, sizeof(size));
	int n;
	if (info->nr_parts == 1)
		n = asprintf(&t, "%s is one part of a split dump (makedumpfile --split) holding pfns "
			     "%#" PRIx64 "-%#" PRIx64 "; pfns %s (%" PRIu64 " pages, %s of RAM) are in "
			     "other parts, so what they hold is missing here: give every part "
			     "(memwhere COMMAND PART1 PART2 ...)", path, info->parts[0].start_pfn,
			     info->parts[0].end_pfn - 1, spans, info->missing_pages, size);
	else
		n = asprintf(&t, "the %zu parts given of a split dump (makedumpfile --split) do not "
			     "hold pfns %s (%" PRIu64 " pages, %s of RAM): they are in a part not "
			     "given, so what they hold is missing here", info->nr_parts, spans,
			     info->missing_pages, size);
	return n < 0 ? NULL : t;
}

char *mw_live_hint(void)
{
	struct stat st;
	char *t = NULL;
	int n = -1;
	if (stat("/proc/kcore", &st) != 0 && errno == ENOENT) {
		n = asprintf(&t, "there is no /proc/kcore: the kernel was built without "
			     "CONFIG_PROC_KCORE, or this is a container whose /proc does not show "
			     "it; run memwhere live on the host (or in a privileged container "
			     "given the host's /proc)");
	} else if (stat("/proc/kcore", &st) == 0 && !S_ISREG(st.st_mode)) {
		n = asprintf(&t, "/proc/kcore is masked (not the kernel's file: container runtimes "
			     "such as Docker and Kubernetes bind /dev/null over it); run memwhere "
			     "live on the host, or in a privileged container without the mask");
	} else if (geteuid() != 0) {
		n = asprintf(&t, "reading /proc/kcore takes root (CAP_SYS_RAWIO): run "
			     "sudo memwhere live");
	} else {
		char mode[256] = "";
		FILE *f = fopen("/sys/kernel/security/lockdown", "re");
		if (f) {
			if (!fgets(mode, sizeof(mode), f))
				mode[0] = '\0';
			fclose(f);
		}
		if (strstr(mode, "[integrity]") || strstr(mode, "[confidentiality]"))
			n = asprintf(&t, "the kernel is locked down (/sys/kernel/security/lockdown: "
				     "%s mode, often from Secure Boot), which closes /proc/kcore even "
				     "to root; take a dump instead (kdump, or `echo c > "
				     "/proc/sysrq-trigger` with kdump set up) and run memwhere on it",
				     strstr(mode, "[integrity]") ? "integrity" : "confidentiality");
	}
	return n < 0 ? NULL : t;
}
