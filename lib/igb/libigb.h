/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libigb.h - a user-space driver for QEMU's igb (Intel 82576) on vfio-pci,
 * just enough to make the device DMA
 *
 * One transmit and one receive queue in MAC loopback, advanced
 * descriptors, no interrupts (polled): a frame the device reads from one
 * IOVA comes back through the loopback and the device writes it to
 * another, both translated by the IOMMU from the backend's mappings.
 * QEMU completes both DMAs inside the write of the transmit tail.
 * Register offsets and bits are those of the 82576 datasheet (and of
 * QEMU's hw/net/igb_regs.h).
 *
 * The rings live in one mapping of IGB_RING_BYTES (its IOVA and host
 * address given to igb_init()): the transmit ring, the receive ring and a
 * 2 KiB frame buffer.  Raw functions return 0 or -errno; -ETIMEDOUT when
 * the device did not complete (e.g. its DMA was refused by the IOMMU).
 */
#ifndef _LIBIGB_H
#define _LIBIGB_H

#include <stdint.h>
#include "libvfio.h"

#define IGB_VENDOR	0x8086
#define IGB_DEVICE	0x10c9

#define IGB_CTRL	0x00000
#define  IGB_CTRL_SLU	(1u << 6)
#define  IGB_CTRL_RST	(1u << 26)
#define IGB_STATUS	0x00008
#define  IGB_STATUS_LU	(1u << 1)
#define IGB_MDIC	0x00020		/* PHY access: data, register, PHY 1 */
#define  IGB_MDIC_REG(r)	((uint32_t)(r) << 16)
#define  IGB_MDIC_PHY1		(1u << 21)
#define  IGB_MDIC_WRITE		(1u << 26)
#define  IGB_MDIC_READY		(1u << 28)
#define  IGB_MDIC_ERROR		(1u << 30)
#define IGB_PHY_BMCR	0		/* auto-negotiation on, restarted */
#define  IGB_BMCR_AUTONEG	0x1340
#define IGB_IMC		0x000d8
#define IGB_RCTL	0x00100
#define  IGB_RCTL_EN	(1u << 1)
#define  IGB_RCTL_UPE	(1u << 3)
#define  IGB_RCTL_MPE	(1u << 4)
#define  IGB_RCTL_LBM_MAC (1u << 6)
#define  IGB_RCTL_BAM	(1u << 15)
#define  IGB_RCTL_SECRC	(1u << 26)
#define IGB_TCTL	0x00400
#define  IGB_TCTL_EN	(1u << 1)
#define  IGB_TCTL_PSP	(1u << 3)
#define IGB_EIMC	0x01528
#define IGB_GPRC	0x04074		/* good packets received, clear on read */
#define IGB_GPTC	0x04080		/* good packets sent, clear on read */
#define IGB_RDBAL	0x0c000
#define IGB_RDBAH	0x0c004
#define IGB_RDLEN	0x0c008
#define IGB_SRRCTL	0x0c00c
#define  IGB_SRRCTL_BSIZE_2K	2	/* packet buffer, KiB */
#define  IGB_SRRCTL_ADV_ONEBUF	(1u << 25)
#define IGB_RDH		0x0c010
#define IGB_RDT		0x0c018
#define IGB_RXDCTL	0x0c028
#define IGB_TDBAL	0x0e000
#define IGB_TDBAH	0x0e004
#define IGB_TDLEN	0x0e008
#define IGB_TDH		0x0e010
#define IGB_TDT		0x0e018
#define IGB_TXDCTL	0x0e028
#define  IGB_QUEUE_ENABLE	(1u << 25)

/* advanced transmit data descriptor */
#define IGB_TXD_DTYP_DATA	0x00300000u
#define IGB_TXD_EOP		0x01000000u
#define IGB_TXD_IFCS		0x02000000u
#define IGB_TXD_RS		0x08000000u
#define IGB_TXD_DEXT		0x20000000u
#define IGB_TXD_PAYLEN_SHIFT	14
#define IGB_DD			1u	/* descriptor done, both rings */
#define IGB_RXD_EOP		2u

#define IGB_NDESC	16
#define IGB_TX_RING	0x0000		/* offsets in the ring mapping */
#define IGB_RX_RING	0x1000
#define IGB_FRAME	0x2000
#define IGB_RING_BYTES	0x4000
#define IGB_MIN_FRAME	60		/* shorter frames are padded */
#define IGB_MAX_FRAME	1514
#define IGB_RX_BUF	2048		/* what one receive may write */

struct igb {
	struct vfio_dev *dev;
	__u64 cfg, bar0;	/* region offsets in the device fd */
	uint8_t *ring;		/* host view of the ring mapping */
	__u64 ring_iova;
	unsigned int tx_tail, rx_tail;
};

int igb_rd(struct igb *g, uint32_t reg, uint32_t *val);
int igb_wr(struct igb *g, uint32_t reg, uint32_t val);
/*
 * Take the device opened as @dev: bus mastering on, reset, link up (the
 * MAC loopback needs it: after a reset that takes an auto-negotiation,
 * restarted through the PHY, half a second of the VM's clock in QEMU),
 * rings in the mapping at @ring_iova, whose host view is @ring.
 */
int igb_init(struct igb *g, struct vfio_dev *dev, void *ring, __u64 ring_iova);
/* both rings empty and enabled, head = tail = 0 */
int igb_rings_reset(struct igb *g);
/*
 * The device reads the frame of @len bytes at @tx_iova and, looped back,
 * writes it to @rx_iova; *@rx_len is the length it reports.  The transmit
 * must complete; -ETIMEDOUT if no frame came back within @ms (then the
 * rings are reset, so no stale receive buffer stays posted).
 */
int igb_loopback(struct igb *g, __u64 tx_iova, uint32_t len, __u64 rx_iova,
		 uint32_t *rx_len, unsigned int ms);

#endif /* _LIBIGB_H */
