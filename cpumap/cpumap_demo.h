/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cpumap_demo.h - cpumap's no-argument demo: common/demo.h's veth pair (demo0
 * in a private netns, demo1 in its peer's), behind sample_veth_demo_open() /
 * _step() / _close(). Per -I tick the peer sends 5 echo requests of 56 payload
 * bytes (each comes back as a reply that leaves through tc egress) and 5 UDP
 * datagrams of 100 bytes to a sink (no reply) to demo0.
 */
#ifndef CPUMAP_DEMO_H
#define CPUMAP_DEMO_H

#include "demo.h"

static const struct sample_demo_plan cpumap_demo_plan = {
	.pings = 5,
	.ping_len = 56,
	.udps = 5,
	.udp_len = 100,
};

/* What the header line adds about the demo's traffic. */
#define CPUMAP_DEMO_NOTE "; demo traffic: pings and UDP from the peer netns"

#endif /* CPUMAP_DEMO_H */
