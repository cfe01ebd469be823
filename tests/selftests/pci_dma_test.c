// SPDX-License-Identifier: GPL-2.0
/*
 * DMA mapping through type1 for a real device behind an IOMMU: QEMU's igb
 * on vfio-pci under intel-iommu in the test VM.  Every mapping is checked
 * by a DMA the device really performs (a frame it reads from one IOVA and,
 * looped back, writes to another), byte for byte in the process's memory;
 * every refusal by its errno, and by the device's write not landing.  Run
 * with the stock Debian modules and with the patched ones: the
 * expectations are the same.
 */
#include <sys/time.h>
#include "pci_utils.h"
#include "dirty_utils.h"

#define MiB		(1024UL * 1024)
#define IOVA_ODD	0x40001000UL	/* not 2 MiB aligned */
#define IOVA_HUGE	0x100000000UL	/* 4 GiB */
#define IOVA_TLB	0x80000000UL
#define HUGE_MAPPING	(256 * MiB)
#define HUGETLB_BYTES	(16 * MiB)
#define MSI_BASE	0xfee00000UL
#define FRAME		IGB_MAX_FRAME
#define GUARD		64

FIXTURE(igb) {
	struct pci_igb p;
};

FIXTURE_SETUP(igb)
{
	test_pci_igb_open(&self->p, NULL);
}

FIXTURE_TEARDOWN(igb)
{
	pci_igb_close(&self->p);
}

static void *anon(size_t bytes, int extra_flags)
{
	void *va = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE | extra_flags,
			-1, 0);

	return va == MAP_FAILED ? NULL : va;
}

static double now_s(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return tv.tv_sec + tv.tv_usec / 1e6;
}

/* What the IOMMU and type1 tell user space about this container. */
TEST_F(igb, iommu_info)
{
	struct vfio_iommu_type1_info info;
	struct {
		struct vfio_iommu_type1_info_cap_iova_range r;
		struct vfio_iova_range more[16];
	} ranges;
	struct vfio_iommu_type1_info_cap_migration mig;
	uint32_t i;

	ASSERT_EQ(0, vfio_iommu_info_cap(self->p.io,
					VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE,
					&info, &ranges, sizeof(ranges)));
	ASSERT_TRUE(info.flags & VFIO_IOMMU_INFO_PGSIZES);
	ASSERT_TRUE(info.iova_pgsizes & 4096);
	ASSERT_LE(1, ranges.r.nr_iovas);
	ASSERT_GE(17, ranges.r.nr_iovas);
	for (i = 0; i < ranges.r.nr_iovas; i++) {
		struct vfio_iova_range *r = &ranges.r.iova_ranges[i];

		TH_LOG("IOVA range %u: %#llx-%#llx", i,
		       (unsigned long long)r->start, (unsigned long long)r->end);
		/* the MSI window is reserved, never a DMA target */
		ASSERT_TRUE(r->end < MSI_BASE || r->start > MSI_BASE + MiB - 1);
	}
	ASSERT_EQ(0, vfio_iommu_info_cap(self->p.io,
					VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION,
					&info, &mig, sizeof(mig)));
	ASSERT_TRUE(mig.pgsize_bitmap & 4096);
	ASSERT_LT(0, mig.max_dirty_bitmap_size);
	TH_LOG("IOMMU page sizes %#llx, dirty page sizes %#llx",
	       (unsigned long long)info.iova_pgsizes,
	       (unsigned long long)mig.pgsize_bitmap);
}

/* The simplest round trip: both buffers in the ring mapping. */
TEST_F(igb, loopback_lands_byte_exact)
{
	uint8_t *rx = (uint8_t *)self->p.ring + 0x3000;
	uint32_t v;
	int i;

	for (i = 0; i < 4; i++)
		test_dma_lands(&self->p, IGB_RING_IOVA + 0x3000, rx,
			       IGB_MIN_FRAME + i * 400, GUARD);
	ASSERT_EQ(0, igb_rd(&self->p.igb, IGB_GPTC, &v));
	ASSERT_EQ(4, v);
	ASSERT_EQ(0, igb_rd(&self->p.igb, IGB_GPRC, &v));
	ASSERT_EQ(4, v);
}

FIXTURE(odd) {
	struct pci_igb p;
	uint8_t *mem;		/* npages + one guard page, not mapped */
};

FIXTURE_VARIANT(odd) {
	unsigned int npages;
	uint64_t iova;
};

FIXTURE_VARIANT_ADD(odd, one_page) { .npages = 1, .iova = IOVA_ODD };
FIXTURE_VARIANT_ADD(odd, three_pages) { .npages = 3, .iova = IOVA_ODD + 0x7000 };
FIXTURE_VARIANT_ADD(odd, pages_513) { .npages = 513, .iova = IOVA_ODD - 0x1000 };
FIXTURE_VARIANT_ADD(odd, pages_1025_at_4g) { .npages = 1025, .iova = IOVA_HUGE + 0x3000 };

FIXTURE_SETUP(odd)
{
	test_pci_igb_open(&self->p, NULL);
	self->mem = anon((variant->npages + 1) * PAGE, 0);
	ASSERT_NE(NULL, self->mem);
	test_map(&self->p, variant->iova, self->mem,
		 variant->npages * PAGE);
}

FIXTURE_TEARDOWN(odd)
{
	pci_igb_close(&self->p);
	if (self->mem)
		munmap(self->mem, (variant->npages + 1) * PAGE);
}

/*
 * Frames land at the first byte, across each page boundary the mapping
 * has (first, middle, last), and ending at its last byte; the device can
 * also read from its last bytes.
 */
TEST_F(odd, dma_reaches_every_edge)
{
	int64_t size = variant->npages * PAGE, iova = variant->iova;
	int64_t offs[] = { 0, PAGE - 700, (size / 2 & ~(int64_t)(PAGE - 1)) - 700,
			   size - PAGE - 700 };
	unsigned int i;

	for (i = 0; i < 4; i++) {
		if (offs[i] < 0 || offs[i] + FRAME + GUARD > size)
			continue;
		test_dma_lands(&self->p, iova + offs[i], self->mem + offs[i],
			       FRAME, GUARD);
	}
	/* the frame's last byte is the mapping's last byte */
	test_dma_lands(&self->p, iova + size - FRAME, self->mem + size - FRAME,
		       FRAME, 0);
	/* transmit from the mapping's last bytes, receive in the rings */
	ASSERT_EQ(0, igb_dma_check(&self->p, IGB_RING_IOVA + 0x3000,
				       (uint8_t *)self->p.ring + 0x3000, FRAME,
				       GUARD, iova + size - FRAME,
				       self->mem + size - FRAME));
}

/* A frame straddling the end of the mapping never reaches the next page. */
TEST_F(odd, write_past_the_end_is_refused)
{
	uint64_t size = variant->npages * PAGE;
	uint8_t *guard = self->mem + size;
	uint32_t rx_len;
	int i, ret;

	memset(guard, 0x3c, PAGE);
	igb_frame((uint8_t *)self->p.ring + IGB_FRAME, FRAME, 7);
	ret = igb_loopback(&self->p.igb, IGB_RING_IOVA + IGB_FRAME, FRAME,
			       variant->iova + size - 700, &rx_len, 1000);
	ASSERT_EQ(0, ret);
	for (i = 0; i < PAGE; i++)
		ASSERT_EQ(0x3c, guard[i]) TH_LOG("byte %d past the end", i);
}

/* Unmapping returns the size, and the device's writes stop landing. */
TEST_F(odd, unmap_stops_the_device)
{
	uint64_t size = variant->npages * PAGE;

	test_dma_lands(&self->p, variant->iova + size - FRAME,
		       self->mem + size - FRAME, FRAME, 0);
	test_unmapped(&self->p, variant->iova, size, 0, size);
	test_dma_blocked(&self->p, variant->iova + size - FRAME,
			 self->mem + size - FRAME, FRAME, 0);
	test_dma_blocked(&self->p, variant->iova, self->mem, FRAME, GUARD);
	/* and a new mapping of the same range works again */
	test_map(&self->p, variant->iova, self->mem, size);
	test_dma_lands(&self->p, variant->iova, self->mem, FRAME, GUARD);
}

/* One mapping of HUGE_MAPPING anonymous memory: pinned, mapped, reached. */
TEST_F(igb, huge_mapping)
{
	uint64_t offs[] = { 0, HUGE_MAPPING / 2 - 700, HUGE_MAPPING - FRAME };
	double t0, t1, t2;
	uint8_t *mem;
	int i;

	mem = anon(HUGE_MAPPING, 0);
	ASSERT_NE(NULL, mem);
	t0 = now_s();
	test_map(&self->p, IOVA_HUGE, mem, HUGE_MAPPING);
	t1 = now_s();
	for (i = 0; i < 3; i++)
		test_dma_lands(&self->p, IOVA_HUGE + offs[i], mem + offs[i],
			       FRAME, i < 2 ? GUARD : 0);
	t2 = now_s();
	test_unmapped(&self->p, IOVA_HUGE, HUGE_MAPPING, 0, HUGE_MAPPING);
	TH_LOG("%lu MiB: map %.2f s, unmap %.2f s", HUGE_MAPPING / MiB,
	       t1 - t0, now_s() - t2);
	test_dma_blocked(&self->p, IOVA_HUGE, mem, FRAME, GUARD);
	munmap(mem, HUGE_MAPPING);
}

FIXTURE(tlb) {
	struct pci_igb p;
	uint8_t *mem;
};

FIXTURE_VARIANT(tlb) {
	uint64_t iova;
};

/* 2 MiB pages at a 2 MiB-aligned IOVA, and one page off */
FIXTURE_VARIANT_ADD(tlb, aligned) { .iova = IOVA_TLB };
FIXTURE_VARIANT_ADD(tlb, misaligned) { .iova = IOVA_TLB + 0x1000 };

FIXTURE_SETUP(tlb)
{
	test_pci_igb_open(&self->p, NULL);
	self->mem = anon(HUGETLB_BYTES, MAP_HUGETLB);
	ASSERT_NE(NULL, self->mem) TH_LOG("no 2 MiB pages (vm.nr_hugepages)");
}

FIXTURE_TEARDOWN(tlb)
{
	pci_igb_close(&self->p);
	if (self->mem)
		munmap(self->mem, HUGETLB_BYTES);
}

/* Frames land across every 2 MiB page boundary of hugetlbfs memory. */
TEST_F(tlb, dma_across_huge_pages)
{
	uint64_t off;

	test_map(&self->p, variant->iova, self->mem, HUGETLB_BYTES);
	for (off = 2 * MiB - 700; off + FRAME + GUARD <= HUGETLB_BYTES;
	     off += 2 * MiB)
		test_dma_lands(&self->p, variant->iova + off, self->mem + off,
			       FRAME, GUARD);
	test_dma_lands(&self->p, variant->iova + HUGETLB_BYTES - FRAME,
		       self->mem + HUGETLB_BYTES - FRAME, FRAME, 0);
	test_unmap(&self->p, variant->iova, HUGETLB_BYTES);
	test_dma_blocked(&self->p, variant->iova + 2 * MiB - 700,
			 self->mem + 2 * MiB - 700, FRAME, GUARD);
}

/* The last pages below the top of the IOVA aperture; one past it fails. */
TEST_F(igb, top_of_aperture)
{
	struct vfio_iommu_type1_info info;
	struct {
		struct vfio_iommu_type1_info_cap_iova_range r;
		struct vfio_iova_range more[16];
	} ranges;
	uint64_t top, iova;
	uint8_t *mem;

	ASSERT_EQ(0, vfio_iommu_info_cap(self->p.io,
					VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE,
					&info, &ranges, sizeof(ranges)));
	top = ranges.r.iova_ranges[ranges.r.nr_iovas - 1].end;
	iova = top + 1 - 2 * PAGE;
	mem = anon(3 * PAGE, 0);
	ASSERT_NE(NULL, mem);
	test_err_map(EINVAL, &self->p, iova + PAGE, mem, 2 * PAGE,
		     VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE);
	test_map(&self->p, iova, mem, 2 * PAGE);
	test_dma_lands(&self->p, iova + 2 * PAGE - FRAME,
		       mem + 2 * PAGE - FRAME, FRAME, 0);
	test_dma_lands(&self->p, iova + PAGE - 700, mem + PAGE - 700, FRAME,
		       GUARD);
	TH_LOG("top of the aperture %#llx", (unsigned long long)top);
	test_unmap(&self->p, iova, 2 * PAGE);
	munmap(mem, 3 * PAGE);
}

/* Refusals: each with its errno, and nothing left mapped behind. */
TEST_F(igb, bad_requests)
{
	struct pci_igb *p = &self->p;
	uint8_t *mem, *hole;

	mem = anon(8 * PAGE, 0);
	ASSERT_NE(NULL, mem);
	test_err_map(EINVAL, p, IOVA_ODD, mem, 0, VFIO_DMA_RW);
	test_err_map(EINVAL, p, IOVA_ODD, mem, PAGE + 1, VFIO_DMA_RW);
	test_err_map(EINVAL, p, IOVA_ODD + 8, mem, PAGE, VFIO_DMA_RW);
	test_err_map(EINVAL, p, IOVA_ODD, mem + 8, PAGE, VFIO_DMA_RW);
	test_err_map(EINVAL, p, IOVA_ODD, mem, PAGE, 0);
	/* a range that wraps (7.3: -EOVERFLOW), the reserved MSI window */
	test_err_map(type1_inclusive_ends() ? EOVERFLOW : EINVAL, p,
		     -2ULL * PAGE, mem, 4 * PAGE, VFIO_DMA_RW);
	test_err_map(EINVAL, p, MSI_BASE, mem, PAGE, VFIO_DMA_RW);
	/* an address the process has not mapped */
	hole = mmap(NULL, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, hole);
	munmap(hole, PAGE);
	test_err_map(EFAULT, p, IOVA_ODD, hole, PAGE, VFIO_DMA_RW);

	/* nothing of those is mapped: the whole range maps now */
	test_map(p, IOVA_ODD, mem, 8 * PAGE);
	test_err_map(EEXIST, p, IOVA_ODD + 4 * PAGE, mem, 8 * PAGE,
		     VFIO_DMA_RW);
	test_err_map(EEXIST, p, IOVA_ODD - PAGE, mem, 2 * PAGE, VFIO_DMA_RW);
	/* type1 v2 never splits a mapping */
	test_err_unmap(EINVAL, p, IOVA_ODD + PAGE, PAGE, 0);
	test_err_unmap(EINVAL, p, IOVA_ODD, PAGE, 0);
	test_err_unmap(EINVAL, p, IOVA_ODD, 0, 0);
	test_err_unmap(EINVAL, p, IOVA_ODD, 0, VFIO_DMA_UNMAP_FLAG_ALL);
	/* unmapping where nothing is mapped unmaps nothing */
	test_unmapped(p, IOVA_HUGE, PAGE, 0, 0);
	test_dma_lands(p, IOVA_ODD + 7 * PAGE - 700, mem + 7 * PAGE - 700,
		       FRAME, GUARD);
	test_unmap(p, IOVA_ODD, 8 * PAGE);
	munmap(mem, 8 * PAGE);
}

/* The device reads a read-only mapping and cannot write it. */
TEST_F(igb, read_only_mapping)
{
	uint8_t *mem = anon(2 * PAGE, 0);

	ASSERT_NE(NULL, mem);
	ASSERT_EQ(0, vfio_dma_map(self->p.io, IOVA_ODD, mem, 2 * PAGE,
				  VFIO_DMA_MAP_FLAG_READ));
	ASSERT_EQ(0, igb_dma_check(&self->p, IGB_RING_IOVA + 0x3000,
				       (uint8_t *)self->p.ring + 0x3000, FRAME,
				       GUARD, IOVA_ODD + 100, mem + 100));
	test_dma_blocked(&self->p, IOVA_ODD + 100, mem + 100, FRAME, GUARD);
	test_unmap(&self->p, IOVA_ODD, 2 * PAGE);
	munmap(mem, 2 * PAGE);
}

/* One page at two IOVAs: a write through either lands in it. */
TEST_F(igb, two_iovas_one_page)
{
	uint8_t *mem = anon(PAGE, 0);

	ASSERT_NE(NULL, mem);
	test_map(&self->p, IOVA_ODD, mem, PAGE);
	test_map(&self->p, IOVA_HUGE, mem, PAGE);
	test_dma_lands(&self->p, IOVA_ODD, mem, FRAME, GUARD);
	test_dma_lands(&self->p, IOVA_HUGE + 1000, mem + 1000, FRAME, GUARD);
	test_unmap(&self->p, IOVA_ODD, PAGE);
	test_dma_blocked(&self->p, IOVA_ODD, mem, FRAME, GUARD);
	test_dma_lands(&self->p, IOVA_HUGE, mem, FRAME, GUARD);
	munmap(mem, PAGE);
}

/* UNMAP_DMA with FLAG_ALL removes every mapping, the rings' too. */
TEST_F(igb, unmap_all)
{
	uint8_t *mem = anon(3 * PAGE, 0);

	ASSERT_NE(NULL, mem);
	test_map(&self->p, IOVA_ODD, mem, PAGE);
	test_map(&self->p, IOVA_ODD + 2 * PAGE, mem + PAGE, 2 * PAGE);
	test_dma_lands(&self->p, IOVA_ODD + 2 * PAGE, mem + PAGE, FRAME, GUARD);
	test_unmapped(&self->p, 0, 0, VFIO_DMA_UNMAP_FLAG_ALL,
		      IGB_RING_BYTES + 3 * PAGE);
	/* nothing left: the same range maps again, and only once */
	test_map(&self->p, IOVA_ODD, mem, PAGE);
	test_err_map(EEXIST, &self->p, IOVA_ODD, mem, PAGE,
		     VFIO_DMA_MAP_FLAG_READ);
	munmap(mem, 3 * PAGE);
}

TEST_HARNESS_MAIN
