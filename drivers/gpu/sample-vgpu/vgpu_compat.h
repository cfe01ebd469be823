/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vgpu_compat.h - the few definitions the command parser needs, for a
 * kernel build and for a user-space build (unit tests, fuzzer).
 */
#ifndef _SAMPLE_VGPU_COMPAT_H
#define _SAMPLE_VGPU_COMPAT_H

#ifdef __KERNEL__
#include <linux/kernel.h>
#include <linux/types.h>
#include <asm/byteorder.h>

#define vgpu_le32(x)	le32_to_cpu((__force __le32)(x))
#else
#include <stdbool.h>
#include <stddef.h>
#include <endian.h>
#include <linux/types.h>

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof(*(a)))
#endif
#define vgpu_le32(x)	le32toh(x)
#endif

#endif /* _SAMPLE_VGPU_COMPAT_H */
