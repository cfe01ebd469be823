// SPDX-License-Identifier: GPL-2.0-only
/*
 * migration.c - VFIO migration v2 of the sample vGPU
 *
 * States: RUNNING, RUNNING_P2P, STOP, STOP_COPY, RESUMING, PRE_COPY,
 * PRE_COPY_P2P.  The device never does peer-to-peer DMA, so the P2P states
 * run like their plain counterparts; execution stops (in-flight work
 * drained) on the arcs into STOP and STOP_COPY and restarts on STOP ->
 * RUNNING_P2P.
 *
 * The stream is a sequence of records (struct vgpu_mig_hdr + payload, see
 * mig_stream.h, private to the driver): PRE_COPY yields a GTT snapshot
 * record, and another one whenever the GTT changed after the last was read;
 * STOP_COPY appends the FULL record, after a DISPLAY record when the
 * display engine is not at reset.  A GTT travels as runs of contiguous
 * mappings, so records follow the mappings' layout, not the aperture.  The
 * resuming side checks each record as it arrives (magic, version, type,
 * length, CRC, runs) with memory bounded by one record, and applies the
 * last FULL record on RESUMING -> STOP, re-pinning the GTT in bulk.  Entering
 * RESUMING clears the device (GTT and registers), so a rejected stream
 * leaves nothing of the state before it.  Any failure is an errno; the
 * device stays usable (reset).
 *
 * A data file holds a reference on the device (its memory, not its
 * registration): it may outlive the device file and the mdev, and then
 * fails every call with -ENODEV.
 *
 * Lock order: state_mutex -> migf->lock -> v->lock, and migf->io_lock ->
 * migf->lock.  migf->io_lock serialises read()/write() on one file and is
 * the only lock held across copy_to_user()/copy_from_user(), which go
 * through a bounce buffer: set-state, reset and close never wait for a
 * user buffer that stalls (e.g. under userfaultfd).
 */
#include <linux/anon_inodes.h>
#include <linux/crc32.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/lockdep.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "vgpu.h"

/* bytes moved between user space and a data file per hold of migf->lock */
#define VGPU_MIG_BOUNCE		SZ_64K

/**
 * struct vgpu_migf - a migration data file
 * @filp: the file
 * @v: device, referenced (get_device()) until the file is released
 * @io_lock: serialises read()/write(); owns @bounce
 * @bounce: user copies go through it, outside @lock
 * @lock: protects the fields below; never held across a user copy
 * @disabled: session over, file dead
 * @buf: saving: produced records; resuming: the record being received
 * @cap: size of @buf
 * @filled: bytes in @buf
 * @rpos: saving: bytes of @buf already read
 * @skipped: saving: stream bytes dropped from the front of @buf
 * @initial_left: saving: unread bytes of the initial PRE_COPY record
 * @gen: saving: GTT generation of the last GTT snapshot
 * @final: saving: FULL record produced, end of stream after it
 * @rec_len: resuming: length of the record being received, 0 if unknown
 * @error: resuming: sticky errno of a rejected stream
 * @full: resuming: payload of the last FULL record
 * @full_len: resuming: bytes in @full
 * @have_full: resuming: @full is valid
 * @disp: resuming: payload of the last DISPLAY record
 * @have_disp: resuming: @disp is valid
 */
struct vgpu_migf {
	struct file *filp;
	struct vgpu_dev *v;
	struct mutex io_lock;	/* see above */
	u8 *bounce;
	struct mutex lock;	/* see above */
	bool disabled;
	u8 *buf;
	size_t cap;
	size_t filled;
	size_t rpos;
	u64 skipped;
	size_t initial_left;
	u64 gen;
	bool final;
	size_t rec_len;
	int error;
	u8 *full;
	size_t full_len;
	bool have_full;
	u8 disp[VGPU_MIG_DISPLAY_LEN];
	bool have_disp;
};

/* payload bytes before the GTT runs */
static size_t vgpu_fixed_len(u32 kind)
{
	switch (kind) {
	case VGPU_MIG_REC_FULL:		return VGPU_MIG_FULL_FIXED;
	case VGPU_MIG_REC_DISPLAY:	return VGPU_MIG_DISPLAY_LEN;
	}
	return 0;
}

/* most GTT runs a @kind record may carry: one per entry, none in DISPLAY */
static size_t vgpu_max_runs(const struct vgpu_dev *v, u32 kind)
{
	return kind == VGPU_MIG_REC_DISPLAY ? 0 : v->type->gtt_entries;
}

static size_t vgpu_payload_len(u32 kind, size_t runs)
{
	return vgpu_fixed_len(kind) + sizeof(struct vgpu_mig_gtt_run) * runs;
}

/* Bytes of a @kind record for the GTT as it is now; takes v->lock. */
static size_t vgpu_record_len(struct vgpu_dev *v, u32 kind)
{
	size_t runs;

	mutex_lock(&v->lock);
	runs = vgpu_gtt_runs(v);
	mutex_unlock(&v->lock);
	return sizeof(struct vgpu_mig_hdr) + vgpu_payload_len(kind, runs);
}

/* Room for @need bytes in migf->buf, keeping what it holds. */
static int vgpu_migf_reserve(struct vgpu_migf *migf, size_t need)
{
	u8 *buf;

	if (need <= migf->cap)
		return 0;
	buf = kvzalloc(need, GFP_KERNEL_ACCOUNT);
	if (!buf)
		return -ENOMEM;
	if (migf->filled)
		memcpy(buf, migf->buf, migf->filled);
	kvfree(migf->buf);
	migf->buf = buf;
	migf->cap = need;
	return 0;
}

static u32 vgpu_crc(const void *p, size_t len)
{
	return crc32_le(~0u, p, len) ^ ~0u;
}

static void vgpu_put_regs(struct vgpu_dev *v, u8 *dst)
{
	const u32 *src = (const u32 *)&v->regs;
	unsigned int i;

	for (i = 0; i < sizeof(v->regs) / 4; i++) {
		__le32 le = cpu_to_le32(src[i]);

		memcpy(dst + 4 * i, &le, 4);
	}
}

static void vgpu_put_hdr(struct vgpu_dev *v, struct vgpu_mig_hdr *hdr,
			 u32 kind, size_t len)
{
	memset(hdr, 0, sizeof(*hdr));
	hdr->magic = cpu_to_le64(VGPU_MIG_MAGIC);
	hdr->version_major = cpu_to_le16(VGPU_MIG_VERSION_MAJOR);
	hdr->version_minor = cpu_to_le16(VGPU_MIG_VERSION_MINOR);
	hdr->kind = cpu_to_le32(kind);
	hdr->type_id = cpu_to_le32(v->type->id);
	hdr->gtt_entries = cpu_to_le32(v->type->gtt_entries);
	hdr->length = cpu_to_le32(len);
}

/* Append one record to the saving buffer; takes v->lock. */
static int vgpu_save_record(struct vgpu_migf *migf, u32 kind)
{
	struct vgpu_dev *v = migf->v;
	struct vgpu_mig_hdr *hdr;
	size_t runs, len;
	u8 *pl;
	int ret;

	mutex_lock(&v->lock);
	runs = vgpu_gtt_runs(v);
	len = vgpu_payload_len(kind, runs);
	ret = vgpu_migf_reserve(migf, migf->filled + sizeof(*hdr) + len);
	if (ret) {
		mutex_unlock(&v->lock);
		return ret;
	}
	hdr = (void *)(migf->buf + migf->filled);
	pl = (u8 *)(hdr + 1);
	vgpu_put_hdr(v, hdr, kind, len);
	if (kind == VGPU_MIG_REC_FULL) {
		vgpu_put_regs(v, pl);
		memcpy(pl + sizeof(v->regs), v->cfg, VGPU_CFG_SIZE);
	}
	vgpu_gtt_save(v, pl + vgpu_fixed_len(kind), runs);
	migf->gen = v->gtt_gen;
	mutex_unlock(&v->lock);

	hdr->crc = cpu_to_le32(vgpu_crc(pl, len));
	migf->filled += sizeof(*hdr) + len;
	return 0;
}

/* A DISPLAY record if the display is not at reset; takes v->lock. */
static int vgpu_save_display(struct vgpu_migf *migf)
{
	struct vgpu_dev *v = migf->v;
	size_t len = VGPU_MIG_DISPLAY_LEN;
	struct vgpu_mig_hdr *hdr;
	bool needed;
	int ret;

	ret = vgpu_migf_reserve(migf, migf->filled + sizeof(*hdr) + len);
	if (ret)
		return ret;
	hdr = (void *)(migf->buf + migf->filled);
	mutex_lock(&v->lock);
	needed = vgpu_display_save(v, (u8 *)(hdr + 1));
	mutex_unlock(&v->lock);
	if (!needed)
		return 0;
	vgpu_put_hdr(v, hdr, VGPU_MIG_REC_DISPLAY, len);
	hdr->crc = cpu_to_le32(vgpu_crc(hdr + 1, len));
	migf->filled += sizeof(*hdr) + len;
	return 0;
}

/* The device state of a stopped device: DISPLAY if needed, then FULL. */
static int vgpu_save_full(struct vgpu_migf *migf)
{
	return vgpu_save_display(migf) ?:
	       vgpu_save_record(migf, VGPU_MIG_REC_FULL);
}

/* Bytes vgpu_save_full() appends for the device as it is now. */
static size_t vgpu_full_len(struct vgpu_dev *v)
{
	size_t len = vgpu_record_len(v, VGPU_MIG_REC_FULL);

	mutex_lock(&v->lock);
	if (vgpu_display_save(v, NULL))
		len += sizeof(struct vgpu_mig_hdr) + VGPU_MIG_DISPLAY_LEN;
	mutex_unlock(&v->lock);
	return len;
}

/* Drop what was read, so at most two records are ever buffered. */
static void vgpu_save_compact(struct vgpu_migf *migf)
{
	memmove(migf->buf, migf->buf + migf->rpos, migf->filled - migf->rpos);
	migf->filled -= migf->rpos;
	migf->skipped += migf->rpos;
	migf->rpos = 0;
}

static bool vgpu_gtt_changed(struct vgpu_migf *migf)
{
	struct vgpu_dev *v = migf->v;
	bool changed;

	mutex_lock(&v->lock);
	changed = v->gtt_gen != migf->gen;
	mutex_unlock(&v->lock);
	return changed;
}

/*
 * Have unread bytes in the saving buffer: a new PRECOPY record if the GTT
 * changed, and only for the first chunk of a read().  Returns 1 if there
 * are bytes, 0 at the end of what this read() returns, or -errno.
 */
static int vgpu_save_fill(struct vgpu_migf *migf, bool first)
{
	int ret;

	if (migf->disabled)
		return -ENODEV;
	if (migf->rpos < migf->filled)
		return 1;
	if (migf->final || !first)
		return 0;
	if (!vgpu_gtt_changed(migf))
		return -ENOMSG;	/* PRE_COPY: nothing new for now */
	vgpu_save_compact(migf);
	ret = vgpu_save_record(migf, VGPU_MIG_REC_PRECOPY);
	return ret ? ret : 1;
}

/* One bounce buffer of the stream to user space; 0 at the end. */
static ssize_t vgpu_save_chunk(struct vgpu_migf *migf, char __user *ubuf,
			       size_t len, bool first)
{
	size_t n;
	u64 at;
	int ret;

	mutex_lock(&migf->lock);
	ret = vgpu_save_fill(migf, first);
	if (ret <= 0) {
		mutex_unlock(&migf->lock);
		return ret;
	}
	n = min3(len, migf->filled - migf->rpos, (size_t)VGPU_MIG_BOUNCE);
	memcpy(migf->bounce, migf->buf + migf->rpos, n);
	at = migf->skipped + migf->rpos;
	mutex_unlock(&migf->lock);

	if (copy_to_user(ubuf, migf->bounce, n))
		return -EFAULT;	/* nothing consumed */

	mutex_lock(&migf->lock);
	ret = 0;
	if (migf->disabled) {
		ret = -ENODEV;
	} else {
		/* a FULL record may have compacted the buffer meanwhile */
		migf->rpos = at + n - migf->skipped;
		migf->initial_left -= min(migf->initial_left, n);
		atomic64_add(n, &migf->v->cnt.mig_bytes);
	}
	mutex_unlock(&migf->lock);
	return ret ? ret : n;
}

static int vgpu_migf_bounce(struct vgpu_migf *migf)
{
	if (!migf->bounce)
		migf->bounce = kvmalloc(VGPU_MIG_BOUNCE, GFP_KERNEL_ACCOUNT);
	return migf->bounce ? 0 : -ENOMEM;
}

static ssize_t vgpu_save_read(struct file *filp, char __user *ubuf,
			      size_t len, loff_t *pos)
{
	struct vgpu_migf *migf = filp->private_data;
	ssize_t ret, done = 0;

	if (pos)
		return -ESPIPE;
	mutex_lock(&migf->io_lock);
	ret = vgpu_migf_bounce(migf);
	while (!ret && done < len) {
		ret = vgpu_save_chunk(migf, ubuf + done, len - done, !done);
		if (ret > 0) {
			done += ret;
			ret = 0;
		} else if (!ret) {
			break;
		}
	}
	mutex_unlock(&migf->io_lock);
	return done ? done : ret;
}

static long vgpu_precopy_ioctl(struct file *filp, unsigned int cmd,
			       unsigned long arg)
{
	struct vgpu_migf *migf = filp->private_data;
	struct vgpu_dev *v = migf->v;
	unsigned long minsz = offsetofend(struct vfio_precopy_info,
					  dirty_bytes);
	struct vfio_precopy_info info = {};
	int ret;

	ret = vgpu_check_precopy_ioctl(&v->vdev, cmd, arg, &info);
	if (ret)
		return ret;

	mutex_lock(&v->state_mutex);
	mutex_lock(&migf->lock);
	if (migf->disabled) {
		ret = -ENODEV;
	} else if (v->mig_state != VFIO_DEVICE_STATE_PRE_COPY &&
		   v->mig_state != VFIO_DEVICE_STATE_PRE_COPY_P2P) {
		ret = -EINVAL;
	} else {
		info.initial_bytes = migf->initial_left;
		info.dirty_bytes = migf->filled - migf->rpos -
				   migf->initial_left;
		if (vgpu_gtt_changed(migf))
			info.dirty_bytes += vgpu_record_len(v,
							VGPU_MIG_REC_PRECOPY);
	}
	mutex_unlock(&migf->lock);
	mutex_unlock(&v->state_mutex);
	if (!ret && copy_to_user((void __user *)arg, &info, minsz))
		ret = -EFAULT;
	return ret;
}

static int vgpu_check_hdr(struct vgpu_migf *migf)
{
	const struct vgpu_mig_hdr *hdr = (const void *)migf->buf;
	struct vgpu_dev *v = migf->v;
	u32 kind = le32_to_cpu(hdr->kind);
	size_t len = le32_to_cpu(hdr->length);
	int ret;

	if (le64_to_cpu(hdr->magic) != VGPU_MIG_MAGIC)
		return -EINVAL;
	if (le16_to_cpu(hdr->version_major) != VGPU_MIG_VERSION_MAJOR)
		return -EOPNOTSUPP;
	if (hdr->reserved ||
	    (kind != VGPU_MIG_REC_PRECOPY && kind != VGPU_MIG_REC_FULL &&
	     kind != VGPU_MIG_REC_DISPLAY))
		return -EINVAL;
	/* a stream of another type (or another GTT size) is foreign */
	if (le32_to_cpu(hdr->type_id) != v->type->id ||
	    le32_to_cpu(hdr->gtt_entries) != v->type->gtt_entries)
		return -EINVAL;
	/* fixed part plus whole runs, at most one run per entry */
	if (len < vgpu_fixed_len(kind) ||
	    len > vgpu_payload_len(kind, vgpu_max_runs(v, kind)) ||
	    (len - vgpu_fixed_len(kind)) % sizeof(struct vgpu_mig_gtt_run))
		return -EINVAL;
	ret = vgpu_migf_reserve(migf, sizeof(*hdr) + len);
	if (!ret)
		migf->rec_len = sizeof(*hdr) + len;
	return ret;
}

static int vgpu_finish_record(struct vgpu_migf *migf)
{
	const struct vgpu_mig_hdr *hdr = (const void *)migf->buf;
	const u8 *pl = (const u8 *)(hdr + 1);
	size_t len = le32_to_cpu(hdr->length);
	u32 kind = le32_to_cpu(hdr->kind);
	size_t fixed = vgpu_fixed_len(kind);

	if (vgpu_crc(pl, len) != le32_to_cpu(hdr->crc))
		return -EBADMSG;
	if (kind == VGPU_MIG_REC_DISPLAY) {
		if (vgpu_display_check(pl))
			return -EINVAL;
		memcpy(migf->disp, pl, len);
		migf->have_disp = true;
	} else if (vgpu_gtt_check_runs(migf->v, pl + fixed, len - fixed)) {
		return -EINVAL;
	}
	if (kind == VGPU_MIG_REC_PRECOPY) {
		/*
		 * Pin what the source maps now, while it still runs: the FULL
		 * record then pins only what changed since, in the downtime.
		 */
		mutex_lock(&migf->v->lock);
		vgpu_gtt_load(migf->v, pl, len, false);
		mutex_unlock(&migf->v->lock);
	} else if (kind == VGPU_MIG_REC_FULL) {
		kvfree(migf->full);
		migf->full = kvmalloc(len, GFP_KERNEL_ACCOUNT);
		if (!migf->full)
			return -ENOMEM;
		memcpy(migf->full, pl, len);
		migf->full_len = len;
		migf->have_full = true;
	}
	migf->filled = 0;
	migf->rec_len = 0;
	return 0;
}

/* Take up to one header or one record's worth of @src. */
static ssize_t vgpu_resume_chunk(struct vgpu_migf *migf, const u8 *src,
				 size_t len)
{
	size_t want = migf->rec_len ? migf->rec_len :
				      sizeof(struct vgpu_mig_hdr);
	size_t n = min(len, want - migf->filled);
	int ret = vgpu_migf_reserve(migf, want);

	if (ret)
		return ret;
	memcpy(migf->buf + migf->filled, src, n);
	migf->filled += n;
	if (!migf->rec_len && migf->filled == sizeof(struct vgpu_mig_hdr))
		ret = vgpu_check_hdr(migf);
	/* a record may be a header alone (an empty GTT) */
	if (!ret && migf->rec_len && migf->filled == migf->rec_len)
		ret = vgpu_finish_record(migf);
	return ret ? ret : n;
}

/* Feed @len bytes of stream to the parser; an error sticks. */
static int vgpu_resume_feed(struct vgpu_migf *migf, const u8 *src,
			    size_t len)
{
	size_t done = 0;
	ssize_t ret = 0;

	if (migf->disabled)
		return -ENODEV;
	if (migf->error)
		return migf->error;
	while (!ret && done < len) {
		ret = vgpu_resume_chunk(migf, src + done, len - done);
		if (ret > 0) {
			done += ret;
			ret = 0;
		}
	}
	if (ret) {
		/* refused: drop at once what its PRECOPY records pinned */
		migf->error = ret;
		mutex_lock(&migf->v->lock);
		vgpu_gtt_clear(migf->v);
		mutex_unlock(&migf->v->lock);
	}
	atomic64_add(done, &migf->v->cnt.mig_bytes);
	return ret;
}

static ssize_t vgpu_resume_write(struct file *filp, const char __user *ubuf,
				 size_t len, loff_t *pos)
{
	struct vgpu_migf *migf = filp->private_data;
	size_t done = 0, n;
	int ret;

	if (pos)
		return -ESPIPE;
	mutex_lock(&migf->io_lock);
	ret = vgpu_migf_bounce(migf);
	while (!ret && done < len) {
		n = min_t(size_t, len - done, VGPU_MIG_BOUNCE);
		if (copy_from_user(migf->bounce, ubuf + done, n)) {
			ret = -EFAULT;	/* nothing of this chunk taken */
			break;
		}
		mutex_lock(&migf->lock);
		ret = vgpu_resume_feed(migf, migf->bounce, n);
		mutex_unlock(&migf->lock);
		if (!ret)
			done += n;
	}
	mutex_unlock(&migf->io_lock);
	return ret ? ret : done;
}

static int vgpu_release_migf(struct inode *inode, struct file *filp)
{
	struct vgpu_migf *migf = filp->private_data;

	mutex_destroy(&migf->lock);
	mutex_destroy(&migf->io_lock);
	kvfree(migf->bounce);
	kvfree(migf->buf);
	kvfree(migf->full);
	vfio_put_device(&migf->v->vdev);
	kfree(migf);
	return 0;
}

static const struct file_operations vgpu_save_fops = {
	.owner = THIS_MODULE,
	.read = vgpu_save_read,
	.unlocked_ioctl = vgpu_precopy_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.release = vgpu_release_migf,
};

static const struct file_operations vgpu_resume_fops = {
	.owner = THIS_MODULE,
	.write = vgpu_resume_write,
	.release = vgpu_release_migf,
};

static struct vgpu_migf *vgpu_migf_new(struct vgpu_dev *v, bool save)
{
	struct vgpu_migf *migf;
	struct file *filp;

	/* buffers grow with the records: vgpu_migf_reserve() */
	migf = kzalloc(sizeof(*migf), GFP_KERNEL_ACCOUNT);
	if (!migf)
		return ERR_PTR(-ENOMEM);
	migf->v = v;
	mutex_init(&migf->io_lock);
	mutex_init(&migf->lock);
	filp = anon_inode_getfile("sample_vgpu_mig",
				  save ? &vgpu_save_fops : &vgpu_resume_fops,
				  migf, save ? O_RDONLY : O_WRONLY);
	if (IS_ERR(filp)) {
		mutex_destroy(&migf->lock);
		mutex_destroy(&migf->io_lock);
		kfree(migf);
		return ERR_CAST(filp);
	}
	/* dropped by vgpu_release_migf(), after the device may be gone */
	get_device(&v->vdev.device);
	migf->filp = filp;
	stream_open(filp->f_inode, filp);
	return migf;
}

static void vgpu_migf_disable(struct vgpu_migf **pmigf)
{
	struct vgpu_migf *migf = *pmigf;

	if (!migf)
		return;
	mutex_lock(&migf->lock);
	migf->disabled = true;
	mutex_unlock(&migf->lock);
	fput(migf->filp);
	*pmigf = NULL;
}

static void vgpu_disable_files(struct vgpu_dev *v)
{
	vgpu_migf_disable(&v->saving);
	vgpu_migf_disable(&v->resuming);
}

static void vgpu_stop_exec(struct vgpu_dev *v)
{
	mutex_lock(&v->lock);
	v->running = false;
	vgpu_display_freeze(v);
	mutex_unlock(&v->lock);
	cancel_work_sync(&v->exec_work);
	vgpu_display_cancel(v);
}

static void vgpu_start_exec(struct vgpu_dev *v)
{
	mutex_lock(&v->lock);
	v->running = true;
	vgpu_irq_restart(v);
	vgpu_kick(v);
	vgpu_display_thaw(v);
	mutex_unlock(&v->lock);
}

static struct file *vgpu_save_start(struct vgpu_dev *v, bool precopy)
{
	struct vgpu_migf *migf = vgpu_migf_new(v, true);
	int ret;

	if (IS_ERR(migf))
		return ERR_CAST(migf);
	mutex_lock(&migf->lock);
	ret = precopy ? vgpu_save_record(migf, VGPU_MIG_REC_PRECOPY) :
			vgpu_save_full(migf);
	if (precopy)
		migf->initial_left = migf->filled;
	else
		migf->final = true;
	mutex_unlock(&migf->lock);
	if (ret) {
		fput(migf->filp);
		return ERR_PTR(ret);
	}
	v->saving = migf;
	return get_file(migf->filp);
}

static int vgpu_save_final(struct vgpu_dev *v)
{
	struct vgpu_migf *migf = v->saving;
	int ret;

	mutex_lock(&migf->lock);
	vgpu_save_compact(migf);
	ret = vgpu_save_full(migf);
	if (!ret) {
		migf->initial_left = 0;
		migf->final = true;
	}
	mutex_unlock(&migf->lock);
	return ret;
}

/*
 * The state to be loaded replaces the device's (the uAPI allows STOP ->
 * RESUMING to reset it): nothing of the old state survives a stream that
 * is then rejected.
 */
static struct file *vgpu_resume_start(struct vgpu_dev *v)
{
	struct vgpu_migf *migf = vgpu_migf_new(v, false);

	if (IS_ERR(migf))
		return ERR_CAST(migf);
	mutex_lock(&v->lock);
	vgpu_gtt_clear(v);
	vgpu_regs_reset(v);
	mutex_unlock(&v->lock);
	v->resuming = migf;
	return get_file(migf->filp);
}

/* Registers from the stream, with every field brought into range. */
static void vgpu_load_regs(struct vgpu_dev *v, const u8 *src)
{
	u32 *dst = (u32 *)&v->regs;
	struct vgpu_mig_regs *r = &v->regs;
	unsigned int i;

	for (i = 0; i < sizeof(*r) / 4; i++) {
		__le32 le;

		memcpy(&le, src + 4 * i, 4);
		dst[i] = le32_to_cpu(le);
	}
	r->ring_ctl &= VGPU_RING_CTL_ENABLE;
	r->irq_status &= VGPU_IRQ_ALL;
	r->irq_enable &= VGPU_IRQ_ALL;
	if (r->error > VGPU_ERR_MAX)
		r->error = VGPU_ERR_MALFORMED;
	r->error_depth = min_t(u32, r->error_depth, VGPU_MAX_BATCH_DEPTH);
	r->doorbell_pending = !!r->doorbell_pending;
}

/*
 * Apply a checked FULL payload: the GTT first (its pins may fail), then
 * registers and config space.  On error the device is left cleared.
 */
static int vgpu_apply_full(struct vgpu_dev *v, const u8 *pl, size_t len)
{
	int ret;

	lockdep_assert_held(&v->lock);
	vgpu_regs_reset(v);
	ret = vgpu_gtt_load(v, pl + VGPU_MIG_FULL_FIXED,
			    len - VGPU_MIG_FULL_FIXED, true);
	if (ret) {
		vgpu_gtt_clear(v);
		return ret;
	}
	vgpu_load_regs(v, pl);
	vgpu_cfg_init(v);
	vgpu_cfg_load(v, pl + sizeof(v->regs));
	return 0;
}

static int vgpu_load_state(struct vgpu_dev *v)
{
	struct vgpu_migf *migf = v->resuming;
	int ret;

	mutex_lock(&migf->lock);
	if (migf->error)
		ret = migf->error;
	else if (migf->filled || !migf->have_full)
		ret = -EINVAL;	/* truncated stream */
	else
		ret = 0;
	mutex_lock(&v->lock);
	if (ret)
		vgpu_gtt_clear(v);	/* what PRECOPY records pinned */
	else
		ret = vgpu_apply_full(v, migf->full, migf->full_len);
	if (!ret && migf->have_disp)
		vgpu_display_load(v, migf->disp);
	mutex_unlock(&v->lock);
	mutex_unlock(&migf->lock);
	return ret;
}

static bool vgpu_arc(enum vfio_device_mig_state cur,
		     enum vfio_device_mig_state new,
		     enum vfio_device_mig_state from,
		     enum vfio_device_mig_state to)
{
	return cur == from && new == to;
}

static struct file *vgpu_step_state(struct vgpu_dev *v,
				    enum vfio_device_mig_state new)
{
	enum vfio_device_mig_state cur = v->mig_state;
	int ret;

	/* no P2P DMA, nothing to quiesce: these arcs change nothing */
	if (vgpu_arc(cur, new, VFIO_DEVICE_STATE_RUNNING,
		     VFIO_DEVICE_STATE_RUNNING_P2P) ||
	    vgpu_arc(cur, new, VFIO_DEVICE_STATE_RUNNING_P2P,
		     VFIO_DEVICE_STATE_RUNNING) ||
	    vgpu_arc(cur, new, VFIO_DEVICE_STATE_PRE_COPY,
		     VFIO_DEVICE_STATE_PRE_COPY_P2P) ||
	    vgpu_arc(cur, new, VFIO_DEVICE_STATE_PRE_COPY_P2P,
		     VFIO_DEVICE_STATE_PRE_COPY))
		return NULL;

	if (vgpu_arc(cur, new, VFIO_DEVICE_STATE_RUNNING_P2P,
		     VFIO_DEVICE_STATE_STOP)) {
		vgpu_stop_exec(v);
		return NULL;
	}
	if (vgpu_arc(cur, new, VFIO_DEVICE_STATE_STOP,
		     VFIO_DEVICE_STATE_RUNNING_P2P)) {
		vgpu_start_exec(v);
		return NULL;
	}
	if (vgpu_arc(cur, new, VFIO_DEVICE_STATE_RUNNING,
		     VFIO_DEVICE_STATE_PRE_COPY) ||
	    vgpu_arc(cur, new, VFIO_DEVICE_STATE_RUNNING_P2P,
		     VFIO_DEVICE_STATE_PRE_COPY_P2P))
		return vgpu_save_start(v, true);
	if (vgpu_arc(cur, new, VFIO_DEVICE_STATE_STOP,
		     VFIO_DEVICE_STATE_STOP_COPY))
		return vgpu_save_start(v, false);
	if (vgpu_arc(cur, new, VFIO_DEVICE_STATE_PRE_COPY_P2P,
		     VFIO_DEVICE_STATE_STOP_COPY)) {
		vgpu_stop_exec(v);
		ret = vgpu_save_final(v);
		if (ret) {
			vgpu_start_exec(v);
			return ERR_PTR(ret);
		}
		return NULL;
	}
	if (vgpu_arc(cur, new, VFIO_DEVICE_STATE_PRE_COPY,
		     VFIO_DEVICE_STATE_RUNNING) ||
	    vgpu_arc(cur, new, VFIO_DEVICE_STATE_PRE_COPY_P2P,
		     VFIO_DEVICE_STATE_RUNNING_P2P) ||
	    vgpu_arc(cur, new, VFIO_DEVICE_STATE_STOP_COPY,
		     VFIO_DEVICE_STATE_STOP)) {
		vgpu_disable_files(v);
		return NULL;
	}
	if (vgpu_arc(cur, new, VFIO_DEVICE_STATE_STOP,
		     VFIO_DEVICE_STATE_RESUMING))
		return vgpu_resume_start(v);
	if (vgpu_arc(cur, new, VFIO_DEVICE_STATE_RESUMING,
		     VFIO_DEVICE_STATE_STOP)) {
		ret = vgpu_load_state(v);
		if (ret)
			return ERR_PTR(ret);
		vgpu_disable_files(v);
		return NULL;
	}
	/* vfio_mig_get_next_state() only hands out the arcs above */
	WARN_ON_ONCE(1);
	return ERR_PTR(-EINVAL);
}

static struct file *vgpu_set_state(struct vfio_device *vdev,
				   enum vfio_device_mig_state new_state)
{
	struct vgpu_dev *v = vdev_to_vgpu(vdev);
	enum vfio_device_mig_state next;
	struct file *res = NULL;
	int ret;

	mutex_lock(&v->state_mutex);
	while (v->mig_state != new_state) {
		ret = vfio_mig_get_next_state(vdev, v->mig_state, new_state,
					      &next);
		if (ret) {
			res = ERR_PTR(ret);
			break;
		}
		res = vgpu_step_state(v, next);
		if (IS_ERR(res))
			break;
		v->mig_state = next;
		if (WARN_ON_ONCE(res && next != new_state)) {
			fput(res);
			res = ERR_PTR(-EINVAL);
			break;
		}
	}
	mutex_unlock(&v->state_mutex);
	return res;
}

static int vgpu_get_state(struct vfio_device *vdev,
			  enum vfio_device_mig_state *state)
{
	struct vgpu_dev *v = vdev_to_vgpu(vdev);

	mutex_lock(&v->state_mutex);
	*state = v->mig_state;
	mutex_unlock(&v->state_mutex);
	return 0;
}

static int vgpu_get_data_size(struct vfio_device *vdev,
			      unsigned long *stop_copy_length)
{
	*stop_copy_length = vgpu_full_len(vdev_to_vgpu(vdev));
	return 0;
}

const struct vfio_migration_ops vgpu_mig_ops = {
	.migration_set_state = vgpu_set_state,
	.migration_get_state = vgpu_get_state,
	.migration_get_data_size = vgpu_get_data_size,
};

/**
 * vgpu_mig_init() - migration state of a freshly opened device
 * @v: device
 */
void vgpu_mig_init(struct vgpu_dev *v)
{
	mutex_lock(&v->state_mutex);
	v->mig_state = VFIO_DEVICE_STATE_RUNNING;
	mutex_unlock(&v->state_mutex);
}

/**
 * vgpu_mig_close() - end any migration session, on close
 * @v: device
 */
void vgpu_mig_close(struct vgpu_dev *v)
{
	mutex_lock(&v->state_mutex);
	vgpu_disable_files(v);
	v->mig_state = VFIO_DEVICE_STATE_RUNNING;
	mutex_unlock(&v->state_mutex);
}

/**
 * vgpu_reset() - VFIO_DEVICE_RESET: end any migration session, drain the
 * worker, clear the GTT and registers, back to RUNNING
 * @v: device
 *
 * Return: 0.
 */
int vgpu_reset(struct vgpu_dev *v)
{
	mutex_lock(&v->state_mutex);
	vgpu_disable_files(v);
	v->mig_state = VFIO_DEVICE_STATE_RUNNING;
	vgpu_stop_exec(v);
	mutex_lock(&v->lock);
	vgpu_gtt_clear(v);
	vgpu_regs_reset(v);
	v->intx_masked = false;
	v->running = true;
	mutex_unlock(&v->lock);
	mutex_unlock(&v->state_mutex);
	return 0;
}
