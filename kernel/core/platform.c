// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Platform limits.  The simulated variants ("a2a3sim", "a5sim") use the
 * same platform ids and the same limits as the hardware they model.
 */
#include "chipc.h"

static const struct chipc_platform chipc_platforms[] = {
	{
		.id = CHIP_PLATFORM_A2A3,
		.name = "a2a3",
		.max_blocks = 24,
		.max_aicpu_threads = 4,
	},
	{
		.id = CHIP_PLATFORM_A5,
		.name = "a5",
		.max_blocks = 36,
		.max_aicpu_threads = 7,
	},
};

/**
 * chipc_platform_get() - limits of a platform
 * @id: CHIP_PLATFORM_*
 *
 * Return: the platform's description, or NULL for an unknown @id.
 */
const struct chipc_platform *chipc_platform_get(u32 id)
{
	size_t i;

	for (i = 0; i < CHIPC_ARRAY_SIZE(chipc_platforms); i++)
		if (chipc_platforms[i].id == id)
			return &chipc_platforms[i];
	return NULL;
}
