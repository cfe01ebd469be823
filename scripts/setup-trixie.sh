#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# setup-trixie.sh BUILD [SERIES|none]: the inputs for building and booting
# Debian's newest Linux SERIES (default 7.3) from trixie-backports, without
# touching the host's apt lists or installing anything on the host but
# debootstrap (setup-host.sh does that):
#   1. apt lists of trixie and trixie-backports kept in BUILD/apt-trixie
#      (apt's Dir::Etc::sourcelist and Dir::State::Lists), from the archive
#      named in the host's own /etc/apt/sources.list.d/debian.sources
#      (scripts/apt-private.sh);
#   2. the newest SERIES.y for which the unsigned image, the modules, the
#      headers and linux-source-SERIES of the same version all exist; its
#      .debs downloaded into BUILD/k<SERIES>/debs;
#   3. a trixie root made with debootstrap in BUILD/trixie-root (gcc-14, the
#      compiler the kernel was built with, and the libc its header
#      package's host programs are linked against) with the headers
#      extracted into it;
#   4. with TRIXIE_PKGS set, those packages installed into the root with its
#      own apt, from trixie-backports where it has them (the newest QEMU,
#      libvirt: scripts/modern/trixie-virt.sh); they stay for later runs.
# SERIES "none" skips the kernel (2 and the headers of 3).
# Idempotent: a second run downloads and installs nothing (the lists are
# refreshed after 12 hours).  Prints the kernel version (e.g.
# 7.3.4+deb13-amd64) on the last line of stdout, or the root with "none".
set -euo pipefail
BUILD=$1
SER=${2:-7.3}
mkdir -p "$BUILD"
BUILD=$(cd "$BUILD" && pwd)
APT=$BUILD/apt-trixie
B=$BUILD/k$SER
ROOT=$BUILD/trixie-root
log() { echo "setup-trixie: $*" >&2; }

# --- 1. private apt lists ---------------------------------------------
# shellcheck source=scripts/apt-private.sh
. "$(dirname "$0")/apt-private.sh"
apt_private "$APT" trixie trixie-backports

# --- 2. resolve the version and download --------------------------------
[ "$SER" = none ] || {
have() { apt-cache "${A[@]}" show "$1" >/dev/null 2>&1; }
resolve() {
	local v k
	for v in $(apt-cache "${A[@]}" madison "linux-source-$SER" | awk '{print $3}' |
		   sed -n "s/^\(${SER//./\\.}\.[0-9]*\)-.*/\1/p" | sort -t. -k3,3nr -u); do
		k=$v+deb13
		have "linux-binary-unsigned-$k-amd64" && have "linux-modules-$k-amd64" &&
		have "linux-base-$k-amd64" && have "linux-headers-$k-amd64" &&
		have "linux-headers-$k-common" && have "linux-kbuild-$k" &&
		{ echo "$v"; return 0; }
	done
	return 1
}
# (resolved again only after the lists were refreshed)
res=$APT/resolved-$SER
if [ -n "${KUPV73:-}" ]; then
	UPV=$KUPV73
elif [ -s "$res" ] && [ "$res" -nt "$stamp" ]; then
	UPV=$(cat "$res")
else
	UPV=$(resolve) || { log "no usable Linux $SER.y in trixie-backports"; exit 1; }
	echo "$UPV" > "$res"
fi
K=$UPV+deb13
KVER=$K-amd64
if [ ! -e "$B/debs/.done-$KVER" ]; then
	SRCVER=$(apt-cache "${A[@]}" madison "linux-source-$SER" | awk '{print $3}' |
		 grep "^$UPV-" | head -1)
	rm -rf "$B/debs"; mkdir -p "$B/debs"
	log "downloading Linux $KVER (image, modules, headers, linux-source-$SER=$SRCVER)"
	(cd "$B/debs" && apt-get "${A[@]}" download -q \
		"linux-binary-unsigned-$KVER" "linux-modules-$KVER" "linux-base-$KVER" \
		"linux-headers-$KVER" "linux-headers-$K-common" "linux-kbuild-$K" \
		"linux-source-$SER=$SRCVER" >&2)
	dpkg-deb --fsys-tarfile "$B"/debs/linux-source-"$SER"_*.deb |
		tar -x -O "./usr/src/linux-source-$SER.tar.xz" > "$B/debs/linux-source-$SER.tar.xz"
	rm -f "$B"/debs/linux-source-"$SER"_*.deb
	touch "$B/debs/.done-$KVER"
fi
}

# --- 3. the trixie root -------------------------------------------------
ROOTPKGS=make,gcc-14,libc6-dev,libelf1t64,libssl3t64,zlib1g,pahole
if [ "$(cat "$ROOT/.pkgs" 2>/dev/null)" != "$ROOTPKGS" ]; then
	command -v debootstrap >/dev/null || { log "debootstrap missing (setup-host.sh)"; exit 1; }
	log "debootstrap trixie into $ROOT (once; a few minutes)"
	rm -rf "$ROOT" "$ROOT.tmp"
	debootstrap --variant=minbase --include="$ROOTPKGS" trixie "$ROOT.tmp" "$uri" \
		> "$BUILD/trixie-debootstrap.log" 2>&1 ||
		{ tail -20 "$BUILD/trixie-debootstrap.log" >&2; exit 1; }
	echo "$ROOTPKGS" > "$ROOT.tmp/.pkgs"
	mv "$ROOT.tmp" "$ROOT"
fi
if [ "$SER" != none ] && [ ! -e "$ROOT/.headers-$KVER" ]; then
	for d in "$B"/debs/linux-headers-*.deb "$B"/debs/linux-kbuild-*.deb; do
		dpkg-deb -x "$d" "$ROOT"
	done
	touch "$ROOT/.headers-$KVER"
	log "headers for $KVER in the trixie root"
fi

# --- 4. more packages in the root ----------------------------------------
# apt inside the root (its own lists, the same two suites; -t prefers
# backports), no service started by a maintainer script.
if [ -n "${TRIXIE_PKGS:-}" ] && [ "$(cat "$ROOT/.extra" 2>/dev/null)" != "$TRIXIE_PKGS" ]; then
	log "installing into the trixie root: $TRIXIE_PKGS"
	echo "$src" > "$ROOT/etc/apt/sources.list"
	printf '#!/bin/sh\nexit 101\n' > "$ROOT/usr/sbin/policy-rc.d"
	chmod 755 "$ROOT/usr/sbin/policy-rc.d"
	cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
	# shellcheck disable=SC2086
	TRIXIE_ROOT=$ROOT BUILD=$BUILD "$(dirname "$0")/trixie-run.sh" env \
		DEBIAN_FRONTEND=noninteractive PATH=/usr/sbin:/usr/bin:/sbin:/bin sh -c '
		apt-get update -qq &&
		apt-get install -y -qq --no-install-recommends -t trixie-backports "$@"' \
		apt $TRIXIE_PKGS > "$BUILD/trixie-pkgs.log" 2>&1 ||
		{ tail -20 "$BUILD/trixie-pkgs.log" >&2; exit 1; }
	echo "$TRIXIE_PKGS" > "$ROOT/.extra"
fi
if [ "$SER" = none ]; then echo "$ROOT"; else echo "$KVER"; fi
