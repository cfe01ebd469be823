// SPDX-License-Identifier: GPL-2.0
/*
 * Two threads, one container, each looping MAP_DMA of its own 64 KiB,
 * pin one page through the device, UNMAP_DMA (the device unpins from its
 * dma_unmap callback).  Stock 6.12 deadlocks here within a second
 * (device_list_lock vs iommu->lock); the patched type1 must let both threads
 * complete their iterations, interleaved.  TEST_PHASE says which to expect (deadlock_watch.h):
 * run-suite.sh runs the patched case, make check's deadlock control boot
 * the stock one, whose stall the test must observe.
 */
#include <pthread.h>
#include "dirty_utils.h"
#include "deadlock_watch.h"

struct loop_ctx {
	struct vfio_iommu *io;
	struct vfio_dev *dev;
	void *mem[2];
};

static int iteration(void *arg, int id, unsigned long n, const char **step)
{
	struct loop_ctx *x = arg;
	uint64_t iova = 0x10000000UL + id * 0x100000UL;
	int err;

	*step = "MAP_DMA";
	err = vfio_dma_map(x->io, iova, x->mem[id], 16 * PAGE, VFIO_DMA_RW);
	if (err)
		return err;
	*step = "pin";
	err = dtm_pin(x->dev, iova + PAGE, 1, 0);
	if (err)
		return err;
	*step = "UNMAP_DMA";
	return vfio_dma_unmap(x->io, iova, 16 * PAGE);
}

/* a plain test mdev in a container */
FIXTURE(unmap_deadlock) {
	struct dtm_set s;
	bool stuck;		/* the loop child holds the device for good */
};

FIXTURE_SETUP(unmap_deadlock)
{
	ASSERT_EQ(0, dtm_set_open(&self->s, "plain", 1));
}

FIXTURE_TEARDOWN(unmap_deadlock)
{
	if (!self->stuck)	/* a remove would wait for it forever */
		EXPECT_EQ(0, dtm_set_close(&self->s));
}

TEST_F_TIMEOUT(unmap_deadlock, two_threads_map_pin_unmap_progress,
	       DL_TIMEOUT_S)
{
	struct loop_ctx x = { .io = &self->s.io, .dev = &self->s.dev[0] };
	int i;

	for (i = 0; i < 2; i++) {
		x.mem[i] = mmap(NULL, 16 * PAGE, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		ASSERT_NE(MAP_FAILED, x.mem[i]);
	}
	dl_run(_metadata, iteration, &x, &self->stuck);
}

TEST_HARNESS_MAIN
