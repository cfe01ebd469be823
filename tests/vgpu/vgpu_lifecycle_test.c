// SPDX-License-Identifier: GPL-2.0-only
/*
 * vgpu_lifecycle_test.c - sample vGPU instances: create/remove through sysfs
 * and mdevctl, available_instances accounting, several instances at once,
 * remove and module unload while open, the fine_dirty module parameter
 *
 * Runs inside the test VM with sample-vgpu loaded and no instances present.
 * Every instance a test creates is the fixture's: the teardown closes and
 * removes what is left of them, whatever failed.
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

#define MAX_INST	64
#define MAX_OPEN	4

FIXTURE(inst) {
	char uuid[MAX_INST][VFIO_UUID_LEN];
	int n;				/* instances created */
	struct vgpu g[MAX_OPEN];	/* opened: g[i] is uuid[i] */
	char fine_dirty[8];		/* the parameter to restore, if set */
};

FIXTURE_SETUP(inst)
{
	if (!vgpu_present())
		SKIP(return, "sample_vgpu not loaded");
}

FIXTURE_TEARDOWN(inst)
{
	int i;

	for (i = 0; i < MAX_OPEN; i++)
		vgpu_close(&self->g[i]);
	for (i = 0; i < self->n; i++)
		if (mdev_exists(self->uuid[i]))
			EXPECT_EQ(0, mdev_remove(self->uuid[i]));
	if (self->fine_dirty[0])
		EXPECT_EQ(0, vgpu_module_param("fine_dirty",
					       self->fine_dirty));
}

/* a new instance of @type, the fixture's; 0 or -errno */
static int create(FIXTURE_DATA(inst) *self, const char *type)
{
	int ret;

	if (self->n == MAX_INST)
		return -ENOSPC;
	ret = vgpu_mdev_create(type, self->uuid[self->n]);
	if (!ret)
		self->n++;
	return ret;
}

/* create an instance of @type and set it up (vgpu_test_common.h) */
static int create_open(FIXTURE_DATA(inst) *self, const char *type)
{
	int i = self->n, ret;

	if (i >= MAX_OPEN)
		return -ENOSPC;
	ret = vgpu_test_setup(&self->g[i], type, self->uuid[i]);
	if (!ret)
		self->n++;
	return ret;
}

#define test_create(type)	ASSERT_EQ(0, create(self, type))
#define test_create_open(type)	ASSERT_EQ(0, create_open(self, type))
#define last_uuid()		(self->uuid[self->n - 1])

TEST_F(inst, types_and_accounting)
{
	char buf[256];
	long small, medium, large;

	small = vgpu_available(VGPU_TYPE_SMALL);
	medium = vgpu_available(VGPU_TYPE_MEDIUM);
	large = vgpu_available(VGPU_TYPE_LARGE);
	ASSERT_LT(0, small);
	EXPECT_EQ(small / 4, medium);
	EXPECT_EQ(small / 16, large);
	ASSERT_LT(0, mdev_type_attr(VGPU_PARENT, VGPU_TYPE_SMALL, "device_api",
				    buf, sizeof(buf)));
	EXPECT_EQ(0, strcmp(buf, "vfio-pci\n"));
	ASSERT_LT(0, mdev_type_attr(VGPU_PARENT, VGPU_TYPE_LARGE,
				    "description", buf, sizeof(buf)));
	EXPECT_NE(NULL, strstr(buf, "gtt_entries=4096"));

	/* one medium instance takes four small ones' worth of GTT */
	test_create(VGPU_TYPE_MEDIUM);
	EXPECT_TRUE(mdev_exists(last_uuid()));
	EXPECT_EQ(small - 4, vgpu_available(VGPU_TYPE_SMALL));
	EXPECT_EQ(medium - 1, vgpu_available(VGPU_TYPE_MEDIUM));
	test_mdev_remove(last_uuid());
	EXPECT_FALSE(mdev_exists(last_uuid()));
	EXPECT_EQ(small, vgpu_available(VGPU_TYPE_SMALL));
}

TEST_F(inst, exhaust_pool)
{
	char extra[VFIO_UUID_LEN];
	long large, i;

	large = vgpu_available(VGPU_TYPE_4G);
	ASSERT_LT(0, large);
	ASSERT_GE(MAX_INST, large);
	for (i = 0; i < large; i++)
		test_create(VGPU_TYPE_4G);
	EXPECT_EQ(0, vgpu_available(VGPU_TYPE_4G));
	mdev_uuid(extra);
	EXPECT_EQ(-ENOSPC, mdev_create_uuid(VGPU_PARENT, VGPU_TYPE_4G, extra));
	EXPECT_FALSE(mdev_exists(extra));
	for (i = 0; i < large; i++)
		EXPECT_EQ(0, mdev_remove(self->uuid[i]));
	EXPECT_EQ(large, vgpu_available(VGPU_TYPE_4G));
}

TEST_F(inst, several_open_at_once)
{
	static const char * const types[MAX_OPEN] = {
		VGPU_TYPE_SMALL, VGPU_TYPE_SMALL, VGPU_TYPE_MEDIUM,
		VGPU_TYPE_LARGE,
	};
	__u32 c[8], n, v;
	int i;

	for (i = 0; i < MAX_OPEN; i++)
		test_create_open(types[i]);
	for (i = 0; i < MAX_OPEN; i++) {
		v = 100 + i;
		n = vgpu_cmd_write(c, DATA_GTT, &v, 1);
		test_vgpu_run_ok(&self->g[i], c, n);
	}
	for (i = 0; i < MAX_OPEN; i++) {
		EXPECT_EQ(100 + i, *(__u32 *)vgpu_gtt_ptr(&self->g[i], DATA_GTT));
		EXPECT_EQ(1, vgpu_counter(self->uuid[i], "cmds_executed"));
	}
}

/* Remove while open waits for the user to close; nothing breaks. */
TEST_F(inst, remove_while_open)
{
	int status;
	pid_t pid;

	test_create_open(VGPU_TYPE_SMALL);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		vgpu_close(&self->g[0]);	/* only the parent holds it */
		_exit(mdev_remove(self->uuid[0]) ? 1 : 0);
	}
	usleep(300000);
	EXPECT_EQ(0, waitpid(pid, &status, WNOHANG));	/* still waiting */
	vgpu_close(&self->g[0]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_FALSE(mdev_exists(self->uuid[0]));
}

TEST_F(inst, unload_refused_while_open)
{
	test_create_open(VGPU_TYPE_SMALL);
	EXPECT_EQ(-1, syscall(__NR_delete_module, "sample_vgpu", O_NONBLOCK));
	EXPECT_TRUE(errno == EBUSY || errno == EWOULDBLOCK);
	EXPECT_TRUE(vgpu_present());
}

TEST_F(inst, fine_dirty_param_off_is_baseline)
{
	char old[8];

	ASSERT_LT(0, vfio_sysfs_read("/sys/module/sample_vgpu/parameters/fine_dirty",
				     old, sizeof(old)));
	old[1] = 0;
	ASSERT_EQ(0, vgpu_module_param("fine_dirty", "N"));
	snprintf(self->fine_dirty, sizeof(self->fine_dirty), "%s", old);
	test_create_open(VGPU_TYPE_SMALL);
	EXPECT_EQ(0, vgpu_counter(self->uuid[0], "fine_dirty"));
	EXPECT_EQ(0, self->g[0].caps & VGPU_CAP_FINE_DIRTY);
}

/*
 * mdevctl runs from the host root over 9p; four runs take more than the
 * harness's default 30 s on a KASAN + lockdep kernel under TCG.
 */
TEST_F_TIMEOUT(inst, mdevctl_start_list_stop, 300)
{
	char cmd[256];

	if (system("mdevctl --version >/dev/null 2>&1"))
		SKIP(return, "mdevctl not available");
	test_create(VGPU_TYPE_SMALL);
	test_mdev_remove(last_uuid());	/* only to get a fresh UUID */
	snprintf(cmd, sizeof(cmd), "mdevctl start -u %s -p %s -t %s",
		 last_uuid(), VGPU_PARENT, VGPU_TYPE_SMALL);
	ASSERT_EQ(0, system(cmd));
	EXPECT_TRUE(mdev_exists(last_uuid()));
	snprintf(cmd, sizeof(cmd), "mdevctl list | grep -q %s", last_uuid());
	EXPECT_EQ(0, system(cmd));
	snprintf(cmd, sizeof(cmd), "mdevctl stop -u %s", last_uuid());
	EXPECT_EQ(0, system(cmd));
	EXPECT_FALSE(mdev_exists(last_uuid()));
}

TEST_HARNESS_MAIN
