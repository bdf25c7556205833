/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The command numbers of /dev/chip_uringfloor (chip_uringfloor.c), for
 * the module and for tools/uringbench.
 */
#ifndef _CHIP_URINGFLOOR_H
#define _CHIP_URINGFLOOR_H

#define CHIP_FLOOR_NOP		0	/* completes in the issue */
#define CHIP_FLOOR_ASYNC	1	/* completes from the module's thread */

#endif
