// SPDX-License-Identifier: GPL-2.0
/*
 * bench/events - row 2 of `make bench` (bench/README.md): event delivery, one
 * producer and one consumer, BPF_MAP_TYPE_RINGBUF vs PERF_EVENT_ARRAY.
 *
 * The producer is events_kern.c's XDP program, run on CPU 0 by
 * BPF_PROG_TEST_RUN with repeat = N / EVENTS_BURST: N records of
 * trace_output's layout in bursts of EVENTS_BURST, as fast as the CPU can
 * make them. The consumer is a thread on CPU 1 that sleeps
 * in ring_buffer__poll() / perf_buffer__poll() (epoll, no busy polling), the
 * way trace_output reads, and checks every record (cookie, increasing seq).
 * Rate = records received / (first record made .. last record read). A record
 * that did not fit is lost; the bench checks received + lost == N exactly.
 *
 * Run: sudo build/bench/events [--quick] [--pairs N]
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "../benchlib.h"
#include "trace_output/trace_output.h"
#include "events.h"
#include "events.skel.h"

static const char *prog = "events";

#define EVENTS_N (500 * EVENTS_BURST)	/* records per perf run (~10 us each here) */
#define EVENTS_BEST_OF 3
/* The ring buffer gets RB_FACTOR times the records, so that both sides of a
 * pair last long enough (~0.2 s and ~0.3 s per run here) for a stray interrupt or a
 * descheduled reader not to decide the result; rates compare as they are. */
#define RB_FACTOR 16
#define PERF_PAGES 64		/* trace_output's default: 256 KiB per CPU, as its ring buffer */

struct consumer {
	struct events *skel;
	struct ring_buffer *rb;
	struct perf_buffer *pb;
	__u64 cookie;
	__u64 n;			/* records this measurement produces */
	__u64 failed0;			/* skel->bss->failed before it */
	__u64 received, bad, lost_reported;
	__s64 last_seq;
	atomic_bool producer_done;
	int epfd;			/* the reader's epoll: the buffer's fd + done_fd */
	int done_fd;			/* eventfd: the producer has finished */
	double end;
	int err;
};

static void check_record(struct consumer *c, const void *data, size_t size)
{
	const struct write_event *e = data;

	if (size < sizeof(*e) || e->cookie != c->cookie || (__s64)e->seq <= c->last_seq) {
		c->bad++;
		return;
	}
	c->last_seq = e->seq;
	c->received++;
}

static int on_rb(void *ctx, void *data, size_t size)
{
	check_record(ctx, data, size);
	return 0;
}

static void on_perf(void *ctx, int cpu, void *data, __u32 size)
{
	check_record(ctx, data, size);
}

static void on_lost(void *ctx, int cpu, __u64 lost)
{
	((struct consumer *)ctx)->lost_reported += lost;
}

static bool finished(struct consumer *c)
{
	/* Once the producer is done, `failed` no longer moves. */
	return atomic_load(&c->producer_done) &&
	       c->received + c->bad + (c->skel->bss->failed - c->failed0) >= c->n;
}

/*
 * The reader, as trace_output reads: sleep in epoll_wait() on the buffer's
 * epoll fd, then consume everything that is there. The eventfd `done` wakes it
 * when the producer has finished, so the last records are read at once and
 * no poll timeout ends up in the measured time.
 */
static void *consumer_thread(void *arg)
{
	struct consumer *c = arg;
	struct epoll_event ev[2];
	double done_at = 0;
	int n, err;

	c->err = bench_pin(1);
	while (!c->err) {
		n = epoll_wait(c->epfd, ev, 2, 1000);
		if (n < 0 && errno != EINTR) {
			c->err = -errno;
			break;
		}
		/* Whichever fd woke us (the buffer or done_fd): read what is there. */
		err = c->rb ? ring_buffer__consume(c->rb) : perf_buffer__consume(c->pb);
		if (err < 0) {
			c->err = err;
			break;
		}
		if (finished(c))
			break;
		if (atomic_load(&c->producer_done)) {
			/* Everything made is in the ring by now: a record that
			 * never shows up must not hang the bench. */
			if (!done_at)
				done_at = bench_now();
			else if (bench_now() - done_at > 5) {
				c->err = -ETIMEDOUT;
				break;
			}
		}
	}
	c->end = bench_now();
	return NULL;
}

/* One measurement: N records through the ring buffer (rb) or perf (pb).
 * Returns received records/s, and the lost records in *lost. */
static double measure(struct consumer *c, bool ringbuf, __u64 n, __u64 *lost)
{
	unsigned char pkt[64] = { 0 };
	struct bpf_program *p = ringbuf ? c->skel->progs.emit_ringbuf : c->skel->progs.emit_perf;
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .data_size_in = sizeof(pkt),
		    .repeat = n / EVENTS_BURST);
	__u64 produced0 = c->skel->bss->produced;
	bool setup_failed = false;
	pthread_attr_t attr;
	cpu_set_t cpus;
	pthread_t th;
	double start;
	int err = 0;

	c->rb = NULL;
	c->pb = NULL;
	if (ringbuf)
		c->rb = ring_buffer__new(bpf_map__fd(c->skel->maps.ringbuf), on_rb, c, NULL);
	else
		c->pb = perf_buffer__new(bpf_map__fd(c->skel->maps.perf_events), PERF_PAGES,
					 on_perf, on_lost, c, NULL);
	if (!c->rb && !c->pb) {
		fprintf(stderr, "%s: cannot create the %s consumer: %s\n", prog,
			ringbuf ? "ring buffer" : "perf buffer", sample_strerror(-errno));
		return -1;
	}
	c->done_fd = -1;
	c->epfd = epoll_create1(EPOLL_CLOEXEC);
	c->done_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (c->epfd < 0 || c->done_fd < 0 ||
	    epoll_ctl(c->epfd, EPOLL_CTL_ADD, c->done_fd,
		      &(struct epoll_event){ .events = EPOLLIN, .data.fd = c->done_fd }) ||
	    epoll_ctl(c->epfd, EPOLL_CTL_ADD,
		      ringbuf ? ring_buffer__epoll_fd(c->rb) : perf_buffer__epoll_fd(c->pb),
		      &(struct epoll_event){ .events = EPOLLIN, .data.fd = -1 })) {
		fprintf(stderr, "%s: epoll/eventfd: %s\n", prog, sample_strerror(-errno));
		setup_failed = true;
		goto out;
	}
	c->n = n;
	c->failed0 = c->skel->bss->failed;
	c->received = c->bad = c->lost_reported = 0;
	c->last_seq = (__s64)produced0 - 1;
	c->err = 0;
	atomic_store(&c->producer_done, false);
	/* Born on CPU 1: the producer thread runs SCHED_FIFO on CPU 0 and the
	 * reader inherits that, so it must never need CPU 0 to get going. */
	CPU_ZERO(&cpus);
	CPU_SET(1, &cpus);
	pthread_attr_init(&attr);
	pthread_attr_setaffinity_np(&attr, sizeof(cpus), &cpus);
	err = pthread_create(&th, &attr, consumer_thread, c);
	pthread_attr_destroy(&attr);
	if (err) {
		err = 0;
		fprintf(stderr, "%s: pthread_create failed\n", prog);
		setup_failed = true;
		goto out;
	}
	usleep(10000);		/* let the consumer reach its first poll */
	start = bench_now();
	err = bpf_prog_test_run_opts(bpf_program__fd(p), &opts) ? -errno : 0;
	atomic_store(&c->producer_done, true);
	if (write(c->done_fd, &(__u64){ 1 }, sizeof(__u64)) != sizeof(__u64))
		c->err = -errno;
	pthread_join(th, NULL);
out:
	if (c->epfd >= 0)
		close(c->epfd);
	if (c->done_fd >= 0)
		close(c->done_fd);
	ring_buffer__free(c->rb);
	perf_buffer__free(c->pb);
	if (setup_failed)
		return -1;
	if (err || c->err) {
		fprintf(stderr, "%s: %s: %s\n", prog, err ? "test run" : "consumer",
			sample_strerror(err ?: c->err));
		return -1;
	}
	*lost = c->skel->bss->failed - c->failed0;
	if (c->skel->bss->produced - produced0 != n || c->bad ||
	    c->received + *lost != n) {
		fprintf(stderr, "%s: %s: produced %llu, received %llu, lost %llu, bad %llu: they do not add up to %llu\n",
			prog, ringbuf ? "ringbuf" : "perf",
			(unsigned long long)(c->skel->bss->produced - produced0),
			(unsigned long long)c->received, (unsigned long long)*lost,
			(unsigned long long)c->bad, (unsigned long long)n);
		return -1;
	}
	return c->received / (c->end - start);
}

int main(int argc, char **argv)
{
	struct consumer c = { 0 };
	struct bench_pairs p = { 0 };
	__u64 n, lost, lost_a = 0, lost_b = 0, runs;
	char note[256];
	struct bench_args a;
	int i, j, ret = 1;

	if (bench_parse(argc, argv, &a))
		return 2;
	free(a.what);
	sample_init(false);
	if (geteuid() != 0) {
		fprintf(stderr, "%s: needs root (BPF_PROG_TEST_RUN, perf events): run sudo make bench\n",
			prog);
		return 1;
	}
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2) {
		fprintf(stderr, "%s: needs two online CPUs (producer and consumer)\n", prog);
		return 1;
	}
	n = a.quick ? EVENTS_N / 4 : EVENTS_N;	/* both multiples of EVENTS_BURST */
	c.skel = events__open();
	if (!c.skel) {
		fprintf(stderr, "%s: cannot open the skeleton: %s\n", prog, sample_strerror(-errno));
		return 1;
	}
	if (getrandom(&c.cookie, sizeof(c.cookie), 0) != sizeof(c.cookie))
		c.cookie = 0x6576656e7473ull;
	c.skel->rodata->cookie = c.cookie;
	if (events__load(c.skel)) {
		fprintf(stderr, "%s: cannot load the producer: %s\n", prog, sample_strerror(-errno));
		goto out;
	}
	bench_pin(0);		/* the producer: BPF_PROG_TEST_RUN runs on the calling CPU */
	if (bench_realtime())
		fprintf(stderr, "%s: SCHED_FIFO refused: other tasks may disturb the measurement\n",
			prog);
	/* A measurement is the fastest of EVENTS_BEST_OF runs: noise (another
	 * VM taking a vCPU, interrupts of other work) only ever slows a run,
	 * so the fastest run is the one it touched least. Losses are counted
	 * over all runs. */
	for (i = 0; i < a.pairs; i++) {
		double ra = 0, rb = 0, x;

		for (j = 0; j < EVENTS_BEST_OF; j++) {
			for (int k = 0; k < 2; k++) {
				if (bench_is_a(i, k)) {
					x = measure(&c, true, RB_FACTOR * n, &lost);
					if (getenv("BENCH_DEBUG"))
						fprintf(stderr, "  rb %.3f lost %llu\n", x / 1e6,
							(unsigned long long)lost);
					if (x < 0)
						goto out;
					ra = x > ra ? x : ra;
					lost_a += lost;
				} else {
					x = measure(&c, false, n, &lost);
					if (x < 0)
						goto out;
					rb = x > rb ? x : rb;
					lost_b += lost;
				}
			}
		}
		if (getenv("BENCH_DEBUG"))
			fprintf(stderr, "pair %d: A %.3f B %.4f Mevents/s\n", i, ra / 1e6, rb / 1e6);
		bench_add(&p, ra / 1e6, rb / 1e6);
	}
	runs = (__u64)a.pairs * EVENTS_BEST_OF;
	snprintf(note, sizeof(note),
		 "best of %d runs of %lluk (A) and %lluk (B) records in bursts of %d, 256 KiB rings, epoll reader; lost A %.1f%% B %.1f%% of all runs, rate counts received only; A should win",
		 EVENTS_BEST_OF, (unsigned long long)RB_FACTOR * n / 1000,
		 (unsigned long long)n / 1000, EVENTS_BURST,
		 100.0 * lost_a / (runs * RB_FACTOR * n), 100.0 * lost_b / (runs * n));
	bench_row("events", "event delivery, 1 producer 1 consumer (trace_output layout)",
		  "RINGBUF (reserve/submit)", "PERF_EVENT_ARRAY", "Mevents/s", true, &p,
		  "13x or more in the ring buffer's introduction", note);
	ret = 0;
out:
	events__destroy(c.skel);
	return ret;
}
