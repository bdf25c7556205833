// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The dedup key: libchip's xxh64 (libchip/src/xxhash.c) against the
 * specification's vectors and, where Debian's libxxhash is installed,
 * against its XXH64() at every length and alignment; streaming in pieces,
 * the fused copy-and-hash, and chipc_copy_key().
 */
#include <dlfcn.h>
#include <errno.h>
#include "helpers.h"
#include "chipc.h"

/* XXH64 of the xxHash specification (values from libxxhash 0.8.1). */
static int t_vectors(void)
{
	static const char spam[] = "Nobody inspects the spammish repetition";
	const u64 seed = 0x9e3779b97f4a7c15ull;
	u8 buf[1027];
	unsigned int i;

	CHECK_U64(xxh64("", 0, 0), 0xef46db3751d8e999ull);
	CHECK_U64(xxh64("a", 1, 0), 0xd24ec4f1a98c6e5bull);
	CHECK_U64(xxh64("abc", 3, 0), 0x44bc2cf5ad770999ull);
	CHECK_U64(xxh64(spam, 39, 0), 0xfbcea83c8a378bf1ull);
	CHECK_U64(xxh64("", 0, seed), 0xc4349fc93c010000ull);
	CHECK_U64(xxh64("a", 1, seed), 0x9a7c6d2ea45568c9ull);
	CHECK_U64(xxh64("abc", 3, seed), 0x2ed0f59d6b43ac8bull);
	CHECK_U64(xxh64(spam, 39, seed), 0xeb8b157ca26cbf34ull);
	/* 0..255 four times and "xyz": stripes, lanes and every tail */
	for (i = 0; i < 1024; i++)
		buf[i] = (u8)i;
	memcpy(buf + 1024, "xyz", 3);
	CHECK_U64(xxh64(buf, sizeof(buf), 0), 0xe146cb31b65bc21aull);
	CHECK_U64(xxh64(buf, sizeof(buf), seed), 0x86b7211d04e93c1full);
	/* the dedup key is xxh64 with seed 0 */
	CHECK_U64(chipc_content_key(buf, sizeof(buf)), 0xe146cb31b65bc21aull);
	return 0;
}

/* Any split into pieces, copied or not, gives the one-shot hash. */
static int t_streaming(void)
{
	static u8 src[5000], dst[5000 + 8];
	struct xxh64_state st;
	u64 rng = 0x1234567, want, key;
	size_t len, pos, n;
	int round, copy;

	for (pos = 0; pos < sizeof(src); pos++)
		src[pos] = (u8)t_xorshift64(&rng);
	for (round = 0; round < 400; round++) {
		len = (size_t)(t_xorshift64(&rng) % sizeof(src));
		want = xxh64(src, len, (u64)round);
		for (copy = 0; copy < 2; copy++) {
			memset(dst, 0xa5, sizeof(dst));
			xxh64_reset(&st, (u64)round);
			for (pos = 0; pos < len; pos += n) {
				n = (size_t)(t_xorshift64(&rng) % 100);
				if (round & 1)
					n *= 32;	/* whole stripes too */
				if (n > len - pos)
					n = len - pos;
				if (copy)
					chipc_xxh64_copy_update(&st, dst + pos,
								src + pos, n);
				else
					CHECK_EQ(xxh64_update(&st, src + pos,
							      n), 0);
			}
			CHECK_U64(xxh64_digest(&st), want);
			if (copy) {
				CHECK(!memcmp(dst, src, len));
				CHECK_EQ(dst[len], 0xa5);
			}
		}
		/* chipc_copy_key(): chunked, at an odd destination */
		memset(dst, 0, sizeof(dst));
		key = chipc_copy_key(dst + 1, src, len);
		CHECK_U64(key, xxh64(src, len, CHIPC_KEY_SEED));
		CHECK_U64(key, chipc_content_key(src, len));
		CHECK(!memcmp(dst + 1, src, len));
		CHECK_EQ(dst[len + 1], 0);
	}
	xxh64_reset(&st, 0);
	CHECK_EQ(xxh64_update(&st, NULL, 1), -EINVAL);
	return 0;
}

/* Debian's libxxhash, when installed, agrees everywhere. */
static int t_libxxhash(void)
{
	unsigned long long (*ref)(const void *, size_t, unsigned long long);
	static u8 buf[700 + 8];
	u64 rng = 42;
	size_t len, off, i;
	void *so;

	so = dlopen("libxxhash.so.0", RTLD_NOW);
	if (!so) {
		fprintf(stderr, "libxxhash.so.0 not installed\n");
		return T_SKIP;
	}
	*(void **)&ref = dlsym(so, "XXH64");
	CHECK(ref);
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (u8)t_xorshift64(&rng);
	for (len = 0; len <= 700; len++)
		for (off = 0; off < 8; off++)
			CHECK_U64(xxh64(buf + off, len, len * 31 + off),
				  ref(buf + off, len, len * 31 + off));
	dlclose(so);
	return 0;
}

int main(void)
{
	T_RUN(t_vectors);
	T_RUN(t_streaming);
	T_RUN(t_libxxhash);
	return T_DONE();
}
