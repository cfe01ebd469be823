// SPDX-License-Identifier: GPL-2.0
/*
 * Pin intents and the driver rules for vfio_mark_dirty(), on the series:
 *
 * - no unpin reduces another device's dirty intent: VFIO is told no intent
 *   at unpin, it releases the caller's own pin;
 * - of one device holding both intents on a page, an unpin releases the
 *   clean pin first (the page stays dirty while it may be);
 * - a pin without IOMMU_WRITE never dirties, whatever the device;
 * - VFIO_PIN_CLEAN counts only for a device that reports its writes;
 * - a device that reports its writes marks each write before it unpins the
 *   page, also from its dma_unmap callback, so nothing is missed;
 * - while tracking is off a mark returns 0 without looking the range up.
 *
 * Exact bitmaps from GET_BITMAP and UNMAP_DMA with GET_DIRTY_BITMAP.
 */
#include "dirty_utils.h"

#define IOVA_A		0x100000UL
#define PAGES_A		64
#define IOVA_B		(IOVA_A + PAGES_A * PAGE)
#define PAGES_B		16
#define PG(i)		(IOVA_A + (uint64_t)(i) * PAGE)

FIXTURE(intent) {
	struct dtm_set s;
	struct vfio_iommu *io;
	struct vfio_dev *x, *y;	/* two devices of the variant's type */
	void *mem;
};

FIXTURE_VARIANT(intent) {
	const char *type;
	bool reports;
};

FIXTURE_VARIANT_ADD(intent, reporting) { .type = "reporting", .reports = true };
FIXTURE_VARIANT_ADD(intent, plain) { .type = "plain", .reports = false };

/* A and B mapped, tracking on */
static int intent_acquire(FIXTURE_DATA(intent) *self, const char *type)
{
	static const struct dirty_range layout[] = {
		{ IOVA_A, PAGES_A, VFIO_DMA_RW },
		{ IOVA_B, PAGES_B, VFIO_DMA_RW },
	};
	int ret = dtm_set_open(&self->s, type, 2);

	self->io = &self->s.io;
	self->x = &self->s.dev[0];
	self->y = &self->s.dev[1];
	if (ret)
		return ret;
	return dirty_mem_map(self->io, &self->mem, layout, 2);
}

FIXTURE_SETUP(intent)
{
	int ret;

	if (vfio_variant_is("stock"))
		SKIP(return, "pin intents exist on the series only");
	ret = intent_acquire(self, variant->type);
	if (ret)
		dtm_set_close(&self->s);
	ASSERT_EQ(0, ret);
}

FIXTURE_TEARDOWN(intent)
{
	EXPECT_EQ(0, dtm_set_close(&self->s));
}

/* Read-and-clear report of A; bit i is page i. */
#define EXPECT_A(want) do {						\
	uint64_t __bm = 0;						\
	test_vfio_dirty_get(self->io, IOVA_A, PAGES_A * PAGE, PAGE,	\
			    &__bm, 8);					\
	ASSERT_EQ((uint64_t)(want), __bm)				\
		TH_LOG("want %#llx got %#llx",				\
		       (unsigned long long)(want),			\
		       (unsigned long long)__bm);			\
} while (0)

#define B(i)	(1ULL << (i))

/*
 * X holds a dirty-intent pin of P; Y pins P clean, then unpins it: X's
 * intent stays, P is dirty until X unpins (and once more after).
 */
TEST_F(intent, unpin_keeps_other_devices_dirty_intent)
{
	test_dtm_pin(self->x, PG(7), 1, 0);
	test_dtm_pin(self->y, PG(7), 1, DTM_CLEAN);
	test_dtm_unpin(self->y, PG(7), 1, DTM_CLEAN);
	EXPECT_A(B(7));
	EXPECT_A(B(7));
	test_dtm_unpin(self->x, PG(7), 1, 0);
	EXPECT_A(B(7));
	EXPECT_A(0);
}

/* One device, both intents on P: the clean pin goes first. */
TEST_F(intent, one_device_both_intents_releases_clean_first)
{
	test_dtm_pin(self->x, PG(9), 1, 0);
	test_dtm_pin(self->x, PG(9), 1, DTM_CLEAN);
	EXPECT_A(B(9));
	test_dtm_unpin(self->x, PG(9), 1, 0);
	EXPECT_A(B(9));
	EXPECT_A(B(9));
	test_dtm_unpin(self->x, PG(9), 1, DTM_CLEAN);
	EXPECT_A(B(9));
	EXPECT_A(0);
}

/*
 * A pin without IOMMU_WRITE never dirties, whatever the device.  With a
 * writable pin of another device, P is dirty while that pin is held.
 */
TEST_F(intent, read_only_pin_never_dirties)
{
	test_dtm_pin(self->x, PG(11), 1, DTM_READONLY);
	test_dtm_pin(self->x, PG(12), 1, DTM_READONLY | DTM_CLEAN);
	EXPECT_A(0);
	test_dtm_pin(self->y, PG(11), 1, 0);
	EXPECT_A(B(11));
	test_dtm_unpin(self->y, PG(11), 1, 0);
	EXPECT_A(B(11));
	EXPECT_A(0);
	test_dtm_unpin(self->x, PG(11), 1, 0);
	test_dtm_unpin(self->x, PG(12), 1, DTM_CLEAN);
	EXPECT_A(0);
}

/* VFIO_PIN_CLEAN counts only for a device that reports its writes. */
TEST_F(intent, writable_clean_pin)
{
	test_dtm_pin(self->x, PG(13), 1, DTM_CLEAN);
	EXPECT_A(variant->reports ? 0 : B(13));
	test_dtm_unpin(self->x, PG(13), 1, DTM_CLEAN);
	EXPECT_A(variant->reports ? 0 : B(13));
	EXPECT_A(0);
}

/*
 * The test mdev writes like a device that reports its writes: pin clean,
 * write, mark, unpin.  The report holds the written pages exactly (partial
 * pages round outward) and the memory holds the data.  (A plain device's
 * pins are dirty and its marks count all the same: the same pages.)
 */
TEST_F(intent, device_write_is_marked_before_unpin)
{
	char data[PAGE + 20];

	memset(data, 0xc3, sizeof(data));
	EXPECT_A(0);
	test_dtm_dev_write(self->x, PG(20) + PAGE - 10, data, sizeof(data), 0);
	EXPECT_A(B(20) | B(21) | B(22));
	EXPECT_A(0);
	ASSERT_EQ(0, memcmp((char *)self->mem + 21 * PAGE - 10, data,
			    sizeof(data)));
}

/*
 * A write whose mark is still pending when B is unmapped: the device marks
 * it from its dma_unmap callback before unpinning, and UNMAP_DMA with
 * GET_DIRTY_BITMAP reports it.
 */
TEST_F(intent, pending_write_is_marked_in_dma_unmap)
{
	struct dtm_info info;
	char data[8] = "written";
	uint64_t bm = 0;

	test_dtm_dev_write(self->x, IOVA_B + 5 * PAGE + 8, data, sizeof(data),
			   DTM_DEV_WRITE_DEFER);
	test_vfio_dma_unmap_dirty(self->io, IOVA_B, PAGES_B * PAGE, &bm, 8);
	ASSERT_EQ(B(5), bm);
	ASSERT_EQ(0, memcmp((char *)self->mem + (PAGES_A + 5) * PAGE + 8, data,
			    sizeof(data)));
	test_dtm_info(self->x, &info);
	ASSERT_EQ(0, info.pinned_clean + info.pinned_dirty);
}

/*
 * Marks while tracking is off cost a READ_ONCE(): 0, and the range is not
 * looked up, so an unmapped one is not refused either.  Nothing of it is
 * reported once tracking is back on.
 */
TEST_F(intent, mark_while_tracking_off_is_not_looked_up)
{
	test_vfio_dirty_stop(self->io);
	test_dtm_mark(self->x, PG(3), PAGE);
	test_dtm_mark(self->x, 0, PAGE);
	/* a wrapping or empty range is refused before anything else */
	test_err_dtm_mark(EINVAL, self->x, PG(1), 0);
	test_err_dtm_mark(EINVAL, self->x, ~0ULL - 10, 100);
	test_vfio_dirty_start(self->io);
	EXPECT_A(0);
	test_err_dtm_mark(EINVAL, self->x, 0, PAGE);
	test_dtm_mark(self->x, PG(3), PAGE);
	EXPECT_A(B(3));
}

TEST_HARNESS_MAIN
