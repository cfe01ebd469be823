// SPDX-License-Identifier: GPL-2.0-only
/*
 * migration.c - VFIO migration v2: device states, the data fd, and the
 * device's own dirty tracking (DMA logging)
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "libvfio.h"

/* a VFIO_DEVICE_FEATURE buffer with room for the feature's payload */
#define FEATURE_BUF(name, payload)					\
	__u64 name[(sizeof(struct vfio_device_feature) +		\
		    sizeof(payload) + 7) / 8] = {}

int vfio_mig_set(struct vfio_dev *d, __u32 state, int *data_fd)
{
	FEATURE_BUF(buf, struct vfio_device_feature_mig_state);
	struct vfio_device_feature *f = (void *)buf;
	struct vfio_device_feature_mig_state *ms = (void *)f->data;

	f->argsz = sizeof(buf);
	f->flags = VFIO_DEVICE_FEATURE_SET |
		   VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE;
	ms->device_state = state;
	ms->data_fd = -1;
	if (ioctl(d->fd, VFIO_DEVICE_FEATURE, f))
		return vfio_errno();
	if (data_fd)
		*data_fd = ms->data_fd;
	else if (ms->data_fd >= 0)
		close(ms->data_fd);
	return 0;
}

int vfio_mig_get(struct vfio_dev *d, __u32 *state)
{
	FEATURE_BUF(buf, struct vfio_device_feature_mig_state);
	struct vfio_device_feature *f = (void *)buf;
	struct vfio_device_feature_mig_state *ms = (void *)f->data;

	f->argsz = sizeof(buf);
	f->flags = VFIO_DEVICE_FEATURE_GET |
		   VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE;
	if (ioctl(d->fd, VFIO_DEVICE_FEATURE, f))
		return vfio_errno();
	*state = ms->device_state;
	return 0;
}

int vfio_mig_data_size(struct vfio_dev *d, __u64 *stop_copy_length)
{
	FEATURE_BUF(buf, struct vfio_device_feature_mig_data_size);
	struct vfio_device_feature *f = (void *)buf;
	struct vfio_device_feature_mig_data_size *ds = (void *)f->data;

	f->argsz = sizeof(buf);
	f->flags = VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_MIG_DATA_SIZE;
	if (ioctl(d->fd, VFIO_DEVICE_FEATURE, f))
		return vfio_errno();
	*stop_copy_length = ds->stop_copy_length;
	return 0;
}

int vfio_precopy_info(int data_fd, struct vfio_precopy_info *info)
{
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	return ioctl(data_fd, VFIO_MIG_GET_PRECOPY_INFO, info) ?
	       vfio_errno() : 0;
}

long vfio_mig_read(int data_fd, void *buf, size_t cap)
{
	size_t done = 0;

	while (done < cap) {
		ssize_t n = read(data_fd, (char *)buf + done, cap - done);

		if (n < 0 && errno == ENOMSG)
			break;
		if (n < 0)
			return vfio_errno();
		if (!n)
			break;
		done += n;
	}
	return done;
}

int vfio_mig_write(int data_fd, const void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = write(data_fd, (const char *)buf + done,
				  len - done);

		if (n < 0)
			return vfio_errno();
		done += n;
	}
	return 0;
}

int vfio_dma_log_start(struct vfio_dev *d, __u64 iova, __u64 length)
{
	FEATURE_BUF(buf, struct vfio_device_feature_dma_logging_control);
	struct vfio_device_feature *f = (void *)buf;
	struct vfio_device_feature_dma_logging_control *c = (void *)f->data;
	struct vfio_device_feature_dma_logging_range range = {
		.iova = iova,
		.length = length,
	};

	f->argsz = sizeof(buf);
	f->flags = VFIO_DEVICE_FEATURE_SET |
		   VFIO_DEVICE_FEATURE_DMA_LOGGING_START;
	c->page_size = BM_PAGE;
	c->num_ranges = 1;
	c->ranges = (uintptr_t)&range;
	return ioctl(d->fd, VFIO_DEVICE_FEATURE, f) ? vfio_errno() : 0;
}

int vfio_dma_log_stop(struct vfio_dev *d)
{
	struct vfio_device_feature f = {
		.argsz = sizeof(f),
		.flags = VFIO_DEVICE_FEATURE_SET |
			 VFIO_DEVICE_FEATURE_DMA_LOGGING_STOP,
	};

	return ioctl(d->fd, VFIO_DEVICE_FEATURE, &f) ? vfio_errno() : 0;
}

int vfio_dma_log_report(struct vfio_dev *d, __u64 iova, __u64 length,
			uint64_t *bitmap)
{
	FEATURE_BUF(buf, struct vfio_device_feature_dma_logging_report);
	struct vfio_device_feature *f = (void *)buf;
	struct vfio_device_feature_dma_logging_report *r = (void *)f->data;

	f->argsz = sizeof(buf);
	f->flags = VFIO_DEVICE_FEATURE_GET |
		   VFIO_DEVICE_FEATURE_DMA_LOGGING_REPORT;
	r->iova = iova;
	r->length = length;
	r->page_size = BM_PAGE;
	r->bitmap = (uintptr_t)bitmap;
	return ioctl(d->fd, VFIO_DEVICE_FEATURE, f) ? vfio_errno() : 0;
}

const char *vfio_mig_state_name(__u32 state)
{
	static const char *const names[] = {
		[VFIO_DEVICE_STATE_ERROR] = "ERROR",
		[VFIO_DEVICE_STATE_STOP] = "STOP",
		[VFIO_DEVICE_STATE_RUNNING] = "RUNNING",
		[VFIO_DEVICE_STATE_STOP_COPY] = "STOP_COPY",
		[VFIO_DEVICE_STATE_RESUMING] = "RESUMING",
		[VFIO_DEVICE_STATE_RUNNING_P2P] = "RUNNING_P2P",
		[VFIO_DEVICE_STATE_PRE_COPY] = "PRE_COPY",
		[VFIO_DEVICE_STATE_PRE_COPY_P2P] = "PRE_COPY_P2P",
	};

	return state < sizeof(names) / sizeof(names[0]) ? names[state] : "?";
}
