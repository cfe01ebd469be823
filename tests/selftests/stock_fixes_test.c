// SPDX-License-Identifier: GPL-2.0
/*
 * What the fixes of the series make true, tested with nothing else of the
 * series: the stock uAPI, and the test mdev's pins and vfio_dma_rw() (no
 * clean pins, no vfio_mark_dirty()).  Against a stock kernel's modules
 * each "not ok" reproduces a bug that kernel still has;
 * scripts/repro-fixes.sh runs this on stock 6.12 and stock 7.3.
 *
 * Layout as in dirty_scope_test: A (100 pages) and B (37 pages) adjacent,
 * so that a report over both copies B shifted by 36 bits.
 */
#include "dirty_utils.h"

#define IOVA_A		0x100000UL
#define PAGES_A		100
#define PAGES_B		37
#define IOVA_B		(IOVA_A + PAGES_A * PAGE)
#define PAGES_AB	(PAGES_A + PAGES_B)
#define PG(i)		(IOVA_A + (uint64_t)(i) * PAGE)
/* the last two pages below 2^64 */
#define IOVA_TOP	(0ULL - 2 * PAGE)

/* a plain test mdev, A and B mapped, tracking on */
FIXTURE(fix) {
	struct dtm_set s;
	void *mem;
};

static int fix_acquire(FIXTURE_DATA(fix) *self)
{
	static const struct dirty_range layout[] = {
		{ IOVA_A, PAGES_A, VFIO_DMA_RW },
		{ IOVA_B, PAGES_B, VFIO_DMA_RW },
	};
	int ret = dtm_set_open(&self->s, "plain", 1);

	if (ret)
		return ret;
	return dirty_mem_map(&self->s.io, &self->mem, layout, 2);
}

FIXTURE_SETUP(fix)
{
	int ret = fix_acquire(self);

	if (ret)
		dtm_set_close(&self->s);
	ASSERT_EQ(0, ret);
}

FIXTURE_TEARDOWN(fix)
{
	EXPECT_EQ(0, dtm_set_close(&self->s));
}

static int report_ab(struct vfio_iommu *io, struct bm *got)
{
	memset(got, 0, sizeof(*got));
	return vfio_dirty_get(io, IOVA_A, PAGES_AB * PAGE, PAGE, got->w,
			      sizeof(got->w));
}

/*
 * Fix "clear shifted dirty bits after a report": B's last page stays
 * pinned (dirty in every report); no report may set a bit past the end
 * of the range it asked for.
 */
TEST_F(fix, no_bit_past_the_end_of_a_report)
{
	struct bm got;
	char b[512];
	int round;

	test_dtm_pin(&self->s.dev[0], PG(PAGES_AB - 1), 1, 0);
	for (round = 0; round < 4; round++) {
		ASSERT_EQ(0, report_ab(&self->s.io, &got));
		ASSERT_EQ(1, bm_count(got.w, BM_WORDS * 64))
			TH_LOG("round %d: %s (range ends at bit %d)", round,
			       bm_str(&got, b, sizeof(b)), PAGES_AB - 1);
		ASSERT_EQ(1ULL << ((PAGES_AB - 1) % 64),
			  got.w[(PAGES_AB - 1) / 64]);
	}
	test_dtm_unpin(&self->s.dev[0], PG(PAGES_AB - 1), 1, 0);
}

/*
 * Fix "keep dirty bits when copying a report to user space fails": the
 * user's bitmap runs into a PROT_NONE page (A's words copy out, B's do
 * not); the report fails with EFAULT and the next one has every bit, at
 * its own page.
 */
TEST_F(fix, faulting_report_loses_nothing)
{
	char *buf = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct bm want = {}, got;
	char b1[512], b2[512], data = 1;

	ASSERT_NE(MAP_FAILED, buf);
	ASSERT_EQ(0, mprotect(buf + PAGE, PAGE, PROT_NONE));
	test_dtm_rw(&self->s.dev[0], PG(3), &data, 1, true);
	test_dtm_rw(&self->s.dev[0], PG(101), &data, 1, true);
	test_dtm_rw(&self->s.dev[0], PG(120), &data, 1, true);
	bm_set(want.w, 3);
	bm_set(want.w, 101);
	bm_set(want.w, 120);
	/* words 0 and 1 writable, word 2 faults */
	test_err_vfio_dirty_get(EFAULT, &self->s.io, IOVA_A, PAGES_AB * PAGE,
				PAGE, (uint64_t *)(buf + PAGE - 16), 24);
	ASSERT_EQ(0, report_ab(&self->s.io, &got));
	EXPECT_EQ(0, memcmp(&want, &got, sizeof(got)))
		TH_LOG("after the fault: want %s got %s",
		       bm_str(&want, b1, sizeof(b1)),
		       bm_str(&got, b2, sizeof(b2)));
	munmap(buf, 2 * PAGE);
}

/*
 * A mapping that ends exactly at 2^64 is accepted by MAP_DMA; it must
 * then be usable: reported, pinned, unpinned and unmapped.
 */
TEST_F(fix, mapping_at_the_top_of_the_iova_space_is_usable)
{
	uint64_t w[1] = {};
	char data = 1;

	test_vfio_dma_map(&self->s.io, IOVA_TOP, self->mem, 2 * PAGE);
	EXPECT_EQ(0, dtm_rw(&self->s.dev[0], IOVA_TOP + PAGE, &data, 1, true));
	EXPECT_EQ(0, vfio_dirty_get(&self->s.io, IOVA_TOP, 2 * PAGE, PAGE, w,
				    sizeof(w)));
	EXPECT_EQ(2, w[0]);
	EXPECT_EQ(0, dtm_pin(&self->s.dev[0], IOVA_TOP, 1, 0));
	EXPECT_EQ(0, dtm_unpin(&self->s.dev[0], IOVA_TOP, 1, 0));
	EXPECT_EQ(0, vfio_dma_unmap(&self->s.io, IOVA_TOP, 2 * PAGE));
}

TEST_HARNESS_MAIN
