/* SPDX-License-Identifier: GPL-2.0 */
/* select_reuseport_demo.h - the demo's private netns, its UDP traffic with
 * known shard keys, and the TCP listener restart with pending connections. */
#ifndef SELECT_REUSEPORT_DEMO_H
#define SELECT_REUSEPORT_DEMO_H

#include <stdbool.h>
#include <linux/types.h>
#include "select_reuseport.h"

struct sample_opts;

/* A socket with SO_REUSEPORT set, bound to 127.0.0.1:port unless port is 0
 * (then unbound); SOCK_STREAM ones also listen. Non-blocking. fd or -errno. */
int sr_reuseport_socket(int type, __u16 port);

struct sr_demo {
	int orig_ns, ns; /* where the thread was; the demo's netns */
	__u16 port;
	unsigned int nworkers;
	int tx; /* the UDP sender */
	int workers[SR_MAX_WORKERS]; /* filled by the loader */
	__u64 sent, received[SR_MAX_WORKERS];
	bool open;
};
#define SR_DEMO_INIT                              \
	{                                         \
		.orig_ns = -1, .ns = -1, .tx = -1 \
	}

/* A new anonymous netns with lo up (the thread moves in; its
 * net.ipv4.tcp_migrate_req stays 0) and the sender. One line and -errno on
 * failure. */
int sr_demo_open(struct sr_demo *d, const struct sample_opts *o, __u16 port, unsigned int n);
/* Send 25 datagrams per worker, first payload byte = i % nworkers (keys in
 * turn), then read every worker's queue into received[]. 0 or -errno. */
int sr_demo_step(struct sr_demo *d);
/* The restart on port+1: listener 0 (slot 0 of map_fd, prog_fd attached) has
 * k connections pending, listener 1 joins (slot 1), listener 0 closes, and
 * listener 1 accepts. Prints what happened; returns the number accepted or
 * -errno. */
int sr_demo_migrate(struct sr_demo *d, int map_fd, int prog_fd, unsigned int k);
/* Print "demo sent: ...", close the sockets, leave and drop the netns. */
void sr_demo_close(struct sr_demo *d);

#endif /* SELECT_REUSEPORT_DEMO_H */
