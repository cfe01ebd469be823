#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# table.sh RESULTS: the QEMU-RESULT lines of vm-migrate.sh as a table
# (reStructuredText simple table), one row per scope and guest size.
awk '
function v(k,   i, a) { for (i = 2; i <= NF; i++) { split($i, a, "="); if (a[1] == k) return a[2] } return "-" }
BEGIN {
	fmt = "%-6s %5s %9s %9s %9s %10s %10s %6s %10s %8s %8s %8s\n"
	sep = "====== ===== ========= ========= ========= ========== ========== ====== ========== ======== ======== ========"
	print sep
	printf fmt, "scope", "guest", "total", "downtime", "RAM sent", "precopy", "stop-copy", "syncs", "dirty rate", "bitmap", "bitmap", "vGPU"
	printf fmt, "", "MiB", "ms", "ms", "KiB", "KiB", "KiB", "", "pages/s", "queries", "pages", "wrote"
	print sep
}
/^QEMU-RESULT/ {
	printf fmt, v("scope"), v("mem"), v("total_ms"), v("downtime_ms"),
		int(v("ram_bytes") / 1024), int(v("precopy_bytes") / 1024),
		int(v("downtime_bytes") / 1024), v("dirty_syncs"), v("dirty_rate"),
		v("bitmap_queries"), v("bitmap_pages"), v("dev_written_pages")
}
END { print sep }' "$1"
