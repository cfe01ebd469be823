/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Freestanding stand-in for <linux/types.h>: the guest payload includes the
 * vGPU's uAPI header (include/uapi/linux/sample_vgpu.h) without a libc or
 * kernel headers for i386.
 */
#ifndef GUEST_LINUX_TYPES_H
#define GUEST_LINUX_TYPES_H
typedef unsigned char __u8;
typedef unsigned short __u16;
typedef unsigned int __u32;
typedef unsigned long long __u64;
typedef signed char __s8;
typedef short __s16;
typedef int __s32;
typedef long long __s64;
#endif
