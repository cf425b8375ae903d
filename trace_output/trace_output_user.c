// SPDX-License-Identifier: GPL-2.0
/*
 * trace_output - stream events from a tracepoint to user space through a
 * BPF_MAP_TYPE_PERF_EVENT_ARRAY (per-CPU perf rings) or a BPF_MAP_TYPE_RINGBUF
 * (one ring shared by all CPUs), and see what each delivers, loses and costs.
 *
 * A program on syscalls/sys_enter_write emits one record {pid, cookie, count,
 * seq, cpu, ...} per write() of one process. User space checks every record
 * (pid and the run's cookie), and prints per interval the events received,
 * events/s, records lost, records that arrived out of order, and how often it
 * was woken up. The three modes print the same columns, so runs compare:
 *
 *   -m perf            bpf_perf_event_output()  -> perf_buffer__new()
 *   -m ringbuf         bpf_ringbuf_reserve()/submit() -> ring_buffer__new()
 *   -m ringbuf-output  bpf_ringbuf_output()     -> ring_buffer__new()
 *
 *   sudo ./trace_output               demo: a child writes 1,000 times/s to /dev/null
 *   sudo ./trace_output -m ringbuf    the same through the ring buffer
 *   sudo ./trace_output -p 1234       watch the write() calls of process 1234
 *   sudo ./trace_output -r 200000 -P 1   a fast writer and a 1-page perf ring: lost > 0
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "trace_output.h"
#include "trace_output.skel.h"
#include "tracefs.h"
#include "writer.h"

static const char *prog = "trace_output";

enum mode { MODE_PERF, MODE_RINGBUF, MODE_RB_OUTPUT };
static const char *const mode_names[] = { "perf", "ringbuf", "ringbuf-output" };
/* -w: the ring buffer's wakeup flags, indexed by BPF_RB_* value */
static const char *const wakeup_names[] = { "adaptive", "none", "force" };

#define DEFAULT_PAGES	64		/* perf: pages per CPU (256 KiB with 4 KiB pages) */
#define DEFAULT_RB	(256 * 1024)	/* ring buffer: bytes, for all CPUs together */
#define MAX_PAGES	4096
#define MAX_RB		(1ul << 30)
#define DEFAULT_RATE	1000
#define DEFAULT_COUNT	100000

struct ctx {
	enum mode mode;
	struct trace_output *skel;
	struct perf_buffer *pb;
	struct ring_buffer *rb;
	struct writer *w;		/* the demo writer, NULL with -p */
	__u32 pid;
	__u64 cookie;
	/* what user space received */
	__u64 events, bytes, lost_reported, reordered, wakeups, max_seq;
	int err;			/* first bad record stops the run */
	bool gone;			/* -p: the process exited */
	__u64 start_ns, last_ns, last_events;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [options]\n"
		"Stream one record per write() of a process through a perf event array or a\n"
		"BPF ring buffer, and count what arrives, what is lost and how often it wakes up.\n"
		"\n"
		"  -m, --mode MODE        perf (BPF_MAP_TYPE_PERF_EVENT_ARRAY, default),\n"
		"                         ringbuf (BPF_MAP_TYPE_RINGBUF, reserve/submit) or\n"
		"                         ringbuf-output (BPF_MAP_TYPE_RINGBUF, bpf_ringbuf_output)\n"
		"  -p, --pid PID          watch process PID (default: start a demo writer)\n"
		"  -P, --pages N          perf: ring size per CPU in pages, a power of 2 (default %d)\n"
		"  -B, --bytes SIZE       ring buffer size for all CPUs: a power of 2 and a multiple\n"
		"                         of the page size; K/M/G suffixes allowed (default 256K)\n"
		"  -w, --wakeup WHEN      ring buffer: wake the reader adaptive (when it has caught\n"
		"                         up, default), none (BPF_RB_NO_WAKEUP: read at each tick)\n"
		"                         or force (BPF_RB_FORCE_WAKEUP: after every record)\n"
		"  -r, --rate N           demo writer: writes per second, 1 to 1000000 (default %d)\n"
		"  -n, --count N          demo writer: stop after N writes (default %d)\n"
		"  -d, --duration SECS    stop after SECS seconds (default: until the writer is done\n"
		"                         or Ctrl-C)\n"
		"  -I, --interval SECS    print every SECS seconds, decimals allowed (default 1)\n"
		"  -v, --verbose          show libbpf's debug log\n"
		"  -h, --help             this text\n"
		"\n"
		"Example: sudo %s -m ringbuf -d 5        sudo %s -p $(pidof rsyslogd)\n",
		prog, DEFAULT_PAGES, DEFAULT_RATE, DEFAULT_COUNT, prog, prog);
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
			shift = 10, end++;
		else if (*end == 'M' || *end == 'm')
			shift = 20, end++;
		else if (*end == 'G' || *end == 'g')
			shift = 30, end++;
		v = v <= MAX_RB >> shift ? v << shift : 0;
		if (!*end && v >= page && v <= MAX_RB && !(v & (v - 1)) && !(v % page)) {
			*out = v;
			return 0;
		}
	}
	fprintf(stderr, "%s: invalid ring buffer size '%s' for -B: must be a power of 2 and a "
		"multiple of the page size, from %lu to 1G (e.g. 4096, 64K, 1M)\n", prog, arg, page);
	return -EINVAL;
}

/* Every record, whichever way it came. */
static int on_record(struct ctx *c, const void *data, size_t size)
{
	struct write_event e;

	if (size < sizeof(e)) {
		fprintf(stderr, "%s: a record of %zu bytes, expected %zu: the BPF object and "
			"trace_output.h disagree (rebuild with make)\n", prog, size, sizeof(e));
		return -EBADMSG;
	}
	/* A perf sample's data follows its 4-byte size field, so it sits 4 bytes
	 * past an 8-byte boundary: reading the __u64 fields in place would be a
	 * misaligned access (undefined behaviour). Copy the record out. */
	memcpy(&e, data, sizeof(e));
	if (e.cookie != c->cookie || e.pid != c->pid) {
		fprintf(stderr, "%s: a record with cookie %#llx and pid %u, expected %#llx and pid "
			"%u: not written by this run's program (a buffer shared with another "
			"tool?)\n", prog, (unsigned long long)e.cookie, e.pid,
			(unsigned long long)c->cookie, c->pid);
		return -EBADMSG;
	}
	c->events++;
	c->bytes += e.count;
	/* seq is handed out in the order the program ran, over all CPUs. A
	 * record older than one already received arrived out of that order. */
	if (e.seq < c->max_seq)
		c->reordered++;
	else
		c->max_seq = e.seq;
	return 0;
}

/* perf_buffer callbacks: one call per record, and one per PERF_RECORD_LOST
 * (cnt records that did not fit in that CPU's ring). */
static void perf_sample(void *ctx, int cpu, void *data, __u32 size)
{
	struct ctx *c = ctx;

	if (!c->err)
		c->err = on_record(c, data, size);
}

static void perf_lost(void *ctx, int cpu, __u64 cnt)
{
	((struct ctx *)ctx)->lost_reported += cnt;
}

/* ring_buffer callback: returning an error stops ring_buffer__poll(). */
static int rb_sample(void *ctx, void *data, size_t size)
{
	return on_record(ctx, data, size);
}

/* Drain what is there now, without waiting. */
static int consume(struct ctx *c)
{
	int n = c->pb ? perf_buffer__consume(c->pb) : ring_buffer__consume(c->rb);

	if (c->err)
		return c->err;	/* on_record() said why */
	if (n < 0 && n != -EINTR) {
		fprintf(stderr, "%s: reading the buffer failed: %s\n", prog, sample_strerror(n));
		return n;
	}
	return 0;
}

/* The epoll fd of the buffer is readable: the kernel woke us up. Consume
 * every ring rather than perf_buffer__poll(pb, 0): sample_run()'s poll() on
 * the epoll fd has already asked each perf fd whether it is ready, and a perf
 * fd answers "ready" once per wakeup, so an epoll_wait() after it finds
 * nothing and the records would wait for the next tick. */
static int on_wakeup(void *ctx)
{
	struct ctx *c = ctx;

	c->wakeups++;
	return consume(c);
}

/* Records lost so far, as the mode can know it: perf tells user space through
 * PERF_RECORD_LOST; the ring buffer keeps no count, so the program counts its
 * failed reserves/outputs in .bss. */
static __u64 lost(const struct ctx *c)
{
	return c->mode == MODE_PERF ? c->lost_reported : c->skel->bss->output_failed;
}

static void print_row(struct ctx *c, double t, double rate)
{
	char b[5][SAMPLE_FMT_LEN];

	printf("%7.1f %12s %10.0f %10s %10s %10s %14s\n", t,
	       sample_fmt_u64(b[0], SAMPLE_FMT_LEN, c->events), rate,
	       sample_fmt_u64(b[1], SAMPLE_FMT_LEN, lost(c)),
	       sample_fmt_u64(b[2], SAMPLE_FMT_LEN, c->reordered),
	       sample_fmt_u64(b[3], SAMPLE_FMT_LEN, c->wakeups),
	       sample_fmt_u64(b[4], SAMPLE_FMT_LEN, c->bytes));
	fflush(stdout);
}

/* true when process pid is gone (or a zombie: it will write no more). */
static bool process_gone(__u32 pid)
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

static int tick(void *arg)
{
	struct ctx *c = arg;
	__u64 now = sample_now_ns();
	int err;

	/* Also drain here: a record can sit in a ring without a wakeup (perf
	 * watermark, BPF_RB_NO_WAKEUP); the tick makes the row complete. */
	if ((err = consume(c)))
		return err;
	print_row(c, (now - c->start_ns) / 1e9,
		  (c->events - c->last_events) / ((now - c->last_ns) / 1e9));
	c->last_ns = now;
	c->last_events = c->events;
	if (c->w)
		return writer_finished(c->w) ? 1 : 0;	/* its count is done: stop */
	if (process_gone(c->pid)) {
		c->gone = true;
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "mode", required_argument, NULL, 'm' },
		{ "pid", required_argument, NULL, 'p' },
		{ "pages", required_argument, NULL, 'P' },
		{ "bytes", required_argument, NULL, 'B' },
		{ "wakeup", required_argument, NULL, 'w' },
		{ "rate", required_argument, NULL, 'r' },
		{ "count", required_argument, NULL, 'n' },
		{ "duration", required_argument, NULL, 'd' },
		{ "interval", required_argument, NULL, 'I' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct sample_run_opts run = { .interval_ms = 1000 };
	struct writer writer = { .pid = -1, .ctl = -1 };
	unsigned long pages = DEFAULT_PAGES, rb_size = DEFAULT_RB;
	unsigned long rate = DEFAULT_RATE, count = DEFAULT_COUNT, v, pid = 0;
	bool verbose = false, pages_set = false, rb_set = false, demo_opts = false, mounted;
	unsigned long wakeup = 0;	/* index in wakeup_names = BPF_RB_* flag */
	bool wakeup_set = false;
	struct trace_output *skel = NULL;
	struct bpf_link *link = NULL;
	struct bpf_program *p;
	struct ctx c = { .mode = MODE_PERF };
	int opt, ncpus, err;

	while ((opt = getopt_long(argc, argv, ":m:p:P:B:w:r:n:d:I:vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'm':
			for (v = 0; v < 3 && strcmp(optarg, mode_names[v]); v++)
				;
			if (v == 3) {
				fprintf(stderr, "%s: unknown mode '%s' for -m: expected perf, ringbuf "
					"or ringbuf-output\n", prog, optarg);
				return 2;
			}
			c.mode = v;
			break;
		case 'p':
			if (sample_parse_uint(prog, 'p', optarg, 1, 4194304, &pid))
				return 2;
			break;
		case 'P':
			if (sample_parse_uint(prog, 'P', optarg, 1, MAX_PAGES, &pages))
				return 2;
			if (pages & (pages - 1)) {
				fprintf(stderr, "%s: invalid page count '%s' for -P: must be a power "
					"of 2 (1, 2, 4 ... %d)\n", prog, optarg, MAX_PAGES);
				return 2;
			}
			pages_set = true;
			break;
		case 'B':
			if (parse_rb_size(optarg, &rb_size))
				return 2;
			rb_set = true;
			break;
		case 'w':
			for (wakeup = 0; wakeup < 3 && strcmp(optarg, wakeup_names[wakeup]); wakeup++)
				;
			if (wakeup == 3) {
				fprintf(stderr, "%s: unknown wakeup '%s' for -w: expected adaptive, none "
					"or force\n", prog, optarg);
				return 2;
			}
			wakeup_set = true;
			break;
		case 'r':
			if (sample_parse_uint(prog, 'r', optarg, 1, 1000000, &rate))
				return 2;
			demo_opts = true;
			break;
		case 'n':
			if (sample_parse_uint(prog, 'n', optarg, 1, 1000000000, &count))
				return 2;
			demo_opts = true;
			break;
		case 'd':
			if (sample_parse_uint(prog, 'd', optarg, 1, 86400, &v))
				return 2;
			run.duration_s = v;
			break;
		case 'I':
			if (sample_parse_interval(prog, optarg, &run.interval_ms))
				return 2;
			break;
		case 'v':
			verbose = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return sample_getopt_error(prog, opt, argv);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s' (see -h)\n", prog, argv[optind]);
		return 2;
	}
	if (pages_set && c.mode != MODE_PERF) {
		fprintf(stderr, "%s: -P sets the perf ring size; for -m %s use -B BYTES\n",
			prog, mode_names[c.mode]);
		return 2;
	}
	if (rb_set && c.mode == MODE_PERF) {
		fprintf(stderr, "%s: -B sets the ring buffer size; for -m perf use -P PAGES "
			"(or choose -m ringbuf)\n", prog);
		return 2;
	}
	if (wakeup_set && c.mode == MODE_PERF) {
		fprintf(stderr, "%s: -w sets the ring buffer's wakeup flags; the perf buffer wakes "
			"the reader after every record (choose -m ringbuf)\n", prog);
		return 2;
	}
	if (pid && demo_opts) {
		fprintf(stderr, "%s: -r and -n set the demo writer, which -p replaces\n", prog);
		return 2;
	}

	if ((err = sample_init(verbose)) || (err = sample_check_privileges(prog)))
		return 1;

	/* 1. What to watch: another process, or a demo writer of our own. */
	if (pid && kill(pid, 0) && errno == ESRCH) {
		fprintf(stderr, "%s: no process with pid %lu (see 'ps -e'); leave out -p to "
			"watch a demo writer\n", prog, pid);
		return 1;
	}
	if ((err = sample_tracefs_ensure("syscalls/sys_enter_write", &mounted))) {
		fprintf(stderr, "%s: tracepoint syscalls/sys_enter_write not available: %s "
			"(needs tracefs and a kernel with CONFIG_FTRACE_SYSCALLS)\n",
			prog, sample_strerror(err));
		return 1;
	}
	if (mounted && verbose)
		fprintf(stderr, "%s: tracefs was not mounted: mounted it at " SAMPLE_TRACEFS_DIR
			" in a private mount namespace (only this process sees it)\n", prog);
	if (!pid) {
		/* Forked before anything is loaded, so the child holds no BPF
		 * object; it waits for writer_go() before its first write. */
		if ((err = writer_start(&writer, rate, count))) {
			fprintf(stderr, "%s: starting the demo writer failed: %s\n", prog,
				sample_strerror(err));
			goto cleanup;
		}
		pid = writer.pid;
		c.w = &writer;
	}
	c.pid = pid;
	if (getrandom(&c.cookie, sizeof(c.cookie), 0) != sizeof(c.cookie))
		c.cookie = sample_now_ns() ^ ((__u64)getpid() << 32);
	c.cookie |= 1;	/* never 0, the value of a zeroed record */

	/* 2. Open, set rodata and sizes, keep only this mode's program, load. */
	skel = trace_output__open();
	if (!skel) {
		err = -errno;
		fprintf(stderr, "%s: opening the BPF object failed: %s\n", prog, sample_strerror(err));
		goto cleanup;
	}
	skel->rodata->target_tgid = c.pid;
	skel->rodata->cookie = c.cookie;
	skel->rodata->rb_wakeup = wakeup;	/* 0, BPF_RB_NO_WAKEUP, BPF_RB_FORCE_WAKEUP */
	bpf_program__set_autoload(skel->progs.write_perf, c.mode == MODE_PERF);
	bpf_program__set_autoload(skel->progs.write_ringbuf, c.mode == MODE_RINGBUF);
	bpf_program__set_autoload(skel->progs.write_rb_output, c.mode == MODE_RB_OUTPUT);
	/* The map of the other mode still exists; keep it at its minimum. */
	bpf_map__set_max_entries(skel->maps.ringbuf,
				 c.mode == MODE_PERF ? (unsigned long)sysconf(_SC_PAGESIZE) : rb_size);
	if ((err = trace_output__load(skel))) {
		fprintf(stderr, "%s: loading the BPF object failed: %s%s\n", prog,
			sample_strerror(err), verbose ? "" : " (run with -v for libbpf's log)");
		goto cleanup;
	}
	c.skel = skel;

	/* 3. The consumer first, so that no record finds its ring missing (for
	 * perf, perf_buffer__new() opens one perf event per CPU and stores its
	 * fd in the map: without it bpf_perf_event_output() fails). */
	ncpus = libbpf_num_possible_cpus();
	if (c.mode == MODE_PERF) {
		c.pb = perf_buffer__new(bpf_map__fd(skel->maps.perf_events), pages,
					perf_sample, perf_lost, &c, NULL);
		err = c.pb ? 0 : -errno;
	} else {
		c.rb = ring_buffer__new(bpf_map__fd(skel->maps.ringbuf), rb_sample, &c, NULL);
		err = c.rb ? 0 : -errno;
	}
	if (err) {
		fprintf(stderr, "%s: creating the %s consumer failed: %s\n", prog,
			mode_names[c.mode], sample_strerror(err));
		goto cleanup;
	}

	/* 4. Attach: a perf-event-based bpf_link, gone with the process. */
	p = c.mode == MODE_PERF ? skel->progs.write_perf :
	    c.mode == MODE_RINGBUF ? skel->progs.write_ringbuf : skel->progs.write_rb_output;
	link = bpf_program__attach(p);
	if (!link) {
		err = -errno;
		fprintf(stderr, "%s: attaching to tracepoint syscalls/sys_enter_write failed: %s\n",
			prog, sample_strerror(err));
		goto cleanup;
	}

	/* 5. Run. */
	if (c.mode == MODE_PERF)
		printf("Tracing write() of pid %u through a BPF_MAP_TYPE_PERF_EVENT_ARRAY: "
		       "%lu pages x %d CPUs = %lu KiB\n", c.pid, pages, ncpus,
		       pages * ncpus * sysconf(_SC_PAGESIZE) / 1024);
	else
		printf("Tracing write() of pid %u through a BPF_MAP_TYPE_RINGBUF (%s): %lu KiB "
		       "shared by %d CPUs, wakeup %s\n", c.pid, c.mode == MODE_RINGBUF ?
		       "bpf_ringbuf_reserve/submit" : "bpf_ringbuf_output", rb_size / 1024, ncpus,
		       wakeup_names[wakeup]);
	if (c.w)
		printf("demo writer: pid %u, %lu writes/s of %d bytes to /dev/null, at most %lu\n",
		       c.pid, rate, WRITER_LEN, count);
	printf("%7s %12s %10s %10s %10s %10s %14s\n", "time", "events", "events/s", "lost",
	       "reordered", "wakeups", "bytes");
	fflush(stdout);
	c.start_ns = c.last_ns = sample_now_ns();
	if (c.w && (err = writer_go(c.w))) {
		fprintf(stderr, "%s: starting the demo writer failed: %s\n", prog,
			sample_strerror(err));
		goto cleanup;
	}
	run.tick = tick;
	run.extra_fd = c.pb ? perf_buffer__epoll_fd(c.pb) : ring_buffer__epoll_fd(c.rb);
	run.on_extra = on_wakeup;
	run.ctx = &c;
	err = sample_run(&run);

	/* 6. Summary: stop the writer first so its count is final, then drain
	 * what is still in the rings. */
	if (c.w)
		writer_stop(c.w);
	if (!err)
		err = consume(&c);
	if (!err) {
		__u64 now = sample_now_ns(), matched = skel->bss->matched;
		__u64 failed = skel->bss->output_failed;
		char b[4][SAMPLE_FMT_LEN];

		printf("final:\n");
		print_row(&c, (now - c.start_ns) / 1e9, c.events / ((now - c.start_ns) / 1e9));
		if (c.w)
			printf("demo writer: %s writes; ", sample_fmt_u64(b[0], SAMPLE_FMT_LEN,
									  writer_writes(c.w)));
		else
			printf("pid %u%s: ", c.pid, c.gone ? " (exited)" : "");
		printf("the program saw %s writes, %s records did not fit; received %s + lost %s\n",
		       sample_fmt_u64(b[1], SAMPLE_FMT_LEN, matched),
		       sample_fmt_u64(b[2], SAMPLE_FMT_LEN, failed),
		       sample_fmt_u64(b[3], SAMPLE_FMT_LEN, c.events),
		       sample_fmt_u64(b[0], SAMPLE_FMT_LEN, lost(&c)));
		if (c.mode == MODE_PERF && failed > c.lost_reported)
			printf("note: perf reports a lost record only with the next record that "
			       "fits in that CPU's ring: %llu not reported yet\n",
			       (unsigned long long)(failed - c.lost_reported));
		fflush(stdout);
	}

cleanup:
	writer_stop(&writer);
	bpf_link__destroy(link);
	perf_buffer__free(c.pb);
	ring_buffer__free(c.rb);
	trace_output__destroy(skel);
	return err ? 1 : 0;
}
