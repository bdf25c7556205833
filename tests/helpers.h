/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Minimal test harness shared by unit and conformance tests.
 *
 * Each test program is a main() that calls T_RUN(fn) for each case.  A
 * case returns 0 (pass), 77 (skip) or anything else (fail).  CHECK*()
 * print the failing expression with its values and make the case fail.
 * T_DONE() prints "N passed, N failed" and returns the exit code.
 */
#ifndef CHIP_TEST_HELPERS_H
#define CHIP_TEST_HELPERS_H

#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <inttypes.h>

extern int t_passed, t_failed, t_skipped;

#define T_SKIP 77

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: CHECK(%s) failed\n",		\
			__FILE__, __LINE__, #cond);			\
		return 1;						\
	}								\
} while (0)

#define CHECK_EQ(a, b) do {						\
	long long _a = (long long)(a), _b = (long long)(b);		\
	if (_a != _b) {							\
		fprintf(stderr, "%s:%d: %s == %s failed: %lld != %lld\n", \
			__FILE__, __LINE__, #a, #b, _a, _b);		\
		return 1;						\
	}								\
} while (0)

#define CHECK_U64(a, b) do {						\
	unsigned long long _a = (unsigned long long)(a);		\
	unsigned long long _b = (unsigned long long)(b);		\
	if (_a != _b) {							\
		fprintf(stderr, "%s:%d: %s == %s failed: 0x%llx != 0x%llx\n", \
			__FILE__, __LINE__, #a, #b, _a, _b);		\
		return 1;						\
	}								\
} while (0)

/* The bits of a binary32, and back. */
static inline uint32_t bits(float f)
{
	uint32_t u;

	memcpy(&u, &f, 4);
	return u;
}

static inline float flt(uint32_t u)
{
	float f;

	memcpy(&f, &u, 4);
	return f;
}

/* One step of a xorshift64 generator: deterministic test inputs. */
static inline uint64_t t_xorshift64(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

#define T_RUN(fn) t_run(#fn, fn)
#define T_DONE() t_done()

void t_run(const char *name, int (*fn)(void));
int t_done(void);

#endif
