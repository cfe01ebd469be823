/* SPDX-License-Identifier: GPL-2.0-only */
/* user-space stand-in: see tests/kshim/kshim.h */
#ifndef _KSHIM_MDEV_H
#define _KSHIM_MDEV_H
#include "../kshim.h"
struct mdev_type {
	const char *sysfs_name;
	const char *pretty_name;
};
#endif
