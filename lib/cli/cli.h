/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cli.h - what the command-line tools share: errors that name the program
 * and exit 2, numeric and size arguments
 */
#ifndef _CLI_H
#define _CLI_H

#include <stdint.h>

/* the program name messages start with (a tool may change it) */
extern const char *prog;

/* "PROG: message" on stderr, exit status 2 (usage or environment) */
void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* a byte count as in workload files (K, M, G suffixes), or die */
uint64_t size_arg(const char *s);
/* a number in [@min, @max] (strtoul base 0), or die */
unsigned int num_arg(const char *s, unsigned int min, unsigned int max);

#endif /* _CLI_H */
