// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * chipasm: assemble device ISA text into a raw program, or disassemble one.
 *
 *	chipasm [-o out] file		assemble (default output: a.bin)
 *	chipasm -d [-o out] file	disassemble (default output: stdout)
 *
 * "-" as the file reads standard input; "-o -" writes standard output.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <getopt.h>
#include <unistd.h>
#include "chip/chip.h"
#include "common/programs.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: chipasm [-d] [-o out] file\n"
		"  assemble ISA text into a raw program (default out: a.bin)\n"
		"  -d, --disassemble  disassemble a raw program (default out: stdout)\n"
		"  -o, --output FILE  write to FILE (- for stdout)\n"
		"  -h, --help         this text\n"
		"  file               the input (- for stdin)\n");
}

static int read_all(const char *path, char **buf, size_t *len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	size_t cap = 4096, n = 0, got;
	char *b, *nb;

	if (!f)
		return -errno;
	b = malloc(cap + 1);
	if (!b)
		goto oom;
	while ((got = fread(b + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap) {
			cap *= 2;
			nb = realloc(b, cap + 1);
			if (!nb)
				goto oom;
			b = nb;
		}
	}
	if (ferror(f)) {
		free(b);
		if (f != stdin)
			fclose(f);
		return -EIO;
	}
	if (f != stdin)
		fclose(f);
	b[n] = 0;
	*buf = b;
	*len = n;
	return 0;
oom:
	free(b);
	if (f != stdin)
		fclose(f);
	return -ENOMEM;
}

static int write_all(const char *path, const void *p, size_t n)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "wb") : stdout;
	int rc = 0;

	if (!f)
		return -errno;
	if (n && fwrite(p, 1, n, f) != n)
		rc = -EIO;
	if (f == stdout) {
		if (fflush(f))
			rc = -EIO;
	} else if (fclose(f)) {
		rc = -EIO;
	}
	return rc;
}

int main(int argc, char **argv)
{
	const char *out = NULL, *in;
	int dis = 0, opt, rc;
	char *buf = NULL, *text, err[160];
	size_t len = 0, size;
	void *code;

	static const struct option longopts[] = {
		{ "disassemble", no_argument, NULL, 'd' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};

	while ((opt = getopt_long(argc, argv, "do:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			dis = 1;
			break;
		case 'o':
			out = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	in = argv[optind];
	rc = read_all(in, &buf, &len);
	if (rc) {
		fprintf(stderr, "chipasm: %s: %s\n", in, strerror(-rc));
		return 1;
	}
	if (dis) {
		rc = chip_disasm(buf, len, &text);
		free(buf);
		if (rc) {
			fprintf(stderr, "chipasm: %s: %s\n", in,
				rc == -EINVAL ?
				"size is not a multiple of 8 bytes" :
				strerror(-rc));
			return 1;
		}
		rc = write_all(out ? out : "-", text, strlen(text));
		free(text);
	} else {
		if (strlen(buf) != len) {
			fprintf(stderr, "chipasm: %s: NUL byte in the text\n",
				in);
			free(buf);
			return 1;
		}
		rc = chip_asm(buf, &code, &size, err, sizeof(err));
		free(buf);
		if (rc) {
			fprintf(stderr, "chipasm: %s: %s\n", in,
				rc == -EINVAL ? err : strerror(-rc));
			return 1;
		}
		rc = write_all(out ? out : "a.bin", code, size);
		free(code);
	}
	if (rc) {
		fprintf(stderr, "chipasm: %s: %s\n", out ? out : "output",
			strerror(-rc));
		return 1;
	}
	return 0;
}
