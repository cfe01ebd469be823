/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * user-space stand-in: see tests/kshim/kshim.h.  The ranges VFIO hands to
 * log_start(): a list kept in ascending order by the test, walked as the
 * kernel's interval tree iterators walk theirs.
 */
#ifndef _KSHIM_INTERVAL_TREE_H
#define _KSHIM_INTERVAL_TREE_H
#include "../kshim.h"

struct interval_tree_node {
	unsigned long start, last;	/* inclusive */
	struct interval_tree_node *next;
};

struct rb_root_cached {
	struct interval_tree_node *first;
};

static inline struct interval_tree_node *
kshim_it_from(struct interval_tree_node *n, unsigned long start,
	      unsigned long last)
{
	for (; n; n = n->next)
		if (n->start <= last && n->last >= start)
			return n;
	return NULL;
}

static inline struct interval_tree_node *
interval_tree_iter_first(struct rb_root_cached *root, unsigned long start,
			 unsigned long last)
{
	return kshim_it_from(root->first, start, last);
}

static inline struct interval_tree_node *
interval_tree_iter_next(struct interval_tree_node *node, unsigned long start,
			unsigned long last)
{
	return kshim_it_from(node->next, start, last);
}
#endif
