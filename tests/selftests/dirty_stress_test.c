// SPDX-License-Identifier: GPL-2.0
/*
 * Bounded concurrency stress: threads pin, unpin, mark, report and
 * map/unmap at once in one container for a fixed time.  Every mark is
 * accounted: a page marked before the final report must appear in some
 * report.  And nothing else is reported: in a container of reporting
 * devices, a page is reported only if it was marked or pinned with dirty
 * intent.  Marks go to pages 3k, dirty-intent pins to pages 3k + 1, clean
 * pins anywhere: pages 3k + 2 are only ever clean-pinned and must never
 * show up in a report.  The VM run fails on any warning in the kernel log.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include "dirty_utils.h"

#define IOVA_S		0x400000UL
#define NPG_S		512
#define IOVA_U		0x4000000UL	/* mapped and unmapped in a loop */
#define NPG_U		16
#define SECONDS		4

struct stress {
	struct vfio_iommu *io;
	struct vfio_dev *dev;
	void *mem, *umem;
	atomic_bool stop;
	_Atomic uint64_t marked[NPG_S / 64];
	_Atomic uint64_t dirty_pinned[NPG_S / 64];
	uint64_t reported[NPG_S / 64];
	atomic_ulong marks, pins, clean_pins, reports, unmaps, unmap_pin_fail;
	atomic_int error;
};

static unsigned int rnd(unsigned int *s)
{
	*s = *s * 1103515245 + 12345;
	return *s >> 8;
}

static void *pinner(void *arg)
{
	struct stress *st = arg;
	unsigned int seed = (uintptr_t)&seed, pg, fl;
	struct vfio_dev *dev = &st->dev[rnd(&seed) & 1];

	while (!st->stop) {
		pg = rnd(&seed) % NPG_S;
		fl = rnd(&seed) & 1 ? DTM_CLEAN : 0;
		/* recorded before the pin: any report may have it from now */
		if (!fl) {
			pg = pg - pg % 3 + 1;
			atomic_fetch_or(&st->dirty_pinned[pg / 64],
					1ULL << (pg % 64));
		} else {
			st->clean_pins++;
		}
		if (dtm_pin(dev, IOVA_S + pg * PAGE, 1, fl) ||
		    dtm_unpin(dev, IOVA_S + pg * PAGE, 1, fl))
			st->error = 1;
		st->pins++;
		/* pins racing the unmapper: may fail, must never hang */
		if (!dtm_pin(dev, IOVA_U, 1, fl)) {
			if (dtm_unpin(dev, IOVA_U, 1, fl) == -EINVAL)
				st->unmap_pin_fail++;	/* unmapped meanwhile */
		}
	}
	return NULL;
}

static void *marker(void *arg)
{
	struct stress *st = arg;
	unsigned int seed = 7, pg;

	while (!st->stop) {
		pg = rnd(&seed) % NPG_S;
		pg -= pg % 3;
		if (dtm_mark(&st->dev[0], IOVA_S + pg * PAGE + 5, 10)) {
			st->error = 2;
			break;
		}
		/* recorded after the mark returned: a later report has it */
		atomic_fetch_or(&st->marked[pg / 64], 1ULL << (pg % 64));
		st->marks++;
	}
	return NULL;
}

static void reap(struct stress *st)
{
	uint64_t w[NPG_S / 64];
	int i;

	if (vfio_dirty_get(st->io, IOVA_S, NPG_S * PAGE, PAGE, w, sizeof(w))) {
		st->error = 3;
		return;
	}
	for (i = 0; i < NPG_S / 64; i++)
		st->reported[i] |= w[i];
	st->reports++;
}

static void *reporter(void *arg)
{
	struct stress *st = arg;

	while (!st->stop)
		reap(st);
	return NULL;
}

static void *unmapper(void *arg)
{
	struct stress *st = arg;

	while (!st->stop) {
		if (vfio_dma_map(st->io, IOVA_U, st->umem, NPG_U * PAGE,
				 VFIO_DMA_RW) ||
		    vfio_dma_unmap(st->io, IOVA_U, NPG_U * PAGE))
			st->error = 4;
		st->unmaps++;
	}
	return NULL;
}

/* two reporting test mdevs, 512 pages mapped, tracking on */
FIXTURE(stress) {
	struct dtm_set s;
	struct stress *st;
};

static int stress_acquire(FIXTURE_DATA(stress) *self)
{
	struct stress *st = calloc(1, sizeof(*st));
	int ret = dtm_set_open(&self->s, "reporting", 2);

	self->st = st;
	if (ret || !st)
		return ret ? ret : -ENOMEM;
	st->io = &self->s.io;
	st->dev = self->s.dev;
	st->mem = mmap(NULL, NPG_S * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	st->umem = mmap(NULL, NPG_U * PAGE, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (st->mem == MAP_FAILED || st->umem == MAP_FAILED)
		return -ENOMEM;
	ret = vfio_dma_map(st->io, IOVA_S, st->mem, NPG_S * PAGE,
			   VFIO_DMA_RW);
	return ret ? ret : vfio_dirty_start(st->io);
}

FIXTURE_SETUP(stress)
{
	int ret = stress_acquire(self);

	if (ret)
		dtm_set_close(&self->s);
	ASSERT_EQ(0, ret);
}

FIXTURE_TEARDOWN(stress)
{
	EXPECT_EQ(0, dtm_set_close(&self->s));
	free(self->st);
}

TEST_F(stress, pin_mark_report_unmap_race)
{
	void *(*fn[])(void *) = { pinner, pinner, marker, reporter, unmapper };
	struct stress *st = self->st;
	pthread_t th[5];
	int i;

	for (i = 0; i < 5; i++)
		ASSERT_EQ(0, pthread_create(&th[i], NULL, fn[i], st));
	sleep(SECONDS);
	st->stop = true;
	for (i = 0; i < 5; i++)
		pthread_join(th[i], NULL);
	reap(st);

	ASSERT_EQ(0, st->error);
	for (i = 0; i < NPG_S / 64; i++) {
		uint64_t m = st->marked[i], r = st->reported[i];
		uint64_t p = st->dirty_pinned[i];

		/* nothing marked is lost */
		ASSERT_EQ(m, m & r)
			TH_LOG("word %d: marked %llx reported %llx", i,
			       (unsigned long long)m, (unsigned long long)r);
		/* nothing is reported that was neither marked nor dirty-pinned */
		ASSERT_EQ(0, r & ~(m | p))
			TH_LOG("word %d: reported %llx, marked %llx, dirty-pinned %llx",
			       i, (unsigned long long)r, (unsigned long long)m,
			       (unsigned long long)p);
	}
	ASSERT_LT(0, st->marks);
	ASSERT_LT(0, st->reports);
	ASSERT_LT(0, st->unmaps);
	ASSERT_LT(0, st->pins);
	ASSERT_LT(0, st->clean_pins);
	TH_LOG("%lu marks, %lu pin/unpin, %lu reports, %lu map/unmap in %ds",
	       st->marks, st->pins, st->reports, st->unmaps, SECONDS);
}

TEST_HARNESS_MAIN
