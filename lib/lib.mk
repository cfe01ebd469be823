# SPDX-License-Identifier: GPL-2.0
#
# lib.mk - the user-space library (lib/), for every Makefile that builds on
# it: the tools, the VM selftests, the fault walk, the guest payload.
# Include it with TOP (the repository) and BUILD (the build directory) set.
#
#   LIB_CPPFLAGS      include paths: lib/, the uAPI headers (the kernel's,
#                     installed below, and the project's include/uapi)
#   LIB_HDRS          every header of lib/ (a dependency of its users)
#   LIBS              the static archives, in link order:
#                     cli (tool helpers) -> wl (workloads) -> vgpu (the
#                     sample vGPU) -> dtm (the test mdev) -> igb (QEMU's
#                     igb on vfio-pci) -> vfio
#   LIBWL_PARSE_SRC   the workload parser alone (no VFIO): host builds
#   LIBWL_SELECT_SRC  the freestanding page selection: the guest payload
#   UAPI_HDRS         <linux/vfio.h> (patched) and <linux/iommufd.h> of the
#                     kernel source, as headers_install writes them
#   KSFT_DIR          the kselftest harness of the kernel source (tests)

# (the includer's first target stays its default goal)
lib_goal := $(.DEFAULT_GOAL)
LIB_DIR := $(TOP)/lib
LIB_OUT := $(BUILD)/lib
KSFT_DIR ?= $(BUILD)/ksrc/tools/testing/selftests
VFIO_UAPI_SRC ?= $(BUILD)/kpatched/include/uapi/linux/vfio.h
IOMMUFD_UAPI_SRC ?= $(BUILD)/ksrc/include/uapi/linux/iommufd.h
UAPI_HDRS := $(BUILD)/uapi/linux/vfio.h $(BUILD)/uapi/linux/iommufd.h

LIB_CPPFLAGS := -I$(LIB_DIR) -I$(LIB_DIR)/vfio -I$(LIB_DIR)/dtm \
	-I$(LIB_DIR)/vgpu -I$(LIB_DIR)/wl -I$(LIB_DIR)/cli -I$(LIB_DIR)/igb \
	-I$(BUILD)/uapi -I$(TOP)/include/uapi -I$(TOP)/tests/mdev
LIB_CFLAGS := -O2 -g -Wall -Wextra -Wno-sign-compare
LIB_HDRS := $(wildcard $(LIB_DIR)/*.h $(LIB_DIR)/*/*.h) \
	$(TOP)/include/uapi/linux/sample_vgpu.h \
	$(TOP)/tests/mdev/dirty_test_mdev.h

LIB_SRC_cli := cli/cli.c
LIB_SRC_wl := wl/parse.c wl/select.c wl/run.c
LIB_SRC_vgpu := vgpu/device.c vgpu/gtt.c vgpu/ring.c
LIB_SRC_dtm := dtm/dtm.c
LIB_SRC_igb := igb/igb.c
LIB_SRC_vfio := vfio/mdev.c vfio/pci.c vfio/iommu.c vfio/device.c \
		vfio/migration.c
LIB_NAMES := cli wl vgpu dtm igb vfio
LIBS := $(foreach l,$(LIB_NAMES),$(LIB_OUT)/lib$(l).a)

LIBWL_PARSE_SRC := $(LIB_DIR)/wl/parse.c $(LIB_DIR)/wl/select.c
LIBWL_SELECT_SRC := $(LIB_DIR)/wl/select.c

$(LIB_OUT)/%.o: $(LIB_DIR)/%.c $(LIB_HDRS) $(UAPI_HDRS)
	@mkdir -p $(@D)
	$(CC) $(LIB_CFLAGS) $(LIB_CPPFLAGS) -c -o $@ $<

define lib_archive
$(LIB_OUT)/lib$(1).a: $(patsubst %.c,$(LIB_OUT)/%.o,$(LIB_SRC_$(1)))
	rm -f $$@
	$(AR) rcs $$@ $$^
endef
$(foreach l,$(LIB_NAMES),$(eval $(call lib_archive,$(l))))

# The one place the kernel-only __user annotation is dropped, as
# headers_install does.
define uapi_install
	@mkdir -p $(@D)
	sed -e 's/\b__user\b//g' $< > $@
endef

$(BUILD)/uapi/linux/vfio.h: $(VFIO_UAPI_SRC)
	$(uapi_install)

$(BUILD)/uapi/linux/iommufd.h: $(IOMMUFD_UAPI_SRC)
	$(uapi_install)

.SECONDARY: $(foreach l,$(LIB_NAMES),$(patsubst %.c,$(LIB_OUT)/%.o,$(LIB_SRC_$(l))))

.DEFAULT_GOAL := $(lib_goal)
