/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sockex2_demo.h - sockex2's no-argument demo: the standard veth pair of
 * common/demo.h with IPv6, two more addresses on demo0 (10.11.1.3 and
 * fd11::1:0:0:1), and at every step, from the peer: 3 pings to 10.11.1.1 and
 * UDP datagrams to each of demo0's four addresses, of a different size each,
 * so that every destination row of the HASH has numbers of its own.
 */
#ifndef SOCKEX2_DEMO_H
#define SOCKEX2_DEMO_H

#include "demo.h"

#define SOCKEX2_DEMO_DSTS 4

struct sockex2_demo {
	struct sample_veth_demo veth; /* veth.open: the demo is running */
	__u64 udp_sent[SOCKEX2_DEMO_DSTS]; /* datagrams sent to each address */
};
#define SOCKEX2_DEMO_INIT                     \
	{                                     \
		.veth = SAMPLE_VETH_DEMO_INIT \
	}

struct sample_opts;
/* Build it (the thread moves into the sample netns) and point o->ifname /
 * o->ifindex at demo0. 0, or -errno after one line with nothing left. */
int sockex2_demo_open(struct sockex2_demo *d, struct sample_opts *o);
/* Send one step and wait (at most 500 ms) until every reply and datagram is
 * in, so that the map read right after holds all of it. 0 or -errno. */
int sockex2_demo_step(struct sockex2_demo *d);
/* If open: print "demo sent: ..." and tear down. Safe on a demo never opened. */
void sockex2_demo_close(struct sockex2_demo *d);

#endif /* SOCKEX2_DEMO_H */
