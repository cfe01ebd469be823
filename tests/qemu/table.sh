#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# table.sh RESULTS: the QEMU-RESULT lines of vm-migrate.sh as a table
# (reStructuredText simple table), one row per scope and guest size, then
# the dirty pages QEMU's bitmap queries returned per sync (bitmap_rounds).
# "vGPU wrote" is the pages the device wrote while the migration ran (its
# dirty_pages counter before and after: the truth the bitmap pages are
# measured against); "forced": the downtime limit was raised.
awk '
function v(k,   i, a) { for (i = 2; i <= NF; i++) { split($i, a, "="); if (a[1] == k) return a[2] } return "-" }
BEGIN {
	fmt = "%-6s %5s %8s %9s %9s %9s %10s %10s %6s %6s %8s %9s %8s\n"
	sep = "====== ===== ======== ========= ========= ========= ========== ========== ====== ====== ======== ========= ========"
	print sep
	printf fmt, "scope", "guest", "pinned", "total", "downtime", "RAM sent", "precopy", "stop-copy", "syncs", "forced", "bitmap", "bitmap", "vGPU"
	printf fmt, "", "MiB", "pages", "ms", "ms", "KiB", "KiB", "KiB", "", "", "queries", "pages", "wrote"
	print sep
}
/^QEMU-RESULT/ {
	# lines from the console of the test VM end in CR LF
	sub(/\r$/, "")
	printf fmt, v("scope"), v("mem"), v("pinned"), v("total_ms"), v("downtime_ms"),
		int(v("ram_bytes") / 1024), int(v("precopy_bytes") / 1024),
		int(v("downtime_bytes") / 1024), v("dirty_syncs"),
		v("forced") == 1 ? "yes" : "no", v("bitmap_queries"),
		v("bitmap_pages"), v("dev_written_mig")
	rounds[++n] = sprintf("%s %s MiB: %s", v("scope"), v("mem"), v("bitmap_rounds"))
}
END {
	print sep
	if (n) print "\ndirty pages per sync (QEMU bitmap queries):"
	for (i = 1; i <= n; i++) print "  " rounds[i]
}' "$1"
