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
 *
 * Then, in the same scope: with the dedup key mask set to 0 through
 * debugfs (the driver's test hook, not ABI), different callables still
 * do not alias and identical ones still hit; and processes registering
 * and dropping callables at the same time never get the same device
 * address for two resident copies (one device-wide lock guards the next
 * code address, whatever the scope).
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
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
#include "chip_callable.h"

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

/* The device's debugfs hash_mask file (debugfs mounted by the guest). */
static int hash_mask_path(char *out, size_t n)
{
	static const char *const pats[] = {
		"/sys/kernel/debug/accel/*/hash_mask",
		"/sys/kernel/debug/dri/*/hash_mask",
	};
	glob_t g;
	size_t i;
	int ret = -ENOENT;

	for (i = 0; i < sizeof(pats) / sizeof(pats[0]) && ret; i++) {
		if (glob(pats[i], 0, NULL, &g))
			continue;
		if (g.gl_pathc == 1 && strlen(g.gl_pathv[0]) < n) {
			strcpy(out, g.gl_pathv[0]);
			ret = 0;
		}
		globfree(&g);
	}
	return ret;
}

static int set_hash_mask(const char *path, unsigned long long mask)
{
	FILE *f = fopen(path, "w");
	int ret;

	if (!f)
		return -errno;
	ret = fprintf(f, "%llu\n", mask) > 0 ? 0 : -EIO;
	if (fclose(f))
		ret = -errno;
	return ret;
}

static int get_hash_mask(const char *path, unsigned long long *mask)
{
	FILE *f = fopen(path, "r");
	int ret;

	if (!f)
		return -errno;
	ret = fscanf(f, "%llx", mask) == 1 ? 0 : -EIO;
	fclose(f);
	return ret;
}

/* Every key collides: different callables do not alias, same ones hit. */
static int test_forced_collision(void)
{
	struct chip_run_result res;
	struct chip_counters c0, c;
	struct chip_dev *dev;
	unsigned long long m;
	static float out[4096];
	char path[256];
	double err;

	CHECK_EQ(hash_mask_path(path, sizeof(path)), 0);
	CHECK_EQ(get_hash_mask(path, &m), 0);
	CHECK_U64(m, ~0ull);
	CHECK_EQ(set_hash_mask(path, 0), 0);
	CHECK_EQ(get_hash_mask(path, &m), 0);
	CHECK_U64(m, 0);

	CHECK_EQ(ct_open(&dev, NULL), 0);
	CHECK_EQ(chip_counters(dev, &c0), 0);
	CHECK_EQ(ct_register(dev, 0, CT_VECTOR, CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER), 0);
	CHECK_EQ(ct_register(dev, 1, CT_MATMUL, CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER), 0);
	CHECK_EQ(chip_counters(dev, &c), 0);
	CHECK_EQ(c.resident_callables - c0.resident_callables, 2);
	CHECK_EQ(c.dedup_misses - c0.dedup_misses, 2);
	CHECK_EQ(c.dedup_hits - c0.dedup_hits, 0);
	CHECK_EQ(ct_register(dev, 2, CT_MATMUL, CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER), 0);
	CHECK_EQ(chip_counters(dev, &c), 0);
	CHECK_EQ(c.resident_callables - c0.resident_callables, 2);
	CHECK_EQ(c.dedup_hits - c0.dedup_hits, 1);
	CHECK_EQ(ct_vector(dev, 0, 2.0f, 3.0f, 4096, out, &res), 0);
	CHECK_EQ(res.status, CHIP_STATUS_OK);
	CHECK_EQ(ct_mismatches(out, 4096, 47.0f), 0);
	CHECK_EQ(ct_matmul_check(dev, 1, 64, 32, 64, &res, &err), 0);
	CHECK_EQ(ct_matmul_check(dev, 2, 32, 64, 32, &res, &err), 0);
	chip_close(dev);
	CHECK_EQ(set_hash_mask(path, ~0ull), 0);
	return 0;
}

/*
 * Two processes (two files, one user) register and drop callables at
 * the same time: every resident copy gets a device address of its own,
 * in every scope.  Code addresses are reused once a copy is freed, so
 * each process keeps ADDR_KEEP distinct callables resident (cids
 * 0..ADDR_KEEP-1), registering and dropping another one on cid 63
 * between two of them, and stays open until both have reported: all
 * 2 * ADDR_KEEP copies are resident at once, and no two may share an
 * address.
 */
#define ADDR_KEEP	48

/* @img with a function name of its own: a callable of distinct content. */
static void addr_variant(void *img, int which, int i)
{
	struct chip_callable_hdr *h = img;

	memset(h->func_name, 0, sizeof(h->func_name));
	h->func_name_len = (uint32_t)snprintf(h->func_name,
					      sizeof(h->func_name),
					      "addr_%d_%d", which, i);
}

static int addr_reg(int fd, void *img, size_t len, int cid, uint64_t *addr)
{
	struct drm_chip_register r;

	memset(&r, 0, sizeof(r));
	r.image_ptr = (uintptr_t)img;
	r.image_size = len;
	r.cid = cid;
	if (ioctl(fd, DRM_IOCTL_CHIP_REGISTER, &r))
		return -1;
	if (addr)
		*addr = r.dev_addr;
	return 0;
}

static int addr_child(int fd_out, int fd_go, int which)
{
	struct drm_chip_unregister u;
	uint64_t addrs[ADDR_KEEP];
	size_t len;
	void *img;
	int fd = -1, i;
	size_t j;
	char c;

	for (j = 0; j < sizeof(nodes) / sizeof(nodes[0]) && fd < 0; j++)
		fd = open(nodes[j], O_RDWR | O_CLOEXEC);
	if (fd < 0 || ct_build(which ? CT_MATMUL : CT_VECTOR,
			       CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER, &img, &len))
		return 2;
	for (i = 0; i < ADDR_KEEP; i++) {
		addr_variant(img, which, i);
		if (addr_reg(fd, img, len, i, &addrs[i]))
			return 3;
		addr_variant(img, which, 1000 + i);
		if (addr_reg(fd, img, len, 63, NULL))
			return 3;
		memset(&u, 0, sizeof(u));
		u.cid = 63;
		if (ioctl(fd, DRM_IOCTL_CHIP_UNREGISTER, &u))
			return 4;
	}
	if (write(fd_out, addrs, sizeof(addrs)) != (ssize_t)sizeof(addrs))
		return 5;
	/* Resident until the parent has compared. */
	if (read(fd_go, &c, 1) < 0)
		return 6;
	return 0;
}

static int test_code_addresses(void)
{
	static uint64_t a[2][ADDR_KEEP];
	int p[2][2], go[2], i, j, k, m, st;
	pid_t pids[2];

	CHECK(pipe(go) == 0);
	for (i = 0; i < 2; i++) {
		CHECK(pipe(p[i]) == 0);
		pids[i] = fork();
		CHECK(pids[i] >= 0);
		if (!pids[i]) {
			close(p[i][0]);
			close(go[1]);
			_exit(addr_child(p[i][1], go[0], i));
		}
		close(p[i][1]);
	}
	close(go[0]);
	for (i = 0; i < 2; i++) {
		size_t got = 0;
		ssize_t n;

		while (got < sizeof(a[i]) &&
		       (n = read(p[i][0], (char *)a[i] + got, sizeof(a[i]) - got)) > 0)
			got += (size_t)n;
		CHECK_EQ(got, sizeof(a[i]));
		close(p[i][0]);
	}
	/* Both children hold all their copies now. */
	for (i = 0; i < 2; i++)
		for (j = 0; j < ADDR_KEEP; j++)
			for (k = 0; k < 2; k++)
				for (m = 0; m < ADDR_KEEP; m++) {
					if ((k == i && m == j) || a[k][m] != a[i][j])
						continue;
					fprintf(stderr, "address 0x%llx twice\n",
						(unsigned long long)a[i][j]);
					return 1;
				}
	close(go[1]);
	for (i = 0; i < 2; i++) {
		CHECK_EQ(waitpid(pids[i], &st, 0), pids[i]);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	return 0;
}

int main(int argc, char **argv)
{
	ct_init(argc, argv);
	T_RUN(test_scope);
	T_RUN(test_forced_collision);
	T_RUN(test_code_addresses);
	return T_DONE();
}
