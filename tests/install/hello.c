// SPDX-License-Identifier: MIT
/*
 * An out-of-tree libchip program: built by tests/install/run.sh from the
 * installed headers and library only (pkg-config libchip).  It assembles
 * a one-task callable, out = a + b over 4096 floats, runs it on the
 * platform of argv[1] (default a2a3sim) and checks every element.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <chip/chip.h>
#include <chip/uapi/drm/chip_accel.h>

#define N 4096

static const char orch[] =
	"	arg r1, 0\n"
	"	arg r2, 1\n"
	"	arg r3, 2\n"
	"	asize r4, 2\n"
	"	task 0, aiv\n"
	"	ttens r1, r4, in\n"
	"	ttens r2, r4, in\n"
	"	ttens r3, r4, out\n"
	"	submit r15\n"
	"	halt\n";

static const char add[] =
	"	arg r1, 0\n"
	"	arg r2, 1\n"
	"	arg r3, 2\n"
	"	asize r4, 2\n"
	"	shri r4, r4, 2\n"
	"	li r5, 2048\n"
	"	li r6, 0\n"
	"	li r7, 8192\n"
	"loop:\n"
	"	beq r4, r0, done\n"
	"	mov r9, r4\n"
	"	bgeu r5, r4, go\n"
	"	mov r9, r5\n"
	"go:\n"
	"	setvl r9\n"
	"	tld r6, r1\n"
	"	tld r7, r2\n"
	"	tadd r6, r6, r7\n"
	"	tst r3, r6\n"
	"	shli r10, r9, 2\n"
	"	add r1, r1, r10\n"
	"	add r2, r2, r10\n"
	"	add r3, r3, r10\n"
	"	sub r4, r4, r9\n"
	"	jmp loop\n"
	"done:\n"
	"	halt\n";

#define TRY(x) do { int rc_ = (x); if (rc_) { \
	fprintf(stderr, "%s: %s\n", #x, strerror(-rc_)); return 1; } } while (0)

int main(int argc, char **argv)
{
	static const uint8_t sig[3] = { CHIP_DIR_IN, CHIP_DIR_IN, CHIP_DIR_OUT };
	static float a[N], b[N], out[N];
	const char *plat = argc > 1 ? argv[1] : "a2a3sim";
	uint32_t n = N, i, bad = 0;
	struct chip_run_result res;
	struct chip_builder *bld;
	struct chip_args args;
	struct chip_dev *dev;
	void *code, *img;
	size_t size, len;
	uint64_t addr[3];
	int major, minor, patch, rc;
	char err[128];

	if (chip_version(&major, &minor, &patch) != CHIP_VERSION ||
	    major != CHIP_VERSION_MAJOR || minor != CHIP_VERSION_MINOR ||
	    patch != CHIP_VERSION_PATCH) {
		fprintf(stderr, "library %d.%d.%d, headers %d.%d.%d\n", major,
			minor, patch, CHIP_VERSION_MAJOR, CHIP_VERSION_MINOR,
			CHIP_VERSION_PATCH);
		return 1;
	}
	rc = chip_open(plat, NULL, &dev);
	if (rc) {
		fprintf(stderr, "chip_open: %s: %s\n", strerror(-rc),
			chip_last_error());
		return 1;
	}
	TRY(chip_builder_new(CHIP_PLATFORM_A2A3,
			     CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER, &bld));
	TRY(chip_asm(orch, &code, &size, err, sizeof(err)));
	TRY(chip_builder_set_orch(bld, code, size, "orch", NULL, sig, 3));
	free(code);
	TRY(chip_asm(add, &code, &size, err, sizeof(err)));
	TRY(chip_builder_add_child(bld, 0, CHIP_CORE_AIV, sig, 3, code, size));
	free(code);
	TRY(chip_builder_build(bld, &img, &len));
	chip_builder_free(bld);
	TRY(chip_register(dev, 1, img, len, NULL));
	free(img);

	for (i = 0; i < N; i++) {
		a[i] = (float)i;
		b[i] = 0.5f;
	}
	chip_args_init(&args);
	for (i = 0; i < 3; i++) {
		TRY(chip_malloc(dev, sizeof(a), &addr[i]));
		TRY(chip_args_add_tensor(&args, addr[i], CHIP_DT_FLOAT32, 1, &n));
	}
	TRY(chip_copy_to(dev, addr[0], a, sizeof(a)));
	TRY(chip_copy_to(dev, addr[1], b, sizeof(b)));
	TRY(chip_run(dev, 1, &args, NULL, &res));
	TRY(chip_copy_from(dev, out, addr[2], sizeof(out)));
	for (i = 0; i < N; i++)
		bad += out[i] != a[i] + b[i];
	printf("libchip %d.%d.%d on %s: %s, %u of %u wrong (%s)\n", major,
	       minor, patch, plat, chip_status_str(res.status), bad, N,
	       chip_last_error());
	chip_close(dev);
	return res.status != CHIP_STATUS_OK || bad;
}
