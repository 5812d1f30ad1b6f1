/* memwhere command line: the memory cgroup tree and --memcg's subtree. */
#include "config.h"

#include <stdio.h>

#include "cli/memcg-subtree.h"
#include "cli/summary.h"

bool mw_memcg_subtree_init(struct mw_context *ctx, const char *what,
			   struct mw_memcg_subtree *ret)
{
	struct mw_error *err;
	ret->have_tree = false;
	ret->top = 0;
	if ((err = mw_memcg_read(ctx->kernel, &ctx->warnings, &ret->tree))) {
		if (ctx->opt.memcg) {
			mw_render_fatal(ctx, err, "--memcg: memory cgroups");
			mw_error_destroy(err);
			return false;
		}
		mw_warn_error(&ctx->warnings, err, what);
		return true;
	}
	ret->have_tree = true;
	if (ctx->opt.memcg) {
		ptrdiff_t i = mw_memcg_find_path(&ret->tree, ctx->opt.memcg);
		if (i < 0) {
			fprintf(stderr, "memwhere: --memcg %s: no such memory cgroup in %s "
				"(paths are as under the cgroup mount, e.g. %s)\n",
				ctx->opt.memcg, ctx->dump_path,
				ret->tree.nr > 1 ? ret->tree.memcgs[1].path : "/");
			mw_memcg_subtree_deinit(ret);
			return false;
		}
		ret->top = (size_t)i;
	}
	return true;
}

void mw_memcg_subtree_deinit(struct mw_memcg_subtree *s)
{
	if (s->have_tree)
		mw_memcg_tree_deinit(&s->tree);
	s->have_tree = false;
}

bool mw_memcg_subtree_keep(void *subtree, uint64_t memcg)
{
	const struct mw_memcg_subtree *s = subtree;
	if (!s->have_tree)
		return false;
	if (s->top == 0)
		return true;	/* the root: everything, charged to a memcg or not */
	ptrdiff_t i = mw_memcg_find_addr(&s->tree, memcg);
	return i >= 0 && mw_memcg_in_subtree(&s->tree, (size_t)i, s->top);
}

const char *mw_memcg_subtree_path(const struct mw_memcg_subtree *s, uint64_t memcg)
{
	if (!s->have_tree || !memcg)
		return NULL;
	ptrdiff_t i = mw_memcg_find_addr(&s->tree, memcg);
	return i >= 0 ? s->tree.memcgs[i].path : NULL;
}
