// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Device programs shared by examples, tests and benchmarks.  Argument
 * conventions are documented in programs.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include "chip/chip.h"
#include "common/programs.h"

const struct prog_info prog_catalogue[] = {
	{ "vec_add", PROG_VEC_ADD, CHIP_CORE_AIV },
	{ "vec_add_scalar", PROG_VEC_ADD_SCALAR, CHIP_CORE_AIV },
	{ "vec_mul", PROG_VEC_MUL, CHIP_CORE_AIV },
	{ "matmul", PROG_MATMUL, CHIP_CORE_AIC },
	{ "softmax_rows", PROG_SOFTMAX_ROWS, CHIP_CORE_AIV },
	{ "spin", PROG_SPIN, CHIP_CORE_AIC },
	{ "oob_store", PROG_OOB_STORE, CHIP_CORE_AIV },
	{ "null", PROG_NULL_KERNEL, CHIP_CORE_AIV },
	{ "orch_null", PROG_ORCH_NULL, CHIP_CORE_AICPU },
	{ "orch_fatal", PROG_ORCH_FATAL, CHIP_CORE_AICPU },
	{ "orch_vector", PROG_ORCH_VECTOR, CHIP_CORE_AICPU },
	{ "orch_matmul", PROG_ORCH_MATMUL, CHIP_CORE_AICPU },
	{ "orch_softmax", PROG_ORCH_SOFTMAX, CHIP_CORE_AICPU },
	{ "orch_spin", PROG_ORCH_SPIN, CHIP_CORE_AICPU },
	{ "orch_oob", PROG_ORCH_OOB, CHIP_CORE_AICPU },
	{ "orch_many", PROG_ORCH_MANY, CHIP_CORE_AICPU },
};

const size_t prog_catalogue_len =
	sizeof(prog_catalogue) / sizeof(prog_catalogue[0]);

void *prog_build(const char *text, size_t *size)
{
	char err[128];
	void *code = NULL;
	int rc;

	rc = chip_asm(text, &code, size, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "prog_build: %s (%d)\n", err, rc);
		return NULL;
	}
	return code;
}
