// SPDX-License-Identifier: GPL-2.0-only
/*
 * main.c - sample vGPU mediated device driver: module, parent, mdev types,
 * instance lifecycle, VFIO device ops and sysfs counters
 *
 * A vGPU instance is a PCI function with one MMIO BAR holding a command ring
 * interface and a GTT.  Guest command buffers are shadowed, parsed and
 * executed by a worker; writes go through pinned pages and are reported to
 * VFIO exactly (vfio_mark_dirty()) when the instance declares that it
 * reports its writes.  See docs/sample-vgpu.rst.
 *
 * vfio_log_ops (DMA logging, logops.c) only with CONFIG_IOMMUFD_DRIVER built
 * in: Debian's 6.12 does not have it, and offering log_ops there makes user
 * space prefer a logging path that fails at report time.
 */
#include <linux/device.h>
#include <linux/kernel.h>
#include <linux/mdev.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <linux/uaccess.h>
#include <linux/vfio.h>

#include "dirty.h"
#include "vgpu.h"

static bool fine_dirty = true;
module_param(fine_dirty, bool, 0644);
MODULE_PARM_DESC(fine_dirty,
		 "New instances pin clean and report exact writes (default Y); N: pin with dirty intent, never report (baseline)");

/*
 * The pool is aperture, not memory: an instance's kernel memory follows the
 * GTT entries it maps, and the pinned pages are the VMM's guest memory.
 * The default holds two 4 GiB instances, a migration's source and
 * destination.
 */
#define VGPU_POOL_MIN		256		/* one small instance */
#define VGPU_POOL_MAX		(16u << 20)	/* 64 GiB of apertures */

static unsigned int gtt_pool = 2 * VGPU_GTT_MAX_ENTRIES;

static int vgpu_pool_set(const char *val, const struct kernel_param *kp)
{
	unsigned int n;

	if (kstrtouint(val, 0, &n) || n < VGPU_POOL_MIN || n > VGPU_POOL_MAX) {
		pr_err("%s: gtt_pool must be %u..%u GTT entries\n", VGPU_NAME,
		       VGPU_POOL_MIN, VGPU_POOL_MAX);
		return -EINVAL;
	}
	*(unsigned int *)kp->arg = n;
	return 0;
}

static const struct kernel_param_ops vgpu_pool_ops = {
	.set = vgpu_pool_set,
	.get = param_get_uint,
};

module_param_cb(gtt_pool, &vgpu_pool_ops, &gtt_pool, 0444);
MODULE_PARM_DESC(gtt_pool,
		 "GTT entries shared by all instances, 256..16777216 (default 2097152: two 4 GiB apertures)");

struct workqueue_struct *vgpu_wq;
static atomic_t vgpu_pool_free;

static struct mdev_type *vgpu_mdev_types[] = {
	&vgpu_types[0].type,
	&vgpu_types[1].type,
	&vgpu_types[2].type,
	&vgpu_types[3].type,
	&vgpu_types[4].type,
	&vgpu_types[5].type,
};

static struct class *vgpu_class;
static struct device vgpu_parent_dev;
static struct mdev_parent vgpu_parent;

static struct vgpu_type *to_vgpu_type(struct mdev_type *mtype)
{
	return container_of(mtype, struct vgpu_type, type);
}

static bool vgpu_pool_take(u32 n)
{
	int free = atomic_read(&vgpu_pool_free);

	do {
		if (free < n)
			return false;
	} while (!atomic_try_cmpxchg(&vgpu_pool_free, &free, free - n));
	return true;
}

static void vgpu_free_buffers(struct vgpu_dev *v)
{
	kfree(v->pin_pages);
	kfree(v->bounce);
	kfree(v->batch_shadow[1]);
	kfree(v->batch_shadow[0]);
	kvfree(v->ring_shadow);
}

static int vgpu_alloc_buffers(struct vgpu_dev *v)
{
	v->ring_shadow = kvmalloc(v->type->ring_max, GFP_KERNEL);
	v->batch_shadow[0] = kmalloc(VGPU_MAX_BATCH_BYTES, GFP_KERNEL);
	v->batch_shadow[1] = kmalloc(VGPU_MAX_BATCH_BYTES, GFP_KERNEL);
	v->bounce = kmalloc(PAGE_SIZE, GFP_KERNEL);
	v->pin_pages = kmalloc_array(VGPU_GTT_BATCH, sizeof(*v->pin_pages),
				     GFP_KERNEL);
	if (v->ring_shadow && v->batch_shadow[0] && v->batch_shadow[1] &&
	    v->bounce && v->pin_pages)
		return 0;
	vgpu_free_buffers(v);
	return -ENOMEM;
}

static int vgpu_init_dev(struct vfio_device *vdev)
{
	struct vgpu_dev *v = vdev_to_vgpu(vdev);
	struct vgpu_type *type = to_vgpu_type(to_mdev_device(vdev->dev)->type);
	int ret;

	if (!vgpu_pool_take(type->gtt_entries))
		return -ENOSPC;
	v->type = type;
	ret = vgpu_alloc_buffers(v);
	if (ret) {
		atomic_add(type->gtt_entries, &vgpu_pool_free);
		return ret;
	}
	v->fine_dirty = READ_ONCE(fine_dirty) && vgpu_api_has_fine_dirty();
	vgpu_gtt_init(v);
	mutex_init(&v->lock);
	mutex_init(&v->state_mutex);
	INIT_WORK(&v->exec_work, vgpu_exec_work);
	vgpu_display_init(v);
	v->irq_index = VGPU_IRQ_NONE;
	vgpu_cfg_init(v);

	vdev->migration_flags = VFIO_MIGRATION_STOP_COPY | VFIO_MIGRATION_P2P |
				VFIO_MIGRATION_PRE_COPY;
	vdev->mig_ops = &vgpu_mig_ops;
	vgpu_declare_fine_dirty(v);
	vgpu_log_declare(v);
	return 0;
}

static void vgpu_release_dev(struct vfio_device *vdev)
{
	struct vgpu_dev *v = vdev_to_vgpu(vdev);

	mutex_destroy(&v->state_mutex);
	mutex_destroy(&v->lock);
	vgpu_gtt_destroy(v);
	vgpu_free_buffers(v);
	atomic_add(v->type->gtt_entries, &vgpu_pool_free);
}

static int vgpu_open_device(struct vfio_device *vdev)
{
	struct vgpu_dev *v = vdev_to_vgpu(vdev);

	mutex_lock(&v->lock);
	vgpu_regs_reset(v);
	vgpu_cfg_init(v);
	v->dirty.n = 0;
	v->open = true;
	v->running = true;
	mutex_unlock(&v->lock);
	vgpu_mig_init(v);
	return 0;
}

static void vgpu_close_device(struct vfio_device *vdev)
{
	struct vgpu_dev *v = vdev_to_vgpu(vdev);

	vgpu_mig_close(v);
	mutex_lock(&v->lock);
	v->open = false;
	vgpu_display_freeze(v);
	mutex_unlock(&v->lock);
	cancel_work_sync(&v->exec_work);
	vgpu_display_cancel(v);
	vgpu_log_release(v);
	mutex_lock(&v->lock);
	vgpu_gtt_clear(v);
	vgpu_irq_release(v);
	mutex_unlock(&v->lock);
}

static void vgpu_dma_unmap(struct vfio_device *vdev, u64 iova, u64 length)
{
	struct vgpu_dev *v = vdev_to_vgpu(vdev);

	mutex_lock(&v->lock);
	vgpu_gtt_unmap(v, iova, length);
	mutex_unlock(&v->lock);
}

static ssize_t vgpu_read(struct vfio_device *vdev, char __user *buf,
			 size_t count, loff_t *ppos)
{
	return vgpu_region_rw(vdev_to_vgpu(vdev), buf, count, ppos, false);
}

static ssize_t vgpu_write(struct vfio_device *vdev, const char __user *buf,
			  size_t count, loff_t *ppos)
{
	return vgpu_region_rw(vdev_to_vgpu(vdev), (char __user *)buf, count,
			      ppos, true);
}

static int vgpu_get_device_info(unsigned long arg)
{
	unsigned long minsz = offsetofend(struct vfio_device_info, num_irqs);
	struct vfio_device_info info;

	if (copy_from_user(&info, (void __user *)arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;
	info.flags = VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET;
	info.num_regions = VFIO_PCI_NUM_REGIONS;
	info.num_irqs = VFIO_PCI_NUM_IRQS;
	return copy_to_user((void __user *)arg, &info, minsz) ? -EFAULT : 0;
}

static int vgpu_region_info(struct vfio_device *vdev,
			    struct vfio_region_info *info,
			    struct vfio_info_cap *caps)
{
	if (info->index >= VFIO_PCI_NUM_REGIONS)
		return -EINVAL;
	info->offset = (u64)info->index << 40;
	info->flags = 0;
	info->size = 0;
	info->cap_offset = 0;
	if (info->index == VFIO_PCI_CONFIG_REGION_INDEX)
		info->size = VGPU_CFG_SIZE;
	else if (info->index == VFIO_PCI_BAR0_REGION_INDEX)
		info->size = vgpu_bar0_size(vdev_to_vgpu(vdev)->type);
	if (info->size)
		info->flags = VFIO_REGION_INFO_FLAG_READ |
			      VFIO_REGION_INFO_FLAG_WRITE;
	return 0;
}

#ifndef VGPU_HAVE_REGION_INFO_OP
static int vgpu_get_region_info(struct vfio_device *vdev, unsigned long arg)
{
	unsigned long minsz = offsetofend(struct vfio_region_info, offset);
	struct vfio_region_info info;
	int ret;

	if (copy_from_user(&info, (void __user *)arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;
	ret = vgpu_region_info(vdev, &info, NULL);
	if (ret)
		return ret;
	return copy_to_user((void __user *)arg, &info, minsz) ? -EFAULT : 0;
}
#endif

static long vgpu_ioctl(struct vfio_device *vdev, unsigned int cmd,
		       unsigned long arg)
{
	struct vgpu_dev *v = vdev_to_vgpu(vdev);

	switch (cmd) {
	case VFIO_DEVICE_GET_INFO:
		return vgpu_get_device_info(arg);
#ifndef VGPU_HAVE_REGION_INFO_OP
	case VFIO_DEVICE_GET_REGION_INFO:
		return vgpu_get_region_info(vdev, arg);
#endif
	case VFIO_DEVICE_GET_IRQ_INFO:
		return vgpu_get_irq_info(v, arg);
	case VFIO_DEVICE_SET_IRQS:
		return vgpu_set_irqs(v, arg);
	case VFIO_DEVICE_RESET:
		return vgpu_reset(v);
	}
	return -ENOTTY;
}

static const struct vfio_device_ops vgpu_dev_ops = {
	.name = "sample-vgpu",
	.init = vgpu_init_dev,
	.release = vgpu_release_dev,
	.open_device = vgpu_open_device,
	.close_device = vgpu_close_device,
	.read = vgpu_read,
	.write = vgpu_write,
	.ioctl = vgpu_ioctl,
#ifdef VGPU_HAVE_REGION_INFO_OP
	.get_region_info_caps = vgpu_region_info,
#endif
	.dma_unmap = vgpu_dma_unmap,
#if IS_ENABLED(CONFIG_IOMMUFD)
	.bind_iommufd = vfio_iommufd_emulated_bind,
	.unbind_iommufd = vfio_iommufd_emulated_unbind,
	.attach_ioas = vfio_iommufd_emulated_attach_ioas,
	.detach_ioas = vfio_iommufd_emulated_detach_ioas,
#endif
};

static int vgpu_probe(struct mdev_device *mdev)
{
	struct vgpu_dev *v;
	int ret;

	v = vfio_alloc_device(vgpu_dev, vdev, &mdev->dev, &vgpu_dev_ops);
	if (IS_ERR(v))
		return PTR_ERR(v);
	ret = vfio_register_emulated_iommu_dev(&v->vdev);
	if (ret) {
		vfio_put_device(&v->vdev);
		return ret;
	}
	dev_set_drvdata(&mdev->dev, v);
	return 0;
}

static void vgpu_remove(struct mdev_device *mdev)
{
	struct vgpu_dev *v = dev_get_drvdata(&mdev->dev);

	vfio_unregister_group_dev(&v->vdev);
	vfio_put_device(&v->vdev);
}

static unsigned int vgpu_get_available(struct mdev_type *mtype)
{
	return atomic_read(&vgpu_pool_free) / to_vgpu_type(mtype)->gtt_entries;
}

static ssize_t vgpu_show_description(struct mdev_type *mtype, char *buf)
{
	struct vgpu_type *t = to_vgpu_type(mtype);

	return sysfs_emit(buf, "%s; gtt_entries=%u ring_max=%u fine_dirty=%d\n",
			  t->desc, t->gtt_entries, t->ring_max,
			  READ_ONCE(fine_dirty) && vgpu_api_has_fine_dirty());
}

/* per-instance counters: /sys/bus/mdev/devices/UUID/vendor/ */
#define VGPU_COUNTER_ATTR(field)					\
static ssize_t field##_show(struct device *dev,				\
			    struct device_attribute *attr, char *buf)	\
{									\
	struct vgpu_dev *v = dev_get_drvdata(dev);			\
									\
	return sysfs_emit(buf, "%lld\n", atomic64_read(&v->cnt.field));	\
}									\
static DEVICE_ATTR_RO(field)

VGPU_COUNTER_ATTR(pages_pinned);
VGPU_COUNTER_ATTR(dirty_pages);
VGPU_COUNTER_ATTR(dirty_marks);
VGPU_COUNTER_ATTR(mark_errors);
VGPU_COUNTER_ATTR(cmds_executed);
VGPU_COUNTER_ATTR(cmds_rejected);
VGPU_COUNTER_ATTR(submissions);
VGPU_COUNTER_ATTR(gtt_revoked);
VGPU_COUNTER_ATTR(mig_bytes);
VGPU_COUNTER_ATTR(pin_calls);
VGPU_COUNTER_ATTR(unpin_calls);

static ssize_t gtt_table_bytes_show(struct device *dev,
				    struct device_attribute *attr, char *buf)
{
	struct vgpu_dev *v = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%lld\n", atomic64_read(&v->cnt.gtt_leaves) *
			  VGPU_GTT_LEAF_ENTRIES *
			  (long long)sizeof(struct vgpu_gtt_entry));
}
static DEVICE_ATTR_RO(gtt_table_bytes);

static ssize_t fine_dirty_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	struct vgpu_dev *v = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%d\n", v->fine_dirty);
}
static DEVICE_ATTR_RO(fine_dirty);

static ssize_t gtt_entries_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	struct vgpu_dev *v = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%u\n", v->type->gtt_entries);
}
static DEVICE_ATTR_RO(gtt_entries);

static struct attribute *vgpu_dev_attrs[] = {
	&dev_attr_pages_pinned.attr,
	&dev_attr_dirty_pages.attr,
	&dev_attr_dirty_marks.attr,
	&dev_attr_mark_errors.attr,
	&dev_attr_cmds_executed.attr,
	&dev_attr_cmds_rejected.attr,
	&dev_attr_submissions.attr,
	&dev_attr_gtt_revoked.attr,
	&dev_attr_mig_bytes.attr,
	&dev_attr_pin_calls.attr,
	&dev_attr_unpin_calls.attr,
	&dev_attr_gtt_table_bytes.attr,
	&dev_attr_fine_dirty.attr,
	&dev_attr_gtt_entries.attr,
	NULL,
};

static const struct attribute_group vgpu_dev_group = {
	.name = "vendor",
	.attrs = vgpu_dev_attrs,
};

static const struct attribute_group *vgpu_dev_groups[] = {
	&vgpu_dev_group,
	NULL,
};

static struct mdev_driver vgpu_driver = {
	.device_api = VFIO_DEVICE_API_PCI_STRING,
	.driver = {
		.name = VGPU_NAME,
		.owner = THIS_MODULE,
		.mod_name = KBUILD_MODNAME,
		.dev_groups = vgpu_dev_groups,
	},
	.probe = vgpu_probe,
	.remove = vgpu_remove,
	.get_available = vgpu_get_available,
	.show_description = vgpu_show_description,
};

static void vgpu_parent_release(struct device *dev)
{
}

static int vgpu_parent_add(void)
{
	int ret;

	vgpu_class = class_create(VGPU_NAME);
	if (IS_ERR(vgpu_class))
		return PTR_ERR(vgpu_class);
	vgpu_parent_dev.class = vgpu_class;
	vgpu_parent_dev.release = vgpu_parent_release;
	dev_set_name(&vgpu_parent_dev, VGPU_NAME);
	ret = device_register(&vgpu_parent_dev);
	if (ret)
		goto err_put;
	ret = mdev_register_parent(&vgpu_parent, &vgpu_parent_dev, &vgpu_driver,
				   vgpu_mdev_types,
				   ARRAY_SIZE(vgpu_mdev_types));
	if (ret)
		goto err_del;
	return 0;

err_del:
	device_del(&vgpu_parent_dev);
err_put:
	put_device(&vgpu_parent_dev);
	class_destroy(vgpu_class);
	return ret;
}

static int __init vgpu_init(void)
{
	int ret;

	atomic_set(&vgpu_pool_free, min_t(unsigned int, gtt_pool, INT_MAX));
	vgpu_mmio_setup();
	vgpu_wq = alloc_workqueue("sample_vgpu", WQ_UNBOUND, 0);
	if (!vgpu_wq)
		return -ENOMEM;
	ret = mdev_register_driver(&vgpu_driver);
	if (ret)
		goto err_wq;
	ret = vgpu_parent_add();
	if (ret)
		goto err_driver;
	pr_info("%s: loaded, fine-grained dirty reporting %s\n", VGPU_NAME,
		vgpu_api_has_fine_dirty() ? "available" : "not built in");
	return 0;

err_driver:
	mdev_unregister_driver(&vgpu_driver);
err_wq:
	destroy_workqueue(vgpu_wq);
	return ret;
}

static void __exit vgpu_exit(void)
{
	mdev_unregister_parent(&vgpu_parent);
	device_unregister(&vgpu_parent_dev);
	class_destroy(vgpu_class);
	mdev_unregister_driver(&vgpu_driver);
	destroy_workqueue(vgpu_wq);
}

module_init(vgpu_init);
module_exit(vgpu_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Sample vGPU mediated device with exact dirty reporting");
