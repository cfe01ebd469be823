// SPDX-License-Identifier: GPL-2.0-only
/*
 * vgpu_lifecycle_test.c - sample vGPU instances: create/remove through sysfs
 * and mdevctl, available_instances accounting, several instances at once,
 * remove and module unload while open, the fine_dirty module parameter
 *
 * Runs inside the test VM with sample-vgpu loaded and no instances present.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "vgpu_test_common.h"

static bool mdev_exists(const char *uuid)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s", uuid);
	return access(path, F_OK) == 0;
}

TEST(types_and_accounting)
{
	char uuid[VGPU_UUID_LEN], buf[256];
	long small, medium, large;

	if (!vgpu_present())
		SKIP(return, "sample_vgpu not loaded");
	small = vgpu_available(VGPU_TYPE_SMALL);
	medium = vgpu_available(VGPU_TYPE_MEDIUM);
	large = vgpu_available(VGPU_TYPE_LARGE);
	ASSERT_LT(0, small);
	EXPECT_EQ(small / 4, medium);
	EXPECT_EQ(small / 16, large);
	ASSERT_LT(0, vgpu_sysfs_read("/sys/class/mdev_bus/" VGPU_PARENT
				     "/mdev_supported_types/" VGPU_TYPE_SMALL
				     "/device_api", buf, sizeof(buf)));
	EXPECT_EQ(0, strcmp(buf, "vfio-pci\n"));
	ASSERT_LT(0, vgpu_sysfs_read("/sys/class/mdev_bus/" VGPU_PARENT
				     "/mdev_supported_types/" VGPU_TYPE_LARGE
				     "/description", buf, sizeof(buf)));
	EXPECT_NE(NULL, strstr(buf, "gtt_entries=4096"));

	/* one medium instance takes four small ones' worth of GTT */
	ASSERT_EQ(0, vgpu_mdev_create(VGPU_TYPE_MEDIUM, uuid));
	EXPECT_TRUE(mdev_exists(uuid));
	EXPECT_EQ(small - 4, vgpu_available(VGPU_TYPE_SMALL));
	EXPECT_EQ(medium - 1, vgpu_available(VGPU_TYPE_MEDIUM));
	ASSERT_EQ(0, vgpu_mdev_remove(uuid));
	EXPECT_FALSE(mdev_exists(uuid));
	EXPECT_EQ(small, vgpu_available(VGPU_TYPE_SMALL));
}

TEST(exhaust_pool)
{
	char uuids[64][VGPU_UUID_LEN], extra[VGPU_UUID_LEN];
	long large, i;

	if (!vgpu_present())
		SKIP(return, "sample_vgpu not loaded");
	large = vgpu_available(VGPU_TYPE_4G);
	ASSERT_LT(0, large);
	ASSERT_GE(64, large);
	for (i = 0; i < large; i++)
		ASSERT_EQ(0, vgpu_mdev_create(VGPU_TYPE_4G, uuids[i]));
	EXPECT_EQ(0, vgpu_available(VGPU_TYPE_4G));
	EXPECT_EQ(-ENOSPC, vgpu_mdev_create(VGPU_TYPE_4G, extra));
	EXPECT_FALSE(mdev_exists(extra));
	for (i = 0; i < large; i++)
		EXPECT_EQ(0, vgpu_mdev_remove(uuids[i]));
	EXPECT_EQ(large, vgpu_available(VGPU_TYPE_4G));
}

TEST(several_open_at_once)
{
	static const char * const types[] = {
		VGPU_TYPE_SMALL, VGPU_TYPE_SMALL, VGPU_TYPE_MEDIUM,
		VGPU_TYPE_LARGE,
	};
	struct vgpu *g = calloc(4, sizeof(*g));
	char uuid[4][VGPU_UUID_LEN];
	__u32 c[8], n, err;
	int i;

	if (!vgpu_present())
		SKIP(return, "sample_vgpu not loaded");
	ASSERT_NE(NULL, g);
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, vgpu_test_setup(&g[i], types[i], uuid[i]));
	for (i = 0; i < 4; i++) {
		__u32 v = 100 + i;

		n = vgpu_cmd_write(c, DATA_GTT, &v, 1);
		ASSERT_EQ(0, vgpu_run(&g[i], c, n, &err));
		EXPECT_EQ(0, err);
	}
	for (i = 0; i < 4; i++) {
		EXPECT_EQ(100 + i, *(__u32 *)vgpu_gtt_ptr(&g[i], DATA_GTT));
		EXPECT_EQ(1, vgpu_counter(uuid[i], "cmds_executed"));
	}
	for (i = 0; i < 4; i++)
		vgpu_test_teardown(&g[i], uuid[i]);
	free(g);
}

/* Remove while open waits for the user to close; nothing breaks. */
TEST(remove_while_open)
{
	char uuid[VGPU_UUID_LEN];
	struct vgpu g;
	int status;
	pid_t pid;

	if (!vgpu_present())
		SKIP(return, "sample_vgpu not loaded");
	ASSERT_EQ(0, vgpu_test_setup(&g, VGPU_TYPE_SMALL, uuid));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		vgpu_close(&g);	/* only the parent holds the device */
		_exit(vgpu_mdev_remove(uuid) ? 1 : 0);
	}
	usleep(300000);
	EXPECT_EQ(0, waitpid(pid, &status, WNOHANG));	/* still waiting */
	vgpu_close(&g);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_FALSE(mdev_exists(uuid));
}

TEST(unload_refused_while_open)
{
	char uuid[VGPU_UUID_LEN];
	struct vgpu g;

	if (!vgpu_present())
		SKIP(return, "sample_vgpu not loaded");
	ASSERT_EQ(0, vgpu_test_setup(&g, VGPU_TYPE_SMALL, uuid));
	EXPECT_EQ(-1, syscall(__NR_delete_module, "sample_vgpu", O_NONBLOCK));
	EXPECT_TRUE(errno == EBUSY || errno == EWOULDBLOCK);
	EXPECT_TRUE(vgpu_present());
	vgpu_test_teardown(&g, uuid);
}

TEST(fine_dirty_param_off_is_baseline)
{
	char uuid[VGPU_UUID_LEN], old[8];
	struct vgpu g;

	if (!vgpu_present())
		SKIP(return, "sample_vgpu not loaded");
	ASSERT_LT(0, vgpu_sysfs_read("/sys/module/sample_vgpu/parameters/fine_dirty",
				     old, sizeof(old)));
	ASSERT_EQ(0, vgpu_module_param("fine_dirty", "N"));
	ASSERT_EQ(0, vgpu_test_setup(&g, VGPU_TYPE_SMALL, uuid));
	EXPECT_EQ(0, vgpu_counter(uuid, "fine_dirty"));
	EXPECT_EQ(0, g.caps & VGPU_CAP_FINE_DIRTY);
	vgpu_test_teardown(&g, uuid);
	old[1] = 0;
	ASSERT_EQ(0, vgpu_module_param("fine_dirty", old));
}

/*
 * mdevctl runs from the host root over 9p; four runs take more than the
 * harness's default 30 s on a KASAN + lockdep kernel under TCG.
 */
FIXTURE(mdevctl) {};
FIXTURE_SETUP(mdevctl) {}
FIXTURE_TEARDOWN(mdevctl) {}

TEST_F_TIMEOUT(mdevctl, start_list_stop, 300)
{
	char uuid[VGPU_UUID_LEN], cmd[256];

	if (!vgpu_present())
		SKIP(return, "sample_vgpu not loaded");
	if (system("mdevctl --version >/dev/null 2>&1"))
		SKIP(return, "mdevctl not available");
	ASSERT_EQ(0, vgpu_mdev_create(VGPU_TYPE_SMALL, uuid));
	ASSERT_EQ(0, vgpu_mdev_remove(uuid));	/* only to get a fresh UUID */
	snprintf(cmd, sizeof(cmd), "mdevctl start -u %s -p %s -t %s", uuid,
		 VGPU_PARENT, VGPU_TYPE_SMALL);
	ASSERT_EQ(0, system(cmd));
	EXPECT_TRUE(mdev_exists(uuid));
	snprintf(cmd, sizeof(cmd), "mdevctl list | grep -q %s", uuid);
	EXPECT_EQ(0, system(cmd));
	snprintf(cmd, sizeof(cmd), "mdevctl stop -u %s", uuid);
	EXPECT_EQ(0, system(cmd));
	EXPECT_FALSE(mdev_exists(uuid));
}

TEST_HARNESS_MAIN
