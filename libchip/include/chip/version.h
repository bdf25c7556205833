/* SPDX-License-Identifier: MIT */
/*
 * libchip's version.  The headers a program is built with say which API
 * it may use (CHIP_VERSION >= CHIP_VERSION_NUM(0, 1, 0)); chip_version()
 * says which library it runs with.  The shared library's SONAME changes
 * with CHIP_VERSION_MAJOR only; new symbols of a minor version carry the
 * symbol version CHIP_<major>.<minor> (libchip/libchip.map).
 */
#ifndef CHIP_VERSION_H
#define CHIP_VERSION_H

#define CHIP_VERSION_MAJOR	0
#define CHIP_VERSION_MINOR	2
#define CHIP_VERSION_PATCH	0

#define CHIP_VERSION_NUM(major, minor, patch) \
	(((major) << 16) | ((minor) << 8) | (patch))
#define CHIP_VERSION \
	CHIP_VERSION_NUM(CHIP_VERSION_MAJOR, CHIP_VERSION_MINOR, \
			 CHIP_VERSION_PATCH)

#endif /* CHIP_VERSION_H */
