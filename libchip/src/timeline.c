// SPDX-License-Identifier: MIT
/*
 * A run's timeline (struct chip_timeline) as Chrome Trace Event JSON:
 * one "X" (complete) event per task on the lane of the core it ran on,
 * which Perfetto (ui.perfetto.dev) and chrome://tracing show as a
 * swimlane per core.
 */
#include <errno.h>
#include <stdio.h>
#include "internal.h"

/* Lanes: AIC cores first, then AIV cores, each in index order. */
#define LANE_AIC	1u
#define LANE_AIV	1001u

static unsigned int lane(const struct chip_span *sp)
{
	return (sp->core_type == CHIP_CORE_AIC ? LANE_AIC : LANE_AIV) + sp->core;
}

/* Quote @s as a JSON string (printable ASCII; anything else is '?'). */
static void put_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else
			fputc(*s >= 0x20 && *s < 0x7f ? *s : '?', f);
	}
	fputc('"', f);
}

/* ns as microseconds with three decimals, exactly. */
static void put_us(FILE *f, uint64_t ns)
{
	fprintf(f, "%llu.%03llu", (unsigned long long)(ns / 1000),
		(unsigned long long)(ns % 1000));
}

int chip_timeline_write_json(const struct chip_timeline *tl, FILE *f,
			     const char *device, int pid)
{
	/* Lanes named so far: bit per core and type. */
	unsigned char named[2][256 / 8] = { { 0 } };
	const struct chip_span *sp;
	uint32_t i;

	if (!tl || !f || pid < 0 || tl->count > CHIP_MAX_SPANS)
		return -EINVAL;
	for (i = 0; i < tl->count; i++)
		if (tl->spans[i].core_type > CHIP_CORE_AIV ||
		    tl->spans[i].core >= 256 ||
		    tl->spans[i].end_ns < tl->spans[i].start_ns)
			return -EINVAL;

	fprintf(f, "{\"displayTimeUnit\": \"ns\", \"otherData\": "
		"{\"tasks\": %u, \"spans\": %u}, \"traceEvents\": [\n",
		tl->tasks, tl->count);
	fprintf(f, "{\"name\": \"process_name\", \"ph\": \"M\", \"pid\": %d, "
		"\"tid\": 0, \"args\": {\"name\": ", pid);
	put_str(f, device ? device : "chip");
	fputs("}}", f);
	for (i = 0; i < tl->count; i++) {
		sp = &tl->spans[i];
		if (named[sp->core_type][sp->core / 8] & (1u << (sp->core % 8)))
			continue;
		named[sp->core_type][sp->core / 8] |= 1u << (sp->core % 8);
		fprintf(f, ",\n{\"name\": \"thread_name\", \"ph\": \"M\", "
			"\"pid\": %d, \"tid\": %u, \"args\": {\"name\": "
			"\"%s %u\"}}", pid, lane(sp),
			sp->core_type == CHIP_CORE_AIC ? "AIC" : "AIV",
			sp->core);
		fprintf(f, ",\n{\"name\": \"thread_sort_index\", \"ph\": "
			"\"M\", \"pid\": %d, \"tid\": %u, \"args\": "
			"{\"sort_index\": %u}}", pid, lane(sp), lane(sp));
	}
	for (i = 0; i < tl->count; i++) {
		sp = &tl->spans[i];
		fprintf(f, ",\n{\"name\": \"func %d\", \"cat\": \"task\", "
			"\"ph\": \"X\", \"pid\": %d, \"tid\": %u, \"ts\": ",
			sp->func_id, pid, lane(sp));
		put_us(f, sp->start_ns);
		fputs(", \"dur\": ", f);
		put_us(f, sp->end_ns - sp->start_ns);
		fprintf(f, ", \"args\": {\"task\": %u, \"func_id\": %d, "
			"\"core\": \"%s %u\", \"start_ns\": %llu, "
			"\"end_ns\": %llu}}", sp->task, sp->func_id,
			sp->core_type == CHIP_CORE_AIC ? "AIC" : "AIV",
			sp->core, (unsigned long long)sp->start_ns,
			(unsigned long long)sp->end_ns);
	}
	fputs("\n]}\n", f);
	return ferror(f) ? -EIO : 0;
}
