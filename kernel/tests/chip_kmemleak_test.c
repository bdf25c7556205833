// SPDX-License-Identifier: GPL-2.0
/*
 * A leak check for the chip suites: with CONFIG_DEBUG_KMEMLEAK, ask
 * kmemleak for a scan after every other chip suite has run and fail if an
 * unreferenced object was allocated by chip code.  Linked last, so it runs
 * last (see Makefile).  Skipped on kernels without kmemleak.
 *
 * kmemleak is driven through its debugfs file, as a user would: debugfs is
 * mounted internally and the command is written from a user mapping of
 * the case's own, since the file only takes user buffers.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mman.h>
#include <linux/mount.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "chip_kunit_helpers.h"

/* kmemleak reports only objects older than this (mm/kmemleak.c) */
#define KMEMLEAK_MIN_AGE_MS	5000
#define REPORT_MAX		(64 * 1024)

KUNIT_DEFINE_ACTION_WRAPPER(kern_unmount_action, kern_unmount, struct vfsmount *);
KUNIT_DEFINE_ACTION_WRAPPER(fput_action, fput, struct file *);

static struct file *kmemleak_open(struct kunit *test)
{
	struct file_system_type *type;
	struct vfsmount *mnt;
	struct file *f;

	type = get_fs_type("debugfs");
	KUNIT_ASSERT_NOT_NULL(test, type);
	mnt = kern_mount(type);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(mnt), "mount debugfs: %ld", PTR_ERR(mnt));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kern_unmount_action, mnt), 0);
	f = file_open_root_mnt(mnt, "kmemleak", O_RDWR, 0);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(f), "open kmemleak: %ld", PTR_ERR(f));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, fput_action, f), 0);
	return f;
}

static bool block_has(const char *b, const char *end, const char *word)
{
	size_t n = strlen(word);
	const char *p;

	for (p = b; p + n <= end; p++)
		if (!memcmp(p, word, n))
			return true;
	return false;
}

/*
 * Does this report block (one object) come from chip code?  Either a
 * frame names chip code, or it was allocated by a KUnit case (only chip
 * suites are built into this kernel) or an emulated core ("chip-core").
 */
static bool block_is_chip(const char *b, const char *end)
{
	return block_has(b, end, "chip") || block_has(b, end, "kunit_try_catch");
}

/*
 * No object allocated by the chip core, the kernel glue or the suites is
 * left unreferenced once all chip suites have finished.
 */
static void kmemleak_no_chip_leaks(struct kunit *test)
{
	char __user *ubuf;
	struct file *f;
	char *report, *p, *next, *end;
	loff_t pos = 0;
	size_t len = 0;
	ssize_t n;
	u32 leaks = 0, objects = 0;
	int i;

	if (!IS_ENABLED(CONFIG_DEBUG_KMEMLEAK))
		kunit_skip(test, "needs CONFIG_DEBUG_KMEMLEAK");

	f = kmemleak_open(test);
	ubuf = chip_test_user_mem(test, PAGE_SIZE);
	report = kunit_kzalloc(test, REPORT_MAX + 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, report);

	/* let everything the earlier suites allocated age past the threshold */
	msleep(KMEMLEAK_MIN_AGE_MS + 500);

	/*
	 * Two scans: kmemleak does not report an object whose contents
	 * changed since the previous scan, and the first scan is the first
	 * time it looks at most of them.
	 */
	KUNIT_ASSERT_EQ(test, copy_to_user(ubuf, "scan", 4), 0ul);
	for (i = 0; i < 2; i++) {
		n = vfs_write(f, ubuf, 4, &pos);
		KUNIT_ASSERT_EQ_MSG(test, n, (ssize_t)4, "kmemleak scan: %zd", n);
	}

	pos = 0;
	while (len < REPORT_MAX) {
		size_t chunk = min_t(size_t, PAGE_SIZE, REPORT_MAX - len);

		n = vfs_read(f, ubuf, chunk, &pos);
		KUNIT_ASSERT_GE_MSG(test, n, (ssize_t)0, "kmemleak read: %zd", n);
		if (!n)
			break;
		KUNIT_ASSERT_EQ(test, copy_from_user(report + len, ubuf, n), 0ul);
		len += n;
	}
	report[len] = '\0';

	end = report + len;
	for (p = strstr(report, "unreferenced object"); p; p = next) {
		next = strstr(p + 1, "unreferenced object");
		objects++;
		if (!block_is_chip(p, next ? next : end))
			continue;
		leaks++;
		/* skip the header line, which the log scan would count again */
		kunit_err(test, "leak at%.*s", (int)((next ? next : end) - p - 19), p + 19);
	}
	kunit_info(test, "kmemleak reports %u objects, %u of them from chip code\n",
		   objects, leaks);
	KUNIT_EXPECT_EQ_MSG(test, leaks, 0u, "objects leaked by chip code");
}

static struct kunit_case chip_kmemleak_test_cases[] = {
	KUNIT_CASE_SLOW(kmemleak_no_chip_leaks),
	{}
};

static struct kunit_suite chip_kmemleak_test_suite = {
	.name = "chip_kmemleak",
	.test_cases = chip_kmemleak_test_cases,
};

kunit_test_suite(chip_kmemleak_test_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kmemleak check after the chip KUnit suites");
