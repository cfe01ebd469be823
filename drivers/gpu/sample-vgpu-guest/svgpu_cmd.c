// SPDX-License-Identifier: GPL-2.0-only
/*
 * svgpu_cmd.c - the device's own command decoder, built into the guest
 * driver: a submission passes the kernel's checks only if it passes the
 * device's (drivers/gpu/sample-vgpu/cmd_parser.c, plain C over fixed-width
 * types, shared as it is rather than copied).
 */
#include "cmd_parser.c"
