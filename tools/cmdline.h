/* SPDX-License-Identifier: MIT */
/*
 * Command lines of the programs in tools/: each answers --help (usage on
 * stdout, exit 0) and rejects a bad argument with its usage on stderr
 * and exit 2.
 */
#ifndef CHIP_TOOLS_CMDLINE_H
#define CHIP_TOOLS_CMDLINE_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Is one of the arguments --help or -h? */
static inline int cmdline_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return 1;
	return 0;
}

/* Is @s a platform name chip_open() knows? */
static inline int cmdline_platform(const char *s)
{
	static const char *const names[] = { "a2a3", "a5", "a2a3sim", "a5sim" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i]))
			return 1;
	return 0;
}

/* Parse a decimal in [@min, @max] into *@v; 0 or -EINVAL. */
static inline int cmdline_uint(const char *s, unsigned long min,
			       unsigned long max, unsigned long *v)
{
	char *end;

	if (!*s || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	*v = strtoul(s, &end, 10);
	if (errno || *end || *v < min || *v > max)
		return -EINVAL;
	return 0;
}

/* Print @usage to stderr after "@prog: @what" and return exit code 2. */
static inline int cmdline_bad(const char *prog, const char *what,
			      const char *usage)
{
	fprintf(stderr, "%s: %s\n%s", prog, what, usage);
	return 2;
}

#endif /* CHIP_TOOLS_CMDLINE_H */
