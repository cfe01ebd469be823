/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vgpu.h - internal definitions of the sample vGPU mdev driver
 */
#ifndef _SAMPLE_VGPU_H
#define _SAMPLE_VGPU_H

#include <linux/atomic.h>
#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/eventfd.h>
#include <linux/mdev.h>
#include <linux/mutex.h>
#include <linux/vfio.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <linux/sample_vgpu.h>

#include "cmd_parser.h"
#include "display.h"
#include "mig_stream.h"

/*
 * A GTT page is one host page: the kmap offset of a device address is its
 * offset in the GTT page, and runs of consecutive 4 KiB IOVAs are pinned
 * as consecutive host pages.  Kconfig depends on PAGE_SIZE_4KB; an
 * out-of-tree build for another page size stops here.
 */
static_assert(PAGE_SIZE == VGPU_PAGE_SIZE,
	      "sample-vgpu needs 4 KiB host pages");

#define VGPU_NAME		"sample_vgpu"
#define VGPU_IRQ_NONE		(-1)

/*
 * The GTT is a two-level table: an xarray of leaves, each one page of
 * entries, allocated when an entry in it is first written non-zero and freed
 * when all its entries are zero again.  Kernel memory thus follows the
 * entries in use, not the aperture (up to 1M entries, 4 GiB).
 */
#define VGPU_GTT_LEAF_SHIFT	8
#define VGPU_GTT_LEAF_ENTRIES	BIT(VGPU_GTT_LEAF_SHIFT)
/* entries per batch of a bulk GTT access: also the most pages per pin call */
#define VGPU_GTT_BATCH		512

/**
 * struct vgpu_type - an mdev type: a share of the parent's GTT pool
 * @type: mdev core part
 * @id: index of the type, recorded in migration streams
 * @gtt_entries: GTT entries (aperture = entries * 4 KiB)
 * @ring_max: largest ring in bytes
 * @desc: description shown in sysfs
 */
struct vgpu_type {
	struct mdev_type type;
	u32 id;
	u32 gtt_entries;
	u32 ring_max;
	const char *desc;
};

/**
 * struct vgpu_gtt_entry - one GTT entry
 * @val: value (IOVA page | VGPU_GTT_VALID); while @page is set, its
 *       address is the pinned IOVA
 * @page: pinned guest page, NULL if not valid or revoked by dma_unmap
 */
struct vgpu_gtt_entry {
	u64 val;
	struct page *page;
};

/**
 * struct vgpu_counters - statistics, read through sysfs
 * @pages_pinned: GTT pages pinned now
 * @dirty_pages: pages written by commands (reported, if fine-grained)
 * @dirty_marks: vfio_mark_dirty() calls
 * @mark_errors: vfio_mark_dirty() calls that failed
 * @cmds_executed: commands completed
 * @cmds_rejected: commands rejected with a device error
 * @submissions: doorbells processed
 * @gtt_revoked: GTT pins dropped because their IOVA was unmapped
 * @mig_bytes: migration stream bytes read and written
 * @pin_calls: vfio_pin_pages() calls (one per contiguous run of entries)
 * @unpin_calls: vfio_unpin_pages() calls
 * @gtt_leaves: GTT leaves allocated now
 */
struct vgpu_counters {
	atomic64_t pages_pinned;
	atomic64_t dirty_pages;
	atomic64_t dirty_marks;
	atomic64_t mark_errors;
	atomic64_t cmds_executed;
	atomic64_t cmds_rejected;
	atomic64_t submissions;
	atomic64_t gtt_revoked;
	atomic64_t mig_bytes;
	atomic64_t pin_calls;
	atomic64_t unpin_calls;
	atomic64_t gtt_leaves;
};

/* written ranges a submission may keep pending before a flush */
#define VGPU_DIRTY_RANGES	16

/**
 * struct vgpu_dirty_range - written IOVA range, whole pages
 * @start: first byte, page aligned
 * @last: last byte (inclusive: a range may end at the top of the IOVA
 *        space, where an exclusive end would wrap to 0)
 */
struct vgpu_dirty_range {
	u64 start;
	u64 last;
};

/**
 * struct vgpu_dirty - written ranges not reported yet
 * @n: ranges in use
 * @last: index of the range the last write went to
 * @r: disjoint, non-adjacent ranges (touching ones are merged)
 */
struct vgpu_dirty {
	unsigned int n;
	unsigned int last;
	struct vgpu_dirty_range r[VGPU_DIRTY_RANGES];
};

struct vgpu_migf;
struct vgpu_log;

/**
 * struct vgpu_dev - one vGPU instance
 * @vdev: VFIO device, first member
 * @type: mdev type of the instance
 * @fine_dirty: the instance reports its writes (capability declared)
 * @lock: protects everything below down to @exec_work, and the pins;
 *        held across calls into VFIO (pin, unpin, mark)
 * @open: device file is open
 * @running: execution allowed (migration state not stopped)
 * @cfg: PCI config space
 * @regs: register file (same layout as the migration stream)
 * @gtt: GTT leaves by leaf index (entry index >> VGPU_GTT_LEAF_SHIFT)
 * @gtt_last: the leaf last looked up, NULL if none
 * @gtt_last_li: its leaf index
 * @gtt_gen: bumped on every GTT change, for PRE_COPY dirty_bytes
 * @pin_pages: pages returned by one bulk pin call (VGPU_GTT_BATCH)
 * @irq_index: VFIO_PCI_INTX_IRQ_INDEX, VFIO_PCI_MSI_IRQ_INDEX or none
 * @intx_trigger: INTx eventfd
 * @msi_trigger: MSI eventfd
 * @intx_masked: INTx masked (automasked after each trigger)
 * @dirty: pending ranges of the dirty tracker
 * @ring_shadow: host copy of the ring segment being executed
 * @batch_shadow: host copies of batch buffers, one per nesting level
 * @bounce: one page for FILL and COPY
 * @exec_work: executes submissions off the MMIO path
 * @disp: display engine (display.c)
 * @state_mutex: protects the migration state and files; taken before @lock
 * @mig_state: VFIO migration state
 * @saving: data file of a saving session
 * @resuming: data file of a resuming session
 * @log: DMA log (vfio_log_ops), only with CONFIG_IOMMUFD_DRIVER built in
 * @cnt: counters
 */
struct vgpu_dev {
	struct vfio_device vdev;
	const struct vgpu_type *type;
	bool fine_dirty;

	struct mutex lock;	/* see above */
	bool open;
	bool running;
	u8 cfg[VGPU_CFG_SIZE];
	struct vgpu_mig_regs regs;
	struct xarray gtt;
	struct vgpu_gtt_entry *gtt_last;
	unsigned long gtt_last_li;
	u64 gtt_gen;
	struct page **pin_pages;
	int irq_index;
	struct eventfd_ctx *intx_trigger;
	struct eventfd_ctx *msi_trigger;
	bool intx_masked;
	struct vgpu_dirty dirty;
	u32 *ring_shadow;
	u32 *batch_shadow[VGPU_MAX_BATCH_DEPTH];
	u8 *bounce;
	struct work_struct exec_work;
	struct vgpu_display disp;

	struct mutex state_mutex;	/* see above */
	enum vfio_device_mig_state mig_state;
	struct vgpu_migf *saving;
	struct vgpu_migf *resuming;

	struct vgpu_log *log;	/* under @lock */
	struct vgpu_counters cnt;
};

static inline struct vgpu_dev *vdev_to_vgpu(struct vfio_device *vdev)
{
	return container_of(vdev, struct vgpu_dev, vdev);
}

static inline u64 vgpu_aperture(const struct vgpu_dev *v)
{
	return (u64)v->type->gtt_entries << VGPU_PAGE_SHIFT;
}

/* main.c */
extern struct workqueue_struct *vgpu_wq;

/* types.c */
#define VGPU_NR_TYPES		6
extern struct vgpu_type vgpu_types[VGPU_NR_TYPES];

/* mmio.c */
u32 vgpu_bar0_size(const struct vgpu_type *t);
void vgpu_mmio_setup(void);
void vgpu_cfg_init(struct vgpu_dev *v);
void vgpu_cfg_load(struct vgpu_dev *v, const u8 *src);
void vgpu_regs_reset(struct vgpu_dev *v);
ssize_t vgpu_region_rw(struct vgpu_dev *v, char __user *ubuf, size_t count,
		       loff_t *ppos, bool write);

/* gtt.c */
void vgpu_gtt_init(struct vgpu_dev *v);
void vgpu_gtt_destroy(struct vgpu_dev *v);
u64 vgpu_gtt_get(struct vgpu_dev *v, u32 index);
int vgpu_gtt_set_range(struct vgpu_dev *v, u32 first, const u64 *vals,
		       u32 n, u32 *failed);
int vgpu_gtt_write_high(struct vgpu_dev *v, u32 index, u32 hi);
void vgpu_gtt_clear(struct vgpu_dev *v);
void vgpu_gtt_unmap(struct vgpu_dev *v, u64 iova, u64 length);
size_t vgpu_gtt_runs(struct vgpu_dev *v);
void vgpu_gtt_save(struct vgpu_dev *v, u8 *dst, size_t runs);
int vgpu_gtt_check_runs(const struct vgpu_dev *v, const u8 *src, size_t len);
int vgpu_gtt_load(struct vgpu_dev *v, const u8 *src, size_t len, bool strict);
u32 vgpu_gtt_check(struct vgpu_dev *v, u32 addr, u32 len);
u32 vgpu_gtt_read(struct vgpu_dev *v, u32 addr, void *buf, u32 len);
u32 vgpu_gtt_write(struct vgpu_dev *v, u32 addr, const void *buf, u32 len);

/* dirty.c */
void vgpu_dirty_record(struct vgpu_dev *v, dma_addr_t iova, u32 len);
void vgpu_dirty_flush(struct vgpu_dev *v);

/* logops.c: DMA logging only where the kernel can report it */
#if IS_BUILTIN(CONFIG_IOMMUFD_DRIVER)
void vgpu_log_record(struct vgpu_dev *v, u64 start, u64 last);
void vgpu_log_declare(struct vgpu_dev *v);
void vgpu_log_release(struct vgpu_dev *v);
#else
static inline void vgpu_log_record(struct vgpu_dev *v, u64 start, u64 last) {}
static inline void vgpu_log_declare(struct vgpu_dev *v) {}
static inline void vgpu_log_release(struct vgpu_dev *v) {}
#endif

/* shadow.c, exec.c */
void vgpu_kick(struct vgpu_dev *v);
void vgpu_exec_work(struct work_struct *work);
u32 vgpu_exec_cmd(void *priv, const struct vgpu_cmd *cmd);

/* irq.c */
void vgpu_raise_irq(struct vgpu_dev *v, u32 bits);
void vgpu_update_irq(struct vgpu_dev *v);
void vgpu_irq_restart(struct vgpu_dev *v);
int vgpu_set_irqs(struct vgpu_dev *v, unsigned long arg);
int vgpu_get_irq_info(struct vgpu_dev *v, unsigned long arg);
void vgpu_irq_release(struct vgpu_dev *v);

/* migration.c */
extern const struct vfio_migration_ops vgpu_mig_ops;
void vgpu_mig_init(struct vgpu_dev *v);
void vgpu_mig_close(struct vgpu_dev *v);
int vgpu_reset(struct vgpu_dev *v);

#endif /* _SAMPLE_VGPU_H */
