/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * svgpu_drv.h - internal definitions of the guest DRM driver for the
 * sample vGPU (docs/guest-driver.rst)
 */
#ifndef _SVGPU_DRV_H
#define _SVGPU_DRV_H

#include <linux/dma-fence.h>
#include <linux/io.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include <drm/drm_crtc.h>
#include <drm/drm_device.h>
#include <drm/drm_encoder.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_mm.h>
#include <drm/drm_plane.h>
#include <drm/drm_writeback.h>

#include <linux/sample_vgpu.h>

#define SVGPU_NAME		"sample_vgpu"
#define SVGPU_DESC		"sample vGPU (guest side)"
#define SVGPU_PAGE		VGPU_PAGE_SIZE

/* the newest device version this driver knows, and the oldest it needs */
#define SVGPU_MIN_VERSION	0x00010001

/*
 * Ring: at most 64 KiB of the type's RING_MAX, at GTT address 0, and one
 * status page after it where the kernel's FENCE commands write the
 * sequence number of the last completed submission.
 */
#define SVGPU_RING_MAX		0x10000
#define SVGPU_FENCE_DW		3	/* FENCE with IRQ: header, dst, seqno */

/**
 * struct svgpu_ring - the command ring and the submissions on it
 * @vaddr: CPU address of the ring (coherent DMA memory)
 * @dma: its DMA address
 * @size: bytes, a power of two
 * @status: CPU address of the status page; dword 0 is the last seqno
 * @status_dma: its DMA address
 * @status_gtt: its GTT address
 * @gtt_node: GTT range of ring and status page
 * @lock: serialises submissions and resets: ring contents, @tail, the
 *        RING_* registers, seqno allocation
 * @tail: byte offset where the next command goes
 * @next_seqno: seqno of the next submission
 * @resets: resets so far
 * @submitted: submissions so far
 * @job_lock: protects @jobs, @head, @busy_cmds, @busy_bytes and the
 *            fences (their lock); taken in the interrupt handler
 * @jobs: submissions not completed, oldest first
 * @head: ring offset up to which the device has completed work
 * @busy_cmds: commands of @jobs (the device's per-doorbell budget)
 * @busy_bytes: bytes @jobs write (ditto)
 * @completed: seqno of the last completed submission
 * @space_wq: submitters waiting for ring space or budget
 * @fence_context: dma_fence context of the ring
 * @retire_work: drops completed submissions' references
 * @reset_work: resets the ring after a device error
 * @hangcheck: resets the ring when submissions make no progress
 * @hang_seqno: @completed when the hang check was started or last ran
 * @retired: completed submissions waiting for @retire_work
 */
struct svgpu_ring {
	u32 *vaddr;
	dma_addr_t dma;
	u32 size;
	u32 *status;
	dma_addr_t status_dma;
	u32 status_gtt;
	struct drm_mm_node gtt_node;

	struct mutex lock;	/* see above */
	u32 tail;
	u32 next_seqno;
	u64 resets;
	u64 submitted;

	spinlock_t job_lock;	/* see above */
	struct list_head jobs;
	u32 head;
	u32 busy_cmds;
	u32 busy_bytes;
	u32 completed;
	wait_queue_head_t space_wq;
	u64 fence_context;
	struct work_struct retire_work;
	struct work_struct reset_work;
	struct delayed_work hangcheck;
	u32 hang_seqno;
	struct list_head retired;
};

/**
 * struct svgpu_job - one submission on the ring
 * @fence: completes when the device ran the submission's FENCE
 * @link: in svgpu_ring::jobs, then svgpu_ring::retired
 * @tail: ring offset after its commands
 * @cmds: commands, the kernel's FENCE included
 * @bytes: bytes its commands write
 * @nbos: entries of @bos
 * @bos: referenced buffers, dropped when it is retired
 */
struct svgpu_job {
	struct dma_fence fence;
	struct list_head link;
	u32 tail;
	u32 cmds;
	u32 bytes;
	u32 nbos;
	struct drm_gem_object **bos;
};

/**
 * struct svgpu_bo - a buffer object: shmem pages, bound into the GTT
 * @base: shmem GEM object
 * @node: its GTT range while bound (in pages)
 * @bound: @node is in the GTT
 */
struct svgpu_bo {
	struct drm_gem_shmem_object base;
	struct drm_mm_node node;
	bool bound;
};

/**
 * struct svgpu_device - one sample vGPU
 * @drm: DRM device, first member
 * @pdev: PCI function
 * @mmio: BAR0
 * @version: VERSION register
 * @caps: CAPS register
 * @gtt_entries: GTT entries of the device
 * @gtt_lock: protects @gtt_mm and the GTT entries; bo->node and bo->bound
 * @gtt_mm: GTT address space allocator, in pages
 * @irq: interrupt number
 * @irq_lock: protects @irq_enable and the IRQ_ENABLE register
 * @irq_enable: events enabled
 * @ring: command ring
 * @crtc: the pipe
 * @plane: its scanout plane
 * @encoder: encoder of @connector
 * @connector: the always connected display
 * @wb: the writeback connector
 * @flip_event: event of the commit waiting for FLIP_DONE, under
 *              drm.event_lock
 * @flip_vblank: @flip_event holds a vblank reference
 * @wb_armed: the commit being flushed queued a writeback job
 * @wb_busy: a WB_COMMIT is waiting for its WB_DONE
 * @wb_wq: commits waiting for @wb_busy to clear
 * @pref_w: width of the device's preferred mode
 * @pref_h: its height
 */
struct svgpu_device {
	struct drm_device drm;
	struct pci_dev *pdev;
	void __iomem *mmio;
	u32 version;
	u32 caps;
	u32 gtt_entries;

	struct mutex gtt_lock;	/* see above */
	struct drm_mm gtt_mm;

	int irq;
	spinlock_t irq_lock;	/* see above */
	u32 irq_enable;

	struct svgpu_ring ring;

	struct drm_crtc crtc;
	struct drm_plane plane;
	struct drm_encoder encoder;
	struct drm_connector connector;
	struct drm_writeback_connector wb;
	struct drm_pending_vblank_event *flip_event;
	bool flip_vblank;
	bool wb_armed;
	bool wb_busy;
	wait_queue_head_t wb_wq;
	u32 pref_w;
	u32 pref_h;
};

static inline struct svgpu_device *to_svgpu(struct drm_device *drm)
{
	return container_of(drm, struct svgpu_device, drm);
}

static inline struct svgpu_bo *to_svgpu_bo(struct drm_gem_object *obj)
{
	return container_of(to_drm_gem_shmem_obj(obj), struct svgpu_bo, base);
}

static inline u32 svgpu_rd(struct svgpu_device *sdev, u32 off)
{
	return readl(sdev->mmio + off);
}

static inline void svgpu_wr(struct svgpu_device *sdev, u32 off, u32 val)
{
	writel(val, sdev->mmio + off);
}

static inline u32 svgpu_bo_gtt(const struct svgpu_bo *bo)
{
	return bo->node.start << PAGE_SHIFT;
}

/* svgpu_gem.c */
struct drm_gem_object *svgpu_gem_create_object(struct drm_device *drm,
					       size_t size);
int svgpu_bo_bind(struct svgpu_bo *bo);
int svgpu_gtt_init(struct svgpu_device *sdev);
int svgpu_gtt_map_dma(struct svgpu_device *sdev, struct drm_mm_node *node,
		      dma_addr_t dma, u32 pages);
void svgpu_gtt_unmap(struct svgpu_device *sdev, struct drm_mm_node *node);
int svgpu_gem_create_ioctl(struct drm_device *drm, void *data,
			   struct drm_file *file);
int svgpu_gem_mmap_offset_ioctl(struct drm_device *drm, void *data,
				struct drm_file *file);
int svgpu_gem_info_ioctl(struct drm_device *drm, void *data,
			 struct drm_file *file);
int svgpu_gem_wait_ioctl(struct drm_device *drm, void *data,
			 struct drm_file *file);

/* svgpu_ring.c */
int svgpu_ring_init(struct svgpu_device *sdev);
void svgpu_ring_fini(struct svgpu_device *sdev);
void svgpu_ring_irq(struct svgpu_device *sdev, u32 status);
struct svgpu_job *svgpu_job_alloc(u32 nbos);
void svgpu_job_put(struct svgpu_job *job);
int svgpu_ring_submit(struct svgpu_device *sdev, struct svgpu_job *job,
		      const u32 *cmds, u32 ndw);
int svgpu_ring_inject_hang(struct svgpu_device *sdev, bool lose_doorbell);

/* svgpu_submit.c */
int svgpu_submit_ioctl(struct drm_device *drm, void *data,
		       struct drm_file *file);

/* svgpu_kms.c */
int svgpu_kms_init(struct svgpu_device *sdev);
void svgpu_kms_irq(struct svgpu_device *sdev, u32 status);

/* svgpu_drv.c */
void svgpu_irq_enable(struct svgpu_device *sdev, u32 bits, bool on);

/* svgpu_debugfs.c */
void svgpu_debugfs_init(struct drm_minor *minor);

#endif /* _SVGPU_DRV_H */
