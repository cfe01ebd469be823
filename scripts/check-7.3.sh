#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check-7.3`: the parts of the VM suite that need no series, on
# Debian's Linux 7.3 (scripts/build-7.3.sh): the stock 7.3 oracle
# recording, the sample vGPU built for stock 7.3 VFIO (command and
# migration selftests) and the stock-scope QEMU live migration, with
# stock 7.3 vfio, vfio_iommu_type1 and mdev.  Ends with "N passed, N
# failed"; exit status non-zero on any failure or bad guest kernel log line.
set -uo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
B=$BUILD/k7.3
out=$B/check
rm -rf "$out"; mkdir -p "$out"
start=$(date +%s)
echo "# === Linux $(cat "$B/kver"): stock parts" | tee "$out/tap.log"
BUILD=$B KERNEL=$B/kernel/vmlinuz INITRAMFS=$B/vm/initramfs.cpio \
	"$TOP/scripts/vm/run.sh" -H -m 3G -t 840 -l "$out/vm" -- \
	'sh /tests/run-suite.sh stock' 2>&1 | tee -a "$out/tap.log"
vmrc=${PIPESTATUS[0]}
"$TOP/scripts/tap-summary.sh" "$out/tap.log" "$vmrc" "$out/vm" "$start"
