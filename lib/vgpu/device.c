// SPDX-License-Identifier: GPL-2.0-only
/*
 * device.c - sample vGPU instances, types, registers and interrupts
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/mman.h>

#include "libvgpu.h"

#define SYSFS_TYPES	"/sys/class/mdev_bus/" VGPU_PARENT "/mdev_supported_types"

bool vgpu_present(void)
{
	return access("/sys/class/mdev_bus/" VGPU_PARENT, F_OK) == 0;
}

int vgpu_mdev_create(const char *type, char uuid[VFIO_UUID_LEN])
{
	return mdev_create(VGPU_PARENT, type, uuid);
}

long vgpu_available(const char *type)
{
	return mdev_available(VGPU_PARENT, type);
}

long vgpu_counter(const char *uuid, const char *name)
{
	char attr[128];

	snprintf(attr, sizeof(attr), "vendor/%s", name);
	return mdev_attr_long(uuid, attr);
}

int vgpu_module_param(const char *name, const char *val)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/sys/module/sample_vgpu/parameters/%s",
		 name);
	return vfio_sysfs_write(path, val);
}

/* "...; gtt_entries=N ring_max=N ..." (the driver's type description) */
static int type_info(const char *name, struct vgpu_type_info *t)
{
	char buf[256], *p, *q;
	int ret = mdev_type_attr(VGPU_PARENT, name, "description", buf,
				 sizeof(buf));

	if (ret < 0)
		return ret;
	p = strstr(buf, "gtt_entries=");
	q = strstr(buf, "ring_max=");
	if (!p || !q)
		return -EPROTO;
	snprintf(t->name, sizeof(t->name), "%s", name);
	t->gtt_entries = strtoul(p + strlen("gtt_entries="), NULL, 10);
	t->ring_max = strtoul(q + strlen("ring_max="), NULL, 10);
	return 0;
}

static int by_entries(const void *a, const void *b)
{
	const struct vgpu_type_info *x = a, *y = b;

	return x->gtt_entries < y->gtt_entries ? -1 :
	       x->gtt_entries > y->gtt_entries;
}

int vgpu_types(struct vgpu_type_info *types, int max)
{
	DIR *dir = opendir(SYSFS_TYPES);
	struct dirent *de;
	int n = 0, ret = 0;

	if (!dir)
		return vfio_errno();
	while (!ret && (de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		if (n == max)
			ret = -E2BIG;
		else
			ret = type_info(de->d_name, &types[n++]);
	}
	closedir(dir);
	if (ret)
		return ret;
	qsort(types, n, sizeof(*types), by_entries);
	return n;
}

int vgpu_pick_type(__u32 gtt_pages, long need, struct vgpu_type_info *type,
		   __u32 *largest)
{
	struct vgpu_type_info t[VGPU_MAX_TYPES];
	int i, n = vgpu_types(t, VGPU_MAX_TYPES);

	if (n < 0)
		return n;
	*largest = n ? t[n - 1].gtt_entries : 0;
	for (i = 0; i < n; i++) {
		if (gtt_pages <= t[i].gtt_entries &&
		    vgpu_available(t[i].name) >= need) {
			*type = t[i];
			return 0;
		}
	}
	return -ENOSPC;
}

/* ---- the device ---- */

static int vgpu_probe(struct vgpu *g)
{
	int ret = vfio_region_offset(&g->dev, VFIO_PCI_CONFIG_REGION_INDEX,
				     &g->cfg_off);

	if (!ret)
		ret = vfio_region_offset(&g->dev, VFIO_PCI_BAR0_REGION_INDEX,
					 &g->bar0_off);
	if (ret)
		return ret;
	if (vgpu_reg(g, VGPU_REG_ID) != VGPU_ID_MAGIC)
		return -ENODEV;
	g->gtt_entries = vgpu_reg(g, VGPU_REG_GTT_ENTRIES);
	g->ring_max = vgpu_reg(g, VGPU_REG_RING_MAX);
	g->caps = vgpu_reg(g, VGPU_REG_CAPS);
	if (g->gtt_entries > VGPU_GTT_MAX_ENTRIES)
		return -ENODEV;
	g->gtt_host = calloc(g->gtt_entries, sizeof(*g->gtt_host));
	return g->gtt_host ? 0 : -ENOMEM;
}

int vgpu_open_mode(struct vgpu *g, const char *uuid, enum vfio_mode mode)
{
	int ret;

	memset(g, 0, sizeof(*g));
	g->dev.fd = g->dev.group = g->irq_fd = -1;
	ret = vfio_iommu_open(&g->iommu, mode);
	if (ret)
		return ret;
	ret = vfio_dev_open(&g->dev, &g->iommu, uuid);
	if (!ret)
		ret = vgpu_probe(g);
	if (ret)
		vgpu_close(g);
	return ret;
}

int vgpu_open(struct vgpu *g, const char *uuid)
{
	return vgpu_open_mode(g, uuid, VFIO_MODE_TYPE1);
}

void vgpu_close(struct vgpu *g)
{
	int i;

	if (g->irq_fd > 0)
		close(g->irq_fd);
	if (g->dev.fd > 0 || g->dev.group > 0)
		vfio_dev_close(&g->dev);
	if (g->iommu.fd > 0)
		vfio_iommu_close(&g->iommu);
	for (i = 0; i < VGPU_MAX_MAPS; i++)
		if (g->mem[i].host)
			munmap(g->mem[i].host, g->mem[i].size);
	free(g->gtt_host);
	memset(g, 0, sizeof(*g));
	g->dev.fd = g->dev.group = g->iommu.fd = g->irq_fd = -1;
}

int vgpu_reset(struct vgpu *g)
{
	int ret = vfio_dev_reset(&g->dev);

	if (ret)
		return ret;
	memset(g->gtt_host, 0, g->gtt_entries * sizeof(*g->gtt_host));
	g->ring_tail = 0;
	return 0;
}

int vgpu_rd(struct vgpu *g, __u32 off, __u32 *val)
{
	return vfio_dev_read(&g->dev, g->bar0_off + off, val, 4);
}

int vgpu_wr(struct vgpu *g, __u32 off, __u32 val)
{
	return vfio_dev_write(&g->dev, g->bar0_off + off, &val, 4);
}

int vgpu_rd64(struct vgpu *g, __u32 off, __u64 *val)
{
	return vfio_dev_read(&g->dev, g->bar0_off + off, val, 8);
}

int vgpu_wr64(struct vgpu *g, __u32 off, __u64 val)
{
	return vfio_dev_write(&g->dev, g->bar0_off + off, &val, 8);
}

__u32 vgpu_reg(struct vgpu *g, __u32 off)
{
	__u32 v;

	return vgpu_rd(g, off, &v) ? ~0u : v;
}

int vgpu_cfg_rd(struct vgpu *g, __u32 off, void *buf, size_t len)
{
	return vfio_dev_read(&g->dev, g->cfg_off + off, buf, len);
}

/* ---- interrupts ---- */

int vgpu_irq_enable(struct vgpu *g, __u32 index)
{
	if (g->irq_fd < 0)
		g->irq_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (g->irq_fd < 0)
		return vfio_errno();
	return vfio_irq_trigger(&g->dev, index, g->irq_fd);
}

int vgpu_irq_disable(struct vgpu *g, __u32 index)
{
	return vfio_irq_disable(&g->dev, index);
}

int vgpu_irq_unmask_intx(struct vgpu *g)
{
	return vfio_irq_unmask(&g->dev, VFIO_PCI_INTX_IRQ_INDEX);
}

int vgpu_wait_irq(struct vgpu *g, int timeout_ms)
{
	struct pollfd pfd = { .fd = g->irq_fd, .events = POLLIN };
	__u64 cnt;
	int ret;

	ret = poll(&pfd, 1, timeout_ms);
	if (ret < 0)
		return vfio_errno();
	if (!ret)
		return -ETIME;
	if (read(g->irq_fd, &cnt, sizeof(cnt)) != sizeof(cnt))
		return vfio_errno();
	return (int)cnt;
}
