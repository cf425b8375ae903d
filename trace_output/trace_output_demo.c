// SPDX-License-Identifier: GPL-2.0
/* trace_output_demo.c - see trace_output_demo.h. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "sample.h"
#include "trace_output_demo.h"

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* The child. Every write() it makes is one event for the sample, so it makes
 * no other write: no stdio, and _exit() so the parent's buffers are not
 * flushed a second time from here. */
static void __attribute__((noreturn))
writer_main(int ctl, unsigned long rate, unsigned long count, volatile __u64 *done)
{
	static const char buf[WRITER_LEN];
	__u64 period = 1000000000ull / rate, batch = rate / 1000 + 1, start, i = 0;
	struct pollfd pfd = { .fd = ctl, .events = POLLIN };
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	char go;

	if (fd < 0 || read(ctl, &go, 1) != 1)
		_exit(1); /* EOF: the parent gave up before starting */
	start = now_ns();
	while (i < count) {
		__u64 now = now_ns(), due = (now - start) / period + 1;
		int wait_ms;

		/* Catch up to the schedule (one write per period since start), at
		 * most about a millisecond's worth before looking at the pipe, so
		 * a writer that cannot keep up with its rate still stops at once. */
		for (__u64 b = 0; b < batch && i < due && i < count; b++) {
			if (write(fd, buf, sizeof(buf)) != sizeof(buf))
				_exit(1);
			i++;
			*done = i;
		}
		if (i >= count)
			break;
		now = now_ns();
		wait_ms = start + i * period > now ? (start + i * period - now + 999999) / 1000000 :
						     0;
		/* Sleep until the next write is due, or until the parent closes
		 * the pipe (stop) or dies. */
		if (poll(&pfd, 1, wait_ms) != 0)
			break;
	}
	_exit(0);
}

int trace_output_demo_open(struct trace_output_demo *d, unsigned long rate, unsigned long count,
			   __u32 *pid)
{
	pid_t parent = getpid();
	int p[2] = { -1, -1 }, err;

	*d = (struct trace_output_demo)TRACE_OUTPUT_DEMO_INIT;
	if (!rate)
		rate = TRACE_OUTPUT_DEMO_RATE;
	if (!count)
		count = TRACE_OUTPUT_DEMO_COUNT;
	d->rate = rate;
	d->count = count;
	d->done = mmap(NULL, sizeof(*d->done), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		       -1, 0);
	if (d->done == MAP_FAILED) {
		d->done = NULL;
		goto fail;
	}
	*d->done = 0;
	if (pipe2(p, O_CLOEXEC))
		goto fail;
	d->pid = fork();
	if (d->pid < 0)
		goto fail;
	if (d->pid == 0) {
		close(p[1]);
		/* Die with the parent, even if it is killed with SIGKILL; and if
		 * it already died before prctl(), do not run at all. */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
			_exit(1);
		writer_main(p[0], rate, count, d->done);
	}
	close(p[0]);
	d->ctl = p[1];
	d->open = true;
	*pid = d->pid;
	return 0;
fail:
	err = -errno;
	if (p[0] >= 0) {
		close(p[0]);
		close(p[1]);
	}
	fprintf(stderr, "trace_output: starting the demo writer failed: %s\n",
		sample_strerror(err));
	return err;
}

int trace_output_demo_start(struct trace_output_demo *d)
{
	if (write(d->ctl, "g", 1) == 1)
		return 0;
	fprintf(stderr, "trace_output: starting the demo writer failed: %s\n", strerror(errno));
	return -errno;
}

void trace_output_demo_close(struct trace_output_demo *d)
{
	if (d->ctl >= 0) {
		close(d->ctl); /* the child's poll() sees POLLHUP and exits */
		d->ctl = -1;
	}
	if (!d->open || d->reaped)
		return;
	d->reaped = true;
	for (int i = 0; i < 200; i++) {
		if (waitpid(d->pid, NULL, WNOHANG) == d->pid)
			return;
		usleep(10000);
	}
	kill(d->pid, SIGKILL);
	waitpid(d->pid, NULL, 0);
}

void trace_output_demo_print(const struct trace_output_demo *d)
{
	printf("demo writer: pid %d, %lu writes/s of %d bytes to /dev/null, at most %lu\n", d->pid,
	       d->rate, WRITER_LEN, d->count);
}

void trace_output_demo_who(const struct trace_output_demo *d, char *who, size_t len)
{
	char b[SAMPLE_FMT_LEN];
	__u64 writes = 0;

	if (!d->open)
		return;
	if (d->done)
		writes = *d->done;
	snprintf(who, len, "demo writer: %s writes; ", sample_fmt_u64(b, sizeof(b), writes));
}
