// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Which device chip_open() opens, and what it says when it cannot (run
 * in the QEMU guest; scripts/guest/init loads the module with devices=2
 * and sets CHIP_TEST_DEVICES=2): chip_open_opts.device and $CHIP_DEVICE
 * select devices in minor order, out of range is -ENODEV, a node this
 * user may not open is -EACCES, and chip_last_error() names the node
 * every time.  With two devices, a callable registered on both is a
 * dedup hit on its own device only: they are different devices.
 */
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "helpers.h"
#include "chiptest.h"

#define MAXDEV 8

static int ndev = 1;
static char nodes[MAXDEV][64];	/* the node of each index */

/* chip_open() of @plat with device option @device; the node it names. */
static int open_dev(const char *plat, uint32_t device, struct chip_dev **dev,
		    char *node, size_t len)
{
	struct chip_open_opts o;
	const char *msg, *p;
	int ret;

	memset(&o, 0, sizeof(o));
	o.sz = sizeof(o);
	o.device = device;
	ret = chip_open(plat, &o, dev);
	msg = chip_last_error();
	printf("# %s device %u: %d, \"%s\"\n", plat, device, ret, msg);
	p = strstr(msg, ": /dev/");
	if (node)
		snprintf(node, len, "%s", p ? p + 2 : "");
	if (node && (p = strchr(node, ':')))
		node[p - node] = '\0';
	return ret;
}

/* Index i opens node i, in minor order; index ndev is -ENODEV. */
static int test_index(void)
{
	struct chip_dev *dev;
	char node[64];
	int i;

	for (i = 0; i < ndev; i++) {
		CHECK_EQ(open_dev("a2a3", CHIP_DEVICE_INDEX(i), &dev, nodes[i],
				  sizeof(nodes[i])), 0);
		CHECK(nodes[i][0] == '/');
		CHECK(i == 0 || strcmp(nodes[i - 1], nodes[i]) < 0 ||
		      strlen(nodes[i - 1]) < strlen(nodes[i]));
		chip_close(dev);
	}
	/* The default is the first. */
	unsetenv("CHIP_DEVICE");
	CHECK_EQ(open_dev("a2a3", 0, &dev, node, sizeof(node)), 0);
	CHECK(!strcmp(node, nodes[0]));
	chip_close(dev);
	CHECK_EQ(open_dev("a2a3", CHIP_DEVICE_INDEX(ndev), &dev, NULL, 0),
		 -ENODEV);
	CHECK(dev == NULL);
	CHECK(strstr(chip_last_error(), "not found") != NULL);
	/* No a5 device: -ENODEV, and it says so. */
	CHECK_EQ(open_dev("a5", 0, &dev, NULL, 0), -ENODEV);
	CHECK(strstr(chip_last_error(), "0 a5 devices") != NULL);
	return 0;
}

/* $CHIP_DEVICE: an index or a node; chip_open_opts.device wins. */
static int test_env(void)
{
	struct chip_dev *dev;
	char node[64], idx[16];

	snprintf(idx, sizeof(idx), "%d", ndev - 1);
	setenv("CHIP_DEVICE", idx, 1);
	CHECK_EQ(open_dev("a2a3", 0, &dev, node, sizeof(node)), 0);
	CHECK(!strcmp(node, nodes[ndev - 1]));
	chip_close(dev);
	CHECK_EQ(open_dev("a2a3", CHIP_DEVICE_INDEX(0), &dev, node,
			  sizeof(node)), 0);
	CHECK(!strcmp(node, nodes[0]));
	chip_close(dev);
	setenv("CHIP_DEVICE", nodes[ndev - 1], 1);
	CHECK_EQ(open_dev("a2a3", 0, &dev, node, sizeof(node)), 0);
	CHECK(!strcmp(node, nodes[ndev - 1]));
	chip_close(dev);
	snprintf(idx, sizeof(idx), "%d", ndev);
	setenv("CHIP_DEVICE", idx, 1);
	CHECK_EQ(open_dev("a2a3", 0, &dev, NULL, 0), -ENODEV);
	setenv("CHIP_DEVICE", "first", 1);
	CHECK_EQ(open_dev("a2a3", 0, &dev, NULL, 0), -EINVAL);
	CHECK(strstr(chip_last_error(), "CHIP_DEVICE=first") != NULL);
	setenv("CHIP_DEVICE", "/dev/null", 1);
	CHECK_EQ(open_dev("a2a3", 0, &dev, NULL, 0), -ENODEV);
	CHECK(strstr(chip_last_error(), "/dev/null: not a chip") != NULL);
	unsetenv("CHIP_DEVICE");
	return 0;
}

/* Device-scope dedup: a hit on the same device, a miss on the other. */
static int test_distinct(void)
{
	struct chip_counters c0, c1, c2;
	struct chip_dev *d0, *d0b, *d1;

	if (ndev < 2) {
		printf("# one device\n");
		return T_SKIP;
	}
	CHECK_EQ(open_dev("a2a3", CHIP_DEVICE_INDEX(0), &d0, NULL, 0), 0);
	CHECK_EQ(open_dev("a2a3", CHIP_DEVICE_INDEX(0), &d0b, NULL, 0), 0);
	CHECK_EQ(open_dev("a2a3", CHIP_DEVICE_INDEX(1), &d1, NULL, 0), 0);
	CHECK_EQ(ct_register(d0, 1, CT_VECTOR,
			     CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER), 0);
	CHECK_EQ(ct_register(d0b, 1, CT_VECTOR,
			     CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER), 0);
	CHECK_EQ(ct_register(d1, 1, CT_VECTOR,
			     CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER), 0);
	CHECK_EQ(chip_counters(d0, &c0), 0);
	CHECK_EQ(chip_counters(d0b, &c1), 0);
	CHECK_EQ(chip_counters(d1, &c2), 0);
	CHECK_U64(c0.dedup_misses, 1);
	CHECK_U64(c1.dedup_hits, 1);	/* the same device */
	CHECK_U64(c2.dedup_misses, 1);	/* another device */
	CHECK_U64(c2.dedup_hits, 0);
	chip_close(d0);
	chip_close(d0b);
	chip_close(d1);
	return 0;
}

/*
 * A user who may not open the nodes: -EACCES naming the node, not
 * -ENODEV.  A child drops to uid/gid 65534 with no groups; with
 * @group_ok it keeps the node's group, which the udev rule makes
 * group-readable and -writable, so its open succeeds.
 */
static int open_as(int keep_group, int *ret, char *msg, size_t len)
{
	struct stat st;
	int pfd[2], status;
	pid_t pid;

	CHECK_EQ(stat(nodes[0], &st), 0);
	CHECK_EQ(pipe(pfd), 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		gid_t g = st.st_gid;
		struct chip_dev *dev;
		char out[300];
		int r;

		close(pfd[0]);
		if (setgroups(keep_group ? 1 : 0, &g) || setgid(65534) ||
		    setuid(65534))
			_exit(3);
		unsetenv("CHIP_DEVICE");
		r = chip_open("a2a3", NULL, &dev);
		if (!r)
			chip_close(dev);
		snprintf(out, sizeof(out), "%d %s", r, chip_last_error());
		if (write(pfd[1], out, strlen(out) + 1) < 0)
			_exit(4);
		_exit(0);
	}
	close(pfd[1]);
	memset(msg, 0, len);
	CHECK(read(pfd[0], msg, len - 1) > 0);
	close(pfd[0]);
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	*ret = atoi(msg);
	printf("# keep group %u: %s (node mode %o, gid %u)\n", keep_group ?
	       (unsigned int)st.st_gid : 0, msg, (unsigned int)st.st_mode & 07777,
	       (unsigned int)st.st_gid);
	return 0;
}

static int test_eacces(void)
{
	struct stat st;
	char msg[300];
	int ret = 0;

	CHECK_EQ(open_as(0, &ret, msg, sizeof(msg)), 0);
	CHECK_EQ(ret, -EACCES);
	CHECK(strstr(msg, nodes[0]) != NULL);
	CHECK(strstr(msg, "permission denied") != NULL);
	/* Group access (the udev rule: mode 0660 and a group). */
	CHECK_EQ(stat(nodes[0], &st), 0);
	if ((st.st_mode & 0060) != 0060 || !st.st_gid) {
		printf("# %s: mode %o gid %u, no group access to test\n",
		       nodes[0], (unsigned int)st.st_mode & 07777,
		       (unsigned int)st.st_gid);
		return 0;
	}
	CHECK_EQ(open_as(1, &ret, msg, sizeof(msg)), 0);
	CHECK_EQ(ret, 0);
	return 0;
}

int main(int argc, char **argv)
{
	const char *env = getenv("CHIP_TEST_DEVICES");

	ct_init(argc, argv);
	if (ct_is_sim()) {
		printf("# kernel-only tests: skipped on %s\n", ct_platform());
		printf("0 passed, 0 failed\n");
		return 0;
	}
	if (env && atoi(env) > 0 && atoi(env) <= MAXDEV)
		ndev = atoi(env);
	printf("# %d device(s)\n", ndev);
	T_RUN(test_index);
	T_RUN(test_env);
	T_RUN(test_distinct);
	T_RUN(test_eacces);
	return T_DONE();
}
