// SPDX-License-Identifier: GPL-2.0
/* xdp_fwd_demo.c - xdp_fwd's no-argument demo (see xdp_fwd_demo.h). */
#include "topo_demo.h"
#include "xdp_fwd_demo.h"

/* Per -I tick, from h1 (ns1) to h2 (ns2). */
static const struct sample_topo_demo_plan plan = {
	.pings = 5,
	.ping_len = 56,
	.udps = 5,
	.udp_len = 100,
};

int xdp_fwd_demo_open(struct sample_topo_demo *d, const char *prog, int *ifindexes)
{
	return sample_topo_demo_open(d, prog, &plan, ifindexes);
}

int xdp_fwd_demo_start(struct sample_topo_demo *d, const struct bpf_program *pass)
{
	return sample_topo_demo_start(d, pass);
}

int xdp_fwd_demo_step(struct sample_topo_demo *d)
{
	return sample_topo_demo_step(d);
}

void xdp_fwd_demo_close(struct sample_topo_demo *d)
{
	sample_topo_demo_close(d); /* prints "demo sent: ..." */
}
