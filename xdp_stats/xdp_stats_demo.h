/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xdp_stats_demo.h - xdp_stats's no-argument demo: the standard veth pair of
 * common/demo.h, and at every step 10 UDP datagrams of 100 bytes (142-byte
 * frames) from the peer to demo0, where the XDP program runs. Unlike the
 * standard step it waits for the datagrams only when the program passes them
 * (XDP_PASS): any other action keeps them from the sink, and waiting would
 * stretch every step.
 */
#ifndef XDP_STATS_DEMO_H
#define XDP_STATS_DEMO_H

#include "demo.h"

struct xdp_stats_demo {
	struct sample_veth_demo veth; /* veth.open: the demo is running */
	__u32 action; /* what the program returns for every frame */
};
#define XDP_STATS_DEMO_INIT                   \
	{                                     \
		.veth = SAMPLE_VETH_DEMO_INIT \
	}

struct sample_opts;
/* Build it (the thread moves into the sample netns) and point o->ifname /
 * o->ifindex at demo0. 0, or -errno after one line with nothing left. */
int xdp_stats_demo_open(struct xdp_stats_demo *d, struct sample_opts *o, __u32 action);
/* After the attach, in mode ("native" or "generic"): for XDP_TX and
 * XDP_REDIRECT, one line on what happens to the frames sent back to the peer. */
void xdp_stats_demo_note(const struct xdp_stats_demo *d, const char *mode);
/* Send one step's datagrams and drain the sink. 0 or -errno after one line. */
int xdp_stats_demo_step(struct xdp_stats_demo *d);
/* Datagrams sent so far (= frames demo0 receives); 0 for a demo never opened. */
__u64 xdp_stats_demo_sent(const struct xdp_stats_demo *d);
/* If open: print "demo sent: ..." (with what the sink received) and tear down. */
void xdp_stats_demo_close(struct xdp_stats_demo *d);

#endif /* XDP_STATS_DEMO_H */
