/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * user-space stand-in: see tests/kshim/kshim.h.  The user's bitmap of a
 * DMA-log report: one bit per page of [iova, iova + length), set by
 * iova_bitmap_set() as the kernel's does; a set outside it is a bug.
 */
#ifndef _KSHIM_IOVA_BITMAP_H
#define _KSHIM_IOVA_BITMAP_H
#include "../kshim.h"

struct iova_bitmap {
	u64 iova, length;	/* page aligned; length 0: 2^64 */
	unsigned long *bits;
};

static inline void iova_bitmap_set(struct iova_bitmap *b, unsigned long iova,
				   size_t length)
{
	u64 first = iova - b->iova, last = first + length - 1;

	if (WARN_ON_ONCE(!length || iova < b->iova || last < first ||
			 (b->length && last >= b->length)))
		return;
	bitmap_set(b->bits, first / PAGE_SIZE, last / PAGE_SIZE - first / PAGE_SIZE + 1);
}
#endif
