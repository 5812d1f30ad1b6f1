/* Treemap geometry for report --html: a rectangle divided among values in
 * proportion to them (squarified: rows of rectangles kept near square). */
#ifndef MW_CLI_TREEMAP_H
#define MW_CLI_TREEMAP_H

#include <stddef.h>
#include <stdint.h>

struct mw_tm_rect {
	double x, y, w, h;
};

/* Divide the rectangle (x, y, w, h) among values[0..n-1]: out[i] gets an
 * area of w*h*values[i]/sum, and the rectangles tile it without gap or
 * overlap (edges computed from running sums). Squarified (Bruls, Huizing,
 * van Wijk): values are laid out in rows along the shorter side, a row
 * taking the next value while that does not worsen its worst aspect ratio;
 * the layout is best with the values in descending order, and correct in
 * any. Zero values get a zero-sized rectangle; a zero sum, all of them. */
void mw_treemap_squarify(const uint64_t *values, size_t n, double x, double y, double w,
			 double h, struct mw_tm_rect *out);

/* Slice-and-dice, the simple layout: one strip per value across the longer
 * side (for comparison). */
void mw_treemap_slice(const uint64_t *values, size_t n, double x, double y, double w,
		      double h, struct mw_tm_rect *out);

/* A rectangle's aspect ratio, the longer side over the shorter (>= 1; a
 * degenerate rectangle's is infinite). */
double mw_treemap_aspect(const struct mw_tm_rect *r);

#endif
