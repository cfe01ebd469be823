// SPDX-License-Identifier: GPL-2.0
/*
 * irq.c - the payload's interrupts: an IDT (exceptions fail, boot.S has
 * the entry stubs), the legacy PICs masked, the LAPIC enabled with a
 * periodic 1 ms timer (wakes hlt) and the vGPU's MSI vector
 */
#include "guest.h"

struct idt_entry {
	uint16_t off_lo, sel;
	uint8_t zero, type;
	uint16_t off_hi;
} __attribute__((packed));

static struct idt_entry idt[256];
/* the context the handlers count in (they take no arguments) */
static struct guest *isr_guest;

extern char exc_0[], exc_1[], exc_2[], exc_3[], exc_4[], exc_5[], exc_6[],
	exc_7[], exc_8[], exc_9[], exc_10[], exc_11[], exc_12[], exc_13[],
	exc_14[], exc_15[], exc_16[], exc_17[], exc_18[], exc_19[];
extern char msi_entry[], timer_entry[], stray_entry[], spurious_entry[];

/* called from boot.S */
void guest_exception(uint32_t vec);
void guest_msi(void);
void guest_timer(void);
void guest_stray(void);

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
	struct guest *g = isr_guest;
	uint32_t st = reg_r(g, VGPU_REG_IRQ_STATUS);

	/* acknowledge what we handle; IDLE is the main loop's */
	st &= VGPU_IRQ_FENCE | VGPU_IRQ_ERROR;
	if (st)
		reg_w(g, VGPU_REG_IRQ_STATUS, st);
	else
		g->irqs.msi_empty++;	/* nothing pending: late or repeated */
	g->irqs.msi++;
	lapic_eoi();
}

void guest_timer(void)
{
	isr_guest->irqs.ticks++;
	lapic_eoi();
}

void guest_stray(void)
{
	isr_guest->irqs.stray++;
	lapic_eoi();
}

void irq_init(struct guest *g)
{
	static void *exc[] = {
		exc_0, exc_1, exc_2, exc_3, exc_4, exc_5, exc_6, exc_7, exc_8,
		exc_9, exc_10, exc_11, exc_12, exc_13, exc_14, exc_15, exc_16,
		exc_17, exc_18, exc_19,
	};
	struct { uint16_t limit; uint32_t base; } __attribute__((packed)) d;
	unsigned int i;

	isr_guest = g;
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

void idle(void)
{
	__asm__ volatile("sti; hlt" ::: "memory");
}
