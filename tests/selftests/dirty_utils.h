/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the VFIO dirty tracking selftests.  As in iommufd_utils.h,
 * each _raw helper (dirty_raw.h) returns 0 or -errno and its test_
 * counterpart here asserts success.
 */
#ifndef __DIRTY_UTILS_H
#define __DIRTY_UTILS_H

#include "dirty_raw.h"
#include "kselftest_harness.h"

#define test_dtm_pin(dev, iova, n, fl) ASSERT_EQ(0, dtm_pin_raw(dev, iova, n, fl))
#define test_dtm_unpin(dev, iova, n, fl) ASSERT_EQ(0, dtm_unpin_raw(dev, iova, n, fl))
#define test_dtm_mark(dev, iova, len) ASSERT_EQ(0, dtm_mark_raw(dev, iova, len))
#define test_dirty_ctl(c, flag) ASSERT_EQ(0, dirty_ctl_raw(c, flag))
#define test_map_dma(c, iova, va, size) \
	ASSERT_EQ(0, map_dma_raw(c, iova, va, size, \
				 VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE))

/* Bitmaps of up to 1024 pages, as sets of page numbers. */
#define BM_WORDS 16
struct bm { uint64_t w[BM_WORDS]; };

static inline void bm_set(struct bm *b, unsigned int pg)
{
	b->w[pg / 64] |= 1ULL << (pg % 64);
}

static inline int bm_count(const struct bm *b)
{
	int i, n = 0;

	for (i = 0; i < BM_WORDS; i++)
		n += __builtin_popcountll(b->w[i]);
	return n;
}

/* "{1,5,100}" for messages */
static inline const char *bm_str(const struct bm *b, char *buf, size_t len)
{
	size_t o = 0;
	int i;

	o += snprintf(buf + o, len - o, "{");
	for (i = 0; i < BM_WORDS * 64 && o < len - 8; i++)
		if (b->w[i / 64] >> (i % 64) & 1)
			o += snprintf(buf + o, len - o, "%d,", i);
	snprintf(buf + o - (o > 1), len - o + (o > 1), "}");
	return buf;
}

#endif
