// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "helpers.h"

int t_passed, t_failed, t_skipped;

void t_run(const char *name, int (*fn)(void))
{
	int rc = fn();

	if (rc == 0) {
		t_passed++;
		printf("ok %s\n", name);
	} else if (rc == T_SKIP) {
		t_skipped++;
		printf("skip %s\n", name);
	} else {
		t_failed++;
		printf("FAIL %s\n", name);
	}
	fflush(stdout);
}

int t_done(void)
{
	printf("%d passed, %d failed, %d skipped\n", t_passed, t_failed,
	       t_skipped);
	return t_failed ? 1 : 0;
}
