// SPDX-License-Identifier: GPL-2.0
/*
 * dirty_test_mdev - test-only mediated device for VFIO dirty tracking
 *
 * Each instance is an emulated IOMMU device whose user pins, unpins and
 * marks exact IOVA pages through private ioctls (dirty_test_mdev.h), so
 * that selftests can check the dirty bitmaps type1 reports rule by rule.
 * Type "reporting" declares reports_dirty, type "plain" does not.
 *
 * Built twice: against the patched VFIO and, with VFIO_STOCK_API, against
 * stock 6.12 VFIO (plain pins and vfio_dma_rw() only) as the oracle.
 *
 * Locking: pin_lock protects the pin records and the deferred write, and
 * is held across the calls into VFIO.  The order is
 * iommu->device_list_lock -> pin_lock -> iommu->lock: dma_unmap runs under
 * device_list_lock and takes pin_lock.  A device that reports its writes
 * marks each write before it unpins the page (dtm_pending_flush()).
 */
#include <linux/module.h>
#include <linux/device.h>
#include <linux/mdev.h>
#include <linux/vfio.h>
#include <linux/xarray.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/iommu.h>
#include <linux/highmem.h>
#include <linux/delay.h>
#include <linux/wait.h>
#include "dirty_test_mdev.h"

#define DTM_NAME "vfio_dirty_test"

/* A pin record: dirty-intent count in the low half, clean count above. */
#define DTM_REC(d, c)		xa_mk_value((unsigned long)(d) | ((unsigned long)(c) << 32))
#define DTM_REC_DIRTY(e)	((u32)xa_to_value(e))
#define DTM_REC_CLEAN(e)	((u32)(xa_to_value(e) >> 32))

struct dtm_type {
	struct mdev_type type;
	bool reports_dirty;
};

#define DTM_MAX_WRITE_PAGES	(DTM_MAX_RW / PAGE_SIZE + 1)

/* A write made through clean pins whose mark is deferred (DTM_DEV_WRITE_DEFER) */
struct dtm_pending {
	u64 iova, length;	/* length 0: none */
	u64 pfn, npages;	/* pinned clean, once each */
};

struct dtm_state {
	struct vfio_device vdev;
	struct mutex pin_lock;		/* pins, counters, pending */
	struct xarray pins;		/* iova pfn -> DTM_REC */
	u64 pinned_dirty;
	u64 pinned_clean;
	u64 unmap_unpins;
	u64 unmap_calls;
	struct dtm_pending pending;
	unsigned int unmap_delay_ms;
	bool unmap_hold;		/* DTM_CONFIG_UNMAP_HOLD */
	wait_queue_head_t unmap_wq;	/* released holds */
};

static struct class *dtm_class;
static struct device *dtm_parent_dev;
static struct mdev_parent dtm_parent;
static const struct vfio_device_ops dtm_dev_ops;

static struct dtm_type dtm_types[] = {
	{ .type.sysfs_name = "reporting", .type.pretty_name = "reporting",
	  .reports_dirty = true },
	{ .type.sysfs_name = "plain", .type.pretty_name = "plain" },
};

static struct mdev_type *dtm_mdev_types[] = {
	&dtm_types[0].type,
	&dtm_types[1].type,
};

#ifdef VFIO_STOCK_API
static bool dtm_api_reports(void) { return false; }
static bool dtm_reports_dirty(struct dtm_state *st) { return false; }
static int dtm_vfio_pin(struct vfio_device *vdev, dma_addr_t iova, int prot,
			bool clean, struct page **page)
{
	return clean ? -EOPNOTSUPP : vfio_pin_pages(vdev, iova, 1, prot, page);
}

static void dtm_vfio_unpin(struct vfio_device *vdev, dma_addr_t iova,
			   bool clean)
{
	vfio_unpin_pages(vdev, iova, 1);
}

static int dtm_vfio_mark(struct vfio_device *vdev, dma_addr_t iova, u64 len)
{
	return -EOPNOTSUPP;
}
#else
static bool dtm_api_reports(void) { return true; }
static bool dtm_reports_dirty(struct dtm_state *st)
{
	return st->vdev.reports_dirty;
}

static int dtm_vfio_pin(struct vfio_device *vdev, dma_addr_t iova, int prot,
			bool clean, struct page **page)
{
	return vfio_pin_pages(vdev, iova, 1, prot | (clean ? VFIO_PIN_CLEAN : 0),
			      page);
}

static void dtm_vfio_unpin(struct vfio_device *vdev, dma_addr_t iova,
			   bool clean)
{
	vfio_unpin_pages(vdev, iova, 1);
}

static int dtm_vfio_mark(struct vfio_device *vdev, dma_addr_t iova, u64 len)
{
	if (len > SIZE_MAX)
		return -EINVAL;
	return vfio_mark_dirty(vdev, iova, len);
}
#endif

static int dtm_rec_add(struct dtm_state *st, u64 pfn, bool clean, int delta)
{
	void *e = xa_load(&st->pins, pfn);
	u32 d = e ? DTM_REC_DIRTY(e) : 0, c = e ? DTM_REC_CLEAN(e) : 0;

	int ret = 0;

	if (clean)
		c += delta;
	else
		d += delta;
	if (!d && !c)
		xa_erase(&st->pins, pfn);
	else
		ret = xa_err(xa_store(&st->pins, pfn, DTM_REC(d, c),
				      GFP_KERNEL));
	if (ret)	/* the record is unchanged: so are the counters */
		return ret;
	if (clean)
		st->pinned_clean += delta;
	else
		st->pinned_dirty += delta;
	return 0;
}

static bool dtm_rec_has(struct dtm_state *st, u64 pfn, bool clean)
{
	void *e = xa_load(&st->pins, pfn);

	if (!e)
		return false;
	return clean ? DTM_REC_CLEAN(e) : DTM_REC_DIRTY(e);
}

static void dtm_unpin_one(struct dtm_state *st, u64 pfn, bool clean)
{
	dtm_vfio_unpin(&st->vdev, pfn << PAGE_SHIFT, clean);
	dtm_rec_add(st, pfn, clean, -1);
}

static int dtm_pin_range(struct dtm_state *st, u64 pfn, u64 n, u32 flags)
{
	bool clean = flags & DTM_CLEAN;
	int prot = IOMMU_READ | (flags & DTM_READONLY ? 0 : IOMMU_WRITE);
	struct page *page;
	u64 i;
	int ret = 0;

	for (i = 0; i < n; i++) {
		ret = dtm_vfio_pin(&st->vdev, (pfn + i) << PAGE_SHIFT, prot,
				   clean, &page);
		if (ret != 1)
			break;
		ret = dtm_rec_add(st, pfn + i, clean, 1);
		if (ret) {
			dtm_vfio_unpin(&st->vdev, (pfn + i) << PAGE_SHIFT, clean);
			break;
		}
	}
	if (i == n)
		return 0;
	while (i--)
		dtm_unpin_one(st, pfn + i, clean);
	return ret < 0 ? ret : -EFAULT;
}

static int dtm_check_pin_arg(struct dtm_pin *p, unsigned long arg,
			     u32 valid_flags)
{
	if (copy_from_user(p, (void __user *)arg, sizeof(*p)))
		return -EFAULT;
	if (p->argsz < sizeof(*p) || p->flags & ~valid_flags)
		return -EINVAL;
	if (!p->npages || p->npages > DTM_MAX_PIN_PAGES ||
	    !PAGE_ALIGNED(p->iova) || p->iova >> PAGE_SHIFT > U64_MAX >> PAGE_SHIFT)
		return -EINVAL;
	if ((p->iova >> PAGE_SHIFT) + p->npages < (p->iova >> PAGE_SHIFT))
		return -EINVAL;
	return 0;
}

static long dtm_ioctl_pin(struct dtm_state *st, unsigned long arg)
{
	struct dtm_pin p;
	int ret = dtm_check_pin_arg(&p, arg, DTM_CLEAN | DTM_READONLY);

	if (ret)
		return ret;
	mutex_lock(&st->pin_lock);
	ret = dtm_pin_range(st, p.iova >> PAGE_SHIFT, p.npages, p.flags);
	mutex_unlock(&st->pin_lock);
	return ret;
}

static long dtm_ioctl_unpin(struct dtm_state *st, unsigned long arg)
{
	struct dtm_pin p;
	bool clean;
	u64 pfn, i;
	int ret = dtm_check_pin_arg(&p, arg, DTM_CLEAN);

	if (ret)
		return ret;
	clean = p.flags & DTM_CLEAN;
	pfn = p.iova >> PAGE_SHIFT;
	mutex_lock(&st->pin_lock);
	for (i = 0; i < p.npages; i++) {
		if (!dtm_rec_has(st, pfn + i, clean)) {
			ret = -EINVAL;
			goto out;
		}
	}
	for (i = 0; i < p.npages; i++)
		dtm_unpin_one(st, pfn + i, clean);
out:
	mutex_unlock(&st->pin_lock);
	return ret;
}

static long dtm_ioctl_mark(struct dtm_state *st, unsigned long arg)
{
	struct dtm_mark m;

	if (copy_from_user(&m, (void __user *)arg, sizeof(m)))
		return -EFAULT;
	if (m.argsz < sizeof(m) || m.flags)
		return -EINVAL;
	return dtm_vfio_mark(&st->vdev, m.iova, m.length);
}

static long dtm_ioctl_rw(struct dtm_state *st, unsigned long arg)
{
	struct dtm_rw rw;
	bool write;
	void *buf;
	int ret;

	if (copy_from_user(&rw, (void __user *)arg, sizeof(rw)))
		return -EFAULT;
	if (rw.argsz < sizeof(rw) || rw.flags & ~DTM_WRITE ||
	    !rw.length || rw.length > DTM_MAX_RW)
		return -EINVAL;
	write = rw.flags & DTM_WRITE;
	buf = kvmalloc(rw.length, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	ret = -EFAULT;
	if (write && copy_from_user(buf, u64_to_user_ptr(rw.data), rw.length))
		goto out;
	ret = vfio_dma_rw(&st->vdev, rw.iova, buf, rw.length, write);
	if (!ret && !write &&
	    copy_to_user(u64_to_user_ptr(rw.data), buf, rw.length))
		ret = -EFAULT;
out:
	kvfree(buf);
	return ret;
}

/*
 * Mark the deferred write, then unpin its pages: a device that reports its
 * writes marks a write before unpinning the page it went through.
 */
static int dtm_pending_flush(struct dtm_state *st)
{
	struct dtm_pending *p = &st->pending;
	int ret;
	u64 i;

	lockdep_assert_held(&st->pin_lock);
	if (!p->length)
		return 0;
	ret = dtm_vfio_mark(&st->vdev, p->iova, p->length);
	for (i = 0; i < p->npages; i++)
		dtm_vfio_unpin(&st->vdev, (p->pfn + i) << PAGE_SHIFT, true);
	p->length = 0;
	return ret;
}

/* Pin the pages of the range clean, once each, and copy @buf into them. */
static int dtm_write_pages(struct dtm_state *st, struct dtm_pending *p,
			   const u8 *buf)
{
	u64 off = offset_in_page(p->iova), done = 0, i;
	struct page *page;
	int ret = 0;

	for (i = 0; i < p->npages; i++) {
		size_t chunk = min_t(u64, PAGE_SIZE - off, p->length - done);
		void *va;

		ret = dtm_vfio_pin(&st->vdev, (p->pfn + i) << PAGE_SHIFT,
				   IOMMU_READ | IOMMU_WRITE, true, &page);
		if (ret != 1)
			break;
		va = kmap_local_page(page);
		memcpy(va + off, buf + done, chunk);
		kunmap_local(va);
		done += chunk;
		off = 0;
	}
	if (i == p->npages)
		return 0;
	/* what was written is marked before its pages are unpinned */
	if (done)
		dtm_vfio_mark(&st->vdev, p->iova, done);
	while (i--)
		dtm_vfio_unpin(&st->vdev, (p->pfn + i) << PAGE_SHIFT, true);
	return ret < 0 ? ret : -EFAULT;
}

static long dtm_ioctl_write(struct dtm_state *st, unsigned long arg)
{
	struct dtm_pending p = {};
	struct dtm_dev_write w;
	void *buf;
	int ret;

	if (copy_from_user(&w, (void __user *)arg, sizeof(w)))
		return -EFAULT;
	if (w.argsz < sizeof(w) || w.flags & ~DTM_DEV_WRITE_DEFER ||
	    !w.length || w.length > DTM_MAX_RW || w.iova + w.length - 1 < w.iova)
		return -EINVAL;
	if (!dtm_api_reports())
		return -EOPNOTSUPP;
	p.iova = w.iova;
	p.length = w.length;
	p.pfn = w.iova >> PAGE_SHIFT;
	p.npages = ((w.iova + w.length - 1) >> PAGE_SHIFT) - p.pfn + 1;
	buf = kvmalloc(w.length, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	ret = -EFAULT;
	if (copy_from_user(buf, u64_to_user_ptr(w.data), w.length))
		goto out;
	mutex_lock(&st->pin_lock);
	ret = dtm_pending_flush(st);
	if (!ret)
		ret = dtm_write_pages(st, &p, buf);
	if (!ret) {
		st->pending = p;
		if (!(w.flags & DTM_DEV_WRITE_DEFER))
			ret = dtm_pending_flush(st);
	}
	mutex_unlock(&st->pin_lock);
out:
	kvfree(buf);
	return ret;
}

static long dtm_ioctl_flush(struct dtm_state *st)
{
	int ret;

	mutex_lock(&st->pin_lock);
	ret = dtm_pending_flush(st);
	mutex_unlock(&st->pin_lock);
	return ret;
}

static long dtm_ioctl_config(struct dtm_state *st, unsigned long arg)
{
	struct dtm_config cfg;

	if (copy_from_user(&cfg, (void __user *)arg, sizeof(cfg)))
		return -EFAULT;
	if (cfg.argsz < sizeof(cfg) || cfg.flags & ~DTM_CONFIG_UNMAP_HOLD ||
	    cfg.reserved || cfg.unmap_delay_ms > 10000)
		return -EINVAL;
	WRITE_ONCE(st->unmap_delay_ms, cfg.unmap_delay_ms);
	WRITE_ONCE(st->unmap_hold, cfg.flags & DTM_CONFIG_UNMAP_HOLD);
	wake_up_all(&st->unmap_wq);
	return 0;
}

static long dtm_ioctl_info(struct dtm_state *st, unsigned long arg)
{
	struct dtm_info info = { .argsz = sizeof(info) };
	u32 argsz;

	if (get_user(argsz, (u32 __user *)arg))
		return -EFAULT;
	if (argsz < sizeof(info))
		return -EINVAL;
	if (!dtm_api_reports())
		info.flags |= DTM_INFO_STOCK;
	else if (dtm_reports_dirty(st))
		info.flags |= DTM_INFO_REPORTS_DIRTY;
	mutex_lock(&st->pin_lock);
	info.pinned_dirty = st->pinned_dirty;
	info.pinned_clean = st->pinned_clean;
	info.unmap_unpins = st->unmap_unpins;
	info.unmap_calls = st->unmap_calls;
	mutex_unlock(&st->pin_lock);
	return copy_to_user((void __user *)arg, &info, sizeof(info)) ?
		-EFAULT : 0;
}

static long dtm_ioctl(struct vfio_device *vdev, unsigned int cmd,
		      unsigned long arg)
{
	struct dtm_state *st = container_of(vdev, struct dtm_state, vdev);

	switch (cmd) {
	case DTM_PIN:
		return dtm_ioctl_pin(st, arg);
	case DTM_UNPIN:
		return dtm_ioctl_unpin(st, arg);
	case DTM_MARK:
		return dtm_ioctl_mark(st, arg);
	case DTM_RW:
		return dtm_ioctl_rw(st, arg);
	case DTM_INFO:
		return dtm_ioctl_info(st, arg);
	case DTM_DEV_WRITE:
		return dtm_ioctl_write(st, arg);
	case DTM_FLUSH:
		return dtm_ioctl_flush(st);
	case DTM_CONFIG:
		return dtm_ioctl_config(st, arg);
	}
	return -ENOTTY;
}

/* Release every pin this device holds in [first, last] (pfns). */
static u64 dtm_unpin_pfns(struct dtm_state *st, u64 first, u64 last)
{
	unsigned long index = first;
	u64 n = 0;
	void *e;

	xa_for_each_range(&st->pins, index, e, first, last) {
		u32 d = DTM_REC_DIRTY(e), c = DTM_REC_CLEAN(e);

		n += d + c;
		while (d--)
			dtm_unpin_one(st, index, false);
		while (c--)
			dtm_unpin_one(st, index, true);
	}
	return n;
}

/*
 * DTM_CONFIG's delay, holding none of our locks: a sleep, or with
 * DTM_CONFIG_UNMAP_HOLD a wait for the release, bounded by the delay.
 */
static void dtm_unmap_wait(struct dtm_state *st)
{
	unsigned int delay = READ_ONCE(st->unmap_delay_ms);

	mutex_lock(&st->pin_lock);
	st->unmap_calls++;
	mutex_unlock(&st->pin_lock);
	if (READ_ONCE(st->unmap_hold))
		wait_event_timeout(st->unmap_wq, !READ_ONCE(st->unmap_hold),
				   msecs_to_jiffies(delay));
	else if (delay)
		msleep(delay);
}

static void dtm_dma_unmap(struct vfio_device *vdev, u64 iova, u64 length)
{
	struct dtm_state *st = container_of(vdev, struct dtm_state, vdev);
	struct dtm_pending *p = &st->pending;

	if (!length)
		return;
	dtm_unmap_wait(st);
	mutex_lock(&st->pin_lock);
	/* mark a deferred write in the range before unpinning its pages */
	if (p->length && p->iova <= iova + length - 1 &&
	    iova <= p->iova + p->length - 1)
		dtm_pending_flush(st);
	st->unmap_unpins += dtm_unpin_pfns(st, iova >> PAGE_SHIFT,
					   (iova + length - 1) >> PAGE_SHIFT);
	mutex_unlock(&st->pin_lock);
}

static void dtm_close_device(struct vfio_device *vdev)
{
	struct dtm_state *st = container_of(vdev, struct dtm_state, vdev);

	mutex_lock(&st->pin_lock);
	dtm_pending_flush(st);
	dtm_unpin_pfns(st, 0, ULONG_MAX);
	mutex_unlock(&st->pin_lock);
}

static int dtm_init_dev(struct vfio_device *vdev)
{
	struct dtm_state *st = container_of(vdev, struct dtm_state, vdev);
	struct mdev_device *mdev = to_mdev_device(vdev->dev);
	struct dtm_type *type = container_of(mdev->type, struct dtm_type, type);

	mutex_init(&st->pin_lock);
	init_waitqueue_head(&st->unmap_wq);
	xa_init(&st->pins);
#ifndef VFIO_STOCK_API
	vdev->reports_dirty = type->reports_dirty;
#else
	(void)type;
#endif
	return 0;
}

static void dtm_release_dev(struct vfio_device *vdev)
{
	struct dtm_state *st = container_of(vdev, struct dtm_state, vdev);

	xa_destroy(&st->pins);
	mutex_destroy(&st->pin_lock);
}

static const struct vfio_device_ops dtm_dev_ops = {
	.name		= "vfio-dirty-test",
	.init		= dtm_init_dev,
	.release	= dtm_release_dev,
	.close_device	= dtm_close_device,
	.ioctl		= dtm_ioctl,
	.dma_unmap	= dtm_dma_unmap,
#if IS_ENABLED(CONFIG_IOMMUFD)
	.bind_iommufd	= vfio_iommufd_emulated_bind,
	.unbind_iommufd	= vfio_iommufd_emulated_unbind,
	.attach_ioas	= vfio_iommufd_emulated_attach_ioas,
	.detach_ioas	= vfio_iommufd_emulated_detach_ioas,
#endif
};

static int dtm_probe(struct mdev_device *mdev)
{
	struct dtm_state *st;
	int ret;

	st = vfio_alloc_device(dtm_state, vdev, &mdev->dev, &dtm_dev_ops);
	if (IS_ERR(st))
		return PTR_ERR(st);
	ret = vfio_register_emulated_iommu_dev(&st->vdev);
	if (ret) {
		vfio_put_device(&st->vdev);
		return ret;
	}
	dev_set_drvdata(&mdev->dev, st);
	return 0;
}

static void dtm_remove(struct mdev_device *mdev)
{
	struct dtm_state *st = dev_get_drvdata(&mdev->dev);

	vfio_unregister_group_dev(&st->vdev);
	vfio_put_device(&st->vdev);
}

static unsigned int dtm_get_available(struct mdev_type *mtype)
{
	return 64;
}

static struct mdev_driver dtm_driver = {
	.device_api = VFIO_DEVICE_API_PCI_STRING,
	.driver = {
		.name = DTM_NAME,
		.owner = THIS_MODULE,
		.mod_name = KBUILD_MODNAME,
	},
	.probe = dtm_probe,
	.remove	= dtm_remove,
	.get_available = dtm_get_available,
};

static int __init dtm_init(void)
{
	int ret;

	ret = mdev_register_driver(&dtm_driver);
	if (ret)
		return ret;
	dtm_class = class_create(DTM_NAME);
	if (IS_ERR(dtm_class)) {
		ret = PTR_ERR(dtm_class);
		goto err_driver;
	}
	/* The class name prefixes the mdev type names: vfio_dirty_test-plain */
	dtm_parent_dev = device_create(dtm_class, NULL, 0, NULL, DTM_NAME);
	if (IS_ERR(dtm_parent_dev)) {
		ret = PTR_ERR(dtm_parent_dev);
		goto err_class;
	}
	ret = mdev_register_parent(&dtm_parent, dtm_parent_dev, &dtm_driver,
				   dtm_mdev_types, ARRAY_SIZE(dtm_mdev_types));
	if (ret)
		goto err_dev;
	return 0;

err_dev:
	device_destroy(dtm_class, 0);
err_class:
	class_destroy(dtm_class);
err_driver:
	mdev_unregister_driver(&dtm_driver);
	return ret;
}

static void __exit dtm_exit(void)
{
	mdev_unregister_parent(&dtm_parent);
	device_destroy(dtm_class, 0);
	class_destroy(dtm_class);
	mdev_unregister_driver(&dtm_driver);
}

module_init(dtm_init);
module_exit(dtm_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Test-only mdev for VFIO dirty page tracking selftests");
