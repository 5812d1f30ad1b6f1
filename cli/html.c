/* memwhere report --html FILE: one self-contained page (no network, no
 * external script or font): the incident when the analysis has one, a
 * treemap of all RAM (cli/doc.h's attribution tree, drawn in SVG as a
 * squarified treemap, cli/treemap.h, so the leaves' areas add up to the
 * whole map as the bytes add up to RAM), the findings, and a sortable table per section. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/export.h"
#include "cli/treemap.h"
#include "common/format.h"

enum {
	MAP_W = 1200,
	MAP_H = 600,
	MAP_DEPTH = 4,		/* levels drawn: category, memcg, file/owner */
	TABLE_COLUMNS = 12,	/* scalar columns per table */
	LABEL_MIN_W = 60,	/* px: rectangles narrower get no label */
	LABEL_MIN_H = 14,
};

/* Text into HTML: markup characters as entities; control bytes as U+FFFD
 * (names come from the dump). */
static void esc(FILE *o, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		switch (c) {
		case '&': fputs("&amp;", o); break;
		case '<': fputs("&lt;", o); break;
		case '>': fputs("&gt;", o); break;
		case '"': fputs("&quot;", o); break;
		case '\'': fputs("&#39;", o); break;
		default:
			if (c < 0x20 && c != '\n' && c != '\t')
				fputs("&#xfffd;", o);
			else
				fputc(c, o);
		}
	}
}

static const char *const palette[] = {
	"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948",
	"#b07aa1", "#ff9da7", "#9c755f", "#bab0ac", "#86bcb6", "#d37295",
	"#8cd17d", "#b6992d", "#499894", "#79706e",
};

static void rect(FILE *o, const struct mw_attr *a, const char *path, double x, double y,
		 double w, double h, int depth, const char *color, bool leaf)
{
	char b[MW_BYTES_LEN];
	fprintf(o, "<rect class=\"%s\" data-depth=\"%d\" data-bytes=\"%" PRIu64
		"\" data-kind=\"%s\" x=\"%.4f\" y=\"%.4f\" width=\"%.4f\" height=\"%.4f\""
		" fill=\"%s\" fill-opacity=\"%.2f\" stroke=\"#fff\" stroke-width=\"%s\">"
		"<title>", leaf ? "leaf" : "node", depth, a->bytes, a->kind, x, y, w, h, color,
		leaf ? 0.55 + 0.15 * (depth % 3) : 0.0, leaf ? "0.5" : "1.5");
	esc(o, path);
	fprintf(o, ": %s</title></rect>\n", mw_bytes(a->bytes, MW_BYTES_EXACT, b));
}

/* drawn after a node's children, so that they do not cover it */
static void label(FILE *o, const struct mw_attr *a, double x, double y, double w, double h,
		  int depth, bool leaf)
{
	char b[MW_BYTES_LEN];
	if (w >= LABEL_MIN_W && h >= LABEL_MIN_H * depth && (leaf || depth == 1)) {
		/* a category's label on top, its children's below it */
		fprintf(o, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" pointer-events=\"none\">",
			x + 3, y + 12.0 * depth);
		/* name and size within the rectangle: the name's end (a path's
		 * says most), else the size alone */
		const char *size = mw_bytes(a->bytes, MW_BYTES_ROUNDED, b);
		int chars = (int)((w - 6) / 6.5) - (int)strlen(size) - 1;
		size_t n = strlen(a->name);
		const char *s = a->name;
		if (depth == 1 && chars < (int)n) {	/* a category: its name first */
			chars += (int)strlen(size) + 1;
			size = "";
		}
		if (chars < 4) {
			s = "";
		} else if (n > (size_t)chars) {
			s = a->name + n - (size_t)(chars - 1);
			fputs("\u2026", o);
		}
		esc(o, s);
		fprintf(o, "%s%s</text>\n", *s && *size ? " " : "", size);
	}
}

/* squarified (cli/treemap.c): a node's children tile its rectangle in
 * rows kept near square, so that small owners stay visible */
static void layout(FILE *o, const struct mw_attr *a, const char *path, double x, double y,
		   double w, double h, int depth, const char *color)
{
	bool leaf = !a->n || depth == MAP_DEPTH;
	if (depth > 0)
		rect(o, a, path, x, y, w, h, depth, color, leaf);
	uint64_t *vals = NULL;
	struct mw_tm_rect *r = NULL;
	if (!leaf && a->bytes) {
		vals = malloc(a->n * sizeof(*vals));
		r = malloc(a->n * sizeof(*r));
	}
	if (!vals || !r) {	/* a leaf (or no memory: drawn as one) */
		free(vals);
		free(r);
		if (depth > 0)
			label(o, a, x, y, w, h, depth, leaf);
		return;
	}
	for (size_t i = 0; i < a->n; i++)
		vals[i] = a->v[i].bytes;
	mw_treemap_squarify(vals, a->n, x, y, w, h, r);
	for (size_t i = 0; i < a->n; i++) {
		const struct mw_attr *c = &a->v[i];
		char sub[4096];
		snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? " > " : "", c->name);
		const char *col = depth == 0 ? palette[i % (sizeof(palette) / sizeof(palette[0]))]
					     : color;
		layout(o, c, sub, r[i].x, r[i].y, r[i].w, r[i].h, depth + 1, col);
	}
	free(vals);
	free(r);
	if (depth > 0)
		label(o, a, x, y, w, h, depth, leaf);
}

static bool scalar(const struct mw_jv *v)
{
	return v->type != MW_JV_ARRAY && v->type != MW_JV_OBJECT;
}

static void cell(FILE *o, const struct mw_jv *v)
{
	char b[MW_BYTES_LEN];
	switch (v->type) {
	case MW_JV_NULL: fputs("<td></td>", o); break;
	case MW_JV_BOOL: fprintf(o, "<td>%s</td>", v->b ? "yes" : "no"); break;
	case MW_JV_NUMBER:
		if (v->is_uint)
			fprintf(o, "<td class=\"n\" data-v=\"%" PRIu64 "\">%s</td>", v->u,
				v->key && strstr(v->key, "bytes") ? mw_bytes(v->u, MW_BYTES_EXACT, b)
								  : (snprintf(b, sizeof(b), "%" PRIu64, v->u), b));
		else
			fprintf(o, "<td class=\"n\" data-v=\"%g\">%g</td>", v->num, v->num);
		break;
	default:
		fputs("<td>", o);
		esc(o, v->s);
		fputs("</td>", o);
	}
}

/* An array of objects as a table of their scalar members. */
static void table(FILE *o, const char *id, const char *title, const struct mw_jv *list)
{
	if (!list || list->type != MW_JV_ARRAY)
		return;
	static const struct mw_jv empty = { .type = MW_JV_OBJECT };
	const struct mw_jv *first = list->n ? &list->v[0] : &empty;
	const char *cols[TABLE_COLUMNS];
	int nc = 0;
	for (size_t i = 0; first->type == MW_JV_OBJECT && i < first->n && nc < TABLE_COLUMNS; i++)
		if (scalar(&first->v[i]) && strcmp(first->v[i].key, "address") != 0)
			cols[nc++] = first->v[i].key;
	fprintf(o, "<h2 id=\"%s\">", id);
	esc(o, title);
	fprintf(o, " <small>(%zu rows)</small></h2>\n<table class=\"sortable\"><thead><tr>",
		list->n);
	for (int c = 0; c < nc; c++) {
		fputs("<th>", o);
		esc(o, cols[c]);
		fputs("</th>", o);
	}
	fputs("</tr></thead><tbody>\n", o);
	for (size_t r = 0; r < list->n; r++) {
		fputs("<tr>", o);
		for (int c = 0; c < nc; c++) {
			const struct mw_jv *v = mw_jv_get(&list->v[r], cols[c]);
			if (v && scalar(v))
				cell(o, v);
			else
				fputs("<td></td>", o);
		}
		fputs("</tr>\n", o);
	}
	fputs("</tbody></table>\n", o);
}

/* An object's members as a two-column table (name, value) */
static void members_table(FILE *o, const char *id, const char *title, const struct mw_jv *obj)
{
	if (!mw_jv_count(obj))
		return;
	fprintf(o, "<h2 id=\"%s\">", id);
	esc(o, title);
	fputs("</h2>\n<table class=\"sortable\"><thead><tr><th>name</th><th>bytes</th></tr>"
	      "</thead><tbody>\n", o);
	for (size_t i = 0; i < obj->n; i++) {
		if (!scalar(&obj->v[i]))
			continue;
		fputs("<tr><td>", o);
		esc(o, obj->v[i].key);
		fputs("</td>", o);
		cell(o, &obj->v[i]);
		fputs("</tr>\n", o);
	}
	fputs("</tbody></table>\n", o);
}

static void finding(FILE *o, const struct mw_jv *f)
{
	char b[MW_BYTES_LEN];
	fprintf(o, "<div class=\"finding %s\" data-id=\"",
		mw_jv_str(mw_jv_get(f, "severity"), "info"));
	esc(o, mw_jv_str(mw_jv_get(f, "id"), ""));
	fputs("\"><b>", o);
	esc(o, mw_jv_str(mw_jv_get(f, "title"), ""));
	fprintf(o, "</b> <small>%s</small><p>",
		mw_bytes(mw_jv_uint(mw_jv_get(f, "bytes"), 0), MW_BYTES_EXACT, b));
	esc(o, mw_jv_str(mw_jv_get(f, "evidence"), ""));
	fputs("</p><p class=\"advice\">", o);
	esc(o, mw_jv_str(mw_jv_get(f, "advice"), ""));
	fputs("</p></div>\n", o);
}

static const char style[] =
	"body{font:14px system-ui,sans-serif;margin:1.5em;color:#222}"
	"h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em}"
	"table{border-collapse:collapse;font-size:12px}"
	"th,td{border:1px solid #ddd;padding:2px 6px;text-align:left;white-space:nowrap}"
	"th{background:#f3f3f3;cursor:pointer}td.n{text-align:right}"
	".finding{border-left:4px solid #888;padding:4px 10px;margin:8px 0;background:#fafafa}"
	".finding.warning{border-color:#e15759}.finding.critical{border-color:#900}"
	".advice{color:#555}#map rect.leaf:hover{fill-opacity:1}"
	"#incident{border:2px solid #e15759;padding:6px 12px}#incident.calm{border-color:#ccc}"
	"#map{max-width:100%;height:auto}";

/* sort a table on a header click: numbers by data-v, text otherwise */
static const char script[] =
	"document.querySelectorAll('table.sortable th').forEach(function(th){"
	"th.addEventListener('click',function(){"
	"var t=th.closest('table'),b=t.tBodies[0],i=Array.prototype.indexOf.call(th.parentNode.children,th);"
	"var d=th.dataset.dir==='d'?'a':'d';th.dataset.dir=d;"
	"var rows=Array.prototype.slice.call(b.rows);rows.sort(function(x,y){"
	"var p=x.cells[i],q=y.cells[i],a=p.dataset.v,c=q.dataset.v,r;"
	"if(a!==undefined&&c!==undefined)r=parseFloat(a)-parseFloat(c);"
	"else r=p.textContent.localeCompare(q.textContent);return d==='d'?-r:r;});"
	"rows.forEach(function(r){b.appendChild(r);});});});"
	/* zoom: a click shows the clicked category alone; another click, all */
	"(function(){var m=document.getElementById('map'),full=m.getAttribute('viewBox');"
	"m.addEventListener('click',function(e){"
	"if(m.getAttribute('viewBox')!==full){m.setAttribute('viewBox',full);return;}"
	"var p=m.createSVGPoint();p.x=e.clientX;p.y=e.clientY;"
	"var q=p.matrixTransform(m.getScreenCTM().inverse());"
	"m.querySelectorAll('rect[data-depth=\"1\"]').forEach(function(r){"
	"var x=+r.getAttribute('x'),y=+r.getAttribute('y'),w=+r.getAttribute('width'),h=+r.getAttribute('height');"
	"if(q.x>=x&&q.x<=x+w&&q.y>=y&&q.y<=y+h){m.setAttribute('preserveAspectRatio','none');"
	"m.setAttribute('viewBox',x+' '+y+' '+w+' '+h);}});});})();";

/* "java (pid 645)" of an {pid, comm} object */
static void task(FILE *o, const struct mw_jv *t)
{
	esc(o, mw_jv_str(mw_jv_get(t, "comm"), "?"));
	const struct mw_jv *pid = mw_jv_get(t, "pid");
	if (pid && pid->type == MW_JV_NUMBER)
		fprintf(o, " (pid %" PRIu64 ")", mw_jv_uint(pid, 0));
}

static void oom_report(FILE *o, const struct mw_jv *r)
{
	fputs("<li>", o);
	task(o, mw_jv_get(r, "invoker"));
	fputs(" invoked the OOM killer: gfp_mask ", o);
	esc(o, mw_jv_str(mw_jv_get(r, "gfp"), "?"));
	const struct mw_jv *order = mw_jv_get(r, "order");
	if (order && order->type == MW_JV_NUMBER)
		fprintf(o, ", order %" PRIu64, mw_jv_uint(order, 0));
	fputs(", constraint ", o);
	esc(o, mw_jv_str(mw_jv_get(r, "constraint"), "unknown"));
	const char *memcg = mw_jv_str(mw_jv_get(r, "memcg"), NULL);
	if (memcg) {
		fputs(", memory cgroup ", o);
		esc(o, memcg);
	}
	const struct mw_jv *victim = mw_jv_get(r, "victim");
	if (victim && victim->type == MW_JV_OBJECT) {
		fputs("; killed ", o);
		task(o, victim);
	} else if (mw_jv_get(r, "panic_on_oom") && mw_jv_get(r, "panic_on_oom")->type == MW_JV_BOOL &&
		   mw_jv_get(r, "panic_on_oom")->b) {
		fputs("; no process killed: the kernel panicked (panic_on_oom)", o);
	}
	fputs("</li>\n", o);
}

/* What happened: the panic, the OOM report that ended in it, earlier kills */
static void incident(FILE *o, const struct mw_jv *inc)
{
	if (!inc || inc->type != MW_JV_OBJECT)
		return;
	const char *panic = mw_jv_str(mw_jv_get(inc, "panic"), NULL);
	const struct mw_jv *oom = mw_jv_get(inc, "oom"), *kills = mw_jv_get(inc, "kills");
	fprintf(o, "<div id=\"incident\"%s><h2>What happened</h2>\n",
		panic ? "" : " class=\"calm\"");
	if (panic) {
		fputs("<p><b>Kernel panic - not syncing: ", o);
		esc(o, panic);
		fputs("</b></p>\n", o);
	} else {
		fputs("<p>No panic in the kernel's log (a dump of a running kernel, or taken "
		      "before any panic message).</p>\n", o);
	}
	if (mw_jv_count(oom)) {
		fputs("<p>The OOM report that ended in the panic:</p><ul>\n", o);
		for (size_t i = 0; i < oom->n; i++)
			oom_report(o, &oom->v[i]);
		fputs("</ul>\n", o);
	}
	if (mw_jv_count(kills)) {
		fprintf(o, "<p>%s OOM reports in the log (%zu):</p><ul>\n",
			mw_jv_count(oom) ? "Other" : "Earlier", kills->n);
		for (size_t i = 0; i < kills->n; i++)
			oom_report(o, &kills->v[i]);
		fputs("</ul>\n", o);
	}
	fputs("</div>\n", o);
}

bool mw_html_write(FILE *o, const struct mw_jv *doc, const struct mw_attr *root)
{
	char b[MW_BYTES_LEN];
	const char *release = mw_jv_str(mw_jv_path(doc, "summary.kernel_release"), "?");
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	      "<title>memwhere: ", o);
	esc(o, mw_jv_str(mw_jv_get(doc, "dump"), ""));
	fprintf(o, "</title><style>%s</style></head><body>\n<h1>memwhere: ", style);
	esc(o, mw_jv_str(mw_jv_get(doc, "dump"), ""));
	fputs("</h1>\n<p>Kernel ", o);
	esc(o, release);
	fprintf(o, ", <span id=\"ram\" data-bytes=\"%" PRIu64 "\">%s</span> of RAM. "
		"memwhere %s.</p>\n", root->bytes, mw_bytes(root->bytes, MW_BYTES_EXACT, b),
		PACKAGE_VERSION);

	incident(o, mw_jv_get(doc, "incident"));

	fprintf(o, "<h2>Where the RAM went</h2>\n<p>Each rectangle's area is its share of RAM: "
		"category, then the memory cgroup the pages are charged to, then the file or the "
		"socket owner. Hover for names and sizes; click to zoom into a category, click again for all.</p>\n"
		"<svg id=\"map\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		"viewBox=\"0 0 %d %d\" data-ram=\"%" PRIu64 "\">\n", MAP_W, MAP_H, MAP_W, MAP_H,
		root->bytes);
	layout(o, root, "", 0, 0, MAP_W, MAP_H, 0, palette[0]);
	fputs("</svg>\n", o);

	fputs("<h2 id=\"findings\">Findings</h2>\n", o);
	const struct mw_jv *fl = mw_jv_get(doc, "findings");
	if (!mw_jv_count(fl))
		fputs("<p>Nothing stands out.</p>\n", o);
	for (size_t i = 0; i < mw_jv_count(fl); i++)
		finding(o, &fl->v[i]);

	members_table(o, "categories", "Categories", mw_jv_path(doc, "summary.categories"));
	table(o, "memcgs", "Memory cgroups", mw_jv_path(doc, "memcg.memcgs"));
	table(o, "dying", "Dying memory cgroups", mw_jv_path(doc, "memcg.dying.top"));
	table(o, "files", "Files", mw_jv_path(doc, "files.files"));
	table(o, "directories", "Directories", mw_jv_path(doc, "files.directories"));
	table(o, "sockets", "Sockets", mw_jv_path(doc, "sockets.sockets"));
	table(o, "slab", "Slab caches", mw_jv_path(doc, "slab.caches"));
	table(o, "tasks", "Processes", mw_jv_path(doc, "tasks.tasks"));
	const struct mw_jv *w = mw_jv_get(doc, "warnings");
	if (mw_jv_count(w)) {
		fputs("<h2 id=\"warnings\">Warnings</h2><ul>\n", o);
		for (size_t i = 0; i < w->n; i++) {
			fputs("<li>", o);
			esc(o, mw_jv_str(&w->v[i], ""));
			fputs("</li>\n", o);
		}
		fputs("</ul>\n", o);
	}
	fprintf(o, "<script>%s</script>\n</body></html>\n", script);
	return !ferror(o);
}
