// SPDX-License-Identifier: GPL-2.0-only
/*
 * pci.c - PCI functions for vfio-pci: find one by ID, bind it, its group
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libvfio.h"

#define SYSFS_PCI_DEVS	"/sys/bus/pci/devices"

/* a hexadecimal attribute ("0x8086") of @bdf, or -errno */
static long pci_attr(const char *bdf, const char *attr)
{
	char path[PATH_MAX], buf[32];
	int ret;

	snprintf(path, sizeof(path), SYSFS_PCI_DEVS "/%s/%s", bdf, attr);
	ret = vfio_sysfs_read(path, buf, sizeof(buf));
	return ret < 0 ? ret : strtol(buf, NULL, 16);
}

int pci_find(__u16 vendor, __u16 device, char bdf[VFIO_UUID_LEN])
{
	struct dirent *e;
	int ret = -ENODEV;
	DIR *d;

	d = opendir(SYSFS_PCI_DEVS);
	if (!d)
		return vfio_errno();
	while (ret && (e = readdir(d))) {
		size_t len = strlen(e->d_name);

		if (e->d_name[0] == '.' || len >= VFIO_UUID_LEN)
			continue;
		if (pci_attr(e->d_name, "vendor") == vendor &&
		    pci_attr(e->d_name, "device") == device) {
			memcpy(bdf, e->d_name, len + 1);
			ret = 0;
		}
	}
	closedir(d);
	return ret;
}

/* the last component of link @attr of @bdf into @buf ("" if none) */
static int pci_link(const char *bdf, const char *attr, char *buf, size_t len)
{
	char path[PATH_MAX], link[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), SYSFS_PCI_DEVS "/%s/%s", bdf, attr);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0) {
		buf[0] = 0;
		return errno == ENOENT ? 0 : vfio_errno();
	}
	link[n] = 0;
	snprintf(buf, len, "%s", strrchr(link, '/') + 1);
	return 0;
}

int pci_driver(const char *bdf, char *drv, size_t len)
{
	return pci_link(bdf, "driver", drv, len);
}

int pci_bind_vfio(const char *bdf)
{
	char path[PATH_MAX], drv[64];
	int ret = pci_driver(bdf, drv, sizeof(drv));

	if (ret || !strcmp(drv, "vfio-pci"))
		return ret;
	if (drv[0]) {
		snprintf(path, sizeof(path), SYSFS_PCI_DEVS "/%s/driver/unbind",
			 bdf);
		ret = vfio_sysfs_write(path, bdf);
		if (ret)
			return ret;
	}
	snprintf(path, sizeof(path), SYSFS_PCI_DEVS "/%s/driver_override", bdf);
	ret = vfio_sysfs_write(path, "vfio-pci");
	if (!ret)
		ret = vfio_sysfs_write("/sys/bus/pci/drivers_probe", bdf);
	if (!ret)
		ret = pci_driver(bdf, drv, sizeof(drv));
	if (!ret && strcmp(drv, "vfio-pci"))
		ret = -ENODEV;
	return ret;
}

int pci_group(const char *bdf)
{
	char id[16];
	int ret = pci_link(bdf, "iommu_group", id, sizeof(id));

	if (ret)
		return ret;
	return id[0] ? atoi(id) : -ENOENT;
}
