// SPDX-License-Identifier: GPL-2.0
/* offwaketime_demo.c - see offwaketime_demo.h.
 *
 * Frame pointers: the Makefile builds user code with -O2, where gcc omits them,
 * and the kernel walks a user stack only through the frame-pointer chain
 * (bpf_get_stackid() with BPF_F_USER_STACK). This file keeps them, and keeps
 * every call a call: a tail call (jmp) leaves no frame of its own, so the
 * function that made it would vanish from the stack. (The traps' two call
 * paths in offwaketime_traps.c are built the same way.) */
#pragma GCC optimize("no-omit-frame-pointer", "no-optimize-sibling-calls")
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "sample.h"
#include "offwaketime_demo.h"

#define NOINLINE __attribute__((noinline))

/* Through syscall(2), not read(): glibc's cancellable read() wrapper is built
 * without frame pointers and may use rbp for data, which cuts the chain. */
static NOINLINE long owt_pipe_read(int fd)
{
	char c;

	return syscall(SYS_read, fd, &c, 1);
}

static NOINLINE long owt_pipe_write(int fd)
{
	return syscall(SYS_write, fd, "x", 1);
}

static int rt_pin(int cpu)
{
	struct sched_param sp = { .sched_priority = 1 };
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		return -errno;
	/* SCHED_FIFO at one priority: a wakeup does not preempt the waker, so
	 * the waker goes on to block and every round is one sleep each way. */
	return sched_setscheduler(0, SCHED_FIFO, &sp) ? -errno : 0;
}

static NOINLINE void owt_ping_rounds(struct owt_work *w, unsigned int rounds)
{
	for (unsigned int i = 0; i < rounds; i++) {
		owt_pipe_write(w->p1[1]);
		owt_pipe_read(w->p2[0]);
	}
}

static NOINLINE void *owt_ping(void *arg)
{
	struct owt_work *w = arg;
	unsigned int rounds;

	prctl(PR_SET_NAME, "owt-ping");
	w->fifo_err = rt_pin(w->cpu);
	while (read(w->go[0], &rounds, sizeof(rounds)) == sizeof(rounds)) {
		owt_ping_rounds(w, rounds);
		if (write(w->done[1], "p", 1) != 1)
			break;
	}
	return NULL;
}

static NOINLINE void *owt_pong(void *arg)
{
	struct rusage ru;
	struct owt_work *w = arg;

	prctl(PR_SET_NAME, "owt-pong");
	rt_pin(w->cpu);
	getrusage(RUSAGE_THREAD, &ru);
	w->pong_tid = gettid();
	w->pong_ready = ru.ru_nvcsw + 1;
	while (owt_pipe_read(w->p1[0]) == 1)
		owt_pipe_write(w->p2[1]);
	return NULL;
}

/* Burn CPU in this function for ms milliseconds (the clock read every 2^20
 * iterations, so nearly every sample lands here, not in the vDSO). */
NOINLINE void owt_spin(unsigned int ms)
{
	struct timespec ts;
	__u64 end, now;
	volatile __u64 x = 0;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	end = ts.tv_sec * 1000000000ull + ts.tv_nsec + ms * 1000000ull;
	do {
		for (int i = 0; i < (1 << 20); i++)
			x += i;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		now = ts.tv_sec * 1000000000ull + ts.tv_nsec;
	} while (now < end);
}

static NOINLINE void *owt_spinner(void *arg)
{
	struct owt_work *w = arg;
	unsigned int ms;

	prctl(PR_SET_NAME, "owt-spin");
	while (read(w->spin_go[0], &ms, sizeof(ms)) == sizeof(ms)) {
		owt_spin(ms);
		if (write(w->done[1], "s", 1) != 1)
			break;
	}
	return NULL;
}

/* pong's state from /proc: asleep ('S') after its first read began. */
static bool pong_asleep(struct owt_work *w)
{
	char path[64], line[128];
	long nvcsw = -1;
	bool sleeping = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/status", w->pong_tid);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "State:\tS", 8))
			sleeping = true;
		sscanf(line, "voluntary_ctxt_switches: %ld", &nvcsw);
	}
	fclose(f);
	return sleeping && w->pong_ready && nvcsw >= w->pong_ready;
}

int owt_work_start(struct owt_work *w, int cpu)
{
	int *fds[] = { w->p1, w->p2, w->go, w->spin_go, w->done };
	memset(w, 0, sizeof(*w));
	w->cpu = cpu;
	for (unsigned int i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (pipe2(fds[i], O_CLOEXEC))
			return -errno;
	if (pthread_create(&w->pong, NULL, owt_pong, w))
		return -EAGAIN;
	/* The first round must find pong asleep in its read: wait for it. */
	for (int i = 0; i < 2000 && !pong_asleep(w); i++)
		usleep(1000);
	if (pthread_create(&w->ping, NULL, owt_ping, w))
		return -EAGAIN;
	if (pthread_create(&w->spin, NULL, owt_spinner, w))
		return -EAGAIN;
	w->started = true;
	return 0;
}

int owt_work_run(struct owt_work *w, unsigned int rounds, unsigned int spin_ms)
{
	struct pollfd pfd = { .fd = w->done[0], .events = POLLIN };
	int pending = 0;
	char c;

	if (rounds) {
		if (write(w->go[1], &rounds, sizeof(rounds)) != sizeof(rounds))
			return -errno;
		pending++;
	}
	if (spin_ms) {
		if (write(w->spin_go[1], &spin_ms, sizeof(spin_ms)) != sizeof(spin_ms))
			return -errno;
		pending++;
	}
	while (pending) {
		if (poll(&pfd, 1, 10000) != 1)
			return -ETIMEDOUT;
		if (read(w->done[0], &c, 1) != 1)
			return -EIO;
		pending--;
	}
	return 0;
}

void owt_work_stop(struct owt_work *w)
{
	if (!w->started)
		return;
	/* EOF on every pipe a thread reads: each leaves its loop. */
	close(w->go[1]);
	close(w->spin_go[1]);
	close(w->p1[1]);
	pthread_join(w->ping, NULL);
	pthread_join(w->spin, NULL);
	pthread_join(w->pong, NULL);
	close(w->p1[0]);
	close(w->p2[0]);
	close(w->p2[1]);
	close(w->go[0]);
	close(w->spin_go[0]);
	close(w->done[0]);
	close(w->done[1]);
	w->started = false;
}

/* The child: the workload, one run per byte from the parent. */
static void __attribute__((noreturn)) demo_child(struct owt_demo *d, int ctl, int ack)
{
	struct owt_work w;
	cpu_set_t set;
	int cpu = 0;
	char c;

	prctl(PR_SET_NAME, "owt-demo");
	if (read(ctl, &c, 1) != 1) /* the first step: the threads start now */
		_exit(0);
	sched_getaffinity(0, sizeof(set), &set);
	while (cpu < CPU_SETSIZE - 1 && !CPU_ISSET(cpu, &set))
		cpu++;
	if (owt_work_start(&w, cpu))
		_exit(1);
	do {
		int r = owt_work_run(&w, d->rounds, d->spin_ms);

		if (write(ack, &w.fifo_err, sizeof(w.fifo_err)) != sizeof(w.fifo_err) || r)
			_exit(1);
	} while (read(ctl, &c, 1) == 1);
	owt_work_stop(&w);
	_exit(0);
}

int owt_demo_open(struct owt_demo *d, unsigned int rounds, unsigned int spin_ms, FILE *summary)
{
	int ctl[2], ack[2] = { -1, -1 }, err;
	pid_t parent = getpid();

	*d = (struct owt_demo)OWT_DEMO_INIT;
	d->rounds = rounds;
	d->spin_ms = spin_ms;
	d->summary = summary;
	if (pipe2(ctl, O_CLOEXEC))
		goto fail;
	if (pipe2(ack, O_CLOEXEC))
		goto fail;
	d->pid = fork();
	if (d->pid < 0)
		goto fail;
	if (d->pid == 0) {
		/* Die with the parent, even on SIGKILL. */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
			_exit(1);
		close(ctl[1]);
		close(ack[0]);
		demo_child(d, ctl[0], ack[1]);
	}
	close(ctl[0]);
	close(ack[1]);
	d->ctl = ctl[1];
	d->ack = ack[0];
	d->open = true;
	return 0;
fail:
	err = -errno;
	fprintf(stderr, "offwaketime: starting the demo workload failed: %s\n",
		sample_strerror(err));
	return err;
}

int owt_demo_step(struct owt_demo *d)
{
	struct pollfd pfd = { .fd = d->ack, .events = POLLIN };

	if (write(d->ctl, "g", 1) != 1 || poll(&pfd, 1, 10000) != 1 ||
	    read(d->ack, &d->fifo_err, sizeof(d->fifo_err)) != sizeof(d->fifo_err)) {
		fprintf(stderr, "offwaketime: the demo workload stopped answering\n");
		return -EIO;
	}
	d->steps++;
	return 0;
}

void owt_demo_close(struct owt_demo *d)
{
	if (!d->open)
		return;
	close(d->ctl); /* EOF: the child stops its threads and exits */
	close(d->ack);
	for (int i = 0; i < 200; i++) {
		if (waitpid(d->pid, NULL, WNOHANG) != 0)
			break;
		if (i == 199) { /* reaped neither way yet: it is ours to kill */
			kill(d->pid, SIGKILL);
			waitpid(d->pid, NULL, 0);
		}
		usleep(10000);
	}
	d->open = false;
	if (d->steps)
		fprintf(d->summary,
			"demo ran: %llu steps of %u ping-pong rounds (owt-ping <-> owt-pong) "
			"and %u ms in owt_spin(); pid %d%s\n",
			(unsigned long long)d->steps, d->rounds, d->spin_ms, d->pid,
			d->fifo_err ? " (no SCHED_FIFO: counts may differ)" : "");
}
