// SPDX-License-Identifier: GPL-2.0
/*
 * guest.c - freestanding guest payload that drives the sample vGPU
 *
 * Booted by QEMU (-kernel, multiboot v1, 32-bit protected mode, no paging:
 * virtual == physical == the IOVA QEMU maps for the device).  It finds the
 * vGPU in PCI config space (ports 0xcf8/0xcfc), enables memory decoding and
 * bus mastering, points every GTT entry at a page of its own RAM (from
 * DATA_BASE up), sets up the ring, enables MSI (LAPIC, vector 0x41) and
 * then runs frames forever:
 *
 *   FILL a range with a per-frame pattern, COPY a range to another,
 *   WRITE_DATA a few dwords, LOAD_REGISTER SCRATCH0 = seqno, FENCE (IRQ)
 *
 * every other frame from a batch buffer (BATCH_START).  It keeps a checksum
 * of every data page (sum of dword[i] * (2i + 1), linear so that partial
 * writes update it exactly), verifies each page before the device writes
 * it and every written byte afterwards, sweeps all data pages round robin
 * against their checksums, and checks the fence value in memory,
 * LAST_SEQNO, SCRATCH0, CMDS_EXECUTED and SUBMISSIONS against its own
 * counts after every frame.  Progress is polled (the fence in RAM, then
 * IRQ_STATUS.IDLE) while sleeping in hlt between MSIs and a 1 ms LAPIC
 * timer tick; MSIs are counted and reported, not waited for.
 *
 * Serial (COM1) output, one line each:
 *   vgpu-guest: start ...        configuration
 *   init ok pages N seq S        all data pages filled and verified
 *   frame N ok seq S irqs I ...  every `every` frames
 *   sweep N ok                   a full pass over all data pages
 *   FAIL ...                     any mismatch; the payload then halts
 *
 * Command line (QEMU -append), key=value:
 *   pages=N   pages per FILL and per COPY (default 1)
 *   sweep=N   data pages verified per frame (default 64)
 *   every=N   print every N-th frame (default 1)
 *   frames=N  stop after N frames (default 0: never)
 *   irq=msi|poll  (default msi)
 *   pace=N    at least N ms (LAPIC timer ticks) per frame (default 5)
 *   seed=N    workload random seed
 */
#include <stdint.h>
#include <stddef.h>
#include <stdarg.h>
#include <linux/sample_vgpu.h>

#define DATA_BASE	0x01000000u	/* GTT entry i -> DATA_BASE + 4096 i */
#define MSI_VECTOR	0x41
#define TIMER_VECTOR	0x42
#define LAPIC_BASE	0xfee00000u
#define TIMEOUT_TSC	(1ull << 35)	/* ~10-20 s of TSC under TCG */
#define PAGE_DW		(VGPU_PAGE_SIZE / 4)
#define BATCH_PAGES	4

/* ---- port and memory access ------------------------------------------ */

static inline void outb(uint16_t p, uint8_t v) { __asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(p)); }
static inline void outw(uint16_t p, uint16_t v) { __asm__ volatile("outw %0, %1" :: "a"(v), "Nd"(p)); }
static inline void outl(uint16_t p, uint32_t v) { __asm__ volatile("outl %0, %1" :: "a"(v), "Nd"(p)); }
static inline uint8_t inb(uint16_t p) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(p)); return v; }
static inline uint32_t inl(uint16_t p) { uint32_t v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(p)); return v; }
static inline uint64_t rdtsc(void) { uint32_t lo, hi; __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi)); return ((uint64_t)hi << 32) | lo; }
static inline void cpu_relax(void) { __asm__ volatile("pause" ::: "memory"); }
static inline void mmio_w32(uintptr_t a, uint32_t v) { *(volatile uint32_t *)a = v; }
static inline uint32_t mmio_r32(uintptr_t a) { return *(volatile uint32_t *)a; }

/* ---- serial console and printing ------------------------------------- */

static void serial_init(void)
{
	outb(0x3f9, 0x00);
	outb(0x3fb, 0x80);
	outb(0x3f8, 0x01);	/* 115200 */
	outb(0x3f9, 0x00);
	outb(0x3fb, 0x03);	/* 8N1 */
	outb(0x3fa, 0xc7);
	outb(0x3fc, 0x03);
}

static void putch(char c)
{
	int n = 100000;

	while (!(inb(0x3fd) & 0x20) && --n)
		;
	outb(0x3f8, c);
}

static void put_u32(uint32_t v, unsigned int base, int width)
{
	char buf[12];
	int i = 0;

	do {
		buf[i++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (i < width)
		buf[i++] = '0';
	while (i)
		putch(buf[--i]);
}

/* %u %d %x %08x %s %c only */
static void gprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	for (; *fmt; fmt++) {
		int width = 0;

		if (*fmt != '%') {
			if (*fmt == '\n')
				putch('\r');
			putch(*fmt);
			continue;
		}
		fmt++;
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + *fmt++ - '0';
		switch (*fmt) {
		case 'u':
			put_u32(va_arg(ap, uint32_t), 10, width);
			break;
		case 'd': {
			int32_t v = va_arg(ap, int32_t);

			if (v < 0) {
				putch('-');
				v = -v;
			}
			put_u32((uint32_t)v, 10, width);
			break;
		}
		case 'x':
			put_u32(va_arg(ap, uint32_t), 16, width);
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);

			while (*s)
				putch(*s++);
			break;
		}
		case 'c':
			putch((char)va_arg(ap, int));
			break;
		default:
			putch(*fmt);
		}
	}
	va_end(ap);
}

static void __attribute__((noreturn)) halt(void)
{
	gprintf("halted\n");
	for (;;)
		__asm__ volatile("cli; hlt");
}

#define FAIL(...) do { gprintf("FAIL " __VA_ARGS__); halt(); } while (0)

/* ---- interrupts ------------------------------------------------------- */

struct idt_entry {
	uint16_t off_lo, sel;
	uint8_t zero, type;
	uint16_t off_hi;
} __attribute__((packed));

static struct idt_entry idt[256];
static volatile uint32_t msi_count, msi_empty, stray_count, ticks;
static uintptr_t bar0;

extern char exc_0[], exc_1[], exc_2[], exc_3[], exc_4[], exc_5[], exc_6[],
	exc_7[], exc_8[], exc_9[], exc_10[], exc_11[], exc_12[], exc_13[],
	exc_14[], exc_15[], exc_16[], exc_17[], exc_18[], exc_19[];
extern char msi_entry[], timer_entry[], stray_entry[], spurious_entry[];

static void idt_set(unsigned int vec, void *handler)
{
	uint32_t a = (uint32_t)(uintptr_t)handler;

	idt[vec].off_lo = a & 0xffff;
	idt[vec].off_hi = a >> 16;
	idt[vec].sel = 0x08;
	idt[vec].zero = 0;
	idt[vec].type = 0x8e;	/* present, ring 0, 32-bit interrupt gate */
}

void guest_exception(uint32_t vec)
{
	FAIL("exception %u\n", vec);
}

static void lapic_eoi(void)
{
	mmio_w32(LAPIC_BASE + 0xb0, 0);
}

void guest_msi(void)
{
	uint32_t st = mmio_r32(bar0 + VGPU_REG_IRQ_STATUS);

	/* acknowledge what we handle; IDLE is the main loop's */
	st &= VGPU_IRQ_FENCE | VGPU_IRQ_ERROR;
	if (st)
		mmio_w32(bar0 + VGPU_REG_IRQ_STATUS, st);
	else
		msi_empty++;	/* nothing pending: a late or repeated MSI */
	msi_count++;
	lapic_eoi();
}

void guest_timer(void)
{
	ticks++;
	lapic_eoi();
}

void guest_stray(void)
{
	stray_count++;
	lapic_eoi();
}

static void irq_init(void)
{
	static void *exc[] = {
		exc_0, exc_1, exc_2, exc_3, exc_4, exc_5, exc_6, exc_7, exc_8,
		exc_9, exc_10, exc_11, exc_12, exc_13, exc_14, exc_15, exc_16,
		exc_17, exc_18, exc_19,
	};
	struct { uint16_t limit; uint32_t base; } __attribute__((packed)) d;
	unsigned int i;

	for (i = 0; i < 256; i++)
		idt_set(i, i < 20 ? exc[i] : stray_entry);
	idt_set(MSI_VECTOR, msi_entry);
	idt_set(TIMER_VECTOR, timer_entry);
	idt_set(0xff, spurious_entry);
	d.limit = sizeof(idt) - 1;
	d.base = (uint32_t)(uintptr_t)idt;
	__asm__ volatile("lidt %0" :: "m"(d));
	/* legacy PICs fully masked; LAPIC software-enabled, spurious 0xff */
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
	mmio_w32(LAPIC_BASE + 0xf0, 0x1ff);
	mmio_w32(LAPIC_BASE + 0x80, 0);	/* TPR: accept all */
	/* LAPIC timer, periodic ~1 ms (QEMU: 1 GHz / divide 1): wakes hlt */
	mmio_w32(LAPIC_BASE + 0x3e0, 0xb);
	mmio_w32(LAPIC_BASE + 0x320, 0x20000 | TIMER_VECTOR);
	mmio_w32(LAPIC_BASE + 0x380, 1000000);
	__asm__ volatile("sti");
}

/* sleep until the next interrupt (MSI or the 1 ms tick) */
static inline void idle(void)
{
	__asm__ volatile("sti; hlt" ::: "memory");
}

/* ---- PCI -------------------------------------------------------------- */

static uint32_t pci_r32(uint32_t bdf, uint32_t off)
{
	outl(0xcf8, 0x80000000u | bdf << 8 | (off & 0xfc));
	return inl(0xcfc);
}

static void pci_w32(uint32_t bdf, uint32_t off, uint32_t v)
{
	outl(0xcf8, 0x80000000u | bdf << 8 | (off & 0xfc));
	outl(0xcfc, v);
}

static void pci_w16(uint32_t bdf, uint32_t off, uint16_t v)
{
	outl(0xcf8, 0x80000000u | bdf << 8 | (off & 0xfc));
	outw(0xcfc + (off & 2), v);
}

static int pci_find(uint32_t *bdf_out)
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
				if (id == (VGPU_PCI_DEVICE_ID << 16 | VGPU_PCI_VENDOR_ID)) {
					*bdf_out = bdf;
					return 0;
				}
				/* not multi-function: skip functions 1..7 */
				if (!fn && !(pci_r32(bdf, 0x0c) & 0x00800000))
					break;
			}
	return -1;
}

static uint32_t pci_find_cap(uint32_t bdf, uint8_t id)
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

/* ---- options ---------------------------------------------------------- */

static struct {
	uint32_t pages, sweep, every, frames, seed, pace;
	int msi;
} opt = { 1, 64, 1, 0, 1, 5, 1 };

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

static void parse_cmdline(const char *s)
{
	while (s && *s) {
		while (*s == ' ')
			s++;
		if (str_eq_n(s, "pages=", 6))
			opt.pages = parse_u32(s + 6);
		else if (str_eq_n(s, "sweep=", 6))
			opt.sweep = parse_u32(s + 6);
		else if (str_eq_n(s, "every=", 6))
			opt.every = parse_u32(s + 6);
		else if (str_eq_n(s, "frames=", 7))
			opt.frames = parse_u32(s + 7);
		else if (str_eq_n(s, "pace=", 5))
			opt.pace = parse_u32(s + 5);
		else if (str_eq_n(s, "seed=", 5))
			opt.seed = parse_u32(s + 5);
		else if (str_eq_n(s, "irq=poll", 8))
			opt.msi = 0;
		else if (str_eq_n(s, "irq=msi", 7))
			opt.msi = 1;
		while (*s && *s != ' ')
			s++;
	}
	if (!opt.pages)
		opt.pages = 1;
	if (!opt.every)
		opt.every = 1;
}

/* ---- the device ------------------------------------------------------- */

static uint32_t gtt_entries, ring_size, ring_tail;
static uint32_t fence_dev, batch_dev, data_dev, data_pages;
static uint32_t seq, exp_cmds, exp_subs;
static uint32_t csum_exp[VGPU_GTT_MAX_ENTRIES];
static uint32_t rng;

static inline uint32_t reg_r(uint32_t off) { return mmio_r32(bar0 + off); }
static inline void reg_w(uint32_t off, uint32_t v) { mmio_w32(bar0 + off, v); }
static inline uint32_t *dev_ptr(uint32_t dev_addr) { return (uint32_t *)(uintptr_t)(DATA_BASE + dev_addr); }
static inline uint32_t *data_page(uint32_t i) { return dev_ptr(data_dev + i * VGPU_PAGE_SIZE); }

static uint32_t rand32(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static uint32_t page_csum(const volatile uint32_t *p)
{
	uint32_t s = 0, i;

	for (i = 0; i < PAGE_DW; i++)
		s += p[i] * (2 * i + 1);
	return s;
}

static void check_page(uint32_t i, const char *why)
{
	uint32_t c = page_csum(data_page(i));

	if (c != csum_exp[i])
		FAIL("checksum %s page %u gpa 0x%x got 0x%08x want 0x%08x seq %u\n",
		     why, i, DATA_BASE + data_dev + i * VGPU_PAGE_SIZE, c,
		     csum_exp[i], seq);
}

/* command emission into the ring (or a batch buffer) */
static uint32_t *emit_buf;
static uint32_t emit_pos, emit_mask, emit_count;

static void emit(uint32_t dw)
{
	emit_buf[(emit_pos / 4) & emit_mask] = dw;
	emit_pos += 4;
}

static void emit_ring_begin(void)
{
	emit_buf = dev_ptr(0);
	emit_pos = ring_tail;
	emit_mask = ring_size / 4 - 1;
}

static void cmd(uint32_t op, uint32_t flags, uint32_t len)
{
	emit(VGPU_CMD_HDR(op, flags, len));
	emit_count++;
}

static uint64_t deadline(void)
{
	return rdtsc() + TIMEOUT_TSC;
}

/* submit what was emitted into the ring, wait for fence `s` and IDLE */
static void submit_and_wait(uint32_t s)
{
	volatile uint32_t *fence = dev_ptr(fence_dev);
	uint64_t end;
	uint32_t st;

	reg_w(VGPU_REG_IRQ_STATUS, VGPU_IRQ_IDLE);
	ring_tail = emit_pos & (ring_size - 1);
	__asm__ volatile("" ::: "memory");
	reg_w(VGPU_REG_RING_TAIL, ring_tail);
	reg_w(VGPU_REG_DOORBELL, 1);
	exp_subs++;
	exp_cmds += emit_count;
	emit_count = 0;
	end = deadline();
	while (*fence != s) {
		if (opt.msi)
			idle();
		if (rdtsc() > end) {
			st = reg_r(VGPU_REG_STATUS);
			FAIL("timeout waiting for fence %u (memory %u last_seqno %u status 0x%x error %u)\n",
			     s, *fence, reg_r(VGPU_REG_LAST_SEQNO), st,
			     reg_r(VGPU_REG_ERROR));
		}
		cpu_relax();
	}
	end = deadline();
	while (!((st = reg_r(VGPU_REG_IRQ_STATUS)) & VGPU_IRQ_IDLE)) {
		if (rdtsc() > end)
			FAIL("timeout waiting for idle after fence %u (irq_status 0x%x)\n",
			     s, st);
		cpu_relax();
	}
	if (reg_r(VGPU_REG_ERROR))
		FAIL("device error %u head 0x%x cmd 0x%08x depth %u seq %u\n",
		     reg_r(VGPU_REG_ERROR), reg_r(VGPU_REG_ERROR_HEAD),
		     reg_r(VGPU_REG_ERROR_CMD), reg_r(VGPU_REG_ERROR_DEPTH), s);
	if (reg_r(VGPU_REG_LAST_SEQNO) != s)
		FAIL("last_seqno %u want %u\n", reg_r(VGPU_REG_LAST_SEQNO), s);
	if (reg_r(VGPU_REG_RING_HEAD) != ring_tail)
		FAIL("ring head 0x%x want 0x%x seq %u\n",
		     reg_r(VGPU_REG_RING_HEAD), ring_tail, s);
	if (reg_r(VGPU_REG_CMDS_EXECUTED) != exp_cmds)
		FAIL("cmds_executed %u want %u seq %u\n",
		     reg_r(VGPU_REG_CMDS_EXECUTED), exp_cmds, s);
	if (reg_r(VGPU_REG_SUBMISSIONS) != exp_subs)
		FAIL("submissions %u want %u seq %u\n",
		     reg_r(VGPU_REG_SUBMISSIONS), exp_subs, s);
}

static void emit_fence(uint32_t s)
{
	cmd(VGPU_OP_FENCE, opt.msi ? VGPU_FENCE_FLAG_IRQ : 0, 2);
	emit(fence_dev);
	emit(s);
}

static uint32_t fill_pattern(uint32_t page)
{
	return 0x9e3779b9u * (page + 1) ^ 0x5a5a0000u;
}

static void device_init(uint32_t bdf)
{
	uint32_t i, msi, ring_pages, mem_needed, batch;

	bar0 = pci_r32(bdf, 0x10) & ~0xfu;
	if (!bar0 || bar0 == ~0xfu) {
		bar0 = 0xe0000000u;	/* firmware did not assign it */
		pci_w32(bdf, 0x10, bar0);
	}
	pci_w16(bdf, 0x04, 0x0006 | (opt.msi ? 0x0400 : 0));	/* MEM | MASTER */
	if (reg_r(VGPU_REG_ID) != VGPU_ID_MAGIC)
		FAIL("BAR0 0x%x: ID 0x%08x\n", bar0, reg_r(VGPU_REG_ID));
	gtt_entries = reg_r(VGPU_REG_GTT_ENTRIES);
	ring_size = reg_r(VGPU_REG_RING_MAX);
	if (ring_size > 16384)
		ring_size = 16384;
	if (gtt_entries > VGPU_GTT_MAX_ENTRIES || ring_size < VGPU_RING_MIN_SIZE)
		FAIL("device: gtt %u ring_max %u\n", gtt_entries, ring_size);
	ring_pages = ring_size / VGPU_PAGE_SIZE;
	fence_dev = ring_pages * VGPU_PAGE_SIZE;
	batch_dev = fence_dev + VGPU_PAGE_SIZE;
	batch = BATCH_PAGES;
	data_dev = batch_dev + batch * VGPU_PAGE_SIZE;
	if (gtt_entries < ring_pages + 1 + batch + 8)
		FAIL("GTT too small: %u entries\n", gtt_entries);
	data_pages = gtt_entries - ring_pages - 1 - batch;
	if (opt.pages * 4 > data_pages)
		opt.pages = data_pages / 4;
	mem_needed = DATA_BASE + gtt_entries * VGPU_PAGE_SIZE;

	gprintf("vgpu-guest: start bdf %x bar0 0x%x caps 0x%x gtt %u ring %u data_pages %u pages %u irq %s need_mem 0x%x\n",
		bdf, bar0, reg_r(VGPU_REG_CAPS), gtt_entries, ring_size,
		data_pages, opt.pages, opt.msi ? "msi" : "poll", mem_needed);

	/* GTT: entry i -> DATA_BASE + 4096 i (high halves are 0 after reset) */
	for (i = 0; i < gtt_entries; i++)
		mmio_w32(bar0 + VGPU_GTT_WINDOW + 8 * i,
			 (DATA_BASE + i * VGPU_PAGE_SIZE) | (uint32_t)VGPU_GTT_VALID);
	if (reg_r(VGPU_REG_ERROR))
		FAIL("GTT setup: error %u at 0x%x\n", reg_r(VGPU_REG_ERROR),
		     reg_r(VGPU_REG_ERROR_HEAD));
	for (i = 0; i < gtt_entries; i += 257)
		if (mmio_r32(bar0 + VGPU_GTT_WINDOW + 8 * i) !=
		    ((DATA_BASE + i * VGPU_PAGE_SIZE) | (uint32_t)VGPU_GTT_VALID))
			FAIL("GTT entry %u reads 0x%x\n", i,
			     mmio_r32(bar0 + VGPU_GTT_WINDOW + 8 * i));

	reg_w(VGPU_REG_RING_CTL, 0);
	reg_w(VGPU_REG_RING_BASE, 0);
	reg_w(VGPU_REG_RING_SIZE, ring_size);
	reg_w(VGPU_REG_RING_HEAD, 0);
	reg_w(VGPU_REG_RING_TAIL, 0);
	reg_w(VGPU_REG_RING_CTL, VGPU_RING_CTL_ENABLE);
	ring_tail = 0;
	exp_cmds = reg_r(VGPU_REG_CMDS_EXECUTED);
	exp_subs = reg_r(VGPU_REG_SUBMISSIONS);

	if (opt.msi) {
		msi = pci_find_cap(bdf, 0x05);
		if (!msi)
			FAIL("no MSI capability\n");
		pci_w32(bdf, msi + 4, LAPIC_BASE);	/* dest APIC 0 */
		pci_w32(bdf, msi + 8, 0);
		pci_w16(bdf, msi + 12, MSI_VECTOR);	/* fixed, edge */
		pci_w16(bdf, msi + 2, (uint16_t)(pci_r32(bdf, msi) >> 16) | 1);
		reg_w(VGPU_REG_IRQ_STATUS, VGPU_IRQ_ALL);
		reg_w(VGPU_REG_IRQ_ENABLE, VGPU_IRQ_FENCE | VGPU_IRQ_ERROR);
	}
}

/* the device fills every data page with its own pattern */
static void data_init(void)
{
	uint32_t i = 0, n;

	while (i < data_pages) {
		emit_ring_begin();
		for (n = 0; n < 128 && i < data_pages; n++, i++) {
			cmd(VGPU_OP_FILL, 0, 3);
			emit(data_dev + i * VGPU_PAGE_SIZE);
			emit(VGPU_PAGE_SIZE);
			emit(fill_pattern(i));
			csum_exp[i] = fill_pattern(i) << 20;	/* sum of (2i+1) = 2^20 */
		}
		emit_fence(++seq);
		submit_and_wait(seq);
	}
	for (i = 0; i < data_pages; i++)
		check_page(i, "init");
	gprintf("init ok pages %u seq %u\n", data_pages, seq);
}

static int overlaps(uint32_t a, uint32_t an, uint32_t b, uint32_t bn)
{
	return a < b + bn && b < a + an;
}

static uint32_t wd_old[VGPU_MAX_INLINE_DW];

static void frame(uint32_t f)
{
	uint32_t n = opt.pages, a, b, c, d, off, cnt, i, pat, s;
	uint32_t vals[VGPU_MAX_INLINE_DW];
	int batched = f & 1;
	uint32_t *wd_page;

	/* disjoint page ranges: fill a, copy b -> c, write-data into page d */
	do {
		a = rand32() % (data_pages - n + 1);
		b = rand32() % (data_pages - n + 1);
		c = rand32() % (data_pages - n + 1);
		d = rand32() % data_pages;
	} while (overlaps(a, n, b, n) || overlaps(a, n, c, n) ||
		 overlaps(b, n, c, n) || overlaps(d, 1, a, n) ||
		 overlaps(d, 1, b, n) || overlaps(d, 1, c, n));
	cnt = 1 + rand32() % VGPU_MAX_INLINE_DW;
	off = rand32() % (PAGE_DW - cnt + 1);
	pat = rand32();
	for (i = 0; i < cnt; i++)
		vals[i] = rand32();

	/* everything the device will touch must be as we left it */
	for (i = 0; i < n; i++) {
		check_page(a + i, "before-fill");
		check_page(b + i, "copy-source");
		check_page(c + i, "before-copy");
	}
	check_page(d, "before-write");
	wd_page = data_page(d);
	for (i = 0; i < cnt; i++)
		wd_old[i] = wd_page[off + i];

	s = ++seq;
	emit_ring_begin();
	if (batched) {
		cmd(VGPU_OP_BATCH_START, 0, 2);
		emit(batch_dev);
		emit_count--;	/* counted below with the batch */
		/* the batch: built in its own buffer, then sized */
		{
			uint32_t *ring_buf = emit_buf, ring_pos = emit_pos,
				 ring_mask = emit_mask;

			emit_buf = dev_ptr(batch_dev);
			emit_pos = 0;
			emit_mask = BATCH_PAGES * PAGE_DW - 1;
			cmd(VGPU_OP_FILL, 0, 3);
			emit(data_dev + a * VGPU_PAGE_SIZE);
			emit(n * VGPU_PAGE_SIZE);
			emit(pat);
			cmd(VGPU_OP_COPY, 0, 3);
			emit(data_dev + b * VGPU_PAGE_SIZE);
			emit(data_dev + c * VGPU_PAGE_SIZE);
			emit(n * VGPU_PAGE_SIZE);
			cmd(VGPU_OP_WRITE_DATA, 0, 1 + cnt);
			emit(data_dev + d * VGPU_PAGE_SIZE + off * 4);
			for (i = 0; i < cnt; i++)
				emit(vals[i]);
			cmd(VGPU_OP_LOAD_REGISTER, 0, 2);
			emit(VGPU_REG_SCRATCH0);
			emit(s);
			i = emit_pos;	/* batch bytes */
			emit_buf = ring_buf;
			emit_pos = ring_pos;
			emit_mask = ring_mask;
			emit(i);
			emit_count++;	/* BATCH_START itself */
		}
	} else {
		cmd(VGPU_OP_FILL, 0, 3);
		emit(data_dev + a * VGPU_PAGE_SIZE);
		emit(n * VGPU_PAGE_SIZE);
		emit(pat);
		cmd(VGPU_OP_COPY, 0, 3);
		emit(data_dev + b * VGPU_PAGE_SIZE);
		emit(data_dev + c * VGPU_PAGE_SIZE);
		emit(n * VGPU_PAGE_SIZE);
		cmd(VGPU_OP_WRITE_DATA, 0, 1 + cnt);
		emit(data_dev + d * VGPU_PAGE_SIZE + off * 4);
		for (i = 0; i < cnt; i++)
			emit(vals[i]);
		cmd(VGPU_OP_LOAD_REGISTER, 0, 2);
		emit(VGPU_REG_SCRATCH0);
		emit(s);
	}
	emit_fence(s);
	submit_and_wait(s);

	/* verify every byte written and update the checksums */
	for (i = 0; i < n; i++) {
		volatile uint32_t *p = data_page(a + i), *src = data_page(b + i),
				  *dst = data_page(c + i);
		uint32_t j;

		for (j = 0; j < PAGE_DW; j++) {
			if (p[j] != pat)
				FAIL("fill page %u dword %u got 0x%08x want 0x%08x seq %u\n",
				     a + i, j, p[j], pat, s);
			if (dst[j] != src[j])
				FAIL("copy page %u->%u dword %u got 0x%08x want 0x%08x seq %u\n",
				     b + i, c + i, j, dst[j], src[j], s);
		}
		csum_exp[a + i] = pat << 20;
		csum_exp[c + i] = csum_exp[b + i];
		check_page(c + i, "after-copy");
	}
	for (i = 0; i < cnt; i++) {
		if (wd_page[off + i] != vals[i])
			FAIL("write-data page %u dword %u got 0x%08x want 0x%08x seq %u\n",
			     d, off + i, wd_page[off + i], vals[i], s);
		csum_exp[d] += (vals[i] - wd_old[i]) * (2 * (off + i) + 1);
	}
	check_page(d, "after-write");
	if (reg_r(VGPU_REG_SCRATCH0) != s)
		FAIL("scratch0 %u want %u\n", reg_r(VGPU_REG_SCRATCH0), s);
}

struct multiboot_info {
	uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
};

void guest_main(uint32_t magic, const struct multiboot_info *mbi)
{
	uint32_t bdf, f, sweep_pos = 0, sweeps = 0, i, last_msi = 0;
	uint64_t last_msi_tsc;

	serial_init();
	irq_init();
	if (magic != 0x2badb002)
		FAIL("not booted by a multiboot loader (0x%x)\n", magic);
	if (mbi->flags & 4)
		parse_cmdline((const char *)(uintptr_t)mbi->cmdline);
	rng = opt.seed ? opt.seed : 1;
	if (pci_find(&bdf))
		FAIL("no sample vGPU (%x:%x) in PCI config space\n",
		     VGPU_PCI_VENDOR_ID, VGPU_PCI_DEVICE_ID);
	device_init(bdf);
	if ((mbi->flags & 1) &&
	    0x100000u + mbi->mem_upper * 1024u < DATA_BASE + gtt_entries * VGPU_PAGE_SIZE)
		FAIL("guest RAM too small: %u KiB above 1 MiB\n", mbi->mem_upper);
	data_init();
	last_msi_tsc = rdtsc();
	for (f = 1; !opt.frames || f <= opt.frames; f++) {
		uint32_t t0 = ticks;

		frame(f);
		for (i = 0; i < opt.sweep; i++) {
			check_page(sweep_pos, "sweep");
			if (++sweep_pos == data_pages) {
				sweep_pos = 0;
				gprintf("sweep %u ok frame %u\n", ++sweeps, f);
			}
		}
		/*
		 * MSIs are delivered by QEMU's main loop, which can be held
		 * off while the vCPU keeps running: only a long silence fails.
		 */
		if (msi_count != last_msi) {
			last_msi = msi_count;
			last_msi_tsc = rdtsc();
		} else if (opt.msi && rdtsc() - last_msi_tsc > TIMEOUT_TSC) {
			FAIL("no MSI for a long time (irqs %u frame %u)\n",
			     msi_count, f);
		}
		if (f % opt.every == 0)
			gprintf("frame %u ok seq %u irqs %u empty %u stray %u ticks %u\n",
				f, seq, msi_count, msi_empty, stray_count, ticks);
		while (ticks - t0 < opt.pace)
			idle();
	}
	gprintf("done frames %u seq %u irqs %u stray %u\n", opt.frames, seq,
		msi_count, stray_count);
	halt();
}
