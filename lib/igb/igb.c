// SPDX-License-Identifier: GPL-2.0-only
/*
 * igb.c - QEMU's igb on vfio-pci: reset, link, rings, a frame looped back
 */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/pci_regs.h>

#include "libigb.h"

struct igb_desc {
	uint64_t addr;
	uint32_t cmd;		/* tx: cmd_type_len; rx write-back: status */
	uint32_t info;		/* tx: olinfo, write-back status; rx: length */
};

int igb_rd(struct igb *g, uint32_t reg, uint32_t *val)
{
	return vfio_dev_read(g->dev, g->bar0 + reg, val, 4);
}

int igb_wr(struct igb *g, uint32_t reg, uint32_t val)
{
	return vfio_dev_write(g->dev, g->bar0 + reg, &val, 4);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ull + ts.tv_nsec / 1000000;
}

/* Wait until (@reg & @mask) == @want, up to @ms milliseconds. */
static int poll_reg(struct igb *g, uint32_t reg, uint32_t mask, uint32_t want,
		    unsigned int ms)
{
	uint64_t end = now_ms() + ms;
	uint32_t v;
	int ret;

	do {
		ret = igb_rd(g, reg, &v);
		if (ret)
			return ret;
		if ((v & mask) == want)
			return 0;
		usleep(1000);
	} while (now_ms() < end);
	return -ETIMEDOUT;
}

/* Wait for the device to set DD in a descriptor's status word @w. */
static int wait_dd(volatile uint32_t *w, unsigned int ms)
{
	uint64_t end = now_ms() + ms;

	while (!(__atomic_load_n(w, __ATOMIC_ACQUIRE) & IGB_DD)) {
		if (now_ms() >= end)
			return -ETIMEDOUT;
		usleep(200);
	}
	return 0;
}

static volatile struct igb_desc *desc(struct igb *g, uint32_t ring,
				      unsigned int i)
{
	return (volatile struct igb_desc *)(g->ring + ring) + i;
}

int igb_rings_reset(struct igb *g)
{
	const struct { uint32_t reg, val; } seq[] = {
		{ IGB_RXDCTL, 0 }, { IGB_TXDCTL, 0 },
		{ IGB_TDBAL, (uint32_t)(g->ring_iova + IGB_TX_RING) },
		{ IGB_TDBAH, (uint32_t)((g->ring_iova + IGB_TX_RING) >> 32) },
		{ IGB_TDLEN, IGB_NDESC * 16 }, { IGB_TDH, 0 }, { IGB_TDT, 0 },
		{ IGB_RDBAL, (uint32_t)(g->ring_iova + IGB_RX_RING) },
		{ IGB_RDBAH, (uint32_t)((g->ring_iova + IGB_RX_RING) >> 32) },
		{ IGB_RDLEN, IGB_NDESC * 16 }, { IGB_RDH, 0 }, { IGB_RDT, 0 },
		{ IGB_SRRCTL, IGB_SRRCTL_BSIZE_2K | IGB_SRRCTL_ADV_ONEBUF },
		{ IGB_TXDCTL, IGB_QUEUE_ENABLE }, { IGB_RXDCTL, IGB_QUEUE_ENABLE },
		{ IGB_TCTL, IGB_TCTL_EN | IGB_TCTL_PSP },
		{ IGB_RCTL, IGB_RCTL_EN | IGB_RCTL_UPE | IGB_RCTL_MPE |
			    IGB_RCTL_BAM | IGB_RCTL_LBM_MAC | IGB_RCTL_SECRC },
	};
	unsigned int i;
	int ret = 0;

	memset(g->ring + IGB_TX_RING, 0, IGB_NDESC * 16);
	memset(g->ring + IGB_RX_RING, 0, IGB_NDESC * 16);
	g->tx_tail = g->rx_tail = 0;
	for (i = 0; !ret && i < sizeof(seq) / sizeof(seq[0]); i++)
		ret = igb_wr(g, seq[i].reg, seq[i].val);
	return ret;
}

/* bus mastering and memory decoding on, in the config space */
static int enable_bus_master(struct igb *g)
{
	uint16_t cmd;
	int ret = vfio_dev_read(g->dev, g->cfg + PCI_COMMAND, &cmd, 2);

	if (ret)
		return ret;
	cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	return vfio_dev_write(g->dev, g->cfg + PCI_COMMAND, &cmd, 2);
}

/* reset, then the link up through an auto-negotiation of the PHY */
static int reset_link_up(struct igb *g)
{
	uint32_t v;
	int ret = igb_wr(g, IGB_IMC, ~0u);

	if (!ret)
		ret = igb_wr(g, IGB_CTRL, IGB_CTRL_RST);
	if (!ret)
		ret = poll_reg(g, IGB_CTRL, IGB_CTRL_RST, 0, 1000);
	if (!ret)
		ret = igb_wr(g, IGB_IMC, ~0u);
	if (!ret)
		ret = igb_wr(g, IGB_EIMC, ~0u);
	if (!ret)
		ret = igb_rd(g, IGB_CTRL, &v);
	if (!ret)
		ret = igb_wr(g, IGB_CTRL, v | IGB_CTRL_SLU);
	if (!ret)
		ret = igb_wr(g, IGB_MDIC, IGB_BMCR_AUTONEG | IGB_MDIC_WRITE |
			     IGB_MDIC_PHY1 | IGB_MDIC_REG(IGB_PHY_BMCR));
	if (!ret)
		ret = poll_reg(g, IGB_MDIC, IGB_MDIC_READY | IGB_MDIC_ERROR,
			       IGB_MDIC_READY, 1000);
	if (!ret)
		ret = poll_reg(g, IGB_STATUS, IGB_STATUS_LU, IGB_STATUS_LU,
			       5000);
	return ret;
}

int igb_init(struct igb *g, struct vfio_dev *dev, void *ring, __u64 ring_iova)
{
	uint32_t v;
	int ret;

	memset(g, 0, sizeof(*g));
	g->dev = dev;
	g->ring = ring;
	g->ring_iova = ring_iova;
	ret = vfio_region_offset(dev, VFIO_PCI_CONFIG_REGION_INDEX, &g->cfg);
	if (!ret)
		ret = vfio_region_offset(dev, VFIO_PCI_BAR0_REGION_INDEX,
					 &g->bar0);
	if (!ret)
		ret = enable_bus_master(g);
	if (!ret)
		ret = reset_link_up(g);
	if (!ret)
		ret = igb_rings_reset(g);
	/* the statistics clear on read */
	if (!ret)
		ret = igb_rd(g, IGB_GPRC, &v);
	if (!ret)
		ret = igb_rd(g, IGB_GPTC, &v);
	return ret;
}

int igb_loopback(struct igb *g, __u64 tx_iova, uint32_t len, __u64 rx_iova,
		 uint32_t *rx_len, unsigned int ms)
{
	volatile struct igb_desc *rx = desc(g, IGB_RX_RING, g->rx_tail);
	volatile struct igb_desc *tx = desc(g, IGB_TX_RING, g->tx_tail);
	int ret;

	if (len < IGB_MIN_FRAME || len > IGB_MAX_FRAME)
		return -EINVAL;
	rx->addr = rx_iova;
	rx->cmd = 0;
	rx->info = 0;
	g->rx_tail = (g->rx_tail + 1) % IGB_NDESC;
	tx->addr = tx_iova;
	tx->cmd = len | IGB_TXD_DTYP_DATA | IGB_TXD_DEXT | IGB_TXD_EOP |
		  IGB_TXD_IFCS | IGB_TXD_RS;
	tx->info = len << IGB_TXD_PAYLEN_SHIFT;
	g->tx_tail = (g->tx_tail + 1) % IGB_NDESC;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	ret = igb_wr(g, IGB_RDT, g->rx_tail);
	if (!ret)
		ret = igb_wr(g, IGB_TDT, g->tx_tail);
	if (!ret)
		ret = wait_dd(&tx->info, 2000);
	if (!ret)
		ret = wait_dd(&rx->cmd, ms);
	if (ret == -ETIMEDOUT) {
		int r = igb_rings_reset(g);

		return r ? r : ret;
	}
	if (ret)
		return ret;
	if (!(rx->cmd & IGB_RXD_EOP))
		return -EPROTO;
	*rx_len = rx->info & 0xffff;
	return 0;
}
