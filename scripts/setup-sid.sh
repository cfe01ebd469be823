#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# setup-sid.sh BUILD: the root file system of the nested Linux guest of
# `make guest-test`: Debian sid with igt-gpu-tools, made with debootstrap
# in BUILD/sid-root, without touching the host's apt lists or installing
# anything on the host but debootstrap (setup-host.sh does that):
#   1. apt lists of sid kept in BUILD/apt-sid (apt's Dir::Etc::sourcelist
#      and Dir::State::Lists), from the archive named in the host's own
#      /etc/apt/sources.list.d/debian.sources (scripts/apt-private.sh);
#   2. igt-gpu-tools must be 2.5 (IGT_VERSION); its version is recorded;
#   3. debootstrap --variant=minbase sid with igt-gpu-tools, its tests
#      (igt-gpu-tools-tests) and kmod.
# Idempotent: a second run downloads and installs nothing (the lists are
# refreshed after 12 hours, the root only when the package list changes).
# Prints the igt-gpu-tools version on the last line of stdout.
set -euo pipefail
BUILD=$1
IGT_VERSION=${IGT_VERSION:-2.5}
mkdir -p "$BUILD"
BUILD=$(cd "$BUILD" && pwd)
APT=$BUILD/apt-sid
ROOT=$BUILD/sid-root
log() { echo "setup-sid: $*" >&2; }

# shellcheck source=scripts/apt-private.sh
. "$(dirname "$0")/apt-private.sh"
apt_private "$APT" sid

igt=$(apt-cache "${A[@]}" madison igt-gpu-tools | awk '{print $3}' |
      grep "^${IGT_VERSION//./\\.}[-.]" | head -1 || true)
[ -n "$igt" ] || { log "no igt-gpu-tools $IGT_VERSION in sid"; exit 1; }

PKGS=igt-gpu-tools=$igt,igt-gpu-tools-tests=$igt,kmod
if [ "$(cat "$ROOT/.pkgs" 2>/dev/null)" != "$PKGS" ]; then
	command -v debootstrap >/dev/null || { log "debootstrap missing (setup-host.sh)"; exit 1; }
	log "debootstrap sid with igt-gpu-tools $igt into $ROOT (once; minutes)"
	rm -rf "$ROOT" "$ROOT.tmp"
	debootstrap --variant=minbase \
		--include=igt-gpu-tools,igt-gpu-tools-tests,kmod sid \
		"$ROOT.tmp" "$uri" > "$BUILD/sid-debootstrap.log" 2>&1 ||
		{ tail -20 "$BUILD/sid-debootstrap.log" >&2; exit 1; }
	for p in igt-gpu-tools igt-gpu-tools-tests; do
		have=$(chroot "$ROOT.tmp" dpkg-query -W -f '${Version}' $p)
		[ "$have" = "$igt" ] || { log "debootstrap installed $p $have, not $igt"; exit 1; }
	done
	rm -rf "$ROOT.tmp"/var/cache/apt/archives/*.deb
	echo "$PKGS" > "$ROOT.tmp/.pkgs"
	mv "$ROOT.tmp" "$ROOT"
fi
echo "$igt"
