/* SPDX-License-Identifier: GPL-2.0-only */
/* user-space stand-in: see tests/kshim/kshim.h */
#ifndef _KSHIM_IOMMU_H
#define _KSHIM_IOMMU_H
#include "../kshim.h"
#define IOMMU_READ	(1 << 0)
#define IOMMU_WRITE	(1 << 1)
#endif
