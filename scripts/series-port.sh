#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# series-port.sh FROM TO: port the series in the folder FROM (made against
# linux-source-6.12) onto the pristine linux-source-7.3 subset and write
# it to the folder TO, ready for patch -F0.  Needs `make` and
# `make all-7.3` (BUILD/ksrc, BUILD/k7.3/ksrc).
#   series-port.sh --finish: write TO after resolving conflicts by hand.
#
# Works in a git tree, BUILD/k7.3/port, that holds the series applied to
# the 6.12 subset and, on branch "port", the 7.3 subset, so that `git am
# -3` merges each patch three ways: from the 6.12 file the patch was made
# against to the 7.3 one.  Where it stops on a conflict,
# resolve it in the tree, `git -C BUILD/k7.3/port am --continue` (rerere
# remembers the resolution for the next port), then --finish.  TO's cover
# letter (0000-*) is kept; FROM's is copied if TO has none.  TO/dropped
# names FROM's patches that the port leaves out (one file name a line, "#"
# comments): fixes the newer base already has.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
K=$BUILD/k7.3
W=$K/port
log() { echo "series-port: $*" >&2; }

subset() {	# KSRC: replace the tree's files with that pristine subset
	git rm -rqf --ignore-unmatch . > /dev/null
	cp -a "$1/drivers" "$1/include" .
	[ ! -d "$1/Documentation" ] || cp -a "$1/Documentation" .
	git add -A
}

if [ "${1:-}" != --finish ]; then
	[ $# = 2 ] || { sed -n '4,8p' "$0" >&2; exit 2; }
	FROM=$(cd "$1" && pwd)
	mkdir -p "$2"
	TO=$(cd "$2" && pwd)
	for d in "$BUILD/ksrc" "$K/ksrc"; do
		[ -d "$d/drivers" ] || { log "no $d: make and make all-7.3 first"; exit 1; }
	done
	rr=$(mktemp -d)
	[ ! -d "$W/.git/rr-cache" ] || cp -a "$W/.git/rr-cache" "$rr/"
	rm -rf "$W"
	mkdir -p "$W"
	cd "$W"
	git init -q
	git config user.name series-port
	git config user.email series-port@localhost
	git config rerere.enabled true
	git config rerere.autoupdate true
	[ ! -d "$rr/rr-cache" ] || cp -a "$rr/rr-cache" .git/
	rm -rf "$rr"
	patches=$(ls "$FROM"/0*.patch | grep -v '/0000-')
	ported=$patches
	if [ -e "$TO/dropped" ]; then
		for d in $(sed 's/#.*//' "$TO/dropped"); do
			[ -e "$FROM/$d" ] || { log "dropped: no $FROM/$d"; exit 1; }
			ported=$(grep -vxF "$FROM/$d" <<< "$ported")
		done
	fi
	# the series on 6.12 first: every blob a patch was made against
	subset "$BUILD/ksrc"
	git commit -q -m "pristine $(cat "$BUILD/kver") subset"
	git tag base
	git am -q $patches
	git checkout -q --orphan port
	subset "$K/ksrc"
	git commit -q -m "pristine $(cat "$K/kver") subset"
	git tag pristine
	echo "$FROM $TO" > .git/port-args
	if ! git am -q -3 $ported; then
		log "resolve the conflict in $W, git -C $W am --continue, then $0 --finish"
		exit 1
	fi
fi

cd "$W"
read -r FROM TO < .git/port-args
[ ! -d .git/rebase-apply ] || { log "git am is still in progress in $W"; exit 1; }
first=$(ls "$FROM"/0*.patch | grep -v '/0000-' | head -1)
prefix=$(sed -n 's/^Subject: \[\(.*\) [0-9]*\/[0-9]*\].*/\1/p' "$first")
cover=$(ls "$TO"/0000-*.patch 2>/dev/null | head -1 || true)
[ -n "$cover" ] || cover=$(ls "$FROM"/0000-*.patch)
cp "$cover" .git/port-cover
rm -f "$TO"/0*.patch
git format-patch -q --subject-prefix="${prefix:-PATCH}" -o "$TO" pristine..HEAD
cp .git/port-cover "$TO/$(basename "$cover")"
log "$(git rev-list --count pristine..HEAD) patches in $TO"
