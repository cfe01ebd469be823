// SPDX-License-Identifier: GPL-2.0
/*
 * pci.c - PCI configuration space through ports 0xcf8/0xcfc
 */
#include "guest.h"

static void pci_addr(uint32_t bdf, uint32_t off)
{
	outl(0xcf8, 0x80000000u | bdf << 8 | (off & 0xfc));
}

uint32_t pci_r32(uint32_t bdf, uint32_t off)
{
	pci_addr(bdf, off);
	return inl(0xcfc);
}

void pci_w32(uint32_t bdf, uint32_t off, uint32_t v)
{
	pci_addr(bdf, off);
	outl(0xcfc, v);
}

void pci_w16(uint32_t bdf, uint32_t off, uint16_t v)
{
	pci_addr(bdf, off);
	outw(0xcfc + (off & 2), v);
}

/* the first function with this vendor and device ID on buses 0..3 */
int pci_find(uint16_t vendor, uint16_t device, uint32_t *bdf_out)
{
	uint32_t bus, dev, fn;

	for (bus = 0; bus < 4; bus++)
		for (dev = 0; dev < 32; dev++)
			for (fn = 0; fn < 8; fn++) {
				uint32_t bdf = bus << 8 | dev << 3 | fn;
				uint32_t id = pci_r32(bdf, 0);

				if ((id & 0xffff) == 0xffff) {
					if (!fn)
						break;
					continue;
				}
				if (id == ((uint32_t)device << 16 | vendor)) {
					*bdf_out = bdf;
					return 0;
				}
				/* not multi-function: skip functions 1..7 */
				if (!fn && !(pci_r32(bdf, 0x0c) & 0x00800000))
					break;
			}
	return -1;
}

uint32_t pci_find_cap(uint32_t bdf, uint8_t id)
{
	uint32_t ptr, n = 48;

	if (!(pci_r32(bdf, 0x04) & (0x10u << 16)))
		return 0;
	ptr = pci_r32(bdf, 0x34) & 0xfc;
	while (ptr && n--) {
		uint32_t h = pci_r32(bdf, ptr);

		if ((h & 0xff) == id)
			return ptr;
		ptr = (h >> 8) & 0xfc;
	}
	return 0;
}
