/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the vfio-pci selftests, on lib/ (libvfio.h, libigb.h): the
 * igb on vfio-pci behind the test VM's IOMMU, its group in a type1
 * container of its own or in another device's, its rings mapped at
 * IGB_RING_IOVA; frames it DMAs, checked byte for byte.  Raw functions
 * return 0 or -errno, test_X() asserts beside them.
 */
#ifndef __PCI_UTILS_H
#define __PCI_UTILS_H

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "libigb.h"

#define PAGE		BM_PAGE
#define IGB_RING_IOVA	0x10000UL

struct pci_igb {
	struct vfio_iommu own;	/* the container, unless given one */
	struct vfio_iommu *io;
	struct vfio_dev dev;
	char bdf[VFIO_UUID_LEN];
	void *ring;
	struct igb igb;
};

/*
 * Find the igb, bind it to vfio-pci, open it into @io (a container of its
 * own if NULL), map its rings there and bring it up.
 */
static inline int pci_igb_open(struct pci_igb *p, struct vfio_iommu *io)
{
	int ret;

	memset(p, 0, sizeof(*p));
	p->dev.group = p->dev.fd = -1;
	p->own.fd = -1;
	ret = pci_find(IGB_VENDOR, IGB_DEVICE, p->bdf);
	if (!ret)
		ret = pci_bind_vfio(p->bdf);
	if (!ret && !io)
		ret = vfio_iommu_open(&p->own, VFIO_MODE_TYPE1);
	if (ret)
		return ret;
	p->io = io ? io : &p->own;
	ret = vfio_pci_open(&p->dev, p->io, p->bdf);
	if (ret)
		return ret;
	p->ring = mmap(NULL, IGB_RING_BYTES, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p->ring == MAP_FAILED) {
		p->ring = NULL;
		return -errno;
	}
	ret = vfio_dma_map(p->io, IGB_RING_IOVA, p->ring, IGB_RING_BYTES,
			   VFIO_DMA_RW);
	if (!ret)
		ret = igb_init(&p->igb, &p->dev, p->ring, IGB_RING_IOVA);
	return ret;
}

/* the device and its group closed: the group leaves the container */
static inline void pci_igb_detach(struct pci_igb *p)
{
	vfio_dev_close(&p->dev);
}

static inline void pci_igb_close(struct pci_igb *p)
{
	pci_igb_detach(p);
	if (p->io == &p->own)
		vfio_iommu_close(&p->own);
	if (p->ring)
		munmap(p->ring, IGB_RING_BYTES);
	p->io = NULL;
	p->ring = NULL;
}

#define test_pci_igb_open(p, io) ASSERT_EQ(0, pci_igb_open(p, io))
#define test_map(p, iova, va, size) \
	ASSERT_EQ(0, vfio_dma_map((p)->io, iova, va, size, VFIO_DMA_RW))
#define test_err_map(e, p, iova, va, size, flags) \
	ASSERT_EQ(-(e), vfio_dma_map((p)->io, iova, va, size, flags))
#define test_unmap(p, iova, size) \
	ASSERT_EQ(0, vfio_dma_unmap((p)->io, iova, size))

/*
 * UNMAP_DMA of [@iova, @iova + @size) as type1 answers it: *@unmapped is
 * the size it reports; 0 or -errno.
 */
static inline int pci_unmap(struct pci_igb *p, __u64 iova, __u64 size,
			    __u32 flags, __u64 *unmapped)
{
	struct vfio_iommu_type1_dma_unmap um = {
		.argsz = sizeof(um), .flags = flags, .iova = iova,
		.size = size,
	};

	if (ioctl(p->io->fd, VFIO_IOMMU_UNMAP_DMA, &um))
		return vfio_errno();
	*unmapped = um.size;
	return 0;
}

#define test_unmapped(p, iova, size, flags, want) do {			\
	__u64 __got = ~0ull;						\
	ASSERT_EQ(0, pci_unmap(p, iova, size, flags, &__got));		\
	ASSERT_EQ((__u64)(want), __got);				\
} while (0)
#define test_err_unmap(e, p, iova, size, flags) do {			\
	__u64 __got;							\
	ASSERT_EQ(-(e), pci_unmap(p, iova, size, flags, &__got));	\
} while (0)

/*
 * A frame of @len bytes: broadcast, a local source address, the local
 * experimental EtherType 0x88b5, then bytes from @seed (xorshift), so
 * that no two frames of a test are alike.
 */
static inline void igb_frame(uint8_t *f, uint32_t len, uint32_t seed)
{
	static const uint8_t hdr[14] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x88, 0xb5 };
	uint32_t x = seed | 1, i;

	memcpy(f, hdr, sizeof(hdr));
	for (i = sizeof(hdr); i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		f[i] = x;
	}
}

/*
 * Loop a fresh frame of @len bytes back into @rx_iova, whose host view is
 * @dst: 0 when exactly the frame landed there and the @guard bytes after
 * it kept their canary; 1 when the device completed the receive but
 * nothing of @dst (frame and guard) changed (the IOMMU refused the write);
 * -errno if the device did not complete.  The frame is sent from the ring
 * mapping's frame buffer, or from @tx_iova (host view @tx) if @tx is set.
 */
static inline int igb_dma_check(struct pci_igb *p, __u64 rx_iova,
				uint8_t *dst, uint32_t len, size_t guard,
				__u64 tx_iova, uint8_t *tx)
{
	static uint32_t seed = 0x5eed;
	uint8_t *frame = tx ? tx : (uint8_t *)p->ring + IGB_FRAME;
	uint32_t rx_len = 0, i;
	int ret;

	igb_frame(frame, len, seed++);
	if (!tx)
		tx_iova = IGB_RING_IOVA + IGB_FRAME;
	memset(dst, 0xa5, len + guard);
	ret = igb_loopback(&p->igb, tx_iova, len, rx_iova, &rx_len, 1000);
	if (ret)
		return ret;
	for (i = 0; i < len + guard && dst[i] == 0xa5; i++)
		;
	if (i == len + guard)
		return 1;
	if (rx_len != len || memcmp(dst, frame, len))
		return -EILSEQ;
	for (i = len; i < len + guard; i++)
		if (dst[i] != 0xa5)
			return -EOVERFLOW;
	return 0;
}

/* the frame lands exactly / the IOMMU keeps it out */
#define test_dma_lands(p, iova, dst, len, guard) \
	ASSERT_EQ(0, igb_dma_check(p, iova, dst, len, guard, 0, NULL))
#define test_dma_blocked(p, iova, dst, len, guard) \
	ASSERT_EQ(1, igb_dma_check(p, iova, dst, len, guard, 0, NULL))

/* TEST_PHASE of run-passthrough.sh: stock, fine (patched); 0 if unset */
enum pci_phase { PCI_PHASE_NONE, PCI_PHASE_STOCK, PCI_PHASE_FINE };

static inline enum pci_phase pci_test_phase(void)
{
	const char *p = getenv("TEST_PHASE");

	if (p && !strcmp(p, "stock"))
		return PCI_PHASE_STOCK;
	if (p && !strcmp(p, "fine"))
		return PCI_PHASE_FINE;
	return PCI_PHASE_NONE;
}

#endif
