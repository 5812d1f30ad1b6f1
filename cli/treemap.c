/* Treemap layouts (cli/treemap.h). Geometry only: the values are plain
 * numbers, the output plain rectangles; html.c draws them. */
#include "config.h"

#include <math.h>

#include "cli/treemap.h"

double mw_treemap_aspect(const struct mw_tm_rect *r)
{
	if (r->w <= 0 || r->h <= 0)
		return INFINITY;
	return r->w > r->h ? r->w / r->h : r->h / r->w;
}

/* The worst aspect ratio of a row holding values [from, to) with sum rsum,
 * laid across a short side of length side, taking thick = long * rsum /
 * rest of the remaining rectangle's long side. */
static double row_worst(const uint64_t *values, size_t from, size_t to, uint64_t rsum,
			uint64_t rest, double side, double along)
{
	double thick = along * (double)rsum / (double)rest, worst = 1;
	for (size_t i = from; i < to; i++) {
		if (!values[i])
			continue;
		double len = side * (double)values[i] / (double)rsum;
		double r = len > thick ? len / thick : thick / len;
		if (r > worst)
			worst = r;
	}
	return worst;
}

/* values [from, to) (sum rsum) across the short side of a row of the
 * given thickness at (x, y): along x when horizontal, else along y */
static void row_place(const uint64_t *values, size_t from, size_t to, uint64_t rsum, double x,
		      double y, double side, double thick, int horizontal, struct mw_tm_rect *out)
{
	uint64_t done = 0;
	double pos = 0;
	for (size_t i = from; i < to; i++) {
		done += values[i];
		double end = rsum ? side * (double)done / (double)rsum : 0;
		if (i + 1 == to && rsum)
			end = side;
		if (horizontal)
			out[i] = (struct mw_tm_rect){ x + pos, y, end - pos, thick };
		else
			out[i] = (struct mw_tm_rect){ x, y + pos, thick, end - pos };
		pos = end;
	}
}

void mw_treemap_squarify(const uint64_t *values, size_t n, double x, double y, double w,
			 double h, struct mw_tm_rect *out)
{
	uint64_t rest = 0;
	for (size_t i = 0; i < n; i++)
		rest += values[i];
	size_t i = 0;
	while (i < n) {
		if (!rest) {	/* only zeros left */
			for (; i < n; i++)
				out[i] = (struct mw_tm_rect){ x, y, 0, 0 };
			return;
		}
		/* a wide rectangle gets a column at its left, a tall one a
		 * row at its top: the row runs along the shorter side */
		int wide = w >= h;
		double side = wide ? h : w, along = wide ? w : h;
		size_t to = i;
		uint64_t rsum = 0;
		double worst = INFINITY;
		while (to < n) {
			uint64_t s2 = rsum + values[to];
			if (!s2) {	/* leading zeros join the row */
				to++;
				continue;
			}
			double w2 = row_worst(values, i, to + 1, s2, rest, side, along);
			if (rsum && w2 > worst)
				break;
			worst = w2;
			rsum = s2;
			to++;
		}
		/* the last row takes what is left exactly */
		double thick = rsum == rest ? along : along * (double)rsum / (double)rest;
		row_place(values, i, to, rsum, x, y, side, thick, !wide, out);
		if (wide) {
			x += thick;
			w -= thick;
		} else {
			y += thick;
			h -= thick;
		}
		if (w < 0)
			w = 0;
		if (h < 0)
			h = 0;
		rest -= rsum;
		i = to;
	}
}

void mw_treemap_slice(const uint64_t *values, size_t n, double x, double y, double w,
		      double h, struct mw_tm_rect *out)
{
	uint64_t sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += values[i];
	int wide = w >= h;
	/* one row across the whole rectangle, split along its longer side */
	row_place(values, 0, n, sum, x, y, wide ? w : h, wide ? h : w, wide, out);
}
