// SPDX-License-Identifier: GPL-2.0
/* trace_output_cli.c - see trace_output_cli.h. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/random.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "tracefs.h"
#include "trace_output.h"
#include "trace_output_cli.h"

#define MAX_PAGES 4096
#define MAX_RB (1ul << 30)

const char *const trace_output_mode_names[] = { "perf", "ringbuf", "ringbuf-output", NULL };
const char *const trace_output_wakeup_names[] = { "adaptive", "none", "force", NULL };

const struct sample_option trace_output_options[] = {
	{ 'm', "mode", "MODE",
	  "perf (BPF_MAP_TYPE_PERF_EVENT_ARRAY, default),\n"
	  "ringbuf (BPF_MAP_TYPE_RINGBUF, reserve/submit) or\n"
	  "ringbuf-output (BPF_MAP_TYPE_RINGBUF, bpf_ringbuf_output)" },
	{ 'p', "pid", "PID", "watch process PID" },
	{ 'P', "pages", "N", "perf: ring size per CPU in pages, a power of 2 (default 64)" },
	{ 'B', "bytes", "SIZE",
	  "ring buffer size for all CPUs: a power of 2 and a multiple\n"
	  "of the page size; K/M/G suffixes allowed (default 256K)" },
	{ 'w', "wakeup", "WHEN",
	  "ring buffer: wake the reader adaptive (when it has caught\n"
	  "up, default), none (BPF_RB_NO_WAKEUP: read at each tick)\n"
	  "or force (BPF_RB_FORCE_WAKEUP: after every record)" },
	{ 'r', "rate", "N", /* demo */
	  "demo writer: writes per second, 1 to 1000000 (default 1000)" }, /* demo */
	{ 'n', "count", "N", /* demo */
	  "demo writer: stop after N writes (default 100000); the run\n" /* demo */
	  "ends when the writer is done (or -d, or Ctrl-C)" }, /* demo */
	{}
};

/* The index of arg in names, or -EINVAL after one line. */
static int pick(const char *const names[], const char *what, char opt, const char *arg)
{
	for (int i = 0; names[i]; i++)
		if (!strcmp(arg, names[i]))
			return i;
	fprintf(stderr, "trace_output: unknown %s '%s' for -%c: expected %s, %s or %s\n", what, arg,
		opt, names[0], names[1], names[2]);
	return -EINVAL;
}

/* "256K", "1M", "65536" -> bytes; one line and -EINVAL unless it is a power of
 * 2, a multiple of the page size, and at most MAX_RB (what the kernel's
 * BPF_MAP_TYPE_RINGBUF requires of max_entries, with a sane upper bound). */
static int parse_rb_size(const char *arg, unsigned long *out)
{
	unsigned long v, page = sysconf(_SC_PAGESIZE);
	char *end;

	errno = 0;
	v = (*arg >= '0' && *arg <= '9') ? strtoul(arg, &end, 10) : 0;
	if (v && !errno) {
		int shift = 0;

		if (*end == 'K' || *end == 'k')
			shift = 10;
		else if (*end == 'M' || *end == 'm')
			shift = 20;
		else if (*end == 'G' || *end == 'g')
			shift = 30;
		if (shift)
			end++;
		v = v <= MAX_RB >> shift ? v << shift : 0;
		if (!*end && v >= page && v <= MAX_RB && !(v & (v - 1)) && !(v % page)) {
			*out = v;
			return 0;
		}
	}
	fprintf(stderr,
		"trace_output: invalid ring buffer size '%s' for -B: must be a power of 2 "
		"and a multiple of the page size, from %lu to 1G (e.g. 4096, 64K, 1M)\n",
		arg, page);
	return -EINVAL;
}

int trace_output_opts_parse(struct trace_opts *t, int opt, const char *arg)
{
	unsigned long v;
	int i;

	switch (opt) {
	case 'm':
		i = pick(trace_output_mode_names, "mode", 'm', arg);
		if (i < 0)
			return i;
		t->mode = i;
		return 0;
	case 'w':
		i = pick(trace_output_wakeup_names, "wakeup", 'w', arg);
		if (i < 0)
			return i;
		t->wakeup = i;
		t->wakeup_set = true;
		return 0;
	case 'p':
		if (sample_parse_uint("trace_output", 'p', arg, 1, 4194304, &v))
			return -EINVAL;
		t->pid = v;
		return 0;
	case 'P':
		if (sample_parse_uint("trace_output", 'P', arg, 1, MAX_PAGES, &t->pages))
			return -EINVAL;
		if (t->pages & (t->pages - 1)) {
			fprintf(stderr,
				"trace_output: invalid page count '%s' for -P: must be a "
				"power of 2 (1, 2, 4 ... %d)\n",
				arg, MAX_PAGES);
			return -EINVAL;
		}
		t->pages_set = true;
		return 0;
	case 'B':
		t->rb_set = true;
		return parse_rb_size(arg, &t->rb_size);
	case 'r': /* demo */
		return sample_parse_uint("trace_output", 'r', arg, 1, 1000000, &t->rate); /* demo */
	case 'n': /* demo */
		return sample_parse_uint("trace_output", 'n', arg, 1, 1000000000, /* demo */
					 &t->count); /* demo */
	}
	return -EINVAL;
}

/* libbpf attaches tp/ programs by the id it reads in tracefs: mount it (in a
 * private mount namespace) where it is not. */
static int ensure_tracepoint(bool verbose)
{
	bool mounted;
	int err = sample_tracefs_ensure("syscalls/sys_enter_write", &mounted);

	if (err)
		fprintf(stderr,
			"trace_output: tracepoint syscalls/sys_enter_write not available: "
			"%s (needs tracefs and a kernel with CONFIG_FTRACE_SYSCALLS)\n",
			sample_strerror(err));
	else if (mounted && verbose)
		fprintf(stderr,
			"trace_output: tracefs was not mounted: mounted it at " SAMPLE_TRACEFS_DIR
			" in a private mount namespace (only this process "
			"sees it)\n");
	return err;
}

int trace_output_opts_check(const struct trace_opts *t, bool verbose)
{
	const char *why = NULL;

	if (t->pages_set && t->mode != MODE_PERF) {
		fprintf(stderr,
			"trace_output: -P sets the perf ring size; for -m %s use -B BYTES\n",
			trace_output_mode_names[t->mode]);
		return 2;
	}
	if (t->rb_set && t->mode == MODE_PERF)
		why = "-B sets the ring buffer size; for -m perf use -P PAGES (or choose -m ringbuf)";
	else if (t->wakeup_set && t->mode == MODE_PERF)
		why = "-w sets the ring buffer's wakeup flags; the perf buffer wakes the reader "
		      "after every record (choose -m ringbuf)";
	else if (t->pid && (t->rate || t->count)) /* demo */
		why = "-r and -n set the demo writer, which -p replaces"; /* demo */
	if (why) {
		fprintf(stderr, "trace_output: %s\n", why);
		return 2;
	}
	if (t->pid && kill(t->pid, 0) && errno == ESRCH) {
		fprintf(stderr, "trace_output: no process with pid %u (see 'ps -e')", t->pid);
		fprintf(stderr, "; leave out -p to watch a demo writer"); /* demo */
		fprintf(stderr, "\n");
		return 1;
	}
	return ensure_tracepoint(verbose) ? 1 : 0;
}

void trace_output_print_header(const struct trace_opts *t, __u32 pid)
{
	int ncpus = libbpf_num_possible_cpus();

	if (t->mode == MODE_PERF)
		printf("Tracing write() of pid %u through a BPF_MAP_TYPE_PERF_EVENT_ARRAY: "
		       "%lu pages x %d CPUs = %lu KiB\n",
		       pid, t->pages, ncpus, t->pages * ncpus * sysconf(_SC_PAGESIZE) / 1024);
	else
		printf("Tracing write() of pid %u through a BPF_MAP_TYPE_RINGBUF (%s): %lu KiB "
		       "shared by %d CPUs, wakeup %s\n",
		       pid,
		       t->mode == MODE_RINGBUF ? "bpf_ringbuf_reserve/submit" :
						 "bpf_ringbuf_output",
		       t->rb_size / 1024, ncpus, trace_output_wakeup_names[t->wakeup]);
}

bool trace_output_pid_gone(__u32 pid)
{
	char path[64], state = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%u/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return true;
	if (fscanf(f, "%*d (%*[^)]) %c", &state) != 1)
		state = 0;
	fclose(f);
	return state == 'Z' || state == 'X';
}

void trace_output_print_summary(const char *who, const struct trace_totals *n)
{
	__u64 lost = n->perf ? n->lost_reported : n->not_fit;
	char b[4][SAMPLE_FMT_LEN];

	printf("%sthe program saw %s writes, %s records did not fit; received %s + lost %s\n", who,
	       sample_fmt_u64(b[1], SAMPLE_FMT_LEN, n->seen),
	       sample_fmt_u64(b[2], SAMPLE_FMT_LEN, n->not_fit),
	       sample_fmt_u64(b[3], SAMPLE_FMT_LEN, n->received),
	       sample_fmt_u64(b[0], SAMPLE_FMT_LEN, lost));
	if (n->perf && n->not_fit > n->lost_reported)
		printf("note: perf reports a lost record only with the next record that fits in "
		       "that CPU's ring: %llu not reported yet\n",
		       (unsigned long long)(n->not_fit - n->lost_reported));
	fflush(stdout);
}

__u64 trace_output_run_cookie(void)
{
	__u64 cookie;

	if (getrandom(&cookie, sizeof(cookie), 0) != sizeof(cookie))
		cookie = sample_now_ns() ^ ((__u64)getpid() << 32);
	return cookie | 1; /* never 0, the value of a zeroed record */
}

int trace_output_record_copy(struct write_event *e, const void *data, size_t size, __u32 pid,
			     __u64 cookie)
{
	if (size < sizeof(*e)) {
		fprintf(stderr,
			"trace_output: a record of %zu bytes, expected %zu: the BPF object "
			"and trace_output.h disagree (rebuild with make)\n",
			size, sizeof(*e));
		return -EBADMSG;
	}
	/* A perf sample's data follows its 4-byte size field, so it sits 4 bytes
	 * past an 8-byte boundary: reading the __u64 fields in place would be a
	 * misaligned access (undefined behaviour). Copy the record out. */
	memcpy(e, data, sizeof(*e));
	if (e->cookie != cookie || e->pid != pid) {
		fprintf(stderr,
			"trace_output: a record with cookie %#llx and pid %u, expected %#llx "
			"and pid %u: not written by this run's program (a buffer shared with "
			"another tool?)\n",
			(unsigned long long)e->cookie, e->pid, (unsigned long long)cookie, pid);
		return -EBADMSG;
	}
	return 0;
}
