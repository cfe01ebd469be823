// SPDX-License-Identifier: GPL-2.0-only
/*
 * vgpu_host.c - a sample vGPU instance in user space (vgpu_host.h)
 *
 * vh_create(), vh_destroy() and the release do what main.c's
 * vgpu_init_dev(), vgpu_open_device(), vgpu_close_device() and
 * vgpu_release_dev() do, on the same fields, minus sysfs and the pool.
 */
#include "vgpu_host.h"

long vh_live;

static void vh_release(struct device *dev)
{
	struct vgpu_dev *v = container_of(dev, struct vgpu_dev, vdev.device);

	vgpu_gtt_destroy(v);
	kfree(v->pin_pages);
	kfree(v->bounce);
	kfree(v->batch_shadow[1]);
	kfree(v->batch_shadow[0]);
	kvfree(v->ring_shadow);
	free(v);
	vh_live--;
}

struct vgpu_dev *vh_create(u32 type_id)
{
	struct vgpu_dev *v;

	if (type_id >= VGPU_NR_TYPES)
		return NULL;
	v = calloc(1, sizeof(*v));
	if (!v)
		abort();
	v->type = &vgpu_types[type_id];
	v->ring_shadow = malloc(v->type->ring_max);
	v->batch_shadow[0] = malloc(VGPU_MAX_BATCH_BYTES);
	v->batch_shadow[1] = malloc(VGPU_MAX_BATCH_BYTES);
	v->bounce = malloc(PAGE_SIZE);
	v->pin_pages = calloc(VGPU_GTT_BATCH, sizeof(*v->pin_pages));
	if (!v->ring_shadow || !v->batch_shadow[0] || !v->batch_shadow[1] ||
	    !v->bounce || !v->pin_pages)
		abort();
	v->vdev.device.refs = 1;
	v->vdev.device.release = vh_release;
	v->fine_dirty = true;
	v->vdev.reports_dirty = true;
	vgpu_gtt_init(v);
	mutex_init(&v->lock);
	mutex_init(&v->state_mutex);
	INIT_WORK(&v->exec_work, vgpu_exec_work);
	vgpu_display_init(v);
	v->irq_index = VGPU_IRQ_NONE;
	vgpu_cfg_init(v);
	v->vdev.mig_ops = &vgpu_mig_ops;
	vgpu_log_declare(v);
	vh_live++;

	/* open */
	mutex_lock(&v->lock);
	vgpu_regs_reset(v);
	v->open = true;
	v->running = true;
	mutex_unlock(&v->lock);
	vgpu_mig_init(v);
	return v;
}

void vh_destroy(struct vgpu_dev *v)
{
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
	vfio_put_device(&v->vdev);
}

static int vh_bar0_rw(struct vgpu_dev *v, u32 off, void *buf, u32 size,
		      bool write)
{
	loff_t pos = ((loff_t)VFIO_PCI_BAR0_REGION_INDEX << 40) + off;
	ssize_t n = vgpu_region_rw(v, buf, size, &pos, write);

	if (n < 0)
		return n;
	return n == size ? 0 : -EIO;
}

int vh_bar0_read(struct vgpu_dev *v, u32 off, void *buf, u32 size)
{
	return vh_bar0_rw(v, off, buf, size, false);
}

int vh_bar0_write(struct vgpu_dev *v, u32 off, const void *buf, u32 size)
{
	return vh_bar0_rw(v, off, (void *)buf, size, true);
}

u32 vh_reg(struct vgpu_dev *v, u32 off)
{
	__le32 le;

	return vh_bar0_read(v, off, &le, 4) ? ~0u : le32_to_cpu(le);
}

int vh_wr(struct vgpu_dev *v, u32 off, u32 val)
{
	__le32 le = cpu_to_le32(val);

	return vh_bar0_write(v, off, &le, 4);
}

u64 vh_gtt(struct vgpu_dev *v, u32 entry)
{
	__le64 le;

	if (vh_bar0_read(v, VGPU_GTT_WINDOW + 8 * entry, &le, 8))
		return ~0ull;
	return le64_to_cpu(le);
}

int vh_gtt_set(struct vgpu_dev *v, u32 entry, u64 val)
{
	__le64 le = cpu_to_le64(val);

	return vh_bar0_write(v, VGPU_GTT_WINDOW + 8 * entry, &le, 8);
}

int vh_gtt_all(struct vgpu_dev *v, u64 *vals)
{
	u32 i, n = v->type->gtt_entries;
	int ret = vh_bar0_read(v, VGPU_GTT_WINDOW, vals, 8 * n);

	for (i = 0; !ret && i < n; i++)
		vals[i] = le64_to_cpu(vals[i]);
	return ret;
}

int vh_run(struct vgpu_dev *v)
{
	return kshim_run_work(&v->exec_work);
}

int vh_run_display(struct vgpu_dev *v)
{
	return kshim_run_work(&v->disp.work.work);
}

int vh_set_state(struct vgpu_dev *v, enum vfio_device_mig_state state,
		 struct file **f)
{
	struct file *res = vgpu_mig_ops.migration_set_state(&v->vdev, state);

	if (f)
		*f = NULL;
	if (IS_ERR(res))
		return PTR_ERR(res);
	if (res && f)
		*f = res;
	else if (res)
		fput(res);
	return 0;
}

enum vfio_device_mig_state vh_state(struct vgpu_dev *v)
{
	enum vfio_device_mig_state s = VFIO_DEVICE_STATE_ERROR;

	vgpu_mig_ops.migration_get_state(&v->vdev, &s);
	return s;
}

ssize_t vh_read(struct file *f, void *buf, size_t len)
{
	return f->f_op->read(f, buf, len, NULL);
}

ssize_t vh_write(struct file *f, const void *buf, size_t len)
{
	return f->f_op->write(f, buf, len, NULL);
}

u8 *vh_read_all(struct file *f, size_t *len)
{
	size_t cap = 4096, done = 0;
	u8 *buf = malloc(cap);
	ssize_t n;

	for (;;) {
		if (done == cap) {
			cap *= 2;
			buf = realloc(buf, cap);
		}
		if (!buf)
			abort();
		n = vh_read(f, buf + done, cap - done);
		if (n <= 0)
			break;
		done += n;
	}
	*len = done;
	return buf;
}

bool vh_teardown(struct vgpu_dev *v)
{
	bool clean;

	if (v)
		vh_destroy(v);
	clean = !kshim_pins() && !kshim_files && !vh_live;
	if (!clean)
		fprintf(stderr, "# left behind: %ld pins, %ld files, %ld instances\n",
			kshim_pins(), kshim_files, vh_live);
	kshim_unmap_all();
	return clean;
}

u8 *vh_save(struct vgpu_dev *v, size_t *len)
{
	struct file *f;
	u8 *s;

	if (vh_set_state(v, VFIO_DEVICE_STATE_STOP, NULL) ||
	    vh_set_state(v, VFIO_DEVICE_STATE_STOP_COPY, &f))
		return NULL;
	s = vh_read_all(f, len);
	fput(f);
	if (vh_set_state(v, VFIO_DEVICE_STATE_STOP, NULL)) {
		free(s);
		return NULL;
	}
	return s;
}

int vh_load(struct vgpu_dev *v, const u8 *s, size_t len, ssize_t *wr)
{
	struct file *f;
	int ret;

	*wr = -ENODATA;
	ret = vh_set_state(v, VFIO_DEVICE_STATE_STOP, NULL) ?:
	      vh_set_state(v, VFIO_DEVICE_STATE_RESUMING, &f);
	if (ret)
		return ret;
	*wr = vh_write(f, s, len);
	fput(f);
	return vh_set_state(v, VFIO_DEVICE_STATE_STOP, NULL);
}

void vh_dma_unmap(struct vgpu_dev *v, u64 iova, u64 len)
{
	mutex_lock(&v->lock);
	vgpu_gtt_unmap(v, iova, len);
	mutex_unlock(&v->lock);
}

long vh_counter_pinned(struct vgpu_dev *v)
{
	return atomic64_read(&v->cnt.pages_pinned);
}
