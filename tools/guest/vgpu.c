// SPDX-License-Identifier: GPL-2.0
/*
 * vgpu.c - the payload as the vGPU's driver: memory decoding and bus
 * mastering, every GTT entry in use pointed at a page of its own RAM (entry
 * i at DATA_BASE + 4096 i), the ring at device address 0, MSI to the LAPIC;
 * commands emitted into the ring (or a batch buffer), submitted, waited
 * for, and the device's registers checked against what it was asked to do
 */
#include "guest.h"

static uint64_t deadline(void)
{
	return rdtsc() + TIMEOUT_TSC;
}

void emit(struct guest *g, uint32_t dw)
{
	g->em.buf[(g->em.pos / 4) & g->em.mask] = dw;
	g->em.pos += 4;
}

void emit_cmd(struct guest *g, uint32_t op, uint32_t flags, uint32_t len)
{
	emit(g, VGPU_CMD_HDR(op, flags, len));
	g->em.count++;
}

/* emit into the ring from its tail on */
void emit_ring_begin(struct guest *g)
{
	g->em.buf = dev_ptr(0);
	g->em.pos = g->ring_tail;
	g->em.mask = g->ring_size / 4 - 1;
}

void emit_fence_at(struct guest *g, uint32_t dev_addr, uint32_t seqno)
{
	emit_cmd(g, VGPU_OP_FENCE, g->opt.msi ? VGPU_FENCE_FLAG_IRQ : 0, 2);
	emit(g, dev_addr);
	emit(g, seqno);
}

/* a fence to the payload's own fence page */
void emit_fence(struct guest *g, uint32_t seqno)
{
	emit_fence_at(g, g->fence_dev, seqno);
}

static void wait_fence(struct guest *g, volatile uint32_t *fence,
		       uint32_t seqno)
{
	uint64_t end = deadline();

	while (fence && *fence != seqno) {
		if (g->opt.msi)
			idle();
		if (rdtsc() > end)
			FAIL("timeout waiting for fence %u (memory %u last_seqno %u status 0x%x error %u)\n",
			     seqno, *fence, reg_r(g, VGPU_REG_LAST_SEQNO),
			     reg_r(g, VGPU_REG_STATUS),
			     reg_r(g, VGPU_REG_ERROR));
		cpu_relax();
	}
}

/*
 * IDLE raises no interrupt: poll a little (it follows the fence at once),
 * then sleep between polls (1 ms tick), so that a submission without a
 * fence does not keep the CPU busy trapping on MMIO while the device's
 * worker needs it.
 */
static void wait_idle(struct guest *g, uint32_t seqno)
{
	uint64_t end = deadline();
	uint32_t st, n = 0;

	while (!((st = reg_r(g, VGPU_REG_IRQ_STATUS)) & VGPU_IRQ_IDLE)) {
		if (rdtsc() > end)
			FAIL("timeout waiting for idle after fence %u (irq_status 0x%x)\n",
			     seqno, st);
		if (++n > 32)
			idle();
		else
			cpu_relax();
	}
}

/* the registers after a submission that ended with fence @seqno */
static void check_regs(struct guest *g, uint32_t seqno)
{
	if (reg_r(g, VGPU_REG_ERROR))
		FAIL("device error %u head 0x%x cmd 0x%08x depth %u seq %u\n",
		     reg_r(g, VGPU_REG_ERROR), reg_r(g, VGPU_REG_ERROR_HEAD),
		     reg_r(g, VGPU_REG_ERROR_CMD),
		     reg_r(g, VGPU_REG_ERROR_DEPTH), seqno);
	if (reg_r(g, VGPU_REG_LAST_SEQNO) != seqno)
		FAIL("last_seqno %u want %u\n", reg_r(g, VGPU_REG_LAST_SEQNO),
		     seqno);
	if (reg_r(g, VGPU_REG_RING_HEAD) != g->ring_tail)
		FAIL("ring head 0x%x want 0x%x seq %u\n",
		     reg_r(g, VGPU_REG_RING_HEAD), g->ring_tail, seqno);
	if (reg_r(g, VGPU_REG_CMDS_EXECUTED) != g->exp_cmds)
		FAIL("cmds_executed %u want %u seq %u\n",
		     reg_r(g, VGPU_REG_CMDS_EXECUTED), g->exp_cmds, seqno);
	if (reg_r(g, VGPU_REG_SUBMISSIONS) != g->exp_subs)
		FAIL("submissions %u want %u seq %u\n",
		     reg_r(g, VGPU_REG_SUBMISSIONS), g->exp_subs, seqno);
}

/*
 * Submit what was emitted into the ring, wait for fence @seqno (at @fence,
 * unless NULL: no fence in this submission) and IDLE, check the registers.
 */
void submit_and_wait(struct guest *g, volatile uint32_t *fence,
		     uint32_t seqno)
{
	reg_w(g, VGPU_REG_IRQ_STATUS, VGPU_IRQ_IDLE);
	g->ring_tail = g->em.pos & (g->ring_size - 1);
	__asm__ volatile("" ::: "memory");
	reg_w(g, VGPU_REG_RING_TAIL, g->ring_tail);
	reg_w(g, VGPU_REG_DOORBELL, 1);
	g->exp_subs++;
	g->exp_cmds += g->em.count;
	g->em.count = 0;
	wait_fence(g, fence, seqno);
	wait_idle(g, seqno);
	check_regs(g, seqno);
}

/* ring, fence page, batches (if the engine wants them), then data */
static void device_layout(struct guest *g)
{
	uint32_t ring_pages, batch = g->engine->batch_pages;

	g->gtt_entries = reg_r(g, VGPU_REG_GTT_ENTRIES);
	g->ring_size = reg_r(g, VGPU_REG_RING_MAX);
	if (g->ring_size > WLP_RING_MAX)
		g->ring_size = WLP_RING_MAX;
	if (g->gtt_entries > VGPU_GTT_MAX_ENTRIES ||
	    g->ring_size < VGPU_RING_MIN_SIZE)
		FAIL("device: gtt %u ring_max %u\n", g->gtt_entries,
		     g->ring_size);
	ring_pages = g->ring_size / VGPU_PAGE_SIZE;
	g->fence_dev = ring_pages * VGPU_PAGE_SIZE;
	g->batch_dev = g->fence_dev + VGPU_PAGE_SIZE;
	g->data_dev = g->batch_dev + batch * VGPU_PAGE_SIZE;
	if (g->gtt_entries < ring_pages + 1 + batch + 8)
		FAIL("GTT too small: %u entries\n", g->gtt_entries);
	g->engine->layout(g, g->gtt_entries - ring_pages - 1 - batch);
	g->mem_needed = DATA_BASE + g->data_dev +
			g->data_pages * VGPU_PAGE_SIZE;
}

static void gtt_init(struct guest *g)
{
	uint32_t i, want;

	/* entry i -> DATA_BASE + 4096 i (high halves are 0 after reset) */
	for (i = 0; i < g->gtt_used; i++)
		mmio_w32(g->bar0 + VGPU_GTT_WINDOW + 8 * i,
			 (DATA_BASE + i * VGPU_PAGE_SIZE) |
			 (uint32_t)VGPU_GTT_VALID);
	if (reg_r(g, VGPU_REG_ERROR))
		FAIL("GTT setup: error %u at 0x%x\n", reg_r(g, VGPU_REG_ERROR),
		     reg_r(g, VGPU_REG_ERROR_HEAD));
	for (i = 0; i < g->gtt_used; i += 257) {
		want = (DATA_BASE + i * VGPU_PAGE_SIZE) |
		       (uint32_t)VGPU_GTT_VALID;
		if (mmio_r32(g->bar0 + VGPU_GTT_WINDOW + 8 * i) != want)
			FAIL("GTT entry %u reads 0x%x\n", i,
			     mmio_r32(g->bar0 + VGPU_GTT_WINDOW + 8 * i));
	}
}

static void ring_init(struct guest *g)
{
	reg_w(g, VGPU_REG_RING_CTL, 0);
	reg_w(g, VGPU_REG_RING_BASE, 0);
	reg_w(g, VGPU_REG_RING_SIZE, g->ring_size);
	reg_w(g, VGPU_REG_RING_HEAD, 0);
	reg_w(g, VGPU_REG_RING_TAIL, 0);
	reg_w(g, VGPU_REG_RING_CTL, VGPU_RING_CTL_ENABLE);
	g->ring_tail = 0;
	g->exp_cmds = reg_r(g, VGPU_REG_CMDS_EXECUTED);
	g->exp_subs = reg_r(g, VGPU_REG_SUBMISSIONS);
}

static void msi_init(struct guest *g, uint32_t bdf)
{
	uint32_t msi = pci_find_cap(bdf, 0x05);

	if (!msi)
		FAIL("no MSI capability\n");
	pci_w32(bdf, msi + 4, LAPIC_BASE);	/* dest APIC 0 */
	pci_w32(bdf, msi + 8, 0);
	pci_w16(bdf, msi + 12, MSI_VECTOR);	/* fixed, edge */
	pci_w16(bdf, msi + 2, (uint16_t)(pci_r32(bdf, msi) >> 16) | 1);
	reg_w(g, VGPU_REG_IRQ_STATUS, VGPU_IRQ_ALL);
	reg_w(g, VGPU_REG_IRQ_ENABLE, VGPU_IRQ_FENCE | VGPU_IRQ_ERROR);
}

void device_init(struct guest *g, uint32_t bdf)
{
	g->bar0 = pci_r32(bdf, 0x10) & ~0xfu;
	if (!g->bar0 || g->bar0 == ~0xfu) {
		g->bar0 = 0xe0000000u;	/* firmware did not assign it */
		pci_w32(bdf, 0x10, g->bar0);
	}
	/* MEM | MASTER, INTx off with MSI */
	pci_w16(bdf, 0x04, 0x0006 | (g->opt.msi ? 0x0400 : 0));
	if (reg_r(g, VGPU_REG_ID) != VGPU_ID_MAGIC)
		FAIL("BAR0 0x%x: ID 0x%08x\n", g->bar0, reg_r(g, VGPU_REG_ID));
	device_layout(g);
	g->engine->describe(g, bdf);
	if (g->ram_end && g->ram_end < g->mem_needed)
		g->engine->ram_too_small(g);
	gtt_init(g);
	ring_init(g);
	if (g->opt.msi)
		msi_init(g, bdf);
}
