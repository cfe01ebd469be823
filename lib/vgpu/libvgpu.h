/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libvgpu.h - a user-space driver for the sample vGPU
 * (drivers/gpu/sample-vgpu, interface in <linux/sample_vgpu.h>)
 *
 * Instances and their types through sysfs; an instance opened through
 * lib/vfio (type1 container or iommufd), guest memory mapped for DMA, the
 * GTT and ring programmed, commands built, submitted and waited for,
 * interrupts through eventfds.  Dirty tracking and migration are VFIO's:
 * call lib/vfio on &g->iommu and &g->dev.
 *
 * Raw functions return 0 (or a count) on success and -errno on failure;
 * test_X() / test_err_X() assert inside kselftest-harness tests.
 */
#ifndef _LIBVGPU_H
#define _LIBVGPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include <linux/sample_vgpu.h>

#include "libvfio.h"

#define VGPU_PARENT		"sample_vgpu"
#define VGPU_TYPE_SMALL		"sample_vgpu-small"
#define VGPU_TYPE_MEDIUM	"sample_vgpu-medium"
#define VGPU_TYPE_LARGE		"sample_vgpu-large"
#define VGPU_TYPE_256M		"sample_vgpu-256m"
#define VGPU_TYPE_1G		"sample_vgpu-1g"
#define VGPU_TYPE_4G		"sample_vgpu-4g"
#define VGPU_MAX_MAPS		8
#define VGPU_MAX_TYPES		16

struct vgpu_mem {
	void *host;		/* NULL: slot unused */
	__u64 iova;
	__u64 size;
};

struct vgpu {
	struct vfio_iommu iommu;
	struct vfio_dev dev;
	__u64 cfg_off;
	__u64 bar0_off;
	__u32 gtt_entries;
	__u32 ring_max;
	__u32 caps;
	/* guest memory: mappings, each at one IOVA range */
	struct vgpu_mem mem[VGPU_MAX_MAPS];
	/* host view of each GTT page as programmed here, gtt_entries long */
	void **gtt_host;
	/* the ring as programmed */
	__u32 ring_base;
	__u32 ring_size;
	__u32 ring_tail;
	int irq_fd;
};

/* ---- instances and types (sysfs) ---- */

bool vgpu_present(void);
int vgpu_mdev_create(const char *type, char uuid[VFIO_UUID_LEN]);
long vgpu_available(const char *type);
long vgpu_counter(const char *uuid, const char *name);	/* vendor/NAME */
int vgpu_module_param(const char *name, const char *val);

/* a type as the driver describes it in sysfs */
struct vgpu_type_info {
	char name[256];
	__u32 gtt_entries;
	__u32 ring_max;
};

/* the driver's types, fewest GTT entries first; their number or -errno */
int vgpu_types(struct vgpu_type_info *types, int max);
/*
 * The smallest type with at least @gtt_pages GTT entries and @need free
 * instances, into @type; -ENOSPC if none (@largest: the most GTT entries
 * any type has).
 */
int vgpu_pick_type(__u32 gtt_pages, long need, struct vgpu_type_info *type,
		   __u32 *largest);

/* ---- the device ---- */

int vgpu_open(struct vgpu *g, const char *uuid);	/* type1 */
int vgpu_open_mode(struct vgpu *g, const char *uuid, enum vfio_mode mode);
void vgpu_close(struct vgpu *g);	/* also of a closed or zeroed one */
int vgpu_reset(struct vgpu *g);
int vgpu_rd(struct vgpu *g, __u32 off, __u32 *val);
int vgpu_wr(struct vgpu *g, __u32 off, __u32 val);
int vgpu_rd64(struct vgpu *g, __u32 off, __u64 *val);
int vgpu_wr64(struct vgpu *g, __u32 off, __u64 val);
__u32 vgpu_reg(struct vgpu *g, __u32 off);	/* ~0u on error */
int vgpu_cfg_rd(struct vgpu *g, __u32 off, void *buf, size_t len);

/* ---- guest memory and GTT ---- */

/* anonymous memory, or MAP_SHARED from @fd (offset 0) if fd >= 0 */
int vgpu_map_mem(struct vgpu *g, __u64 iova, __u64 size);
int vgpu_map_mem_fd(struct vgpu *g, __u64 iova, __u64 size, int fd);
int vgpu_unmap_mem(struct vgpu *g, __u64 iova, __u64 size);
void *vgpu_iova_ptr(struct vgpu *g, __u64 iova);
/*
 * Point GTT entries @entry.. at @npages pages from @iova (not 0), in bulk:
 * one write() per run of up to 65536 entries, which the driver pins in
 * runs of contiguous IOVAs.
 */
int vgpu_gtt_map(struct vgpu *g, __u32 entry, __u64 iova, __u32 npages);
/* make GTT entries @entry.. invalid (the device unpins their pages) */
int vgpu_gtt_invalidate(struct vgpu *g, __u32 entry, __u32 npages);
/* @n GTT entries from @entry into @vals, with one read() */
int vgpu_gtt_read(struct vgpu *g, __u32 entry, __u32 n, __u64 *vals);
void *vgpu_gtt_ptr(struct vgpu *g, __u32 gtt_addr);

/* ---- ring and submission ---- */

int vgpu_ring_setup(struct vgpu *g, __u32 gtt_addr, __u32 size);
int vgpu_ring_write(struct vgpu *g, const __u32 *cmds, __u32 ndw);
int vgpu_submit(struct vgpu *g, const __u32 *cmds, __u32 ndw);
int vgpu_wait_idle(struct vgpu *g, int timeout_ms);
/* clear ERROR, submit, wait for idle, the device error in @error */
int vgpu_run(struct vgpu *g, const __u32 *cmds, __u32 ndw, __u32 *error);

/* command builders: return the dwords written at @p */
__u32 vgpu_cmd_fill(__u32 *p, __u32 dst, __u32 bytes, __u32 pattern);
__u32 vgpu_cmd_copy(__u32 *p, __u32 src, __u32 dst, __u32 bytes);
__u32 vgpu_cmd_write(__u32 *p, __u32 dst, const __u32 *data, __u32 ndw);
__u32 vgpu_cmd_fence(__u32 *p, __u32 dst, __u32 seqno, bool irq);
__u32 vgpu_cmd_batch(__u32 *p, __u32 addr, __u32 bytes);
__u32 vgpu_cmd_lri(__u32 *p, __u32 reg, __u32 val);

/* ---- interrupts ---- */

int vgpu_irq_enable(struct vgpu *g, __u32 index);	/* eventfd: irq_fd */
int vgpu_irq_disable(struct vgpu *g, __u32 index);
int vgpu_irq_unmask_intx(struct vgpu *g);
int vgpu_wait_irq(struct vgpu *g, int timeout_ms);	/* events, -ETIME */

#ifdef __KSELFTEST_HARNESS_H
#define test_vgpu_open(g, uuid)		__vfio_ok(vgpu_open(g, uuid))
#define test_vgpu_map_mem(g, iova, sz)	__vfio_ok(vgpu_map_mem(g, iova, sz))
#define test_vgpu_gtt_map(g, e, iova, n) \
	__vfio_ok(vgpu_gtt_map(g, e, iova, n))
#define test_vgpu_ring_setup(g, a, sz)	__vfio_ok(vgpu_ring_setup(g, a, sz))
#define test_vgpu_wr(g, off, val)	__vfio_ok(vgpu_wr(g, off, val))
#define test_vgpu_reset(g)		__vfio_ok(vgpu_reset(g))
/* run @n dwords of commands, the device error as the value */
#define test_vgpu_run(g, c, n) ({					\
	__u32 __err = ~0u;						\
	ASSERT_EQ(0, vgpu_run(g, c, n, &__err));			\
	__err;								\
})
#define test_vgpu_run_ok(g, c, n)	ASSERT_EQ(0, test_vgpu_run(g, c, n))
#endif

#endif /* _LIBVGPU_H */
