#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# TAP test of tests/qemu/qemu-trace.sh, which tells from a source QEMU's
# trace which dirty tracker it used and what it reported per round, and
# of tests/qemu/modern-table.py, which tabulates make e2e-modern's
# results (docs/modern.rst).  The traces are in the formats of QEMU 10.0
# and 11.1 (event names and arguments as those versions print them).
TOP=$(cd "$(dirname "$0")/../.." && pwd)
Q=$TOP/tests/qemu
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
n=0
tap() {	# STATUS DESCRIPTION
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}
want() {	# TRACE EXPECTED DESCRIPTION: qemu-trace.sh's line must be EXPECTED
	got=$(sh "$Q/qemu-trace.sh" "$1")
	[ "$got" = "$2" ]
	tap $? "$3${got:+: $got}"
}
echo "TAP version 13"
echo "1..9"

# QEMU 10, DMA logging: the start event, then one query per RAM section
# per sync (-msg timestamp=on prefixes PID@SECONDS:)
cat > "$t/q10-dmalog" <<'EOF'
411@1796079277.52:vfio_device_dirty_tracking_start nr_ranges 2 32:[0x0 - 0x7ffffff], 64:[0xffffffffffffffff - 0x0], pci64:[0xffffffffffffffff - 0x0]
411@1796079277.53:migration_bitmap_sync_start 
411@1796079277.53:vfio_get_dirty_bitmap iova=0x0 size= 0xa0000 bitmap_size=0x8 start=0x0 dirty_pages=0
411@1796079277.53:vfio_get_dirty_bitmap iova=0x100000 size= 0x7f00000 bitmap_size=0x1000 start=0x100000 dirty_pages=12
411@1796079278.10:migration_bitmap_sync_start 
411@1796079278.10:vfio_get_dirty_bitmap iova=0x0 size= 0xa0000 bitmap_size=0x8 start=0x0 dirty_pages=1
411@1796079278.10:vfio_get_dirty_bitmap iova=0x100000 size= 0x7f00000 bitmap_size=0x1000 start=0x100000 dirty_pages=40
411@1796079278.30:migration_bitmap_sync_start 
EOF
want "$t/q10-dmalog" "tracker=dma-logging syncs=3 rounds=12/41/0 reported=53" \
	"QEMU 10 DMA logging: per-round sums over sections, a last empty round"

# QEMU 11 names the query vfio_container_query_dirty_bitmap and, with
# -msg timestamp=on, prefixes an ISO 8601 time instead of PID@SECONDS
sed -e 's/^[0-9]*@[0-9.]*:/2026-11-30T23:09:38.906781Z /' \
    -e 's/vfio_get_dirty_bitmap iova=\([^ ]*\) size= \([^ ]*\) bitmap_size=\([^ ]*\) start=\([^ ]*\)/vfio_container_query_dirty_bitmap iova=\1 size=\2 backend_flag=0x0 bitmap_size=\3 gpa=\4/' \
	"$t/q10-dmalog" > "$t/q11-dmalog"
grep -q '^2026-11-30T23:09:38.906781Z vfio_container_query_dirty_bitmap iova=0x100000 size=0x7f00000 backend_flag=0x0 bitmap_size=0x1000 gpa=0x100000 dirty_pages=40$' "$t/q11-dmalog"
tap $? "QEMU 11 fixture has 11.1's argument list"
want "$t/q11-dmalog" "tracker=dma-logging syncs=3 rounds=12/41/0 reported=53" \
	"QEMU 11 DMA logging: the same figures"

# type1 container tracking: queries without a DMA-logging start; stock
# reports the pinned set (4096) every sync
grep -v vfio_device_dirty_tracking_start "$t/q10-dmalog" |
	sed 's/dirty_pages=12$/dirty_pages=4096/; s/dirty_pages=40$/dirty_pages=4095/' > "$t/q10-type1"
want "$t/q10-type1" "tracker=container syncs=3 rounds=4096/4096/0 reported=8192" \
	"container (type1) tracking: queries, no DMA-logging start"

# iommufd without DMA logging: QEMU never queries a bitmap
grep migration_bitmap_sync_start "$t/q10-dmalog" > "$t/none"
want "$t/none" "tracker=none syncs=3 rounds=0/0/0 reported=0" \
	"no VFIO tracking: syncs without a single bitmap query"

# IOMMU dirty tracking of an iommufd HW page table (not an mdev's: for
# completeness of the classification)
{ echo '9@1.0:iommufd_backend_set_dirty  iommufd=5 hwpt=3 enable=1 (0)'; cat "$t/q10-type1"; } > "$t/hwpt"
want "$t/hwpt" "tracker=iommu-hwpt syncs=3 rounds=4096/4096/0 reported=8192" \
	"iommufd HW page table dirty tracking: set_dirty enable=1"
want "$t/missing" "tracker=unknown syncs=0 rounds= reported=0" \
	"no trace file: unknown, not none"

# the table: rows in path order, ratio reported/written, absent values "-"
cat > "$t/results" <<'EOF'
QEMU-RESULT scope=legacy-stock total_ms=1542 downtime_ms=254 ram_bytes=57713000 downtime_bytes=16826427 dirty_syncs=3 pinned=4096 dev_written_mig=256 path=legacy-stock qemu=10.0.2 backend=legacy tracker=container syncs=3 rounds=4096/4096/0 reported=8192 verified=yes
QEMU-RESULT scope=iommufd-dmalog total_ms=812 downtime_ms=56 ram_bytes=18860000 downtime_bytes=50000 dirty_syncs=3 dev_written_mig=60 path=iommufd-dmalog qemu=10.0.2 backend=iommufd tracker=dma-logging syncs=3 rounds=12/41/0 reported=53 verified=yes
QEMU-RESULT scope=iommufd-nolog total_ms=700 downtime_ms=50 ram_bytes=18000000 downtime_bytes=40000 dirty_syncs=3 dev_written_mig=60 path=iommufd-nolog qemu=10.0.2 backend=iommufd tracker=none syncs=3 rounds=0/0/0 reported=0 verified=no
EOF
"$Q/modern-table.py" "$t/results" > "$t/table"
rows=$(grep -E '^10\.0\.2 ' "$t/table" | awk '{print $2}' | tr '\n' ' ')
[ "$rows" = "iommufd-dmalog legacy-stock iommufd-nolog " ]
tap $? "table rows in path order: $rows"
grep -Eq '^10\.0\.2 +iommufd-dmalog .* 53 +60 +0\.88 +48 +56 +18417 +812 +yes$' "$t/table" &&
	grep -Eq '^10\.0\.2 +legacy-stock .* 8192 +256 +32\.00 ' "$t/table" &&
	grep -Eq '^10\.0\.2 +iommufd-nolog .* 0 +60 +- ' "$t/table"
tap $? "table: reported, written, ratio, stop-copy KiB, downtime, RAM sent"
