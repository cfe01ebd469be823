/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vgpu_host.h - a sample vGPU instance in user space, on the driver's own
 * device code and the fake type1 of kshim.c: what main.c does for an mdev
 * (init, open, close, release), then region I/O, migration states and
 * data files as VFIO core would call them.  For host unit tests and the
 * stream fuzzer.
 */
#ifndef _VGPU_HOST_H
#define _VGPU_HOST_H

#include "vgpu.h"

/* a new, open instance of type @type_id (index of vgpu_types[]) */
struct vgpu_dev *vh_create(u32 type_id);
/* close it and drop the creator's reference (files may keep it alive) */
void vh_destroy(struct vgpu_dev *v);
extern long vh_live;	/* instances not yet released */
/*
 * A test's end: vh_destroy(@v) (if any), then true if nothing is left (no
 * pin, no file, no instance; else it says what is), and the fake type1's
 * mappings dropped.
 */
bool vh_teardown(struct vgpu_dev *v);

int vh_bar0_read(struct vgpu_dev *v, u32 off, void *buf, u32 size);
int vh_bar0_write(struct vgpu_dev *v, u32 off, const void *buf, u32 size);
u32 vh_reg(struct vgpu_dev *v, u32 off);		/* ~0u on error */
int vh_wr(struct vgpu_dev *v, u32 off, u32 val);
u64 vh_gtt(struct vgpu_dev *v, u32 entry);		/* read through BAR0 */
int vh_gtt_set(struct vgpu_dev *v, u32 entry, u64 val);	/* 8-byte write */
int vh_gtt_all(struct vgpu_dev *v, u64 *vals);		/* one bulk read */
int vh_run(struct vgpu_dev *v);				/* pending work */
int vh_run_display(struct vgpu_dev *v);		/* queued vblank work */

/* migration: a state change, its data file (or NULL) in *@f */
int vh_set_state(struct vgpu_dev *v, enum vfio_device_mig_state state,
		 struct file **f);
enum vfio_device_mig_state vh_state(struct vgpu_dev *v);
ssize_t vh_read(struct file *f, void *buf, size_t len);
ssize_t vh_write(struct file *f, const void *buf, size_t len);
/* the whole stream of a saving file, until end or ENOMSG; *len bytes */
u8 *vh_read_all(struct file *f, size_t *len);
/* STOP, STOP_COPY, the whole stream (malloc'ed, *@len bytes), STOP; NULL
 * if a state change failed */
u8 *vh_save(struct vgpu_dev *v, size_t *len);
/* STOP, RESUMING, write @s in one call (its result in *@wr; -ENODATA if
 * not reached), STOP: the first failed state change's errno, else the last */
int vh_load(struct vgpu_dev *v, const u8 *s, size_t len, ssize_t *wr);

/* little-endian fields of a migration stream, at any alignment */
static inline u32 vh_get32(const u8 *p)
{
	u32 v;

	memcpy(&v, p, 4);
	return le32toh(v);
}

static inline u64 vh_get64(const u8 *p)
{
	u64 v;

	memcpy(&v, p, 8);
	return le64toh(v);
}

static inline void vh_put32(u8 *p, u32 v)
{
	v = htole32(v);
	memcpy(p, &v, 4);
}

static inline void vh_put64(u8 *p, u64 v)
{
	v = htole64(v);
	memcpy(p, &v, 8);
}
/* a dma_unmap callback from type1, as main.c forwards it */
void vh_dma_unmap(struct vgpu_dev *v, u64 iova, u64 len);
long vh_counter_pinned(struct vgpu_dev *v);

#endif /* _VGPU_HOST_H */
