// SPDX-License-Identifier: GPL-2.0
/*
 * dirty_table: the scenario of the cover letter, run inside the test VM.
 * A test mdev keeps NPIN guest pages pinned and writes K of them per
 * round; print, per round, the pages VFIO_IOMMU_DIRTY_PAGES reported and
 * the pages truly written.  Under stock modules the device pins as a
 * stock-era driver must (plain pins, writes unreported); under
 * the patched ones it pins clean and reports its writes with
 * vfio_mark_dirty().  The device's writes through its pins are emulated by
 * CPU stores to the same pages.
 *
 * Usage: dirty_table stock|patched [NPIN [K [ROUNDS]]]
 * Output: "round reported written" lines, then "scope S".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/vfio.h>
#include "dirty_test_mdev.h"

#define PAGE	4096UL
#define IOVA	0x100000UL

static void die(const char *what)
{
	fprintf(stderr, "dirty_table: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int open_dev(int c, const char *type)
{
	char uuid[37], path[256], link[256];
	struct vfio_group_status st = { .argsz = sizeof(st) };
	int fd, g;
	ssize_t n;

	snprintf(uuid, sizeof(uuid), "%08x-0000-4000-8000-0000000000aa",
		 getpid());
	snprintf(path, sizeof(path), "/sys/class/mdev_bus/vfio_dirty_test/"
		 "mdev_supported_types/vfio_dirty_test-%s/create", type);
	fd = open(path, O_WRONLY);
	if (fd < 0 || write(fd, uuid, 36) != 36)
		die("create mdev");
	close(fd);
	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/iommu_group",
		 uuid);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		die("iommu_group");
	link[n] = 0;
	snprintf(path, sizeof(path), "/dev/vfio/%s", strrchr(link, '/') + 1);
	g = open(path, O_RDWR);
	if (g < 0 || ioctl(g, VFIO_GROUP_GET_STATUS, &st) ||
	    ioctl(g, VFIO_GROUP_SET_CONTAINER, &c) ||
	    ioctl(c, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		die("group");
	fd = ioctl(g, VFIO_GROUP_GET_DEVICE_FD, uuid);
	if (fd < 0)
		die("device");
	return fd;
}

int main(int argc, char **argv)
{
	int stock = argc > 1 && !strcmp(argv[1], "stock");
	unsigned long npin = argc > 2 ? strtoul(argv[2], NULL, 0) : 4096;
	unsigned long k = argc > 3 ? strtoul(argv[3], NULL, 0) : 64;
	int rounds = argc > 4 ? atoi(argv[4]) : 5, r;
	unsigned long npg = npin + 1024, i, bytes = (npg + 63) / 64 * 8;
	struct vfio_iommu_type1_dma_map map = { .argsz = sizeof(map) };
	char dbuf[sizeof(struct vfio_iommu_type1_dirty_bitmap) +
		  sizeof(struct vfio_iommu_type1_dirty_bitmap_get)] = {};
	struct vfio_iommu_type1_dirty_bitmap *d = (void *)dbuf;
	struct vfio_iommu_type1_dirty_bitmap_get *g = (void *)d->data;
	uint64_t *bm = calloc(1, bytes);
	char page[PAGE];
	int c, dev;
	void *mem;

	c = open("/dev/vfio/vfio", O_RDWR);
	if (c < 0)
		die("/dev/vfio/vfio");
	dev = open_dev(c, stock ? "plain" : "reporting");
	mem = mmap(NULL, npg * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	map.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	map.vaddr = (uintptr_t)mem;
	map.iova = IOVA;
	map.size = npg * PAGE;
	if (mem == MAP_FAILED || ioctl(c, VFIO_IOMMU_MAP_DMA, &map))
		die("map");
	struct dtm_pin pin = { .argsz = sizeof(pin), .iova = IOVA,
			       .npages = npin, .flags = stock ? 0 : DTM_CLEAN };
	if (ioctl(dev, DTM_PIN, &pin))
		die("pin");
	d->argsz = sizeof(dbuf);
	d->flags = VFIO_IOMMU_DIRTY_PAGES_FLAG_START;
	if (ioctl(c, VFIO_IOMMU_DIRTY_PAGES, d))
		die("start");
	d->flags = VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP;
	g->iova = IOVA;
	g->size = npg * PAGE;
	g->bitmap.pgsize = PAGE;
	g->bitmap.size = bytes;
	g->bitmap.data = (void *)bm;
	if (ioctl(c, VFIO_IOMMU_DIRTY_PAGES, d))	/* round 0: baseline */
		die("get");
	memset(page, 0xab, sizeof(page));
	for (r = 1; r <= rounds; r++) {
		unsigned long rep = 0;

		for (i = 0; i < k; i++) {
			uint64_t iova = IOVA + ((r * 7919 + i * 31) % npin) * PAGE;
			struct dtm_mark m = { .argsz = sizeof(m), .iova = iova,
					      .length = PAGE };

			/*
			 * The device writes through its pin (emulated here by
			 * a CPU store to the same page, which type1 cannot
			 * see); the patched device reports the write.
			 */
			memcpy((char *)mem + (iova - IOVA), page, PAGE);
			if (!stock && ioctl(dev, DTM_MARK, &m))
				die("write");
		}
		memset(bm, 0, bytes);
		if (ioctl(c, VFIO_IOMMU_DIRTY_PAGES, d))
			die("get");
		for (i = 0; i < bytes / 8; i++)
			rep += __builtin_popcountll(bm[i]);
		printf("round %d reported %lu written %lu\n", r, rep, k);
	}
	return 0;
}
