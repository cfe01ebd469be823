/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libvgpu.h - user-space driver library for the sample vGPU
 *
 * Opens an mdev instance through the VFIO group/container uAPI (type1),
 * maps guest memory, programs the GTT and ring, submits commands, waits for
 * completion and interrupts, reads dirty bitmaps and drives migration.
 *
 * Raw functions return 0 (or a count) on success and -errno on failure.
 * Inside a kselftest-harness test, the test_*() macros at the end assert
 * success, in the style of tools/testing/selftests/iommu/iommufd_utils.h.
 */
#ifndef _LIBVGPU_H
#define _LIBVGPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include <linux/vfio.h>
#include <linux/sample_vgpu.h>

#define VGPU_PARENT		"sample_vgpu"
#define VGPU_TYPE_SMALL		"sample_vgpu-small"
#define VGPU_TYPE_MEDIUM	"sample_vgpu-medium"
#define VGPU_TYPE_LARGE		"sample_vgpu-large"
#define VGPU_TYPE_256M		"sample_vgpu-256m"
#define VGPU_TYPE_1G		"sample_vgpu-1g"
#define VGPU_TYPE_4G		"sample_vgpu-4g"
#define VGPU_UUID_LEN		37
#define VGPU_MAX_MAPS		8

struct vgpu {
	int container;
	int group;
	int device;
	int group_id;
	char uuid[VGPU_UUID_LEN];
	__u64 cfg_off;
	__u64 bar0_off;
	__u32 gtt_entries;
	__u32 ring_max;
	__u32 caps;
	/* guest memory: anonymous mappings, each at one IOVA range */
	struct {
		void *host;
		__u64 iova;
		__u64 size;
	} mem[VGPU_MAX_MAPS];
	/* host view of GTT pages as programmed through this library */
	void **gtt_host;	/* gtt_entries pointers */
	/* ring as programmed */
	__u32 ring_base;
	__u32 ring_size;
	__u32 ring_tail;
	int irq_fd;
};

/* sysfs */
int vgpu_sysfs_read(const char *path, char *buf, size_t len);
int vgpu_sysfs_write(const char *path, const char *val);
long vgpu_available(const char *type);
int vgpu_mdev_create(const char *type, char uuid[VGPU_UUID_LEN]);
int vgpu_mdev_remove(const char *uuid);
long vgpu_counter(const char *uuid, const char *name);
int vgpu_module_param(const char *name, const char *val);

/* device */
int vgpu_open(struct vgpu *g, const char *uuid);
void vgpu_close(struct vgpu *g);
int vgpu_reset(struct vgpu *g);
int vgpu_rd(struct vgpu *g, __u32 off, __u32 *val);
int vgpu_wr(struct vgpu *g, __u32 off, __u32 val);
int vgpu_wr64(struct vgpu *g, __u32 off, __u64 val);
int vgpu_rd64(struct vgpu *g, __u32 off, __u64 *val);
__u32 vgpu_reg(struct vgpu *g, __u32 off);	/* ~0u on error */
int vgpu_cfg_rd(struct vgpu *g, __u32 off, void *buf, size_t len);

/* memory and GTT */
int vgpu_map_mem(struct vgpu *g, __u64 iova, __u64 size);
int vgpu_map_mem_fd(struct vgpu *g, __u64 iova, __u64 size, int fd);
int vgpu_unmap_mem(struct vgpu *g, __u64 iova, __u64 size);
int vgpu_gtt_map(struct vgpu *g, __u32 entry, __u64 iova, __u32 npages);
int vgpu_gtt_unmap(struct vgpu *g, __u32 entry, __u32 npages);
void *vgpu_gtt_ptr(struct vgpu *g, __u32 gtt_addr);
void *vgpu_iova_ptr(struct vgpu *g, __u64 iova);

/* ring and submission */
int vgpu_ring_setup(struct vgpu *g, __u32 gtt_addr, __u32 size);
int vgpu_ring_write(struct vgpu *g, const __u32 *cmds, __u32 ndw);
int vgpu_submit(struct vgpu *g, const __u32 *cmds, __u32 ndw);
int vgpu_wait_idle(struct vgpu *g, int timeout_ms);
int vgpu_run(struct vgpu *g, const __u32 *cmds, __u32 ndw, __u32 *error);

/* interrupts */
int vgpu_irq_enable(struct vgpu *g, __u32 index);	/* eventfd in irq_fd */
int vgpu_irq_disable(struct vgpu *g, __u32 index);
int vgpu_irq_unmask_intx(struct vgpu *g);
int vgpu_wait_irq(struct vgpu *g, int timeout_ms);	/* events or -ETIME */

/* dirty tracking of the container */
int vgpu_dirty_start(struct vgpu *g);
int vgpu_dirty_stop(struct vgpu *g);
int vgpu_dirty_get(struct vgpu *g, __u64 iova, __u64 size, __u64 *bitmap);
unsigned int vgpu_bitmap_count(const __u64 *bitmap, __u64 npages);
/* VFIO_IOMMU_DIRTY_SCOPE_* of the container, -ENOENT on a stock kernel */
int vgpu_dirty_scope(struct vgpu *g);
const char *vgpu_scope_name(int scope);

/* migration */
int vgpu_mig_set(struct vgpu *g, __u32 state, int *data_fd);
int vgpu_mig_get(struct vgpu *g, __u32 *state);
int vgpu_mig_data_size(struct vgpu *g, __u64 *size);
int vgpu_precopy_info(int data_fd, struct vfio_precopy_info *info);
long vgpu_mig_read_all(int data_fd, void *buf, size_t cap);
int vgpu_mig_write_all(int data_fd, const void *buf, size_t len);

/* command builders: return dwords written at @p */
__u32 vgpu_cmd_fill(__u32 *p, __u32 dst, __u32 bytes, __u32 pattern);
__u32 vgpu_cmd_copy(__u32 *p, __u32 src, __u32 dst, __u32 bytes);
__u32 vgpu_cmd_write(__u32 *p, __u32 dst, const __u32 *data, __u32 ndw);
__u32 vgpu_cmd_fence(__u32 *p, __u32 dst, __u32 seqno, bool irq);
__u32 vgpu_cmd_batch(__u32 *p, __u32 addr, __u32 bytes);
__u32 vgpu_cmd_lri(__u32 *p, __u32 reg, __u32 val);

#ifdef __KSELFTEST_HARNESS_H
#define test_vgpu_open(g, uuid)		ASSERT_EQ(0, vgpu_open(g, uuid))
#define test_vgpu_map_mem(g, iova, sz)	ASSERT_EQ(0, vgpu_map_mem(g, iova, sz))
#define test_vgpu_gtt_map(g, e, iova, n) \
	ASSERT_EQ(0, vgpu_gtt_map(g, e, iova, n))
#define test_vgpu_ring_setup(g, a, sz)	ASSERT_EQ(0, vgpu_ring_setup(g, a, sz))
#define test_vgpu_wr(g, off, val)	ASSERT_EQ(0, vgpu_wr(g, off, val))
#define test_vgpu_run(g, c, n) ({					\
	__u32 __err = ~0u;						\
	ASSERT_EQ(0, vgpu_run(g, c, n, &__err));			\
	__err;								\
})
#define test_vgpu_run_ok(g, c, n)	ASSERT_EQ(0, test_vgpu_run(g, c, n))
#define test_vgpu_dirty_start(g)	ASSERT_EQ(0, vgpu_dirty_start(g))
#define test_vgpu_dirty_get(g, iova, sz, bm) \
	ASSERT_EQ(0, vgpu_dirty_get(g, iova, sz, bm))
#define test_vgpu_mig_set(g, st, fd)	ASSERT_EQ(0, vgpu_mig_set(g, st, fd))
#endif

#endif /* _LIBVGPU_H */
