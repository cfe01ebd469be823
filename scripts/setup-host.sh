#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install what the build and the VM tests need, with apt. Idempotent: a
# second run installs nothing. Prints the resolved kernel version on the
# last line of stdout.
set -euo pipefail

SRC=/etc/apt/sources.list.d/debian.sources
log() { echo "setup: $*" >&2; }

need_update=0
# QEMU 10 lives in bookworm-backports: add that suite to the existing
# Debian entry (no host name is written here; the entry already has one).
if [ -f "$SRC" ] && ! grep -q 'bookworm-backports' "$SRC"; then
	log "adding bookworm-backports to $SRC"
	sed -i 's/^Suites: bookworm bookworm-updates$/Suites: bookworm bookworm-updates bookworm-backports/' "$SRC"
	need_update=1
fi
stamp=/var/lib/apt/periodic/sample-vgpu-update
if [ $need_update = 1 ] || [ ! -e "$stamp" ] ||
   [ -n "$(find "$stamp" -mmin +720 2>/dev/null)" ]; then
	log "apt-get update"
	apt-get update -qq >&2
	mkdir -p "$(dirname "$stamp")"; touch "$stamp"
fi

# Newest 6.12.y for which the unsigned image, the headers and
# linux-source-6.12 of the same upstream version all exist.
resolve_kver() {
	local v
	for v in $(apt-cache madison linux-source-6.12 | awk '{print $3}' |
		   sed -n 's/^\(6\.12\.[0-9]*\)-.*/\1/p' | sort -t. -k3,3nr -u); do
		if apt-cache show "linux-image-$v+deb12-amd64-unsigned" >/dev/null 2>&1 &&
		   apt-cache show "linux-headers-$v+deb12-amd64" >/dev/null 2>&1; then
			echo "$v"; return 0
		fi
	done
	return 1
}
UPV=${KUPV:-$(resolve_kver)} || { log "no usable 6.12.y kernel found"; exit 1; }
KVER="$UPV+deb12-amd64"
SRCVER=$(apt-cache madison linux-source-6.12 | awk '{print $3}' | grep "^$UPV-" | head -1)

pkgs=(build-essential bc kmod cpio xz-utils zstd busybox-static perl python3
      gnuplot-nox mdevctl clang libfuzzer-14-dev debootstrap
      "linux-headers-$KVER" "linux-source-6.12=$SRCVER")
missing=()
for p in "${pkgs[@]}"; do
	name=${p%%=*}
	want=${p#*=}; [ "$want" = "$p" ] && want=
	have=$(dpkg-query -W -f='${Status} ${Version}' "$name" 2>/dev/null || true)
	case "$have" in
	"install ok installed "*)
		[ -z "$want" ] || [ "${have##* }" = "$want" ] || missing+=("$p") ;;
	*) missing+=("$p") ;;
	esac
done
if [ ${#missing[@]} -gt 0 ]; then
	log "installing: ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >&2
fi
# QEMU with VFIO migration v2: take it and its dependencies from backports.
if ! dpkg-query -W -f='${Version}' qemu-system-x86 2>/dev/null | grep -q '^1:10'; then
	log "installing qemu-system-x86 from bookworm-backports"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		-t bookworm-backports qemu-system-x86 >&2
fi
echo "$KVER"
