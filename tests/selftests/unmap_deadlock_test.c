// SPDX-License-Identifier: GPL-2.0
/*
 * Two threads, one container, each looping MAP_DMA of its own 64 KiB,
 * pin one page through the device, UNMAP_DMA (the device unpins from its
 * dma_unmap callback).  Stock 6.12 deadlocks here within a second
 * (device_list_lock vs iommu->lock); the patched type1 must make progress
 * the whole time.  Against stock modules, run only with
 * UNMAP_DEADLOCK_STOCK=1: the harness timeout then reports the hang.
 */
#include <pthread.h>
#include <stdatomic.h>
#include "dirty_utils.h"

#define SECONDS 3

struct worker {
	int c, dev, id;
	void *mem;
	atomic_bool *stop;
	unsigned long iters;
	int err;
};

static void *loop(void *arg)
{
	struct worker *w = arg;
	uint64_t iova = 0x10000000UL + w->id * 0x100000UL;

	while (!*w->stop) {
		w->err = map_dma_raw(w->c, iova, w->mem, 16 * PAGE,
				     VFIO_DMA_MAP_FLAG_READ |
				     VFIO_DMA_MAP_FLAG_WRITE);
		if (!w->err)
			w->err = dtm_pin_raw(w->dev, iova + PAGE, 1, 0);
		if (!w->err)
			w->err = unmap_dma_raw(w->c, iova, 16 * PAGE);
		if (w->err)
			break;
		w->iters++;
	}
	return NULL;
}

TEST(two_threads_map_pin_unmap_progress)
{
	struct worker w[2] = {};
	atomic_bool stop = false;
	pthread_t th[2];
	unsigned long before[2];
	char uuid[37];
	int c, g, d = -1, i;

	if (getenv("UNMAP_DEADLOCK_SKIP_STOCK") &&
	    !access("/tmp/vfio-variant", R_OK)) {
		char v[16] = "";
		FILE *f = fopen("/tmp/vfio-variant", "r");

		if (f) {
			fgets(v, sizeof(v), f);
			fclose(f);
		}
		if (!strncmp(v, "stock", 5) && !getenv("UNMAP_DEADLOCK_STOCK"))
			SKIP(return, "stock type1 deadlocks here");
	}
	c = open("/dev/vfio/vfio", O_RDWR);
	ASSERT_LE(0, c);
	ASSERT_EQ(0, dtm_create_raw("plain", uuid));
	ASSERT_EQ(0, vfio_open_device_raw(c, uuid, &g, &d));
	for (i = 0; i < 2; i++) {
		w[i] = (struct worker){ .c = c, .dev = d, .id = i,
					.stop = &stop };
		w[i].mem = mmap(NULL, 16 * PAGE, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		ASSERT_NE(MAP_FAILED, w[i].mem);
		ASSERT_EQ(0, pthread_create(&th[i], NULL, loop, &w[i]));
	}
	/* progress in each of the last two seconds, not just at the start */
	sleep(1);
	for (i = 0; i < 2; i++)
		before[i] = w[i].iters;
	sleep(SECONDS - 1);
	stop = true;
	for (i = 0; i < 2; i++) {
		pthread_join(th[i], NULL);
		ASSERT_EQ(0, w[i].err);
		ASSERT_LT(before[i] + 10, w[i].iters)
			TH_LOG("thread %d stalled: %lu then %lu", i, before[i],
			       w[i].iters);
	}
	TH_LOG("%lu + %lu iterations in %ds", w[0].iters, w[1].iters, SECONDS);
	close(d);
	close(g);
	close(c);
	ASSERT_EQ(0, mdev_remove_raw(uuid));
}

TEST_HARNESS_MAIN
