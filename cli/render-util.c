#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/summary.h"
#include "cli/render-util.h"
#include "common/json.h"

void mw_human_bytes(uint64_t b, char *buf, size_t len)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	double v = (double)b;
	size_t u = 0;
	while (v >= 1024.0 && u + 1 < sizeof(unit) / sizeof(unit[0])) {
		v /= 1024.0;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%" PRIu64 " B", b);
	else
		snprintf(buf, len, "%.1f %s", v, unit[u]);
}

bool mw_utf8_locale(void)
{
	const char *vars[] = { "LC_ALL", "LC_CTYPE", "LANG" };
	for (size_t i = 0; i < 3; i++) {
		const char *v = getenv(vars[i]);
		if (v && *v)
			return strcasestr(v, "utf-8") || strcasestr(v, "utf8");
	}
	return false;
}

void mw_bar(FILE *o, double fraction, int width, bool utf8, bool pad)
{
	static const char *const eighths[] = { "", "\u258f", "\u258e", "\u258d",
		"\u258c", "\u258b", "\u258a", "\u2589" };
	if (fraction < 0 || fraction != fraction)
		fraction = 0;
	if (fraction > 1)
		fraction = 1;
	int units = (int)(fraction * width * 8 + 0.5), cells = 0;
	if (!utf8) {
		for (; cells < (units + 4) / 8; cells++)
			fputc('#', o);
	} else {
		for (; cells < units / 8; cells++)
			fputs("\u2588", o);
		if (units % 8) {
			fputs(eighths[units % 8], o);
			cells++;
		}
	}
	for (; pad && cells < width; cells++)
		fputc(' ', o);
}

void mw_json_finding_fields(struct mw_json *j, const struct mw_finding *f)
{
	mw_json_kv_string(j, "id", f->id);
	mw_json_kv_string(j, "severity", mw_severity_name(f->severity));
	mw_json_kv_string(j, "title", f->title);
	mw_json_kv_uint(j, "bytes", f->bytes);
	mw_json_kv_string(j, "evidence", f->evidence);
	mw_json_kv_string(j, "advice", f->advice);
}
