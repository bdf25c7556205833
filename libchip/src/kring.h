/* SPDX-License-Identifier: MIT */
/*
 * A minimal io_uring on raw system calls (liburing is not a dependency):
 * what libchip's kernel backend, the guest tests and uringbench share.
 * One mmap for both rings (IORING_FEAT_SINGLE_MMAP) and waits with
 * IORING_ENTER_EXT_ARG timeouts are required; SQE128 and CQE32 rings are
 * supported.
 */
#ifndef CHIP_KRING_H
#define CHIP_KRING_H

#include <stddef.h>
#include <stdint.h>
#include <linux/io_uring.h>

struct chip_kring {
	int fd;
	unsigned int *sq_head, *sq_tail, *sq_mask, *sq_array;
	unsigned int *cq_head, *cq_tail, *cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
	void *sq_ptr, *cq_ptr;
	size_t sq_len, cq_len, sqes_len;
	unsigned int sq_entries;
	int big, cqe32;
};

/* Return: 0, -errno of io_uring_setup(), -EOPNOTSUPP, -ENOMEM. */
int chip_kring_setup(struct chip_kring *r, unsigned int entries,
		     unsigned int cq_entries, unsigned int flags);
void chip_kring_exit(struct chip_kring *r);
/* The next free SQE, zeroed and queued, or NULL when the queue is full. */
struct io_uring_sqe *chip_kring_sqe(struct chip_kring *r);
/* Submit @submit, wait for @wait completions (timeout 0: none). */
int chip_kring_enter(struct chip_kring *r, unsigned int submit,
		     unsigned int wait, uint64_t timeout_ns);
/* The next completion or NULL; chip_kring_seen() consumes it. */
struct io_uring_cqe *chip_kring_cqe(struct chip_kring *r);
void chip_kring_seen(struct chip_kring *r);

#endif /* CHIP_KRING_H */
