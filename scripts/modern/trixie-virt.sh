#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# trixie-virt.sh BUILD: the newest QEMU and libvirt Debian has, in the trixie
# root of scripts/setup-trixie.sh (BUILD/trixie-root; no kernel is
# fetched): QEMU 11 and libvirt 12 from trixie-backports, mdevctl from
# trixie.  The test VM runs them from that root (tests/qemu/vm-modern.sh,
# tests/qemu/vm-libvirt.sh).  Idempotent; prints the root on the last line.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
TRIXIE_PKGS="qemu-system-x86 libvirt-daemon libvirt-daemon-driver-qemu"
TRIXIE_PKGS+=" libvirt-daemon-driver-nodedev libvirt-clients mdevctl"
export TRIXIE_PKGS
"$TOP/scripts/setup-trixie.sh" "$1" none | tail -1
