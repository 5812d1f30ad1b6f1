/* memwhere command line: the memory cgroup tree and --memcg's subtree,
 * shared by the commands that apply --memcg (files, sockets). */
#ifndef MW_CLI_MEMCG_SUBTREE_H
#define MW_CLI_MEMCG_SUBTREE_H

#include <stdbool.h>
#include <stdint.h>

#include "analyzer/memcg.h"
#include "cli/cli.h"

struct mw_memcg_subtree {
	struct mw_memcg_tree tree;
	bool have_tree;		/* tree read (else paths are not shown) */
	size_t top;		/* --memcg's index in tree (0, the root, without) */
};

/*
 * Read the tree; with --memcg, find its subtree. Without --memcg an
 * unreadable tree is a warning (what says what is then not shown). Returns
 * false when --memcg cannot be applied (the reason is printed).
 */
bool mw_memcg_subtree_init(struct mw_context *ctx, const char *what,
			   struct mw_memcg_subtree *ret);
void mw_memcg_subtree_deinit(struct mw_memcg_subtree *s);
/* Whether the struct mem_cgroup at memcg lies in the subtree; under the
 * root everything does, memcg 0 (charged to none) too. */
bool mw_memcg_subtree_keep(void *subtree, uint64_t memcg);
/* The path of the memcg at address memcg, or NULL. */
const char *mw_memcg_subtree_path(const struct mw_memcg_subtree *s, uint64_t memcg);

#endif
