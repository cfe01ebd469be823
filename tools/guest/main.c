// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - freestanding guest payload that drives the sample vGPU
 *
 * Booted by QEMU (-kernel, multiboot v1, 32-bit protected mode, no paging:
 * virtual == physical == the IOVA QEMU maps for the device).  It finds the
 * vGPU in PCI config space, enables memory decoding and bus mastering,
 * points every GTT entry it uses at a page of its own RAM, sets up the
 * ring, enables MSI (LAPIC, vector 0x41) and then runs frames forever,
 * those of an engine: the built-in frame (builtin.c) or, given a packed
 * workload file as a multiboot module (QEMU -initrd FILE.wlp), that
 * workload's (workload.c).  It keeps a checksum of every data page
 * (pages.c), verifies what the device will touch and every byte it wrote,
 * sweeps all data pages round robin against their checksums, and checks
 * the fence, LAST_SEQNO, SCRATCH0, CMDS_EXECUTED and SUBMISSIONS against
 * its own counts after every submission (vgpu.c).  Progress is polled
 * (the fence in RAM, then IRQ_STATUS.IDLE) while sleeping in hlt between
 * MSIs and a 1 ms LAPIC timer tick; MSIs are counted and reported, not
 * waited for.
 *
 * Serial (COM1) output, one line each:
 *   vgpu-guest: start ...        configuration
 *   init ok pages N seq S        all data pages filled and verified
 *   workload NAME ...            (workload files) what runs
 *   frame N ok seq S irqs I ...  every `every` frames
 *   sweep N ok                   a full pass over all data pages
 *   FAIL ...                     any mismatch; the payload then halts
 *
 * Command line (QEMU -append), key=value:
 *   pages=N   built-in: pages per FILL and per COPY (default 1)
 *   sweep=N   data pages verified per frame (default 64)
 *   every=N   print every N-th frame (default 1)
 *   frames=N  stop after N frames (default 0: never)
 *   irq=msi|poll  (default msi)
 *   pace=N    at least N ms (LAPIC timer ticks) per frame (default 5; a
 *             workload's period if it has one)
 *   seed=N    built-in: random seed
 *   precheck=1  workload files: also verify pages a fill or copy is about
 *             to overwrite whole (default 0: the sweep covers them)
 */
#include "guest.h"

struct multiboot_info {
	uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
	uint32_t mods_count, mods_addr;
};

struct multiboot_mod {
	uint32_t start, end, string, reserved;
};

/* the payload's one context (the interrupt handlers find it too) */
static struct guest the_guest;

void guest_main(uint32_t magic, const struct multiboot_info *mbi);

static int str_eq_n(const char *a, const char *b, unsigned int n)
{
	while (n--)
		if (*a++ != *b++)
			return 0;
	return 1;
}

static uint32_t parse_u32(const char *s)
{
	uint32_t v = 0;

	while (*s >= '0' && *s <= '9')
		v = v * 10 + (uint32_t)(*s++ - '0');
	return v;
}

static void parse_cmdline(struct guest_opts *o, const char *s)
{
	while (s && *s) {
		while (*s == ' ')
			s++;
		if (str_eq_n(s, "pages=", 6))
			o->pages = parse_u32(s + 6);
		else if (str_eq_n(s, "sweep=", 6))
			o->sweep = parse_u32(s + 6);
		else if (str_eq_n(s, "every=", 6))
			o->every = parse_u32(s + 6);
		else if (str_eq_n(s, "frames=", 7))
			o->frames = parse_u32(s + 7);
		else if (str_eq_n(s, "pace=", 5))
			o->pace = parse_u32(s + 5), o->pace_set = 1;
		else if (str_eq_n(s, "seed=", 5))
			o->seed = parse_u32(s + 5);
		else if (str_eq_n(s, "precheck=", 9))
			o->precheck = parse_u32(s + 9);
		else if (str_eq_n(s, "irq=poll", 8))
			o->msi = 0;
		else if (str_eq_n(s, "irq=msi", 7))
			o->msi = 1;
		while (*s && *s != ' ')
			s++;
	}
	if (!o->pages)
		o->pages = 1;
	if (!o->every)
		o->every = 1;
}

static void boot_info(struct guest *g, uint32_t magic,
		      const struct multiboot_info *mbi)
{
	const struct multiboot_mod *m;

	if (magic != 0x2badb002)
		FAIL("not booted by a multiboot loader (0x%x)\n", magic);
	if (mbi->flags & 4)
		parse_cmdline(&g->opt, (const char *)(uintptr_t)mbi->cmdline);
	g->rng = g->opt.seed ? g->opt.seed : 1;
	/* a packed workload as the first module (QEMU -initrd FILE.wlp) */
	if ((mbi->flags & 8) && mbi->mods_count) {
		m = (const struct multiboot_mod *)(uintptr_t)mbi->mods_addr;
		workload_load(g, m->start, m->end);
	}
	if (mbi->flags & 1)
		g->ram_end = 0x100000u + mbi->mem_upper * 1024u;
}

/* verify @n more data pages, round robin */
static void sweep(struct guest *g, uint32_t f, uint32_t *pos,
		  uint32_t *sweeps)
{
	uint32_t i;

	for (i = 0; i < g->opt.sweep; i++) {
		check_page(g, *pos, "sweep");
		if (++*pos == g->data_pages) {
			*pos = 0;
			gprintf("sweep %u ok frame %u\n", ++*sweeps, f);
		}
	}
}

/*
 * MSIs are delivered by QEMU's main loop, which can be held off while the
 * vCPU keeps running: only a long silence fails.
 */
static void msi_watch(struct guest *g, uint32_t f, uint32_t *last,
		      uint64_t *last_tsc)
{
	if (g->irqs.msi != *last) {
		*last = g->irqs.msi;
		*last_tsc = rdtsc();
	} else if (g->opt.msi && rdtsc() - *last_tsc > TIMEOUT_TSC) {
		FAIL("no MSI for a long time (irqs %u frame %u)\n",
		     g->irqs.msi, f);
	}
}

static void run(struct guest *g)
{
	uint32_t f, pos = 0, sweeps = 0, last_msi = 0, t0;
	uint64_t last_msi_tsc = rdtsc();

	for (f = 1; !g->opt.frames || f <= g->opt.frames; f++) {
		t0 = g->irqs.ticks;
		g->engine->frame(g, f);
		sweep(g, f, &pos, &sweeps);
		msi_watch(g, f, &last_msi, &last_msi_tsc);
		if (f % g->opt.every == 0)
			gprintf("frame %u ok seq %u irqs %u empty %u stray %u ticks %u\n",
				f, g->seq, g->irqs.msi, g->irqs.msi_empty,
				g->irqs.stray, g->irqs.ticks);
		while (g->irqs.ticks - t0 < g->opt.pace)
			idle();
	}
}

void guest_main(uint32_t magic, const struct multiboot_info *mbi)
{
	struct guest *g = &the_guest;
	uint32_t bdf;

	g->opt = (struct guest_opts){ .pages = 1, .sweep = 64, .every = 1,
				      .seed = 1, .pace = 5, .msi = 1 };
	g->engine = &builtin_engine;
	serial_init();
	irq_init(g);
	boot_info(g, magic, mbi);
	if (pci_find(VGPU_PCI_VENDOR_ID, VGPU_PCI_DEVICE_ID, &bdf))
		FAIL("no sample vGPU (%x:%x) in PCI config space\n",
		     VGPU_PCI_VENDOR_ID, VGPU_PCI_DEVICE_ID);
	device_init(g, bdf);
	data_init(g);
	g->engine->started(g);
	run(g);
	gprintf("done frames %u seq %u irqs %u stray %u\n", g->opt.frames,
		g->seq, g->irqs.msi, g->irqs.stray);
	halt();
}
