# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# apt-private.sh: sourced (not run) by setup-trixie.sh and setup-sid.sh.
#
# apt_private DIR SUITE...: apt lists of SUITE... (main) kept in DIR
# (apt's Dir::Etc::sourcelist, Dir::State::Lists and Dir::Cache), from the
# archive named in the host's own /etc/apt/sources.list.d/debian.sources, so
# the host's lists are never touched.  The lists are refreshed when older
# than 12 hours or when the suites changed.  Sets, for the caller:
#   uri    the archive's URI (for debootstrap);
#   src    the sources.list lines (for a root's own apt);
#   A      the apt-get/apt-cache options that select the private lists;
#   stamp  DIR/updated, touched by each refresh.
# The caller defines log().
apt_private() {
	local dir=$1 key=/usr/share/keyrings/debian-archive-keyring.gpg s
	shift
	# The URI of the host's main Debian entry (the stanza listing bookworm).
	uri=$(awk -v RS= '/Suites:[^\n]*bookworm( |\n|$)/ && /URIs:/ {
		for (i = 1; i <= NF; i++) if ($i == "URIs:") { print $(i + 1); exit } }' \
		/etc/apt/sources.list.d/debian.sources)
	[ -n "$uri" ] || { log "no Debian URI in debian.sources"; return 1; }
	mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
	src=$(for s in "$@"; do echo "deb [signed-by=$key] $uri $s main"; done)
	[ "$(cat "$dir/sources.list" 2>/dev/null)" = "$src" ] ||
		echo "$src" > "$dir/sources.list"
	A=(-o "Dir::Etc::sourcelist=$dir/sources.list" -o Dir::Etc::sourceparts=-
	   -o "Dir::State::Lists=$dir/lists" -o "Dir::Cache=$dir/cache"
	   -o APT::Sandbox::User=root)
	stamp=$dir/updated
	if [ ! -e "$stamp" ] || [ -n "$(find "$stamp" -mmin +720)" ] ||
	   [ "$dir/sources.list" -nt "$stamp" ]; then
		log "apt-get update ($*; private lists)"
		apt-get "${A[@]}" update -qq >&2 || return 1
		touch "$stamp"
	fi
}
