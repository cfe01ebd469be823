// SPDX-License-Identifier: GPL-2.0-only
/*
 * irq.c - interrupts of the sample vGPU: INTx and MSI through eventfds
 *
 * IRQ_STATUS collects events; an event whose bit is set in IRQ_ENABLE
 * signals the trigger eventfd of the active index.  MSI signals once per
 * event.  INTx is level-like and automasked: it signals once, then stays
 * masked until user space unmasks it; unmasking with an enabled status bit
 * still set signals again.
 *
 * A device that is not running (stopped for migration, closed, being reset)
 * generates no interrupts, as the VFIO migration uAPI requires of a stopped
 * device: events only set IRQ_STATUS.  INTx, a level, is evaluated again
 * when the device runs again (vgpu_irq_restart()).  No MSI event can be
 * lost that way: nothing executes while stopped and BAR0 is read-only.
 * Loopback triggers (VFIO_IRQ_SET_DATA_NONE/BOOL) are user space's own
 * signals and work in any state.
 */
#include <linux/eventfd.h>
#include <linux/lockdep.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "vgpu.h"

static void vgpu_signal(struct vgpu_dev *v)
{
	if (v->irq_index == VFIO_PCI_MSI_IRQ_INDEX && v->msi_trigger) {
		eventfd_signal(v->msi_trigger);
	} else if (v->irq_index == VFIO_PCI_INTX_IRQ_INDEX && v->intx_trigger &&
		   !v->intx_masked) {
		v->intx_masked = true;
		eventfd_signal(v->intx_trigger);
	}
}

/**
 * vgpu_update_irq() - signal if an enabled interrupt is pending
 * @v: device, v->lock held
 */
void vgpu_update_irq(struct vgpu_dev *v)
{
	lockdep_assert_held(&v->lock);
	if (v->running && (v->regs.irq_status & v->regs.irq_enable))
		vgpu_signal(v);
}

/**
 * vgpu_irq_restart() - the device runs again: assert INTx if it is pending
 * @v: device, v->lock held
 */
void vgpu_irq_restart(struct vgpu_dev *v)
{
	if (v->irq_index == VFIO_PCI_INTX_IRQ_INDEX)
		vgpu_update_irq(v);
}

/**
 * vgpu_raise_irq() - record interrupt events and signal the guest
 * @v: device, v->lock held
 * @bits: VGPU_IRQ_* events
 */
void vgpu_raise_irq(struct vgpu_dev *v, u32 bits)
{
	lockdep_assert_held(&v->lock);
	v->regs.irq_status |= bits;
	if (v->running && (bits & v->regs.irq_enable))
		vgpu_signal(v);
}

static void vgpu_put_trigger(struct eventfd_ctx **trigger)
{
	if (*trigger) {
		eventfd_ctx_put(*trigger);
		*trigger = NULL;
	}
}

/**
 * vgpu_irq_release() - drop all triggers
 * @v: device, v->lock held
 */
void vgpu_irq_release(struct vgpu_dev *v)
{
	vgpu_put_trigger(&v->intx_trigger);
	vgpu_put_trigger(&v->msi_trigger);
	v->irq_index = VGPU_IRQ_NONE;
	v->intx_masked = false;
}

static int vgpu_set_trigger(struct vgpu_dev *v, unsigned int index,
			    u32 flags, u32 count, void *data)
{
	struct eventfd_ctx **trigger = index == VFIO_PCI_MSI_IRQ_INDEX ?
				       &v->msi_trigger : &v->intx_trigger;
	struct eventfd_ctx *ctx;
	s32 fd;

	/* count 0 with DATA_NONE: disable the index */
	if (!count) {
		if (v->irq_index == index) {
			vgpu_put_trigger(trigger);
			v->irq_index = VGPU_IRQ_NONE;
		}
		return 0;
	}
	if (v->irq_index != VGPU_IRQ_NONE && v->irq_index != index)
		return -EINVAL;
	if (flags & VFIO_IRQ_SET_DATA_EVENTFD) {
		fd = *(s32 *)data;
		vgpu_put_trigger(trigger);
		v->irq_index = VGPU_IRQ_NONE;
		if (fd < 0)
			return 0;
		ctx = eventfd_ctx_fdget(fd);
		if (IS_ERR(ctx))
			return PTR_ERR(ctx);
		*trigger = ctx;
		v->irq_index = index;
		v->intx_masked = false;
		return 0;
	}
	/* loopback trigger for testing: DATA_NONE or DATA_BOOL true */
	if (v->irq_index != index)
		return -EINVAL;
	if ((flags & VFIO_IRQ_SET_DATA_NONE) || *(u8 *)data)
		vgpu_signal(v);
	return 0;
}

static int vgpu_set_intx_mask(struct vgpu_dev *v, u32 flags, bool mask,
			      void *data)
{
	if (v->irq_index != VFIO_PCI_INTX_IRQ_INDEX)
		return -EINVAL;
	if (flags & VFIO_IRQ_SET_DATA_EVENTFD)
		return -EINVAL;	/* no mask/unmask eventfds */
	if ((flags & VFIO_IRQ_SET_DATA_BOOL) && !*(u8 *)data)
		return 0;
	v->intx_masked = mask;
	if (!mask)
		vgpu_update_irq(v);
	return 0;
}

static int vgpu_do_set_irqs(struct vgpu_dev *v, struct vfio_irq_set *hdr,
			    void *data)
{
	u32 action = hdr->flags & VFIO_IRQ_SET_ACTION_TYPE_MASK;

	if (hdr->index != VFIO_PCI_INTX_IRQ_INDEX &&
	    hdr->index != VFIO_PCI_MSI_IRQ_INDEX)
		return -EINVAL;
	if (hdr->count && hdr->start != 0)
		return -EINVAL;
	switch (action) {
	case VFIO_IRQ_SET_ACTION_TRIGGER:
		return vgpu_set_trigger(v, hdr->index, hdr->flags, hdr->count,
					data);
	case VFIO_IRQ_SET_ACTION_MASK:
	case VFIO_IRQ_SET_ACTION_UNMASK:
		if (hdr->index != VFIO_PCI_INTX_IRQ_INDEX || hdr->count != 1)
			return -EINVAL;
		return vgpu_set_intx_mask(v, hdr->flags,
					  action == VFIO_IRQ_SET_ACTION_MASK,
					  data);
	}
	return -EINVAL;
}

/**
 * vgpu_set_irqs() - VFIO_DEVICE_SET_IRQS
 * @v: device
 * @arg: user pointer to struct vfio_irq_set and its data
 *
 * Return: 0 or a negative errno.
 */
int vgpu_set_irqs(struct vgpu_dev *v, unsigned long arg)
{
	unsigned long minsz = offsetofend(struct vfio_irq_set, count);
	struct vfio_irq_set hdr;
	size_t data_size = 0;
	void *data = NULL;
	int ret;

	if (copy_from_user(&hdr, (void __user *)arg, minsz))
		return -EFAULT;
	/* one vector per index */
	ret = vfio_set_irqs_validate_and_prepare(&hdr, 1, VFIO_PCI_NUM_IRQS,
						 &data_size);
	if (ret)
		return ret;
	if (data_size) {
		data = memdup_user((void __user *)(arg + minsz), data_size);
		if (IS_ERR(data))
			return PTR_ERR(data);
	}
	mutex_lock(&v->lock);
	ret = vgpu_do_set_irqs(v, &hdr, data);
	mutex_unlock(&v->lock);
	kfree(data);
	return ret;
}

/**
 * vgpu_get_irq_info() - VFIO_DEVICE_GET_IRQ_INFO
 * @v: device
 * @arg: user pointer to struct vfio_irq_info
 *
 * Return: 0 or a negative errno.
 */
int vgpu_get_irq_info(struct vgpu_dev *v, unsigned long arg)
{
	unsigned long minsz = offsetofend(struct vfio_irq_info, count);
	struct vfio_irq_info info;

	if (copy_from_user(&info, (void __user *)arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz || info.index >= VFIO_PCI_NUM_IRQS)
		return -EINVAL;
	info.flags = 0;
	info.count = 0;
	switch (info.index) {
	case VFIO_PCI_INTX_IRQ_INDEX:
		info.flags = VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_MASKABLE |
			     VFIO_IRQ_INFO_AUTOMASKED;
		info.count = 1;
		break;
	case VFIO_PCI_MSI_IRQ_INDEX:
		info.flags = VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE;
		info.count = 1;
		break;
	}
	return copy_to_user((void __user *)arg, &info, minsz) ? -EFAULT : 0;
}
