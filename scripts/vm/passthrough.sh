#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# passthrough.sh [run.sh options] -- COMMAND: boot the test VM as a host
# that passes a real device through: q35, QEMU's intel-iommu with caching
# mode (what VFIO needs of an emulated IOMMU) and an igb, guest command
# line intel_iommu=on, plus BUILD/vm/consumers.cpio (the in-tree VFIO
# consumers, both builds) and BUILD/vm/install.cpio (/lib/modules after
# `make install`, and kmod: scripts/vm/install-root.sh, made for each
# boot).  With interrupt remapping the kernel's boot check that the timer
# interrupt arrives through the IO-APIC has no fallback: on a loaded
# machine TCG misses its deadline and the boot panics ("timer doesn't
# work through Interrupt-remapped IO-APIC"), so the check is skipped
# (no_timer_check, as a KVM guest's kvmclock does).
# Single-threaded TCG, see docs/passthrough.rst.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$TOP/build}
export TCG_SINGLE=1 SMP=${SMP:-1}
"$TOP/scripts/vm/install-root.sh" "$BUILD"
inst=
[ ! -e "$BUILD/vm/install.cpio" ] || inst=" $BUILD/vm/install.cpio"
export EXTRA_INITRD="$BUILD/vm/consumers.cpio$inst${EXTRA_INITRD:+ $EXTRA_INITRD}"
export QEMU_EXTRA="-machine q35 -device intel-iommu,caching-mode=on -device igb${QEMU_EXTRA:+ $QEMU_EXTRA}"
export APPEND="intel_iommu=on no_timer_check${APPEND:+ $APPEND}"
exec "$TOP/scripts/vm/run.sh" "$@"
