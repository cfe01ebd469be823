// SPDX-License-Identifier: GPL-2.0-only
/*
 * vgpu_deadlock_test - the unmap deadlock of issue 6 with the sample vGPU's
 * GTT pins.
 *
 * Two threads share one container and one vGPU.  Each loops: MAP_DMA of its
 * own 64 KiB, write a GTT entry of its own that points into it (the vGPU
 * pins the page under its device lock), UNMAP_DMA (type1 calls the vGPU's
 * dma_unmap, which takes the device lock and unpins).  In the "self_unpin"
 * variant every other iteration clears the GTT entry first, so the vGPU
 * also unpins from its ordinary MMIO path.  Stock 6.12 type1 deadlocks
 * here (device_list_lock vs iommu->lock); with the series each thread must
 * complete its iterations, many of them while the other completes some of
 * its own (deadlock_watch.h counts both).  TEST_PHASE says which to
 * expect (tests/selftests/deadlock_watch.h): run-suite.sh runs the patched
 * case, make check's deadlock control boot the stock one, whose stall the
 * test must observe.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "vgpu_test_common.h"
#include "../selftests/deadlock_watch.h"

#define WINDOW		(16 * VGPU_PAGE_SIZE)

struct loop_ctx {
	struct vgpu *g;
	bool self_unpin;
	void *mem[2];
};

/* Point GTT entry @entry at @iova and check that the vGPU pinned it. */
static int gtt_pin(struct vgpu *g, __u32 entry, __u64 iova)
{
	__u32 off = VGPU_GTT_WINDOW + 8 * entry;
	__u64 val;
	int ret;

	ret = vgpu_wr64(g, off, iova | VGPU_GTT_VALID);
	if (!ret)
		ret = vgpu_rd64(g, off, &val);
	if (!ret && val != (iova | VGPU_GTT_VALID))
		ret = -EIO;
	return ret;
}

static int iteration(void *arg, int id, unsigned long n, const char **step)
{
	struct loop_ctx *x = arg;
	__u64 iova = 0x10000000ull + id * 0x100000ull;
	__u32 entry = 8 + 8 * id;
	int ret;

	*step = "MAP_DMA";
	ret = vfio_dma_map(&x->g->iommu, iova, x->mem[id], WINDOW,
			   VFIO_DMA_RW);
	if (ret)
		return ret;
	*step = "GTT pin";
	ret = gtt_pin(x->g, entry, iova + VGPU_PAGE_SIZE);
	if (ret)
		return ret;
	if (x->self_unpin && (n & 1)) {
		*step = "GTT clear";
		ret = vgpu_wr64(x->g, VGPU_GTT_WINDOW + 8 * entry, 0);
		if (ret)
			return ret;
	}
	*step = "UNMAP_DMA";
	return vfio_dma_unmap(&x->g->iommu, iova, WINDOW);
}

FIXTURE(deadlock) {
	struct vgpu g;
	char uuid[VFIO_UUID_LEN];
	bool stuck;
};

FIXTURE_VARIANT(deadlock) {
	bool self_unpin;
};

FIXTURE_VARIANT_ADD(deadlock, unmap_unpins) {
	.self_unpin = false,
};

FIXTURE_VARIANT_ADD(deadlock, self_unpin) {
	.self_unpin = true,
};

FIXTURE_SETUP(deadlock)
{
	int ret;

	if (!vgpu_present())
		SKIP(return, "sample_vgpu not loaded");
	ret = vgpu_mdev_create(VGPU_TYPE_SMALL, self->uuid);
	if (!ret)
		ret = vgpu_open(&self->g, self->uuid);
	if (ret)
		vgpu_test_teardown(&self->g, self->uuid);
	ASSERT_EQ(0, ret);
}

FIXTURE_TEARDOWN(deadlock)
{
	if (self->stuck)	/* a child holds the device for good */
		self->uuid[0] = 0;
	vgpu_test_teardown(&self->g, self->uuid);
}

TEST_F_TIMEOUT(deadlock, two_threads_map_gtt_pin_unmap_progress,
	       DL_TIMEOUT_S)
{
	struct loop_ctx x = { .g = &self->g, .self_unpin = variant->self_unpin };
	int i;

	for (i = 0; i < 2; i++) {
		x.mem[i] = mmap(NULL, WINDOW, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		ASSERT_NE(MAP_FAILED, x.mem[i]);
	}
	dl_run(_metadata, iteration, &x, &self->stuck);
	if (self->stuck)
		return;
	/* every pin was dropped, by dma_unmap or by the GTT clear */
	EXPECT_EQ(0, vgpu_counter(self->uuid, "pages_pinned"));
	for (i = 0; i < 2; i++)
		munmap(x.mem[i], WINDOW);
}

TEST_HARNESS_MAIN
