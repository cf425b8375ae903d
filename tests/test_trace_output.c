// SPDX-License-Identifier: GPL-2.0
/*
 * trace_output: every write() of a watched child arrives exactly once, with its
 * pid, cookie and count, in each of the three modes; a burst into an undersized
 * buffer loses records and the accounting still adds up (received + lost =
 * sent); the ring buffer's size rules are the kernel's.
 *
 * The child is forked first and waits on a pipe, so its pid can go into
 * rodata before load and its first write happens after the program is
 * attached and the consumer exists. The test does not read the buffers while
 * the child writes: it waits for the program's own counter to reach the
 * number of writes, and only then drains. What fits in the buffer is therefore
 * decided by the buffer's size alone, which makes the loss test deterministic.
 */
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "harness.h"
#include "sample.h"
#include "trace_output.h"
#include "trace_output.skel.h"
#include "tracefs.h"

enum mode { PERF, RINGBUF, RB_OUTPUT };

#define COOKIE		0x7ace0b7e5eed0001ull
#define FLUSH_COUNT	4000	/* count of the one write after the burst */

/* The i-th write asks for (i % 100) + 1 bytes: the count field is checked. */
static __u64 write_len(__u64 i)
{
	return i % 100 + 1;
}

struct child {
	pid_t pid;
	int go;		/* first byte: start the n writes */
	int flush;	/* first byte: one more write of FLUSH_COUNT bytes; EOF: exit */
};

/* Fork a child that makes exactly n write() calls to /dev/null when told, then
 * optionally one more, and no other write at all (hence _exit, no stdio). */
static int child_start(struct child *ch, int cpu, unsigned int n)
{
	static char buf[FLUSH_COUNT];
	int go[2], flush[2];
	pid_t parent = getpid();

	if (pipe2(go, O_CLOEXEC) || pipe2(flush, O_CLOEXEC))
		return -errno;
	ch->pid = fork();
	if (ch->pid < 0)
		return -errno;
	if (ch->pid == 0) {
		int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
		char b;

		close(go[1]);
		close(flush[1]);
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent || fd < 0)
			_exit(1);
		if (cpu >= 0) {
			cpu_set_t set;

			CPU_ZERO(&set);
			CPU_SET(cpu, &set);
			if (sched_setaffinity(0, sizeof(set), &set))
				_exit(1);
		}
		if (read(go[0], &b, 1) != 1)
			_exit(1);
		for (unsigned int i = 0; i < n; i++)
			if (write(fd, buf, write_len(i)) != (ssize_t)write_len(i))
				_exit(1);
		if (read(flush[0], &b, 1) == 1 && write(fd, buf, FLUSH_COUNT) != FLUSH_COUNT)
			_exit(1);
		_exit(0);
	}
	close(go[0]);
	close(flush[0]);
	ch->go = go[1];
	ch->flush = flush[1];
	return 0;
}

/* Exit status of the child (reaped), or -1; kills it after 5 s. */
static int child_wait(struct child *ch)
{
	int status;

	if (ch->go >= 0)
		close(ch->go);
	if (ch->flush >= 0)
		close(ch->flush);
	ch->go = ch->flush = -1;
	for (int i = 0; i < 500; i++) {
		if (waitpid(ch->pid, &status, WNOHANG) == ch->pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		usleep(10000);
	}
	kill(ch->pid, SIGKILL);
	waitpid(ch->pid, NULL, 0);
	return -1;
}

struct rx {
	__u32 pid;
	__u64 events, bytes, bad, wrong_cpu, lost_reported, dup, out_of_range;
	__u64 size;		/* the size the callback was given, last record */
	__u64 n;		/* seq values 0..n are tracked (n = the flush write) */
	unsigned char *seen;	/* seen[seq] = times received */
};

static void on_event(struct rx *r, const struct write_event *e, size_t size)
{
	r->size = size;
	if (size < sizeof(*e) || e->cookie != COOKIE || e->pid != r->pid) {
		r->bad++;
		return;
	}
	r->events++;
	r->bytes += e->count;
	if (e->seq > r->n)
		r->out_of_range++;
	else if (r->seen[e->seq]++)
		r->dup++;
}

static void perf_cb(void *ctx, int cpu, void *data, __u32 size)
{
	struct rx *r = ctx;

	on_event(r, data, size);
	if (size >= sizeof(struct write_event) && ((struct write_event *)data)->cpu != (__u32)cpu)
		r->wrong_cpu++;	/* BPF_F_CURRENT_CPU: the record is in its CPU's ring */
}

static void perf_lost_cb(void *ctx, int cpu, __u64 cnt)
{
	((struct rx *)ctx)->lost_reported += cnt;
}

static int rb_cb(void *ctx, void *data, size_t size)
{
	on_event(ctx, data, size);
	return 0;
}

struct run {
	struct trace_output *skel;
	struct perf_buffer *pb;
	struct ring_buffer *rb;
	struct bpf_link *link;
	struct child ch;
	struct rx rx;
};

/* The ring buffer's wakeup flags for the next run_setup(). */
static __u64 rb_wakeup;

/* Child forked, object loaded for its pid, consumer created, program
 * attached. size: perf pages per CPU, or ring buffer bytes. */
static int run_setup(struct run *r, enum mode mode, unsigned long size, int cpu, unsigned int n)
{
	struct bpf_program *p;
	bool mounted;
	int err;

	memset(r, 0, sizeof(*r));
	r->ch.pid = -1;
	r->ch.go = r->ch.flush = -1;
	if ((err = sample_tracefs_ensure("syscalls/sys_enter_write", &mounted)))
		return err;
	r->rx.n = n;
	r->rx.seen = calloc(n + 1, 1);
	if (!r->rx.seen)
		return -ENOMEM;
	if ((err = child_start(&r->ch, cpu, n)))
		return err;
	r->rx.pid = r->ch.pid;

	r->skel = trace_output__open();
	if (!r->skel)
		return -errno;
	r->skel->rodata->target_tgid = r->ch.pid;
	r->skel->rodata->cookie = COOKIE;
	r->skel->rodata->rb_wakeup = rb_wakeup;
	bpf_program__set_autoload(r->skel->progs.write_perf, mode == PERF);
	bpf_program__set_autoload(r->skel->progs.write_ringbuf, mode == RINGBUF);
	bpf_program__set_autoload(r->skel->progs.write_rb_output, mode == RB_OUTPUT);
	bpf_map__set_max_entries(r->skel->maps.ringbuf, mode == PERF ? 4096 : size);
	if ((err = trace_output__load(r->skel)))
		return err;
	if (mode == PERF)
		r->pb = perf_buffer__new(bpf_map__fd(r->skel->maps.perf_events), size,
					 perf_cb, perf_lost_cb, &r->rx, NULL);
	else
		r->rb = ring_buffer__new(bpf_map__fd(r->skel->maps.ringbuf), rb_cb, &r->rx, NULL);
	if (!r->pb && !r->rb)
		return -errno;
	p = mode == PERF ? r->skel->progs.write_perf : mode == RINGBUF ?
	    r->skel->progs.write_ringbuf : r->skel->progs.write_rb_output;
	r->link = bpf_program__attach(p);
	return r->link ? 0 : -errno;
}

static void run_free(struct run *r)
{
	if (r->ch.pid > 0)
		child_wait(&r->ch);
	bpf_link__destroy(r->link);
	perf_buffer__free(r->pb);
	ring_buffer__free(r->rb);
	trace_output__destroy(r->skel);
	free(r->rx.seen);
}

/* Wait (at most 10 s) until the program has seen `want` writes of the child. */
static __u64 wait_matched(struct run *r, __u64 want)
{
	volatile __u64 *m = &r->skel->bss->matched;

	for (int i = 0; i < 1000 && *m < want; i++)
		usleep(10000);
	return *m;
}

static int drain(struct run *r)
{
	int n = r->pb ? perf_buffer__consume(r->pb) : ring_buffer__consume(r->rb);

	return n < 0 ? n : 0;
}

static const unsigned int exact_n = 1000;

/* The child makes exactly 1000 writes (the test process writes too, and is
 * not traced): 1000 records, each seq once, the right pid, cookie and count,
 * nothing lost. The buffer holds them all, so nothing is read until the end. */
static void exact_events(enum mode mode, unsigned long size)
{
	struct run r;
	__u64 want_bytes = 0;
	int err = run_setup(&r, mode, size, -1, exact_n), fd;

	if (err) {
		harness_fail(__FILE__, __LINE__, "setup: %s", strerror(-err));
		goto out;
	}
	/* The test's own writes, after attach: filtered out by the pid. */
	fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	for (int i = 0; i < 5; i++)
		CHECK(write(fd, "x", 1) == 1, "write: %s", strerror(errno));
	close(fd);
	CHECK_U64(r.skel->bss->matched, 0);

	CHECK(write(r.ch.go, "g", 1) == 1, "go: %s", strerror(errno));
	CHECK_U64(wait_matched(&r, exact_n), exact_n);
	CHECK_U64(child_wait(&r.ch), 0);
	CHECK_ERR(drain(&r), 0);

	for (unsigned int i = 0; i < exact_n; i++)
		want_bytes += write_len(i);
	CHECK_U64(r.rx.events, exact_n);
	CHECK_U64(r.rx.bad, 0);
	CHECK_U64(r.rx.dup, 0);
	CHECK_U64(r.rx.out_of_range, 0);
	CHECK_U64(r.rx.bytes, want_bytes);
	/* perf pads a raw sample so that its u32 size field plus the data end
	 * on 8 bytes: 48 bytes of record arrive as 52. The ring buffer gives
	 * back the size that was reserved. */
	CHECK_U64(r.rx.size, mode == PERF ? 52 : sizeof(struct write_event));
	CHECK_U64(r.rx.wrong_cpu, 0);
	CHECK_U64(r.rx.lost_reported, 0);
	CHECK_U64(r.skel->bss->matched, exact_n);
	CHECK_U64(r.skel->bss->output_failed, 0);
out:
	run_free(&r);
}

TEST(trace_output, perf_exact_events)
{
	exact_events(PERF, 64);
}

TEST(trace_output, ringbuf_exact_events)
{
	exact_events(RINGBUF, 256 * 1024);
}

TEST(trace_output, ringbuf_output_exact_events)
{
	exact_events(RB_OUTPUT, 256 * 1024);
}

static const unsigned int burst_n = 5000;

/* A burst of 5000 writes from a child pinned to CPU 0 into one page (perf:
 * one 4 KiB ring for that CPU, 64-byte records; ring buffer: 4 KiB shared,
 * 56-byte records) while nobody reads: at most ~73 fit, the rest fail.
 * The records kept are the oldest (seq 0..k-1): a full ring refuses new
 * records, it never overwrites. Then one more write after the drain:
 * for perf this is what delivers PERF_RECORD_LOST (the lost count is written
 * into the ring in front of the next record that fits). In the end
 * received + lost = writes, with lost as each mode reports it. */
static void burst_loses(enum mode mode, unsigned long size)
{
	struct run r;
	__u64 kept, lost, want_bytes;
	int err = run_setup(&r, mode, size, 0, burst_n);

	if (err) {
		harness_fail(__FILE__, __LINE__, "setup: %s", strerror(-err));
		goto out;
	}
	CHECK(write(r.ch.go, "g", 1) == 1, "go: %s", strerror(errno));
	CHECK_U64(wait_matched(&r, burst_n), burst_n);
	CHECK_ERR(drain(&r), 0);
	kept = r.rx.events;
	/* Exactly what fits: perf stores 8 (header) + 4 (size) + 52 = 64 bytes
	 * per record and never fills its ring to the last byte (a full ring
	 * would look empty), so 63; the ring buffer stores 8 (header) + 48 = 56
	 * and may fill up completely: 73. */
	CHECK_U64(kept, mode == PERF ? (4096 - 1) / 64 : 4096 / 56);
	CHECK_U64(r.skel->bss->output_failed, burst_n - kept);
	for (__u64 s = 0; s < burst_n; s++)
		if (r.rx.seen[s] != (s < kept)) {
			harness_fail(__FILE__, __LINE__, "seq %llu received %u times, kept %llu",
				     (unsigned long long)s, r.rx.seen[s], (unsigned long long)kept);
			break;
		}
	/* Perf has not said anything about the losses yet. */
	CHECK_U64(r.rx.lost_reported, 0);

	CHECK(write(r.ch.flush, "f", 1) == 1, "flush: %s", strerror(errno));
	CHECK_U64(wait_matched(&r, burst_n + 1), burst_n + 1);
	CHECK_U64(child_wait(&r.ch), 0);
	CHECK_ERR(drain(&r), 0);
	CHECK_U64(r.rx.events, kept + 1);
	CHECK_U64(r.rx.seen[burst_n], 1);
	want_bytes = FLUSH_COUNT;
	for (__u64 s = 0; s < kept; s++)
		want_bytes += write_len(s);
	CHECK_U64(r.rx.bytes, want_bytes);
	CHECK_U64(r.rx.bad, 0);
	lost = mode == PERF ? r.rx.lost_reported : r.skel->bss->output_failed;
	CHECK(lost > 0, "nothing lost");
	CHECK_U64(r.rx.events + lost, burst_n + 1);
	if (mode == PERF)	/* the kernel's count and the program's agree */
		CHECK_U64(r.rx.lost_reported, r.skel->bss->output_failed);
	else
		CHECK_U64(r.rx.lost_reported, 0);
out:
	run_free(&r);
}

TEST(trace_output, perf_burst_loses_and_adds_up)
{
	burst_loses(PERF, 1);
}

TEST(trace_output, ringbuf_burst_loses_and_adds_up)
{
	burst_loses(RINGBUF, 4096);
}

TEST(trace_output, ringbuf_output_burst_loses_and_adds_up)
{
	burst_loses(RB_OUTPUT, 4096);
}

/* The ring buffer's wakeup flags, seen through the consumer's epoll fd while
 * the consumer sleeps: with 0 (adaptive) the first record finds the consumer
 * caught up and wakes it; BPF_RB_FORCE_WAKEUP wakes it too; BPF_RB_NO_WAKEUP
 * never does, although the 100 records are there for a consume() to read. */
static void wakeup_flag(enum mode mode, __u64 flags, int want_ready)
{
	struct epoll_event ev;
	struct run r;
	int err;

	rb_wakeup = flags;
	err = run_setup(&r, mode, 256 * 1024, -1, 100);
	rb_wakeup = 0;
	if (err) {
		harness_fail(__FILE__, __LINE__, "setup: %s", strerror(-err));
		goto out;
	}
	CHECK(write(r.ch.go, "g", 1) == 1, "go: %s", strerror(errno));
	CHECK_U64(wait_matched(&r, 100), 100);
	CHECK_U64(child_wait(&r.ch), 0);
	/* 200 ms: a wakeup is delivered through irq_work, shortly after. */
	CHECK_U64(epoll_wait(ring_buffer__epoll_fd(r.rb), &ev, 1, 200), want_ready);
	CHECK_ERR(drain(&r), 0);
	CHECK_U64(r.rx.events, 100);
	CHECK_U64(r.rx.bad, 0);
out:
	run_free(&r);
}

TEST(trace_output, ringbuf_wakeup_flags)
{
	wakeup_flag(RINGBUF, 0, 1);
	wakeup_flag(RINGBUF, BPF_RB_FORCE_WAKEUP, 1);
	wakeup_flag(RINGBUF, BPF_RB_NO_WAKEUP, 0);
	wakeup_flag(RB_OUTPUT, BPF_RB_NO_WAKEUP, 0);
}

/* The maps' sizes. The kernel wants a RINGBUF's max_entries (its size in
 * bytes) to be a power of 2 and page aligned, and refuses anything else with
 * EINVAL; libbpf quietly rounds a size set with bpf_map__set_max_entries() up
 * to the next such size before creating the map (which is why the sample
 * checks -B itself). A PERF_EVENT_ARRAY left at max_entries 0 gets one slot
 * per possible CPU from libbpf. */
TEST(trace_output, map_sizes)
{
	static const struct { __u32 asked, libbpf; } sz[] = {
		{ 3 * 4096, 4 * 4096 }, { 4096 + 2048, 2 * 4096 }, { 1024, 4096 },
	};
	struct trace_output *skel;
	libbpf_print_fn_t old;
	int err, fd;

	for (unsigned int i = 0; i < sizeof(sz) / sizeof(sz[0]); i++) {
		fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "rb_bad", 0, 0, sz[i].asked, NULL);
		CHECK(fd == -EINVAL, "kernel: ringbuf of %u bytes: %d, want -EINVAL",
		      sz[i].asked, fd);
		if (fd >= 0)
			close(fd);

		skel = trace_output__open();
		REQUIRE(skel, "trace_output__open: %s", strerror(errno));
		bpf_program__set_autoload(skel->progs.write_perf, false);
		bpf_program__set_autoload(skel->progs.write_rb_output, false);
		bpf_map__set_max_entries(skel->maps.ringbuf, sz[i].asked);
		err = trace_output__load(skel);
		CHECK_ERR(err, 0);
		CHECK_U64(bpf_map__max_entries(skel->maps.ringbuf), sz[i].libbpf);
		trace_output__destroy(skel);
	}
	fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "rb_ok", 0, 0, 4096, NULL);
	CHECK(fd >= 0, "kernel: ringbuf of 4096 bytes: %s", strerror(-fd));
	if (fd >= 0)
		close(fd);

	skel = trace_output__open_and_load();
	REQUIRE(skel, "trace_output__open_and_load: %s", strerror(errno));
	CHECK_U64(bpf_map__max_entries(skel->maps.perf_events), libbpf_num_possible_cpus());
	CHECK_U64(bpf_map__max_entries(skel->maps.ringbuf), 256 * 1024);
	/* perf_buffer__new() wants a power-of-2 page count (libbpf's rule). */
	old = libbpf_set_print(NULL);
	CHECK(!perf_buffer__new(bpf_map__fd(skel->maps.perf_events), 3, perf_cb, NULL, NULL, NULL)
	      && errno == EINVAL, "perf_buffer__new with 3 pages: errno %d", errno);
	libbpf_set_print(old);
	trace_output__destroy(skel);
}
