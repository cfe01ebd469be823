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

FIXTURE(fix) {
	int container, group, dev;
	char uuid[37];
	void *mem;
};

FIXTURE_SETUP(fix)
{
	self->container = open("/dev/vfio/vfio", O_RDWR);
	ASSERT_LE(0, self->container);
	ASSERT_EQ(0, dtm_create_raw("plain", self->uuid));
	ASSERT_EQ(0, vfio_open_device_raw(self->container, self->uuid,
					  &self->group, &self->dev));
	self->mem = mmap(NULL, PAGES_AB * PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->mem);
	memset(self->mem, 0x5a, PAGES_AB * PAGE);
	test_map_dma(self->container, IOVA_A, self->mem, PAGES_A * PAGE);
	test_map_dma(self->container, IOVA_B, self->mem + PAGES_A * PAGE,
		     PAGES_B * PAGE);
	test_dirty_ctl(self->container, VFIO_IOMMU_DIRTY_PAGES_FLAG_START);
}

FIXTURE_TEARDOWN(fix)
{
	close(self->dev);
	close(self->group);
	close(self->container);
	mdev_remove_raw(self->uuid);
}

static int report_ab(int container, struct bm *got)
{
	memset(got, 0, sizeof(*got));
	return get_bitmap_raw(container, IOVA_A, PAGES_AB * PAGE, PAGE,
			      got->w, sizeof(got->w));
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

	test_dtm_pin(self->dev, PG(PAGES_AB - 1), 1, 0);
	for (round = 0; round < 4; round++) {
		ASSERT_EQ(0, report_ab(self->container, &got));
		ASSERT_EQ(1, bm_count(&got))
			TH_LOG("round %d: %s (range ends at bit %d)", round,
			       bm_str(&got, b, sizeof(b)), PAGES_AB - 1);
		ASSERT_EQ(1ULL << ((PAGES_AB - 1) % 64),
			  got.w[(PAGES_AB - 1) / 64]);
	}
	test_dtm_unpin(self->dev, PG(PAGES_AB - 1), 1, 0);
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
	ASSERT_EQ(0, dtm_rw_raw(self->dev, PG(3), &data, 1, true));
	ASSERT_EQ(0, dtm_rw_raw(self->dev, PG(101), &data, 1, true));
	ASSERT_EQ(0, dtm_rw_raw(self->dev, PG(120), &data, 1, true));
	bm_set(&want, 3);
	bm_set(&want, 101);
	bm_set(&want, 120);
	/* words 0 and 1 writable, word 2 faults */
	ASSERT_EQ(-EFAULT, get_bitmap_raw(self->container, IOVA_A,
					  PAGES_AB * PAGE, PAGE,
					  (uint64_t *)(buf + PAGE - 16), 24));
	ASSERT_EQ(0, report_ab(self->container, &got));
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

	test_map_dma(self->container, IOVA_TOP, self->mem, 2 * PAGE);
	EXPECT_EQ(0, dtm_rw_raw(self->dev, IOVA_TOP + PAGE, &data, 1, true));
	EXPECT_EQ(0, get_bitmap_raw(self->container, IOVA_TOP, 2 * PAGE,
				    PAGE, w, sizeof(w)));
	EXPECT_EQ(2, w[0]);
	EXPECT_EQ(0, dtm_pin_raw(self->dev, IOVA_TOP, 1, 0));
	EXPECT_EQ(0, dtm_unpin_raw(self->dev, IOVA_TOP, 1, 0));
	EXPECT_EQ(0, unmap_dma_raw(self->container, IOVA_TOP, 2 * PAGE));
}

TEST_HARNESS_MAIN
