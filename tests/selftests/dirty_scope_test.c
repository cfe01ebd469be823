// SPDX-License-Identifier: GPL-2.0
/*
 * VFIO type1 dirty scope selftests (BRIEF section 3, rule by rule), run in
 * a VM against the patched modules with the test mdev.  Every check
 * compares the exact bitmap returned by VFIO_IOMMU_DIRTY_PAGES GET_BITMAP
 * or by UNMAP_DMA with GET_DIRTY_BITMAP with the pages the test expects.
 *
 * Layout: mapping A (100 pages at IOVA_A) and B (37 pages) are adjacent,
 * so one GET_BITMAP over both puts B's first page at bit 100 (not a
 * multiple of 64); C (16 pages) is read-only, with a hole before it.
 */
#include "dirty_utils.h"

#define IOVA_A		0x100000UL
#define PAGES_A		100
#define PAGES_B		37
#define IOVA_B		(IOVA_A + PAGES_A * PAGE)
#define PAGES_AB	(PAGES_A + PAGES_B)
#define IOVA_C		0x1000000UL
#define PAGES_C		16
#define PG(i)		(IOVA_A + (uint64_t)(i) * PAGE)

#define NDEV 2

FIXTURE(scope) {
	struct dtm_set s;
	struct vfio_iommu *io;
	struct vfio_dev *dev;
	void *mem;
};

FIXTURE_VARIANT(scope) {
	const char *type;
	bool reports;	/* the devices declare reports_dirty */
};

FIXTURE_VARIANT_ADD(scope, reporting) { .type = "reporting", .reports = true };
FIXTURE_VARIANT_ADD(scope, plain) { .type = "plain", .reports = false };

/* A, B and C mapped, tracking on */
static int scope_acquire(FIXTURE_DATA(scope) *self, const char *type)
{
	static const struct dirty_range layout[] = {
		{ IOVA_A, PAGES_A, VFIO_DMA_RW },
		{ IOVA_B, PAGES_B, VFIO_DMA_RW },
		{ IOVA_C, PAGES_C, VFIO_DMA_MAP_FLAG_READ },
	};
	int ret = dtm_set_open(&self->s, type, NDEV);

	self->io = &self->s.io;
	self->dev = self->s.dev;
	if (ret)
		return ret;
	return dirty_mem_map(self->io, &self->mem, layout, 3);
}

FIXTURE_SETUP(scope)
{
	int ret = scope_acquire(self, variant->type);

	if (ret)
		dtm_set_close(&self->s);
	ASSERT_EQ(0, ret);
}

FIXTURE_TEARDOWN(scope)
{
	EXPECT_EQ(0, dtm_set_close(&self->s));
}

/* Read-and-clear GET_BITMAP over A+B; compare with the expected pages. */
#define EXPECT_DIRTY(...) do {						\
	int __pg[] = { -1, __VA_ARGS__ };				\
	struct bm __want = {}, __got = {};				\
	char __b1[512], __b2[512];					\
	unsigned int __i;						\
	for (__i = 1; __i < sizeof(__pg) / sizeof(__pg[0]); __i++)	\
		bm_set(__want.w, __pg[__i]);				\
	test_vfio_dirty_get(self->io, IOVA_A, PAGES_AB * PAGE, PAGE,	\
			    __got.w, sizeof(__got.w));			\
	ASSERT_EQ(0, memcmp(&__want, &__got, sizeof(__got)))		\
		TH_LOG("want %s got %s", bm_str(&__want, __b1, 512),	\
		       bm_str(&__got, __b2, 512));			\
} while (0)

TEST_F(scope, starts_clean_and_reports_scope)
{
	EXPECT_DIRTY();
	ASSERT_EQ(variant->reports ? VFIO_DIRTY_SCOPE_DEVICE :
				     VFIO_DIRTY_SCOPE_PINNED,
		  vfio_dirty_scope(self->io));
}

TEST_F(scope, mark_read_and_clear)
{
	test_dtm_mark(&self->dev[0], PG(3), PAGE);
	test_dtm_mark(&self->dev[1], PG(120), 10);
	EXPECT_DIRTY(3, 120);
	EXPECT_DIRTY();
	test_dtm_mark(&self->dev[0], PG(3), 1);
	EXPECT_DIRTY(3);
	EXPECT_DIRTY();
}

TEST_F(scope, mark_rounds_partial_pages_outward)
{
	test_dtm_mark(&self->dev[0], PG(0) + 100, 1);
	test_dtm_mark(&self->dev[0], PG(10) + PAGE - 1, 2);
	test_dtm_mark(&self->dev[0], PG(20) + 1, 2 * PAGE);
	EXPECT_DIRTY(0, 10, 11, 20, 21, 22);
}

TEST_F(scope, mark_across_mapping_boundary)
{
	struct bm want = {}, got;
	int i;

	/* last byte of A's last page .. first byte of B's second page */
	test_dtm_mark(&self->dev[0], PG(99) + PAGE - 1, PAGE + 2);
	EXPECT_DIRTY(99, 100, 101);
	/* the whole of A and B in one call: every page, nothing past B */
	test_dtm_mark(&self->dev[1], IOVA_A, PAGES_AB * PAGE);
	memset(&got, 0, sizeof(got));
	test_vfio_dirty_get(self->io, IOVA_A, PAGES_AB * PAGE, PAGE, got.w,
			    sizeof(got.w));
	for (i = 0; i < PAGES_AB; i++)
		bm_set(want.w, i);
	ASSERT_EQ(0, memcmp(&want, &got, sizeof(got)))
		TH_LOG("%d pages reported, want all %d",
		       (int)bm_count(got.w, BM_WORDS * 64), PAGES_AB);
	EXPECT_DIRTY();
}

TEST_F(scope, mark_outside_mappings_fails_and_changes_nothing)
{
	/* in the hole after B */
	test_err_dtm_mark(EINVAL, &self->dev[0], IOVA_B + PAGES_B * PAGE, 1);
	/* starts in B, runs into the hole: nothing may be marked */
	test_err_dtm_mark(EINVAL, &self->dev[0], PG(130), 20 * PAGE);
	/* before A */
	test_err_dtm_mark(EINVAL, &self->dev[0], IOVA_A - 1, 2);
	/* read-only mapping */
	test_err_dtm_mark(EPERM, &self->dev[0], IOVA_C, 1);
	/* zero length, wrapping range */
	test_err_dtm_mark(EINVAL, &self->dev[0], PG(1), 0);
	test_err_dtm_mark(EINVAL, &self->dev[0], ~0ULL - 10, 100);
	test_err_dtm_mark(EINVAL, &self->dev[0], PG(1), ~0ULL);
	EXPECT_DIRTY();
}

TEST_F(scope, mark_while_tracking_off_is_noop)
{
	test_vfio_dirty_ctl(self->io, VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP);
	test_dtm_mark(&self->dev[0], PG(5), PAGE);
	/* not looked up while off: an unmapped range is not refused */
	test_dtm_mark(&self->dev[0], 0, PAGE);
	/* GET_BITMAP is refused while off */
	test_err_vfio_dirty_get(EINVAL, self->io, IOVA_A, PAGES_AB * PAGE, PAGE,
				(uint64_t[BM_WORDS]){}, BM_WORDS * 8);
	test_vfio_dirty_ctl(self->io, VFIO_IOMMU_DIRTY_PAGES_FLAG_START);
	EXPECT_DIRTY();
}

TEST_F(scope, dirty_pin_stays_dirty_while_pinned)
{
	test_dtm_pin(&self->dev[0], PG(5), 2, 0);
	EXPECT_DIRTY(5, 6);
	EXPECT_DIRTY(5, 6);
	test_dtm_unpin(&self->dev[0], PG(5), 2, 0);
	/* re-populated at the last report: still dirty once */
	EXPECT_DIRTY(5, 6);
	EXPECT_DIRTY();
}

TEST_F(scope, clean_pin_never_dirties_by_itself)
{
	test_dtm_pin(&self->dev[0], PG(7), 1, DTM_CLEAN);
	test_dtm_pin(&self->dev[0], PG(101), 3, DTM_CLEAN);
	if (variant->reports) {
		EXPECT_DIRTY();
		EXPECT_DIRTY();
	} else {
		/* pinned scope: every pinned page, whatever its intent */
		EXPECT_DIRTY(7, 101, 102, 103);
		EXPECT_DIRTY(7, 101, 102, 103);
	}
	test_dtm_mark(&self->dev[0], PG(102), 4);
	if (variant->reports)
		EXPECT_DIRTY(102);
	test_dtm_unpin(&self->dev[0], PG(7), 1, DTM_CLEAN);
	test_dtm_unpin(&self->dev[0], PG(101), 3, DTM_CLEAN);
}

TEST_F(scope, unpin_never_clears_interval_bits)
{
	test_dtm_pin(&self->dev[0], PG(9), 1, DTM_CLEAN);
	test_dtm_mark(&self->dev[0], PG(9), PAGE);
	test_dtm_unpin(&self->dev[0], PG(9), 1, DTM_CLEAN);
	EXPECT_DIRTY(9);
	EXPECT_DIRTY();
	/* a dirty pin taken and dropped within one interval */
	test_dtm_pin(&self->dev[1], PG(50), 1, 0);
	test_dtm_unpin(&self->dev[1], PG(50), 1, 0);
	EXPECT_DIRTY(50);
	EXPECT_DIRTY();
}

TEST_F(scope, two_devices_one_page_different_intents)
{
	test_dtm_pin(&self->dev[0], PG(11), 1, 0);
	test_dtm_pin(&self->dev[1], PG(11), 1, DTM_CLEAN);
	EXPECT_DIRTY(11);
	EXPECT_DIRTY(11);
	/* the dirty-intent pin goes: bit set in this interval survives */
	test_dtm_unpin(&self->dev[0], PG(11), 1, 0);
	EXPECT_DIRTY(11);
	if (variant->reports)
		EXPECT_DIRTY();
	else
		EXPECT_DIRTY(11);
	/* and the other way round */
	test_dtm_pin(&self->dev[0], PG(11), 1, 0);
	test_dtm_unpin(&self->dev[1], PG(11), 1, DTM_CLEAN);
	EXPECT_DIRTY(11);
	EXPECT_DIRTY(11);
	test_dtm_unpin(&self->dev[0], PG(11), 1, 0);
	EXPECT_DIRTY(11);
	EXPECT_DIRTY();
}

TEST_F(scope, dma_rw_write_is_dirty_read_is_not)
{
	char buf[PAGE], rd[3 * PAGE];

	memset(buf, 0xa5, sizeof(buf));
	test_dtm_rw(&self->dev[0], PG(30) + 10, buf, PAGE, true);
	test_dtm_rw(&self->dev[0], PG(60), rd, sizeof(rd), false);
	EXPECT_DIRTY(30, 31);
	ASSERT_EQ(0, memcmp((char *)self->mem + 30 * PAGE + 10, buf, PAGE));
	ASSERT_EQ(0x5a, rd[0]);
	ASSERT_EQ(0x5a, rd[sizeof(rd) - 1]);
}

TEST_F(scope, unmap_get_dirty_bitmap_reports_and_unpins)
{
	uint64_t bm[2] = {};
	struct dtm_info info;

	test_dtm_pin(&self->dev[0], PG(100), 1, DTM_CLEAN);
	test_dtm_pin(&self->dev[1], PG(110), 1, 0);
	test_dtm_mark(&self->dev[0], PG(130), PAGE);
	test_vfio_dma_unmap_dirty(self->io, IOVA_B, PAGES_B * PAGE, bm,
				  sizeof(bm));
	/* B's page i is bit i of this bitmap */
	ASSERT_EQ(variant->reports ? (1ULL << 10 | 1ULL << 30) :
				     (1ULL << 0 | 1ULL << 10 | 1ULL << 30),
		  bm[0]);
	ASSERT_EQ(0, bm[1]);
	test_dtm_info(&self->dev[0], &info);
	ASSERT_EQ(0, info.pinned_clean + info.pinned_dirty);
	ASSERT_EQ(1, info.unmap_unpins);
	test_dtm_info(&self->dev[1], &info);
	ASSERT_EQ(1, info.unmap_unpins);
	/* B is gone: marks and pins there fail */
	test_err_dtm_mark(EINVAL, &self->dev[0], IOVA_B, 1);
	ASSERT_NE(0, dtm_pin(&self->dev[0], IOVA_B, 1, 0));
}

TEST_F(scope, read_only_pin_of_read_only_mapping)
{
	test_err_dtm_pin(EPERM, &self->dev[0], IOVA_C, 1, 0);
	test_dtm_pin(&self->dev[0], IOVA_C, 1, DTM_READONLY | DTM_CLEAN);
	test_dtm_unpin(&self->dev[0], IOVA_C, 1, DTM_CLEAN);
}

TEST_F(scope, bad_unpin_is_refused_and_changes_nothing)
{
	test_dtm_pin(&self->dev[0], PG(40), 1, 0);
	test_err_dtm_unpin(EINVAL, &self->dev[0], PG(40), 1, DTM_CLEAN);
	test_err_dtm_unpin(EINVAL, &self->dev[1], PG(40), 1, 0);
	test_err_dtm_unpin(EINVAL, &self->dev[0], PG(40), 2, 0);
	EXPECT_DIRTY(40);
	test_dtm_unpin(&self->dev[0], PG(40), 1, 0);
}

/* Bitmap queries at offsets and sizes that are not multiples of 64. */
TEST_F(scope, bitmap_of_b_alone_and_of_a_plus_b)
{
	uint64_t bm[1] = {};

	test_dtm_mark(&self->dev[0], PG(100), PAGE);
	test_dtm_mark(&self->dev[0], PG(136), PAGE);
	test_dtm_mark(&self->dev[0], PG(63), 2 * PAGE);
	test_vfio_dirty_get(self->io, IOVA_B, PAGES_B * PAGE, PAGE, bm,
			    sizeof(bm));
	ASSERT_EQ(1ULL | 1ULL << 36, bm[0]);
	EXPECT_DIRTY(63, 64);
}

/*
 * A report whose copy to user space faults part way (the user's bitmap
 * runs into a PROT_NONE page: A's words copy out, B's do not) fails with
 * EFAULT and loses nothing: the next report has every bit, in place.
 */
TEST_F(scope, faulting_report_loses_nothing)
{
	char *buf = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, buf);
	ASSERT_EQ(0, mprotect(buf + PAGE, PAGE, PROT_NONE));
	test_dtm_mark(&self->dev[0], PG(3), 1);
	test_dtm_mark(&self->dev[0], PG(101), 1);
	test_dtm_mark(&self->dev[0], PG(120), 1);
	/* words 0 and 1 writable, word 2 faults */
	test_err_vfio_dirty_get(EFAULT, self->io, IOVA_A, PAGES_AB * PAGE, PAGE,
				(uint64_t *)(buf + PAGE - 16), 24);
	EXPECT_DIRTY(3, 101, 120);
	EXPECT_DIRTY();
	munmap(buf, 2 * PAGE);
}

TEST_F(scope, bad_bitmap_requests)
{
	uint64_t bm[BM_WORDS];

	/* wrong page size, unaligned, bisecting a mapping, too small */
	test_err_vfio_dirty_get(EINVAL, self->io, IOVA_A, PAGES_AB * PAGE,
				2 * PAGE, bm, sizeof(bm));
	test_err_vfio_dirty_get(EINVAL, self->io, IOVA_A + 1, PAGES_A * PAGE,
				PAGE, bm, sizeof(bm));
	test_err_vfio_dirty_get(EINVAL, self->io, IOVA_A, PAGE, PAGE, bm,
				sizeof(bm));
	test_err_vfio_dirty_get(EINVAL, self->io, IOVA_A, PAGES_AB * PAGE,
				PAGE, bm, 8);
	/* a range that wraps */
	test_err_vfio_dirty_get(type1_inclusive_ends() ? EOVERFLOW : EINVAL,
				self->io, ~0ULL - PAGE + 1, 2 * PAGE, PAGE, bm,
				sizeof(bm));
	test_err_vfio_dirty_ctl(EINVAL, self->io, 1 << 7);
	test_err_vfio_dirty_ctl(EINVAL, self->io,
				VFIO_IOMMU_DIRTY_PAGES_FLAG_START |
				VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP);
}

TEST_F(scope, get_info_argsz)
{
	struct vfio_iommu_type1_info info = {};

	info.argsz = offsetof(struct vfio_iommu_type1_info, iova_pgsizes);
	ASSERT_EQ(-1, ioctl(self->io->fd, VFIO_IOMMU_GET_INFO, &info));
	ASSERT_EQ(EINVAL, errno);
	/* no room for capabilities: none copied, argsz says how much */
	info.argsz = sizeof(info);
	ASSERT_EQ(0, ioctl(self->io->fd, VFIO_IOMMU_GET_INFO, &info));
	ASSERT_EQ(0, info.cap_offset);
	ASSERT_LT(sizeof(info), info.argsz);
}

TEST_F(scope, bad_test_ioctl_args)
{
	struct dtm_pin p = { .argsz = sizeof(p) - 1, .iova = PG(1), .npages = 1 };

	ASSERT_EQ(-1, ioctl(self->dev[0].fd, DTM_PIN, &p));
	ASSERT_EQ(EINVAL, errno);
	test_err_dtm_pin(EINVAL, &self->dev[0], PG(1), 1, 1 << 5);
	test_err_dtm_pin(EINVAL, &self->dev[0], PG(1) + 1, 1, 0);
	test_err_dtm_pin(EINVAL, &self->dev[0], PG(1), 0, 0);
	test_err_dtm_pin(EINVAL, &self->dev[0], ~0ULL & ~(PAGE - 1), 2, 0);
	/*
	 * Partly outside the mappings: unwinds, nothing stays pinned.  The
	 * pages were pinned for a moment: a plain container reports them.
	 */
	test_err_dtm_pin(EINVAL, &self->dev[0], PG(130), 10, DTM_CLEAN);
	if (variant->reports)
		EXPECT_DIRTY();
	else
		EXPECT_DIRTY(130, 131, 132, 133, 134, 135, 136);
	EXPECT_DIRTY();
}

TEST_HARNESS_MAIN
