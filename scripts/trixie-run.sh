#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# trixie-run.sh CMD...: run CMD inside the trixie root that
# setup-trixie.sh made (BUILD/trixie-root), with this tree and BUILD
# bind-mounted at their own paths and the current directory kept, so that
# paths mean the same inside and out.  The mounts live in a private mount
# namespace (unshare -m) and vanish with it.  Used to build modules for
# Debian's trixie-built kernels with trixie's gcc and kbuild programs.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
ROOT=${TRIXIE_ROOT:-$TOP/build/trixie-root}
[ -e "$ROOT/.pkgs" ] || { echo "trixie-run: no root at $ROOT (setup-trixie.sh)" >&2; exit 1; }
exec unshare -m --propagation private /bin/bash -c '
	set -e
	R=$1 T=$2 B=$3; shift 3
	for d in "$T" "$B"; do
		mkdir -p "$R$d"
		mount --bind "$d" "$R$d"
	done
	mount -t proc proc "$R/proc"
	exec chroot "$R" /bin/sh -c "cd \"\$0\" 2>/dev/null || cd /; exec \"\$@\"" "$PWD" "$@"
' trixie-run "$ROOT" "$TOP" "$BUILD" "$@"
