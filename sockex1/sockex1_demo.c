// SPDX-License-Identifier: GPL-2.0
/* sockex1_demo.c - sockex1's no-argument demo (see sockex1_demo.h). */
#include "sample.h"
#include "demo.h"
#include "sockex1_demo.h"

/* Per -I tick, from the peer netns to demo0. */
static const struct sample_demo_plan plan = {
	.pings = 5,
	.ping_len = 56,
	.udps = 5,
	.udp_len = 100,
	.tcp_bytes = 20000,
};

int sockex1_demo_open(struct sample_veth_demo *d, struct sample_opts *o)
{
	return sample_veth_demo_open(d, o, &plan);
}

int sockex1_demo_step(struct sample_veth_demo *d)
{
	return sample_veth_demo_step(d);
}

void sockex1_demo_close(struct sample_veth_demo *d)
{
	sample_veth_demo_close(d); /* prints "demo sent: ..." */
}
