/* SPDX-License-Identifier: GPL-2.0 */
/* select_reuseport_demo.h - the demo's private netns, its UDP traffic with
 * known shard keys, and the TCP listener restart with pending connections. */
#ifndef SELECT_REUSEPORT_DEMO_H
#define SELECT_REUSEPORT_DEMO_H

#include <stdbool.h>
#include <linux/types.h>
#include "select_reuseport.h"

struct bpf_map;
struct sample_opts;

struct select_reuseport_demo {
	int orig_ns; /* where the thread was */
	int ns; /* the demo's netns */
	__u16 port;
	unsigned int nworkers;
	int tx; /* the UDP sender */
	int listener; /* the restart's listener 0, in slot 0 of the TCP map */
	__u64 sent;
	bool open;
};
#define SELECT_REUSEPORT_DEMO_INIT                                \
	{                                                         \
		.orig_ns = -1, .ns = -1, .tx = -1, .listener = -1 \
	}

/* A new anonymous netns with lo up (the thread moves in; its
 * net.ipv4.tcp_migrate_req stays 0) and the sender. One line and -errno on
 * failure. */
int select_reuseport_demo_open(struct select_reuseport_demo *d, const struct sample_opts *o,
			       __u16 port, unsigned int n);
/* Send 25 datagrams per worker to port, first payload byte = i % nworkers
 * (keys in turn). Loopback delivery is synchronous: every datagram is in a
 * worker's queue when it returns. 0 or -errno. */
int select_reuseport_demo_step(struct select_reuseport_demo *d);
/* The restart, part 1: listener 0 joins a TCP group on port+1 and takes slot
 * 0 of map_fd (d->listener); the loader then attaches the program to it.
 * 0 or -errno. */
int select_reuseport_demo_listen(struct select_reuseport_demo *d, int map_fd);
/* The restart, part 2: k connections pending on listener 0, listener 1 joins
 * (slot 1), listener 0 closes, listener 1 accepts. Prints what happened and
 * what the program counted in counters (key 0). 0 or -errno. */
int select_reuseport_demo_restart(struct select_reuseport_demo *d, int map_fd, unsigned int k,
				  const struct bpf_map *counters);
/* Print "demo sent: ..." (received: what the workers read), close the
 * sockets, leave and drop the netns. Safe on a demo never opened. */
void select_reuseport_demo_close(struct select_reuseport_demo *d, __u64 received);

#endif /* SELECT_REUSEPORT_DEMO_H */
