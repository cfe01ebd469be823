#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# guest-debug.sh first|second: the in-VM part of `make check-debug`, in two
# boots of the debug kernel (KASAN, lockdep, kmemleak, fault injection).
#
# Stock 6.12 type1 has the lock inversion patch 0001 fixes: lockdep reports
# it the first time a driver unpins from dma_unmap on the stock modules,
# and lockdep switches itself off after its first report.  So every run on
# the patched modules comes before any run on the stock ones in its boot:
#
#   first:  fault injection (patched modules), then phase 1 of
#           tests/run-suite.sh (stock modules: the oracle recordings), whose
#           recording is printed (base64) for the second boot;
#   second: the rest of tests/run-suite.sh (patched modules first; later
#           stock runs come after them), with the recording restored.
#
# Each boot starts with a kmemleak scan + clear and ends with a scan that
# must find nothing.  Module loads are marked in the kernel log
# ("check-debug: vfio-mods stock"), so that the host can tell the known
# stock report from anything else.  TAP lines for the host to count.
KL=/sys/kernel/debug/kmemleak
MODE=${1:-first}
rc=0
n=0
tap() {	# ok|not-ok TEXT
	n=$((n + 1))
	if [ "$1" = ok ]; then echo "ok $n debug: $2"; else echo "not ok $n debug: $2"; rc=1; fi
}
up() { cut -d' ' -f1 /proc/uptime; }

# vfio-mods, marking each switch in the kernel log (level 4: on the console)
mkdir -p /tmp/dbin
cat > /tmp/dbin/vfio-mods <<'EOF'
#!/bin/sh
echo "<4>check-debug: vfio-mods $*" > /dev/kmsg
exec /bin/vfio-mods "$@"
EOF
chmod +x /tmp/dbin/vfio-mods
export PATH=/tmp/dbin:$PATH

# Split tests/run-suite.sh at its stock phase: from the first "vfio-mods
# stock" to the last "vfio-mods unload" before the first "vfio-mods
# patched" (phase 1 and every stock run before the patched ones, e.g.
# dirty_fixes' stock half): header + that phase, header + the rest (from
# the line after that unload).  No stock run may start the second boot.
split_suite() {	# stock|rest
	awk -v part="$1" '
	st == 0 && /^vfio-mods stock[ \t]*$/ { st = 1 }
	st == 0 { print; next }
	st == 1 && /^vfio-mods patched[ \t]*$/ {
		st = 2
		if (part == "stock") print "exit $fail"
		else printf "%s", pend
	}
	st == 1 {
		pend = pend $0 "\n"
		if (/^vfio-mods unload/) {
			if (part == "stock") printf "%s", pend
			pend = ""
		}
		next
	}
	part == "rest" { print }' "${SUITE:-/tests/run-suite.sh}" > /tmp/suite-$1.sh
}
split_suite stock
split_suite rest
split_ok=0
grep -q 'dirty_oracle_test record' /tmp/suite-stock.sh &&
	grep -q 'vfio-mods patched' /tmp/suite-rest.sh && split_ok=1

kmemleak_begin() {	# forget what boot and earlier steps left behind
	if [ -w $KL ]; then
		echo scan > $KL
		echo clear > $KL
	else
		tap not-ok "kmemleak not available ($KL)"
	fi
}

# kmemleak reports an object only once it is older than 5 s and was found
# unreferenced; two scans make a report stable.
kmemleak_end() {	# WHAT
	[ -w $KL ] || return
	sleep 6
	echo scan > $KL
	sleep 1
	echo scan > $KL
	if [ -n "$(cat $KL)" ]; then
		sed 's/^/# kmemleak: /' $KL
		tap not-ok "kmemleak after $1: $(grep -c '^unreferenced object' $KL) suspected leaks"
		echo clear > $KL
	else
		tap ok "kmemleak after $1: no suspected leaks"
	fi
}

echo "# === debug kernel $(uname -r), boot $MODE"
case "$MODE" in
first)
	# The legacy container comes from vfio.ko (VFIO_CONTAINER=y), not from
	# iommufd's compat layer (IOMMUFD_VFIO_CONTAINER): absent until vfio
	# is loaded, while /dev/iommu (IOMMUFD=y) is there from boot.
	if [ ! -e /dev/vfio/vfio ] && [ -e /dev/iommu ]; then
		tap ok "iommufd built in, /dev/vfio/vfio not provided by iommufd"
	else
		tap not-ok "/dev/vfio/vfio before vfio.ko: $(ls -l /dev/vfio/vfio 2>&1); /dev/iommu: $(ls /dev/iommu 2>&1)"
	fi
	vfio-mods patched
	if [ -c /dev/vfio/vfio ]; then
		tap ok "/dev/vfio/vfio (legacy type1 container) after vfio.ko"
	else
		tap not-ok "no /dev/vfio/vfio after loading vfio.ko"
	fi
	vfio-mods unload
	kmemleak_begin
	if [ "${FAULTS:-1}" = 1 ]; then
		echo "# === fault injection"
		t0=$(up)
		vfio-mods patched
		KMEMLEAK=${FAULTS_KMEMLEAK:-1} /debug/dirty_faults || rc=1
		vfio-mods unload
		echo "@@FAULTS-SECONDS $(awk "BEGIN { print $(up) - $t0 }")"
		kmemleak_end "fault injection"
		kmemleak_begin
	fi
	if [ $split_ok = 1 ]; then
		t0=$(up)
		echo "# === suite, stock phase"
		sh /tmp/suite-stock.sh || rc=1
		echo "@@SUITE-SECONDS $(awk "BEGIN { print $(up) - $t0 }")"
		echo "@@ORACLE-BEGIN"
		base64 /tmp/oracle.stock
		echo "@@ORACLE-END"
		kmemleak_end "the suite's stock phase"
	fi
	;;
second)
	kmemleak_begin
	t0=$(up)
	# the nested QEMU of the migration test is several times slower on
	# this kernel: scale its waits (tests/qemu/vm-migrate.sh)
	export TSCALE=${TSCALE:-4}
	# the long run of the vGPU torture tester (make check: 60 s, seed 1),
	# with a fresh seed; it prints the seed to repeat it with
	export TORTURE_TIME=${TORTURE_TIME:-900}
	export TORTURE_SEED=${TORTURE_SEED:-$(head -c4 /dev/urandom | od -An -tu4 | tr -d ' ')}
	# and of the series' model-checked tester (make check: 30 s, seed 1)
	export MODEL_TIME=${MODEL_TIME:-300}
	export MODEL_SEED=${MODEL_SEED:-$(head -c4 /dev/urandom | od -An -tu4 | tr -d ' ')}
	if [ $split_ok = 1 ] && [ -s /debug/oracle.stock ]; then
		cp /debug/oracle.stock /tmp/oracle.stock
		echo "# === suite, after the stock phase"
		sh /tmp/suite-rest.sh || rc=1
	else
		echo "# tests/run-suite.sh not split (no stock phase found): whole suite here"
		sh /tests/run-suite.sh || rc=1
	fi
	echo "@@SUITE-SECONDS $(awk "BEGIN { print $(up) - $t0 }")"
	kmemleak_end "the suite"
	;;
esac
exit $rc
