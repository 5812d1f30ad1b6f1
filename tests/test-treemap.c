/* The treemap's geometry (cli/treemap.c): every rectangle's area is its
 * value's share of the map, the rectangles tile the map (inside it, no
 * overlap, areas adding up), and on a skewed input the squarified layout's
 * rectangles are far closer to square than slice-and-dice's. */
#include "config.h"

#include <math.h>
#include <stdlib.h>

#include "cli/treemap.h"
#include "tests/tap.h"

enum { W = 1200, H = 600, MAXN = 64 };

static double overlap(const struct mw_tm_rect *a, const struct mw_tm_rect *b)
{
	double w = fmin(a->x + a->w, b->x + b->w) - fmax(a->x, b->x);
	double h = fmin(a->y + a->h, b->y + b->h) - fmax(a->y, b->y);
	return w > 0 && h > 0 ? w * h : 0;
}

/* checks of one layout; the worst and the value-weighted mean aspect
 * ratio of the non-empty rectangles into *worst, *mean */
static void geometry(const char *what, const uint64_t *v, size_t n, const struct mw_tm_rect *r,
		     double *worst, double *mean)
{
	uint64_t sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += v[i];
	double px = (double)W * H / (double)sum, err = 0, area = 0, out = 0, over = 0;
	*worst = 1;
	*mean = 0;
	for (size_t i = 0; i < n; i++) {
		double a = r[i].w * r[i].h;
		area += a;
		err = fmax(err, fabs(a - (double)v[i] * px));
		if (r[i].w < -1e-9 || r[i].h < -1e-9 || r[i].x < -1e-6 || r[i].y < -1e-6 ||
		    r[i].x + r[i].w > W + 1e-6 || r[i].y + r[i].h > H + 1e-6)
			out++;
		for (size_t j = 0; j < i; j++)
			over += overlap(&r[i], &r[j]);
		if (v[i]) {
			double asp = mw_treemap_aspect(&r[i]);
			*worst = fmax(*worst, asp);
			*mean += asp * (double)v[i] / (double)sum;
		}
	}
	tap_ok(err < 1e-6, "%s: each area is its value's share of the map (worst error %.2g px^2)",
	       what, err);
	tap_ok(fabs(area - (double)W * H) < 1e-6, "%s: the areas add up to the map (%.6f of %d)",
	       what, area, W * H);
	tap_ok(out == 0, "%s: every rectangle inside the map (%g outside)", what, out);
	tap_ok(over < 1e-6, "%s: no two rectangles overlap (%.2g px^2)", what, over);
}

int main(void)
{
	/* skewed, descending (the attribution tree's order): a few large
	 * owners and a long tail, as RAM is usually spread */
	uint64_t skew[40];
	size_t n = 0;
	skew[n++] = 1u << 30;
	skew[n++] = 300u << 20;
	skew[n++] = 120u << 20;
	for (int i = 0; i < 37; i++)
		skew[n++] = (uint64_t)(40 - i) << 18;
	struct mw_tm_rect sq[MAXN], sl[MAXN];
	double sq_worst, sq_mean, sl_worst, sl_mean;
	mw_treemap_squarify(skew, n, 0, 0, W, H, sq);
	geometry("squarified, skewed", skew, n, sq, &sq_worst, &sq_mean);
	mw_treemap_slice(skew, n, 0, 0, W, H, sl);
	geometry("slice-and-dice, skewed", skew, n, sl, &sl_worst, &sl_mean);
	tap_diag("aspect ratios: squarified worst %.2f, mean %.2f; slice-and-dice worst %.1f, mean %.1f",
		 sq_worst, sq_mean, sl_worst, sl_mean);
	tap_ok(sq_worst < sl_worst / 10, "squarified's worst aspect ratio (%.2f) far below slice-and-dice's (%.1f)",
	       sq_worst, sl_worst);
	tap_ok(sq_mean < sl_mean / 4 && sq_mean < 3,
	       "squarified's mean aspect ratio, by area (%.2f), far below slice-and-dice's (%.1f) and under 3",
	       sq_mean, sl_mean);

	/* zeros, a single value, equal values, ascending order: still exact */
	uint64_t zeros[] = { 0, 5, 0, 0, 3, 0 };
	mw_treemap_squarify(zeros, 6, 0, 0, W, H, sq);
	geometry("zeros among values", zeros, 6, sq, &sq_worst, &sq_mean);
	tap_ok(sq[0].w * sq[0].h == 0 && sq[5].w * sq[5].h == 0, "a zero value gets no area");
	uint64_t one[] = { 7 };
	mw_treemap_squarify(one, 1, 0, 0, W, H, sq);
	tap_ok(sq[0].x == 0 && sq[0].y == 0 && sq[0].w == W && sq[0].h == H, "one value fills the map");
	uint64_t eq[16];
	for (int i = 0; i < 16; i++)
		eq[i] = 1000;
	mw_treemap_squarify(eq, 16, 0, 0, W, H, sq);
	geometry("16 equal values", eq, 16, sq, &sq_worst, &sq_mean);
	tap_ok(sq_worst < 2.5, "16 equal values: near-square cells (worst aspect %.2f)", sq_worst);
	uint64_t asc[MAXN];
	for (size_t i = 0; i < n; i++)
		asc[i] = skew[n - 1 - i];
	mw_treemap_squarify(asc, n, 0, 0, W, H, sq);
	geometry("skewed, ascending order", asc, n, sq, &sq_worst, &sq_mean);
	uint64_t none[] = { 0, 0 };
	mw_treemap_squarify(none, 2, 0, 0, W, H, sq);
	tap_ok(sq[0].w == 0 && sq[1].h == 0, "all zeros: empty rectangles");
	return tap_done();
}
