// SPDX-License-Identifier: GPL-2.0
/*
 * Two threads, one container, each looping MAP_DMA of its own 64 KiB,
 * pin one page through the device, UNMAP_DMA (the device unpins from its
 * dma_unmap callback).  Stock 6.12 deadlocks here within a second
 * (device_list_lock vs iommu->lock); the patched type1 must make progress
 * the whole time.  TEST_PHASE says which to expect (deadlock_watch.h):
 * run-suite.sh runs the patched case, make check's deadlock control boot
 * the stock one, whose stall the test must observe.
 */
#include <pthread.h>
#include "dirty_utils.h"
#include "deadlock_watch.h"

struct loop_ctx {
	int c, dev;
	void *mem[2];
};

static int iteration(void *arg, int id, unsigned long n, const char **step)
{
	struct loop_ctx *x = arg;
	uint64_t iova = 0x10000000UL + id * 0x100000UL;
	int err;

	*step = "MAP_DMA";
	err = map_dma_raw(x->c, iova, x->mem[id], 16 * PAGE,
			  VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE);
	if (err)
		return err;
	*step = "pin";
	err = dtm_pin_raw(x->dev, iova + PAGE, 1, 0);
	if (err)
		return err;
	*step = "UNMAP_DMA";
	return unmap_dma_raw(x->c, iova, 16 * PAGE);
}

TEST(two_threads_map_pin_unmap_progress)
{
	struct loop_ctx x = {};
	bool stuck = false;
	char uuid[37];
	int g, i;

	x.c = open("/dev/vfio/vfio", O_RDWR);
	ASSERT_LE(0, x.c);
	ASSERT_EQ(0, dtm_create_raw("plain", uuid));
	ASSERT_EQ(0, vfio_open_device_raw(x.c, uuid, &g, &x.dev));
	for (i = 0; i < 2; i++) {
		x.mem[i] = mmap(NULL, 16 * PAGE, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		ASSERT_NE(MAP_FAILED, x.mem[i]);
	}
	dl_run(_metadata, iteration, &x, &stuck);
	if (stuck)
		return;	/* the loop child holds the device for good */
	close(x.dev);
	close(g);
	close(x.c);
	ASSERT_EQ(0, mdev_remove_raw(uuid));
}

TEST_HARNESS_MAIN
