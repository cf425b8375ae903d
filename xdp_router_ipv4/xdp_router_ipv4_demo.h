/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xdp_router_ipv4_demo.h - the no-argument demo of xdp_router_ipv4.
 *
 * common/topo.h's routed topology with three leaves (ns1, ns2, ns3 behind the
 * router ports r1, r2, r3), no permanent neighbours on the router (it learns
 * them by ARP, and the sample mirrors what it learns), the service address
 * 10.99.0.1 on both h2 and h3, and the route 10.99.0.0/16 via h2.
 *
 * Per step, from ns1 to 10.99.0.1: 5 echo requests of 56 bytes and 5 UDP
 * datagrams of 100 bytes. Before the traffic of step 2 it adds the more
 * specific 10.99.0.1/32 via h3 in the router namespace (as `ip route add`
 * would), before step 4 it removes it again, and each time it measures how
 * long the LPM_TRIE takes to follow.
 */
#ifndef XDP_ROUTER_IPV4_DEMO_H
#define XDP_ROUTER_IPV4_DEMO_H

#include <stdbool.h>
#include <netinet/in.h>
#include <linux/types.h>
#include "topo.h"

struct xdp_router_ipv4;
struct xdp_router_ipv4_mirror;
struct bpf_map;

struct xdp_router_ipv4_demo {
	struct sample_topo topo;
	struct sample_topo_traffic traffic; /* ns1 -> ns2, to the service address */
	int sink3; /* UDP sink in ns3 */
	__u64 recv3; /* datagrams it received */
	__u64 forw_before; /* the router's ForwDatagrams at start */
	unsigned int steps;
	struct xdp_router_ipv4_mirror *mirror; /* applies the route change to ... */
	const struct bpf_map *routes; /* ... this LPM_TRIE */
	const char *prog;
	bool open;
};
#define XDP_ROUTER_IPV4_DEMO_INIT                                                       \
	{                                                                               \
		.topo = { .orig_ns = -1, .router_ns = -1 },                             \
		.traffic = { .icmp_fd = -1, .udp_fd = -1, .udp_sink = -1 }, .sink3 = -1 \
	}

/* Build the topology (the thread moves into the router namespace), attach
 * skel's xdp_pass to the hosts' veths, open the traffic sockets; the router
 * ports r1..r3 go to ifindexes[] and their count to *n. The route change of
 * the steps is applied by mirror (opened later) into skel's routes. One line
 * and -errno on failure, nothing left. */
int xdp_router_ipv4_demo_open(struct xdp_router_ipv4_demo *d, const char *prog,
			      const struct xdp_router_ipv4 *skel,
			      struct xdp_router_ipv4_mirror *mirror, int *ifindexes, int *n);
/* One step (see above); start_ns is the time the table's column counts from. */
int xdp_router_ipv4_demo_step(struct xdp_router_ipv4_demo *d, __u64 start_ns);
/* The columns of a table row: datagrams received in ns2 and ns3 (nothing when
 * the demo is not open), and their header. */
void xdp_router_ipv4_demo_columns(const struct xdp_router_ipv4_demo *d, bool header);
/* If it was open: collect the last replies, print "demo sent: ..." with the
 * router's ForwDatagrams before and after, and tear down. */
void xdp_router_ipv4_demo_close(struct xdp_router_ipv4_demo *d);

#endif /* XDP_ROUTER_IPV4_DEMO_H */
