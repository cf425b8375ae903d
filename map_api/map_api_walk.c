// SPDX-License-Identifier: GPL-2.0
/*
 * map_api_walk.c - how the walk prints: a heading per step, one line per
 * kernel answer (what was asked, what the kernel said, why), every answer
 * recorded so the tests can assert it.
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "sample.h"
#include "map_api_walk.h"

static const struct {
	const char *title; /* what the step is about */
	const char *cmds; /* the bpf() commands it makes */
	int (*run)(struct map_api_walk *w);
} steps[MAP_API_N_STEPS] = {
	{ "create a map, ask what it is", "BPF_MAP_CREATE, BPF_OBJ_GET_INFO_BY_FD",
	  map_api_step_create },
	{ "update flags, lookup, delete",
	  "BPF_MAP_UPDATE_ELEM, BPF_MAP_LOOKUP_ELEM, BPF_MAP_DELETE_ELEM", map_api_step_flags },
	{ "walk, drain, batches",
	  "BPF_MAP_GET_NEXT_KEY, BPF_MAP_LOOKUP_AND_DELETE_ELEM, BPF_MAP_*_BATCH",
	  map_api_step_iterate },
	{ "bpf_spin_lock in a value, BPF_F_LOCK",
	  "BPF_PROG_TEST_RUN, BPF_MAP_LOOKUP_ELEM/UPDATE_ELEM with BPF_F_LOCK", map_api_step_lock },
	{ "pin, open from another process, unpin", "BPF_OBJ_PIN, BPF_OBJ_GET, BPF_MAP_GET_FD_BY_ID",
	  map_api_step_pin },
	{ "access flags, freeze, mmap, prealloc, seed",
	  "BPF_MAP_CREATE flags, BPF_PROG_LOAD, BPF_MAP_FREEZE, mmap()", map_api_step_access },
};

int map_api_walk_step(struct map_api_walk *w, int n)
{
	fprintf(w->out, "== step %d: %s\n   bpf(): %s\n", n, steps[n - 1].title, steps[n - 1].cmds);
	int err = steps[n - 1].run(w);

	fprintf(w->out, "\n");
	fflush(w->out);
	return err;
}

int map_api_answer(struct map_api_walk *w, int err, int want, const char *why, const char *what_fmt,
		   ...)
{
	struct map_api_record *a = &w->log[w->answers % MAP_API_MAX_ANSWERS];
	va_list ap;

	va_start(ap, what_fmt);
	vsnprintf(a->what, sizeof(a->what), what_fmt, ap);
	va_end(ap);
	a->err = err;
	w->answers++;
	fprintf(w->out, "  %-46s -> %-7s %s", a->what, err ? sample_errname(err) : "ok", why);
	if (err != want) {
		w->unexpected++;
		fprintf(w->out, "  [UNEXPECTED: wanted %s]", want ? sample_errname(want) : "ok");
	}
	fprintf(w->out, "\n");
	return err;
}

void map_api_say(struct map_api_walk *w, const char *fmt, ...)
{
	va_list ap;

	fprintf(w->out, "  ");
	va_start(ap, fmt);
	vfprintf(w->out, fmt, ap);
	va_end(ap);
	fprintf(w->out, "\n");
}

int map_api_walk_got(const struct map_api_walk *w, const char *what)
{
	int n = w->answers < MAP_API_MAX_ANSWERS ? w->answers : MAP_API_MAX_ANSWERS;

	for (int i = n - 1; i >= 0; i--)
		if (!strcmp(w->log[i].what, what))
			return w->log[i].err;
	return 1;
}
