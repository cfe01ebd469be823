// SPDX-License-Identifier: GPL-2.0
/*
 * The stock type1 bugs that the fixes at the head of the series address,
 * run on each module set: on the stock modules each test asserts what
 * stock 6.12 does, or 7.3 where it differs (so the record of stock
 * behaviour is a test that fails if it is wrong), on the series (or its
 * fixes part alone, in `make series-build`) what the fix does.  vfio-mods
 * says which set is loaded.
 *
 * Layout: mappings A (100 pages) and B (37 pages) are adjacent, so in a
 * report over both, B starts at bit 100 (not a multiple of 64).
 */
#include <pthread.h>
#include <time.h>
#include "dirty_utils.h"

#define IOVA_A		0x400000UL
#define PAGES_A		100
#define PAGES_B		37
#define IOVA_B		(IOVA_A + PAGES_A * PAGE)
#define PAGES_AB	(PAGES_A + PAGES_B)
#define PG(i)		(IOVA_A + (uint64_t)(i) * PAGE)
/* the last page of the IOVA space */
#define TOP_PAGE	(~0ULL - PAGE + 1)

FIXTURE(fixes) {
	struct dtm_set s;
	struct vfio_iommu *io;
	struct vfio_dev *dev;
	bool stock;	/* Debian's modules */
	bool fixes;	/* the fixes part of the series alone */
	char *mem;
};

static int fixes_acquire(FIXTURE_DATA(fixes) *self)
{
	int ret = dtm_set_open(&self->s, "plain", 1);

	self->io = &self->s.io;
	self->dev = &self->s.dev[0];
	if (ret)
		return ret;
	self->mem = dirty_mem_alloc(PAGES_AB * PAGE);
	return self->mem ? 0 : -ENOMEM;
}

FIXTURE_SETUP(fixes)
{
	int ret = fixes_acquire(self);

	self->stock = vfio_variant_is("stock");
	self->fixes = vfio_variant_is("fixes");
	if (ret)
		dtm_set_close(&self->s);
	ASSERT_EQ(0, ret);
}

FIXTURE_TEARDOWN(fixes)
{
	EXPECT_EQ(0, dtm_set_close(&self->s));
}

static void map_ab(struct __test_metadata *_metadata,
		   FIXTURE_DATA(fixes) *self)
{
	test_vfio_dma_map(self->io, IOVA_A, self->mem, PAGES_A * PAGE);
	test_vfio_dma_map(self->io, IOVA_B, self->mem + PAGES_A * PAGE,
			  PAGES_B * PAGE);
}

/* UNMAP_DMA as given (no check of the size unmapped): 0 or -errno */
static int unmap_raw(struct vfio_iommu *io, __u64 iova, __u64 size,
		     __u32 flags, __u64 *unmapped)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap), .flags = flags, .iova = iova,
		.size = size,
	};
	int ret = ioctl(io->fd, VFIO_IOMMU_UNMAP_DMA, &unmap) ? -errno : 0;

	*unmapped = unmap.size;
	return ret;
}

/*
 * A mapping that ends at 2^64.  Stock accepts it, then cannot find it:
 * pins and reports of it fail, UNMAP_DMA of it, and even with
 * VFIO_DMA_UNMAP_FLAG_ALL, succeeds having unmapped nothing, and the same
 * range can be mapped again and again, every copy holding a DMA entry
 * until the container is released.  (Behind an IOMMU whose aperture
 * reaches 2^64, the release would not unpin its pages either: its unpin
 * loop runs while iova < iova + size, which is 0.)  Its wrapped end also
 * misorders the tree of mappings, so that mappings added later below it
 * may not be found either.  The fix refuses it, and the mapping just
 * below it is an ordinary one.  A kernel with inclusive range ends serves
 * it like any other, stock or patched (the series for it drops the fix).
 */
TEST_F(fixes, mapping_ending_at_top_of_iova_space)
{
	long avail = vfio_dma_avail(self->io);
	uint64_t bm[1];
	__u64 unmapped;

	ASSERT_LT(2, avail);
	test_vfio_dirty_start(self->io);
	if (type1_inclusive_ends()) {
		test_vfio_dma_map(self->io, TOP_PAGE - PAGE, self->mem,
				  2 * PAGE);
		ASSERT_EQ(avail - 1, vfio_dma_avail(self->io));
		test_dtm_pin(self->dev, TOP_PAGE, 1, 0);
		test_vfio_dirty_get(self->io, TOP_PAGE - PAGE, 2 * PAGE, PAGE,
				    bm, sizeof(bm));
		ASSERT_EQ(2, bm[0]);
		test_dtm_unpin(self->dev, TOP_PAGE, 1, 0);
		ASSERT_EQ(0, unmap_raw(self->io, TOP_PAGE - PAGE, 2 * PAGE, 0,
				       &unmapped));
		ASSERT_EQ(2 * PAGE, unmapped);
		ASSERT_EQ(avail, vfio_dma_avail(self->io));
		return;
	}
	if (self->stock) {
		test_vfio_dma_map(self->io, TOP_PAGE - PAGE, self->mem,
				  2 * PAGE);
		ASSERT_EQ(avail - 1, vfio_dma_avail(self->io));
		test_err_dtm_pin(EINVAL, self->dev, TOP_PAGE, 1, 0);
		test_err_vfio_dirty_get(EINVAL, self->io, TOP_PAGE - PAGE,
					2 * PAGE, PAGE, bm, sizeof(bm));
		/* "success", nothing unmapped */
		ASSERT_EQ(0, unmap_raw(self->io, TOP_PAGE - PAGE, 2 * PAGE, 0,
				       &unmapped));
		ASSERT_EQ(0, unmapped);
		/* and a second, overlapping copy is accepted */
		test_vfio_dma_map(self->io, TOP_PAGE - PAGE, self->mem,
				  2 * PAGE);
		ASSERT_EQ(avail - 2, vfio_dma_avail(self->io));
		ASSERT_EQ(0, unmap_raw(self->io, 0, 0, VFIO_DMA_UNMAP_FLAG_ALL,
				       &unmapped));
		ASSERT_EQ(0, unmapped);
		ASSERT_EQ(avail - 2, vfio_dma_avail(self->io));
		return;
	}
	test_err_vfio_dma_map(EINVAL, self->io, TOP_PAGE - PAGE, self->mem,
			      2 * PAGE, VFIO_DMA_RW);
	ASSERT_EQ(avail, vfio_dma_avail(self->io));
	/* one page lower it is an ordinary mapping */
	test_vfio_dma_map(self->io, TOP_PAGE - 2 * PAGE, self->mem, 2 * PAGE);
	test_dtm_pin(self->dev, TOP_PAGE - PAGE, 1, 0);
	test_vfio_dirty_get(self->io, TOP_PAGE - 2 * PAGE, 2 * PAGE, PAGE, bm,
			    sizeof(bm));
	ASSERT_EQ(2, bm[0]);
	test_dtm_unpin(self->dev, TOP_PAGE - PAGE, 1, 0);
	test_vfio_dma_unmap(self->io, TOP_PAGE - 2 * PAGE, 2 * PAGE);
	ASSERT_EQ(avail, vfio_dma_avail(self->io));
}

/*
 * UNMAP_DMA of A and B with GET_DIRTY_BITMAP into a bitmap whose third
 * word is PROT_NONE: A's words copy out, B's fault.  Stock removes A and
 * fails, so the VMM drops the bitmap and A's dirty pages with it, and
 * leaves B's bits shifted by 36: the next report has them 36 pages off.
 * The fix fails with both mappings and all their bits in place.
 */
TEST_F(fixes, faulting_unmap_get_dirty_bitmap_loses_nothing)
{
	static const int pg[] = { 3, 64, 99, 101, 120, 136 };
	char *buf = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct bm want = {}, got = {};
	char b1[512], b2[512], one = 1;
	unsigned int i;

	ASSERT_NE(MAP_FAILED, buf);
	ASSERT_EQ(0, mprotect(buf + PAGE, PAGE, PROT_NONE));
	map_ab(_metadata, self);
	test_vfio_dirty_start(self->io);
	/* vfio_dma_rw(): dirty on stock and on the series */
	for (i = 0; i < ARRAY_SIZE(pg); i++) {
		test_dtm_rw(self->dev, PG(pg[i]), &one, 1, true);
		bm_set(want.w, pg[i]);
	}

	ASSERT_EQ(-EFAULT, vfio_dma_unmap_dirty(self->io, IOVA_A,
						PAGES_AB * PAGE,
						(uint64_t *)(buf + PAGE - 16),
						24));
	if (self->stock) {
		/*
		 * A is gone with pages 3, 64, 99; a report must start at B.
		 * B's pages 1, 20, 36 come 36 pages too high, two of them
		 * past B's end, and the user's word or'ed into B for the
		 * shift comes back as pages 0 and 35 (A's 64 and 99).
		 */
		test_vfio_dirty_get(self->io, IOVA_B, PAGES_B * PAGE, PAGE,
				    got.w, 8);
		ASSERT_EQ(1ULL << 0 | 1ULL << 35 | 1ULL << 37 | 1ULL << 56,
			  got.w[0])
			TH_LOG("stock B report %#llx",
			       (unsigned long long)got.w[0]);
	} else {
		test_vfio_dirty_get(self->io, IOVA_A, PAGES_AB * PAGE, PAGE,
				    got.w, sizeof(got.w));
		ASSERT_EQ(0, memcmp(&want, &got, sizeof(got)))
			TH_LOG("want %s got %s", bm_str(&want, b1, 512),
			       bm_str(&got, b2, 512));
		/* and a good unmap now removes both */
		test_vfio_dma_unmap_dirty(self->io, IOVA_A, PAGES_AB * PAGE,
					  got.w, sizeof(got.w));
		test_err_dtm_rw(EINVAL, self->dev, PG(3), &one, 1, true);
	}
	munmap(buf, 2 * PAGE);
}

/*
 * A pin without write permission: dirty on stock, never on the series.  Not
 * a fix: the fixes part alone reports it as stock does.
 */
TEST_F(fixes, read_only_pin_is_not_dirty)
{
	uint64_t bm[2];

	map_ab(_metadata, self);
	test_vfio_dirty_start(self->io);
	test_dtm_pin(self->dev, PG(5), 1, 0);
	test_dtm_pin(self->dev, PG(70), 1, DTM_READONLY);
	test_vfio_dirty_get(self->io, IOVA_A, PAGES_A * PAGE, PAGE, bm,
			    sizeof(bm));
	ASSERT_EQ(1ULL << 5, bm[0]);
	ASSERT_EQ(self->stock || self->fixes ? 1ULL << 6 : 0, bm[1]);
	test_dtm_unpin(self->dev, PG(5), 1, 0);
	test_dtm_unpin(self->dev, PG(70), 1, 0);
}

struct unmap_arg {
	struct vfio_iommu *io;
	int ret, done;
	__u64 iova, size, unmapped;
};

static void *unmap_thread(void *p)
{
	struct unmap_arg *a = p;

	a->ret = unmap_raw(a->io, a->iova, a->size, 0, &a->unmapped);
	__atomic_store_n(&a->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* whether @dev's dma_unmap callbacks reach @n within @secs */
static bool unmap_calls_reach(struct vfio_dev *dev, __u64 n, int secs)
{
	struct timespec t0, t;
	struct dtm_info info;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		if (dtm_info(dev, &info))
			return false;
		if (info.unmap_calls >= n)
			return true;
		usleep(1000);
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (t.tv_sec - t0.tv_sec < secs);
	return false;
}

/*
 * An unmap of A and the hole after it notifies the device about its pin in
 * A and, while the callback is held (DTM_CONFIG_UNMAP_HOLD: the test waits
 * until the callback has begun, maps, then releases it), the user maps C
 * straddling the unmap's end.  When the unmap looks again it is bisected:
 * stock reports success having unmapped nothing (the device has been told
 * to drop its pins of A all the same).  On the series the same, and A,
 * still mapped, can be pinned again: the unmap does not leave it closed to
 * pins.
 */
TEST_F(fixes, unmap_bisected_while_notifying)
{
	struct unmap_arg a = { .io = self->io, .iova = IOVA_A,
			       .size = (PAGES_A + 64) * PAGE };
	struct dtm_info info;
	bool entered, held;
	pthread_t th;
	void *c_mem;

	c_mem = mmap(NULL, 64 * PAGE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, c_mem);
	test_vfio_dma_map(self->io, IOVA_A, self->mem, PAGES_A * PAGE);
	test_dtm_pin(self->dev, PG(10), 1, 0);
	test_dtm_unmap_hold(self->dev, 10000);
	ASSERT_EQ(0, pthread_create(&th, NULL, unmap_thread, &a));
	entered = unmap_calls_reach(self->dev, 1, 10);
	/* C: from 32 pages after A to 32 pages past the unmap's end */
	if (entered)
		test_vfio_dma_map(self->io, PG(PAGES_A + 32), c_mem,
				  64 * PAGE);
	held = !__atomic_load_n(&a.done, __ATOMIC_ACQUIRE);
	test_dtm_unmap_delay(self->dev, 0);
	ASSERT_EQ(0, pthread_join(th, NULL));
	ASSERT_TRUE(entered)
		TH_LOG("no dma_unmap callback within 10 s (unmap ret %d)",
		       a.ret);
	ASSERT_TRUE(held)
		TH_LOG("the callback's hold expired before C was mapped");

	ASSERT_EQ(0, a.ret);
	ASSERT_EQ(0, a.unmapped);
	test_dtm_info(self->dev, &info);
	ASSERT_EQ(1, info.unmap_unpins);
	ASSERT_EQ(0, info.pinned_dirty);
	/* A is still mapped and takes pins again */
	test_dtm_pin(self->dev, PG(10), 1, 0);
	test_dtm_unpin(self->dev, PG(10), 1, 0);
	munmap(c_mem, 64 * PAGE);
}

TEST_HARNESS_MAIN
