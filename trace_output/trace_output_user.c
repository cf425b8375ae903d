// SPDX-License-Identifier: GPL-2.0
/*
 * trace_output - stream events from a tracepoint to user space through a
 * BPF_MAP_TYPE_PERF_EVENT_ARRAY (per-CPU perf rings) or a BPF_MAP_TYPE_RINGBUF
 * (one ring shared by all CPUs), and see what each delivers, loses and costs.
 *
 * A program on syscalls/sys_enter_write emits one record {pid, cookie, count,
 * seq, cpu, ...} per write() of one process. User space checks every record
 * and prints per interval the events received, events/s, records lost, records
 * out of order and its wakeups, in the same columns for the three modes:
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
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "trace_output.h"
#include "trace_output_demo.h" /* demo */
#include "trace_output_cli.h"
#include "trace_output.skel.h"

static const struct sample_cli cli = {
	.name = "trace_output",
	.about = "Stream one record per write() of a process through a perf event array or a\n"
		 "BPF ring buffer, and count what arrives, what is lost and how often it wakes up.",
	.demo = "Without -p: a demo writer of its own, a child that writes 64 bytes to /dev/null\n" /* demo */
		"1,000 times a second (-r, -n), watched until it is done.", /* demo */
	.options = trace_output_options,
	.examples = "sudo ./trace_output -p $(pidof rsyslogd)"
		    "        sudo ./trace_output -m ringbuf -d 5", /* demo */
};

/* What user space received, and what every record is checked against. */
struct reader {
	struct perf_buffer *pb; /* -m perf */
	struct ring_buffer *rb; /* -m ringbuf, -m ringbuf-output */
	__u32 pid;
	__u64 cookie;
	__u64 events, bytes, lost_reported, reordered, wakeups, max_seq;
	int err; /* the first bad record stops the run */
	__u64 start_ns, row_ns, row_events; /* for the rows' events/s */
};

/* Every record, whichever way it came: checked, counted, and compared by seq
 * with the newest so far (seq is handed out in the order the program ran, over
 * all CPUs: a lower one arrived out of that order). */
static int on_record(struct reader *r, const void *data, size_t size)
{
	struct write_event e;
	int err = trace_output_record_copy(&e, data, size, r->pid, r->cookie);

	if (err)
		return err;
	r->events++;
	r->bytes += e.count;
	if (e.seq < r->max_seq)
		r->reordered++;
	else
		r->max_seq = e.seq;
	return 0;
}

/* perf_buffer callbacks: one call per record, and one per PERF_RECORD_LOST
 * (cnt records that did not fit in that CPU's ring). */
static void perf_sample(void *arg, int cpu, void *data, __u32 size)
{
	struct reader *r = arg;

	if (!r->err)
		r->err = on_record(r, data, size);
}

static void perf_lost(void *arg, int cpu, __u64 cnt)
{
	((struct reader *)arg)->lost_reported += cnt;
}

/* ring_buffer callback: returning an error stops ring_buffer__consume(). */
static int rb_sample(void *arg, void *data, size_t size)
{
	return on_record(arg, data, size);
}

/* Drain every ring, without waiting. Not perf_buffer__poll(pb, 0) after the
 * loop's own poll() of the epoll fd: a perf fd answers "ready" once per wakeup,
 * the outer poll() took that answer, and the records would wait for a tick. */
static int consume(struct reader *r)
{
	int n = r->pb ? perf_buffer__consume(r->pb) : ring_buffer__consume(r->rb);

	if (r->err)
		return r->err; /* on_record() said why */
	if (n < 0 && n != -EINTR) {
		fprintf(stderr, "trace_output: reading the buffer failed: %s\n",
			sample_strerror(n));
		return n;
	}
	return 0;
}

/* One row; events/s since the last row, or on the final row over the run.
 * Lost as the mode can know it: perf tells user space through PERF_RECORD_LOST;
 * the ring buffer keeps no count, so the program counts its failures in .bss. */
static void print_row(struct reader *r, const struct trace_output *skel, bool final)
{
	__u64 now = sample_now_ns(), since = final ? r->start_ns : r->row_ns;
	double rate = (r->events - (final ? 0 : r->row_events)) / ((now - since) / 1e9);
	__u64 lost = r->pb ? r->lost_reported : skel->bss->output_failed;
	char b[5][SAMPLE_FMT_LEN];

	r->row_ns = now;
	r->row_events = r->events;
	printf("%s%7.1f %12s %10.0f %10s %10s %10s %14s\n", final ? "final:\n" : "",
	       (now - r->start_ns) / 1e9, sample_fmt_u64(b[0], SAMPLE_FMT_LEN, r->events), rate,
	       sample_fmt_u64(b[1], SAMPLE_FMT_LEN, lost),
	       sample_fmt_u64(b[2], SAMPLE_FMT_LEN, r->reordered),
	       sample_fmt_u64(b[3], SAMPLE_FMT_LEN, r->wakeups),
	       sample_fmt_u64(b[4], SAMPLE_FMT_LEN, r->bytes));
	fflush(stdout);
}

/* The consumer of the chosen mode: perf_buffer__new() opens one perf event per
 * CPU and stores its fd in the map (without it bpf_perf_event_output() fails);
 * ring_buffer__new() maps the shared ring. 0 or -errno after one line. */
static int open_consumer(struct reader *r, struct trace_output *skel, const struct trace_opts *t)
{
	int err;

	if (t->mode == MODE_PERF)
		r->pb = perf_buffer__new(bpf_map__fd(skel->maps.perf_events), t->pages, perf_sample,
					 perf_lost, r, NULL);
	else
		r->rb = ring_buffer__new(bpf_map__fd(skel->maps.ringbuf), rb_sample, r, NULL);
	if (r->pb || r->rb)
		return 0;
	err = -errno;
	fprintf(stderr, "trace_output: creating the %s consumer failed: %s\n",
		trace_output_mode_names[t->mode], sample_strerror(err));
	return err;
}

int main(int argc, char **argv)
{
	struct trace_output_demo demo = TRACE_OUTPUT_DEMO_INIT; /* demo */
	struct sample_loop loop = SAMPLE_LOOP_INIT;
	struct trace_opts t = TRACE_OPTS_INIT;
	struct sample_opts o = {};
	struct trace_output *skel = NULL;
	struct bpf_program *progs[3];
	struct bpf_link *link = NULL;
	struct trace_totals totals = {};
	struct reader r = {};
	bool gone = false;
	int opt, err, ev, epoll_fd;
	char who[64];

	while ((opt = sample_getopt(&cli, argc, argv, &o)) != -1) {
		err = trace_output_opts_parse(&t, opt, optarg);
		if (err)
			return 2;
	}

	/* libbpf's warnings on stderr (its debug log too with -v); SIGINT and
	 * SIGTERM wait, blocked, for sample_wait()'s signalfd from here on, so one
	 * that comes during setup still ends the run through cleanup; a closed
	 * peer or stdout (| head) gives EPIPE instead of killing the process. */
	libbpf_set_print(o.verbose ? sample_print_all : sample_print_warnings);
	sample_block_stop_signals();
	signal(SIGPIPE, SIG_IGN);
	/* Without the demo (make new BARE=1), -p is what there is to watch. */
	if (!t.pid && !cli.demo) {
		fprintf(stderr, "%s: -p PID is required (see -h)\n", o.prog);
		return 2;
	}
	err = trace_output_opts_check(&t, o.verbose); /* and the -p process, tracefs */
	if (err)
		return err;

	/* 1. What to watch: process -p, or a demo writer of our own, forked
	 *    before anything is loaded (it waits for its start to write). */
	if (!t.pid) /* demo */
		err = trace_output_demo_open(&demo, t.rate, t.count, &t.pid); /* demo */
	if (err) /* demo */
		goto cleanup; /* demo */
	r.pid = t.pid;
	r.cookie = trace_output_run_cookie(); /* every record carries it */

	/* 2. Open, set rodata and sizes, keep only this mode's program, load. */
	skel = trace_output__open();
	if (!skel) {
		err = sample_load_failed(&o, -errno);
		goto cleanup;
	}
	skel->rodata->target_tgid = r.pid;
	skel->rodata->cookie = r.cookie;
	skel->rodata->rb_wakeup = t.wakeup; /* 0, BPF_RB_NO_WAKEUP, BPF_RB_FORCE_WAKEUP */
	progs[MODE_PERF] = skel->progs.write_perf;
	progs[MODE_RINGBUF] = skel->progs.write_ringbuf;
	progs[MODE_RB_OUTPUT] = skel->progs.write_rb_output;
	for (int i = 0; i < 3; i++)
		bpf_program__set_autoload(progs[i], i == (int)t.mode);
	/* The map of the other mode still exists; keep it at its minimum. */
	if (t.mode == MODE_PERF)
		bpf_map__set_max_entries(skel->maps.ringbuf, sysconf(_SC_PAGESIZE));
	else
		bpf_map__set_max_entries(skel->maps.ringbuf, t.rb_size);
	err = trace_output__load(skel);
	if (err) {
		err = sample_load_failed(&o, err);
		goto cleanup;
	}

	/* 3. The consumer first, so that no record finds its ring missing. */
	err = open_consumer(&r, skel, &t);
	if (err)
		goto cleanup;

	/* 4. Attach the one program that was loaded to the tracepoint: a
	 *    perf-event-based bpf_link, gone with the process. */
	link = bpf_program__attach_tracepoint(progs[t.mode], "syscalls", "sys_enter_write");
	if (!link) {
		err = -errno;
		fprintf(stderr,
			"trace_output: attaching to tracepoint syscalls/sys_enter_write "
			"failed: %s\n",
			sample_strerror(err));
		goto cleanup;
	}

	/* 5. Run: a row per tick; between ticks, drain whenever the kernel wakes
	 *    us up (SAMPLE_READY: the buffer's epoll fd is readable). */
	trace_output_print_header(&t, r.pid);
	if (demo.open) /* demo */
		trace_output_demo_print(&demo); /* demo */
	printf("%7s %12s %10s %10s %10s %10s %14s\n", "time", "events", "events/s", "lost",
	       "reordered", "wakeups", "bytes");
	fflush(stdout);
	r.start_ns = sample_now_ns();
	r.row_ns = r.start_ns;
	if (demo.open) /* demo */
		err = trace_output_demo_start(&demo); /* demo */
	if (err) /* demo */
		goto cleanup; /* demo */
	if (r.pb)
		epoll_fd = perf_buffer__epoll_fd(r.pb);
	else
		epoll_fd = ring_buffer__epoll_fd(r.rb);
	err = sample_loop_open(&loop, &o, epoll_fd);
	if (err)
		goto cleanup;
	while ((ev = sample_wait(&loop)) > 0) {
		if (ev == SAMPLE_READY)
			r.wakeups++;
		/* At a tick, drain too: a record can sit in a ring without a
		 * wakeup (BPF_RB_NO_WAKEUP); the tick makes the row complete. */
		err = consume(&r);
		if (err)
			goto cleanup;
		if (ev != SAMPLE_TICK)
			continue;
		print_row(&r, skel, false);
		gone = trace_output_pid_gone(r.pid); /* -p exited, or the writer is done */
		if (gone)
			break;
	}
	if (ev < 0) {
		err = ev;
		goto cleanup;
	}

	/* 6. Summary: stop the writer first so that its count is final, then
	 *    drain what is still in the rings. */
	trace_output_demo_close(&demo); /* demo */
	err = consume(&r);
	if (err)
		goto cleanup;
	print_row(&r, skel, true);
	snprintf(who, sizeof(who), "pid %u%s: ", r.pid, gone ? " (exited)" : "");
	trace_output_demo_who(&demo, who, sizeof(who)); /* demo */
	totals.seen = skel->bss->matched;
	totals.not_fit = skel->bss->output_failed;
	totals.received = r.events;
	totals.perf = r.pb;
	totals.lost_reported = r.lost_reported;
	trace_output_print_summary(who, &totals);

cleanup:
	sample_loop_close(&loop);
	trace_output_demo_close(&demo); /* demo */
	bpf_link__destroy(link);
	perf_buffer__free(r.pb);
	ring_buffer__free(r.rb);
	trace_output__destroy(skel);
	return err ? 1 : 0;
}
