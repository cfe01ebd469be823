// SPDX-License-Identifier: GPL-2.0-only
/*
 * cli.c - shared helpers of the command-line tools
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "wl.h"

void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

uint64_t size_arg(const char *s)
{
	uint64_t v;

	if (wl_size(s, true, &v))
		die("bad size '%s'", s);
	return v;
}

unsigned int num_arg(const char *s, unsigned int min, unsigned int max)
{
	char *end;
	unsigned long v = strtoul(s, &end, 0);

	if (*end || v < min || v > max)
		die("bad number '%s' (%u..%u)", s, min, max);
	return v;
}
