// SPDX-License-Identifier: GPL-2.0-only
/*
 * svgpu_drv.c - guest DRM driver of the sample vGPU: PCI probe, the DRM
 * driver, interrupts, GETPARAM
 *
 * The sample vGPU (drivers/gpu/sample-vgpu, an mdev in the host) appears
 * in a VM as PCI function 1b36:10f0 with one MMIO BAR: registers, and the
 * GTT window through which its graphics translation table maps guest
 * pages.  This driver gives it to DRM: GEM buffers bound into the GTT
 * (svgpu_gem.c), submissions through the command ring completed by MSI
 * (svgpu_ring.c, svgpu_submit.c), and KMS on the device's display engine
 * (svgpu_kms.c).  See docs/guest-driver.rst.
 */
#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/module.h>
#include <linux/pci.h>

#include <drm/drm_atomic_helper.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_ioctl.h>
#include <drm/drm_print.h>
#include <drm/sample_vgpu_drm.h>

#include "svgpu_compat.h"
#include "svgpu_drv.h"

/* events always handled; VBLANK only while DRM wants vblanks */
#define SVGPU_IRQ_BASE		(VGPU_IRQ_FENCE | VGPU_IRQ_ERROR | \
				 VGPU_IRQ_FLIP_DONE | VGPU_IRQ_WB_DONE | \
				 VGPU_IRQ_DISP_ERROR)

/**
 * svgpu_irq_enable() - enable or disable interrupt events
 * @sdev: device
 * @bits: VGPU_IRQ_* events
 * @on: enable
 */
void svgpu_irq_enable(struct svgpu_device *sdev, u32 bits, bool on)
{
	unsigned long flags;

	spin_lock_irqsave(&sdev->irq_lock, flags);
	if (on)
		sdev->irq_enable |= bits;
	else
		sdev->irq_enable &= ~bits;
	svgpu_wr(sdev, VGPU_REG_IRQ_ENABLE, sdev->irq_enable);
	spin_unlock_irqrestore(&sdev->irq_lock, flags);
}

/*
 * Acknowledge (IRQ_STATUS is write-1-to-clear: an event after the read is
 * kept for the next interrupt) and dispatch.
 */
static irqreturn_t svgpu_irq(int irq, void *arg)
{
	struct svgpu_device *sdev = arg;
	u32 status = svgpu_rd(sdev, VGPU_REG_IRQ_STATUS) &
		     READ_ONCE(sdev->irq_enable);

	if (!status)
		return IRQ_NONE;
	svgpu_wr(sdev, VGPU_REG_IRQ_STATUS, status);
	svgpu_ring_irq(sdev, status);
	svgpu_kms_irq(sdev, status);
	return IRQ_HANDLED;
}

static int svgpu_getparam_ioctl(struct drm_device *drm, void *data,
				struct drm_file *file)
{
	struct svgpu_device *sdev = to_svgpu(drm);
	struct drm_svgpu_getparam *args = data;
	struct svgpu_ring *r = &sdev->ring;

	if (args->pad)
		return -EINVAL;
	switch (args->param) {
	case SVGPU_PARAM_DEVICE_VERSION:
		args->value = sdev->version;
		break;
	case SVGPU_PARAM_DEVICE_CAPS:
		args->value = sdev->caps;
		break;
	case SVGPU_PARAM_GTT_SIZE:
		args->value = (u64)sdev->gtt_entries * SVGPU_PAGE;
		break;
	case SVGPU_PARAM_MAX_CMD_BYTES:
		args->value = SVGPU_SUBMIT_MAX_BYTES;
		break;
	case SVGPU_PARAM_SUBMITTED:
		args->value = READ_ONCE(r->submitted);
		break;
	case SVGPU_PARAM_COMPLETED:
		args->value = READ_ONCE(r->completed);
		break;
	case SVGPU_PARAM_RESETS:
		args->value = READ_ONCE(r->resets);
		break;
	case SVGPU_PARAM_CMDS_EXECUTED:
		args->value = svgpu_rd(sdev, VGPU_REG_CMDS_EXECUTED);
		break;
	default:
		return -EINVAL;
	}
	return 0;
}

static const struct drm_ioctl_desc svgpu_ioctls[] = {
	DRM_IOCTL_DEF_DRV(SVGPU_GETPARAM, svgpu_getparam_ioctl,
			  DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(SVGPU_GEM_CREATE, svgpu_gem_create_ioctl,
			  DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(SVGPU_GEM_MMAP_OFFSET, svgpu_gem_mmap_offset_ioctl,
			  DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(SVGPU_GEM_INFO, svgpu_gem_info_ioctl,
			  DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(SVGPU_SUBMIT, svgpu_submit_ioctl, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(SVGPU_GEM_WAIT, svgpu_gem_wait_ioctl,
			  DRM_RENDER_ALLOW),
};

DEFINE_DRM_GEM_FOPS(svgpu_fops);

static const struct drm_driver svgpu_driver = {
	.driver_features = DRIVER_GEM | DRIVER_MODESET | DRIVER_ATOMIC |
			   DRIVER_RENDER,
	.fops = &svgpu_fops,
	.ioctls = svgpu_ioctls,
	.num_ioctls = ARRAY_SIZE(svgpu_ioctls),
	.gem_create_object = svgpu_gem_create_object,
	DRM_GEM_SHMEM_DRIVER_OPS,
	.debugfs_init = svgpu_debugfs_init,
	.name = SVGPU_NAME,
	.desc = SVGPU_DESC,
	SVGPU_DRIVER_DATE
	.major = 1,
	.minor = 0,
};

/* Identify the device; leave it quiet: no interrupts, pipe and ring off. */
static int svgpu_hw_init(struct svgpu_device *sdev)
{
	if (svgpu_rd(sdev, VGPU_REG_ID) != VGPU_ID_MAGIC)
		return -ENODEV;
	sdev->version = svgpu_rd(sdev, VGPU_REG_VERSION);
	sdev->caps = svgpu_rd(sdev, VGPU_REG_CAPS);
	sdev->gtt_entries = svgpu_rd(sdev, VGPU_REG_GTT_ENTRIES);
	if (sdev->version >> 16 != SVGPU_MIN_VERSION >> 16 ||
	    sdev->version < SVGPU_MIN_VERSION ||
	    !(sdev->caps & VGPU_CAP_DISPLAY) ||
	    !(sdev->caps & VGPU_CAP_WRITEBACK)) {
		drm_err(&sdev->drm, "device version %#x caps %#x not supported\n",
			sdev->version, sdev->caps);
		return -ENODEV;
	}
	if (!sdev->gtt_entries || sdev->gtt_entries > VGPU_GTT_MAX_ENTRIES ||
	    pci_resource_len(sdev->pdev, 0) <
	    VGPU_GTT_WINDOW + 8ull * sdev->gtt_entries)
		return -ENODEV;
	svgpu_wr(sdev, VGPU_REG_IRQ_ENABLE, 0);
	svgpu_wr(sdev, VGPU_REG_DISP_CTL, 0);
	svgpu_wr(sdev, VGPU_REG_RING_CTL, 0);
	svgpu_wr(sdev, VGPU_REG_IRQ_STATUS, VGPU_IRQ_ALL);
	svgpu_wr(sdev, VGPU_REG_ERROR, 0);
	svgpu_wr(sdev, VGPU_REG_DISP_ERROR, 0);
	return 0;
}

static int svgpu_irq_init(struct svgpu_device *sdev)
{
	struct pci_dev *pdev = sdev->pdev;
	int ret;

	spin_lock_init(&sdev->irq_lock);
	ret = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSI | PCI_IRQ_INTX);
	if (ret < 0)
		return ret;
	sdev->irq = pci_irq_vector(pdev, 0);
	ret = request_irq(sdev->irq, svgpu_irq, IRQF_SHARED, SVGPU_NAME, sdev);
	if (ret) {
		pci_free_irq_vectors(pdev);
		return ret;
	}
	svgpu_irq_enable(sdev, SVGPU_IRQ_BASE, true);
	return 0;
}

static void svgpu_irq_fini(struct svgpu_device *sdev)
{
	svgpu_irq_enable(sdev, VGPU_IRQ_ALL, false);
	free_irq(sdev->irq, sdev);
	pci_free_irq_vectors(sdev->pdev);
}

static int svgpu_probe(struct pci_dev *pdev, const struct pci_device_id *ent)
{
	struct svgpu_device *sdev;
	int ret;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	sdev = devm_drm_dev_alloc(&pdev->dev, &svgpu_driver,
				  struct svgpu_device, drm);
	if (IS_ERR(sdev))
		return PTR_ERR(sdev);
	sdev->pdev = pdev;
	pci_set_drvdata(pdev, sdev);
	sdev->mmio = pcim_iomap_region(pdev, 0, SVGPU_NAME);
	if (IS_ERR(sdev->mmio))
		return PTR_ERR(sdev->mmio);
	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	if (ret)
		return ret;
	pci_set_master(pdev);
	ret = svgpu_hw_init(sdev);
	if (ret)
		return ret;
	ret = svgpu_gtt_init(sdev) ?: svgpu_ring_init(sdev);
	if (ret)
		return ret;
	ret = svgpu_irq_init(sdev);
	if (ret)
		goto err_ring;
	ret = svgpu_kms_init(sdev);
	if (ret)
		goto err_irq;
	ret = drm_dev_register(&sdev->drm, 0);
	if (ret)
		goto err_irq;
	drm_info(&sdev->drm, "device %#x, GTT %u MiB, ring %u KiB, %s\n",
		 sdev->version, sdev->gtt_entries >> 8, sdev->ring.size >> 10,
		 pdev->msi_enabled ? "MSI" : "INTx");
	return 0;

err_irq:
	svgpu_irq_fini(sdev);
err_ring:
	svgpu_ring_fini(sdev);
	return ret;
}

static void svgpu_remove(struct pci_dev *pdev)
{
	struct svgpu_device *sdev = pci_get_drvdata(pdev);

	drm_dev_unplug(&sdev->drm);
	drm_atomic_helper_shutdown(&sdev->drm);
	svgpu_irq_fini(sdev);
	svgpu_ring_fini(sdev);
}

static void svgpu_shutdown(struct pci_dev *pdev)
{
	struct svgpu_device *sdev = pci_get_drvdata(pdev);

	drm_atomic_helper_shutdown(&sdev->drm);
}

static const struct pci_device_id svgpu_pci_ids[] = {
	{ PCI_DEVICE(VGPU_PCI_VENDOR_ID, VGPU_PCI_DEVICE_ID) },
	{ }
};
MODULE_DEVICE_TABLE(pci, svgpu_pci_ids);

static struct pci_driver svgpu_pci_driver = {
	.name = SVGPU_NAME,
	.id_table = svgpu_pci_ids,
	.probe = svgpu_probe,
	.remove = svgpu_remove,
	.shutdown = svgpu_shutdown,
};
module_pci_driver(svgpu_pci_driver);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("DRM driver for the sample vGPU, in its guest");
