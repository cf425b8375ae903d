/* SPDX-License-Identifier: GPL-2.0 */
/*
 * offwaketime_demo.h - the demo's workload, with function names to look for
 * in the stacks: a child process whose thread owt-ping wakes owt-pong through
 * a pipe and is woken back through another, K times per step, both pinned to
 * one CPU as SCHED_FIFO (so each round is exactly one sleep and one wakeup
 * each way), and whose thread owt-spin burns CPU in owt_spin(). Built with
 * frame pointers so that user stacks can be walked.
 */
#ifndef OFFWAKETIME_DEMO_H
#define OFFWAKETIME_DEMO_H

#include <stdbool.h>
#include <stdio.h>
#include <pthread.h>
#include <sys/types.h>
#include <linux/types.h>

/* The ping-pong pair and the spinner, in the calling process. */
struct owt_work {
	pthread_t ping, pong, spin;
	int p1[2], p2[2]; /* ping -> pong, pong -> ping */
	int go[2], spin_go[2], done[2]; /* the controller's: start, finished */
	int cpu; /* where ping and pong run */
	int fifo_err; /* 0, or why SCHED_FIFO was refused (-errno) */
	volatile pid_t pong_tid;
	volatile long pong_ready; /* pong's voluntary switches before its first read */
	bool started;
};

/* Start the three threads (pong asleep in its pipe read when this returns).
 * 0 or -errno. */
int owt_work_start(struct owt_work *w, int cpu);
/* K ping-pong rounds, then spin_ms in owt_spin(); returns when both are done.
 * 0 or -errno. */
int owt_work_run(struct owt_work *w, unsigned int rounds, unsigned int spin_ms);
void owt_work_stop(struct owt_work *w);

/* The demo, per -I tick: 1,000 ping-pong rounds and 200 ms of spinning. */
#define OWT_DEMO_ROUNDS 1000
#define OWT_DEMO_SPIN_MS 200

/* The demo: the workload in a child process, one owt_work_run() per step. */
struct owt_demo {
	pid_t pid; /* -1 when none */
	int ctl, ack; /* to the child, from it */
	unsigned int rounds, spin_ms;
	__u64 steps;
	int fifo_err;
	bool open;
	FILE *summary; /* where "demo ran: ..." goes */
};
#define OWT_DEMO_INIT                           \
	{                                       \
		.pid = -1, .ctl = -1, .ack = -1 \
	}

/* Fork the child; its threads start at the first step. 0 or -errno after one line. */
int owt_demo_open(struct owt_demo *d, unsigned int rounds, unsigned int spin_ms, FILE *summary);
int owt_demo_step(struct owt_demo *d);
/* Stop and reap the child; prints "demo ran: ..." once it ran. Safe on a
 * demo never opened. */
void owt_demo_close(struct owt_demo *d);

#endif /* OFFWAKETIME_DEMO_H */
