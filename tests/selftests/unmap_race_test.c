// SPDX-License-Identifier: GPL-2.0
/*
 * A dma_unmap callback must never reach a mapping that is live: an unmap
 * that dropped iommu->lock to notify the drivers must not have its range
 * unmapped and mapped again under it.  The test mdev's callbacks sleep
 * (DTM_CONFIG) to hold the windows open:
 *
 *   X: UNMAP_DMA of R0, where the device holds a pin: its callback sleeps;
 *   A: UNMAP_DMA of R1, where the device holds pin p1, while X sleeps;
 *   main: the device drops p1 itself, UNMAP_DMA R1, MAP_DMA R1' (R1 and the
 *         range after it) and pins p1 again in R1'.
 *
 * With unmaps serialised, A runs after X and main's unmap after A (or, if
 * main wins device_list_lock, A after main): A never notifies about R1'
 * and main's new pin in R1' stays.  Had A been notified late, it would
 * have told the device to drop its pins of R1 after R1' was mapped:
 * main's new pin gone from a live mapping, and A's unmap of R1 refused as
 * bisecting R1'.  Stock type1 deadlocks here (the lock order patch 1
 * fixes), so the test runs on the series, or its fixes part, only.
 */
#include <pthread.h>
#include "dirty_utils.h"

#define IOVA_R0		0x10000000UL
#define IOVA_R1		0x20000000UL
#define NPAGES		16

FIXTURE(race) {
	struct dtm_set s;
	struct vfio_dev *dev;
	char *mem;
};

FIXTURE_SETUP(race)
{
	int ret;

	if (vfio_variant_is("stock"))
		SKIP(return, "stock type1 deadlocks here");
	ret = dtm_set_open(&self->s, "plain", 1);
	self->dev = &self->s.dev[0];
	self->mem = mmap(NULL, 3 * NPAGES * PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!ret && self->mem == MAP_FAILED)
		ret = -ENOMEM;
	if (ret)
		dtm_set_close(&self->s);
	ASSERT_EQ(0, ret);
}

FIXTURE_TEARDOWN(race)
{
	EXPECT_EQ(0, dtm_set_close(&self->s));
	munmap(self->mem, 3 * NPAGES * PAGE);
}

struct unmap_arg {
	struct vfio_iommu *io;
	int ret;
	__u64 iova, unmapped;
};

/* UNMAP_DMA of NPAGES at a->iova, keeping the size unmapped */
static void *unmap_thread(void *p)
{
	struct unmap_arg *a = p;
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap), .iova = a->iova,
		.size = NPAGES * PAGE,
	};

	a->ret = ioctl(a->io->fd, VFIO_IOMMU_UNMAP_DMA, &unmap) ? -errno : 0;
	a->unmapped = unmap.size;
	return NULL;
}

TEST_F(race, late_unmap_notify_never_reaches_a_live_mapping)
{
	struct vfio_iommu *io = &self->s.io;
	struct unmap_arg x = { .io = io, .iova = IOVA_R0 };
	struct unmap_arg a = { .io = io, .iova = IOVA_R1 };
	struct unmap_arg m = { .io = io, .iova = IOVA_R1 };
	struct dtm_info info;
	pthread_t tx, ta;

	test_vfio_dma_map(io, IOVA_R0, self->mem, NPAGES * PAGE);
	test_vfio_dma_map(io, IOVA_R1, self->mem + NPAGES * PAGE,
			  NPAGES * PAGE);
	test_dtm_pin(self->dev, IOVA_R0 + PAGE, 1, 0);
	test_dtm_pin(self->dev, IOVA_R1 + PAGE, 1, 0);
	test_dtm_unmap_delay(self->dev, 600);

	ASSERT_EQ(0, pthread_create(&tx, NULL, unmap_thread, &x));
	usleep(150 * 1000);
	ASSERT_EQ(0, pthread_create(&ta, NULL, unmap_thread, &a));
	usleep(150 * 1000);
	/* the device drops p1 by itself, then the user remaps R1 bigger */
	test_dtm_unpin(self->dev, IOVA_R1 + PAGE, 1, 0);
	unmap_thread(&m);
	ASSERT_EQ(0, m.ret);
	test_vfio_dma_map(io, IOVA_R1, self->mem + NPAGES * PAGE,
			  2 * NPAGES * PAGE);
	test_dtm_pin(self->dev, IOVA_R1 + PAGE, 1, 0);
	ASSERT_EQ(0, pthread_join(tx, NULL));
	ASSERT_EQ(0, pthread_join(ta, NULL));
	test_dtm_unmap_delay(self->dev, 0);

	ASSERT_EQ(0, x.ret);
	ASSERT_EQ(NPAGES * PAGE, x.unmapped);
	/*
	 * Either A ran first and removed R1 (the device had dropped p1), and
	 * main's unmap found nothing; or main's unmap took device_list_lock
	 * first, and A, run after main mapped R1', is refused as bisecting it
	 * without notifying anyone.
	 */
	if (a.ret == 0) {
		ASSERT_EQ(NPAGES * PAGE, a.unmapped);
		ASSERT_EQ(0, m.unmapped);
	} else {
		ASSERT_EQ(-EINVAL, a.ret);
		ASSERT_EQ(NPAGES * PAGE, m.unmapped);
	}
	/* the pin taken in the live R1' is still held */
	test_dtm_info(self->dev, &info);
	ASSERT_EQ(1, info.pinned_dirty);
	ASSERT_EQ(1, info.unmap_unpins);
	test_dtm_unpin(self->dev, IOVA_R1 + PAGE, 1, 0);
	test_vfio_dma_unmap(io, IOVA_R1, 2 * NPAGES * PAGE);
}

TEST_HARNESS_MAIN
