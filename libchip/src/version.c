// SPDX-License-Identifier: MIT
/*
 * The version of the library a program runs with, to compare with the
 * CHIP_VERSION_* macros of the headers it was built with.
 */
#include "internal.h"

int chip_version(int *major, int *minor, int *patch)
{
	if (major)
		*major = CHIP_VERSION_MAJOR;
	if (minor)
		*minor = CHIP_VERSION_MINOR;
	if (patch)
		*patch = CHIP_VERSION_PATCH;
	return CHIP_VERSION;
}
