/* SPDX-License-Identifier: GPL-2.0 */
/*
 * common/topo_demo.h - the no-argument demo of the XDP forwarding samples
 * (xdp_redirect_map, xdp_redirect_map_multi, xdp_fwd) behind open / start /
 * step / close, on the routed topology of common/topo.h:
 *
 *   h1 (ns1) <-> r1 [router] r2 <-> h2 (ns2)      (and r3 <-> h3 with LEAF3)
 *
 * The sample attaches its XDP program to the router ports r1..rN exactly as it
 * would to real interfaces; the demo only makes the namespaces and the traffic
 * (from h1, through the router, to the other hosts) and says at the end what
 * was sent and received, and whether the router's IP stack forwarded any of it
 * (ForwDatagrams in the router's /proc/net/snmp: XDP_REDIRECT never gets
 * there).
 *
 *	sample_topo_demo_open()   before load: the topology, the port list
 *	sample_topo_demo_start()  after attach: XDP_PASS on the hosts, sockets
 *	sample_topo_demo_step()   one step of traffic, waits for what is due
 *	sample_topo_demo_close()  "demo sent: ..." and teardown
 */
#ifndef SAMPLE_TOPO_DEMO_H
#define SAMPLE_TOPO_DEMO_H

#include <stdbool.h>
#include <linux/types.h>
#include "topo.h"

struct bpf_program;

/* What the demo sends at every step, all from h1. */
struct sample_topo_demo_plan {
	unsigned int flags; /* SAMPLE_TOPO_LEAF3, SAMPLE_TOPO_ROUTER_NEIGH */
	unsigned int pings, ping_len; /* echo requests to h2, payload bytes */
	unsigned int udps, udp_len; /* UDP datagrams to h2:7000 */
	unsigned int bcasts, bcast_len; /* UDP to 255.255.255.255:7000 out of h1, for every host */
};

struct sample_topo_demo {
	struct sample_topo topo;
	struct sample_topo_traffic traffic; /* pings and datagrams h1 -> h2 */
	struct sample_topo_demo_plan plan;
	int bcast_fd; /* broadcast sender, bound to h1 */
	int bcast_sink[SAMPLE_TOPO_MAX_LEAVES]; /* one receiver per other host */
	__u64 bcast_sent, bcast_received[SAMPLE_TOPO_MAX_LEAVES];
	__u64 forw_before; /* router ForwDatagrams at start */
	const char *prog;
	bool open;
};
#define SAMPLE_TOPO_DEMO_INIT                                                               \
	{                                                                                   \
		.topo = { .orig_ns = -1, .router_ns = -1 },                                 \
		.traffic = { .icmp_fd = -1, .udp_fd = -1, .udp_sink = -1 }, .bcast_fd = -1, \
		.bcast_sink = {                                                             \
			-1,                                                                 \
			-1,                                                                 \
			-1                                                                  \
		}                                                                           \
	}

/* Build the topology (the calling thread moves into the router namespace) and
 * fill ifindexes with the router ports r1..rN. Returns N, or -errno after one
 * line, with nothing left. */
int sample_topo_demo_open(struct sample_topo_demo *d, const char *prog,
			  const struct sample_topo_demo_plan *plan, int *ifindexes);
/* Once the sample's programs are attached: XDP_PASS (pass, a program of the
 * sample's object) on every host, so that a veth accepts the frames XDP
 * redirects into it (see topo.h), the traffic sockets, the router's
 * ForwDatagrams. Does nothing on a demo that is not open. 0 or -errno. */
int sample_topo_demo_start(struct sample_topo_demo *d, const struct bpf_program *pass);
/* Send one step of the plan, then wait (at most 500 ms) until everything
 * sent so far has arrived. 0 or -errno after one line. */
int sample_topo_demo_step(struct sample_topo_demo *d);
/* If it was open: print "demo sent: ...; router ForwDatagrams A -> B" and
 * tear down. Safe on a demo never opened, and twice. */
void sample_topo_demo_close(struct sample_topo_demo *d);

#endif /* SAMPLE_TOPO_DEMO_H */
