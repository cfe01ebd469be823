// SPDX-License-Identifier: GPL-2.0-only
/*
 * types.c - the sample vGPU's mdev types: shares of the parent's GTT pool
 *
 * On its own so that the host tests and the stream fuzzer, which build the
 * device code in user space (tests/kshim), use the driver's own table.
 */
#include "vgpu.h"

struct vgpu_type vgpu_types[VGPU_NR_TYPES] = {
	{
		.type.sysfs_name = "small",
		.type.pretty_name = "sample-vgpu-small",
		.id = 0,
		.gtt_entries = 256,
		.ring_max = 4096,
		.desc = "small: 1 MiB aperture, 4 KiB ring",
	}, {
		.type.sysfs_name = "medium",
		.type.pretty_name = "sample-vgpu-medium",
		.id = 1,
		.gtt_entries = 1024,
		.ring_max = 16384,
		.desc = "medium: 4 MiB aperture, 16 KiB ring",
	}, {
		.type.sysfs_name = "large",
		.type.pretty_name = "sample-vgpu-large",
		.id = 2,
		.gtt_entries = 4096,
		.ring_max = 65536,
		.desc = "large: 16 MiB aperture, 64 KiB ring",
	}, {
		.type.sysfs_name = "256m",
		.type.pretty_name = "sample-vgpu-256m",
		.id = 3,
		.gtt_entries = 65536,
		.ring_max = 65536,
		.desc = "256m: 256 MiB aperture, 64 KiB ring",
	}, {
		.type.sysfs_name = "1g",
		.type.pretty_name = "sample-vgpu-1g",
		.id = 4,
		.gtt_entries = 262144,
		.ring_max = 65536,
		.desc = "1g: 1 GiB aperture, 64 KiB ring",
	}, {
		.type.sysfs_name = "4g",
		.type.pretty_name = "sample-vgpu-4g",
		.id = 5,
		.gtt_entries = VGPU_GTT_MAX_ENTRIES,
		.ring_max = 65536,
		.desc = "4g: 4 GiB aperture, 64 KiB ring",
	},
};
