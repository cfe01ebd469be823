// SPDX-License-Identifier: GPL-2.0-only
/*
 * svgpu_check.c - the guest DRM driver of the sample vGPU, from its
 * user space: runs inside the nested Linux guest (tests/guest/), static,
 * on the render node and the primary node of the driver.
 *
 * Buffers, submissions checked byte for byte through mmap, every kind of
 * bad argument and command with its errno (and nothing written), the
 * per-doorbell budget under a stream of large submissions, out fences, a
 * ring hung both ways (a device error, a submission that never completes)
 * and recovered by a reset, and a mode set, page flip and vblank wait on
 * the KMS side.  kms_* tests of igt-gpu-tools cover the rest of KMS.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <drm/drm.h>
#include <drm/drm_mode.h>
#include <drm/sample_vgpu_drm.h>
#include <linux/sample_vgpu.h>

#include "kselftest_harness.h"

#define RENDER		"/dev/dri/renderD128"
#define CARD		"/dev/dri/card0"
#define DEBUGFS		"/sys/kernel/debug/dri/0"
#define HANG_PARAM	"/sys/module/sample_vgpu_guest/parameters/hang_timeout_ms"
#define CONNECTED	1	/* drm_mode_get_connector.connection */

static int xioctl(int fd, unsigned long req, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, req, arg);
	} while (ret && (errno == EINTR || errno == EAGAIN));
	return ret ? -errno : 0;
}

static uint64_t param(int fd, uint32_t p)
{
	struct drm_svgpu_getparam gp = { .param = p };

	return xioctl(fd, DRM_IOCTL_SVGPU_GETPARAM, &gp) ? ~0ull : gp.value;
}

struct bo {
	uint32_t handle;
	uint32_t gtt;
	uint64_t size;
	uint8_t *map;
};

static int bo_new(int fd, uint64_t size, struct bo *bo)
{
	struct drm_svgpu_gem_create c = { .size = size };
	struct drm_svgpu_gem_info info = { 0 };
	struct drm_svgpu_gem_mmap_offset mo = { 0 };
	int ret;

	memset(bo, 0, sizeof(*bo));
	ret = xioctl(fd, DRM_IOCTL_SVGPU_GEM_CREATE, &c);
	if (ret)
		return ret;
	bo->handle = info.handle = mo.handle = c.handle;
	ret = xioctl(fd, DRM_IOCTL_SVGPU_GEM_INFO, &info) ?:
	      xioctl(fd, DRM_IOCTL_SVGPU_GEM_MMAP_OFFSET, &mo);
	if (ret)
		return ret;
	bo->gtt = info.gtt_addr;
	bo->size = info.size;
	bo->map = mmap(NULL, bo->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		       mo.offset);
	return bo->map == MAP_FAILED ? -errno : 0;
}

static void bo_free(int fd, struct bo *bo)
{
	struct drm_gem_close cl = { .handle = bo->handle };

	if (bo->map && bo->map != MAP_FAILED)
		munmap(bo->map, bo->size);
	if (bo->handle)
		ioctl(fd, DRM_IOCTL_GEM_CLOSE, &cl);
	memset(bo, 0, sizeof(*bo));
}

static int submit(int fd, const uint32_t *cmds, uint32_t ndw,
		  const struct drm_svgpu_bo *bos, uint32_t nbos,
		  uint32_t flags, struct drm_svgpu_submit *out)
{
	struct drm_svgpu_submit s = {
		.cmds = (uintptr_t)cmds, .cmd_bytes = ndw * 4,
		.bos = (uintptr_t)bos, .bo_count = nbos, .flags = flags,
	};
	int ret = xioctl(fd, DRM_IOCTL_SVGPU_SUBMIT, &s);

	if (out)
		*out = s;
	return ret;
}

static int bo_wait(int fd, uint32_t handle, int64_t ns)
{
	struct drm_svgpu_gem_wait w = { .handle = handle, .timeout_ns = ns };

	return xioctl(fd, DRM_IOCTL_SVGPU_GEM_WAIT, &w);
}

static uint32_t rd32(const struct bo *bo, uint32_t off)
{
	uint32_t v;

	memcpy(&v, bo->map + off, 4);
	return v;
}

FIXTURE(drv) {
	int fd;
	struct bo a, b;
};

FIXTURE_SETUP(drv)
{
	self->fd = open(RENDER, O_RDWR);
	ASSERT_LE(0, self->fd) TH_LOG("%s: %s", RENDER, strerror(errno));
	ASSERT_EQ(0, bo_new(self->fd, 64 << 10, &self->a));
	ASSERT_EQ(0, bo_new(self->fd, 64 << 10, &self->b));
}

FIXTURE_TEARDOWN(drv)
{
	bo_free(self->fd, &self->a);
	bo_free(self->fd, &self->b);
	close(self->fd);
}

TEST_F(drv, params)
{
	struct drm_svgpu_getparam gp = { .param = 999 };

	EXPECT_LE(0x00010001, param(self->fd, SVGPU_PARAM_DEVICE_VERSION));
	EXPECT_TRUE(param(self->fd, SVGPU_PARAM_DEVICE_CAPS) &
		    VGPU_CAP_DISPLAY);
	EXPECT_LE(16ull << 20, param(self->fd, SVGPU_PARAM_GTT_SIZE));
	EXPECT_EQ(SVGPU_SUBMIT_MAX_BYTES,
		  param(self->fd, SVGPU_PARAM_MAX_CMD_BYTES));
	EXPECT_EQ(-EINVAL, xioctl(self->fd, DRM_IOCTL_SVGPU_GETPARAM, &gp));
	gp.param = SVGPU_PARAM_GTT_SIZE;
	gp.pad = 1;
	EXPECT_EQ(-EINVAL, xioctl(self->fd, DRM_IOCTL_SVGPU_GETPARAM, &gp));
}

TEST_F(drv, buffers)
{
	struct drm_svgpu_gem_create c = { .size = 1 };
	struct drm_svgpu_gem_info info = { .handle = 0xdead };
	struct bo one;

	EXPECT_EQ(-ENOENT, xioctl(self->fd, DRM_IOCTL_SVGPU_GEM_INFO, &info));
	c.size = 0;
	EXPECT_EQ(-EINVAL, xioctl(self->fd, DRM_IOCTL_SVGPU_GEM_CREATE, &c));
	c.size = (1ull << 30) + 1;
	EXPECT_EQ(-EINVAL, xioctl(self->fd, DRM_IOCTL_SVGPU_GEM_CREATE, &c));
	c.size = 4096;
	c.flags = 1;
	EXPECT_EQ(-EINVAL, xioctl(self->fd, DRM_IOCTL_SVGPU_GEM_CREATE, &c));
	ASSERT_EQ(0, bo_new(self->fd, 1, &one));
	EXPECT_EQ(4096, one.size);
	/* disjoint GTT ranges, page aligned */
	EXPECT_EQ(0, self->a.gtt % 4096);
	EXPECT_TRUE(self->a.gtt + self->a.size <= self->b.gtt ||
		    self->b.gtt + self->b.size <= self->a.gtt);
	EXPECT_TRUE(one.gtt + one.size <= self->a.gtt ||
		    self->a.gtt + self->a.size <= one.gtt);
	bo_free(self->fd, &one);
}

TEST_F(drv, fill_copy_write_fence)
{
	struct drm_svgpu_bo bos[] = {
		{ self->a.handle, SVGPU_BO_WRITE },
		{ self->b.handle, SVGPU_BO_WRITE },
	};
	uint32_t a = self->a.gtt, b = self->b.gtt, c[32], n = 0, i;
	struct drm_svgpu_submit s1, s2;
	struct pollfd pfd;

	memset(self->a.map, 0x11, self->a.size);
	memset(self->b.map, 0x22, self->b.size);
	c[n++] = VGPU_CMD_HDR(VGPU_OP_FILL, 0, 3);
	c[n++] = a + 4;
	c[n++] = 8192;
	c[n++] = 0xa5a5a5a5;
	c[n++] = VGPU_CMD_HDR(VGPU_OP_COPY, 0, 3);
	c[n++] = a;
	c[n++] = b + 4096;
	c[n++] = 4096;
	c[n++] = VGPU_CMD_HDR(VGPU_OP_WRITE_DATA, 0, 4);
	c[n++] = b + 100;
	c[n++] = 7;
	c[n++] = 8;
	c[n++] = 9;
	c[n++] = VGPU_CMD_HDR(VGPU_OP_FENCE, 0, 2);
	c[n++] = b + 60000;
	c[n++] = 4242;
	ASSERT_EQ(0, submit(self->fd, c, n, bos, 2, SVGPU_SUBMIT_FENCE_OUT,
			    &s1));
	ASSERT_LE(0, s1.fence_fd);
	pfd.fd = s1.fence_fd;
	pfd.events = POLLIN;
	EXPECT_EQ(1, poll(&pfd, 1, 20000));
	close(s1.fence_fd);
	ASSERT_EQ(0, bo_wait(self->fd, self->b.handle, 20000000000ll));
	EXPECT_EQ(0x11111111, rd32(&self->a, 0));
	for (i = 4; i < 8196; i += 4)
		ASSERT_EQ(0xa5a5a5a5, rd32(&self->a, i));
	EXPECT_EQ(0x11111111, rd32(&self->a, 8196));
	EXPECT_EQ(0x11111111, rd32(&self->b, 4096));	/* a[0] */
	EXPECT_EQ(0xa5a5a5a5, rd32(&self->b, 4100));
	EXPECT_EQ(0x22222222, rd32(&self->b, 8192));
	EXPECT_EQ(7, rd32(&self->b, 100));
	EXPECT_EQ(9, rd32(&self->b, 108));
	EXPECT_EQ(4242, rd32(&self->b, 60000));
	/* seqnos go up; a read-only listed buffer can be read from */
	bos[0].flags = 0;
	n = 0;
	c[n++] = VGPU_CMD_HDR(VGPU_OP_COPY, 0, 3);
	c[n++] = a + 4;
	c[n++] = b;
	c[n++] = 4;
	ASSERT_EQ(0, submit(self->fd, c, n, bos, 2, 0, &s2));
	EXPECT_EQ(-1, s2.fence_fd);
	EXPECT_LT(s1.seqno, s2.seqno);
	ASSERT_EQ(0, bo_wait(self->fd, self->b.handle, 20000000000ll));
	EXPECT_EQ(0xa5a5a5a5, rd32(&self->b, 0));
}

/* what the kernel refuses, with its errno; nothing of it is written */
TEST_F(drv, refused)
{
	uint32_t a = self->a.gtt, b = self->b.gtt, big[4097];
	struct drm_svgpu_bo rw[] = { { self->a.handle, SVGPU_BO_WRITE } };
	struct drm_svgpu_bo ro[] = { { self->a.handle, 0 } };
	struct drm_svgpu_bo dup[] = { { self->a.handle, SVGPU_BO_WRITE },
				      { self->a.handle, 0 } };
	struct drm_svgpu_bo unk[] = { { 0xdead, 0 } };
	struct drm_svgpu_bo badf[] = { { self->a.handle, 0x80 } };
	struct {
		const char *what;
		uint32_t c[6];
		uint32_t ndw;
		const struct drm_svgpu_bo *bos;
		int err;
	} t[] = {
		{ "fill past the buffer", { VGPU_CMD_HDR(VGPU_OP_FILL, 0, 3),
		  a + (64 << 10) - 4, 8, 1 }, 4, rw, -EINVAL },
		{ "fill into a read-only buffer", { VGPU_CMD_HDR(VGPU_OP_FILL,
		  0, 3), a, 4, 1 }, 4, ro, -EINVAL },
		{ "copy from an unlisted buffer", { VGPU_CMD_HDR(VGPU_OP_COPY,
		  0, 3), b, a, 4 }, 4, rw, -EINVAL },
		{ "write into the ring", { VGPU_CMD_HDR(VGPU_OP_WRITE_DATA, 0,
		  2), 0, 1 }, 3, rw, -EINVAL },
		{ "batch buffer", { VGPU_CMD_HDR(VGPU_OP_BATCH_START, 0, 2), a,
		  64 }, 3, rw, -EINVAL },
		{ "register load", { VGPU_CMD_HDR(VGPU_OP_LOAD_REGISTER, 0, 2),
		  VGPU_REG_SCRATCH0, 1 }, 3, rw, -EINVAL },
		{ "fence with interrupt", { VGPU_CMD_HDR(VGPU_OP_FENCE,
		  VGPU_FENCE_FLAG_IRQ, 2), a, 1 }, 3, rw, -EINVAL },
		{ "unknown opcode", { VGPU_CMD_HDR(0x77, 0, 0) }, 1, rw, -EINVAL },
		{ "truncated", { VGPU_CMD_HDR(VGPU_OP_FILL, 0, 3), a, 4 }, 3, rw,
		  -EINVAL },
		{ "unaligned", { VGPU_CMD_HDR(VGPU_OP_FILL, 0, 3), a + 2, 4, 1 },
		  4, rw, -EINVAL },
		{ "overlapping copy", { VGPU_CMD_HDR(VGPU_OP_COPY, 0, 3), a,
		  a + 4, 8 }, 4, rw, -EINVAL },
		{ "handle twice", { VGPU_CMD_HDR(VGPU_OP_NOOP, 0, 0) }, 1, dup,
		  -EINVAL },
		{ "unknown handle", { VGPU_CMD_HDR(VGPU_OP_NOOP, 0, 0) }, 1, unk,
		  -ENOENT },
		{ "unknown buffer flag", { VGPU_CMD_HDR(VGPU_OP_NOOP, 0, 0) }, 1,
		  badf, -EINVAL },
	};
	struct drm_svgpu_submit s = { 0 };
	unsigned int i;

	memset(self->a.map, 0x33, self->a.size);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const char *what = t[i].what;
		int ret = submit(self->fd, t[i].c, t[i].ndw, t[i].bos,
				 t[i].bos == dup ? 2 : 1, 0, NULL);

		EXPECT_EQ(t[i].err, ret) TH_LOG("%s", what);
	}
	/* arguments */
	EXPECT_EQ(-EINVAL, submit(self->fd, big, 0, rw, 1, 0, NULL));
	EXPECT_EQ(-EINVAL, submit(self->fd, big, 1, rw, 1, 0x100, NULL));
	EXPECT_EQ(-EINVAL, submit(self->fd, big, SVGPU_SUBMIT_MAX_BYTES / 4 + 1,
				  rw, 1, 0, NULL));
	EXPECT_EQ(-EINVAL, submit(self->fd, big, 1, rw,
				  SVGPU_SUBMIT_MAX_BOS + 1, 0, NULL));
	EXPECT_EQ(-EFAULT, submit(self->fd, NULL, 1, rw, 1, 0, NULL));
	EXPECT_EQ(-EFAULT, submit(self->fd, big, 1, NULL, 1, 0, NULL));
	s.cmds = (uintptr_t)big;
	s.cmd_bytes = 6;
	EXPECT_EQ(-EINVAL, xioctl(self->fd, DRM_IOCTL_SVGPU_SUBMIT, &s));
	/* 4096 NOOPs and the kernel's fence: one command over the budget */
	for (i = 0; i < 4096; i++)
		big[i] = VGPU_CMD_HDR(VGPU_OP_NOOP, 0, 0);
	EXPECT_EQ(-E2BIG, submit(self->fd, big, 4096, rw, 1, 0, NULL));
	EXPECT_EQ(0, submit(self->fd, big, 4095, rw, 1, 0, NULL));
	ASSERT_EQ(0, bo_wait(self->fd, self->a.handle, 20000000000ll));
	for (i = 0; i < self->a.size; i++)
		ASSERT_EQ(0x33, self->a.map[i]);
	EXPECT_EQ(0, param(self->fd, SVGPU_PARAM_RESETS));
}

/*
 * Submissions that write 4 MiB each, more than the device takes per
 * doorbell when they pile up: the kernel paces them, none fails.
 */
TEST(budget)
{
	int fd = open(RENDER, O_RDWR);
	uint32_t c[16], i, n;
	struct bo big;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, bo_new(fd, 4 << 20, &big));
	for (i = 0; i < 12; i++) {
		struct drm_svgpu_bo bos[] = { { big.handle, SVGPU_BO_WRITE } };

		n = 0;
		c[n++] = VGPU_CMD_HDR(VGPU_OP_FILL, 0, 3);
		c[n++] = big.gtt;
		c[n++] = 4 << 20;
		c[n++] = 0x01010101 * i;
		ASSERT_EQ(0, submit(fd, c, n, bos, 1, 0, NULL));
	}
	ASSERT_EQ(0, bo_wait(fd, big.handle, 60000000000ll));
	EXPECT_EQ(0x01010101 * 11, rd32(&big, 0));
	EXPECT_EQ(0x01010101 * 11, rd32(&big, (4 << 20) - 4));
	EXPECT_EQ(0, param(fd, SVGPU_PARAM_RESETS));
	bo_free(fd, &big);
	close(fd);
}

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		ret = -errno;
	close(fd);
	return ret;
}

static int wait_resets(int fd, uint64_t want, int secs)
{
	time_t end = time(NULL) + secs;

	while (time(NULL) <= end) {
		if (param(fd, SVGPU_PARAM_RESETS) >= want)
			return 0;
		usleep(100000);
	}
	return -ETIME;
}

/* after a reset the ring takes work again: a FILL lands */
static void works(struct __test_metadata *_metadata, int fd, struct bo *bo,
		  uint32_t v)
{
	struct drm_svgpu_bo bos[] = { { bo->handle, SVGPU_BO_WRITE } };
	uint32_t c[] = { VGPU_CMD_HDR(VGPU_OP_FILL, 0, 3), bo->gtt, 4096, v };

	ASSERT_EQ(0, submit(fd, c, 4, bos, 1, 0, NULL));
	ASSERT_EQ(0, bo_wait(fd, bo->handle, 20000000000ll));
	EXPECT_EQ(v, rd32(bo, 4092));
}

/* a command the device rejects: the ERROR interrupt resets the ring */
TEST_F(drv, hang_device_error)
{
	uint64_t resets = param(self->fd, SVGPU_PARAM_RESETS);

	ASSERT_EQ(0, write_file(DEBUGFS "/svgpu_hang", "error"));
	ASSERT_EQ(0, wait_resets(self->fd, resets + 1, 60));
	works(_metadata, self->fd, &self->a, 0x5eed0001);
	EXPECT_EQ(resets + 1, param(self->fd, SVGPU_PARAM_RESETS));
}

/*
 * A submission that never completes (no FENCE, nothing behind it): the hang
 * check resets the ring within hang_timeout_ms of it, and new work runs.
 */
TEST_F(drv, hang_stall)
{
	uint64_t resets = param(self->fd, SVGPU_PARAM_RESETS);

	ASSERT_EQ(0, write_file(HANG_PARAM, "2000"));
	ASSERT_EQ(0, write_file(DEBUGFS "/svgpu_hang", "stall"));
	ASSERT_EQ(0, wait_resets(self->fd, resets + 1, 20));
	works(_metadata, self->fd, &self->b, 0x5eed0002);
	EXPECT_EQ(resets + 1, param(self->fd, SVGPU_PARAM_RESETS));
	EXPECT_EQ(0, write_file(HANG_PARAM, "10000"));
}

/*
 * The ring runs in order: a submission behind the one without a FENCE
 * completes both, and there is no reset.
 */
TEST_F(drv, stall_completed_behind)
{
	uint64_t resets = param(self->fd, SVGPU_PARAM_RESETS);

	ASSERT_EQ(0, write_file(DEBUGFS "/svgpu_hang", "stall"));
	works(_metadata, self->fd, &self->b, 0x5eed0003);
	EXPECT_EQ(resets, param(self->fd, SVGPU_PARAM_RESETS));
}

/* ---- KMS: mode set, page flip with event, vblank wait ---- */

FIXTURE(kms) {
	int fd;
	uint32_t crtc, conn, fb[2], handle[2];
	struct drm_mode_modeinfo mode;
};

FIXTURE_SETUP(kms)
{
	struct drm_mode_card_res res = { 0 };
	struct drm_mode_get_connector gc = { 0 };
	struct drm_mode_modeinfo modes[32];
	uint32_t crtcs[4], conns[4], i;

	self->fd = open(CARD, O_RDWR);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, xioctl(self->fd, DRM_IOCTL_MODE_GETRESOURCES, &res));
	ASSERT_EQ(1, res.count_crtcs);
	ASSERT_EQ(1, res.count_connectors);	/* writeback ones hidden */
	res.crtc_id_ptr = (uintptr_t)crtcs;
	res.connector_id_ptr = (uintptr_t)conns;
	res.count_fbs = res.count_encoders = 0;
	ASSERT_EQ(0, xioctl(self->fd, DRM_IOCTL_MODE_GETRESOURCES, &res));
	self->crtc = crtcs[0];
	self->conn = conns[0];
	gc.connector_id = self->conn;
	ASSERT_EQ(0, xioctl(self->fd, DRM_IOCTL_MODE_GETCONNECTOR, &gc));
	ASSERT_EQ(CONNECTED, gc.connection);
	ASSERT_EQ(DRM_MODE_CONNECTOR_VIRTUAL, gc.connector_type);
	ASSERT_LT(0, gc.count_modes);
	ASSERT_GE(32, gc.count_modes);
	gc.modes_ptr = (uintptr_t)modes;
	gc.count_props = gc.count_encoders = 0;
	ASSERT_EQ(0, xioctl(self->fd, DRM_IOCTL_MODE_GETCONNECTOR, &gc));
	for (i = 0; i < gc.count_modes; i++)
		if (modes[i].type & DRM_MODE_TYPE_PREFERRED)
			self->mode = modes[i];
	ASSERT_EQ(1024, self->mode.hdisplay);
	ASSERT_EQ(768, self->mode.vdisplay);
	for (i = 0; i < 2; i++) {
		struct drm_mode_create_dumb cd = { .width = 1024, .height = 768,
						   .bpp = 32 };
		struct drm_mode_fb_cmd2 fb = { .width = 1024, .height = 768,
					       .pixel_format = 0x34325258 };

		ASSERT_EQ(0, xioctl(self->fd, DRM_IOCTL_MODE_CREATE_DUMB, &cd));
		self->handle[i] = fb.handles[0] = cd.handle;
		fb.pitches[0] = cd.pitch;
		ASSERT_EQ(0, xioctl(self->fd, DRM_IOCTL_MODE_ADDFB2, &fb));
		self->fb[i] = fb.fb_id;
	}
}

FIXTURE_TEARDOWN(kms)
{
	struct drm_mode_crtc off = { .crtc_id = self->crtc };
	int i;

	xioctl(self->fd, DRM_IOCTL_MODE_SETCRTC, &off);
	for (i = 0; i < 2; i++) {
		struct drm_mode_destroy_dumb dd = { .handle = self->handle[i] };

		xioctl(self->fd, DRM_IOCTL_MODE_RMFB, &self->fb[i]);
		xioctl(self->fd, DRM_IOCTL_MODE_DESTROY_DUMB, &dd);
	}
	close(self->fd);
}

static int read_event(int fd, uint32_t type, struct drm_event_vblank *ev)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char buf[1024];
	ssize_t n;

	if (poll(&pfd, 1, 10000) != 1)
		return -ETIME;
	n = read(fd, buf, sizeof(buf));
	if (n < (ssize_t)sizeof(*ev))
		return -EIO;
	memcpy(ev, buf, sizeof(*ev));
	return ev->base.type == type ? 0 : -EPROTO;
}

TEST_F(kms, setcrtc_flip_vblank)
{
	struct drm_mode_crtc set = {
		.crtc_id = self->crtc, .fb_id = self->fb[0],
		.set_connectors_ptr = (uintptr_t)&self->conn,
		.count_connectors = 1, .mode = self->mode, .mode_valid = 1,
	};
	struct drm_mode_crtc_page_flip flip = {
		.crtc_id = self->crtc, .fb_id = self->fb[1],
		.flags = DRM_MODE_PAGE_FLIP_EVENT, .user_data = 0x1234,
	};
	union drm_wait_vblank wv = { 0 };
	struct drm_event_vblank ev, ev2;
	uint32_t seq;

	ASSERT_EQ(0, xioctl(self->fd, DRM_IOCTL_MODE_SETCRTC, &set));
	ASSERT_EQ(0, xioctl(self->fd, DRM_IOCTL_MODE_PAGE_FLIP, &flip));
	ASSERT_EQ(0, read_event(self->fd, DRM_EVENT_FLIP_COMPLETE, &ev));
	EXPECT_EQ(0x1234, ev.user_data);
	flip.fb_id = self->fb[0];
	ASSERT_EQ(0, xioctl(self->fd, DRM_IOCTL_MODE_PAGE_FLIP, &flip));
	ASSERT_EQ(0, read_event(self->fd, DRM_EVENT_FLIP_COMPLETE, &ev2));
	EXPECT_LT(ev.sequence, ev2.sequence);
	EXPECT_TRUE(ev2.tv_sec > ev.tv_sec ||
		    (ev2.tv_sec == ev.tv_sec && ev2.tv_usec > ev.tv_usec));
	wv.request.type = _DRM_VBLANK_RELATIVE;
	wv.request.sequence = 0;
	ASSERT_EQ(0, xioctl(self->fd, DRM_IOCTL_WAIT_VBLANK, &wv));
	seq = wv.reply.sequence;
	wv.request.type = _DRM_VBLANK_RELATIVE;
	wv.request.sequence = 3;
	ASSERT_EQ(0, xioctl(self->fd, DRM_IOCTL_WAIT_VBLANK, &wv));
	EXPECT_LE(seq + 3, wv.reply.sequence);
	TH_LOG("flips at vblank %u and %u, waited to %u", ev.sequence,
	       ev2.sequence, wv.reply.sequence);
}

TEST_HARNESS_MAIN
