/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cgroup_array_demo.h - cgroup_array's no-argument demo behind open / fill /
 * step / close.
 *
 * open: a cgroup of its own (cgroup_array.<pid>, removed by a reaper even after
 * kill -9), a private bpffs on /sys/fs/bpf, the standard veth pair
 * (common/demo.h) with a UDP receiver in the peer netns, and scene 1: a
 * CGROUP_ARRAY pinned there (cgroup_array_pin.c), slot 0 empty.
 * fill: a second process (this binary: "update PIN CGROUP") fills slot 0
 * through the pin. step: a child inside the cgroup sends 5 datagrams and calls
 * getppid() 5 times, a child outside does 3 of each. close: "demo sent: ...",
 * the pin removed, everything torn down.
 */
#ifndef CGROUP_ARRAY_DEMO_H
#define CGROUP_ARRAY_DEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <netinet/in.h>
#include <linux/types.h>

#include "cgroup.h"
#include "demo.h"

struct sample_opts;

struct cgroup_array_demo {
	struct sample_cgroup cg; /* the demo cgroup and its reaper */
	struct sample_demo net; /* demo0 here, demo1 in the peer netns */
	int rx_fd; /* UDP receiver on demo1 */
	struct sockaddr_in dst; /* its address */
	char pin[64]; /* where scene 1 pinned the map */
	bool pass; /* -p: the cgroup's packets are not dropped */
	bool open; /* filled: the steps run */
	__u32 parent_tgid; /* count only the syscalls of our children */
	__u64 sent_in, calls_in, sent_out, calls_out, received;
};
#define CGROUP_ARRAY_DEMO_INIT                         \
	{                                              \
		.cg = SAMPLE_CGROUP_INIT, .rx_fd = -1, \
		.net = {.orig_ns = -1,                 \
			.ns = -1,                      \
			.peer_ns = -1 }                \
	}

/* Build it all and pin the map of scene 1. Points o->ifname / o->ifindex at
 * demo0; *map_fd receives the pinned CGROUP_ARRAY (slot 0 empty), for
 * bpf_map__reuse_fd(). 0 or -errno after one line (close() cleans up). */
int cgroup_array_demo_open(struct cgroup_array_demo *d, struct sample_opts *o, bool pass,
			   int *map_fd);
/* The rest of scene 1: self (argv[0]) as the second process puts the demo
 * cgroup into slot 0 through the pin. 0 or -errno after one line. */
int cgroup_array_demo_fill(struct cgroup_array_demo *d, const char *self);
/* One tick of traffic and syscalls, then wait (at most 500 ms) until the
 * receiver has what should pass. 0 (also when not filled), or -errno after
 * one line. */
int cgroup_array_demo_step(struct cgroup_array_demo *d);
/* The "received" column: what the receiver got, into buf (left as it is
 * when the demo is not running). */
void cgroup_array_demo_received(const struct cgroup_array_demo *d, char *buf, size_t len);
/* If it ran: print what was sent and received; remove the pin (and say so),
 * the netns and the cgroup. 0, or -errno if the cgroup could not be removed
 * (after one line). Safe on CGROUP_ARRAY_DEMO_INIT. */
int cgroup_array_demo_close(struct cgroup_array_demo *d);

#endif /* CGROUP_ARRAY_DEMO_H */
