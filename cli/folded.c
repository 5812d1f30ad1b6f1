/* memwhere --folded: the attribution tree of all RAM (cli/doc.h) as folded
 * stacks, "frame;frame;frame bytes" per leaf, for flamegraph.pl and
 * speedscope. The leaves add up to RAM. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli/export.h"

/* A frame may not hold ';' (the separator) or a newline. */
static void frame(FILE *o, const char *s)
{
	for (; *s; s++)
		fputc(*s == ';' ? ',' : *s == '\n' ? ' ' : *s, o);
}

enum { FOLDED_MAX_DEPTH = 8 };

static void leaves(FILE *o, const struct mw_attr *a, const struct mw_attr **stack, int depth)
{
	if (!a->n || depth == FOLDED_MAX_DEPTH) {
		if (!a->bytes)
			return;
		for (int i = 0; i < depth; i++) {
			if (i)
				fputc(';', o);
			frame(o, stack[i]->name);
		}
		fprintf(o, " %" PRIu64 "\n", a->bytes);
		return;
	}
	for (size_t i = 0; i < a->n; i++) {
		stack[depth] = &a->v[i];
		leaves(o, &a->v[i], stack, depth + 1);
	}
}

void mw_folded_write(FILE *o, const struct mw_attr *root)
{
	const struct mw_attr *stack[FOLDED_MAX_DEPTH + 1];
	leaves(o, root, stack, 0);
}
