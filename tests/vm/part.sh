# SPDX-License-Identifier: GPL-2.0
# Sourced by the VM's suite scripts.  part NAME CMD...: run one test
# program as a part of make check's log: its TAP between "# === begin
# NAME" and "# === end NAME rc=N" (scripts/tap-count.py counts it against
# tests/manifest).  Keeps going on failure; sets fail=1.
fail=0
part() {
	_name=$1
	shift
	echo "# === begin $_name"
	"$@"
	_rc=$?
	echo "# === end $_name rc=$_rc"
	[ $_rc = 0 ] || fail=1
}
