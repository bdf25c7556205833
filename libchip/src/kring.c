// SPDX-License-Identifier: MIT
/*
 * A minimal io_uring on raw system calls; see kring.h.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include "kring.h"

int chip_kring_setup(struct chip_kring *r, unsigned int entries,
		     unsigned int cq_entries, unsigned int flags)
{
	struct io_uring_params p;
	long fd;

	memset(r, 0, sizeof(*r));
	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_CQSIZE | flags;
	r->big = !!(flags & IORING_SETUP_SQE128);
	r->cqe32 = !!(flags & IORING_SETUP_CQE32);
	p.cq_entries = cq_entries;
	fd = syscall(__NR_io_uring_setup, entries, &p);
	if (fd < 0)
		return -errno;
	r->fd = (int)fd;
	if (!(p.features & IORING_FEAT_SINGLE_MMAP) ||
	    !(p.features & IORING_FEAT_EXT_ARG)) {
		close(r->fd);
		return -EOPNOTSUPP;
	}
	r->sq_len = p.sq_off.array + p.sq_entries * sizeof(unsigned int);
	r->cq_len = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe) * (r->cqe32 ? 2 : 1);
	if (r->cq_len > r->sq_len)
		r->sq_len = r->cq_len;
	r->sq_ptr = mmap(NULL, r->sq_len, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQ_RING);
	if (r->sq_ptr == MAP_FAILED)
		goto err;
	r->cq_ptr = r->sq_ptr;
	r->sqes_len = p.sq_entries * sizeof(struct io_uring_sqe) * (r->big ? 2 : 1);
	r->sqes = mmap(NULL, r->sqes_len, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQES);
	if (r->sqes == MAP_FAILED) {
		munmap(r->sq_ptr, r->sq_len);
		goto err;
	}
	r->sq_head = (unsigned int *)((char *)r->sq_ptr + p.sq_off.head);
	r->sq_tail = (unsigned int *)((char *)r->sq_ptr + p.sq_off.tail);
	r->sq_mask = (unsigned int *)((char *)r->sq_ptr + p.sq_off.ring_mask);
	r->sq_array = (unsigned int *)((char *)r->sq_ptr + p.sq_off.array);
	r->cq_head = (unsigned int *)((char *)r->cq_ptr + p.cq_off.head);
	r->cq_tail = (unsigned int *)((char *)r->cq_ptr + p.cq_off.tail);
	r->cq_mask = (unsigned int *)((char *)r->cq_ptr + p.cq_off.ring_mask);
	r->cqes = (struct io_uring_cqe *)((char *)r->cq_ptr + p.cq_off.cqes);
	r->sq_entries = p.sq_entries;
	return 0;
err:
	close(r->fd);
	return -ENOMEM;
}

void chip_kring_exit(struct chip_kring *r)
{
	munmap(r->sqes, r->sqes_len);
	munmap(r->sq_ptr, r->sq_len);
	close(r->fd);
}

/* The next free SQE, zeroed, or NULL when the queue is full. */
struct io_uring_sqe *chip_kring_sqe(struct chip_kring *r)
{
	unsigned int tail = *r->sq_tail;
	unsigned int head = __atomic_load_n(r->sq_head, __ATOMIC_ACQUIRE);
	struct io_uring_sqe *sqe;

	if (tail - head >= r->sq_entries)
		return NULL;
	sqe = &r->sqes[(tail & *r->sq_mask) << r->big];
	memset(sqe, 0, sizeof(*sqe) << r->big);
	r->sq_array[tail & *r->sq_mask] = tail & *r->sq_mask;
	__atomic_store_n(r->sq_tail, tail + 1, __ATOMIC_RELEASE);
	return sqe;
}

int chip_kring_enter(struct chip_kring *r, unsigned int submit,
		     unsigned int wait, uint64_t timeout_ns)
{
	struct __kernel_timespec ts;
	struct io_uring_getevents_arg arg;
	unsigned int flags = wait ? IORING_ENTER_GETEVENTS : 0;
	long ret;

	memset(&arg, 0, sizeof(arg));
	if (wait && timeout_ns) {
		ts.tv_sec = (long long)(timeout_ns / 1000000000ull);
		ts.tv_nsec = (long long)(timeout_ns % 1000000000ull);
		arg.ts = (uint64_t)(uintptr_t)&ts;
	}
	flags |= IORING_ENTER_EXT_ARG;
	ret = syscall(__NR_io_uring_enter, r->fd, submit, wait, flags, &arg,
		      sizeof(arg));
	return ret < 0 ? -errno : (int)ret;
}

/* The next completion or NULL; ring_seen() consumes it. */
struct io_uring_cqe *chip_kring_cqe(struct chip_kring *r)
{
	unsigned int head = *r->cq_head;

	if (head == __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE))
		return NULL;
	return &r->cqes[(head & *r->cq_mask) << r->cqe32];
}

void chip_kring_seen(struct chip_kring *r)
{
	__atomic_store_n(r->cq_head, *r->cq_head + 1, __ATOMIC_RELEASE);
}
