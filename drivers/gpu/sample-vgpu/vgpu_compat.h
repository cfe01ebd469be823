/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vgpu_compat.h - the few definitions the command parser needs, for a
 * kernel build and for a user-space build (unit tests, fuzzer); and, for
 * the kernel build, what differs between the VFIO of Linux 6.12 and of
 * the current kernel (7.3).
 */
#ifndef _SAMPLE_VGPU_COMPAT_H
#define _SAMPLE_VGPU_COMPAT_H

#ifdef __KERNEL__
#include <linux/kernel.h>
#include <linux/types.h>
#include <asm/byteorder.h>

#define vgpu_le32(x)	le32_to_cpu((__force __le32)(x))

#include <linux/module.h>
#include <linux/uaccess.h>
#include <linux/version.h>
#include <linux/vfio.h>

/*
 * Since v6.19 the VFIO core answers VFIO_DEVICE_GET_REGION_INFO itself and
 * asks the driver through vfio_device_ops.get_region_info_caps; before,
 * the driver's ioctl answered it.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 19, 0)
#define VGPU_HAVE_REGION_INFO_OP
#endif

/* Symbol namespaces are string literals since v6.13. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
#define VGPU_IMPORT_NS(ns)	MODULE_IMPORT_NS(#ns)
#else
#define VGPU_IMPORT_NS(ns)	MODULE_IMPORT_NS(ns)
#endif

/*
 * VFIO_MIG_GET_PRECOPY_INFO input checks.  Kernels with precopy info v2
 * (VFIO_PRECOPY_INFO_REINIT) provide vfio_check_precopy_ioctl(), which
 * also clears the flags a v2 user reads back; this driver never sets
 * VFIO_PRECOPY_INFO_REINIT (its initial data is sent once).
 */
static inline int vgpu_check_precopy_ioctl(struct vfio_device *vdev,
					   unsigned int cmd, unsigned long arg,
					   struct vfio_precopy_info *info)
{
#ifdef VFIO_PRECOPY_INFO_REINIT
	return vfio_check_precopy_ioctl(vdev, cmd, arg, info);
#else
	unsigned long minsz = offsetofend(struct vfio_precopy_info,
					  dirty_bytes);

	if (cmd != VFIO_MIG_GET_PRECOPY_INFO)
		return -ENOTTY;
	if (copy_from_user(info, (void __user *)arg, minsz))
		return -EFAULT;
	return info->argsz < minsz ? -EINVAL : 0;
#endif
}
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
