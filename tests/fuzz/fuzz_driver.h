/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Standalone driver for the fuzz harnesses: without libFuzzer (the
 * default, plain gcc, valgrind) each harness's main() calls fz_main(),
 * which feeds LLVMFuzzerTestOneInput() N deterministic pseudo-random
 * mutations of a valid seed.  With -DCHIP_LIBFUZZER this header adds
 * nothing and libFuzzer provides main().
 *
 *	fuzz_X [N]		run N mutations (default 200000)
 *	fuzz_X --seed FILE	write the seed input to FILE and exit
 */
#ifndef CHIP_FUZZ_DRIVER_H
#define CHIP_FUZZ_DRIVER_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#ifndef CHIP_LIBFUZZER

#define FZ_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static uint64_t fz_state = 0x9e3779b97f4a7c15ull;

/* xorshift64*: deterministic across runs and machines */
static uint64_t fz_rand(void)
{
	fz_state ^= fz_state >> 12;
	fz_state ^= fz_state << 25;
	fz_state ^= fz_state >> 27;
	return fz_state * 0x2545f4914f6cdd1dull;
}

static uint32_t fz_below(uint64_t n)
{
	return n ? (uint32_t)(fz_rand() % n) : 0;
}

/* Values at the edges of every count, size and offset rule. */
static uint32_t fz_interesting(size_t len)
{
	static const uint32_t v[] = {
		0, 1, 2, 3, 4, 5, 6, 7, 8, 16, 31, 32, 33, 40, 63, 64, 65,
		127, 128, 129, 255, 256, 257, 1023, 1024, 1025, 4096, 8596,
		8704, 8768, 16383, 16384, 16385, 65535, 65536, 65537,
		0x7fffffffu, 0x80000000u, 0xfffffffeu, 0xffffffffu,
	};
	uint32_t r = fz_below(FZ_ARRAY_SIZE(v) + 3);

	if (r < FZ_ARRAY_SIZE(v))
		return v[r];
	return (uint32_t)len + r - (uint32_t)(FZ_ARRAY_SIZE(v)) - 1;
}

/* One mutation of @buf (@len bytes, room for @cap); the new length. */
static size_t fz_mutate_one(uint8_t *buf, size_t len, size_t cap)
{
	uint32_t v, off;

	switch (fz_below(8)) {
	case 0:		/* flip a bit */
		if (len)
			buf[fz_below(len)] ^= (uint8_t)(1u << fz_below(8));
		break;
	case 1:		/* a random byte */
		if (len)
			buf[fz_below(len)] = (uint8_t)fz_rand();
		break;
	case 2:		/* an interesting 32-bit little-endian field */
	case 3:
		if (len >= 4) {
			v = fz_interesting(len);
			off = fz_below(len / 4) * 4;
			if (fz_below(4) == 0)
				v += (uint32_t)fz_below(3) - 1u;
			memcpy(buf + off, &v, 4);
		}
		break;
	case 4:		/* truncate */
		if (len)
			len = fz_below(8) ? len - 1 - fz_below(len < 64 ? len :
								     64) :
			      fz_below(len);
		break;
	case 5:		/* grow with random or zero bytes */
		off = 1 + fz_below(fz_below(2) ? 8 : 256);
		if (len + off > cap)
			off = (uint32_t)(cap - len);
		for (v = 0; v < off; v++)
			buf[len + v] = fz_below(2) ? 0 : (uint8_t)fz_rand();
		len += off;
		break;
	case 6:		/* a byte near the start (headers live there) */
		if (len)
			buf[fz_below(len < 64 ? len : 64)] ^=
				(uint8_t)(1 + fz_below(255));
		break;
	default:	/* copy a chunk over another */
		if (len >= 16) {
			uint32_t n = 1 + fz_below(16);
			uint32_t from = fz_below(len - n + 1);

			off = fz_below(len - n + 1);
			memmove(buf + off, buf + from, n);
		}
		break;
	}
	return len;
}

static int fz_write_seed(const char *path, const uint8_t *seed, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(seed, 1, len, f) != len) {
		perror(path);
		if (f)
			fclose(f);
		return 1;
	}
	return fclose(f) ? 1 : 0;
}

/*
 * Run the harness on the seed itself (which must be accepted, see
 * @accepted) and then on @argv[1] (default 200000) mutations of it.
 */
static int fz_main(const char *name, int argc, char **argv,
		   const uint8_t *seed, size_t seed_len,
		   const unsigned long *accepted)
{
	unsigned long n = 200000, i, before;
	size_t cap = seed_len + 4096, len;
	uint8_t *buf, *in;
	uint32_t k;

	if (argc > 2 && !strcmp(argv[1], "--seed"))
		return fz_write_seed(argv[2], seed, seed_len);
	if (argc > 1)
		n = strtoul(argv[1], NULL, 0);
	buf = malloc(cap);
	if (!buf)
		return 1;

	before = *accepted;
	LLVMFuzzerTestOneInput(seed, seed_len);
	if (*accepted == before) {
		fprintf(stderr, "%s: the seed input is rejected\n", name);
		free(buf);
		return 1;
	}
	for (i = 0; i < n; i++) {
		memcpy(buf, seed, seed_len);
		len = seed_len;
		for (k = 1 + fz_below(4); k; k--)
			len = fz_mutate_one(buf, len, cap);
		/* an exactly sized copy, so overreads are caught */
		in = malloc(len ? len : 1);
		if (!in)
			break;
		memcpy(in, buf, len);
		LLVMFuzzerTestOneInput(in, len);
		free(in);
	}
	printf("%s: %lu inputs, %lu accepted\n", name, n + 1, *accepted);
	free(buf);
	return i == n ? 0 : 1;
}

#endif /* CHIP_LIBFUZZER */
#endif /* CHIP_FUZZ_DRIVER_H */
