// SPDX-License-Identifier: GPL-2.0
/* writer.c - see writer.h. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "writer.h"

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
		_exit(1);		/* EOF: the parent gave up before starting */
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
			*done = ++i;
		}
		if (i >= count)
			break;
		now = now_ns();
		wait_ms = start + i * period > now ? (start + i * period - now + 999999) / 1000000 : 0;
		/* Sleep until the next write is due, or until the parent closes
		 * the pipe (stop) or dies. */
		if (poll(&pfd, 1, wait_ms) != 0)
			break;
	}
	_exit(0);
}

int writer_start(struct writer *w, unsigned long rate, unsigned long count)
{
	pid_t parent = getpid();
	int p[2], err;

	w->pid = -1;
	w->ctl = -1;
	w->exited = false;
	w->done = mmap(NULL, sizeof(*w->done), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (w->done == MAP_FAILED) {
		w->done = NULL;
		return -errno;
	}
	*w->done = 0;
	if (pipe2(p, O_CLOEXEC))
		return -errno;
	w->pid = fork();
	if (w->pid < 0) {
		err = -errno;
		close(p[0]);
		close(p[1]);
		return err;
	}
	if (w->pid == 0) {
		close(p[1]);
		/* Die with the parent, even if it is killed with SIGKILL; and if
		 * it already died before prctl(), do not run at all. */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
			_exit(1);
		writer_main(p[0], rate, count, w->done);
	}
	close(p[0]);
	w->ctl = p[1];
	return 0;
}

int writer_go(struct writer *w)
{
	return write(w->ctl, "g", 1) == 1 ? 0 : -errno;
}

bool writer_finished(struct writer *w)
{
	if (w->pid > 0 && !w->exited && waitpid(w->pid, NULL, WNOHANG) == w->pid)
		w->exited = true;
	return w->exited;
}

void writer_stop(struct writer *w)
{
	if (w->ctl >= 0) {
		close(w->ctl);	/* the child's poll() sees POLLHUP and exits */
		w->ctl = -1;
	}
	if (w->pid <= 0 || w->exited)
		return;
	for (int i = 0; i < 200; i++) {
		if (waitpid(w->pid, NULL, WNOHANG) == w->pid) {
			w->exited = true;
			return;
		}
		usleep(10000);
	}
	kill(w->pid, SIGKILL);
	waitpid(w->pid, NULL, 0);
	w->exited = true;
}

__u64 writer_writes(const struct writer *w)
{
	return w->done ? *w->done : 0;
}
