/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vgpu_test_common.h - guest memory layout and fixture helpers shared by
 * the sample vGPU selftests (include after kselftest_harness.h)
 *
 * Layout of one test device:
 *   IOVA CMD_IOVA, CMD_PAGES pages: ring (GTT entries 0..RING_PAGES-1) and
 *     batch buffers (GTT entries BATCH_ENTRY..), read by the device only
 *   IOVA DATA_IOVA, DATA_PAGES pages: GTT entries DATA_ENTRY.., the pinned
 *     working set; commands write some of these pages
 */
#ifndef _VGPU_TEST_COMMON_H
#define _VGPU_TEST_COMMON_H

#include <stdio.h>
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

static inline bool vgpu_present(void)
{
	return access("/sys/class/mdev_bus/" VGPU_PARENT, F_OK) == 0;
}

/* Create an instance of @type, open it and lay out memory, GTT and ring. */
static inline int vgpu_test_setup(struct vgpu *g, const char *type,
				  char uuid[VGPU_UUID_LEN])
{
	int ret = vgpu_mdev_create(type, uuid);

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
	return ret;
}

static inline void vgpu_test_teardown(struct vgpu *g,
				      const char uuid[VGPU_UUID_LEN])
{
	int ret;

	vgpu_close(g);
	if (uuid[0]) {
		ret = vgpu_mdev_remove(uuid);
		if (ret)
			fprintf(stderr, "# remove %s: %d\n", uuid, ret);
	}
}

/* bit for the page holding IOVA @iova in a bitmap starting at @base */
static inline void bm_set(__u64 *bm, __u64 base, __u64 iova)
{
	__u64 pg = (iova - base) / VGPU_PAGE_SIZE;

	bm[pg / 64] |= 1ull << (pg % 64);
}

static inline void bm_set_range(__u64 *bm, __u64 base, __u64 iova,
				__u64 len)
{
	__u64 a;

	for (a = iova & ~(__u64)(VGPU_PAGE_SIZE - 1); a < iova + len;
	     a += VGPU_PAGE_SIZE)
		bm_set(bm, base, a);
}

/* GTT address in the data window -> IOVA */
static inline __u64 data_iova(__u32 gtt)
{
	return DATA_IOVA + (gtt - DATA_GTT);
}

#endif /* _VGPU_TEST_COMMON_H */
