// SPDX-License-Identifier: GPL-2.0-only
/*
 * mdev.c - mediated device instances through sysfs
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libvfio.h"

#define SYSFS_MDEV_BUS	"/sys/class/mdev_bus"
#define SYSFS_MDEV_DEVS	"/sys/bus/mdev/devices"

int vfio_sysfs_read(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return vfio_errno();
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return vfio_errno();
	buf[n] = 0;
	return n;
}

int vfio_sysfs_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return vfio_errno();
	n = write(fd, val, strlen(val));
	close(fd);
	return n < 0 ? vfio_errno() : 0;
}

long vfio_sysfs_long(const char *path)
{
	char buf[64];
	int ret = vfio_sysfs_read(path, buf, sizeof(buf));

	return ret < 0 ? ret : strtol(buf, NULL, 10);
}

void mdev_uuid(char uuid[VFIO_UUID_LEN])
{
	unsigned char b[16];
	int fd = open("/dev/urandom", O_RDONLY);
	int i;

	if (fd < 0 || read(fd, b, sizeof(b)) != sizeof(b)) {
		for (i = 0; i < 16; i++)
			b[i] = rand();
	}
	if (fd >= 0)
		close(fd);
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	snprintf(uuid, VFIO_UUID_LEN,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
		 b[10], b[11], b[12], b[13], b[14], b[15]);
}

int mdev_type_attr(const char *parent, const char *type, const char *attr,
		   char *buf, size_t len)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), SYSFS_MDEV_BUS "/%s/mdev_supported_types/%s/%s",
		 parent, type, attr);
	return vfio_sysfs_read(path, buf, len);
}

int mdev_create_uuid(const char *parent, const char *type, const char *uuid)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), SYSFS_MDEV_BUS "/%s/mdev_supported_types/%s/create",
		 parent, type);
	return vfio_sysfs_write(path, uuid);
}

int mdev_create(const char *parent, const char *type,
		char uuid[VFIO_UUID_LEN])
{
	int ret;

	mdev_uuid(uuid);
	ret = mdev_create_uuid(parent, type, uuid);
	if (ret)
		uuid[0] = 0;
	return ret;
}

int mdev_remove(const char *uuid)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), SYSFS_MDEV_DEVS "/%s/remove", uuid);
	return vfio_sysfs_write(path, "1");
}

bool mdev_exists(const char *uuid)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), SYSFS_MDEV_DEVS "/%s", uuid);
	return access(path, F_OK) == 0;
}

long mdev_available(const char *parent, const char *type)
{
	char buf[64];
	int ret = mdev_type_attr(parent, type, "available_instances", buf,
				 sizeof(buf));

	return ret < 0 ? ret : strtol(buf, NULL, 10);
}

long mdev_attr_long(const char *uuid, const char *attr)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), SYSFS_MDEV_DEVS "/%s/%s", uuid, attr);
	return vfio_sysfs_long(path);
}

int mdev_group(const char *uuid)
{
	char path[PATH_MAX], link[PATH_MAX];
	char *slash;
	ssize_t n;

	snprintf(path, sizeof(path), SYSFS_MDEV_DEVS "/%s/iommu_group", uuid);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return vfio_errno();
	link[n] = 0;
	slash = strrchr(link, '/');
	return slash ? atoi(slash + 1) : -ENOENT;
}
