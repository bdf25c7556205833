// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Kernel-only test of the dedup scope (module parameter dedup_scope), run
 * in the QEMU guest once per scope.  Three processes register the same
 * callable, one after the other, each keeping its file open: two with
 * one effective uid, the third with another.  Which of them find the
 * first one's resident copy depends on the scope:
 *
 *	device	hit, hit	one copy for everyone
 *	user	hit, miss	one copy per user
 *	file	miss, miss	one copy per open file
 *
 * Every process also runs the callable and checks its result.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "helpers.h"
#include "chiptest.h"
#include "drm/chip_accel.h"

static const char *const nodes[] = { "/dev/accel/accel0", "/dev/dri/renderD128" };

static int scope(void)
{
	struct drm_chip_get_param p = { .param = DRM_CHIP_PARAM_DEDUP_SCOPE };
	size_t i;
	int fd, rc;

	for (i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++) {
		fd = open(nodes[i], O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		rc = ioctl(fd, DRM_IOCTL_CHIP_GET_PARAM, &p);
		close(fd);
		return rc ? -errno : (int)p.value;
	}
	return -ENODEV;
}

/*
 * One process: become @uid, register the vector callable, report 'H'
 * (hit) or 'M' (miss) on @rep, run it, then hold the file until @go.
 */
static void child(uid_t uid, int rep, int go)
{
	static float out[16384];
	struct chip_run_result res;
	struct chip_counters c;
	struct chip_dev *dev;
	char ch = 'F';

	if (setresgid(uid, uid, uid) || setresuid(uid, uid, uid))
		_exit(2);
	if (!ct_open(&dev, NULL) &&
	    !ct_register(dev, 7, CT_VECTOR,
			 CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER) &&
	    !chip_counters(dev, &c) && c.dedup_hits + c.dedup_misses == 1 &&
	    !ct_vector(dev, 7, 2.0f, 3.0f, 16384, out, &res) &&
	    res.status == CHIP_STATUS_OK && !ct_mismatches(out, 16384, 47.0f))
		ch = c.dedup_hits ? 'H' : 'M';
	if (write(rep, &ch, 1) != 1 || read(go, &ch, 1) != 1)
		_exit(3);
	_exit(0);
}

static int test_scope(void)
{
	static const uid_t uids[3] = { 1000, 1000, 1001 };
	int s = scope(), go[2], rep[2], i, st;
	char got[4] = "", want[4];
	pid_t pids[3];
	size_t j;

	CHECK(s >= 0);
	printf("# dedup scope %s\n", s == DRM_CHIP_DEDUP_DEVICE ? "device" :
	       s == DRM_CHIP_DEDUP_USER ? "user" :
	       s == DRM_CHIP_DEDUP_FILE ? "file" : "?");
	snprintf(want, sizeof(want), "M%c%c",
		 s == DRM_CHIP_DEDUP_FILE ? 'M' : 'H',
		 s == DRM_CHIP_DEDUP_DEVICE ? 'H' : 'M');
	/* the guest has no udev: let the other users open the node */
	for (j = 0; j < sizeof(nodes) / sizeof(nodes[0]); j++)
		chmod(nodes[j], 0666);
	CHECK(pipe(go) == 0 && pipe(rep) == 0);
	for (i = 0; i < 3; i++) {
		pids[i] = fork();
		CHECK(pids[i] >= 0);
		if (!pids[i])
			child(uids[i], rep[1], go[0]);
		/* one at a time: the previous one holds its copy */
		CHECK_EQ(read(rep[0], &got[i], 1), 1);
	}
	for (i = 0; i < 3; i++)
		CHECK_EQ(write(go[1], "g", 1), 1);
	for (i = 0; i < 3; i++) {
		CHECK_EQ(waitpid(pids[i], &st, 0), pids[i]);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	printf("# registrations: %s (want %s)\n", got, want);
	CHECK(strcmp(got, want) == 0);
	return 0;
}

int main(int argc, char **argv)
{
	ct_init(argc, argv);
	T_RUN(test_scope);
	return T_DONE();
}
