/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cgroup_array_demo.h - cgroup_array's no-argument demo behind open / step /
 * close.
 *
 * open: a cgroup of its own (cgroup_array.<pid>, removed by a reaper even after
 * kill -9), a private bpffs on /sys/fs/bpf, the standard veth pair
 * (common/demo.h) with a UDP receiver in the peer netns, and scene 1: a pinned
 * CGROUP_ARRAY whose slot 0 a second process fills (cgroup_array_pin.c).
 * step: a child inside the cgroup sends 5 datagrams and calls getppid() 5
 * times, a child outside does 3 of each. close: "demo sent: ...", the pin
 * removed, everything torn down.
 */
#ifndef CGROUP_ARRAY_DEMO_H
#define CGROUP_ARRAY_DEMO_H

#include <stdbool.h>
#include <netinet/in.h>
#include <linux/types.h>

#include "cgroup.h"
#include "demo.h"

struct sample_opts;

struct cga_demo {
	struct sample_cgroup cg; /* the demo cgroup and its reaper */
	struct sample_demo net; /* demo0 here, demo1 in the peer netns */
	int rx_fd; /* UDP receiver on demo1 */
	struct sockaddr_in dst; /* its address */
	char pin[64]; /* where scene 1 pinned the map */
	bool pass; /* -p: the cgroup's packets are not dropped */
	bool open;
	__u32 parent_tgid; /* count only the syscalls of our children */
	__u64 sent_in, calls_in, sent_out, calls_out, received;
};
#define CGA_DEMO_INIT                                  \
	{                                              \
		.cg = SAMPLE_CGROUP_INIT, .rx_fd = -1, \
		.net = {.orig_ns = -1,                 \
			.ns = -1,                      \
			.peer_ns = -1 }                \
	}

/* Build it all and run scene 1 with self (argv[0]) as the second process.
 * Points o->ifname / o->ifindex at demo0; *map_fd receives the pinned
 * CGROUP_ARRAY, slot 0 filled, for bpf_map__reuse_fd(). 0 or -errno after
 * one line (close() cleans up). */
int cga_demo_open(struct cga_demo *d, struct sample_opts *o, bool pass, const char *self,
		  int *map_fd);
/* One tick of traffic and syscalls, then wait (at most 500 ms) until the
 * receiver has what should pass. 0 or -errno after one line. */
int cga_demo_step(struct cga_demo *d);
/* If it was open: print what was sent and received, remove the pin (and say
 * so), the netns and the cgroup. 0, or -errno if the cgroup could not be
 * removed (after one line). Safe on CGA_DEMO_INIT. */
int cga_demo_close(struct cga_demo *d);

#endif /* CGROUP_ARRAY_DEMO_H */
