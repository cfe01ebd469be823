// SPDX-License-Identifier: GPL-2.0
/*
 * console.c - the payload's serial console (COM1, 115200 8N1) and printing
 */
#include "guest.h"

void serial_init(void)
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

static void put_signed(int32_t v, int width)
{
	if (v < 0) {
		putch('-');
		v = -v;
	}
	put_u32((uint32_t)v, 10, width);
}

static void put_str(const char *s)
{
	while (*s)
		putch(*s++);
}

void gprintf(const char *fmt, ...)
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
		case 'd':
			put_signed(va_arg(ap, int32_t), width);
			break;
		case 'x':
			put_u32(va_arg(ap, uint32_t), 16, width);
			break;
		case 's':
			put_str(va_arg(ap, const char *));
			break;
		case 'c':
			putch((char)va_arg(ap, int));
			break;
		default:
			putch(*fmt);
		}
	}
	va_end(ap);
}

void __attribute__((noreturn)) halt(void)
{
	gprintf("halted\n");
	for (;;)
		__asm__ volatile("cli; hlt");
}
