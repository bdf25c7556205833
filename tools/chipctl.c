// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * chipctl: what a chip device is and does, and a callable image run from
 * the command line (Documentation/chipctl.rst, chipctl(1)).
 *
 *	chipctl [options] list | info | stats | dedup | run IMAGE |
 *		trace IMAGE [-o OUT.json]
 *
 * Every command prints text, or with --json one JSON object on stdout.
 * Exit codes: 0 ok, 1 a run completed with a status other than ok,
 * 2 usage, 3 no device (chip_open() failed), 4 an operation failed,
 * 5 not supported by this device or backend.
 *
 * On the kernel backend the driver's name and version, its parameters
 * (features, limits, dedup scope) and its device-wide counters come from
 * a second descriptor of the node libchip opened (GET_PARAM and COUNTERS
 * of uapi/drm/chip_accel.h); everything else goes through libchip.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xf86drm.h>
#include "chip/chip.h"
#include "drm/chip_accel.h"
#include "cmdline.h"

enum {
	EX_OK = 0,
	EX_RUN = 1,		/* a run's status was not ok */
	EX_USAGE = 2,
	EX_NODEV = 3,		/* chip_open() failed */
	EX_FAIL = 4,		/* a file, image or libchip call failed */
	EX_UNSUPPORTED = 5,	/* the device or backend cannot do it */
};

static const char usage_text[] =
	"usage: chipctl [options] COMMAND [IMAGE]\n"
	"       chipctl [options] run --orch PROG [--child ID:CORE:PROG]...\n"
	"commands:\n"
	"  list              devices: platform, index, node, driver version\n"
	"  info              cores, memory, limits, features, dedup scope\n"
	"  stats             counters of this client and, where the driver\n"
	"                    gives them, of the whole device\n"
	"  dedup             the resident callables this client may see\n"
	"  run IMAGE         register a callable image, run it, print the\n"
	"                    status, device time and outputs\n"
	"  trace IMAGE       run IMAGE like run and write its timeline as\n"
	"                    Chrome Trace Event JSON (Perfetto, chrome://tracing)\n"
	"options:\n"
	"  -j, --json            one JSON object on stdout\n"
	"  -p, --platform NAME   a2a3sim (default: $CHIP_PLATFORM, else a2a3sim),\n"
	"                        a5sim, a2a3, a5\n"
	"  -d, --device DEV      kernel backend: device index (from 0) or node\n"
	"                        path (default: $CHIP_DEVICE, else the first)\n"
	"  -r, --register IMAGE  register IMAGE first (stats, dedup, run;\n"
	"                        repeatable; cids 0, 1, ... in order)\n"
	"run options:\n"
	"  -t, --tensor SPEC     a tensor argument, in order:\n"
	"                        TYPE:SHAPE[:fill=V|:file=PATH][:out=PATH]\n"
	"                        TYPE f32 f16 bf16 i8 u8 i16 u16 i32 u32 i64 u64,\n"
	"                        SHAPE e.g. 16384 or 64x128; out= writes it\n"
	"                        after the run\n"
	"  -s, --scalar VALUE    a scalar argument: an integer, f32:X or f64:X\n"
	"  -n, --repeat N        run N times (default 1)\n"
	"      --block-dim N     clusters (default: the platform maximum)\n"
	"      --threads N       AICPU threads (default 3, bounded by the platform)\n"
	"      --timeout MS      watchdog in ms (default 2000)\n"
	"      --insn-budget N   instructions per program execution\n"
	"      --stats           add the counters after the runs\n"
	"      --orch PROG       instead of IMAGE: build a tensormap_and_ringbuffer\n"
	"                        image from an orchestration program (chipasm)\n"
	"      --child ID:CORE:PROG  and a child kernel (CORE aic or aiv; repeatable)\n"
	"      --save PATH       write the built image to PATH\n"
	"trace options (and the run options):\n"
	"  -o, --output PATH     the trace JSON (default: stdout, without --json)\n"
	"  -h, --help            this text\n"
	"exit: 0 ok, 1 run failed, 2 usage, 3 no device, 4 error, 5 unsupported\n";

/* ---- JSON ------------------------------------------------------------------ */

static struct {
	int depth;
	int first[16];
	int after_key;
} J;

static void j_sep(void)
{
	if (J.after_key) {
		J.after_key = 0;
		return;
	}
	if (J.depth && !J.first[J.depth])
		putchar(',');
	J.first[J.depth] = 0;
}

static void j_rawstr(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void j_open(char c)
{
	j_sep();
	putchar(c);
	J.first[++J.depth] = 1;
}

static void j_close(char c)
{
	putchar(c);
	J.depth--;
	if (!J.depth)
		putchar('\n');
}

static void j_key(const char *k)
{
	j_sep();
	j_rawstr(k);
	putchar(':');
	J.after_key = 1;
}

static void j_str(const char *s)
{
	j_sep();
	if (s)
		j_rawstr(s);
	else
		fputs("null", stdout);
}

static void j_u64(uint64_t v)
{
	j_sep();
	printf("%llu", (unsigned long long)v);
}

static void j_i64(int64_t v)
{
	j_sep();
	printf("%lld", (long long)v);
}

static void j_bool(int v)
{
	j_sep();
	fputs(v ? "true" : "false", stdout);
}

static void j_null(void)
{
	j_sep();
	fputs("null", stdout);
}

/* A finite double exactly enough to read back; null otherwise. */
static void j_dbl(double v)
{
	j_sep();
	if (isfinite(v))
		printf("%.9g", v);
	else
		fputs("null", stdout);
}

static void j_hex(uint64_t v)
{
	char b[24];

	snprintf(b, sizeof(b), "0x%016llx", (unsigned long long)v);
	j_str(b);
}

#define JK(k, fn, v)	do { j_key(k); fn(v); } while (0)

/* ---- command line ------------------------------------------------------ */

enum cmd { C_NONE, C_LIST, C_INFO, C_STATS, C_DEDUP, C_RUN, C_TRACE };

static const char *const cmd_names[] = {
	[C_LIST] = "list", [C_INFO] = "info", [C_STATS] = "stats",
	[C_DEDUP] = "dedup", [C_RUN] = "run", [C_TRACE] = "trace",
};

#define MAX_REG		CHIP_MAX_CIDS

struct tensor {
	uint32_t dtype;
	uint32_t ndims;
	uint32_t shape[CHIP_TENSOR_MAX_DIMS];
	uint64_t count, bytes;
	int init;		/* 0 zero, 1 fill, 2 file */
	double fill_d;
	int64_t fill_i;
	uint64_t fill_u;
	const char *file;
	const char *out;
	uint64_t addr;
	void *host;
};

static struct {
	enum cmd cmd;
	int json;
	const char *platform;
	int platform_set;	/* -p given */
	const char *device;
	const char *image;
	const char *reg[MAX_REG];
	int nreg;
	struct tensor tensors[CHIP_MAX_TENSOR_ARGS];
	int ntensors;
	uint64_t scalars[CHIP_MAX_SCALAR_ARGS];
	int nscalars;
	unsigned long repeat;
	unsigned long block_dim, threads, timeout_ms, insn_budget;
	int stats;
	int run_opts;		/* a run-only option was given */
	const char *orch;	/* --orch: build the image from programs */
	struct child {
		int32_t func_id;
		uint32_t core;
		const char *path;
	} children[CHIP_MAX_FUNC_ID];
	int nchildren;
	const char *save;
	const char *output;	/* trace -o */
} o = { .repeat = 1 };

static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("chipctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n%s", usage_text);
	return EX_USAGE;
}

static const struct {
	const char *name;
	uint32_t dtype;
	uint32_t size;
} dtypes[] = {
	{ "f32", CHIP_DT_FLOAT32, 4 }, { "f16", CHIP_DT_FLOAT16, 2 },
	{ "bf16", CHIP_DT_BFLOAT16, 2 }, { "i8", CHIP_DT_INT8, 1 },
	{ "u8", CHIP_DT_UINT8, 1 }, { "i16", CHIP_DT_INT16, 2 },
	{ "u16", CHIP_DT_UINT16, 2 }, { "i32", CHIP_DT_INT32, 4 },
	{ "u32", CHIP_DT_UINT32, 4 }, { "i64", CHIP_DT_INT64, 8 },
	{ "u64", CHIP_DT_UINT64, 8 },
};

#define NDTYPES	(sizeof(dtypes) / sizeof(dtypes[0]))

static int dt_index(uint32_t dtype)
{
	size_t i;

	for (i = 0; i < NDTYPES; i++)
		if (dtypes[i].dtype == dtype)
			return (int)i;
	return 0;
}

static int dt_float(uint32_t dtype)
{
	return dtype == CHIP_DT_FLOAT32 || dtype == CHIP_DT_FLOAT16 ||
	       dtype == CHIP_DT_BFLOAT16;
}

static int parse_double(const char *s, double *v)
{
	char *end;

	if (!*s)
		return -EINVAL;
	errno = 0;
	*v = strtod(s, &end);
	return *end || errno ? -EINVAL : 0;
}

static int parse_int(const char *s, int64_t *i, uint64_t *u)
{
	char *end;

	if (!*s)
		return -EINVAL;
	errno = 0;
	if (*s == '-') {
		*i = strtoll(s, &end, 0);
		*u = (uint64_t)*i;
	} else {
		*u = strtoull(s, &end, 0);
		*i = (int64_t)*u;
	}
	return *end || errno ? -EINVAL : 0;
}

/* TYPE:SHAPE[:fill=V|:file=PATH][:out=PATH] */
static int parse_tensor(char *spec, struct tensor *t)
{
	char *type = spec, *shape, *key, *save = NULL, *dim, *s2 = NULL;
	uint32_t size = 0;
	size_t i;

	memset(t, 0, sizeof(*t));
	shape = strchr(type, ':');
	if (!shape)
		return usage_error("--tensor %s: TYPE:SHAPE expected", spec);
	*shape++ = 0;
	for (i = 0; i < NDTYPES; i++) {
		if (!strcmp(type, dtypes[i].name)) {
			t->dtype = dtypes[i].dtype;
			size = dtypes[i].size;
		}
	}
	if (!size)
		return usage_error("--tensor: unknown type '%s'", type);
	key = strchr(shape, ':');
	if (key)
		*key++ = 0;
	t->count = 1;
	for (dim = strtok_r(shape, "x", &s2); dim; dim = strtok_r(NULL, "x", &s2)) {
		unsigned long v;

		if (t->ndims == CHIP_TENSOR_MAX_DIMS ||
		    cmdline_uint(dim, 1, UINT32_MAX, &v))
			return usage_error("--tensor: bad shape (1 to %d "
					   "extents of 1 or more, e.g. 64x128)",
					   CHIP_TENSOR_MAX_DIMS);
		t->shape[t->ndims++] = (uint32_t)v;
		t->count *= v;
		if (t->count > (1ull << 40))
			return usage_error("--tensor: shape too large");
	}
	if (!t->ndims)
		return usage_error("--tensor: empty shape");
	t->bytes = t->count * size;
	for (key = key ? strtok_r(key, ":", &save) : NULL; key;
	     key = strtok_r(NULL, ":", &save)) {
		if (!strncmp(key, "fill=", 5) && !t->init) {
			const char *v = key + 5;

			t->init = 1;
			if (dt_float(t->dtype) ? parse_double(v, &t->fill_d) :
			    parse_int(v, &t->fill_i, &t->fill_u))
				return usage_error("--tensor: bad fill value "
						   "'%s'", v);
		} else if (!strncmp(key, "file=", 5) && !t->init && key[5]) {
			t->init = 2;
			t->file = key + 5;
		} else if (!strncmp(key, "out=", 4) && !t->out && key[4]) {
			t->out = key + 4;
		} else {
			return usage_error("--tensor: bad or repeated '%s' "
					   "(fill=V, file=PATH, out=PATH)", key);
		}
	}
	return 0;
}

/* An integer, or f32:X / f64:X as the bits of that float. */
static int parse_scalar(const char *s, uint64_t *v)
{
	int64_t i;
	double d;

	if (!strncmp(s, "f32:", 4) && !parse_double(s + 4, &d)) {
		float f = (float)d;
		uint32_t u;

		memcpy(&u, &f, 4);
		*v = u;
		return 0;
	}
	if (!strncmp(s, "f64:", 4) && !parse_double(s + 4, &d)) {
		memcpy(v, &d, 8);
		return 0;
	}
	if (!parse_int(s, &i, v))
		return 0;
	return usage_error("--scalar %s: an integer, f32:X or f64:X expected", s);
}

enum {
	OPT_BLOCK_DIM = 256, OPT_THREADS, OPT_TIMEOUT, OPT_INSN_BUDGET, OPT_STATS,
	OPT_ORCH, OPT_CHILD, OPT_SAVE,
};

/* --child ID:CORE:PROG */
static int parse_child(char *spec, struct child *c)
{
	char *core = strchr(spec, ':'), *path;
	unsigned long id;

	path = core ? strchr(core + 1, ':') : NULL;
	if (!path || !path[1])
		return usage_error("--child %s: FUNC_ID:aic|aiv:PROGRAM expected",
				   spec);
	*core++ = 0;
	*path++ = 0;
	if (cmdline_uint(spec, 0, CHIP_MAX_FUNC_ID - 1, &id))
		return usage_error("--child: func_id 0 to %d",
				   CHIP_MAX_FUNC_ID - 1);
	if (!strcmp(core, "aic"))
		c->core = CHIP_CORE_AIC;
	else if (!strcmp(core, "aiv"))
		c->core = CHIP_CORE_AIV;
	else
		return usage_error("--child: core aic or aiv, not '%s'", core);
	c->func_id = (int32_t)id;
	c->path = path;
	return 0;
}

static int parse_args(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "platform", required_argument, NULL, 'p' },
		{ "device", required_argument, NULL, 'd' },
		{ "register", required_argument, NULL, 'r' },
		{ "tensor", required_argument, NULL, 't' },
		{ "scalar", required_argument, NULL, 's' },
		{ "repeat", required_argument, NULL, 'n' },
		{ "block-dim", required_argument, NULL, OPT_BLOCK_DIM },
		{ "threads", required_argument, NULL, OPT_THREADS },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "insn-budget", required_argument, NULL, OPT_INSN_BUDGET },
		{ "stats", no_argument, NULL, OPT_STATS },
		{ "orch", required_argument, NULL, OPT_ORCH },
		{ "child", required_argument, NULL, OPT_CHILD },
		{ "save", required_argument, NULL, OPT_SAVE },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *env = getenv("CHIP_PLATFORM");
	int opt, rc, i;
	size_t c;

	opterr = 0;
	o.platform = env && *env ? env : "a2a3sim";
	while ((opt = getopt_long(argc, argv, ":jp:d:r:t:s:n:o:h", longopts,
				  NULL)) != -1) {
		switch (opt) {
		case 'j':
			o.json = 1;
			break;
		case 'p':
			if (!cmdline_platform(optarg))
				return usage_error("unknown platform '%s'",
						   optarg);
			o.platform = optarg;
			o.platform_set = 1;
			break;
		case 'd':
			o.device = optarg;
			break;
		case 'r':
			if (o.nreg == MAX_REG - 1)
				return usage_error("too many --register");
			o.reg[o.nreg++] = optarg;
			break;
		case 't':
			if (o.ntensors == CHIP_MAX_TENSOR_ARGS)
				return usage_error("too many tensors");
			rc = parse_tensor(optarg, &o.tensors[o.ntensors++]);
			if (rc)
				return rc;
			o.run_opts = 1;
			break;
		case 's':
			if (o.nscalars == CHIP_MAX_SCALAR_ARGS)
				return usage_error("too many scalars");
			rc = parse_scalar(optarg, &o.scalars[o.nscalars++]);
			if (rc)
				return rc;
			o.run_opts = 1;
			break;
		case 'n':
			if (cmdline_uint(optarg, 1, 1000000, &o.repeat))
				return usage_error("--repeat: 1 to 1000000");
			o.run_opts = 1;
			break;
		case OPT_BLOCK_DIM:
			if (cmdline_uint(optarg, 1, 1024, &o.block_dim))
				return usage_error("--block-dim: a count");
			o.run_opts = 1;
			break;
		case OPT_THREADS:
			if (cmdline_uint(optarg, 1, 1024, &o.threads))
				return usage_error("--threads: a count");
			o.run_opts = 1;
			break;
		case OPT_TIMEOUT:
			if (cmdline_uint(optarg, 1, 86400000, &o.timeout_ms))
				return usage_error("--timeout: milliseconds");
			o.run_opts = 1;
			break;
		case OPT_INSN_BUDGET:
			if (cmdline_uint(optarg, 1, ULONG_MAX, &o.insn_budget))
				return usage_error("--insn-budget: a count");
			o.run_opts = 1;
			break;
		case OPT_STATS:
			o.stats = 1;
			o.run_opts = 1;
			break;
		case OPT_ORCH:
			o.orch = optarg;
			o.run_opts = 1;
			break;
		case OPT_CHILD:
			if (o.nchildren == CHIP_MAX_FUNC_ID)
				return usage_error("too many --child");
			rc = parse_child(optarg, &o.children[o.nchildren++]);
			if (rc)
				return rc;
			o.run_opts = 1;
			break;
		case OPT_SAVE:
			o.save = optarg;
			o.run_opts = 1;
			break;
		case 'o':
			o.output = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			exit(0);
		case ':':
			return usage_error("%s needs an argument",
					   argv[optind - 1]);
		default:
			return usage_error("bad option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return usage_error("no command");
	for (c = 1; c < sizeof(cmd_names) / sizeof(cmd_names[0]); c++)
		if (!strcmp(argv[optind], cmd_names[c]))
			o.cmd = (enum cmd)c;
	if (o.cmd == C_NONE)
		return usage_error("unknown command '%s'", argv[optind]);
	i = optind + 1;
	if ((o.cmd == C_RUN || o.cmd == C_TRACE) && !o.orch) {
		if (i >= argc)
			return usage_error("%s: no IMAGE (or --orch)",
					   cmd_names[o.cmd]);
		o.image = argv[i++];
	}
	if ((o.nchildren || o.save) && !o.orch)
		return usage_error("--child and --save need --orch");
	if (i < argc)
		return usage_error("%s: unexpected argument '%s'",
				   cmd_names[o.cmd], argv[i]);
	if (o.run_opts && o.cmd != C_RUN && o.cmd != C_TRACE)
		return usage_error("%s: run options given", cmd_names[o.cmd]);
	if (o.output && o.cmd != C_TRACE)
		return usage_error("%s: --output is for trace",
				   cmd_names[o.cmd]);
	if (o.cmd == C_TRACE && o.json && !o.output)
		return usage_error("trace --json: the trace needs --output");
	if (o.nreg && (o.cmd == C_LIST || o.cmd == C_INFO))
		return usage_error("%s: --register is for stats, dedup and run",
				   cmd_names[o.cmd]);
	if (o.device && (o.cmd == C_LIST || strstr(o.platform, "sim")))
		return usage_error("--device selects a device of a2a3 or a5 "
				   "(not for list)");
	return 0;
}

/* ---- errors ---------------------------------------------------------------- */

static const char *errname(int err)
{
	const char *n = strerrorname_np(err);

	return n ? n : "unknown";
}

/*
 * Report a failure: a line on stderr and, with --json, the command's
 * object with an "error" member on stdout.  Returns @ex.
 */
static int fail(int ex, int err, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (err)
		fprintf(stderr, "chipctl: %s: %s\n", msg, strerror(err));
	else
		fprintf(stderr, "chipctl: %s\n", msg);
	if (o.json) {
		j_open('{');
		JK("command", j_str, cmd_names[o.cmd]);
		JK("platform", j_str, o.platform);
		j_key("error");
		j_open('{');
		JK("exit", j_i64, ex);
		if (err) {
			JK("errno", j_str, errname(err));
		} else {
			j_key("errno");
			j_null();
		}
		JK("message", j_str, msg);
		j_close('}');
		j_close('}');
	}
	return ex;
}

/* ---- the device -------------------------------------------------------- */

static const char *const status_keys[CHIP_STATUS_COUNT] = {
	"ok", "orch_error", "sched_error", "timeout", "fault", "invalid",
	"cancelled", "device_lost",
};

static const char *const scope_names[] = { "device", "file", "user" };

static const char *scope_name(uint64_t s)
{
	return s < 3 ? scope_names[s] : "unknown";
}

static const char *runtime_name(uint32_t rt)
{
	return rt == CHIP_RUNTIME_HOST_BUILD_GRAPH ? "host_build_graph" :
	       rt == CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER ?
	       "tensormap_and_ringbuffer" : "unknown";
}

/* What the driver says through a descriptor of its own (kernel backend). */
struct kinfo {
	int ok;
	char name[32], date[32], desc[96];
	int major, minor, patch;
	uint64_t param[DRM_CHIP_PARAM_COUNT];
	int have[DRM_CHIP_PARAM_COUNT];
	struct drm_chip_counters ctr;
	int have_ctr;
};

static void kquery(const char *node, struct kinfo *k)
{
	drmVersionPtr v;
	uint32_t p;
	int fd;

	memset(k, 0, sizeof(*k));
	fd = open(node, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return;
	v = drmGetVersion(fd);
	if (v) {
		snprintf(k->name, sizeof(k->name), "%s", v->name ? v->name : "");
		snprintf(k->date, sizeof(k->date), "%s", v->date ? v->date : "");
		snprintf(k->desc, sizeof(k->desc), "%s", v->desc ? v->desc : "");
		k->major = v->version_major;
		k->minor = v->version_minor;
		k->patch = v->version_patchlevel;
		k->ok = 1;
		drmFreeVersion(v);
	}
	for (p = 0; p < DRM_CHIP_PARAM_COUNT; p++) {
		struct drm_chip_get_param gp = { .param = p };

		if (!drmIoctl(fd, DRM_IOCTL_CHIP_GET_PARAM, &gp)) {
			k->param[p] = gp.value;
			k->have[p] = 1;
		}
	}
	if (!drmIoctl(fd, DRM_IOCTL_CHIP_COUNTERS, &k->ctr))
		k->have_ctr = 1;
	close(fd);
}

struct devh {
	struct chip_dev *dev;
	struct chip_info info;
	char node[256];		/* "" for a simulated platform */
	struct kinfo k;
};

/* The node libchip opened, from chip_last_error() ("a2a3: /dev/..."). */
static void opened_node(char *node, size_t len)
{
	const char *m = chip_last_error(), *p = strstr(m, ": ");

	snprintf(node, len, "%s", p ? p + 2 : "");
}

static int open_dev(const char *platform, const char *device, struct devh *h)
{
	struct chip_open_opts opts = { .sz = sizeof(opts) };
	unsigned long idx;
	int rc;

	memset(h, 0, sizeof(*h));
	if (device && strchr(device, '/'))
		opts.node = device;
	else if (device && !cmdline_uint(device, 0, 63, &idx))
		opts.device = CHIP_DEVICE_INDEX(idx);
	else if (device)
		return usage_error("--device: an index or a node path");
	rc = chip_open(platform, &opts, &h->dev);
	if (rc)
		return fail(EX_NODEV, -rc, "%s", *chip_last_error() ?
			    chip_last_error() : platform);
	rc = chip_info(h->dev, &h->info);
	if (rc) {
		chip_close(h->dev);
		return fail(EX_FAIL, -rc, "chip_info");
	}
	opened_node(h->node, sizeof(h->node));
	if (!h->info.simulated && h->node[0])
		kquery(h->node, &h->k);
	return 0;
}

static void libchip_version(char *b, size_t n)
{
	int ma = 0, mi = 0, pa = 0;

	chip_version(&ma, &mi, &pa);
	snprintf(b, n, "%d.%d.%d", ma, mi, pa);
}

static void j_driver(const struct kinfo *k)
{
	char ver[48];

	if (!k->ok) {
		j_null();
		return;
	}
	snprintf(ver, sizeof(ver), "%d.%d.%d", k->major, k->minor, k->patch);
	j_open('{');
	JK("name", j_str, k->name);
	JK("version", j_str, ver);
	JK("date", j_str, k->date);
	JK("desc", j_str, k->desc);
	j_close('}');
}

/* ---- list ------------------------------------------------------------------ */

struct listed {
	const char *platform;
	int index;		/* -1: simulated */
	char node[256];
	int is_default;
	struct kinfo k;
};

#define MAX_LISTED	32

static int cmd_list(void)
{
	static const char *const plats[] = { "a2a3", "a5", "a2a3sim", "a5sim" };
	static struct listed l[MAX_LISTED];
	char notes[4][320], ver[32];
	int n = 0, nnotes = 0, i;
	size_t p;

	libchip_version(ver, sizeof(ver));
	for (p = 0; p < 4; p++) {
		char dflt[256] = "";
		struct chip_dev *dev;
		int rc;

		if (o.platform_set && strcmp(o.platform, plats[p]))
			continue;
		if (strstr(plats[p], "sim")) {
			l[n].platform = plats[p];
			l[n].index = -1;
			n++;
			continue;
		}
		/* The device chip_open() picks by default ($CHIP_DEVICE). */
		if (!chip_open(plats[p], NULL, &dev)) {
			opened_node(dflt, sizeof(dflt));
			chip_close(dev);
		}
		for (i = 0; n < MAX_LISTED; i++) {
			struct chip_open_opts op = {
				.sz = sizeof(op),
				.device = CHIP_DEVICE_INDEX(i),
			};

			rc = chip_open(plats[p], &op, &dev);
			if (rc) {
				/* Past the last device: not worth a note. */
				if ((rc != -ENODEV || !i) && nnotes < 4)
					snprintf(notes[nnotes++],
						 sizeof(notes[0]), "%s",
						 chip_last_error());
				break;
			}
			l[n].platform = plats[p];
			l[n].index = i;
			opened_node(l[n].node, sizeof(l[n].node));
			chip_close(dev);
			l[n].is_default = !strcmp(l[n].node, dflt);
			kquery(l[n].node, &l[n].k);
			n++;
		}
	}
	if (o.json) {
		j_open('{');
		JK("command", j_str, "list");
		JK("libchip", j_str, ver);
		j_key("devices");
		j_open('[');
		for (i = 0; i < n; i++) {
			j_open('{');
			JK("platform", j_str, l[i].platform);
			JK("simulated", j_bool, l[i].index < 0);
			j_key("index");
			if (l[i].index < 0) {
				j_null();
				j_key("node");
				j_null();
				JK("default", j_bool, 1);
				j_key("driver");
				j_null();
			} else {
				j_i64(l[i].index);
				JK("node", j_str, l[i].node);
				JK("default", j_bool, l[i].is_default);
				j_key("driver");
				j_driver(&l[i].k);
			}
			j_close('}');
		}
		j_close(']');
		j_key("notes");
		j_open('[');
		for (i = 0; i < nnotes; i++)
			j_str(notes[i]);
		j_close(']');
		j_close('}');
		return EX_OK;
	}
	printf("%-8s %5s  %-22s %-8s %s\n", "PLATFORM", "INDEX", "NODE",
	       "DRIVER", "");
	for (i = 0; i < n; i++) {
		if (l[i].index < 0) {
			printf("%-8s %5s  %-22s %-8s libchip %s, in-process\n",
			       l[i].platform, "-", "-", "-", ver);
			continue;
		}
		printf("%-8s %5d  %-22s %s %d.%d.%d%s\n", l[i].platform,
		       l[i].index, l[i].node, l[i].k.ok ? l[i].k.name : "?",
		       l[i].k.major, l[i].k.minor, l[i].k.patch,
		       l[i].is_default ? "  (default)" : "");
	}
	for (i = 0; i < nnotes; i++)
		printf("note: %s\n", notes[i]);
	return EX_OK;
}

/* ---- info ------------------------------------------------------------------ */

static void j_param(const struct kinfo *k, const char *key, uint32_t p)
{
	j_key(key);
	if (k->have[p])
		j_u64(k->param[p]);
	else
		j_null();
}

static int dedup_scope(struct devh *h, const char **name)
{
	uint32_t scope;

	if (h->k.have[DRM_CHIP_PARAM_DEDUP_SCOPE]) {
		*name = scope_name(h->k.param[DRM_CHIP_PARAM_DEDUP_SCOPE]);
		return 0;
	}
	if (chip_dedup_list(h->dev, &scope, NULL, 0) >= 0) {
		*name = scope_name(scope);
		return 0;
	}
	*name = NULL;
	return -1;
}

static int cmd_info(void)
{
	static const struct {
		const char *name;
		uint64_t bit;
	} feats[] = {
		{ "stores", DRM_CHIP_FEATURE_STORES },
		{ "host_graph", DRM_CHIP_FEATURE_HOST_GRAPH },
		{ "uring", DRM_CHIP_FEATURE_URING },
		{ "run_inline", DRM_CHIP_FEATURE_RUN_INLINE },
	};
	const struct chip_info *in;
	const char *scope;
	struct devh h;
	char ver[32];
	size_t i;
	int rc;

	rc = open_dev(o.platform, o.device, &h);
	if (rc)
		return rc;
	in = &h.info;
	libchip_version(ver, sizeof(ver));
	dedup_scope(&h, &scope);
	if (o.json) {
		j_open('{');
		JK("command", j_str, "info");
		JK("platform", j_str, o.platform);
		JK("name", j_str, in->name);
		JK("platform_id", j_u64, in->platform);
		JK("simulated", j_bool, in->simulated);
		j_key("node");
		if (h.node[0])
			j_str(h.node);
		else
			j_null();
		JK("libchip", j_str, ver);
		j_key("driver");
		j_driver(&h.k);
		JK("max_blocks", j_u64, in->max_blocks);
		JK("max_aicpu_threads", j_u64, in->max_aicpu_threads);
		JK("aic_cores", j_u64, in->aic_cores);
		JK("aiv_cores", j_u64, in->aiv_cores);
		JK("local_aic", j_u64, in->local_aic);
		JK("local_aiv", j_u64, in->local_aiv);
		JK("gm_size", j_u64, in->gm_size);
		JK("heap_va", j_u64, in->heap_va);
		JK("heap_size", j_u64, in->heap_size);
		j_key("limits");
		j_open('{');
		JK("cids", j_u64, CHIP_MAX_CIDS);
		JK("tensor_args", j_u64, CHIP_MAX_TENSOR_ARGS);
		JK("scalar_args", j_u64, CHIP_MAX_SCALAR_ARGS);
		JK("tensor_dims", j_u64, CHIP_TENSOR_MAX_DIMS);
		JK("stores", j_u64, CHIP_MAX_STORES);
		JK("batch", j_u64, CHIP_BATCH_MAX);
		j_param(&h.k, "callable_bytes", DRM_CHIP_PARAM_MAX_CALLABLE);
		j_param(&h.k, "store_bytes", DRM_CHIP_PARAM_MAX_STORE_BYTES);
		j_param(&h.k, "timeout_ns", DRM_CHIP_PARAM_MAX_TIMEOUT_NS);
		j_param(&h.k, "runs", DRM_CHIP_PARAM_MAX_RUNS);
		j_close('}');
		JK("dedup_scope", j_str, scope);
		j_key("features");
		if (h.k.have[DRM_CHIP_PARAM_FEATURES]) {
			j_open('{');
			for (i = 0; i < sizeof(feats) / sizeof(feats[0]); i++)
				JK(feats[i].name, j_bool,
				   !!(h.k.param[DRM_CHIP_PARAM_FEATURES] &
				      feats[i].bit));
			j_close('}');
		} else {
			j_null();
		}
		j_close('}');
	} else {
		printf("%s: %s, libchip %s\n", in->name,
		       in->simulated ? "simulated, in-process" : h.node, ver);
		if (h.k.ok)
			printf("driver     %s %d.%d.%d (%s, %s)\n", h.k.name,
			       h.k.major, h.k.minor, h.k.patch, h.k.desc,
			       h.k.date);
		printf("cores      %u AIC, %u AIV (max_blocks %u), "
		       "%u AICPU threads at most\n", in->aic_cores,
		       in->aiv_cores, in->max_blocks, in->max_aicpu_threads);
		printf("memory     %llu MiB device memory, local %u KiB AIC / "
		       "%u KiB AIV, heap %llu MiB at 0x%llx\n",
		       (unsigned long long)(in->gm_size >> 20),
		       in->local_aic >> 10, in->local_aiv >> 10,
		       (unsigned long long)(in->heap_size >> 20),
		       (unsigned long long)in->heap_va);
		printf("limits     %d cids, %d tensor + %d scalar arguments, "
		       "%d stores per run, batches of %d\n", CHIP_MAX_CIDS,
		       CHIP_MAX_TENSOR_ARGS, CHIP_MAX_SCALAR_ARGS,
		       CHIP_MAX_STORES, CHIP_BATCH_MAX);
		if (h.k.have[DRM_CHIP_PARAM_MAX_RUNS])
			printf("           %llu MiB per callable, %llu MiB of "
			       "stores per run, watchdog %llu ms at most, "
			       "%llu runs per file\n",
			       (unsigned long long)(h.k.param[DRM_CHIP_PARAM_MAX_CALLABLE] >> 20),
			       (unsigned long long)(h.k.param[DRM_CHIP_PARAM_MAX_STORE_BYTES] >> 20),
			       (unsigned long long)(h.k.param[DRM_CHIP_PARAM_MAX_TIMEOUT_NS] / 1000000),
			       (unsigned long long)h.k.param[DRM_CHIP_PARAM_MAX_RUNS]);
		printf("dedup      one table per %s\n", !scope ? "?" :
		       !strcmp(scope, "file") ? "open device handle (file)" :
		       scope);
		if (h.k.have[DRM_CHIP_PARAM_FEATURES]) {
			printf("features  ");
			for (i = 0; i < sizeof(feats) / sizeof(feats[0]); i++)
				if (h.k.param[DRM_CHIP_PARAM_FEATURES] &
				    feats[i].bit)
					printf(" %s", feats[i].name);
			printf("\n");
		}
	}
	chip_close(h.dev);
	return EX_OK;
}

/* ---- registration and counters ------------------------------------------- */

static int read_file(const char *path, void **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 1 << 16, n = 0, got;
	char *b = NULL, *nb;

	if (!f)
		return -errno;
	for (;;) {
		nb = realloc(b, cap);
		if (!nb) {
			free(b);
			fclose(f);
			return -ENOMEM;
		}
		b = nb;
		got = fread(b + n, 1, cap - n, f);
		n += got;
		if (n < cap)
			break;
		cap *= 2;
	}
	if (ferror(f)) {
		free(b);
		fclose(f);
		return -EIO;
	}
	fclose(f);
	*buf = b;
	*len = n;
	return 0;
}

static int write_file(const char *path, const void *p, size_t n);

/*
 * A tensormap_and_ringbuffer image for @h's platform from --orch and
 * --child programs.  The signatures: out for a tensor with out=, else in.
 */
static int build_image(struct devh *h, void **img, size_t *len)
{
	uint8_t sig[CHIP_MAX_TENSOR_ARGS];
	struct chip_builder *b = NULL;
	const char *what = o.orch;
	uint32_t nsig = (uint32_t)o.ntensors;
	void *bin = NULL;
	size_t size;
	int i, rc;

	for (i = 0; i < o.ntensors; i++)
		sig[i] = o.tensors[i].out ? CHIP_DIR_OUT : CHIP_DIR_IN;
	rc = read_file(o.orch, &bin, &size);
	if (!rc)
		rc = chip_builder_new(h->info.platform,
				      CHIP_RUNTIME_TENSORMAP_AND_RINGBUFFER, &b);
	if (!rc)
		rc = chip_builder_set_orch(b, bin, size, "orch", NULL, sig, nsig);
	for (i = 0; !rc && i < o.nchildren; i++) {
		free(bin);
		bin = NULL;
		what = o.children[i].path;
		rc = read_file(what, &bin, &size);
		if (!rc)
			rc = chip_builder_add_child(b, o.children[i].func_id,
						    o.children[i].core, sig,
						    nsig < CHIP_CORE_MAX_ARGS ?
						    nsig : CHIP_CORE_MAX_ARGS,
						    bin, size);
	}
	if (!rc) {
		what = "chip_builder_build";
		rc = chip_builder_build(b, img, len);
	}
	free(bin);
	chip_builder_free(b);
	if (rc)
		return fail(EX_FAIL, -rc, "--orch: %s", what);
	if (o.save) {
		rc = write_file(o.save, *img, *len);
		if (rc) {
			free(*img);
			return fail(EX_FAIL, -rc, "%s", o.save);
		}
	}
	return 0;
}

/*
 * Read (@path, else build from --orch) and register an image at @cid;
 * its layout into @l.
 */
static int register_file(struct devh *h, const char *path, int32_t cid,
			 struct chip_layout *l, void **imgp)
{
	const struct chip_callable_hdr *hdr;
	void *img;
	size_t len;
	int rc;

	if (!path) {
		rc = build_image(h, &img, &len);
		if (rc)
			return rc;
		path = o.save ? o.save : o.orch;
	} else {
		rc = read_file(path, &img, &len);
		if (rc)
			return fail(EX_FAIL, -rc, "%s", path);
	}
	rc = chip_callable_layout(img, len, l);
	if (rc) {
		free(img);
		return fail(EX_FAIL, -rc, "%s: not a callable image", path);
	}
	hdr = img;
	if (hdr->platform != h->info.platform) {
		unsigned int plat = hdr->platform;

		free(img);
		return fail(EX_FAIL, EINVAL, "%s: an image for platform %u, "
			    "the device is %s (platform %u)", path, plat,
			    h->info.name, h->info.platform);
	}
	rc = chip_register(h->dev, cid, img, len, NULL);
	if (rc) {
		free(img);
		return fail(EX_FAIL, -rc, "%s: chip_register", path);
	}
	if (imgp)
		*imgp = img;
	else
		free(img);
	return 0;
}

static int register_all(struct devh *h)
{
	struct chip_layout l;
	int i, rc;

	for (i = 0; i < o.nreg; i++) {
		rc = register_file(h, o.reg[i], i, &l, NULL);
		if (rc)
			return rc;
	}
	return 0;
}

/*
 * "client": chip_counters() of this handle; "device": the driver's
 * device-wide counters (kernel backend), else null.
 */
static void j_counters(const struct devh *h, const struct chip_counters *c)
{
	const struct drm_chip_counters *k = &h->k.ctr;
	int i;

	j_key("client");
	j_open('{');
	JK("orch_loads", j_u64, c->orch_loads);
	JK("host_loads", j_u64, c->host_loads);
	JK("dedup_hits", j_u64, c->dedup_hits);
	JK("dedup_misses", j_u64, c->dedup_misses);
	JK("resident_bytes", j_u64, c->resident_bytes);
	JK("resident_callables", j_u64, c->resident_callables);
	JK("registered", j_u64, c->registered);
	j_key("runs");
	j_open('{');
	for (i = 0; i < CHIP_STATUS_COUNT; i++)
		JK(status_keys[i], j_u64, c->runs[i]);
	j_close('}');
	JK("gm_used", j_u64, c->gm_used);
	j_close('}');
	j_key("device");
	if (!h->k.have_ctr) {
		j_null();
		return;
	}
	j_open('{');
	JK("dedup_hits", j_u64, k->dev_dedup_hits);
	JK("dedup_misses", j_u64, k->dev_dedup_misses);
	JK("resident_bytes", j_u64, k->dev_resident_bytes);
	JK("resident_callables", j_u64, k->dev_resident_callables);
	JK("gm_used", j_u64, k->dev_gm_used);
	JK("files", j_u64, k->dev_files);
	JK("bos", j_u64, k->dev_bos);
	JK("runs_pending", j_u64, k->dev_runs);
	j_close('}');
}

static void print_counters(const struct devh *h, const struct chip_counters *c)
{
	const struct drm_chip_counters *k = &h->k.ctr;
	int i;

	printf("client (this process's handle):\n");
	printf("  registered %llu, dedup hits %llu, misses %llu, "
	       "orchestration loads %llu device / %llu host\n",
	       (unsigned long long)c->registered,
	       (unsigned long long)c->dedup_hits,
	       (unsigned long long)c->dedup_misses,
	       (unsigned long long)c->orch_loads,
	       (unsigned long long)c->host_loads);
	printf("  resident in its dedup table: %llu callables, %llu bytes; "
	       "device memory %llu bytes\n",
	       (unsigned long long)c->resident_callables,
	       (unsigned long long)c->resident_bytes,
	       (unsigned long long)c->gm_used);
	printf("  runs:");
	for (i = 0; i < CHIP_STATUS_COUNT; i++)
		printf(" %s %llu", status_keys[i],
		       (unsigned long long)c->runs[i]);
	printf("\n");
	if (!h->k.have_ctr) {
		printf("device: %s\n", h->info.simulated ?
		       "in this process: the client's figures are the device's" :
		       "the driver gives no device-wide counters");
		return;
	}
	printf("device (all files, including chipctl's two):\n");
	printf("  dedup hits %llu, misses %llu; resident %llu callables, "
	       "%llu bytes\n", (unsigned long long)k->dev_dedup_hits,
	       (unsigned long long)k->dev_dedup_misses,
	       (unsigned long long)k->dev_resident_callables,
	       (unsigned long long)k->dev_resident_bytes);
	printf("  device memory %llu bytes in %llu buffers, %llu open files, "
	       "%llu runs pending\n", (unsigned long long)k->dev_gm_used,
	       (unsigned long long)k->dev_bos,
	       (unsigned long long)k->dev_files,
	       (unsigned long long)k->dev_runs);
}

static void j_head(const char *cmd, const struct devh *h)
{
	j_open('{');
	JK("command", j_str, cmd);
	JK("platform", j_str, o.platform);
	JK("simulated", j_bool, h->info.simulated);
	j_key("node");
	if (h->node[0])
		j_str(h->node);
	else
		j_null();
}

static int cmd_stats(void)
{
	struct chip_counters c;
	struct devh h;
	int rc;

	rc = open_dev(o.platform, o.device, &h);
	if (rc)
		return rc;
	rc = register_all(&h);
	if (rc)
		goto out;
	rc = chip_counters(h.dev, &c);
	if (rc) {
		rc = fail(EX_FAIL, -rc, "chip_counters");
		goto out;
	}
	if (!h.info.simulated && h.node[0])
		kquery(h.node, &h.k);	/* after the registrations */
	if (o.json) {
		j_head("stats", &h);
		j_counters(&h, &c);
		j_close('}');
	} else {
		print_counters(&h, &c);
	}
out:
	chip_close(h.dev);
	return rc;
}

/* ---- dedup ----------------------------------------------------------------- */

static int hash_cmp(const void *a, const void *b)
{
	const struct chip_resident *x = a, *y = b;

	return x->hash < y->hash ? -1 : x->hash > y->hash;
}

static int cmd_dedup(void)
{
	struct chip_resident *r = NULL;
	struct chip_counters c;
	const char *scope;
	struct devh h;
	int rc, n = 0, i, j, ex = EX_OK;

	rc = open_dev(o.platform, o.device, &h);
	if (rc)
		return rc;
	rc = register_all(&h);
	if (rc)
		goto out;
	rc = chip_counters(h.dev, &c);
	if (rc) {
		rc = fail(EX_FAIL, -rc, "chip_counters");
		goto out;
	}
	dedup_scope(&h, &scope);
	for (;;) {
		rc = chip_dedup_list(h.dev, NULL, r, n);
		if (rc <= n)
			break;
		free(r);
		n = rc;
		r = calloc((size_t)n, sizeof(*r));
		if (!r) {
			rc = fail(EX_FAIL, ENOMEM, "chip_dedup_list");
			goto out;
		}
	}
	if (rc == -EOPNOTSUPP) {
		ex = EX_UNSUPPORTED;
		fprintf(stderr, "chipctl: dedup: %s cannot list resident "
			"callables (the driver has no interface for it): "
			"counts only\n", o.platform);
	} else if (rc < 0) {
		rc = fail(EX_FAIL, -rc, "chip_dedup_list");
		goto out;
	} else {
		n = rc;
		if (n > 1)
			qsort(r, (size_t)n, sizeof(*r), hash_cmp);
	}
	if (o.json) {
		j_head("dedup", &h);
		JK("scope", j_str, scope);
		JK("resident_callables", j_u64, c.resident_callables);
		JK("resident_bytes", j_u64, c.resident_bytes);
		j_key("entries");
		if (ex == EX_UNSUPPORTED) {
			j_null();
		} else {
			j_open('[');
			for (i = 0; i < n; i++) {
				j_open('{');
				JK("hash", j_hex, r[i].hash);
				JK("size", j_u64, r[i].size);
				JK("refs", j_u64, r[i].refs);
				JK("runtime", j_str, runtime_name(r[i].runtime));
				JK("children", j_u64, r[i].children);
				j_key("cids");
				j_open('[');
				for (j = 0; j < 64; j++)
					if (r[i].cids >> j & 1)
						j_i64(j);
				j_close(']');
				j_close('}');
			}
			j_close(']');
		}
		j_close('}');
	} else {
		printf("dedup table: one per %s; %llu resident callables, "
		       "%llu bytes\n", scope ? scope : "?",
		       (unsigned long long)c.resident_callables,
		       (unsigned long long)c.resident_bytes);
		if (ex == EX_OK && n)
			printf("%-18s %9s %5s  %-24s %4s  %s\n", "HASH", "SIZE",
			       "REFS", "RUNTIME", "KERN", "CIDS");
		for (i = 0; ex == EX_OK && i < n; i++) {
			printf("%016llx %11u %5u  %-24s %4u ",
			       (unsigned long long)r[i].hash, r[i].size,
			       r[i].refs, runtime_name(r[i].runtime),
			       r[i].children);
			for (j = 0; j < 64; j++)
				if (r[i].cids >> j & 1)
					printf(" %d", j);
			printf("\n");
		}
	}
	rc = ex;
out:
	free(r);
	chip_close(h.dev);
	return rc;
}

/* ---- run ------------------------------------------------------------------- */

/* IEEE binary16 <-> float, round to nearest even. */
static uint16_t f2h(float f)
{
	uint32_t x, sign, mant;
	int32_t exp;

	memcpy(&x, &f, 4);
	sign = (x >> 16) & 0x8000;
	exp = (int32_t)((x >> 23) & 0xff) - 127 + 15;
	mant = x & 0x7fffff;
	if (((x >> 23) & 0xff) == 0xff)
		return (uint16_t)(sign | 0x7c00 | (mant ? 0x200 : 0));
	if (exp >= 31)
		return (uint16_t)(sign | 0x7c00);
	if (exp <= 0) {
		uint32_t m, shift, r;

		if (exp < -10)
			return (uint16_t)sign;
		m = mant | 0x800000;
		shift = (uint32_t)(14 - exp);
		r = m >> shift;
		if ((m >> (shift - 1) & 1) &&
		    ((m & ((1u << (shift - 1)) - 1)) || (r & 1)))
			r++;
		return (uint16_t)(sign | r);
	}
	{
		uint32_t h = sign | ((uint32_t)exp << 10) | (mant >> 13);

		if ((mant & 0x1000) && ((mant & 0xfff) || (h & 1)))
			h++;
		return (uint16_t)h;
	}
}

static float h2f(uint16_t h)
{
	uint32_t sign = (uint32_t)(h & 0x8000) << 16, exp = (h >> 10) & 0x1f;
	uint32_t mant = h & 0x3ff, x;
	float f;

	if (!exp) {
		f = ldexpf((float)mant, -24);
		return sign ? -f : f;
	}
	if (exp == 31)
		x = sign | 0x7f800000 | (mant << 13);
	else
		x = sign | ((exp + 112) << 23) | (mant << 13);
	memcpy(&f, &x, 4);
	return f;
}

static uint16_t f2bf(float f)
{
	uint32_t x;

	memcpy(&x, &f, 4);
	if ((x & 0x7fffffff) > 0x7f800000)
		return (uint16_t)((x >> 16) | 0x40);
	return (uint16_t)((x + 0x7fff + ((x >> 16) & 1)) >> 16);
}

static float bf2f(uint16_t b)
{
	uint32_t x = (uint32_t)b << 16;
	float f;

	memcpy(&f, &x, 4);
	return f;
}

/* Element @i of @t's host copy as a double (exact for <= 53-bit ints). */
static double elem(const struct tensor *t, uint64_t i)
{
	const void *p = t->host;

	switch (t->dtype) {
	case CHIP_DT_FLOAT32: return ((const float *)p)[i];
	case CHIP_DT_FLOAT16: return h2f(((const uint16_t *)p)[i]);
	case CHIP_DT_BFLOAT16: return bf2f(((const uint16_t *)p)[i]);
	case CHIP_DT_INT8: return ((const int8_t *)p)[i];
	case CHIP_DT_UINT8: return ((const uint8_t *)p)[i];
	case CHIP_DT_INT16: return ((const int16_t *)p)[i];
	case CHIP_DT_UINT16: return ((const uint16_t *)p)[i];
	case CHIP_DT_INT32: return ((const int32_t *)p)[i];
	case CHIP_DT_UINT32: return ((const uint32_t *)p)[i];
	case CHIP_DT_INT64: return (double)((const int64_t *)p)[i];
	default: return (double)((const uint64_t *)p)[i];
	}
}

static void fill(struct tensor *t)
{
	uint64_t i;
	float f = (float)t->fill_d;

	for (i = 0; i < t->count; i++) {
		switch (t->dtype) {
		case CHIP_DT_FLOAT32: ((float *)t->host)[i] = f; break;
		case CHIP_DT_FLOAT16: ((uint16_t *)t->host)[i] = f2h(f); break;
		case CHIP_DT_BFLOAT16: ((uint16_t *)t->host)[i] = f2bf(f); break;
		case CHIP_DT_INT8: case CHIP_DT_UINT8:
			((uint8_t *)t->host)[i] = (uint8_t)t->fill_u; break;
		case CHIP_DT_INT16: case CHIP_DT_UINT16:
			((uint16_t *)t->host)[i] = (uint16_t)t->fill_u; break;
		case CHIP_DT_INT32: case CHIP_DT_UINT32:
			((uint32_t *)t->host)[i] = (uint32_t)t->fill_u; break;
		default: ((uint64_t *)t->host)[i] = t->fill_u; break;
		}
	}
}

/* Allocate, initialise and copy in every tensor. */
static int tensors_in(struct devh *h)
{
	int i, rc;

	for (i = 0; i < o.ntensors; i++) {
		struct tensor *t = &o.tensors[i];

		t->host = calloc(1, t->bytes);
		if (!t->host)
			return fail(EX_FAIL, ENOMEM, "tensor %d", i);
		if (t->init == 1) {
			fill(t);
		} else if (t->init == 2) {
			void *b;
			size_t len;

			rc = read_file(t->file, &b, &len);
			if (rc)
				return fail(EX_FAIL, -rc, "%s", t->file);
			if (len != t->bytes) {
				free(b);
				return fail(EX_FAIL, 0, "%s: %zu bytes, tensor "
					    "%d has %llu", t->file, len, i,
					    (unsigned long long)t->bytes);
			}
			memcpy(t->host, b, len);
			free(b);
		}
		rc = chip_malloc(h->dev, t->bytes, &t->addr);
		if (rc)
			return fail(EX_FAIL, -rc, "chip_malloc of tensor %d "
				    "(%llu bytes)", i,
				    (unsigned long long)t->bytes);
		rc = chip_copy_to(h->dev, t->addr, t->host, t->bytes);
		if (rc)
			return fail(EX_FAIL, -rc, "chip_copy_to");
	}
	return 0;
}

static int write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	int rc = 0;

	if (!f)
		return -errno;
	if (n && fwrite(p, 1, n, f) != n)
		rc = -EIO;
	if (fclose(f) && !rc)
		rc = -EIO;
	return rc;
}

struct summary {
	double first[8];
	int nfirst;
	double min, max;
	uint64_t nonfinite;
};

static void summarise(const struct tensor *t, struct summary *s)
{
	uint64_t i;
	int any = 0;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < t->count; i++) {
		double v = elem(t, i);

		if (s->nfirst < 8)
			s->first[s->nfirst++] = v;
		if (!isfinite(v)) {
			s->nonfinite++;
			continue;
		}
		if (!any || v < s->min)
			s->min = v;
		if (!any || v > s->max)
			s->max = v;
		any = 1;
	}
}

/* Is tensor @i an output: out= given, or OUT/INOUT in the signature? */
static int is_output(const struct chip_callable_hdr *hdr, int i)
{
	if (o.tensors[i].out)
		return 1;
	return (uint32_t)i < hdr->sig_count &&
	       (hdr->signature[i] == CHIP_DIR_OUT ||
		hdr->signature[i] == CHIP_DIR_INOUT);
}

static void shape_str(const struct tensor *t, char *b, size_t n)
{
	size_t off = 0;
	uint32_t d;

	for (d = 0; d < t->ndims && off < n; d++)
		off += (size_t)snprintf(b + off, n - off, "%s%u", d ? "x" : "",
					t->shape[d]);
}

/* What chipctl trace says about the timeline it wrote. */
struct trace_sum {
	uint32_t spans, tasks, lanes;
	uint64_t busy_ns;	/* sum of the spans' durations */
	uint64_t last_end_ns;
};

/* Write the last run's timeline to o.output or stdout. */
static int trace_write(const struct chip_timeline *tl, const struct devh *h,
		       struct trace_sum *ts)
{
	unsigned char seen[2][256] = { { 0 } };
	FILE *f = stdout;
	uint32_t i;
	int rc;

	ts->spans = tl->count;
	ts->tasks = tl->tasks;
	for (i = 0; i < tl->count && i < CHIP_MAX_SPANS; i++) {
		const struct chip_span *sp = &tl->spans[i];

		if (sp->core_type <= CHIP_CORE_AIV && sp->core < 256 &&
		    !seen[sp->core_type][sp->core]++)
			ts->lanes++;
		ts->busy_ns += sp->end_ns - sp->start_ns;
		if (sp->end_ns > ts->last_end_ns)
			ts->last_end_ns = sp->end_ns;
	}
	if (o.output) {
		f = fopen(o.output, "w");
		if (!f)
			return fail(EX_FAIL, errno, "%s", o.output);
	}
	rc = chip_timeline_write_json(tl, f, h->info.name, 1);
	if (o.output) {
		if (fclose(f) && !rc)
			rc = -EIO;
	} else if (fflush(f) && !rc) {
		rc = -EIO;
	}
	if (rc)
		return fail(EX_FAIL, -rc, "%s", o.output ? o.output : "stdout");
	return 0;
}

static void j_trace(const struct trace_sum *ts)
{
	j_key("trace");
	j_open('{');
	JK("file", j_str, o.output);
	JK("spans", j_u64, ts->spans);
	JK("tasks", j_u64, ts->tasks);
	JK("dropped", j_u64, ts->tasks - ts->spans);
	JK("cores", j_u64, ts->lanes);
	JK("busy_ns", j_u64, ts->busy_ns);
	JK("last_end_ns", j_u64, ts->last_end_ns);
	j_close('}');
}

static int cmd_run(int trace)
{
	const struct chip_callable_hdr *hdr;
	struct chip_run_result res, last, bad = { 0 };
	struct chip_run_opts ro = { .sz = sizeof(ro) };
	uint64_t dmin = UINT64_MAX, dmax = 0, dtot = 0, t0, wall;
	struct chip_counters c;
	struct chip_layout l;
	struct chip_args args;
	unsigned long k, nok = 0;
	void *img = NULL;
	struct chip_timeline *tl = NULL;
	struct trace_sum ts = { 0 };
	struct devh h;
	int32_t cid = o.nreg;
	int rc, i, have_bad = 0;

	if (trace) {
		tl = calloc(1, CHIP_TIMELINE_SIZE(CHIP_MAX_SPANS));
		if (!tl)
			return fail(EX_FAIL, ENOMEM, "timeline");
		ro.timeline = tl;
		ro.timeline_cap = CHIP_MAX_SPANS;
	}
	rc = open_dev(o.platform, o.device, &h);
	if (rc) {
		free(tl);
		return rc;
	}
	if (rc)
		return rc;
	rc = register_all(&h);
	if (!rc)
		rc = register_file(&h, o.image, cid, &l, &img);
	if (!rc)
		rc = tensors_in(&h);
	if (rc)
		goto out;
	hdr = img;
	chip_args_init(&args);
	for (i = 0; i < o.ntensors; i++) {
		struct tensor *t = &o.tensors[i];

		rc = chip_args_add_tensor(&args, t->addr, t->dtype, t->ndims,
					  t->shape);
		if (rc) {
			rc = fail(EX_FAIL, -rc, "tensor %d", i);
			goto out;
		}
	}
	for (i = 0; i < o.nscalars; i++)
		chip_args_add_scalar(&args, o.scalars[i]);
	ro.block_dim = (uint32_t)o.block_dim;
	ro.aicpu_threads = (uint32_t)o.threads;
	ro.timeout_ns = (uint64_t)o.timeout_ms * 1000000ull;
	ro.insn_budget = o.insn_budget;
	memset(&last, 0, sizeof(last));
	t0 = chip_now_ns();
	for (k = 0; k < o.repeat; k++) {
		rc = chip_run(h.dev, cid, &args, &ro, &res);
		if (rc == -EOPNOTSUPP && trace) {
			rc = fail(EX_UNSUPPORTED, -rc, "trace: the driver "
				  "records no run timelines");
			goto out;
		}
		if (rc) {
			rc = fail(EX_FAIL, -rc, "chip_run");
			goto out;
		}
		last = res;
		if (res.status == CHIP_STATUS_OK) {
			nok++;
		} else if (!have_bad) {
			bad = res;
			have_bad = 1;
		}
		dmin = res.device_ns < dmin ? res.device_ns : dmin;
		dmax = res.device_ns > dmax ? res.device_ns : dmax;
		dtot += res.device_ns;
	}
	wall = chip_now_ns() - t0;
	/* Outputs of the last run, if it succeeded. */
	for (i = 0; last.status == CHIP_STATUS_OK && i < o.ntensors; i++) {
		struct tensor *t = &o.tensors[i];

		if (!is_output(hdr, i))
			continue;
		rc = chip_copy_from(h.dev, t->host, t->addr, t->bytes);
		if (rc) {
			rc = fail(EX_FAIL, -rc, "chip_copy_from");
			goto out;
		}
		if (t->out) {
			rc = write_file(t->out, t->host, t->bytes);
			if (rc) {
				rc = fail(EX_FAIL, -rc, "%s", t->out);
				goto out;
			}
		}
	}
	if (o.stats) {
		rc = chip_counters(h.dev, &c);
		if (rc) {
			rc = fail(EX_FAIL, -rc, "chip_counters");
			goto out;
		}
		if (!h.info.simulated && h.node[0])
			kquery(h.node, &h.k);
	}
	if (have_bad)
		res = bad;
	else
		res = last;
	if (trace) {
		rc = trace_write(tl, &h, &ts);
		if (rc)
			goto out;
	}

	if (o.json) {
		j_head(trace ? "trace" : "run", &h);
		j_key("image");
		j_open('{');
		JK("path", j_str, o.image ? o.image : o.save);
		JK("hash", j_hex, l.hash);
		JK("size", j_u64, l.total_size);
		JK("runtime", j_str, runtime_name(hdr->runtime));
		JK("cid", j_i64, cid);
		j_close('}');
		JK("runs", j_u64, o.repeat);
		JK("ok", j_u64, nok);
		JK("status", j_str, status_keys[res.status < CHIP_STATUS_COUNT ?
						res.status : 0]);
		j_key("result");
		j_open('{');
		JK("seq", j_u64, res.seq);
		JK("status", j_u64, res.status);
		JK("code", j_i64, res.code);
		JK("fault_addr", j_u64, res.fault_addr);
		JK("tasks", j_u64, res.tasks);
		JK("insns", j_u64, res.insns);
		JK("device_ns", j_u64, res.device_ns);
		JK("msg", j_str, res.msg);
		j_close('}');
		j_key("device_ns");
		j_open('{');
		JK("min", j_u64, dmin);
		JK("max", j_u64, dmax);
		JK("total", j_u64, dtot);
		j_close('}');
		JK("wall_ns", j_u64, wall);
		j_key("outputs");
		j_open('[');
		for (i = 0; last.status == CHIP_STATUS_OK && i < o.ntensors;
		     i++) {
			const struct tensor *t = &o.tensors[i];
			struct summary s;
			uint32_t d;
			int e;

			if (!is_output(hdr, i))
				continue;
			summarise(t, &s);
			j_open('{');
			JK("index", j_i64, i);
			JK("dtype", j_str, dtypes[dt_index(t->dtype)].name);
			j_key("shape");
			j_open('[');
			for (d = 0; d < t->ndims; d++)
				j_u64(t->shape[d]);
			j_close(']');
			j_key("file");
			j_str(t->out);
			j_key("first");
			j_open('[');
			for (e = 0; e < s.nfirst; e++)
				j_dbl(s.first[e]);
			j_close(']');
			JK("min", j_dbl, s.min);
			JK("max", j_dbl, s.max);
			JK("nonfinite", j_u64, s.nonfinite);
			j_close('}');
		}
		j_close(']');
		if (o.stats)
			j_counters(&h, &c);
		if (trace)
			j_trace(&ts);
		j_close('}');
	} else if (trace && !o.output) {
		/* The trace itself is the output, on stdout. */
	} else {
		printf("%s: %s, cid %d on %s%s%s\n",
		       o.image ? o.image : o.save ? o.save : "built image",
		       runtime_name(hdr->runtime), cid, h.info.name,
		       h.node[0] ? " " : "", h.node);
		printf("%s  %lu of %lu runs ok; tasks %llu, insns %llu, "
		       "device %.1f us", chip_status_str(res.status), nok,
		       o.repeat, (unsigned long long)res.tasks,
		       (unsigned long long)res.insns, res.device_ns / 1e3);
		if (o.repeat > 1)
			printf(" (min %.1f, max %.1f)", dmin / 1e3, dmax / 1e3);
		printf("\n");
		if (res.status != CHIP_STATUS_OK)
			printf("  code %d, fault address 0x%llx: %s\n", res.code,
			       (unsigned long long)res.fault_addr, res.msg);
		for (i = 0; last.status == CHIP_STATUS_OK && i < o.ntensors;
		     i++) {
			const struct tensor *t = &o.tensors[i];
			struct summary s;
			char shp[80];
			int e;

			if (!is_output(hdr, i))
				continue;
			summarise(t, &s);
			shape_str(t, shp, sizeof(shp));
			printf("  tensor %d %s[%s]%s%s:", i,
			       dtypes[dt_index(t->dtype)].name, shp,
			       t->out ? " -> " : "", t->out ? t->out : "");
			for (e = 0; e < s.nfirst; e++)
				printf(" %.9g", s.first[e]);
			if (t->count > (uint64_t)s.nfirst)
				printf(" ...");
			printf("  min %.9g max %.9g", s.min, s.max);
			if (s.nonfinite)
				printf(" (%llu not finite)",
				       (unsigned long long)s.nonfinite);
			printf("\n");
		}
		if (o.stats)
			print_counters(&h, &c);
		if (trace)
			printf("trace: %u spans of %u tasks on %u cores, "
			       "busy %.1f of %.1f us -> %s\n", ts.spans,
			       ts.tasks, ts.lanes, ts.busy_ns / 1e3,
			       ts.last_end_ns / 1e3, o.output);
	}
	rc = nok == o.repeat ? EX_OK : EX_RUN;
out:
	for (i = 0; i < o.ntensors; i++) {
		if (o.tensors[i].addr)
			chip_free(h.dev, o.tensors[i].addr);
		free(o.tensors[i].host);
	}
	free(img);
	free(tl);
	chip_close(h.dev);
	return rc;
}

int main(int argc, char **argv)
{
	int rc = parse_args(argc, argv);

	if (rc)
		return rc;
	switch (o.cmd) {
	case C_LIST:
		return cmd_list();
	case C_INFO:
		return cmd_info();
	case C_STATS:
		return cmd_stats();
	case C_DEDUP:
		return cmd_dedup();
	case C_RUN:
		return cmd_run(0);
	case C_TRACE:
		return cmd_run(1);
	default:
		return EX_USAGE;
	}
}
