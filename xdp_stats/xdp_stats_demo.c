// SPDX-License-Identifier: GPL-2.0
/*
 * xdp_stats_demo.c - the no-argument demo of xdp_stats (see xdp_stats_demo.h).
 */
#include <stdio.h>
#include <string.h>
#include <linux/bpf.h>

#include "sample.h"
#include "xdp_stats_demo.h"

/* Per step: UDP datagrams of 100 payload bytes from the peer. On the wire each
 * is 14 (Ethernet) + 20 (IPv4) + 8 (UDP) + 100 = 142 bytes, which is what the
 * program sees as data_end - data. */
static const struct sample_demo_plan plan = { .udps = 10, .udp_len = 100 };
#define DEMO_FRAME_LEN (14 + 20 + 8 + 100)

int xdp_stats_demo_open(struct xdp_stats_demo *d, struct sample_opts *o, __u32 action)
{
	d->action = action;
	return sample_veth_demo_open(&d->veth, o, &plan);
}

void xdp_stats_demo_note(const struct xdp_stats_demo *d, const char *mode)
{
	if (!d->veth.open || (d->action != XDP_TX && d->action != XDP_REDIRECT))
		return;
	printf("note: XDP_%s sends each frame back to %s, %s; the frames are counted here all "
	       "the same\n",
	       d->action == XDP_TX ? "TX" : "REDIRECT", d->veth.net.peer_ifname,
	       strcmp(mode, "generic") ?
		       "where veth drops it (the peer has no XDP program and no GRO)" :
		       "whose stack discards it (its destination MAC is demo0's)");
}

int xdp_stats_demo_step(struct xdp_stats_demo *d)
{
	struct sockaddr_in dst = { .sin_family = AF_INET,
				   .sin_port = htons(SAMPLE_UDP_PORT),
				   .sin_addr = d->veth.net.addr4 };
	int err = 0;

	for (unsigned int i = 0; i < plan.udps && !err; i++)
		err = sample_traffic_udp(&d->veth.traffic, (struct sockaddr *)&dst, plan.udp_len);
	if (err) {
		fprintf(stderr, "xdp_stats: demo traffic failed: %s\n", sample_strerror(err));
		return err;
	}
	/* Drain the sink; only XDP_PASS lets the datagrams reach it. */
	sample_traffic_poll(&d->veth.traffic, d->action == XDP_PASS ? 100 : 0);
	return 0;
}

__u64 xdp_stats_demo_sent(const struct xdp_stats_demo *d)
{
	return d->veth.open ? d->veth.traffic.udp_sent : 0;
}

void xdp_stats_demo_close(struct xdp_stats_demo *d)
{
	struct sample_traffic *t = &d->veth.traffic;

	if (!d->veth.open)
		return;
	sample_traffic_poll(t, d->action == XDP_PASS ? 500 : 0); /* the last datagrams */
	printf("demo sent: %llu UDP datagrams of %u bytes (%d-byte frames); the sink received %llu\n",
	       (unsigned long long)t->udp_sent, plan.udp_len, DEMO_FRAME_LEN,
	       (unsigned long long)t->udp_received);
	fflush(stdout);
	/* The standard close would print its own summary: tear down by hand. */
	sample_traffic_close(t);
	sample_demo_teardown(&d->veth.net);
	d->veth.open = false;
}
