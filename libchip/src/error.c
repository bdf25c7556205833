// SPDX-License-Identifier: MIT
/*
 * The message of the last failed chip_open() in this thread: what a user
 * can act on (the node tried, why it failed), beyond the errno.
 */
#include <stdarg.h>
#include <stdio.h>
#include "internal.h"

static __thread char chip_msg[256];

void chip_set_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(chip_msg, sizeof(chip_msg), fmt, ap);
	va_end(ap);
}

const char *chip_last_error(void)
{
	return chip_msg;
}
