// SPDX-License-Identifier: GPL-2.0-only
/*
 * gtt.c - sample vGPU guest memory and GTT: DMA mappings, GTT entries and
 * the host addresses behind them
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "libvgpu.h"

int vgpu_map_mem(struct vgpu *g, __u64 iova, __u64 size)
{
	return vgpu_map_mem_fd(g, iova, size, -1);
}

int vgpu_map_mem_fd(struct vgpu *g, __u64 iova, __u64 size, int fd)
{
	struct vgpu_mem *m = NULL;
	int i, ret;

	for (i = 0; i < VGPU_MAX_MAPS && !m; i++)
		if (!g->mem[i].host)
			m = &g->mem[i];
	if (!m)
		return -ENOSPC;
	m->host = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       fd < 0 ? MAP_PRIVATE | MAP_ANONYMOUS : MAP_SHARED, fd, 0);
	if (m->host == MAP_FAILED) {
		m->host = NULL;
		return vfio_errno();
	}
	ret = vfio_dma_map(&g->iommu, iova, m->host, size, VFIO_DMA_RW);
	if (ret) {
		munmap(m->host, size);
		m->host = NULL;
		return ret;
	}
	m->iova = iova;
	m->size = size;
	return 0;
}

int vgpu_unmap_mem(struct vgpu *g, __u64 iova, __u64 size)
{
	int i, ret = vfio_dma_unmap(&g->iommu, iova, size);

	if (ret)
		return ret;
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
	int ret = 0;

	if (!vals)
		return -ENOMEM;
	for (done = 0; done < npages && !ret; done += n) {
		n = npages - done < GTT_WRITE_ENTRIES ? npages - done :
							GTT_WRITE_ENTRIES;
		for (i = 0; i < n; i++)
			vals[i] = iova ? (iova + (__u64)(done + i) *
					  VGPU_PAGE_SIZE) | VGPU_GTT_VALID : 0;
		ret = vfio_dev_write(&g->dev, g->bar0_off + VGPU_GTT_WINDOW +
				     8 * (__u64)(entry + done), vals,
				     8 * (size_t)n);
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

int vgpu_gtt_invalidate(struct vgpu *g, __u32 entry, __u32 npages)
{
	int ret;

	if ((__u64)entry + npages > g->gtt_entries)
		return -EINVAL;
	ret = gtt_write_run(g, entry, 0, npages);
	if (!ret)
		memset(&g->gtt_host[entry], 0, npages * sizeof(*g->gtt_host));
	return ret;
}

int vgpu_gtt_read(struct vgpu *g, __u32 entry, __u32 n, __u64 *vals)
{
	if ((__u64)entry + n > g->gtt_entries)
		return -EINVAL;
	return vfio_dev_read(&g->dev, g->bar0_off + VGPU_GTT_WINDOW +
			     8 * (__u64)entry, vals, 8 * (size_t)n);
}

void *vgpu_gtt_ptr(struct vgpu *g, __u32 gtt_addr)
{
	__u32 e = gtt_addr >> VGPU_PAGE_SHIFT;

	if (e >= g->gtt_entries || !g->gtt_host[e])
		return NULL;
	return (char *)g->gtt_host[e] + (gtt_addr & (VGPU_PAGE_SIZE - 1));
}
