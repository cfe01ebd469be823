/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vgpu_test_common.h - the guest memory layout of one test device, shared
 * by the sample vGPU selftests and the fault walk (tests/faults)
 *
 * Layout of one test device:
 *   IOVA CMD_IOVA, CMD_PAGES pages: ring (GTT entries 0..RING_PAGES-1) and
 *     batch buffers (GTT entries BATCH_ENTRY..), read by the device only
 *   IOVA DATA_IOVA, DATA_PAGES pages: GTT entries DATA_ENTRY.., the pinned
 *     working set; commands write some of these pages
 */
#ifndef _VGPU_TEST_COMMON_H
#define _VGPU_TEST_COMMON_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libvgpu.h"

#define CMD_IOVA	0x100000ull
#define CMD_PAGES	16
#define RING_PAGES	1
#define RING_SIZE	4096
#define BATCH_ENTRY	4
#define BATCH_GTT	(BATCH_ENTRY * VGPU_PAGE_SIZE)
#define DATA_IOVA	0x400000ull
#define DATA_PAGES	128
#define DATA_ENTRY	64
#define DATA_GTT	(DATA_ENTRY * VGPU_PAGE_SIZE)

static inline void vgpu_test_teardown(struct vgpu *g, char uuid[VFIO_UUID_LEN])
{
	int ret;

	vgpu_close(g);
	if (uuid[0]) {
		ret = mdev_remove(uuid);
		if (ret)
			fprintf(stderr, "# remove %s: %d\n", uuid, ret);
	}
	uuid[0] = 0;
}

/*
 * Create an instance of @type, open it and lay out memory, GTT and ring;
 * nothing is left behind (no instance, @uuid empty) if it fails.
 */
static inline int vgpu_test_setup(struct vgpu *g, const char *type,
				  char uuid[VFIO_UUID_LEN])
{
	int ret = vgpu_mdev_create(type, uuid);

	vgpu_close(g);
	if (ret)
		return ret;
	ret = vgpu_open(g, uuid);
	if (!ret)
		ret = vgpu_map_mem(g, CMD_IOVA, CMD_PAGES * VGPU_PAGE_SIZE);
	if (!ret)
		ret = vgpu_map_mem(g, DATA_IOVA, DATA_PAGES * VGPU_PAGE_SIZE);
	if (!ret)
		ret = vgpu_gtt_map(g, 0, CMD_IOVA, CMD_PAGES);
	if (!ret)
		ret = vgpu_gtt_map(g, DATA_ENTRY, DATA_IOVA, DATA_PAGES);
	if (!ret)
		ret = vgpu_ring_setup(g, 0, RING_SIZE);
	if (ret)
		vgpu_test_teardown(g, uuid);
	return ret;
}

/* the two ends of a migration and a buffer for its stream */
#define VGPU_STREAM_CAP	(1 << 20)

struct vgpu_pair {
	struct vgpu src;
	struct vgpu dst;
	char us[VFIO_UUID_LEN];
	char ud[VFIO_UUID_LEN];
	char *buf;		/* VGPU_STREAM_CAP bytes, zeroed */
};

static inline void vgpu_pair_teardown(struct vgpu_pair *p)
{
	vgpu_test_teardown(&p->src, p->us);
	vgpu_test_teardown(&p->dst, p->ud);
	free(p->buf);
	p->buf = NULL;
}

/* two small instances set up as vgpu_test_setup(); nothing left if it fails */
static inline int vgpu_pair_setup(struct vgpu_pair *p)
{
	int ret;

	p->buf = calloc(1, VGPU_STREAM_CAP);
	if (!p->buf)
		return -ENOMEM;
	ret = vgpu_test_setup(&p->src, VGPU_TYPE_SMALL, p->us);
	if (!ret)
		ret = vgpu_test_setup(&p->dst, VGPU_TYPE_SMALL, p->ud);
	if (ret)
		vgpu_pair_teardown(p);
	return ret;
}

/*
 * A kselftest-harness fixture @name whose self->p is a vgpu_pair, set up
 * (or the test skipped without the module) and torn down.
 */
#define VGPU_PAIR_FIXTURE(name)						\
	FIXTURE(name) {							\
		struct vgpu_pair p;					\
	};								\
	FIXTURE_SETUP(name)						\
	{								\
		if (!vgpu_present())					\
			SKIP(return, "sample_vgpu not loaded");		\
		ASSERT_EQ(0, vgpu_pair_setup(&self->p));		\
	}								\
	FIXTURE_TEARDOWN(name)						\
	{								\
		vgpu_pair_teardown(&self->p);				\
	}

/*
 * RUNNING -> STOP -> STOP_COPY, the whole stream (at most @cap bytes) into
 * @buf, back to STOP: the stream's length, or -errno.
 */
static inline long vgpu_test_save(struct vgpu *g, char *buf, size_t cap)
{
	int fd = -1;
	long n;

	if (vfio_mig_set(&g->dev, VFIO_DEVICE_STATE_STOP, NULL) ||
	    vfio_mig_set(&g->dev, VFIO_DEVICE_STATE_STOP_COPY, &fd) || fd < 0)
		return -EIO;
	n = vfio_mig_read(fd, buf, cap);
	close(fd);
	if (n >= 0 && vfio_mig_set(&g->dev, VFIO_DEVICE_STATE_STOP, NULL))
		return -EIO;
	return n;
}

/*
 * STOP -> RESUMING, @len bytes of stream (write()'s result in *@wr_err),
 * RESUMING -> STOP: the result of that last change.
 */
static inline int vgpu_test_resume(struct vgpu *g, const char *buf,
				   size_t len, int *wr_err)
{
	int fd = -1, ret;

	ret = vfio_mig_set(&g->dev, VFIO_DEVICE_STATE_STOP, NULL);
	if (!ret)
		ret = vfio_mig_set(&g->dev, VFIO_DEVICE_STATE_RESUMING, &fd);
	if (ret)
		return ret;
	*wr_err = len ? vfio_mig_write(fd, buf, len) : 0;
	close(fd);
	return vfio_mig_set(&g->dev, VFIO_DEVICE_STATE_STOP, NULL);
}

/* GTT address in the data window -> IOVA */
static inline __u64 data_iova(__u32 gtt)
{
	return DATA_IOVA + (gtt - DATA_GTT);
}

#endif /* _VGPU_TEST_COMMON_H */
