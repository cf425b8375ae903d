/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hbm_demo.h - hbm's no-argument demo: a cgroup of its own with a TCP sender
 * inside it, a receiver outside it, across a veth pair of two anonymous netns.
 *
 *   demo cgroup <cgroot>/hbm.<pid>         (removed by its reaper, even on SIGKILL)
 *   +-- sender process (child) ---+          +-- this process: receiver ----+
 *   |  netns demo1  10.11.1.2     | ======>  |  netns demo0  10.11.1.1:7001 |
 *   +-----------------------------+   veth   +------------------------------+
 *
 * The sender joins the cgroup, waits until a program is attached to the
 * cgroup's egress (so that every byte goes through the limiter), connects and
 * writes as fast as TCP lets it. The receiver thread counts what arrives.
 */
#ifndef HBM_DEMO_H
#define HBM_DEMO_H

#include <pthread.h>
#include <stdbool.h>
#include <sys/types.h>
#include <linux/types.h>

#include "cgroup.h"
#include "demo.h"

struct sample_opts;

struct hbm_demo {
	struct sample_cgroup cg; /* the demo cgroup: attach here */
	struct sample_demo net; /* the veth pair; the thread is in demo0's netns */
	int listen_fd; /* receiver, outside the cgroup */
	int stop_fd[2]; /* closing stop_fd[1] ends the receiver thread */
	pid_t sender; /* the process inside the cgroup */
	pthread_t rx_thread;
	bool rx_running, open;
	__u64 rx_bytes; /* payload bytes received (atomic) */
	__u64 start_ns;
};
#define HBM_DEMO_INIT                                                                        \
	{                                                                                    \
		.cg = SAMPLE_CGROUP_INIT, .net = { .orig_ns = -1, .ns = -1, .peer_ns = -1 }, \
		.listen_fd = -1, .stop_fd = { -1, -1 }, .sender = -1                         \
	}

/* Make the cgroup, the namespaces, the receiver and the sender (which waits
 * for an egress program on the cgroup). ecn: enable ECN in the sender's netns.
 * One line and -errno on failure, with nothing left. */
int hbm_demo_open(struct hbm_demo *d, const struct sample_opts *o, bool ecn);
/* Check that the sender is still at work: 0 (also when not open), or
 * -errno after one line. */
int hbm_demo_step(struct hbm_demo *d);
/* If open: stop the sender and the receiver, print "demo sent: ...", tear
 * everything down (the cgroup too). Safe on a demo never opened. */
void hbm_demo_close(struct hbm_demo *d);

#endif /* HBM_DEMO_H */
