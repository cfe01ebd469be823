/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dirty.h - the driver's calls into VFIO for pinning and dirty reporting
 *
 * With the fine-grained dirty API (VFIO_PIN_CLEAN, vfio_mark_dirty(),
 * vfio_device::reports_dirty) an instance that declared the capability pins
 * clean and reports every write; otherwise it pins with dirty intent and
 * never reports, as a stock-era driver does.  Built with -DVFIO_STOCK_API
 * against headers without the new API, only the latter exists.  The rest of
 * the driver calls these helpers and has no #ifdefs.
 */
#ifndef _SAMPLE_VGPU_DIRTY_H
#define _SAMPLE_VGPU_DIRTY_H

#include <linux/iommu.h>
#include <linux/vfio.h>

#include "vgpu.h"

#define VGPU_PIN_PROT	(IOMMU_READ | IOMMU_WRITE)

#ifdef VFIO_STOCK_API

static inline bool vgpu_api_has_fine_dirty(void)
{
	return false;
}

static inline void vgpu_declare_fine_dirty(struct vgpu_dev *v)
{
}

static inline int vgpu_pin_pages(struct vgpu_dev *v, dma_addr_t iova,
				 int npage, struct page **pages)
{
	return vfio_pin_pages(&v->vdev, iova, npage, VGPU_PIN_PROT, pages);
}

static inline void vgpu_unpin_pages(struct vgpu_dev *v, dma_addr_t iova,
				    int npage)
{
	vfio_unpin_pages(&v->vdev, iova, npage);
}

static inline int vgpu_vfio_mark_dirty(struct vgpu_dev *v, dma_addr_t iova,
				       size_t length)
{
	return 0;
}

#else /* !VFIO_STOCK_API */

static inline bool vgpu_api_has_fine_dirty(void)
{
	return true;
}

static inline void vgpu_declare_fine_dirty(struct vgpu_dev *v)
{
	v->vdev.reports_dirty = v->fine_dirty;
}

/* An instance that reports its writes pins clean (VFIO_PIN_CLEAN). */
static inline int vgpu_pin_pages(struct vgpu_dev *v, dma_addr_t iova,
				 int npage, struct page **pages)
{
	return vfio_pin_pages(&v->vdev, iova, npage,
			      VGPU_PIN_PROT | (v->fine_dirty ? VFIO_PIN_CLEAN : 0),
			      pages);
}

static inline void vgpu_unpin_pages(struct vgpu_dev *v, dma_addr_t iova,
				    int npage)
{
	vfio_unpin_pages(&v->vdev, iova, npage);
}

/* iommufd keeps no dirty pages for emulated devices: nothing to report. */
static inline int vgpu_vfio_mark_dirty(struct vgpu_dev *v, dma_addr_t iova,
				       size_t length)
{
	int ret;

	if (!v->fine_dirty)
		return 0;
	ret = vfio_mark_dirty(&v->vdev, iova, length);
	return ret == -EOPNOTSUPP ? 0 : ret;
}

#endif /* VFIO_STOCK_API */

#endif /* _SAMPLE_VGPU_DIRTY_H */
