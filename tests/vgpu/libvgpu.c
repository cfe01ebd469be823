// SPDX-License-Identifier: GPL-2.0-only
/*
 * libvgpu.c - user-space driver library for the sample vGPU
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "libvgpu.h"

#define SYSFS_TYPES	"/sys/class/mdev_bus/" VGPU_PARENT "/mdev_supported_types"
#define SYSFS_MDEV	"/sys/bus/mdev/devices"

static int neg_errno(void)
{
	return errno ? -errno : -EIO;
}

/* ---- sysfs ---- */

int vgpu_sysfs_read(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return neg_errno();
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return neg_errno();
	buf[n] = 0;
	return n;
}

int vgpu_sysfs_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return neg_errno();
	n = write(fd, val, strlen(val));
	close(fd);
	if (n < 0)
		return neg_errno();
	return 0;
}

long vgpu_available(const char *type)
{
	char path[PATH_MAX], buf[64];
	int ret;

	snprintf(path, sizeof(path), SYSFS_TYPES "/%s/available_instances",
		 type);
	ret = vgpu_sysfs_read(path, buf, sizeof(buf));
	if (ret < 0)
		return ret;
	return strtol(buf, NULL, 10);
}

static void make_uuid(char uuid[VGPU_UUID_LEN])
{
	unsigned char b[16];
	int fd = open("/dev/urandom", O_RDONLY);
	int i;

	if (fd < 0 || read(fd, b, sizeof(b)) != sizeof(b)) {
		for (i = 0; i < 16; i++)
			b[i] = rand();
	}
	if (fd >= 0)
		close(fd);
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	snprintf(uuid, VGPU_UUID_LEN,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
		 b[10], b[11], b[12], b[13], b[14], b[15]);
}

int vgpu_mdev_create(const char *type, char uuid[VGPU_UUID_LEN])
{
	char path[PATH_MAX];

	make_uuid(uuid);
	snprintf(path, sizeof(path), SYSFS_TYPES "/%s/create", type);
	return vgpu_sysfs_write(path, uuid);
}

int vgpu_mdev_remove(const char *uuid)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), SYSFS_MDEV "/%s/remove", uuid);
	return vgpu_sysfs_write(path, "1");
}

long vgpu_counter(const char *uuid, const char *name)
{
	char path[PATH_MAX], buf[64];
	int ret;

	snprintf(path, sizeof(path), SYSFS_MDEV "/%s/vendor/%s", uuid, name);
	ret = vgpu_sysfs_read(path, buf, sizeof(buf));
	if (ret < 0)
		return ret;
	return strtol(buf, NULL, 10);
}

int vgpu_module_param(const char *name, const char *val)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/sys/module/sample_vgpu/parameters/%s",
		 name);
	return vgpu_sysfs_write(path, val);
}

/* ---- device ---- */

static int group_of(const char *uuid)
{
	char path[PATH_MAX], link[PATH_MAX];
	ssize_t n;
	char *slash;

	snprintf(path, sizeof(path), SYSFS_MDEV "/%s/iommu_group", uuid);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return neg_errno();
	link[n] = 0;
	slash = strrchr(link, '/');
	return slash ? atoi(slash + 1) : -ENOENT;
}

static int region_offset(int device, __u32 index, __u64 *off)
{
	struct vfio_region_info info = { .argsz = sizeof(info),
					 .index = index };

	if (ioctl(device, VFIO_DEVICE_GET_REGION_INFO, &info))
		return neg_errno();
	*off = info.offset;
	return 0;
}

static int open_container_group(struct vgpu *g)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	char path[64];

	g->container = open("/dev/vfio/vfio", O_RDWR);
	if (g->container < 0)
		return neg_errno();
	if (ioctl(g->container, VFIO_GET_API_VERSION) != VFIO_API_VERSION ||
	    ioctl(g->container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) <= 0)
		return -ENODEV;
	snprintf(path, sizeof(path), "/dev/vfio/%d", g->group_id);
	g->group = open(path, O_RDWR);
	if (g->group < 0)
		return neg_errno();
	if (ioctl(g->group, VFIO_GROUP_GET_STATUS, &status))
		return neg_errno();
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE))
		return -EBUSY;
	if (ioctl(g->group, VFIO_GROUP_SET_CONTAINER, &g->container))
		return neg_errno();
	if (ioctl(g->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		return neg_errno();
	return 0;
}

int vgpu_open(struct vgpu *g, const char *uuid)
{
	int ret;

	memset(g, 0, sizeof(*g));
	g->container = g->group = g->device = g->irq_fd = -1;
	snprintf(g->uuid, sizeof(g->uuid), "%s", uuid);
	g->group_id = group_of(uuid);
	if (g->group_id < 0)
		return g->group_id;
	ret = open_container_group(g);
	if (ret)
		goto err;
	g->device = ioctl(g->group, VFIO_GROUP_GET_DEVICE_FD, uuid);
	if (g->device < 0) {
		ret = neg_errno();
		goto err;
	}
	ret = region_offset(g->device, VFIO_PCI_CONFIG_REGION_INDEX,
			    &g->cfg_off);
	if (!ret)
		ret = region_offset(g->device, VFIO_PCI_BAR0_REGION_INDEX,
				    &g->bar0_off);
	if (ret)
		goto err;
	g->gtt_entries = vgpu_reg(g, VGPU_REG_GTT_ENTRIES);
	g->ring_max = vgpu_reg(g, VGPU_REG_RING_MAX);
	g->caps = vgpu_reg(g, VGPU_REG_CAPS);
	if (vgpu_reg(g, VGPU_REG_ID) != VGPU_ID_MAGIC ||
	    g->gtt_entries > VGPU_GTT_MAX_ENTRIES) {
		ret = -ENODEV;
		goto err;
	}
	g->gtt_host = calloc(g->gtt_entries, sizeof(*g->gtt_host));
	if (!g->gtt_host) {
		ret = -ENOMEM;
		goto err;
	}
	return 0;
err:
	vgpu_close(g);
	return ret;
}

void vgpu_close(struct vgpu *g)
{
	int i;

	if (g->irq_fd >= 0)
		close(g->irq_fd);
	if (g->device >= 0)
		close(g->device);
	if (g->group >= 0)
		close(g->group);
	if (g->container >= 0)
		close(g->container);
	for (i = 0; i < VGPU_MAX_MAPS; i++)
		if (g->mem[i].host)
			munmap(g->mem[i].host, g->mem[i].size);
	free(g->gtt_host);
	memset(g, 0, sizeof(*g));
	g->container = g->group = g->device = g->irq_fd = -1;
}

int vgpu_reset(struct vgpu *g)
{
	if (ioctl(g->device, VFIO_DEVICE_RESET))
		return neg_errno();
	memset(g->gtt_host, 0, g->gtt_entries * sizeof(*g->gtt_host));
	g->ring_tail = 0;
	return 0;
}

int vgpu_rd(struct vgpu *g, __u32 off, __u32 *val)
{
	if (pread(g->device, val, 4, g->bar0_off + off) != 4)
		return neg_errno();
	return 0;
}

int vgpu_wr(struct vgpu *g, __u32 off, __u32 val)
{
	if (pwrite(g->device, &val, 4, g->bar0_off + off) != 4)
		return neg_errno();
	return 0;
}

int vgpu_wr64(struct vgpu *g, __u32 off, __u64 val)
{
	if (pwrite(g->device, &val, 8, g->bar0_off + off) != 8)
		return neg_errno();
	return 0;
}

int vgpu_rd64(struct vgpu *g, __u32 off, __u64 *val)
{
	if (pread(g->device, val, 8, g->bar0_off + off) != 8)
		return neg_errno();
	return 0;
}

__u32 vgpu_reg(struct vgpu *g, __u32 off)
{
	__u32 v;

	return vgpu_rd(g, off, &v) ? ~0u : v;
}

int vgpu_cfg_rd(struct vgpu *g, __u32 off, void *buf, size_t len)
{
	if (pread(g->device, buf, len, g->cfg_off + off) != (ssize_t)len)
		return neg_errno();
	return 0;
}

/* ---- memory and GTT ---- */

int vgpu_map_mem(struct vgpu *g, __u64 iova, __u64 size)
{
	return vgpu_map_mem_fd(g, iova, size, -1);
}

/* Guest memory from @fd (MAP_SHARED, offset 0), or anonymous if fd < 0. */
int vgpu_map_mem_fd(struct vgpu *g, __u64 iova, __u64 size, int fd)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.iova = iova,
		.size = size,
	};
	int i;

	for (i = 0; i < VGPU_MAX_MAPS && g->mem[i].host; i++)
		;
	if (i == VGPU_MAX_MAPS)
		return -ENOSPC;
	g->mem[i].host = mmap(NULL, size, PROT_READ | PROT_WRITE,
			      fd < 0 ? MAP_PRIVATE | MAP_ANONYMOUS : MAP_SHARED,
			      fd, 0);
	if (g->mem[i].host == MAP_FAILED) {
		g->mem[i].host = NULL;
		return neg_errno();
	}
	map.vaddr = (__u64)(uintptr_t)g->mem[i].host;
	if (ioctl(g->container, VFIO_IOMMU_MAP_DMA, &map)) {
		int ret = neg_errno();

		munmap(g->mem[i].host, size);
		g->mem[i].host = NULL;
		return ret;
	}
	g->mem[i].iova = iova;
	g->mem[i].size = size;
	return 0;
}

int vgpu_unmap_mem(struct vgpu *g, __u64 iova, __u64 size)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.iova = iova,
		.size = size,
	};
	int i;

	if (ioctl(g->container, VFIO_IOMMU_UNMAP_DMA, &unmap))
		return neg_errno();
	for (i = 0; i < VGPU_MAX_MAPS; i++) {
		if (g->mem[i].host && g->mem[i].iova == iova &&
		    g->mem[i].size == size) {
			munmap(g->mem[i].host, size);
			g->mem[i].host = NULL;
		}
	}
	return 0;
}

void *vgpu_iova_ptr(struct vgpu *g, __u64 iova)
{
	int i;

	for (i = 0; i < VGPU_MAX_MAPS; i++)
		if (g->mem[i].host && iova >= g->mem[i].iova &&
		    iova - g->mem[i].iova < g->mem[i].size)
			return (char *)g->mem[i].host + (iova - g->mem[i].iova);
	return NULL;
}

/* entries per write(): the driver pins contiguous IOVAs of one write in bulk */
#define GTT_WRITE_ENTRIES	65536

/*
 * Program @npages entries from @entry: entry k maps @iova + k pages (or
 * is cleared if @iova is 0), with one write() per GTT_WRITE_ENTRIES.
 */
static int gtt_write_run(struct vgpu *g, __u32 entry, __u64 iova,
			 __u32 npages)
{
	__u32 n = npages < GTT_WRITE_ENTRIES ? npages : GTT_WRITE_ENTRIES;
	__u64 *vals = malloc(8 * (size_t)n);
	__u32 done, i;
	ssize_t len;
	int ret = 0;

	if (!vals)
		return -ENOMEM;
	for (done = 0; done < npages && !ret; done += n) {
		n = npages - done < GTT_WRITE_ENTRIES ? npages - done :
							GTT_WRITE_ENTRIES;
		for (i = 0; i < n; i++)
			vals[i] = iova ? (iova + (__u64)(done + i) *
					  VGPU_PAGE_SIZE) | VGPU_GTT_VALID : 0;
		len = pwrite(g->device, vals, 8 * (size_t)n, g->bar0_off +
			     VGPU_GTT_WINDOW + 8 * (__u64)(entry + done));
		if (len < 0)
			ret = neg_errno();
		else if (len != 8 * (ssize_t)n)
			ret = -EIO;
	}
	free(vals);
	return ret;
}

int vgpu_gtt_map(struct vgpu *g, __u32 entry, __u64 iova, __u32 npages)
{
	__u32 i;
	int ret;

	if (!iova || (__u64)entry + npages > g->gtt_entries)
		return -EINVAL;
	ret = gtt_write_run(g, entry, iova, npages);
	for (i = 0; !ret && i < npages; i++)
		g->gtt_host[entry + i] =
			vgpu_iova_ptr(g, iova + (__u64)i * VGPU_PAGE_SIZE);
	return ret;
}

int vgpu_gtt_unmap(struct vgpu *g, __u32 entry, __u32 npages)
{
	int ret;

	if ((__u64)entry + npages > g->gtt_entries)
		return -EINVAL;
	ret = gtt_write_run(g, entry, 0, npages);
	if (!ret)
		memset(&g->gtt_host[entry], 0, npages * sizeof(*g->gtt_host));
	return ret;
}

void *vgpu_gtt_ptr(struct vgpu *g, __u32 gtt_addr)
{
	__u32 e = gtt_addr >> VGPU_PAGE_SHIFT;

	if (e >= g->gtt_entries || !g->gtt_host[e])
		return NULL;
	return (char *)g->gtt_host[e] + (gtt_addr & (VGPU_PAGE_SIZE - 1));
}

/* ---- ring ---- */

int vgpu_ring_setup(struct vgpu *g, __u32 gtt_addr, __u32 size)
{
	int ret;

	g->ring_base = gtt_addr;
	g->ring_size = size;
	g->ring_tail = 0;
	ret = vgpu_wr(g, VGPU_REG_RING_BASE, gtt_addr);
	if (!ret)
		ret = vgpu_wr(g, VGPU_REG_RING_SIZE, size);
	if (!ret)
		ret = vgpu_wr(g, VGPU_REG_RING_HEAD, 0);
	if (!ret)
		ret = vgpu_wr(g, VGPU_REG_RING_TAIL, 0);
	if (!ret)
		ret = vgpu_wr(g, VGPU_REG_RING_CTL, VGPU_RING_CTL_ENABLE);
	return ret;
}

int vgpu_ring_write(struct vgpu *g, const __u32 *cmds, __u32 ndw)
{
	__u32 i;

	if (!g->ring_size || 4 * ndw >= g->ring_size)
		return -E2BIG;
	for (i = 0; i < ndw; i++) {
		__u32 *slot = vgpu_gtt_ptr(g, g->ring_base + g->ring_tail);

		if (!slot)
			return -EFAULT;
		*slot = cmds[i];
		g->ring_tail = (g->ring_tail + 4) & (g->ring_size - 1);
	}
	__sync_synchronize();
	return 0;
}

int vgpu_submit(struct vgpu *g, const __u32 *cmds, __u32 ndw)
{
	int ret = vgpu_ring_write(g, cmds, ndw);

	if (!ret)
		ret = vgpu_wr(g, VGPU_REG_RING_TAIL, g->ring_tail);
	if (!ret)
		ret = vgpu_wr(g, VGPU_REG_DOORBELL, 1);
	return ret;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int vgpu_wait_idle(struct vgpu *g, int timeout_ms)
{
	long end = now_ms() + timeout_ms;

	do {
		__u32 st = vgpu_reg(g, VGPU_REG_STATUS);

		if (st == ~0u)
			return -EIO;
		if (!(st & VGPU_STATUS_BUSY))
			return 0;
		usleep(1000);
	} while (now_ms() < end);
	return -ETIME;
}

int vgpu_run(struct vgpu *g, const __u32 *cmds, __u32 ndw, __u32 *error)
{
	int ret;

	ret = vgpu_wr(g, VGPU_REG_ERROR, 0);
	if (!ret)
		ret = vgpu_submit(g, cmds, ndw);
	if (!ret)
		ret = vgpu_wait_idle(g, 10000);
	if (!ret)
		*error = vgpu_reg(g, VGPU_REG_ERROR);
	return ret;
}

/* ---- interrupts ---- */

static int set_irq(struct vgpu *g, __u32 index, __u32 flags, __u32 count,
		   const void *data, size_t len)
{
	char buf[sizeof(struct vfio_irq_set) + 8] = { 0 };
	struct vfio_irq_set *set = (void *)buf;

	set->argsz = sizeof(*set) + len;
	set->flags = flags;
	set->index = index;
	set->start = 0;
	set->count = count;
	if (len)
		memcpy(set->data, data, len);
	if (ioctl(g->device, VFIO_DEVICE_SET_IRQS, set))
		return neg_errno();
	return 0;
}

int vgpu_irq_enable(struct vgpu *g, __u32 index)
{
	__s32 fd;
	int ret;

	if (g->irq_fd < 0)
		g->irq_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (g->irq_fd < 0)
		return neg_errno();
	fd = g->irq_fd;
	ret = set_irq(g, index, VFIO_IRQ_SET_DATA_EVENTFD |
		      VFIO_IRQ_SET_ACTION_TRIGGER, 1, &fd, sizeof(fd));
	return ret;
}

int vgpu_irq_disable(struct vgpu *g, __u32 index)
{
	return set_irq(g, index, VFIO_IRQ_SET_DATA_NONE |
		       VFIO_IRQ_SET_ACTION_TRIGGER, 0, NULL, 0);
}

int vgpu_irq_unmask_intx(struct vgpu *g)
{
	return set_irq(g, VFIO_PCI_INTX_IRQ_INDEX, VFIO_IRQ_SET_DATA_NONE |
		       VFIO_IRQ_SET_ACTION_UNMASK, 1, NULL, 0);
}

int vgpu_wait_irq(struct vgpu *g, int timeout_ms)
{
	struct pollfd pfd = { .fd = g->irq_fd, .events = POLLIN };
	__u64 cnt;
	int ret;

	ret = poll(&pfd, 1, timeout_ms);
	if (ret < 0)
		return neg_errno();
	if (!ret)
		return -ETIME;
	if (read(g->irq_fd, &cnt, sizeof(cnt)) != sizeof(cnt))
		return neg_errno();
	return (int)cnt;
}

/* ---- dirty tracking ---- */

static int dirty_flags(struct vgpu *g, __u32 flags)
{
	struct vfio_iommu_type1_dirty_bitmap db = {
		.argsz = sizeof(db),
		.flags = flags,
	};

	if (ioctl(g->container, VFIO_IOMMU_DIRTY_PAGES, &db))
		return neg_errno();
	return 0;
}

int vgpu_dirty_start(struct vgpu *g)
{
	return dirty_flags(g, VFIO_IOMMU_DIRTY_PAGES_FLAG_START);
}

int vgpu_dirty_stop(struct vgpu *g)
{
	return dirty_flags(g, VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP);
}

int vgpu_dirty_get(struct vgpu *g, __u64 iova, __u64 size, __u64 *bitmap)
{
	char buf[sizeof(struct vfio_iommu_type1_dirty_bitmap) +
		 sizeof(struct vfio_iommu_type1_dirty_bitmap_get)];
	struct vfio_iommu_type1_dirty_bitmap *db = (void *)buf;
	struct vfio_iommu_type1_dirty_bitmap_get *range = (void *)db->data;
	__u64 npages = size / VGPU_PAGE_SIZE;

	memset(buf, 0, sizeof(buf));
	memset(bitmap, 0, ((npages + 63) / 64) * 8);
	db->argsz = sizeof(buf);
	db->flags = VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP;
	range->iova = iova;
	range->size = size;
	range->bitmap.pgsize = VGPU_PAGE_SIZE;
	range->bitmap.size = ((npages + 63) / 64) * 8;
	range->bitmap.data = bitmap;
	if (ioctl(g->container, VFIO_IOMMU_DIRTY_PAGES, db))
		return neg_errno();
	return 0;
}

unsigned int vgpu_bitmap_count(const __u64 *bitmap, __u64 npages)
{
	unsigned int n = 0;
	__u64 i;

	for (i = 0; i < npages; i++)
		n += (bitmap[i / 64] >> (i % 64)) & 1;
	return n;
}

/* Walk the capability chain of VFIO_IOMMU_GET_INFO for the dirty scope. */
int vgpu_dirty_scope(struct vgpu *g)
{
#ifdef VFIO_IOMMU_TYPE1_INFO_CAP_DIRTY_SCOPE
	struct vfio_iommu_type1_info *info;
	struct vfio_info_cap_header *hdr;
	char buf[4096];
	__u32 off, n = 0;

	memset(buf, 0, sizeof(buf));
	info = (void *)buf;
	info->argsz = sizeof(buf);
	if (ioctl(g->container, VFIO_IOMMU_GET_INFO, info))
		return neg_errno();
	if (!(info->flags & VFIO_IOMMU_INFO_CAPS))
		return -ENOENT;
	for (off = info->cap_offset; off && off + sizeof(*hdr) <= sizeof(buf) &&
	     n++ < 64; off = hdr->next) {
		hdr = (void *)(buf + off);
		if (hdr->id == VFIO_IOMMU_TYPE1_INFO_CAP_DIRTY_SCOPE)
			return ((struct vfio_iommu_type1_info_cap_dirty_scope *)
				hdr)->scope;
	}
#endif
	return -ENOENT;
}

const char *vgpu_scope_name(int scope)
{
	switch (scope) {
	case 1:
		return "device";
	case 2:
		return "pinned";
	case 3:
		return "all-mapped";
	default:
		return "unknown";
	}
}

/* ---- migration ---- */

int vgpu_mig_set(struct vgpu *g, __u32 state, int *data_fd)
{
	char buf[sizeof(struct vfio_device_feature) +
		 sizeof(struct vfio_device_feature_mig_state)];
	struct vfio_device_feature *f = (void *)buf;
	struct vfio_device_feature_mig_state *ms = (void *)f->data;

	memset(buf, 0, sizeof(buf));
	f->argsz = sizeof(buf);
	f->flags = VFIO_DEVICE_FEATURE_SET |
		   VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE;
	ms->device_state = state;
	ms->data_fd = -1;
	if (ioctl(g->device, VFIO_DEVICE_FEATURE, f))
		return neg_errno();
	if (data_fd)
		*data_fd = ms->data_fd;
	else if (ms->data_fd >= 0)
		close(ms->data_fd);
	return 0;
}

int vgpu_mig_get(struct vgpu *g, __u32 *state)
{
	char buf[sizeof(struct vfio_device_feature) +
		 sizeof(struct vfio_device_feature_mig_state)];
	struct vfio_device_feature *f = (void *)buf;
	struct vfio_device_feature_mig_state *ms = (void *)f->data;

	memset(buf, 0, sizeof(buf));
	f->argsz = sizeof(buf);
	f->flags = VFIO_DEVICE_FEATURE_GET |
		   VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE;
	if (ioctl(g->device, VFIO_DEVICE_FEATURE, f))
		return neg_errno();
	*state = ms->device_state;
	return 0;
}

int vgpu_mig_data_size(struct vgpu *g, __u64 *size)
{
	char buf[sizeof(struct vfio_device_feature) +
		 sizeof(struct vfio_device_feature_mig_data_size)];
	struct vfio_device_feature *f = (void *)buf;
	struct vfio_device_feature_mig_data_size *ds = (void *)f->data;

	memset(buf, 0, sizeof(buf));
	f->argsz = sizeof(buf);
	f->flags = VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_MIG_DATA_SIZE;
	if (ioctl(g->device, VFIO_DEVICE_FEATURE, f))
		return neg_errno();
	*size = ds->stop_copy_length;
	return 0;
}

int vgpu_precopy_info(int data_fd, struct vfio_precopy_info *info)
{
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	if (ioctl(data_fd, VFIO_MIG_GET_PRECOPY_INFO, info))
		return neg_errno();
	return 0;
}

/* Read until end of stream (STOP_COPY) or ENOMSG (PRE_COPY). */
long vgpu_mig_read_all(int data_fd, void *buf, size_t cap)
{
	size_t done = 0;

	while (done < cap) {
		ssize_t n = read(data_fd, (char *)buf + done, cap - done);

		if (n < 0 && errno == ENOMSG)
			break;
		if (n < 0)
			return neg_errno();
		if (!n)
			break;
		done += n;
	}
	return done;
}

int vgpu_mig_write_all(int data_fd, const void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = write(data_fd, (const char *)buf + done,
				  len - done);

		if (n < 0)
			return neg_errno();
		done += n;
	}
	return 0;
}

/* ---- command builders ---- */

__u32 vgpu_cmd_fill(__u32 *p, __u32 dst, __u32 bytes, __u32 pattern)
{
	p[0] = VGPU_CMD_HDR(VGPU_OP_FILL, 0, 3);
	p[1] = dst;
	p[2] = bytes;
	p[3] = pattern;
	return 4;
}

__u32 vgpu_cmd_copy(__u32 *p, __u32 src, __u32 dst, __u32 bytes)
{
	p[0] = VGPU_CMD_HDR(VGPU_OP_COPY, 0, 3);
	p[1] = src;
	p[2] = dst;
	p[3] = bytes;
	return 4;
}

__u32 vgpu_cmd_write(__u32 *p, __u32 dst, const __u32 *data, __u32 ndw)
{
	p[0] = VGPU_CMD_HDR(VGPU_OP_WRITE_DATA, 0, 1 + ndw);
	p[1] = dst;
	memcpy(p + 2, data, 4 * ndw);
	return 2 + ndw;
}

__u32 vgpu_cmd_fence(__u32 *p, __u32 dst, __u32 seqno, bool irq)
{
	p[0] = VGPU_CMD_HDR(VGPU_OP_FENCE, irq ? VGPU_FENCE_FLAG_IRQ : 0, 2);
	p[1] = dst;
	p[2] = seqno;
	return 3;
}

__u32 vgpu_cmd_batch(__u32 *p, __u32 addr, __u32 bytes)
{
	p[0] = VGPU_CMD_HDR(VGPU_OP_BATCH_START, 0, 2);
	p[1] = addr;
	p[2] = bytes;
	return 3;
}

__u32 vgpu_cmd_lri(__u32 *p, __u32 reg, __u32 val)
{
	p[0] = VGPU_CMD_HDR(VGPU_OP_LOAD_REGISTER, 0, 2);
	p[1] = reg;
	p[2] = val;
	return 3;
}
