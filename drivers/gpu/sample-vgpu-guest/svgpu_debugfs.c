// SPDX-License-Identifier: GPL-2.0-only
/*
 * svgpu_debugfs.c - debugfs of the sample vGPU: state, and a test hook
 * that makes the ring hang (docs/guest-driver.rst)
 *
 *   /sys/kernel/debug/dri/N/svgpu_state   ring, fences, display registers
 *   /sys/kernel/debug/dri/N/svgpu_hang    write "error" or "stall"
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>

#include "svgpu_drv.h"

static int svgpu_state_show(struct seq_file *m, void *unused)
{
	struct svgpu_device *sdev = m->private;
	struct svgpu_ring *r = &sdev->ring;
	int idx;

	if (!drm_dev_enter(&sdev->drm, &idx))
		return -ENODEV;
	spin_lock_irq(&r->job_lock);
	seq_printf(m, "ring: size %u head %u completed %u busy_cmds %u busy_bytes %u\n",
		   r->size, r->head, r->completed, r->busy_cmds, r->busy_bytes);
	spin_unlock_irq(&r->job_lock);
	seq_printf(m, "submitted %llu resets %llu status seqno %u\n",
		   READ_ONCE(r->submitted), READ_ONCE(r->resets),
		   READ_ONCE(r->status[0]));
	seq_printf(m, "device: head %#x tail %#x status %#x error %u last_seqno %u cmds %u\n",
		   svgpu_rd(sdev, VGPU_REG_RING_HEAD),
		   svgpu_rd(sdev, VGPU_REG_RING_TAIL),
		   svgpu_rd(sdev, VGPU_REG_STATUS),
		   svgpu_rd(sdev, VGPU_REG_ERROR),
		   svgpu_rd(sdev, VGPU_REG_LAST_SEQNO),
		   svgpu_rd(sdev, VGPU_REG_CMDS_EXECUTED));
	seq_printf(m, "display: ctl %#x status %#x %ux%u vblank %u plane %#x@%#x stride %u\n",
		   svgpu_rd(sdev, VGPU_REG_DISP_CTL),
		   svgpu_rd(sdev, VGPU_REG_DISP_STATUS),
		   svgpu_rd(sdev, VGPU_REG_DISP_HACTIVE),
		   svgpu_rd(sdev, VGPU_REG_DISP_VACTIVE),
		   svgpu_rd(sdev, VGPU_REG_DISP_VBLANK),
		   svgpu_rd(sdev, VGPU_REG_PLANE_LIVE_CTL),
		   svgpu_rd(sdev, VGPU_REG_PLANE_LIVE_BASE),
		   svgpu_rd(sdev, VGPU_REG_PLANE_LIVE_STRIDE));
	drm_dev_exit(idx);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(svgpu_state);

static ssize_t svgpu_hang_write(struct file *file, const char __user *ubuf,
				size_t len, loff_t *pos)
{
	struct svgpu_device *sdev = file->private_data;
	char buf[8] = "";
	int idx, ret;

	if (copy_from_user(buf, ubuf, min(len, sizeof(buf) - 1)))
		return -EFAULT;
	if (!drm_dev_enter(&sdev->drm, &idx))
		return -ENODEV;
	if (sysfs_streq(buf, "error"))
		ret = svgpu_ring_inject_hang(sdev, false);
	else if (sysfs_streq(buf, "stall"))
		ret = svgpu_ring_inject_hang(sdev, true);
	else
		ret = -EINVAL;
	drm_dev_exit(idx);
	return ret ?: len;
}

static const struct file_operations svgpu_hang_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = svgpu_hang_write,
};

/**
 * svgpu_debugfs_init() - drm_driver.debugfs_init
 * @minor: the primary minor
 */
void svgpu_debugfs_init(struct drm_minor *minor)
{
	struct svgpu_device *sdev = to_svgpu(minor->dev);

	debugfs_create_file("svgpu_state", 0444, minor->debugfs_root, sdev,
			    &svgpu_state_fops);
	debugfs_create_file("svgpu_hang", 0200, minor->debugfs_root, sdev,
			    &svgpu_hang_fops);
}
