# SPDX-License-Identifier: GPL-2.0
#
# Fine-grained device-reported dirty tracking for VFIO mdev devices.
#
#   make            install what is needed (apt), extract the Debian 6.12
#                   kernel and source, apply the series, build everything
#   make check      the whole test suite in VMs on Linux 6.12 and 7.3; ends
#                   "N passed, N failed"
#   make run        the main job: boot, create mdevs, stock vs patched table
#   make checkpatch checkpatch --strict over the series and our kernel code
#   make series-build  every prefix of the series applies (no fuzz) and builds;
#                   the fixes part alone passes its selftests in a VM boot
#   make bench      migrations at 16M..4G pinned, dirty-tracking costs (docs/bench)
#   make check-7.3  the suite on Linux 7.3 alone
#   make run-7.3    the main job on Linux 7.3 with the v7.3 series
#   make repro-fixes   which bugs the series fixes stock 6.12 and 7.3 still have
#   make check-iommufd the suite on 6.12 built with iommufd (build-iommufd/)
#   make e2e-modern    iommufd + DMA logging, QEMU 10 and 11, libvirt 12
#   make fuzz       the vGPU fuzzers, FUZZ_TIME s (300) each with a fresh
#                   seed: the command parser (new coverage merged into
#                   tests/fuzz/corpus), then the migration stream parser and
#                   state load (tests/fuzz/stream-corpus)
#   make soak       long randomized runs in the VM: the vGPU torture tester
#                   for SOAK_TIME s (1800), then the series' model tester
#                   for SOAK_MODEL_TIME s (600), a fresh seed (SOAK_SEED)
#   make install    the series' modules and the consumers of vfio rebuilt
#                   for them into /lib/modules/KVER/updates (DESTDIR=);
#                   make install-7.3 the same for Debian's Linux 7.3
#   make guest-test a Linux guest on the vGPU (its DRM driver, svgpu-wsim,
#                   igt-gpu-tools from sid), nested in the test VM
#   make guest-mig  that guest live-migrated while it runs
#   make clean      remove build/
BUILD ?= $(CURDIR)/build
export BUILD

all:
	./scripts/build.sh

# the host tests and the kernels whose rows tests/manifest has for it
check: all-7.3
	./scripts/check.sh host 6.12 7.3

run: all
	./scripts/main-job.sh

bench: all
	./scripts/bench.sh

checkpatch: all
	./scripts/checkpatch.sh

# Needs only clang and the parser sources, not the kernel build.
fuzz:
	$(MAKE) -s -f tests/vgpu/Makefile.host TOP=$(CURDIR) O=$(BUILD)/host fuzz
	$(MAKE) -s -f tests/vgpu/Makefile.host TOP=$(CURDIR) O=$(BUILD)/host stream-fuzz

soak: all
	./scripts/soak.sh

series-build: all
	./scripts/series-build.sh

install: all
	./scripts/install-modules.sh $(if $(DESTDIR),-d $(DESTDIR))

clean:
	rm -rf $(BUILD)

.PHONY: soak all check run bench checkpatch series-build fuzz install clean

# The whole suite on a debug kernel (KASAN, lockdep, kmemleak, fault
# injection) built from linux-source-6.12 in build-debug/; not part of check.
check-debug: all
	./scripts/debug/check-debug.sh

.PHONY: check-debug

# QEMU 10 live migration of a sample vGPU, stock vs fine-grained, with the
# error paths and larger guests (docs/qemu.rst), then with 1 GiB pinned in
# the guest (resident, 4g vGPUs, 1.2 GiB guests, 4.3 GiB test VM), then on
# a host that passes a device through (docs/passthrough.rst); make check
# runs the short both-scopes migration only.
qemu-test: all
	./tests/qemu/e2e.sh -e -m 128,256,1024 -t 1500
	nice -n 10 ./tests/qemu/e2e.sh -p 1G
	./tests/qemu/e2e.sh -P -t 1500

.PHONY: qemu-test

# A Linux guest with the sample vGPU assigned, nested in the test VM (TCG
# in TCG; minutes per boot): the guest DRM driver
# (drivers/gpu/sample-vgpu-guest), its own test and the workloads played
# through it (svgpu-wsim), then igt-gpu-tools 2.5 from a Debian sid root
# cached in build/sid-root (scripts/setup-sid.sh; docs/guest-driver.rst).
# GUEST_SCRIPT: what the guest runs (tests/guest/guest-SCRIPT.sh; default
# all: check, then igt).
sid-root:
	./scripts/setup-sid.sh $(BUILD)

guest-test: all sid-root
	./tests/guest/guest-test.sh -s $(or $(GUEST_SCRIPT),all)

# The Linux guest live-migrated to a second vGPU while svgpu-wsim and
# kms_writeback run in it, igt before and after; GUEST_MODS patched
# (default: fine-grained) or stock.
guest-mig: all sid-root
	./tests/guest/guest-test.sh -s mig -m $(or $(GUEST_MODS),patched)

.PHONY: sid-root guest-test guest-mig

# Debian's Linux 7.3 (trixie-backports) beside 6.12: its image, stock
# modules and pristine source, the project's modules built with trixie's
# gcc-14 in a debootstrap root, all in build/k7.3 (scripts/build-7.3.sh).
# The series for 7.3 is drivers/vfio/patches/v7.3 (scripts/series-port.sh).
# check-7.3 runs the VM suite there alone (make check runs it too);
# counted against the 7.3 rows of tests/manifest.
all-7.3: all
	./scripts/build-7.3.sh

check-7.3: all-7.3
	./scripts/check.sh 7.3

install-7.3: all-7.3
	./scripts/install-modules.sh -k 7.3 $(if $(DESTDIR),-d $(DESTDIR))

# the main job on 7.3 with the v7.3 series (table in build/k7.3/main-job)
run-7.3: all-7.3
	./scripts/main-job.sh -k 7.3

# Are the series' fixes still needed?  Each kernel's stock VFIO against
# stock_fixes_test, the unmap deadlock test and a reading of
# its source; one line per bug and kernel (docs/design.rst, "Linux 7.3").
repro-fixes: all-7.3
	./scripts/repro-fixes.sh 6.12
	./scripts/repro-fixes.sh 7.3

.PHONY: all-7.3 check-7.3 install-7.3 run-7.3 repro-fixes

# The vGPU under modern VFIO user space (docs/modern.rst): Linux 6.12
# from linux-source with IOMMUFD, IOMMUFD_DRIVER, the device cdev and the
# legacy container (build-iommufd/), the series applied to the same source;
# QEMU 11 and libvirt 12 in the trixie root.  check-iommufd: the whole
# suite on that kernel (DMA-logging reports run, not skip); e2e-modern:
# every dirty-tracking path with QEMU 10 and 11, then libvirt's
# `virsh migrate --live` (results in build/modern; E2E_OUT=docs/bench to
# refresh the committed ones).
all-iommufd: all
	./scripts/modern/build.sh

check-iommufd: all-iommufd
	./scripts/check.sh iommufd

e2e-modern: all-iommufd
	./tests/qemu/modern.sh -o $(or $(E2E_OUT),$(BUILD)/modern)

.PHONY: all-iommufd check-iommufd e2e-modern
