// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * fuzz_ioctl: a seeded, bounded fuzzer of chip.ko for the QEMU guest, in
 * the spirit of syzkaller.
 *
 * Several worker processes (half of them root, half the unprivileged user
 * 65534) run random sequences of operations on the device node: every
 * chip ioctl, core DRM ioctls (known numbers and random ones 0x00-0xff),
 * io_uring commands (DRM_CHIP_URING_RUN/NOP and random cmd_ops on raw
 * rings, some with IOSQE_ASYNC), mmap/munmap/madvise of buffer objects
 * and of exported dma-bufs, PRIME export/import (an import is mapped in
 * the importer's own address space), open/dup/close, fork
 * (children that act on the inherited files and exit or are killed),
 * threads blocked in an ioctl while the file is closed under them, and
 * SIGKILL of whole workers by the supervisor.  Arguments come from what
 * the worker tracks (handles, device addresses, cids, seqs, rings, maps)
 * mixed with boundary and random values; user pointers are valid,
 * unmapped, read-only, kernel addresses or mappings of buffer objects.
 *
 * Bound: CHIP_FUZZ_OPS operations in total (all processes); seed:
 * CHIP_FUZZ_SEED (else one from the clock, printed first).  A worker's
 * sequence depends only on the seed and its index (and generation, after
 * a kill), so CHIP_FUZZ_PROCS=1 CHIP_FUZZ_KILL=0 with the printed seed
 * replays one worker exactly.
 *
 * The verdict (cases of the usual "N passed, N failed" line):
 *  - fuzz: every worker ends (exit 0, or killed by the supervisor) before
 *    the deadline; no worker saw an errno outside the documented set, a
 *    completion posted twice or for nothing, or a fault on a mapping it
 *    holds.  On a hang every worker's current operation is printed.
 *  - counters: once every fuzz process is gone the device holds no file,
 *    buffer object, device memory, run or resident callable beyond the
 *    baseline taken before the fuzz (DRM_IOCTL_CHIP_COUNTERS).
 *  - memory: unreclaimable slab and vmalloc use back within a tolerance
 *    of the baseline (MEM_TOLERANCE_KB; taken after a warm-up round so
 *    that caches filled once are not counted).  The slab caches that grew
 *    most are printed, to say where the memory went.
 *  - kernel log: no WARNING/BUG/Oops/hung task/lockup/stall/KASAN/UBSAN
 *    line appeared in /dev/kmsg during the run.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/io_uring.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "helpers.h"
#include "chiptest.h"
#include "programs.h"
#include "drm/chip_accel.h"
#include "chip_callable.h"
#include "ktest.h"

/* ---- configuration ------------------------------------------------------ */

#define MAX_PROCS		16
#define NFD			8	/* fd slots per process */
#define NFILE			16	/* open files tracked per process */
#define NBO			32	/* buffer objects tracked per file */
#define NCID			16	/* cids tracked per file */
#define NSEQ			64	/* ioctl seqs tracked per file */
#define NMAP			32	/* mappings tracked per process */
#define NRING			3	/* rings per process */
#define NPEND			256	/* io_uring requests in flight per process */
#define NDMABUF			8
#define NIMG			24	/* callable images built per process */
#define SCRATCH			(1u << 20)
#define MEM_TOLERANCE_KB	2048

static uint64_t opt_seed;
static long opt_ops = 30000;
static int opt_procs = 4;
static int opt_kill = 1;
static int opt_deadline = 240;	/* seconds */
static const char *node;

/* ---- random numbers ------------------------------------------------------ */

static uint64_t rs;

static uint64_t splitmix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static uint64_t rnd(void)
{
	rs = splitmix(rs);
	return rs;
}

static uint32_t rn(uint32_t n)
{
	return n ? (uint32_t)(rnd() % n) : 0;
}

static int chance(unsigned int pct)
{
	return rn(100) < pct;
}

/* A boundary value, or a random one. */
static uint64_t rval(void)
{
	static const uint64_t v[] = {
		0, 1, 2, 3, 4, 7, 8, 15, 16, 63, 64, 255, 256, 4095, 4096,
		4097, 65535, 65536, 1u << 20, 1u << 24, 0x7fffffff, 0x80000000,
		0xffffffff, 0x100000000ull, 0x7fffffffffffffffull,
		0x8000000000000000ull, 0xfffffffffffff000ull, ~0ull, ~0ull - 1,
	};

	switch (rn(4)) {
	case 0:
		return rnd();
	case 1:
		return rnd() & 0xffff;
	default:
		return v[rn(sizeof(v) / sizeof(v[0]))];
	}
}

/* ---- shared state: op counter, what each worker is doing ----------------- */

struct wstate {
	pid_t pid;
	int gen;
	uint64_t seed;
	long nops;		/* operations of this worker (and children) */
	char cur[64];		/* current operation */
};

#define MAX_OPS 64

#define SH_MAGIC 0x6368697066757a7aull

/*
 * Shared by the supervisor and every worker.  Magic words at both ends:
 * nothing but this program's own stores may change the page, and each
 * process checks them after every operation (a kernel write to the wrong
 * user page would show here).
 */
struct shared {
	uint64_t magic0;
	long ops;		/* operations started, all processes */
	long max_ops;
	int findings;
	struct wstate w[MAX_PROCS];
	long calls[MAX_OPS], oks[MAX_OPS];	/* per operation */
	uint64_t magic1;
};

_Static_assert(sizeof(struct shared) <= 4096, "one page");

static struct shared *sh;
static int me = -1;		/* worker index */
static long my_max;		/* the bound, a private copy */
static const char *last_ops[4];	/* the last operations of this process */
static long nops_private;
static int cur_op;		/* index of the operation under way */
static int in_child;		/* a forked child of a worker */
static uint64_t worker_seed;

static void finding(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static void finding(const char *fmt, ...)
{
	static int printed;
	va_list ap;
	char buf[256];

	__atomic_add_fetch(&sh->findings, 1, __ATOMIC_RELAXED);
	if (++printed > 10)
		return;		/* the first ones tell */
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printf("FINDING: worker %d%s (seed 0x%llx, op %ld, %s): %s\n", me,
	       in_child ? " child" : "", (unsigned long long)worker_seed,
	       sh->w[me].nops, sh->w[me].cur, buf);
	fflush(stdout);
}

/* ---- the device and the DRM core ------------------------------------------- */

/* The DRM core's ioctls this fuzzer knows (drm.h has no userspace copy). */
struct drm_gem_close_s { uint32_t handle, pad; };
struct drm_prime_handle_s { uint32_t handle, flags; int32_t fd; };
#define DRM_IOCTL_GEM_CLOSE_	_IOW('d', 0x09, struct drm_gem_close_s)
#define DRM_IOCTL_PRIME_H2FD	_IOWR('d', 0x2d, struct drm_prime_handle_s)
#define DRM_IOCTL_PRIME_FD2H	_IOWR('d', 0x2e, struct drm_prime_handle_s)
#define DRM_CLOEXEC_		O_CLOEXEC
#define DRM_RDWR_		O_RDWR

static const struct { uint8_t nr, dir; uint16_t size; } core_ioctls[] = {
	{ 0x00, 3, 64 },	/* VERSION */
	{ 0x01, 3, 16 },	/* GET_UNIQUE */
	{ 0x02, 2, 4 },		/* GET_MAGIC */
	{ 0x03, 3, 16 },	/* IRQ_BUSID */
	{ 0x04, 3, 40 },	/* GET_MAP */
	{ 0x05, 3, 40 },	/* GET_CLIENT */
	{ 0x06, 2, 248 },	/* GET_STATS */
	{ 0x07, 3, 16 },	/* SET_VERSION */
	{ 0x08, 1, 8 },		/* MODESET_CTL */
	{ 0x09, 1, 8 },		/* GEM_CLOSE */
	{ 0x0a, 3, 8 },		/* GEM_FLINK */
	{ 0x0b, 3, 16 },	/* GEM_OPEN */
	{ 0x0c, 3, 16 },	/* GET_CAP */
	{ 0x0d, 1, 16 },	/* SET_CLIENT_CAP */
	{ 0x10, 1, 16 },	/* SET_UNIQUE */
	{ 0x11, 1, 4 },		/* AUTH_MAGIC */
	{ 0x1e, 0, 0 },		/* SET_MASTER */
	{ 0x1f, 0, 0 },		/* DROP_MASTER */
	{ 0x2d, 3, 12 },	/* PRIME_HANDLE_TO_FD */
	{ 0x2e, 3, 12 },	/* PRIME_FD_TO_HANDLE */
	{ 0x30, 0, 0 },		/* AGP_ACQUIRE */
	{ 0x3a, 3, 24 },	/* WAIT_VBLANK */
	{ 0xa0, 3, 64 },	/* MODE_GETRESOURCES */
	{ 0xb4, 3, 32 },	/* MODE_CREATE_DUMB */
	{ 0xbf, 3, 8 },		/* SYNCOBJ_CREATE */
	{ 0xc0, 3, 8 },		/* SYNCOBJ_DESTROY */
	{ 0xc1, 3, 16 },	/* SYNCOBJ_HANDLE_TO_FD */
	{ 0xc2, 3, 16 },	/* SYNCOBJ_FD_TO_HANDLE */
	{ 0xc3, 3, 32 },	/* SYNCOBJ_WAIT */
	{ 0xc4, 3, 16 },	/* SYNCOBJ_RESET */
	{ 0xca, 3, 40 },	/* SYNCOBJ_TIMELINE_WAIT */
	{ 0xcb, 3, 24 },	/* SYNCOBJ_QUERY */
	{ 0xcc, 3, 32 },	/* SYNCOBJ_TRANSFER */
	{ 0xce, 3, 16 },	/* SYNCOBJ_EVENTFD */
};

static const unsigned long chip_ioctls[] = {
	DRM_IOCTL_CHIP_GET_PARAM, DRM_IOCTL_CHIP_BO_CREATE,
	DRM_IOCTL_CHIP_BO_INFO, DRM_IOCTL_CHIP_BO_COPY,
	DRM_IOCTL_CHIP_REGISTER, DRM_IOCTL_CHIP_UNREGISTER,
	DRM_IOCTL_CHIP_RUN, DRM_IOCTL_CHIP_WAIT, DRM_IOCTL_CHIP_COUNTERS,
	DRM_IOCTL_CHIP_CANCEL,
};

/*
 * The errnos a chip ioctl may return (Documentation/uapi.rst and the
 * DRM core's own: -ENOTTY/-EINVAL for unknown numbers, -EACCES/-EPERM
 * for privileged ones, -EBADF for a closed descriptor, -EINTR/-EAGAIN).
 */
static int errno_ok(int e)
{
	switch (e) {
	case EINVAL: case ENOENT: case EFAULT: case E2BIG: case ENOSPC:
	case ENOMEM: case EPERM: case EACCES: case EBUSY: case ETIMEDOUT:
	case EAGAIN: case EINTR: case ENOTTY: case EBADF: case EOVERFLOW:
	case ERANGE: case ENODEV: case EOPNOTSUPP: case ECANCELED:
	case EEXIST: case EMFILE: case ENFILE: case ENOEXEC: case EDQUOT:
	case EMSGSIZE: case ENOSYS:
		return 1;
	}
	return 0;
}

static int xioctl(int fd, unsigned long req, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, req, arg);
	} while (ret == -1 && errno == EINTR);
	if (ret != -1 && sh && me >= 0)
		__atomic_add_fetch(&sh->oks[cur_op], 1, __ATOMIC_RELAXED);
	return ret == -1 ? -errno : ret;
}

/* A chip ioctl: checks the errno against the documented set. */
static int cioctl(int fd, unsigned long req, void *arg, const char *what)
{
	int ret = xioctl(fd, req, arg);

	if (ret < 0 && !errno_ok(-ret))
		finding("%s: unexpected errno %d (%s)", what, -ret,
			strerror(-ret));
	return ret;
}

static const char *find_node(void)
{
	static const char *const cand[] = {
		"/dev/accel/accel0", "/dev/dri/renderD128",
	};
	size_t i;

	for (i = 0; i < sizeof(cand) / sizeof(cand[0]); i++)
		if (!access(cand[i], F_OK))
			return cand[i];
	return NULL;
}

/* ---- what a worker tracks ------------------------------------------------ */

struct bo {
	uint32_t handle;
	uint64_t va, size;
};

struct cidrec {
	int32_t cid;
	int kind;		/* an index of imgs[] */
};

struct file {
	int used, refs;		/* refs: fd slots naming it */
	struct bo bo[NBO];
	int nbo;
	struct cidrec cid[NCID];
	int ncid;
	uint64_t seq[NSEQ];
	int nseq;
};

struct slot {
	int fd;			/* -1: free */
	int file;
};

struct map {
	void *p;
	size_t len;
	int prot;
	int dontfork;		/* MADV_DONTFORK: absent in a child */
};

/* An io_uring on raw system calls (only this process's own rings). */
struct ring {
	int fd;			/* -1: none */
	unsigned int flags;
	unsigned int *sq_head, *sq_tail, *sq_mask, *sq_array;
	unsigned int *cq_head, *cq_tail, *cq_mask;
	unsigned int sq_entries, cq_entries, inflight;
	struct io_uring_sqe *sqes;
	unsigned char *cqes;
	void *map;
	size_t map_len, sqes_len;
	int id;
};

/* A request in flight on a ring: its memory lives until its completion. */
struct pend {
	int ring_id;		/* 0: free */
	int done_ring;		/* the ring of its last completion */
	void *mem;
	size_t len;
	int mmapped;
};

/* Callable images: valid ones of each workload, and generated programs. */
struct img {
	void *p;
	size_t len;
	int work;		/* enum ct_work, or -1: generated program */
};

static struct file files[NFILE];
static struct slot slots[NFD];
static struct map maps[NMAP];
static struct ring rings[NRING];
static struct pend pend[NPEND];
static int dmabufs[NDMABUF];
static struct img imgs[NIMG];
static int nimgs;
static int ring_ids;
static unsigned char *scratch;
static void *bad_page, *ro_page;
static uint64_t max_timeout_ns, gm_size;
static unsigned char null_args[64];
static long null_args_len;

/* The child of a worker, killed or reaped later. */
static pid_t child_pid;

static int pick_slot(void)
{
	int i, n = 0, pick[NFD];

	for (i = 0; i < NFD; i++)
		if (slots[i].fd >= 0)
			pick[n++] = i;
	return n ? pick[rn((uint32_t)n)] : -1;
}

static int free_slot(void)
{
	int i;

	for (i = 0; i < NFD; i++)
		if (slots[i].fd < 0)
			return i;
	return -1;
}

/* A descriptor: mostly one of ours; now and then a wrong one. */
static int pick_fd(struct file **f)
{
	int s = pick_slot();

	*f = NULL;
	if (s < 0 || chance(3)) {
		static const int other[] = { -1, 0, 1, 2, 999 };

		return other[rn(5)];
	}
	*f = &files[slots[s].file];
	return slots[s].fd;
}

static void file_forget(struct file *f)
{
	memset(f, 0, sizeof(*f));
}

static void slot_close(int s)
{
	struct file *f = &files[slots[s].file];

	close(slots[s].fd);
	slots[s].fd = -1;
	if (--f->refs == 0)
		file_forget(f);
}

static int new_file(void)
{
	int i;

	for (i = 0; i < NFILE; i++)
		if (!files[i].used) {
			files[i].used = 1;
			return i;
		}
	return -1;
}

static struct bo *pick_bo(struct file *f)
{
	if (!f || !f->nbo)
		return NULL;
	return &f->bo[rn((uint32_t)f->nbo)];
}

static uint32_t pick_handle(struct file *f)
{
	struct bo *b = pick_bo(f);

	if (b && !chance(15))
		return b->handle;
	return (uint32_t)rval();
}

static int32_t pick_cid(struct file *f, int *kind)
{
	*kind = -2;
	if (f && f->ncid && !chance(10)) {
		struct cidrec *c = &f->cid[rn((uint32_t)f->ncid)];

		*kind = c->kind;
		return c->cid;
	}
	if (chance(50))
		return (int32_t)rn(CHIP_MAX_CIDS);
	return (int32_t)rval();
}

static uint64_t pick_seq(struct file *f)
{
	if (f && f->nseq && chance(70))
		return f->seq[rn((uint32_t)f->nseq)];
	return chance(30) ? 0 : rval();
}

static void seq_add(struct file *f, uint64_t seq)
{
	if (!f)
		return;
	if (f->nseq == NSEQ)
		memmove(f->seq, f->seq + 1, sizeof(f->seq[0]) * (NSEQ - 1)),
			f->nseq--;
	f->seq[f->nseq++] = seq;
}

static void seq_del(struct file *f, uint64_t seq)
{
	int i;

	for (i = 0; f && i < f->nseq; i++)
		if (f->seq[i] == seq) {
			f->seq[i] = f->seq[--f->nseq];
			return;
		}
}

/*
 * A user pointer for @len bytes, writable when @write.  With @write 2 the
 * kernel writes it later (a run's store, an io_uring request): never a
 * mapping of a buffer object, whose address may be reused by the time of
 * the write (by one of our rings, say) while the fuzzer relies on it.
 */
static uint64_t pick_uptr(size_t len, int write)
{
	int i;

	switch (rn(20)) {
	case 0:
		return 0;
	case 1:
		return (uintptr_t)bad_page + rn(4096);
	case 2:
		return (uintptr_t)ro_page;
	case 3:
		return 0xffff888000000000ull + (rnd() & 0xfffff000);
	case 4:
		return rval();
	case 5:
		/* a mapping of a buffer object, when there is one */
		for (i = 0; write < 2 && i < NMAP; i++) {
			struct map *m = &maps[(i + rn(NMAP)) % NMAP];

			/* all of it inside: the next mapping is ours too */
			if (m->p && (m->prot & PROT_READ) && len <= m->len &&
			    (!write || (m->prot & PROT_WRITE)))
				return (uintptr_t)m->p + rn((uint32_t)(m->len - len + 1));
		}
		break;
	case 6:
		/* runs past the end of the scratch buffer */
		return (uintptr_t)scratch + SCRATCH - (len ? rn((uint32_t)len) : 0);
	default:
		break;
	}
	if (len >= SCRATCH)
		return (uintptr_t)scratch;
	i = (int)rn((uint32_t)(SCRATCH - len));
	return (uintptr_t)scratch + (uint64_t)(chance(90) ? i & ~7 : i);
}

/* ---- images: the workloads and generated programs ------------------------ */

static const char *const regs[] = {
	"r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "r10",
	"r11", "r12", "r13", "r14", "r15",
};

static long gen_imm(void)
{
	static const long v[] = {
		0, 1, 2, 3, 4, 16, 63, 64, 256, 1024, 2048, 4096, 16384, 49152,
		65535, 65536, 1 << 20, 0x7fffffff, -1, -4, -2147483647 - 1,
	};

	return chance(70) ? v[rn(sizeof(v) / sizeof(v[0]))] :
			    (long)(int32_t)rnd();
}

/*
 * A random kernel program for @core (0 AIC, 1 AIV) as assembler text:
 * argument and local-memory set-up, then random scalar, branch, tile and
 * matrix instructions with boundary operands.
 */
static void gen_kernel(char *buf, size_t cap, int core)
{
	static const char *const r3[] = {
		"add", "sub", "mul", "divu", "remu", "and", "or", "xor", "shl",
		"shr", "sar", "slt", "sltu", "fadd", "fsub", "fmul", "fdiv",
	};
	static const char *const ri[] = { "addi", "muli", "andi", "shli", "shri" };
	static const char *const t3[] = {
		"tadd", "tsub", "tmul", "tdiv", "tmax", "tmin", "tadds", "tsubs",
		"tmuls", "tdivs",
	};
	static const char *const t2[] = { "texp", "trsum", "trmax", "tfill", "tmov" };
	size_t n = 0;
	int i, len = 2 + (int)rn(14);

#define EMIT(...) do { \
	int _k = snprintf(buf + n, cap - n, __VA_ARGS__); \
	if (_k > 0 && (size_t)_k < cap - n) \
		n += (size_t)_k; \
} while (0)
	EMIT("\targ r1, 0\n\tasize r2, 0\n\tli r3, %ld\n", gen_imm());
	EMIT("top:\n");
	for (i = 0; i < len; i++) {
		const char *a = regs[rn(16)], *b = regs[rn(16)], *c = regs[rn(16)];

		switch (rn(15)) {
		case 0:
			EMIT("\tli %s, %ld\n", a, gen_imm());
			break;
		case 1:
			EMIT("\tlih %s, %ld\n", a, gen_imm() & 0xffffffff);
			break;
		case 2:
			EMIT("\t%s %s, %s, %s\n", r3[rn(17)], a, b, c);
			break;
		case 3:
			EMIT("\t%s %s, %s, %ld\n", ri[rn(5)], a, b, gen_imm());
			break;
		case 4:
			EMIT("\tsetvl %s\n", a);
			break;
		case 5:
			EMIT("\tshape %s, %s, %s\n", a, b, c);
			break;
		case 6:
			EMIT("\t%s %s, %s\n", chance(50) ? "tld" : "tst", a, b);
			break;
		case 7:
			EMIT("\t%s %s, %s, %s\n", chance(50) ? "tld2" : "tst2", a, b, c);
			break;
		case 8:
			if (core == CHIP_CORE_AIV)
				EMIT("\t%s %s, %s, %s\n", t3[rn(10)], a, b, c);
			else
				EMIT("\ttmma %s, %s, %s\n", a, b, c);
			break;
		case 9:
			if (core == CHIP_CORE_AIV)
				EMIT("\t%s %s, %s\n", t2[rn(5)], a, b);
			else
				EMIT("\ttmma %s, %s, %s\n", a, b, c);
			break;
		case 10:
			EMIT("\tbne %s, %s, top\n", a, b);
			break;
		case 11:
			EMIT("\t%s %s, %u\n", chance(50) ? "arg" : "asize", a, rn(4));
			break;
		case 12:
			EMIT("\t%s %s\n", chance(50) ? "core" : "ncore", a);
			break;
		case 13:
			/* a shape from whatever the registers hold, used at once */
			EMIT("\tshape %s, %s, %s\n\t%s %s, %s, %s\n", a, b, c,
			     core == CHIP_CORE_AIV ? "tld2" : "tmma",
			     regs[rn(16)], regs[rn(16)], regs[rn(16)]);
			break;
		default:
			EMIT("\tli %s, %ld\n\tli %s, %ld\n\tli %s, %ld\n\tshape %s, %s, %s\n",
			     a, gen_imm(), b, gen_imm(), c, gen_imm(), a, b, c);
			break;
		}
	}
	EMIT("\thalt\n");
#undef EMIT
}

/* One callable: orchestration passing tensor 0 to one generated kernel. */
static int build_generated(void **img, size_t *len)
{
	static const uint8_t sig3[3] = { CHIP_DIR_IN, CHIP_DIR_IN, CHIP_DIR_OUT };
	int core = (int)rn(2);
	char orch[256], kern[2048], err[128];
	struct chip_builder *b;
	void *code = NULL;
	size_t size;
	int rc;

	snprintf(orch, sizeof(orch),
		 "\tnarg r3\n\tbeq r3, r0, none\n\targ r1, 0\n\tasize r2, 0\n"
		 "\ttask 0, %s\n\tttens r1, r2, inout\n\tsubmit r15\n\thalt\n"
		 "none:\n\ttask 0, %s\n\tsubmit r15\n\thalt\n",
		 core ? "aiv" : "aic", core ? "aiv" : "aic");
	gen_kernel(kern, sizeof(kern), core);
	rc = chip_builder_new(CHIP_PLATFORM_A2A3,
			      CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER, &b);
	if (rc)
		return rc;
	rc = chip_asm(orch, &code, &size, err, sizeof(err));
	if (!rc)
		rc = chip_builder_set_orch(b, code, size, "orch", NULL, sig3, 3);
	free(code);
	code = NULL;
	if (!rc)
		rc = chip_asm(kern, &code, &size, err, sizeof(err));
	if (!rc)
		rc = chip_builder_add_child(b, 0, (uint32_t)core, sig3, 3, code,
					    size);
	free(code);
	if (!rc)
		rc = chip_builder_build(b, img, len);
	chip_builder_free(b);
	return rc;
}

static void imgs_free(void)
{
	while (nimgs)
		free(imgs[--nimgs].p);
}

/* The workloads once each, then generated programs. */
static void imgs_build(void)
{
	static const enum ct_work works[] = {
		CT_NULL, CT_VECTOR, CT_SPIN, CT_FATAL, CT_OOB, CT_MANY,
		CT_MATMUL, CT_SOFTMAX, CT_STALE,
	};
	size_t i;

	imgs_free();
	for (i = 0; i < sizeof(works) / sizeof(works[0]); i++) {
		if (ct_build(works[i], CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER,
			     &imgs[nimgs].p, &imgs[nimgs].len))
			continue;
		imgs[nimgs++].work = (int)works[i];
	}
	for (i = 0; nimgs < NIMG && i < 4 * NIMG; i++) {
		if (build_generated(&imgs[nimgs].p, &imgs[nimgs].len))
			continue;
		imgs[nimgs++].work = -1;
	}
}

/* ---- operations ------------------------------------------------------------ */

/* Register a workload (or a generated program) and create buffers. */
static void file_setup(int fd, struct file *f)
{
	struct drm_chip_register r = { 0 };
	struct img *im = &imgs[rn((uint32_t)nimgs)];
	int i;

	r.image_ptr = (uintptr_t)im->p;
	r.image_size = im->len;
	r.cid = (int32_t)rn(CHIP_MAX_CIDS);
	if (!cioctl(fd, DRM_IOCTL_CHIP_REGISTER, &r, "REGISTER")) {
		f->cid[f->ncid].cid = r.cid;
		f->cid[f->ncid].kind = (int)(im - imgs);
		f->ncid++;
	}
	for (i = 0; i < 3; i++) {
		struct drm_chip_bo_create c = { .size = 4096u << rn(5) };

		if (cioctl(fd, DRM_IOCTL_CHIP_BO_CREATE, &c, "BO_CREATE"))
			break;
		f->bo[f->nbo].handle = c.handle;
		f->bo[f->nbo].va = c.va;
		f->bo[f->nbo].size = c.size;
		f->nbo++;
	}
}

static void op_open(void)
{
	static const int modes[] = { O_RDWR, O_RDWR, O_RDWR, O_RDONLY, O_WRONLY };
	int s = free_slot(), fl, fd, fi;

	if (s < 0) {
		slot_close(pick_slot());
		s = free_slot();
	}
	fi = new_file();
	if (fi < 0)
		return;
	fl = modes[rn(5)] | O_CLOEXEC | (chance(20) ? O_NONBLOCK : 0);
	fd = open(node, fl);
	if (fd < 0) {
		files[fi].used = 0;
		return;
	}
	slots[s].fd = fd;
	slots[s].file = fi;
	files[fi].refs = 1;
	/* most new files get a callable and buffers at once */
	if (chance(70))
		file_setup(fd, &files[fi]);
}

static void op_close(void)
{
	int s = pick_slot();

	if (s >= 0)
		slot_close(s);
}

static void op_dup(void)
{
	int s = pick_slot(), d = free_slot(), fd;

	if (s < 0)
		return;
	if (d < 0 || chance(20)) {
		/* dup2 over another slot: closes that file's descriptor */
		d = pick_slot();
		if (d == s || slots[d].file == slots[s].file)
			return;
		fd = slots[d].fd;
		if (dup2(slots[s].fd, fd) < 0)
			return;
		if (--files[slots[d].file].refs == 0)
			file_forget(&files[slots[d].file]);
	} else {
		fd = fcntl(slots[s].fd, F_DUPFD_CLOEXEC, 3);
		if (fd < 0)
			return;
	}
	slots[d].fd = fd;
	slots[d].file = slots[s].file;
	files[slots[s].file].refs++;
}

static void op_get_param(void)
{
	struct drm_chip_get_param p = { 0 };
	struct file *f;
	int fd = pick_fd(&f);

	p.param = chance(80) ? rn(DRM_CHIP_PARAM_COUNT + 1) : (uint32_t)rval();
	if (chance(5))
		p.pad = (uint32_t)rval();
	cioctl(fd, DRM_IOCTL_CHIP_GET_PARAM, &p, "GET_PARAM");
}

static void op_bo_create(void)
{
	static const uint64_t sizes[] = {
		1, 64, 4096, 4097, 65536, 1 << 20, 4 << 20, 16 << 20,
	};
	struct drm_chip_bo_create c = { 0 };
	struct file *f;
	int fd = pick_fd(&f);

	c.size = chance(85) ? sizes[rn(chance(80) ? 5 : 8)] : rval();
	if (chance(3))
		c.size = gm_size;
	if (chance(5))
		c.flags = (uint32_t)rval();
	if (cioctl(fd, DRM_IOCTL_CHIP_BO_CREATE, &c, "BO_CREATE") || !f)
		return;
	if (f->nbo == NBO) {
		/* forget one (it stays alive until the file closes) */
		f->bo[rn(NBO)] = f->bo[--f->nbo];
	}
	f->bo[f->nbo].handle = c.handle;
	f->bo[f->nbo].va = c.va;
	f->bo[f->nbo].size = c.size;
	f->nbo++;
}

static void op_bo_info(void)
{
	struct drm_chip_bo_info i = { 0 };
	struct file *f;
	int fd = pick_fd(&f);
	struct bo *b = pick_bo(f);

	if (chance(30)) {
		i.flags = DRM_CHIP_BO_INFO_BY_VA;
		i.va = b && chance(80) ? b->va + (chance(80) ? 0 : rn(8192)) :
					 rval();
	} else {
		i.handle = pick_handle(f);
	}
	if (chance(5))
		i.flags = (uint32_t)rval();
	if (chance(5))
		i.size = rval();
	cioctl(fd, DRM_IOCTL_CHIP_BO_INFO, &i, "BO_INFO");
}

static void op_bo_copy(void)
{
	struct drm_chip_bo_copy c = { 0 };
	struct file *f;
	int fd = pick_fd(&f);
	struct bo *b = pick_bo(f);
	uint64_t off;

	if (b && chance(85)) {
		off = chance(50) ? 0 : rn((uint32_t)(b->size < SCRATCH ? b->size : SCRATCH));
		c.va = b->va + off;
		c.size = chance(80) ? rn((uint32_t)((b->size - off < 65536 ?
						      b->size - off : 65536) + 1)) :
				      (chance(50) ? b->size - off + 1 : rval());
	} else {
		c.va = rval();
		c.size = rn(8192);
	}
	c.flags = chance(50) ? DRM_CHIP_BO_COPY_TO_DEVICE : 0;
	c.user_ptr = pick_uptr(c.size, !c.flags);
	if (chance(3))
		c.flags = (uint32_t)rval();
	if (chance(3))
		c.pad = (uint32_t)rval();
	cioctl(fd, DRM_IOCTL_CHIP_BO_COPY, &c, "BO_COPY");
}

static void op_gem_close(void)
{
	struct drm_gem_close_s c = { 0 };
	struct file *f;
	int fd = pick_fd(&f), i;

	c.handle = pick_handle(f);
	if (chance(5))
		c.pad = (uint32_t)rval();
	if (xioctl(fd, DRM_IOCTL_GEM_CLOSE_, &c) || !f)
		return;
	for (i = 0; i < f->nbo; i++)
		if (f->bo[i].handle == c.handle) {
			f->bo[i] = f->bo[--f->nbo];
			break;
		}
}

static void op_register(void)
{
	struct drm_chip_register r = { 0 };
	struct img *im = &imgs[rn((uint32_t)nimgs)];
	struct file *f;
	int fd = pick_fd(&f), kind = (int)(im - imgs), i;
	unsigned char *copy = NULL;
	size_t len = im->len;

	r.image_ptr = (uintptr_t)im->p;
	if (chance(20)) {
		/* a mutated copy: flipped bytes, boundary words, cut, junk */
		len = chance(20) ? rn((uint32_t)len + 64) : len;
		copy = malloc(len + 1);
		if (!copy)
			return;
		memcpy(copy, im->p, len < im->len ? len : im->len);
		if (len > im->len)
			memset(copy + im->len, (int)rn(256), len - im->len);
		for (i = 0, kind = -3; len && i < 1 + (int)rn(8); i++) {
			size_t at = rn((uint32_t)len);

			if (chance(50) && at + 4 <= len) {
				uint32_t v = (uint32_t)rval();

				memcpy(copy + at, &v, 4);
			} else {
				copy[at] ^= (unsigned char)(1u << rn(8));
			}
		}
		r.image_ptr = (uintptr_t)copy;
	}
	r.image_size = len;
	if (chance(3))
		r.image_ptr = pick_uptr(len, 0);
	if (chance(3))
		r.image_size = rval();
	r.cid = chance(90) ? (int32_t)rn(CHIP_MAX_CIDS) : (int32_t)rval();
	if (chance(3))
		r.flags = (uint32_t)rval();
	if (chance(3))
		r.result = (uint32_t)rval();
	if (!cioctl(fd, DRM_IOCTL_CHIP_REGISTER, &r, "REGISTER") && f &&
	    f->ncid < NCID) {
		f->cid[f->ncid].cid = r.cid;
		f->cid[f->ncid].kind = kind;
		f->ncid++;
	}
	free(copy);
}

static void op_unregister(void)
{
	struct drm_chip_unregister u = { 0 };
	struct file *f;
	int fd = pick_fd(&f), kind, i;

	u.cid = pick_cid(f, &kind);
	if (chance(3))
		u.pad = (uint32_t)rval();
	if (cioctl(fd, DRM_IOCTL_CHIP_UNREGISTER, &u, "UNREGISTER") || !f)
		return;
	for (i = 0; i < f->ncid; i++)
		if (f->cid[i].cid == u.cid) {
			f->cid[i] = f->cid[--f->ncid];
			break;
		}
}

/*
 * A run request for cid of image kind @kind in file @f: arguments that
 * fit the workload over the file's buffer objects, stores, options, each
 * now and then out of range.  @blob and @st are the caller's (they must
 * outlive an io_uring request).
 */
/*
 * In- and out-syncs of a run: mostly small handles (op_run creates
 * syncobjs, which get them) and small points, sometimes anything.
 */
static struct drm_chip_sync fz_syncs[DRM_CHIP_MAX_IN_SYNCS + 1];

static void make_syncs(struct drm_chip_run *run)
{
	uint32_t i, n;

	if (chance(10)) {
		n = chance(90) ? rn(4) : chance(50) ? DRM_CHIP_MAX_IN_SYNCS + 1 :
		    (uint32_t)rval();
		for (i = 0; i < n && i < DRM_CHIP_MAX_IN_SYNCS + 1; i++) {
			fz_syncs[i].handle = chance(90) ? 1 + rn(8) : (uint32_t)rval();
			fz_syncs[i].flags = chance(95) ? 0 : (uint32_t)rval();
			fz_syncs[i].point = chance(50) ? 0 :
					    chance(90) ? rn(8) : rval();
		}
		run->in_syncs_ptr = chance(95) ? (uintptr_t)fz_syncs :
				    pick_uptr(sizeof(fz_syncs), 0);
		run->in_sync_count = n;
	}
	if (chance(10)) {
		run->out_sync.handle = chance(90) ? 1 + rn(8) : (uint32_t)rval();
		run->out_sync.point = chance(50) ? 0 : chance(90) ? rn(16) : rval();
		run->out_sync.flags = chance(95) ? 0 : (uint32_t)rval();
	}
	if (chance(10))
		run->flags |= DRM_CHIP_RUN_NO_RESULT;
	if (chance(2))
		run->pad3 = (uint32_t)rval();
}

static void make_run(struct drm_chip_run *run, struct file *f, int kind,
		     unsigned char *blob, size_t blob_cap,
		     struct drm_chip_store *st)
{
	static const uint64_t timeouts[] = {
		1, 1000, 1000000, 5000000, 20000000, 50000000,
	};
	struct chip_args a;
	struct bo *b;
	int work = kind >= 0 && kind < nimgs ? imgs[kind].work : -1;
	int nt = 0, i, ns;
	long len;

	memset(run, 0, sizeof(*run));
	chip_args_init(&a);
	switch (work) {
	case CT_NULL: case CT_SPIN: case CT_FATAL: case CT_STALE:
		break;
	case CT_OOB:
		b = pick_bo(f);
		chip_args_add_scalar(&a, b && chance(50) ? b->va : rval());
		break;
	case CT_MANY:
		chip_args_add_scalar(&a, chance(90) ? rn(64) : rval());
		break;
	case CT_MATMUL: {
		uint32_t m = 1 + rn(8), k = 1 + rn(8), n = 1 + rn(8);

		for (i = 0; i < 3; i++) {
			b = pick_bo(f);
			chip_args_add_tensor(&a, b ? b->va : rval(),
					     CHIP_DT_FLOAT32, 2,
					     (const uint32_t[]){ m, k });
		}
		chip_args_add_scalar(&a, m);
		chip_args_add_scalar(&a, k);
		chip_args_add_scalar(&a, n);
		break;
	}
	default:
		nt = work == -1 || work == CT_SOFTMAX ? 1 + (int)rn(3) : 3;
		for (i = 0; i < nt; i++) {
			uint32_t n;

			b = pick_bo(f);
			n = b ? (uint32_t)((b->size / 4) >> rn(4)) : 1 + rn(1024);
			if (chance(5))
				n = (uint32_t)rval();
			chip_args_add_tensor(&a, b && chance(95) ? b->va : rval(),
					     CHIP_DT_FLOAT32, 1, &n);
		}
		if (work == CT_SOFTMAX) {
			chip_args_add_scalar(&a, 1 + rn(8));
			chip_args_add_scalar(&a, 1 + rn(64));
		}
		break;
	}
	len = chip_args_encode(&a, blob, blob_cap);
	run->args_ptr = (uintptr_t)blob;
	run->args_size = len > 0 ? (uint64_t)len : 0;
	if (chance(5) && run->args_size) {
		for (i = 0; i < 1 + (int)rn(4); i++)
			blob[rn((uint32_t)run->args_size)] ^= (unsigned char)rnd();
	}
	if (chance(3))
		run->args_ptr = pick_uptr(run->args_size, 0);
	if (chance(3))
		run->args_size = chance(50) ? rn(64) : rval();
	if (chance(3)) {
		run->graph_ptr = pick_uptr(64, 0);
		run->graph_size = rn(256);
	}
	ns = chance(60) ? 0 : (int)rn(4);
	if (chance(2))
		ns = DRM_CHIP_MAX_STORES;
	for (i = 0; i < ns; i++) {
		b = pick_bo(f);
		st[i].va = b ? b->va : rval();
		st[i].size = b && chance(90) ?
			     1 + rn((uint32_t)(b->size < 65536 ? b->size : 65536)) :
			     rval();
		st[i].user_ptr = pick_uptr(st[i].size, 2);
	}
	run->stores_ptr = ns ? (uintptr_t)st : 0;
	run->store_count = (uint32_t)ns;
	if (chance(3))
		run->store_count = (uint32_t)(chance(50) ? rn(DRM_CHIP_MAX_STORES + 2) :
						       rval());
	if (chance(3))
		run->stores_ptr = pick_uptr(sizeof(*st) * DRM_CHIP_MAX_STORES, 0);
	run->block_dim = chance(97) ? 1 + rn(4) : (uint32_t)rval();
	run->aicpu_threads = chance(97) ? 1 + rn(2) : (uint32_t)rval();
	run->flags = chance(30) ? DRM_CHIP_RUN_INLINE : 0;
	if (chance(2))
		run->flags = (uint32_t)rval();
	if (chance(2))
		run->pad = (uint32_t)rval();
	run->timeout_ns = timeouts[rn(6)];
	if (chance(2))
		run->timeout_ns = 0;	/* the default, 2 s */
	if (chance(2))
		run->timeout_ns = chance(50) ? max_timeout_ns + 1 : rval();
	run->insn_budget = chance(70) ? 0 : chance(80) ? rn(100000) : rval();
	if (chance(2))
		run->seq = rval();
	make_syncs(run);
}

static void op_run(void)
{
	static unsigned char blob[CHIP_ARGS_MAX_SIZE];
	struct drm_chip_store st[DRM_CHIP_MAX_STORES];
	struct drm_chip_run run;
	struct file *f;
	int fd = pick_fd(&f), kind;
	int32_t cid = pick_cid(f, &kind);

	/* A syncobj for the syncs of this and later runs (handles 1, 2, ...). */
	if (chance(5)) {
		struct { uint32_t handle, flags; } c = { 0, rn(2) };

		ioctl(fd, _IOWR('d', 0xbf, c), &c);	/* SYNCOBJ_CREATE */
	}
	make_run(&run, f, kind, blob, sizeof(blob), st);
	run.cid = cid;
	if (!cioctl(fd, DRM_IOCTL_CHIP_RUN, &run, "RUN"))
		seq_add(f, run.seq);
}

static void op_wait(void)
{
	struct drm_chip_wait w;
	struct file *f;
	int fd = pick_fd(&f);

	memset(&w, 0, sizeof(w));
	w.seq = pick_seq(f);
	switch (rn(10)) {
	case 0:
		/* forever: ends with the run (its watchdog bounds it) */
		if (w.seq && f && f->nseq)
			break;
		/* fall through */
	case 1: case 2: case 3:
		w.timeout_ns = 1;
		break;
	default:
		w.timeout_ns = kt_mono_ns() + 1000000ull * (1 + rn(20));
		break;
	}
	if (chance(3))
		w.flags = (uint32_t)rval();
	if (chance(3))
		w.pad = (uint32_t)rval();
	if (!cioctl(fd, DRM_IOCTL_CHIP_WAIT, &w, "WAIT"))
		seq_del(f, w.done_seq);
	else if (w.seq && !chance(50))
		seq_del(f, w.seq);
}

static void op_counters(void)
{
	struct drm_chip_counters c;
	struct file *f;
	int fd = pick_fd(&f);

	memset(&c, 0, sizeof(c));
	if (chance(3))
		c.flags = (uint32_t)rval();
	if (chance(3))
		c.pad = (uint32_t)rval();
	if (!cioctl(fd, DRM_IOCTL_CHIP_COUNTERS, &c, "COUNTERS") &&
	    c.dev_gm_used > gm_size)
		finding("COUNTERS: dev_gm_used %llu > gm_size %llu",
			(unsigned long long)c.dev_gm_used,
			(unsigned long long)gm_size);
}

static void op_cancel(void)
{
	struct drm_chip_cancel c = { 0 };
	struct file *f;
	int fd = pick_fd(&f);

	if (chance(3))
		c.flags = (uint32_t)rval();
	if (chance(3))
		c.pad = (uint32_t)rval();
	cioctl(fd, DRM_IOCTL_CHIP_CANCEL, &c, "CANCEL");
}

/* A chip ioctl number with another size or direction. */
static void op_chip_resized(void)
{
	unsigned long req = chip_ioctls[rn(sizeof(chip_ioctls) /
					   sizeof(chip_ioctls[0]))];
	unsigned int sz = chance(50) ? _IOC_SIZE(req) + 8 * (rn(5) - 2) : rn(512);
	unsigned int dir = chance(80) ? _IOC_DIR(req) : rn(4);
	struct file *f;
	int fd = pick_fd(&f), ret;
	unsigned char *buf = scratch + SCRATCH - 4096;

	if (chance(70))
		memset(buf, 0, 1024);
	else
		for (ret = 0; ret < 1024; ret++)
			buf[ret] = (unsigned char)rnd();
	req = _IOC(dir, 'd', (_IOC_NR(req) + (chance(10) ? rn(0x60) : 0)) & 0xff,
		   sz & _IOC_SIZEMASK);
	ret = xioctl(fd, req, chance(95) ? (void *)buf : (void *)(uintptr_t)rval());
	if (ret < 0 && !errno_ok(-ret))
		finding("chip ioctl 0x%lx: unexpected errno %d", req, -ret);
}

/* The DRM core's ioctls: known numbers with their sizes, or anything. */
static void op_core_ioctl(void)
{
	unsigned char *buf = scratch + SCRATCH - 8192;
	unsigned int nr, dir, sz, i;
	struct file *f;
	int fd = pick_fd(&f);

	if (chance(70)) {
		i = rn(sizeof(core_ioctls) / sizeof(core_ioctls[0]));
		nr = core_ioctls[i].nr;
		dir = core_ioctls[i].dir;
		sz = core_ioctls[i].size;
	} else {
		nr = rn(256);
		dir = rn(4);
		sz = rn(4) ? rn(128) : rn(4096);
	}
	if (chance(60)) {
		memset(buf, 0, 4096);
		/* a handle of this file in the first word */
		if (chance(50)) {
			uint32_t h = pick_handle(f);

			memcpy(buf, &h, 4);
		}
	} else {
		for (i = 0; i < 4096; i += 8) {
			uint64_t v = chance(50) ? rval() & 0xffffffff : 0;

			memcpy(buf + i, &v, 8);
		}
	}
	xioctl(fd, _IOC(dir, 'd', nr, sz), buf);
}

static int map_add(void *p, size_t len, int prot)
{
	int i;

	for (i = 0; i < NMAP; i++)
		if (!maps[i].p) {
			maps[i].p = p;
			maps[i].len = len;
			maps[i].prot = prot;
			maps[i].dontfork = 0;
			return 0;
		}
	munmap(p, len);
	return -1;
}

static int pick_prot(void)
{
	static const int prots[] = {
		PROT_READ | PROT_WRITE, PROT_READ | PROT_WRITE, PROT_READ,
		PROT_WRITE, PROT_NONE,
	};

	return prots[rn(5)];
}

static void op_mmap(void)
{
	struct drm_chip_bo_info i = { 0 };
	struct file *f;
	int fd = pick_fd(&f), prot = pick_prot(), flags;
	struct bo *b = pick_bo(f);
	size_t len;
	off_t off;
	void *p;

	if (b) {
		i.handle = b->handle;
		if (xioctl(fd, DRM_IOCTL_CHIP_BO_INFO, &i))
			return;
		len = chance(80) ? i.size : 4096 * (1 + rn(4));
		off = (off_t)i.mmap_offset;
		if (chance(10))
			off += 4096 * (off_t)rn(4);
	} else {
		len = 4096;
		off = (off_t)(rval() & ~4095ull);
	}
	if (chance(3))
		len = rn(3) ? 0 : (size_t)rval();
	flags = chance(90) ? MAP_SHARED : MAP_PRIVATE;
	p = mmap(NULL, len, prot, flags, fd, off);
	if (p == MAP_FAILED)
		return;
	/* the object outlives its handle while mapped: close it at once */
	if (b && chance(20) && f) {
		struct drm_gem_close_s c = { .handle = b->handle };

		if (!xioctl(fd, DRM_IOCTL_GEM_CLOSE_, &c))
			*b = f->bo[--f->nbo];
	}
	map_add(p, len, prot);
}

static sigjmp_buf touch_jmp;
static volatile sig_atomic_t touching;

static void on_fault(int sig)
{
	if (touching)
		siglongjmp(touch_jmp, sig);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void op_touch(void)
{
	struct map *m = &maps[rn(NMAP)];
	volatile unsigned char *p;
	volatile size_t at;
	int sig;

	if (!m->p || !(m->prot & (PROT_READ | PROT_WRITE)))
		return;
	p = m->p;
	at = chance(30) ? m->len - 1 : rn((uint32_t)m->len);
	sig = sigsetjmp(touch_jmp, 1);
	if (sig) {
		touching = 0;
		finding("touch of a mapping (%zu bytes, prot %d) at %zu: signal %d",
			m->len, m->prot, at, sig);
		munmap(m->p, m->len);
		m->p = NULL;
		return;
	}
	touching = 1;
	if (m->prot & PROT_WRITE)
		p[at] = (unsigned char)rnd();
	if (m->prot & PROT_READ)
		(void)p[at];
	touching = 0;
}

static void op_munmap(void)
{
	struct map *m = &maps[rn(NMAP)];
	size_t pages;

	if (!m->p)
		return;
	pages = (m->len + 4095) / 4096;
	if (pages > 2 && chance(20)) {
		/* a hole in the middle: the tail is forgotten but stays */
		munmap((char *)m->p + 4096, 4096);
		m->len = 4096;
		return;
	}
	if (chance(10))
		if (chance(50))
			madvise(m->p, m->len, MADV_DONTNEED);
		else
			m->dontfork = !madvise(m->p, m->len, MADV_DONTFORK);
	else
		munmap(m->p, m->len), m->p = NULL;
}

/* PRIME: export a handle as a dma-buf, import one into another file. */
static void op_prime(void)
{
	struct drm_prime_handle_s p = { 0 };
	struct drm_chip_bo_info bi;
	struct file *f;
	int fd = pick_fd(&f), i, ret;

	if (chance(60)) {
		p.handle = pick_handle(f);
		p.flags = chance(90) ? DRM_CLOEXEC_ | (chance(50) ? DRM_RDWR_ : 0) :
				       (uint32_t)rval();
		if (xioctl(fd, DRM_IOCTL_PRIME_H2FD, &p))
			return;
		i = (int)rn(NDMABUF);
		if (dmabufs[i] >= 0)
			close(dmabufs[i]);
		dmabufs[i] = p.fd;
		return;
	}
	i = (int)rn(NDMABUF);
	p.fd = dmabufs[i] >= 0 && chance(90) ? dmabufs[i] : (int32_t)rval();
	if (xioctl(fd, DRM_IOCTL_PRIME_FD2H, &p) || !f || f->nbo == NBO)
		return;
	/*
	 * The import maps the object into the importer's own space: its
	 * address there, for the runs and copies that follow.  Only a
	 * process sharing the file (a forked child, or its parent) may have
	 * closed the handle meanwhile.
	 */
	memset(&bi, 0, sizeof(bi));
	bi.handle = p.handle;
	ret = cioctl(fd, DRM_IOCTL_CHIP_BO_INFO, &bi, "BO_INFO of an import");
	if (ret == -ENOENT && !child_pid && !in_child)
		finding("PRIME import: handle %u not mapped in the importer",
			p.handle);
	f->bo[f->nbo].handle = p.handle;
	f->bo[f->nbo].va = ret ? 0 : bi.va;
	f->bo[f->nbo].size = ret ? 4096 : bi.size;
	f->nbo++;
}

static void op_dmabuf(void)
{
	int i = (int)rn(NDMABUF), prot = pick_prot();
	size_t len = 4096 * (1 + rn(2));
	void *p;

	if (dmabufs[i] < 0)
		return;
	if (chance(40)) {
		close(dmabufs[i]);
		dmabufs[i] = -1;
		return;
	}
	p = mmap(NULL, len, prot, MAP_SHARED, dmabufs[i], 0);
	if (p != MAP_FAILED)
		map_add(p, len, prot);
}

/* ---- io_uring on raw system calls ------------------------------------------ */

static int ring_setup(struct ring *r, unsigned int entries, unsigned int flags)
{
	struct io_uring_params p;
	size_t sq_len, cq_len, cqe_size;
	void *m;
	int fd;

	memset(&p, 0, sizeof(p));
	p.flags = flags | IORING_SETUP_CQSIZE;
	p.cq_entries = entries * 2;
	fd = (int)syscall(__NR_io_uring_setup, entries, &p);
	if (fd < 0)
		return -errno;
	if (!(p.features & IORING_FEAT_SINGLE_MMAP) ||
	    !(p.features & IORING_FEAT_EXT_ARG)) {
		close(fd);
		return -EOPNOTSUPP;
	}
	cqe_size = flags & IORING_SETUP_CQE32 ? 32 : 16;
	sq_len = p.sq_off.array + p.sq_entries * sizeof(unsigned int);
	cq_len = p.cq_off.cqes + p.cq_entries * cqe_size;
	if (cq_len > sq_len)
		sq_len = cq_len;
	m = mmap(NULL, sq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
		 fd, IORING_OFF_SQ_RING);
	if (m == MAP_FAILED) {
		close(fd);
		return -ENOMEM;
	}
	r->sqes_len = p.sq_entries * sizeof(struct io_uring_sqe) *
		      (flags & IORING_SETUP_SQE128 ? 2 : 1);
	r->sqes = mmap(NULL, r->sqes_len, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQES);
	if (r->sqes == MAP_FAILED) {
		munmap(m, sq_len);
		close(fd);
		return -ENOMEM;
	}
	r->fd = fd;
	r->flags = flags;
	r->map = m;
	r->map_len = sq_len;
	r->sq_head = (unsigned int *)((char *)m + p.sq_off.head);
	r->sq_tail = (unsigned int *)((char *)m + p.sq_off.tail);
	r->sq_mask = (unsigned int *)((char *)m + p.sq_off.ring_mask);
	r->sq_array = (unsigned int *)((char *)m + p.sq_off.array);
	r->cq_head = (unsigned int *)((char *)m + p.cq_off.head);
	r->cq_tail = (unsigned int *)((char *)m + p.cq_off.tail);
	r->cq_mask = (unsigned int *)((char *)m + p.cq_off.ring_mask);
	r->cqes = (unsigned char *)m + p.cq_off.cqes;
	r->sq_entries = p.sq_entries;
	r->cq_entries = p.cq_entries;
	r->inflight = 0;
	r->id = ++ring_ids;
	return 0;
}

/* Close the ring; requests still in flight keep their memory (leaked). */
static void ring_close(struct ring *r)
{
	int i;

	if (r->fd < 0)
		return;
	for (i = 0; i < NPEND; i++)
		if (pend[i].ring_id == r->id)
			pend[i].ring_id = -1;	/* the kernel may still write it */
	munmap(r->sqes, r->sqes_len);
	munmap(r->map, r->map_len);
	close(r->fd);
	r->fd = -1;
}

static struct io_uring_sqe *ring_sqe(struct ring *r)
{
	unsigned int tail = *r->sq_tail, idx;
	struct io_uring_sqe *sqe;

	if (tail - __atomic_load_n(r->sq_head, __ATOMIC_ACQUIRE) >= r->sq_entries)
		return NULL;
	idx = tail & *r->sq_mask;
	sqe = r->flags & IORING_SETUP_SQE128 ? &r->sqes[idx * 2] : &r->sqes[idx];
	memset(sqe, 0, r->flags & IORING_SETUP_SQE128 ? 128 : 64);
	r->sq_array[idx] = idx;
	__atomic_store_n(r->sq_tail, tail + 1, __ATOMIC_RELEASE);
	return sqe;
}

static int ring_enter(struct ring *r, unsigned int submit, unsigned int wait,
		      uint64_t timeout_ns)
{
	struct __kernel_timespec ts = {
		.tv_sec = (long long)(timeout_ns / 1000000000ull),
		.tv_nsec = (long long)(timeout_ns % 1000000000ull),
	};
	struct io_uring_getevents_arg arg = { .ts = (uintptr_t)&ts };
	unsigned int fl = wait ? IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG : 0;
	int ret = (int)syscall(__NR_io_uring_enter, r->fd, submit, wait, fl,
			       wait ? &arg : NULL, wait ? sizeof(arg) : 0);

	return ret < 0 ? -errno : ret;
}

static struct ring *pick_ring(void)
{
	return &rings[rn(NRING)];
}

static void op_ring_setup(void)
{
	static const unsigned int fl[] = {
		0, 0, IORING_SETUP_CQE32, IORING_SETUP_SQE128 | IORING_SETUP_CQE32,
		IORING_SETUP_SQE128,
	};
	struct ring *r = pick_ring();

	if (r->fd >= 0) {
		if (!chance(30))
			return;
		ring_close(r);
	}
	ring_setup(r, 1u << rn(7), fl[rn(5)]);
}

/* Consume completions: each request completes exactly once. */
static void ring_reap(struct ring *r)
{
	unsigned int head = *r->cq_head;

	while (head != __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE)) {
		struct io_uring_cqe *cqe = (struct io_uring_cqe *)
			(r->cqes + (head & *r->cq_mask) *
				   (r->flags & IORING_SETUP_CQE32 ? 32 : 16));
		uint64_t ud = cqe->user_data;
		struct pend *p = ud < NPEND ? &pend[ud] : NULL;

		if (!p || p->ring_id != r->id) {
			finding("ring %d: completion %s (user_data %llu, res %d, flags 0x%x; cq head %u tail %u of %u, %u in flight)",
				r->id, p && p->done_ring == r->id ?
				"of a request already completed" :
				"for no request",
				(unsigned long long)ud, cqe->res, cqe->flags,
				head, *r->cq_tail, r->cq_entries, r->inflight);
		} else {
			p->done_ring = r->id;
			if (cqe->res >= 0)
				__atomic_add_fetch(&sh->oks[cur_op], 1,
						   __ATOMIC_RELAXED);
			if (cqe->res < -4095 || cqe->res >= CHIP_STATUS_COUNT ||
			    (cqe->res < 0 && !errno_ok(-cqe->res) &&
			     cqe->res != -EOPNOTSUPP && cqe->res != -ENXIO))
				finding("ring %d: completion res %d", r->id,
					cqe->res);
			if (p->mmapped)
				munmap(p->mem, p->len);
			else
				free(p->mem);
			p->ring_id = 0;
			r->inflight--;
		}
		head++;
		__atomic_store_n(r->cq_head, head, __ATOMIC_RELEASE);
	}
}

static int pend_get(void)
{
	int i, s = (int)rn(NPEND);

	for (i = 0; i < NPEND; i++)
		if (pend[(s + i) % NPEND].ring_id == 0)
			return (s + i) % NPEND;
	return -1;
}

/*
 * Queue 1..8 commands: runs built like the RUN ioctl's, NOPs, random
 * cmd_ops and command bytes, on our files or others; some with
 * IOSQE_ASYNC (issued by an io-wq worker) or linked.  Now and then the
 * request memory is unmapped right after submission.
 */
static void op_ring_submit(void)
{
	struct ring *r = pick_ring();
	int n = 1 + (int)rn(8), i, q = 0, ret;

	if (r->fd < 0)
		return;
	for (i = 0; i < n && r->inflight + (unsigned int)q < r->cq_entries; i++) {
		struct drm_chip_uring_cmd c = { 0 };
		struct io_uring_sqe *sqe;
		struct file *f;
		int fd = pick_fd(&f), pi = pend_get(), kind;
		struct pend *p;
		size_t need = sizeof(struct drm_chip_uring_run) +
			      sizeof(struct drm_chip_store) * DRM_CHIP_MAX_STORES + 4096;

		if (pi < 0)
			break;
		p = &pend[pi];
		p->mmapped = chance(5);
		p->len = (need + 4095) & ~4095ul;
		if (p->mmapped) {
			p->mem = mmap(NULL, p->len, PROT_READ | PROT_WRITE,
				      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (p->mem == MAP_FAILED)
				break;
		} else {
			p->mem = calloc(1, p->len);
			if (!p->mem)
				break;
		}
		sqe = ring_sqe(r);
		if (!sqe) {
			if (p->mmapped)
				munmap(p->mem, p->len);
			else
				free(p->mem);
			break;
		}
		p->ring_id = r->id;
		sqe->opcode = IORING_OP_URING_CMD;
		sqe->fd = chance(95) ? fd : r->fd;
		sqe->user_data = (uint64_t)pi;
		switch (rn(10)) {
		case 0:
			sqe->cmd_op = DRM_CHIP_URING_NOP;
			break;
		case 1:
			sqe->cmd_op = (uint32_t)_IOC(rn(4), chance(50) ? 'd' : rn(256),
						     rn(256), rn(512));
			c.ptr = (uintptr_t)p->mem;
			break;
		default: {
			struct drm_chip_uring_run *u = p->mem;
			struct drm_chip_store *st = (void *)(u + 1);
			unsigned char *blob = (unsigned char *)(st + DRM_CHIP_MAX_STORES);
			int32_t cid = pick_cid(f, &kind);

			make_run(&u->run, f, kind, blob, 4096, st);
			u->run.cid = cid;
			sqe->cmd_op = DRM_CHIP_URING_RUN;
			c.ptr = chance(97) ? (uintptr_t)u : pick_uptr(sizeof(*u), 2);
			break;
		}
		}
		if (chance(3))
			c.flags = (uint32_t)rval();
		if (chance(3))
			c.pad = (uint32_t)rval();
		memcpy(sqe->cmd, &c, sizeof(c));
		if ((r->flags & IORING_SETUP_SQE128) && chance(5))
			sqe->cmd[16 + rn(64)] = 1;
		if (chance(15))
			sqe->flags |= IOSQE_ASYNC;
		if (chance(5))
			sqe->flags |= IOSQE_IO_LINK;
		if (chance(2))
			sqe->flags |= IOSQE_IO_DRAIN;
		q++;
	}
	if (!q)
		return;
	ret = ring_enter(r, (unsigned int)q, 0, 0);
	if (ret > 0)
		r->inflight += (unsigned int)ret;
	/* yank the memory of mmapped requests from under the kernel */
	for (i = 0; i < NPEND; i++)
		if (pend[i].ring_id == r->id && pend[i].mmapped == 1 && chance(50)) {
			/* keep the range reserved so nothing else lands there */
			mmap(pend[i].mem, pend[i].len, PROT_NONE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
			pend[i].mmapped = 2;
		}
	if (chance(50))
		ring_reap(r);
}

static void op_ring_reap(void)
{
	struct ring *r = pick_ring();

	if (r->fd < 0)
		return;
	if (r->inflight)
		ring_enter(r, 0, 1, 1000000ull * (1 + rn(20)));
	ring_reap(r);
}

static void op_ring_close(void)
{
	struct ring *r = pick_ring();

	if (r->fd >= 0 && chance(50))
		ring_close(r);
}

/* ---- processes and threads ------------------------------------------------- */

struct racer {
	pthread_t t;
	int fd, live;
	unsigned long req;
	union {
		struct drm_chip_run run;
		struct drm_chip_wait wait;
		struct drm_chip_bo_copy copy;
	} u;
	struct drm_chip_store st[DRM_CHIP_MAX_STORES];
	unsigned char blob[512];
};

static struct racer racer;

static void *racer_fn(void *arg)
{
	struct racer *r = arg;

	ioctl(r->fd, r->req, &r->u);
	return NULL;
}

static void racer_join(void)
{
	if (racer.live) {
		pthread_join(racer.t, NULL);
		racer.live = 0;
	}
}

/*
 * A thread blocks in an ioctl (a waited run, a WAIT, a large copy) while
 * this one goes on, and may close the descriptor under it.
 */
static void op_race(void)
{
	struct file *f;
	int kind;

	racer_join();
	racer.fd = pick_fd(&f);
	memset(&racer.u, 0, sizeof(racer.u));
	switch (rn(3)) {
	case 0: {
		int32_t cid = pick_cid(f, &kind);

		make_run(&racer.u.run, f, kind, racer.blob, sizeof(racer.blob),
			 racer.st);
		racer.u.run.cid = cid;
		racer.u.run.flags |= DRM_CHIP_RUN_INLINE;
		racer.req = DRM_IOCTL_CHIP_RUN;
		break;
	}
	case 1:
		racer.u.wait.seq = pick_seq(f);
		racer.u.wait.timeout_ns = kt_mono_ns() + 50000000ull;
		racer.req = DRM_IOCTL_CHIP_WAIT;
		break;
	default: {
		struct bo *b = pick_bo(f);

		racer.u.copy.va = b ? b->va : rval();
		racer.u.copy.size = b ? (b->size < SCRATCH ? b->size : SCRATCH) : 4096;
		racer.u.copy.user_ptr = (uintptr_t)scratch;
		racer.u.copy.flags = chance(50) ? DRM_CHIP_BO_COPY_TO_DEVICE : 0;
		racer.req = DRM_IOCTL_CHIP_BO_COPY;
		break;
	}
	}
	if (pthread_create(&racer.t, NULL, racer_fn, &racer))
		return;
	racer.live = 1;
	if (chance(30)) {
		int s = pick_slot();

		if (s >= 0 && slots[s].fd == racer.fd)
			slot_close(s);
	}
}

/* A child reports its findings itself (the counter is shared). */
static void op_cleanup_child(int kill_it)
{
	if (!child_pid)
		return;
	if (kill_it)
		kill(child_pid, SIGKILL);
	waitpid(child_pid, NULL, 0);
	child_pid = 0;
}

static void run_ops(long limit);

/*
 * fork: the child acts on the inherited files (not on the rings, whose
 * user-space indices are shared) for a few operations and exits, kills
 * itself, or is killed by the parent later.
 */
static void op_fork(void)
{
	pid_t pid;
	int i;

	op_cleanup_child(chance(50));
	racer_join();
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return;
	if (pid == 0) {
		in_child = 1;
		child_pid = 0;
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		rs = splitmix(rs ^ 0x5bd1e995ull);
		for (i = 0; i < NRING; i++)
			rings[i].fd = -1;	/* inherited, not ours */
		for (i = 0; i < NPEND; i++)
			pend[i].ring_id = 0;
		for (i = 0; i < NMAP; i++)
			if (maps[i].dontfork)
				maps[i].p = NULL;
		run_ops(5 + rn(40));
		racer_join();
		op_cleanup_child(1);
		if (chance(30))
			raise(SIGKILL);
		_exit(0);
	}
	child_pid = pid;
	if (chance(50))
		op_cleanup_child(chance(50));
}

static void op_nap(void)
{
	usleep(100 * (1 + rn(20)));
}

struct op {
	const char *name;
	void (*fn)(void);
	unsigned int weight;
};

static const struct op ops[] = {
	{ "open", op_open, 3 },
	{ "close", op_close, 2 },
	{ "dup", op_dup, 2 },
	{ "GET_PARAM", op_get_param, 3 },
	{ "BO_CREATE", op_bo_create, 8 },
	{ "BO_INFO", op_bo_info, 4 },
	{ "BO_COPY", op_bo_copy, 8 },
	{ "GEM_CLOSE", op_gem_close, 4 },
	{ "REGISTER", op_register, 8 },
	{ "UNREGISTER", op_unregister, 3 },
	{ "RUN", op_run, 14 },
	{ "WAIT", op_wait, 10 },
	{ "COUNTERS", op_counters, 2 },
	{ "CANCEL", op_cancel, 2 },
	{ "chip ioctl resized", op_chip_resized, 3 },
	{ "core ioctl", op_core_ioctl, 5 },
	{ "mmap", op_mmap, 4 },
	{ "touch", op_touch, 4 },
	{ "munmap", op_munmap, 3 },
	{ "PRIME", op_prime, 3 },
	{ "dma-buf", op_dmabuf, 2 },
	{ "ring setup", op_ring_setup, 2 },
	{ "ring submit", op_ring_submit, 10 },
	{ "ring reap", op_ring_reap, 6 },
	{ "ring close", op_ring_close, 1 },
	{ "race", op_race, 2 },
	{ "fork", op_fork, 1 },
	{ "nap", op_nap, 2 },
};

#define NOPS ((int)(sizeof(ops) / sizeof(ops[0])))

static const struct op *pick_op(void)
{
	unsigned int total = 0, x;
	int i;

	for (i = 0; i < NOPS; i++)
		total += ops[i].weight;
	x = rn(total);
	for (i = 0; i < NOPS; i++) {
		if (x < ops[i].weight)
			return &ops[i];
		x -= ops[i].weight;
	}
	return &ops[0];
}

/* Up to @limit operations, within the global bound. */
static void run_ops(long limit)
{
	long i;

	for (i = 0; i < limit; i++) {
		const struct op *o;

		if (__atomic_fetch_add(&sh->ops, 1, __ATOMIC_RELAXED) >= my_max)
			break;
		o = pick_op();
		cur_op = (int)(o - ops);
		__atomic_add_fetch(&sh->calls[cur_op], 1, __ATOMIC_RELAXED);
		if (!in_child) {
			snprintf(sh->w[me].cur, sizeof(sh->w[me].cur), "%s", o->name);
			sh->w[me].nops++;
		}
		last_ops[nops_private++ % 4] = o->name;
		o->fn();
		if (sh->magic0 != SH_MAGIC || sh->magic1 != SH_MAGIC) {
			printf("FINDING: worker %d%s (seed 0x%llx, op %ld): the shared page at %p was overwritten (magic 0x%llx 0x%llx) during one of this process's last operations: %s, %s, %s, %s (the last last)\n",
			       me, in_child ? " child" : "",
			       (unsigned long long)worker_seed, nops_private,
			       (void *)sh, (unsigned long long)sh->magic0,
			       (unsigned long long)sh->magic1,
			       last_ops[(nops_private + 0) % 4],
			       last_ops[(nops_private + 1) % 4],
			       last_ops[(nops_private + 2) % 4],
			       last_ops[(nops_private + 3) % 4]);
			fflush(stdout);
			_exit(3);
		}
	}
}

static void worker(int idx, int unpriv)
{
	struct sigaction sa;
	int i;

	me = idx;
	my_max = sh->max_ops;
	worker_seed = sh->w[idx].seed;
	rs = worker_seed;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fault;
	sa.sa_flags = SA_NODEFER;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	if (unpriv && (setgid(65534) || setuid(65534))) {
		finding("setuid 65534: %s", strerror(errno));
		_exit(1);
	}
	for (i = 0; i < NFD; i++)
		slots[i].fd = -1;
	for (i = 0; i < NRING; i++)
		rings[i].fd = -1;
	for (i = 0; i < NDMABUF; i++)
		dmabufs[i] = -1;
	imgs_build();
	run_ops(my_max);
	racer_join();
	op_cleanup_child(1);
	/* drain our rings: every request completes exactly once */
	for (i = 0; i < NRING; i++) {
		struct ring *r = &rings[i];
		uint64_t end = kt_mono_ns() + 30000000000ull;

		while (r->fd >= 0 && r->inflight && kt_mono_ns() < end) {
			ring_enter(r, 0, 1, 100000000ull);
			ring_reap(r);
		}
		if (r->fd >= 0 && r->inflight)
			finding("ring %d: %u requests never completed", r->id,
				r->inflight);
	}
	snprintf(sh->w[me].cur, sizeof(sh->w[me].cur), "exit");
	_exit(0);
}

/* ---- the supervisor ---------------------------------------------------------- */

static int counters(int fd, struct drm_chip_counters *c)
{
	memset(c, 0, sizeof(*c));
	return xioctl(fd, DRM_IOCTL_CHIP_COUNTERS, c);
}

/* Until the device holds only @files files and no run (or 30 s). */
static int settle(int fd, uint64_t files_, struct drm_chip_counters *c)
{
	uint64_t end = kt_mono_ns() + 30000000000ull;
	int ret;

	do {
		ret = counters(fd, c);
		if (ret || (c->dev_runs == 0 && c->dev_files == files_))
			return ret;
		usleep(20000);
	} while (kt_mono_ns() < end);
	return 0;
}

#define MAX_SLABS	512

/*
 * Each slab cache, from /proc/slabinfo: the memory of its slabs and of
 * its objects in use (kB).
 */
struct slab_size {
	char name[40];
	long kb, active_kb;
};

struct mem {
	long sunreclaim, vmalloc, slab;
	int nslabs;
	struct slab_size slabs[MAX_SLABS];
};

/* Fill m->slabs from /proc/slabinfo (none if it cannot be read). */
static void slabs_read(struct mem *m)
{
	long objs, nobjs, size, perslab, pages, active, nslabs;
	long page_kb = sysconf(_SC_PAGESIZE) / 1024;
	FILE *f = fopen("/proc/slabinfo", "r");
	char line[512];

	m->nslabs = 0;
	if (!f)
		return;
	while (m->nslabs < MAX_SLABS && fgets(line, sizeof(line), f)) {
		struct slab_size *sz = &m->slabs[m->nslabs];

		if (sscanf(line, "%39s %ld %ld %ld %ld %ld : tunables %*d %*d %*d : slabdata %ld %ld",
			   sz->name, &objs, &nobjs, &size, &perslab, &pages,
			   &active, &nslabs) != 8)
			continue;	/* the two header lines */
		sz->kb = nslabs * pages * page_kb;
		sz->active_kb = objs * size / 1024;
		m->nslabs++;
	}
	fclose(f);
}

/*
 * The slab caches that grew most from @a to @b, so that a failed memory
 * check says where the memory went.
 */
static void slabs_print_growth(const struct mem *a, const struct mem *b)
{
	long grow[MAX_SLABS], agrow[MAX_SLABS], total = 0;
	int i, j, top;

	for (i = 0; i < b->nslabs; i++) {
		grow[i] = b->slabs[i].kb;
		agrow[i] = b->slabs[i].active_kb;
		for (j = 0; j < a->nslabs; j++)
			if (!strcmp(a->slabs[j].name, b->slabs[i].name)) {
				grow[i] -= a->slabs[j].kb;
				agrow[i] -= a->slabs[j].active_kb;
				break;
			}
		total += agrow[i];
	}
	for (top = 0; top < 8; top++) {
		int best = -1;

		for (i = 0; i < b->nslabs; i++)
			if (grow[i] > 0 && (best < 0 || grow[i] > grow[best]))
				best = i;
		if (best < 0)
			break;
		printf("#   slab %-24s +%ld kB, objects in use %+ld kB\n",
		       b->slabs[best].name, grow[best], agrow[best]);
		grow[best] = 0;
	}
	printf("#   objects in use, all caches: %+ld kB\n", total);
}

static void mem_read(struct mem *m)
{
	FILE *f = getenv("CHIP_FUZZ_NODE") ? NULL :
		  fopen("/proc/sys/vm/drop_caches", "w");

	if (f) {
		fputs("3\n", f);
		fclose(f);
	}
	usleep(200000);
	m->sunreclaim = kt_meminfo("SUnreclaim");
	m->vmalloc = kt_meminfo("VmallocUsed");
	m->slab = kt_meminfo("Slab");
	slabs_read(m);
}

/* Kernel log lines that fail the run. */
static const char *const bad_log[] = {
	"WARNING:", "BUG:", "Oops", "Call Trace", "KASAN", "UBSAN",
	"blocked for more than", "soft lockup", "hard LOCKUP",
	"detected stall", "general protection", "Kernel panic",
	"Out of memory", "page allocation failure", "kernel BUG",
	"refcount_t:", "list_add corruption", "list_del corruption",
};

/* New /dev/kmsg records since open; the number of bad ones (printed). */
static int kmsg_scan(int kfd)
{
	char rec[2048];
	int bad = 0;
	size_t i;
	ssize_t n;

	if (kfd < 0)
		return 0;
	for (;;) {
		n = read(kfd, rec, sizeof(rec) - 1);
		if (n < 0) {
			if (errno == EPIPE)
				continue;	/* overwritten records */
			break;
		}
		rec[n] = 0;
		for (i = 0; i < sizeof(bad_log) / sizeof(bad_log[0]); i++)
			if (strstr(rec, bad_log[i])) {
				char *msg = strchr(rec, ';');

				printf("# kernel: %s", msg ? msg + 1 : rec);
				bad++;
				break;
			}
	}
	return bad;
}

static pid_t wpid[MAX_PROCS];
static int wgen[MAX_PROCS];

static pid_t spawn(int w)
{
	pid_t pid;

	sh->w[w].seed = splitmix(opt_seed ^ ((uint64_t)w << 32) ^
				 (uint64_t)wgen[w]);
	snprintf(sh->w[w].cur, sizeof(sh->w[w].cur), "start");
	fflush(stdout);
	pid = fork();
	if (pid == 0)
		worker(w, w & 1);
	sh->w[w].pid = pid;
	wpid[w] = pid;
	return pid;
}

static int fuzz_result;
static struct drm_chip_counters base_c;
static struct mem base_m;
static int probe_fd = -1, kmsg_fd = -1;

/* Run the workers for @max_ops operations; 0 or the number of failures. */
static int fuzz_round(long max_ops, const char *what)
{
	uint64_t end = kt_mono_ns() + (uint64_t)opt_deadline * 1000000000ull;
	uint64_t next_kill, t0 = kt_mono_ns();
	int live = 0, w, status, fails = 0, kills = 0, respawns = 0, smashed = 0;
	pid_t pid;

	memset(sh, 0, sizeof(*sh));
	sh->magic0 = sh->magic1 = SH_MAGIC;
	sh->max_ops = max_ops;
	memset(wpid, 0, sizeof(wpid));
	memset(wgen, 0, sizeof(wgen));
	printf("# %s: %ld operations\n", what, max_ops);
	for (w = 0; w < opt_procs; w++)
		if (spawn(w) > 0)
			live++;
	next_kill = kt_mono_ns() + 200000000ull + rn(1000) * 1000000ull;
	while (live) {
		if (!smashed && (sh->magic0 != SH_MAGIC || sh->magic1 != SH_MAGIC)) {
			printf("# the shared page was overwritten at %.1f s (magic 0x%llx 0x%llx)\n",
			       (double)(kt_mono_ns() - t0) / 1e9,
			       (unsigned long long)sh->magic0,
			       (unsigned long long)sh->magic1);
			smashed = 1;
			fails++;
		}
		pid = waitpid(-1, &status, WNOHANG);
		if (pid > 0) {
			for (w = 0; w < opt_procs; w++)
				if (wpid[w] == pid)
					break;
			if (w == opt_procs)
				continue;
			wpid[w] = 0;
			live--;
			if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL &&
			    wgen[w] < 0) {
				/* killed by us: a fresh worker takes over */
				wgen[w] = -wgen[w];
				if (__atomic_load_n(&sh->ops, __ATOMIC_RELAXED) <
				    max_ops && spawn(w) > 0) {
					live++;
					respawns++;
				}
			} else if (!WIFEXITED(status) || WEXITSTATUS(status)) {
				printf("# worker %d (seed 0x%llx) ended: %s %d at op %ld (%s)\n",
				       w, (unsigned long long)sh->w[w].seed,
				       WIFEXITED(status) ? "exit" : "signal",
				       WIFEXITED(status) ? WEXITSTATUS(status) :
							   WTERMSIG(status),
				       sh->w[w].nops, sh->w[w].cur);
				fails++;
			}
			continue;
		}
		if (kt_mono_ns() > end) {
			printf("# deadline (%d s): %ld of %ld operations done\n",
			       opt_deadline, sh->ops, max_ops);
			for (w = 0; w < opt_procs; w++)
				if (wpid[w] > 0) {
					printf("# hang: worker %d (seed 0x%llx) at op %ld: %s\n",
					       w, (unsigned long long)sh->w[w].seed,
					       sh->w[w].nops, sh->w[w].cur);
					kill(wpid[w], SIGKILL);
				}
			fails++;
			/* reap what can be reaped; a task stuck in the kernel stays */
			end = kt_mono_ns() + 20000000000ull;
			while (live && kt_mono_ns() < end) {
				if (waitpid(-1, &status, WNOHANG) > 0)
					live--;
				else
					usleep(50000);
			}
			if (live)
				printf("# %d workers do not die (stuck in the kernel)\n",
				       live);
			break;
		}
		if (opt_kill && kt_mono_ns() > next_kill) {
			w = (int)rn((uint32_t)opt_procs);
			if (wpid[w] > 0 && wgen[w] >= 0) {
				wgen[w] = -(wgen[w] + 1);
				kill(wpid[w], SIGKILL);
				kills++;
			}
			next_kill = kt_mono_ns() + 200000000ull + rn(2000) * 1000000ull;
		}
		usleep(5000);
	}
	fails += sh->findings;
	printf("# %s: %ld operations in %.1f s, %d findings, %d workers killed, %d respawned\n",
		       what, sh->ops < max_ops ? sh->ops : max_ops,
		       (double)(kt_mono_ns() - t0) / 1e9, sh->findings, kills,
		       respawns);
	return fails;
}

static int test_fuzz(void)
{
	int fails, i;

	fails = fuzz_round(opt_ops, "fuzz");
	printf("# operation: calls, successful ioctls (io_uring: completions)\n");
	for (i = 0; i < NOPS; i++)
		printf("#   %-20s %7ld %7ld\n", ops[i].name, sh->calls[i],
		       sh->oks[i]);
	fuzz_result = fails;
	CHECK_EQ(fails, 0);
	return 0;
}

/* Every file, object, run and resident callable is gone again. */
static int test_counters(void)
{
	struct drm_chip_counters c;
	int i;

	CHECK_EQ(settle(probe_fd, base_c.dev_files, &c), 0);
	/*
	 * A dma-buf closed by an exiting worker is released by the kernel's
	 * delayed fput, after its files are gone: give its object's device
	 * memory a bounded moment to come back.
	 */
	for (i = 0; i < 250 && !counters(probe_fd, &c) &&
	     c.dev_gm_used != base_c.dev_gm_used; i++)
		usleep(20000);
	printf("# device after: files %llu bos %llu gm_used %llu runs %llu resident %llu (%llu bytes)\n",
	       (unsigned long long)c.dev_files, (unsigned long long)c.dev_bos,
	       (unsigned long long)c.dev_gm_used, (unsigned long long)c.dev_runs,
	       (unsigned long long)c.dev_resident_callables,
	       (unsigned long long)c.dev_resident_bytes);
	CHECK_U64(c.dev_files, base_c.dev_files);
	CHECK_U64(c.dev_runs, 0);
	CHECK_U64(c.dev_bos, base_c.dev_bos);
	CHECK_U64(c.dev_gm_used, base_c.dev_gm_used);
	CHECK_U64(c.dev_resident_callables, base_c.dev_resident_callables);
	CHECK_U64(c.dev_resident_bytes, base_c.dev_resident_bytes);
	return 0;
}

static int test_memory(void)
{
	static struct mem m;

	mem_read(&m);
	printf("# memory (kB): SUnreclaim %ld -> %ld, VmallocUsed %ld -> %ld, Slab %ld -> %ld; tolerance %d\n",
	       base_m.sunreclaim, m.sunreclaim, base_m.vmalloc, m.vmalloc,
	       base_m.slab, m.slab, MEM_TOLERANCE_KB);
	slabs_print_growth(&base_m, &m);
	if (base_m.sunreclaim < 0)
		return T_SKIP;
	CHECK(m.sunreclaim - base_m.sunreclaim < MEM_TOLERANCE_KB);
	CHECK(m.vmalloc - base_m.vmalloc < MEM_TOLERANCE_KB);
	return 0;
}

static int test_kernel_log(void)
{
	if (kmsg_fd < 0)
		return T_SKIP;
	CHECK_EQ(kmsg_scan(kmsg_fd), 0);
	return 0;
}

static long env_long(const char *name, long def)
{
	const char *v = getenv(name);

	return v && *v ? strtol(v, NULL, 0) : def;
}

int main(int argc, char **argv)
{
	struct drm_chip_get_param p = { 0 };
	const char *s;
	struct chip_args a;
	mode_t old_mode = 0600;
	struct stat stt;
	long warm;

	ct_init(argc, argv);
	if (ct_is_sim()) {
		printf("# kernel-only: skipped on %s\n", ct_platform());
		printf("0 passed, 0 failed\n");
		return 0;
	}
	s = getenv("CHIP_FUZZ_SEED");
	opt_seed = s && *s ? strtoull(s, NULL, 0) :
			     splitmix(kt_mono_ns() ^ (uint64_t)getpid());
	opt_ops = env_long("CHIP_FUZZ_OPS", opt_ops);
	opt_procs = (int)env_long("CHIP_FUZZ_PROCS", opt_procs);
	opt_kill = (int)env_long("CHIP_FUZZ_KILL", opt_kill);
	opt_deadline = (int)env_long("CHIP_FUZZ_DEADLINE", opt_deadline);
	if (opt_procs < 1 || opt_procs > MAX_PROCS)
		opt_procs = 4;
	printf("# fuzz_ioctl: seed 0x%llx, %ld operations, %d processes, kills %s, deadline %d s\n",
	       (unsigned long long)opt_seed, opt_ops, opt_procs,
	       opt_kill ? "on" : "off", opt_deadline);
	printf("# reproduce: CHIP_FUZZ_SEED=0x%llx CHIP_FUZZ_OPS=%ld CHIP_FUZZ_PROCS=%d CHIP_FUZZ_KILL=%d %s\n",
	       (unsigned long long)opt_seed, opt_ops, opt_procs, opt_kill,
	       argv[0]);
	rs = opt_seed;
	if (!getenv("CHIP_ORCH_SO") && !access("/tests/orch/host_orch.so", R_OK))
		setenv("CHIP_ORCH_SO", "/tests/orch/host_orch.so", 1);

	node = getenv("CHIP_FUZZ_NODE");	/* another node, or a dry run */
	if (!node || !*node)
		node = find_node();
	if (!node) {
		printf("# no chip node\n0 passed, 1 failed\n");
		return 1;
	}
	probe_fd = open(node, O_RDWR | O_CLOEXEC);
	if (probe_fd < 0) {
		printf("# %s: %s\n0 passed, 1 failed\n", node, strerror(errno));
		return 1;
	}
	p.param = DRM_CHIP_PARAM_MAX_TIMEOUT_NS;
	xioctl(probe_fd, DRM_IOCTL_CHIP_GET_PARAM, &p);
	max_timeout_ns = p.value;
	p.param = DRM_CHIP_PARAM_GM_SIZE;
	xioctl(probe_fd, DRM_IOCTL_CHIP_GET_PARAM, &p);
	gm_size = p.value;
	chip_args_init(&a);
	null_args_len = chip_args_encode(&a, null_args, sizeof(null_args));

	/* user memory the workers point at; an unmapped and a read-only page */
	/* a guard page after the scratch buffer: copies run past its end */
	scratch = mmap(NULL, SCRATCH + 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (scratch != MAP_FAILED)
		mprotect(scratch + SCRATCH, 4096, PROT_NONE);
	bad_page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ro_page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	/* the shared page between guard pages */
	sh = mmap(NULL, 3 * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (sh != MAP_FAILED)
		sh = mmap((char *)sh + 4096, sizeof(*sh), PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (scratch == MAP_FAILED || bad_page == MAP_FAILED ||
	    ro_page == MAP_FAILED || sh == MAP_FAILED) {
		printf("# mmap failed\n0 passed, 1 failed\n");
		return 1;
	}
	/* the unprivileged workers open the node too */
	if (!stat(node, &stt)) {
		old_mode = stt.st_mode & 07777;
		chmod(node, 0666);
	}
	/* a short warm-up round fills the caches the kernel keeps */
	warm = opt_ops / 10 < 2000 ? opt_ops / 10 : 2000;
	if (warm > 0 && fuzz_round(warm, "warm-up"))
		printf("# warm-up round failed\n");
	settle(probe_fd, 1, &base_c);
	mem_read(&base_m);
	kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kmsg_fd >= 0)
		lseek(kmsg_fd, 0, SEEK_END);
	printf("# device before: files %llu bos %llu gm_used %llu resident %llu\n",
	       (unsigned long long)base_c.dev_files,
	       (unsigned long long)base_c.dev_bos,
	       (unsigned long long)base_c.dev_gm_used,
	       (unsigned long long)base_c.dev_resident_callables);

	T_RUN(test_fuzz);
	T_RUN(test_counters);
	T_RUN(test_memory);
	T_RUN(test_kernel_log);
	chmod(node, old_mode);
	close(probe_fd);
	if (fuzz_result)
		printf("# reproduce: CHIP_FUZZ_SEED=0x%llx (see the FINDING lines)\n",
		       (unsigned long long)opt_seed);
	return T_DONE();
}
