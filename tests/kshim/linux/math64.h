/* SPDX-License-Identifier: GPL-2.0-only */
/* user-space stand-in: see tests/kshim/kshim.h */
#include "../kshim.h"
