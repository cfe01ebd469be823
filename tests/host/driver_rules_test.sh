#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# TAP test of two build-time rules of the project's kernel code that no
# run in the VM can see (issue 15, items 8 and 4):
#  - an array declared __counted_by(CNT) is never indexed with CNT++: the
#    element must be inside the count before it is written (Debian's
#    compilers do not check __counted_by at run time, newer ones do);
#  - the sample vGPU refuses to build for host pages other than 4 KiB (its
#    kmap offsets and pin runs assume a GTT page is a host page): Kconfig
#    and a static_assert, checked by building gtt.c with 64 KiB pages on
#    the user-space shim (tests/kshim).
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$TOP/build}
DRV=$TOP/drivers/gpu/sample-vgpu
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
n=0
tap() {	# STATUS(0=ok) TEXT
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}

# counted_by FILE...: print each "x[CNT++]" write into a counted array
counted_by() {
	python3 - "$@" <<'PY'
import re, sys
src = {f: open(f, errors="replace").read() for f in sys.argv[1:]}
pairs = set()
for text in src.values():
    for m in re.finditer(r"(\w+)\s*\[\s*\]\s*__counted_by\(\s*(\w+)\s*\)", text):
        pairs.add(m.groups())
bad = 0
for f, text in src.items():
    for arr, cnt in pairs:
        pat = r"\b%s\s*\[[^\]]*\b%s\s*\+\+" % (re.escape(arr), re.escape(cnt))
        for m in re.finditer(pat, text):
            line = text.count("\n", 0, m.start()) + 1
            print("%s:%d: %s" % (f, line, m.group(0)))
            bad += 1
sys.exit(1 if bad else 0)
PY
}

echo "TAP version 13"
echo "1..5"
cat > "$t/bad.c" <<'C'
struct log { unsigned int nr; struct r { long a; } r[] __counted_by(nr); };
static void f(struct log *log) { struct r *x = &log->r[log->nr++]; }
C
counted_by "$t/bad.c" > /dev/null
tap $(( $? == 0 )) "the __counted_by check catches r[nr++]"
out=$(counted_by "$DRV"/*.[ch] "$TOP"/tests/mdev/*.[ch])
tap $? "no write past the count of a __counted_by array${out:+: $out}"

grep -q 'depends on PAGE_SIZE_4KB' "$DRV/Kconfig"
tap $? "Kconfig: SAMPLE_VGPU depends on PAGE_SIZE_4KB"

mkdir -p "$t/uapi/linux"
sed -e 's/\b__user\b//g' "$BUILD/ksrc/include/uapi/linux/vfio.h" > "$t/uapi/linux/vfio.h"
cc_gtt() {	# PAGE_SHIFT
	gcc -fsyntax-only -std=gnu11 -D__KERNEL__ -DKSHIM_PAGE_SHIFT="$1" -I"$TOP/tests/kshim" \
		-I"$t/uapi" -I"$DRV" -I"$TOP/include/uapi" "$DRV/gtt.c" 2>&1
}
out=$(cc_gtt 12)
tap $? "gtt.c builds with 4 KiB pages${out:+: $(head -3 <<< "$out")}"
out=$(cc_gtt 16)
[ $? != 0 ] && grep -q 'needs 4 KiB host pages' <<< "$out"
tap $? "gtt.c refuses 64 KiB pages (static_assert)"
