/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * svgpu_compat.h - what differs for this driver between the DRM of Linux
 * 6.12 (Debian 12's guest kernel) and of 7.3
 */
#ifndef _SVGPU_COMPAT_H
#define _SVGPU_COMPAT_H

#include <linux/version.h>

/* struct drm_driver lost its unused date string in v6.14 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 14, 0)
#define SVGPU_DRIVER_DATE	.date = "20261130",
#else
#define SVGPU_DRIVER_DATE
#endif

/*
 * The atomic hooks and helpers take a struct drm_atomic_commit in 7.3
 * where 6.12's take a struct drm_atomic_state (a rename; the members the
 * driver uses are the same).
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(7, 3, 0)
#define svgpu_atomic_commit	drm_atomic_state
#else
#define svgpu_atomic_commit	drm_atomic_commit
#endif

#endif /* _SVGPU_COMPAT_H */
