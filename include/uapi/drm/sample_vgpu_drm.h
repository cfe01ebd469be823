/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * sample_vgpu_drm.h - uAPI of the guest DRM driver of the sample vGPU
 * (drivers/gpu/sample-vgpu-guest, docs/guest-driver.rst)
 *
 * Buffer objects are shmem GEM objects.  A buffer gets a GTT address the
 * first time it is used (SVGPU_GEM_INFO, a submission, a scanout) and keeps
 * it until it is freed.  A submission is a list of device commands
 * (<linux/sample_vgpu.h>) that may only address the buffers it lists, and
 * write only those it lists as written; the kernel checks every command
 * and appends the fence that completes it.
 *
 * Every struct is 64-bit aligned with explicit padding; reserved fields and
 * unknown flags must be zero (EINVAL otherwise).
 */
#ifndef _UAPI_SAMPLE_VGPU_DRM_H
#define _UAPI_SAMPLE_VGPU_DRM_H

#include <drm/drm.h>

#if defined(__cplusplus)
extern "C" {
#endif

#define DRM_SVGPU_GETPARAM		0x00
#define DRM_SVGPU_GEM_CREATE		0x01
#define DRM_SVGPU_GEM_MMAP_OFFSET	0x02
#define DRM_SVGPU_GEM_INFO		0x03
#define DRM_SVGPU_SUBMIT		0x04
#define DRM_SVGPU_GEM_WAIT		0x05

/* SVGPU_GETPARAM parameters */
#define SVGPU_PARAM_DEVICE_VERSION	1	/* VERSION register */
#define SVGPU_PARAM_DEVICE_CAPS		2	/* CAPS register */
#define SVGPU_PARAM_GTT_SIZE		3	/* bytes of GTT address space */
#define SVGPU_PARAM_MAX_CMD_BYTES	4	/* largest submission */
#define SVGPU_PARAM_SUBMITTED		5	/* submissions so far */
#define SVGPU_PARAM_COMPLETED		6	/* of which completed */
#define SVGPU_PARAM_RESETS		7	/* ring resets so far */
#define SVGPU_PARAM_CMDS_EXECUTED	8	/* CMDS_EXECUTED register */

/**
 * struct drm_svgpu_getparam - read a device or driver parameter
 * @param: SVGPU_PARAM_*
 * @pad: zero
 * @value: the value (out)
 */
struct drm_svgpu_getparam {
	__u32 param;
	__u32 pad;
	__u64 value;
};

/**
 * struct drm_svgpu_gem_create - create a buffer object
 * @size: bytes, rounded up to whole pages; 1 .. 1 GiB
 * @flags: zero
 * @handle: the new object's handle (out)
 * @pad: zero
 * @pad2: zero
 */
struct drm_svgpu_gem_create {
	__u64 size;
	__u32 flags;
	__u32 handle;
	__u32 pad;
	__u32 pad2;
};

/**
 * struct drm_svgpu_gem_mmap_offset - fake offset to mmap() an object
 * @handle: object
 * @pad: zero
 * @offset: offset for mmap() on the DRM file (out)
 */
struct drm_svgpu_gem_mmap_offset {
	__u32 handle;
	__u32 pad;
	__u64 offset;
};

/**
 * struct drm_svgpu_gem_info - where an object is in the GTT
 * @handle: object; bound into the GTT if it was not
 * @pad: zero
 * @gtt_addr: device address of its first byte (out)
 * @size: its size in bytes (out)
 */
struct drm_svgpu_gem_info {
	__u32 handle;
	__u32 pad;
	__u64 gtt_addr;
	__u64 size;
};

/* struct drm_svgpu_bo flags */
#define SVGPU_BO_WRITE			(1u << 0)	/* commands may write it */
#define SVGPU_BO_FLAGS			SVGPU_BO_WRITE

/**
 * struct drm_svgpu_bo - a buffer a submission uses
 * @handle: object
 * @flags: SVGPU_BO_*
 */
struct drm_svgpu_bo {
	__u32 handle;
	__u32 flags;
};

#define SVGPU_SUBMIT_MAX_BOS		256
#define SVGPU_SUBMIT_MAX_BYTES		16384	/* commands per submission */

/* struct drm_svgpu_submit flags */
#define SVGPU_SUBMIT_FENCE_OUT		(1u << 0)	/* a sync_file in @fence_fd */
#define SVGPU_SUBMIT_FLAGS		SVGPU_SUBMIT_FENCE_OUT

/**
 * struct drm_svgpu_submit - run device commands
 * @cmds: user pointer to the commands (little-endian dwords)
 * @cmd_bytes: their size, a non-zero multiple of 4, at most
 *             SVGPU_SUBMIT_MAX_BYTES
 * @bo_count: entries at @bos, at most SVGPU_SUBMIT_MAX_BOS, no handle
 *            twice
 * @bos: user pointer to struct drm_svgpu_bo entries
 * @flags: SVGPU_SUBMIT_*
 * @fence_fd: with SVGPU_SUBMIT_FENCE_OUT, a sync_file that signals when
 *            the commands completed (out)
 * @seqno: sequence number of the submission (out)
 *
 * Commands may be NOOP, FILL, COPY, WRITE_DATA and FENCE without the IRQ
 * flag; every byte range a command reads must lie in one listed buffer,
 * every range it writes in one buffer listed with SVGPU_BO_WRITE.  A
 * submission writes at most 16 MiB and runs at most 4095 commands.  The
 * buffers' reservation objects get the submission's fence: written ones as
 * writers, the others as readers.
 */
struct drm_svgpu_submit {
	__u64 cmds;
	__u32 cmd_bytes;
	__u32 bo_count;
	__u64 bos;
	__u32 flags;
	__s32 fence_fd;
	__u64 seqno;
};

/* struct drm_svgpu_gem_wait flags */
#define SVGPU_WAIT_WRITERS_ONLY		(1u << 0)	/* not readers */

/**
 * struct drm_svgpu_gem_wait - wait for the submissions using an object
 * @handle: object
 * @flags: SVGPU_WAIT_*
 * @timeout_ns: relative timeout; 0 polls
 *
 * Returns 0 once they completed, -ETIME if the timeout passed first, -EIO
 * if one of them failed (the device reported an error and the ring was
 * reset), -ECANCELED if one was dropped by such a reset.
 */
struct drm_svgpu_gem_wait {
	__u32 handle;
	__u32 flags;
	__s64 timeout_ns;
};

#define DRM_IOCTL_SVGPU_GETPARAM	DRM_IOWR(DRM_COMMAND_BASE + \
		DRM_SVGPU_GETPARAM, struct drm_svgpu_getparam)
#define DRM_IOCTL_SVGPU_GEM_CREATE	DRM_IOWR(DRM_COMMAND_BASE + \
		DRM_SVGPU_GEM_CREATE, struct drm_svgpu_gem_create)
#define DRM_IOCTL_SVGPU_GEM_MMAP_OFFSET	DRM_IOWR(DRM_COMMAND_BASE + \
		DRM_SVGPU_GEM_MMAP_OFFSET, struct drm_svgpu_gem_mmap_offset)
#define DRM_IOCTL_SVGPU_GEM_INFO	DRM_IOWR(DRM_COMMAND_BASE + \
		DRM_SVGPU_GEM_INFO, struct drm_svgpu_gem_info)
#define DRM_IOCTL_SVGPU_SUBMIT		DRM_IOWR(DRM_COMMAND_BASE + \
		DRM_SVGPU_SUBMIT, struct drm_svgpu_submit)
#define DRM_IOCTL_SVGPU_GEM_WAIT	DRM_IOW(DRM_COMMAND_BASE + \
		DRM_SVGPU_GEM_WAIT, struct drm_svgpu_gem_wait)

#if defined(__cplusplus)
}
#endif

#endif /* _UAPI_SAMPLE_VGPU_DRM_H */
