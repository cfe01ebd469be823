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
 * make progress in every second of the run.
 *
 * Against the stock modules the test is skipped unless
 * UNMAP_DEADLOCK_STOCK=1; the harness timeout then reports the hang.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "vgpu_test_common.h"

#define SECONDS		3
#define WINDOW		(16 * VGPU_PAGE_SIZE)

struct worker {
	struct vgpu *g;
	int id;
	bool self_unpin;
	void *mem;
	atomic_bool *stop;
	atomic_ulong iters;
	int err;
	const char *step;
};

static int map_raw(int c, __u64 iova, void *mem)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (__u64)(uintptr_t)mem,
		.iova = iova,
		.size = WINDOW,
	};

	return ioctl(c, VFIO_IOMMU_MAP_DMA, &map) ? -errno : 0;
}

static int unmap_raw(int c, __u64 iova)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.iova = iova,
		.size = WINDOW,
	};

	if (ioctl(c, VFIO_IOMMU_UNMAP_DMA, &unmap))
		return -errno;
	return unmap.size == WINDOW ? 0 : -EIO;
}

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

static int iteration(struct worker *w, __u64 iova, __u32 entry)
{
	int ret;

	w->step = "MAP_DMA";
	ret = map_raw(w->g->container, iova, w->mem);
	if (ret)
		return ret;
	w->step = "GTT pin";
	ret = gtt_pin(w->g, entry, iova + VGPU_PAGE_SIZE);
	if (ret)
		return ret;
	if (w->self_unpin && (w->iters & 1)) {
		w->step = "GTT clear";
		ret = vgpu_wr64(w->g, VGPU_GTT_WINDOW + 8 * entry, 0);
		if (ret)
			return ret;
	}
	w->step = "UNMAP_DMA";
	return unmap_raw(w->g->container, iova);
}

static void *loop(void *arg)
{
	struct worker *w = arg;
	__u64 iova = 0x10000000ull + w->id * 0x100000ull;
	__u32 entry = 8 + 8 * w->id;

	while (!*w->stop) {
		w->err = iteration(w, iova, entry);
		if (w->err)
			break;
		w->iters++;
	}
	return NULL;
}

static bool stock_modules(void)
{
	char v[16] = "";
	FILE *f = fopen("/tmp/vfio-variant", "r");

	if (!f)
		return false;
	if (!fgets(v, sizeof(v), f))
		v[0] = 0;
	fclose(f);
	return !strncmp(v, "stock", 5);
}

FIXTURE(deadlock) {
	struct vgpu g;
	char uuid[VGPU_UUID_LEN];
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
	memset(&self->g, 0, sizeof(self->g));
	self->uuid[0] = 0;
	if (!vgpu_present())
		SKIP(return, "sample_vgpu not loaded");
	if (stock_modules() && !getenv("UNMAP_DEADLOCK_STOCK"))
		SKIP(return, "stock type1 deadlocks here");
	ASSERT_EQ(0, vgpu_mdev_create(VGPU_TYPE_SMALL, self->uuid));
	ASSERT_EQ(0, vgpu_open(&self->g, self->uuid));
}

FIXTURE_TEARDOWN(deadlock)
{
	vgpu_test_teardown(&self->g, self->uuid);
}

TEST_F(deadlock, two_threads_map_gtt_pin_unmap_progress)
{
	struct worker w[2] = {};
	atomic_bool stop = false;
	unsigned long seen[SECONDS][2];
	pthread_t th[2];
	int i, s;

	for (i = 0; i < 2; i++) {
		w[i].g = &self->g;
		w[i].id = i;
		w[i].self_unpin = variant->self_unpin;
		w[i].stop = &stop;
		w[i].mem = mmap(NULL, WINDOW, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		ASSERT_NE(MAP_FAILED, w[i].mem);
		ASSERT_EQ(0, pthread_create(&th[i], NULL, loop, &w[i]));
	}
	for (s = 0; s < SECONDS; s++) {
		sleep(1);
		for (i = 0; i < 2; i++)
			seen[s][i] = w[i].iters;
	}
	stop = true;
	for (i = 0; i < 2; i++) {
		pthread_join(th[i], NULL);
		EXPECT_EQ(0, w[i].err)
			TH_LOG("thread %d: %s failed: %d", i, w[i].step,
			       w[i].err);
		/* progress in each second after the first */
		for (s = 1; s < SECONDS; s++)
			EXPECT_LT(seen[s - 1][i] + 10, seen[s][i])
				TH_LOG("thread %d stalled in second %d: %lu then %lu",
				       i, s + 1, seen[s - 1][i], seen[s][i]);
		munmap(w[i].mem, WINDOW);
	}
	TH_LOG("%lu + %lu iterations in %d s", (unsigned long)w[0].iters,
	       (unsigned long)w[1].iters, SECONDS);
	/* every pin was dropped, by dma_unmap or by the GTT clear */
	EXPECT_EQ(0, vgpu_counter(self->uuid, "pages_pinned"));
}

TEST_HARNESS_MAIN
