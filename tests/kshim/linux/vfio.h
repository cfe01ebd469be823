/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * user-space stand-in: see tests/kshim/kshim.h.  The uAPI part is the real
 * <linux/vfio.h> (the build's copy, next on the include path); the kernel
 * part is the few things the vGPU calls, served by the fake type1 of
 * kshim.c.
 */
#ifndef _KSHIM_VFIO_H
#define _KSHIM_VFIO_H
#include "../kshim.h"
#include_next <linux/vfio.h>

struct vfio_device;

struct vfio_migration_ops {
	struct file *(*migration_set_state)(struct vfio_device *vdev,
					    enum vfio_device_mig_state new);
	int (*migration_get_state)(struct vfio_device *vdev,
				   enum vfio_device_mig_state *state);
	int (*migration_get_data_size)(struct vfio_device *vdev,
				       unsigned long *len);
};

struct rb_root_cached;
struct iommufd_access;
struct iova_bitmap;

struct vfio_log_ops {
	int (*log_start)(struct vfio_device *vdev,
			 struct rb_root_cached *ranges, u32 nnodes,
			 u64 *page_size);
	int (*log_stop)(struct vfio_device *vdev);
	int (*log_read_and_clear)(struct vfio_device *vdev,
				  unsigned long iova, unsigned long length,
				  struct iova_bitmap *dirty);
};

struct vfio_device {
	struct device *dev;
	struct device device;
	u32 migration_flags;
	const struct vfio_migration_ops *mig_ops;
	const struct vfio_log_ops *log_ops;
	bool reports_dirty;
	struct iommufd_access *iommufd_access;	/* NULL: the shim is type1 */
};

#define VFIO_PIN_CLEAN	(1 << 30)

int vfio_pin_pages(struct vfio_device *vdev, dma_addr_t iova, int npage,
		   int prot, struct page **pages);
void vfio_unpin_pages(struct vfio_device *vdev, dma_addr_t iova, int npage);
int vfio_mark_dirty(struct vfio_device *vdev, dma_addr_t iova, size_t length);
void vfio_put_device(struct vfio_device *vdev);
int vfio_mig_get_next_state(struct vfio_device *vdev,
			    enum vfio_device_mig_state cur,
			    enum vfio_device_mig_state new,
			    enum vfio_device_mig_state *next);
int vfio_set_irqs_validate_and_prepare(struct vfio_irq_set *hdr, int num_irqs,
				       int max_irq_type, size_t *data_size);
#endif
