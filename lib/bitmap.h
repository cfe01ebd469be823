/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bitmap.h - page bitmaps in the layout VFIO reports dirty pages in
 *
 * Bit n of a bitmap is bit n % 64 of 64-bit word n / 64, least significant
 * bit first: VFIO_IOMMU_DIRTY_PAGES, UNMAP_DMA with GET_DIRTY_BITMAP and
 * DMA-logging reports fill user bitmaps this way.  The workload runner's
 * ground truth and page selections use the same helpers.
 *
 * Only <stdint.h> and <stdbool.h>: the freestanding guest payload
 * (tools/guest) includes it too.
 */
#ifndef _LIB_BITMAP_H
#define _LIB_BITMAP_H

#include <stdbool.h>
#include <stdint.h>

#define BM_PAGE		4096u	/* the page of every bitmap here */

/* 64-bit words of a bitmap of @nbits bits */
static inline uint64_t bm_words(uint64_t nbits)
{
	return (nbits + 63) / 64;
}

static inline void bm_set(uint64_t *bm, uint64_t bit)
{
	bm[bit / 64] |= 1ull << (bit % 64);
}

static inline void bm_clear(uint64_t *bm, uint64_t bit)
{
	bm[bit / 64] &= ~(1ull << (bit % 64));
}

static inline bool bm_test(const uint64_t *bm, uint64_t bit)
{
	return (bm[bit / 64] >> (bit % 64)) & 1;
}

/* set bits [@first, @first + @n) */
static inline void bm_set_range(uint64_t *bm, uint64_t first, uint64_t n)
{
	for (; n; n--)
		bm_set(bm, first++);
}

/* the pages bytes [@addr, @addr + @len) touch; bit 0 is the page at @base */
static inline void bm_set_bytes(uint64_t *bm, uint64_t base, uint64_t addr,
				uint64_t len)
{
	uint64_t pg = (addr - base) / BM_PAGE;
	uint64_t end = (addr - base + len + BM_PAGE - 1) / BM_PAGE;

	for (; pg < end; pg++)
		bm_set(bm, pg);
}

/* bits set among the first @nbits */
static inline uint64_t bm_count(const uint64_t *bm, uint64_t nbits)
{
	uint64_t i, n = 0;

	for (i = 0; i < nbits / 64; i++)
		n += __builtin_popcountll(bm[i]);
	if (nbits % 64)
		n += __builtin_popcountll(bm[i] & ((1ull << (nbits % 64)) - 1));
	return n;
}

#endif /* _LIB_BITMAP_H */
