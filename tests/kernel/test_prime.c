// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Kernel-only tests of buffer objects shared between files and processes
 * (PRIME), of device address reuse and of GEM_CLOSE under a running run
 * (run in the QEMU guest, as root):
 *
 *	share		process A creates an object, its run writes f(a, b)
 *			into it, A exports it; process B imports the dma-buf
 *			(passed over a unix socket), BO_INFO gives B's own
 *			address, B's run reads it (f(x, c), checked against
 *			the CPU reference) and writes it, A reads what B's
 *			run wrote; then A closes everything first and B
 *			keeps full use; the memory stays charged until the
 *			last reference goes
 *	importer first	the importer closes its handle first: its address
 *			is gone, the exporter keeps full use
 *	foreign		a dma-buf of another exporter (udmabuf, else a
 *			dma-buf heap) is refused with -EINVAL
 *	VA reuse	objects of 1 MiB (eight times the device memory)
 *			then 100000 of 4 KiB (more than a file may map)
 *			created and closed one after the other on one file:
 *			never -ENOSPC or -ENOMEM, every one at the same,
 *			lowest, address
 *	close in run	GEM_CLOSE, BO_CREATE and BO_COPY return while a long
 *			run of the file executes: after its load was written
 *			(so it started), before it is done (a non-blocking
 *			WAIT says so afterwards, and CANCEL finds it running)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/dma-heap.h>
#include <linux/udmabuf.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "helpers.h"
#include "chiptest.h"
#include "drm/chip_accel.h"
#include "ktest.h"

#define SEC	1000000000ull
#define MIB	(1ull << 20)
#define NF	1024		/* floats per tensor */
#define BYTES	(NF * 4)
#define GUARD	(64ull << 10)	/* CHIPC_VA_GUARD */

/* BO_INFO by handle: the object's address in @fd's space and its size. */
static int bo_info(int fd, uint32_t handle, uint64_t *va, uint64_t *size)
{
	struct drm_chip_bo_info i = { .handle = handle };
	int ret = kt_ioctl(fd, DRM_IOCTL_CHIP_BO_INFO, &i);

	if (!ret) {
		*va = i.va;
		if (size)
			*size = i.size;
	}
	return ret;
}

/* BO_INFO by address: the handle of the object starting at @va. */
static int bo_at(int fd, uint64_t va, uint32_t *handle)
{
	struct drm_chip_bo_info i = { .flags = DRM_CHIP_BO_INFO_BY_VA, .va = va };
	int ret = kt_ioctl(fd, DRM_IOCTL_CHIP_BO_INFO, &i);

	if (!ret)
		*handle = i.handle;
	return ret;
}

static int bo_copy(int fd, uint64_t va, void *p, uint64_t n, int to_dev)
{
	struct drm_chip_bo_copy c;

	memset(&c, 0, sizeof(c));
	c.va = va;
	c.user_ptr = (uintptr_t)p;
	c.size = n;
	c.flags = to_dev ? DRM_CHIP_BO_COPY_TO_DEVICE : 0;
	return kt_ioctl(fd, DRM_IOCTL_CHIP_BO_COPY, &c);
}

static int fill(int fd, uint64_t va, float v)
{
	float buf[NF];
	int i;

	for (i = 0; i < NF; i++)
		buf[i] = v + (float)(i % 7);
	return bo_copy(fd, va, buf, BYTES, 1);
}

/* Elements of the object at @va differing from f(a + i % 7, b + i % 7). */
static int mismatches(int fd, uint64_t va, float a, float b)
{
	float buf[NF];
	int i, n = 0;

	if (bo_copy(fd, va, buf, BYTES, 0))
		return -1;
	for (i = 0; i < NF; i++)
		n += buf[i] != ct_vector_ref(a + (float)(i % 7),
					     b + (float)(i % 7));
	return n;
}

/*
 * Elements of the object at @va differing from f(f(a', b'), c') with
 * x' = x + i % 7: a run of @fd read an object written by another run.
 */
static int mismatches2(int fd, uint64_t va, float a, float b, float c)
{
	float buf[NF];
	int i, n = 0;

	if (bo_copy(fd, va, buf, BYTES, 0))
		return -1;
	for (i = 0; i < NF; i++) {
		float k = (float)(i % 7);

		n += buf[i] != ct_vector_ref(ct_vector_ref(a + k, b + k), c + k);
	}
	return n;
}

/* RUN without waiting: a run of @cid over the tensors at @va. */
static int submit(int fd, int32_t cid, const uint64_t *va, uint32_t nva,
		  uint64_t timeout_ns, const struct drm_chip_load *ld,
		  uint64_t *seq)
{
	struct chip_args args;
	struct drm_chip_run r;
	uint8_t blob[512];
	long len;
	uint32_t i;
	int ret;

	chip_args_init(&args);
	for (i = 0; i < nva; i++)
		ct_add_f32(&args, va[i], NF);
	len = chip_args_encode(&args, blob, sizeof(blob));
	if (len < 0)
		return (int)len;
	memset(&r, 0, sizeof(r));
	r.args_ptr = (uintptr_t)blob;
	r.args_size = (uint64_t)len;
	r.cid = cid;
	r.block_dim = 1;
	r.aicpu_threads = 1;
	r.timeout_ns = timeout_ns;
	r.loads_ptr = (uintptr_t)ld;
	r.load_count = ld ? 1 : 0;
	ret = kt_ioctl(fd, DRM_IOCTL_CHIP_RUN, &r);
	if (!ret)
		*seq = r.seq;
	return ret;
}

/* The vector workload (cid 1) f(@a, @b) -> @f on @fd; its status. */
static int vrun(int fd, uint64_t a, uint64_t b, uint64_t f)
{
	const uint64_t va[3] = { a, b, f };
	uint32_t status = ~0u;
	uint64_t seq;
	int ret;

	ret = submit(fd, 1, va, 3, 10 * SEC, NULL, &seq);
	if (!ret)
		ret = kt_wait(fd, seq, kt_mono_ns() + 60 * SEC, &status);
	return ret ? ret : (int)status;
}

static int export(int fd, uint32_t handle, int *dmabuf)
{
	struct t_prime_handle p = { .handle = handle, .flags = O_CLOEXEC | O_RDWR };
	int ret = kt_ioctl(fd, T_IOCTL_PRIME_HANDLE_TO_FD, &p);

	if (!ret)
		*dmabuf = p.fd;
	return ret;
}

static int import(int fd, int dmabuf, uint32_t *handle)
{
	struct t_prime_handle p = { .fd = dmabuf };
	int ret = kt_ioctl(fd, T_IOCTL_PRIME_FD_TO_HANDLE, &p);

	if (!ret)
		*handle = p.handle;
	return ret;
}

static int counters(int fd, struct drm_chip_counters *c)
{
	memset(c, 0, sizeof(*c));
	return kt_ioctl(fd, DRM_IOCTL_CHIP_COUNTERS, c);
}

static int features(int fd, uint64_t *v)
{
	struct drm_chip_get_param p = { .param = DRM_CHIP_PARAM_FEATURES };
	int ret = kt_ioctl(fd, DRM_IOCTL_CHIP_GET_PARAM, &p);

	*v = p.value;
	return ret;
}

/* ---- a file descriptor over a unix socket ------------------------------- */

static int send_fd(int sock, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))], b = 'f';
	struct iovec iov = { .iov_base = &b, .iov_len = 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);

	memset(cbuf, 0, sizeof(cbuf));
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &m, 0) == 1 ? 0 : -1;
}

static int recv_fd(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))], b;
	struct iovec iov = { .iov_base = &b, .iov_len = 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c;
	int fd = -1;

	if (recvmsg(sock, &m, 0) != 1)
		return -1;
	c = CMSG_FIRSTHDR(&m);
	if (c && c->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

/* One byte between the processes: a step done, or a failure (not 'k'). */
static int say(int sock, char ch)
{
	return write(sock, &ch, 1) == 1 ? 0 : -1;
}

static char hear(int sock)
{
	char ch = 0;

	return read(sock, &ch, 1) == 1 ? ch : 0;
}

/* ---- process B: the importer -------------------------------------------- */

#define B_CHECK(cond, code) do { if (!(cond)) { \
	fprintf(stderr, "importer: %s failed (line %d)\n", #cond, __LINE__); \
	say(sock, (code)); _exit(code); } } while (0)

static void importer(int sock)
{
	struct drm_chip_counters c;
	uint64_t vc, vy, vx, size, pad_va;
	uint32_t hc, hy, hx, hpad, h;
	int fd = kt_open_node(NULL), dmabuf;

	B_CHECK(fd >= 0, 'a');
	B_CHECK(kt_reg(fd, 1, CT_VECTOR) == 0, 'b');
	/* objects of its own first: its addresses differ from A's */
	B_CHECK(kt_bo_create(fd, 3 * MIB, &hpad, &pad_va) == 0, 'c');
	B_CHECK(kt_bo_create(fd, BYTES, &hc, &vc) == 0, 'c');
	B_CHECK(kt_bo_create(fd, BYTES, &hy, &vy) == 0, 'c');
	B_CHECK(fill(fd, vc, 5.0f) == 0, 'd');

	dmabuf = recv_fd(sock);
	B_CHECK(dmabuf >= 0, 'e');
	B_CHECK(import(fd, dmabuf, &hx) == 0, 'f');
	close(dmabuf);
	/* its own address, in its own space; found by address too */
	B_CHECK(bo_info(fd, hx, &vx, &size) == 0, 'g');
	B_CHECK(size == BYTES, 'g');
	B_CHECK(vx > vy, 'g');
	B_CHECK(bo_at(fd, vx, &h) == 0 && h == hx, 'h');
	printf("# importer: the object at 0x%llx\n", (unsigned long long)vx);

	/* 1. B reads what A's run wrote, with BO_COPY and with a run */
	B_CHECK(mismatches(fd, vx, 1.0f, 2.0f) == 0, 'i');
	B_CHECK(vrun(fd, vx, vc, vy) == CHIP_STATUS_OK, 'j');
	B_CHECK(mismatches2(fd, vy, 1.0f, 2.0f, 5.0f) == 0, 'k' + 1);
	/* 2. B's run writes it: f(c, c) */
	B_CHECK(vrun(fd, vc, vc, vx) == CHIP_STATUS_OK, 'l');
	B_CHECK(say(sock, 'k') == 0, 'm');

	/* 3. A has closed its handle, its file and exited */
	B_CHECK(hear(sock) == 'k', 'n');
	B_CHECK(bo_info(fd, hx, &size, NULL) == 0 && size == vx, 'o');
	B_CHECK(fill(fd, vc, 3.0f) == 0, 'p');
	B_CHECK(vrun(fd, vc, vc, vx) == CHIP_STATUS_OK, 'q');
	B_CHECK(mismatches(fd, vx, 3.0f, 3.0f) == 0, 'r');
	B_CHECK(vrun(fd, vx, vc, vy) == CHIP_STATUS_OK, 's');
	B_CHECK(mismatches2(fd, vy, 3.0f, 3.0f, 3.0f) == 0, 't');
	/* the importer's own counter does not count the creator's object */
	B_CHECK(counters(fd, &c) == 0, 'u');
	B_CHECK(c.gm_used == 3 * MIB + 2 * 4096, 'u');
	B_CHECK(c.dev_gm_used >= 3 * MIB + 3 * 4096, 'u');
	B_CHECK(say(sock, 'k') == 0, 'v');
	B_CHECK(hear(sock) == 'k', 'w');
	close(fd);
	_exit(0);
}

static int exporter(int sock, int probe, uint64_t heap,
		    const struct drm_chip_counters *c0);

static int test_share(void)
{
	struct drm_chip_get_param hp = { 0 };
	struct drm_chip_counters c0, c1;
	uint64_t feat, heap;
	int sv[2], st, probe, ret;
	pid_t pid;

	probe = kt_open_node(NULL);
	CHECK(probe >= 0);
	CHECK_EQ(features(probe, &feat), 0);
	CHECK_EQ(counters(probe, &c0), 0);
	hp.param = DRM_CHIP_PARAM_HEAP_SIZE;
	CHECK_EQ(kt_ioctl(probe, DRM_IOCTL_CHIP_GET_PARAM, &hp), 0);
	heap = hp.value;

	CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	pid = fork();
	CHECK(pid >= 0);
	if (!pid) {
		close(sv[0]);
		close(probe);
		importer(sv[1]);
	}
	close(sv[1]);
	ret = exporter(sv[0], probe, heap, &c0);
	close(sv[0]);
	if (ret)
		kill(pid, SIGKILL);
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK_EQ(ret, 0);
	CHECK(WIFEXITED(st));
	CHECK_EQ(WEXITSTATUS(st), 0);
	/* everything went with the last reference */
	CHECK_EQ(counters(probe, &c1), 0);
	CHECK_U64(c1.dev_gm_used, c0.dev_gm_used);
	CHECK_U64(c1.dev_bos, c0.dev_bos);
	CHECK(feat & DRM_CHIP_FEATURE_IMPORT);
	close(probe);
	return 0;
}

/* Process A: creates, writes, exports, closes first. */
static int exporter(int sock, int probe, uint64_t heap,
		    const struct drm_chip_counters *c0)
{
	struct drm_chip_counters c1, cm;
	uint64_t va, vb, vx;
	uint32_t ha, hb, hx;
	int fd, dmabuf;

	fd = kt_open_node(NULL);
	CHECK(fd >= 0);
	CHECK_EQ(kt_reg(fd, 1, CT_VECTOR), 0);
	CHECK_EQ(kt_bo_create(fd, BYTES, &hx, &vx), 0);
	CHECK_EQ(kt_bo_create(fd, BYTES, &ha, &va), 0);
	CHECK_EQ(kt_bo_create(fd, BYTES, &hb, &vb), 0);
	CHECK_EQ(fill(fd, va, 1.0f), 0);
	CHECK_EQ(fill(fd, vb, 2.0f), 0);
	/* A's run writes x = f(a, b); A exports x */
	CHECK_EQ(vrun(fd, va, vb, vx), CHIP_STATUS_OK);
	CHECK_EQ(mismatches(fd, vx, 1.0f, 2.0f), 0);
	CHECK_EQ(export(fd, hx, &dmabuf), 0);
	CHECK_EQ(send_fd(sock, dmabuf), 0);
	close(dmabuf);
	printf("# exporter: the object at 0x%llx\n", (unsigned long long)vx);

	/* B read it and its run wrote f(5 + k, 5 + k) into it */
	CHECK_EQ(hear(sock), 'k');
	CHECK_EQ(mismatches(fd, vx, 5.0f, 5.0f), 0);
	/* and A's runs read what B's run wrote */
	CHECK_EQ(vrun(fd, vx, vb, va), CHIP_STATUS_OK);
	CHECK_EQ(mismatches2(fd, va, 5.0f, 5.0f, 2.0f), 0);

	/*
	 * The exporter closes first: handle, then file (a process exiting
	 * does the same).  A's file gives back its heap and its two own
	 * objects, not the shared one, which B holds.
	 */
	CHECK_EQ(counters(probe, &cm), 0);
	CHECK_EQ(kt_gem_close(fd, hx), 0);
	close(fd);
	CHECK_EQ(say(sock, 'k'), 0);
	CHECK_EQ(hear(sock), 'k');
	CHECK_EQ(counters(probe, &c1), 0);
	CHECK_U64(c1.dev_gm_used, cm.dev_gm_used - 2 * 4096 - heap);
	CHECK_U64(c1.dev_bos, cm.dev_bos - 2);
	CHECK_U64(c1.dev_bos, c0->dev_bos + 4);
	CHECK_EQ(say(sock, 'k'), 0);
	return 0;
}

/*
 * The importer closes first (two files of one process stand for two
 * processes: the kernel tells them apart by file only).
 */
static int test_importer_first(void)
{
	uint64_t va, vb, vx, vxb;
	uint32_t ha, hb, hx, hxb, h;
	int a = kt_open_node(NULL), b = kt_open_node(NULL), dmabuf;

	CHECK(a >= 0 && b >= 0);
	CHECK_EQ(kt_reg(a, 1, CT_VECTOR), 0);
	CHECK_EQ(kt_reg(b, 1, CT_VECTOR), 0);
	CHECK_EQ(kt_bo_create(a, BYTES, &ha, &va), 0);
	CHECK_EQ(kt_bo_create(a, BYTES, &hb, &vb), 0);
	CHECK_EQ(kt_bo_create(a, BYTES, &hx, &vx), 0);
	CHECK_EQ(export(a, hx, &dmabuf), 0);
	CHECK_EQ(import(b, dmabuf, &hxb), 0);
	CHECK_EQ(bo_info(b, hxb, &vxb, NULL), 0);
	/* the first object of b's empty space: the lowest address */
	CHECK_U64(vxb, va);
	CHECK(vxb != vx);
	/* importing again gives the same handle (the DRM core's lookup) */
	CHECK_EQ(import(b, dmabuf, &h), 0);
	CHECK_EQ(h, hxb);
	CHECK_EQ(fill(b, vxb, 4.0f), 0);
	CHECK_EQ(kt_gem_close(b, hxb), 0);
	CHECK_EQ(bo_at(b, vxb, &h), -ENOENT);
	CHECK_EQ(bo_info(b, hxb, &vxb, NULL), -ENOENT);
	CHECK_EQ(bo_copy(b, vxb, &h, sizeof(h), 0), -EFAULT);
	/* a keeps full use, and sees what b wrote */
	CHECK_EQ(fill(a, va, 1.0f), 0);
	CHECK_EQ(vrun(a, vx, va, vb), CHIP_STATUS_OK);
	CHECK_EQ(mismatches(a, vb, 4.0f, 1.0f), 0);
	CHECK_EQ(vrun(a, va, va, vx), CHIP_STATUS_OK);
	CHECK_EQ(mismatches(a, vx, 1.0f, 1.0f), 0);
	/* the dma-buf still maps into b again, at b's lowest address */
	CHECK_EQ(import(b, dmabuf, &hxb), 0);
	CHECK_EQ(bo_info(b, hxb, &vxb, NULL), 0);
	CHECK_U64(vxb, va);
	CHECK_EQ(mismatches(b, vxb, 1.0f, 1.0f), 0);
	close(dmabuf);
	close(b);
	CHECK_EQ(mismatches(a, vx, 1.0f, 1.0f), 0);
	close(a);
	return 0;
}

/* ---- a dma-buf of another exporter ------------------------------------- */

/* A dma-buf from udmabuf, else from the system heap; -1 if neither. */
static int foreign_dmabuf(const char **from)
{
	struct udmabuf_create u;
	int dev, memfd, buf = -1;

	dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	if (dev >= 0) {
		memfd = memfd_create("chip-foreign", MFD_ALLOW_SEALING | MFD_CLOEXEC);
		if (memfd >= 0 && !ftruncate(memfd, 65536) &&
		    !fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK)) {
			memset(&u, 0, sizeof(u));
			u.memfd = (uint32_t)memfd;
			u.flags = UDMABUF_FLAGS_CLOEXEC;
			u.size = 65536;
			buf = ioctl(dev, UDMABUF_CREATE, &u);
			*from = "udmabuf";
		}
		if (memfd >= 0)
			close(memfd);
		close(dev);
		if (buf >= 0)
			return buf;
		printf("# udmabuf: %s\n", strerror(errno));
	}
	dev = open("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC);
	if (dev >= 0) {
		struct dma_heap_allocation_data d;

		memset(&d, 0, sizeof(d));
		d.len = 65536;
		d.fd_flags = O_RDWR | O_CLOEXEC;
		if (!ioctl(dev, DMA_HEAP_IOCTL_ALLOC, &d)) {
			buf = (int)d.fd;
			*from = "dma-heap system";
		}
		close(dev);
	}
	return buf;
}

static int test_foreign(void)
{
	const char *from = NULL;
	int fd = kt_open_node(NULL), buf;
	uint32_t h = 0;

	CHECK(fd >= 0);
	buf = foreign_dmabuf(&from);
	if (buf < 0) {
		printf("# no udmabuf and no dma-buf heap in this kernel: skipped\n");
		close(fd);
		return 77;
	}
	printf("# a dma-buf of %s\n", from);
	CHECK_EQ(import(fd, buf, &h), -EINVAL);
	close(buf);
	close(fd);
	return 0;
}

/* ---- device addresses are reused ---------------------------------------- */

/*
 * @n objects of @size created and closed one after the other on @fd,
 * which holds one object at @vk of 4 KiB: every one must be placed right
 * after it and its guard gap (the lowest free address), never -ENOSPC or
 * -ENOMEM.
 */
static int create_close_loop(int fd, uint64_t vk, uint64_t size, int n)
{
	uint64_t va, lo = ~0ull, hi = 0, t0 = kt_mono_ns();
	uint32_t h;
	int i, ret;

	for (i = 0; i < n; i++) {
		ret = kt_bo_create(fd, size, &h, &va);
		if (ret) {
			printf("# object %d: %s\n", i, strerror(-ret));
			CHECK_EQ(ret, 0);
		}
		lo = va < lo ? va : lo;
		hi = va > hi ? va : hi;
		CHECK_EQ(kt_gem_close(fd, h), 0);
	}
	printf("# %d objects of %llu KiB: addresses 0x%llx..0x%llx in %llu ms\n",
	       n, (unsigned long long)(size >> 10), (unsigned long long)lo,
	       (unsigned long long)hi,
	       (unsigned long long)((kt_mono_ns() - t0) / 1000000));
	CHECK_U64(lo, vk + 4096 + GUARD);
	CHECK_U64(hi, lo);
	return 0;
}

/*
 * Objects of 1 MiB, eight times the device memory in all (the charge of
 * each must come back), then 100000 objects of one page, more than six
 * times what a file may map at once (16384: the mapping of each must
 * go).  Under TCG an object of 1 MiB costs about 9 ms (its pages), so
 * 100000 of them would not fit in the guest's time per test program.
 */
static int test_va_reuse(void)
{
	struct drm_chip_get_param gm = { .param = DRM_CHIP_PARAM_GM_SIZE };
	int fd = kt_open_node(NULL);
	uint64_t vk;
	uint32_t hk;

	CHECK(fd >= 0);
	CHECK_EQ(kt_ioctl(fd, DRM_IOCTL_CHIP_GET_PARAM, &gm), 0);
	/* one object that stays, so that the loop's are not the first */
	CHECK_EQ(kt_bo_create(fd, 4096, &hk, &vk), 0);
	CHECK_EQ(create_close_loop(fd, vk, MIB, (int)(8 * (gm.value / MIB))), 0);
	CHECK_EQ(create_close_loop(fd, vk, 4096, 100000), 0);
	CHECK_EQ(kt_gem_close(fd, hk), 0);
	close(fd);
	return 0;
}

/* ---- GEM_CLOSE while a run of the file executes ------------------------- */

static int test_close_in_run(void)
{
	const uint32_t mark = 0x600dcafe;
	struct drm_chip_load ld;
	struct drm_chip_cancel cc;
	uint64_t va, vb, vm, seq, nil = 0, end;
	uint32_t h, hb, hm, hn, st = 0, seen = 0;
	int fd = kt_open_node(NULL);
	float v = 1.0f;

	CHECK(fd >= 0);
	CHECK_EQ(kt_reg(fd, 1, CT_SPIN), 0);
	CHECK_EQ(kt_bo_create(fd, BYTES, &h, &va), 0);
	CHECK_EQ(kt_bo_create(fd, BYTES, &hb, &vb), 0);
	CHECK_EQ(kt_bo_create(fd, 4096, &hm, &vm), 0);
	/*
	 * A run that spins until its 60 s watchdog or a cancel; its load
	 * writes @mark into the object at vm just before it executes, so
	 * seeing the mark there means the run is running.
	 */
	memset(&ld, 0, sizeof(ld));
	ld.va = vm;
	ld.user_ptr = (uintptr_t)&mark;
	ld.size = sizeof(mark);
	CHECK_EQ(submit(fd, 1, &nil, 0, 60 * SEC, &ld, &seq), 0);
	end = kt_mono_ns() + 30 * SEC;
	while (seen != mark && kt_mono_ns() < end) {
		CHECK_EQ(bo_copy(fd, vm, &seen, sizeof(seen), 0), 0);
		if (seen != mark)
			usleep(1000);
	}
	CHECK_EQ(seen, mark);
	/* the file's view is held by the run: none of these waits for it */
	CHECK_EQ(kt_gem_close(fd, h), 0);
	CHECK_EQ(kt_bo_create(fd, BYTES, &hn, NULL), 0);
	CHECK_EQ(bo_copy(fd, vb, &v, sizeof(v), 1), 0);
	CHECK_EQ(kt_gem_close(fd, hn), 0);
	/* ... and all of them returned before the run was done */
	CHECK_EQ(kt_wait(fd, seq, 1, &st), -ETIMEDOUT);
	memset(&cc, 0, sizeof(cc));
	CHECK_EQ(kt_ioctl(fd, DRM_IOCTL_CHIP_CANCEL, &cc), 0);
	CHECK_EQ(cc.cancelled, 0);	/* it was running, not queued */
	CHECK_EQ(kt_wait(fd, seq, kt_mono_ns() + 30 * SEC, &st), 0);
	CHECK_EQ(st, CHIP_STATUS_CANCELLED);
	CHECK_EQ(bo_copy(fd, va, &v, sizeof(v), 0), -EFAULT);
	CHECK_EQ(kt_gem_close(fd, hb), 0);
	CHECK_EQ(kt_gem_close(fd, hm), 0);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	ct_init(argc, argv);
	T_RUN(test_share);
	T_RUN(test_importer_first);
	T_RUN(test_foreign);
	T_RUN(test_close_in_run);
	T_RUN(test_va_reuse);
	return T_DONE();
}
