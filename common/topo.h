/* SPDX-License-Identifier: GPL-2.0 */
/*
 * common/topo.h - the routed demo topology of the XDP forwarding samples
 * (xdp_redirect_map, xdp_fwd, xdp_router_ipv4):
 *
 *   +---- ns1 ----+          +--------- router ---------+          +---- ns2 ----+
 *   | h1 .2       | <======> | r1 10.20.1.1  r2 10.20.2.1| <======> | h2 .2       |
 *   | 10.20.1.0/24|   veth   |    ip_forward=1          |   veth   | 10.20.2.0/24|
 *   | default via |          |  (r3 10.20.3.1 -> ns3    |          | default via |
 *   | 10.20.1.1   |          |   with SAMPLE_TOPO_LEAF3)|          | 10.20.2.1   |
 *   +-------------+          +--------------------------+          +-------------+
 *
 * Leaf i (1..3) is host h<i> = 10.20.<i>.2/24 in its own namespace, joined to
 * router port r<i> = 10.20.<i>.1/24. Every namespace is anonymous and held only
 * by a file descriptor of this process (as in common/demo.h): when the process
 * exits, even by SIGKILL, the namespaces, veths, routes and the XDP programs
 * attached inside them disappear with it.
 *
 * ip_forward=1 is set in the router namespace only, so the leaves never route.
 * The leaves have a default route via their router port and a permanent
 * neighbour entry for it (they send no ARP). The router gets permanent
 * neighbour entries for the hosts only with SAMPLE_TOPO_ROUTER_NEIGH; without
 * it the router resolves them with ARP like a real router (xdp_fwd shows the
 * "no neighbour" path that way). IPv6 is disabled everywhere so that the only
 * packets are the ones the demo sends.
 *
 * Why an XDP program on the hosts' veths: a frame that XDP redirects into a
 * veth (ndo_xdp_xmit) is handed straight to the peer's receive queue, and veth
 * only has such a queue (its NAPI ring) while the peer has an XDP program
 * attached or GRO enabled. Without either, veth_xdp_xmit() fails and every
 * redirected frame is dropped (counted as an xdp_redirect_err). So
 * sample_topo_attach_pass() attaches a program that returns XDP_PASS to h1..h3.
 * The program comes from the caller's BPF object (SEC("xdp") xdp_pass in each
 * sample's _kern.c), so it is visible where the sample is read, and it is
 * attached through a bpf_link like everything else.
 *
 * After sample_topo_setup() the calling thread lives in the router namespace:
 * if_nametoindex("r1"), XDP attach, netlink and sockets act there.
 */
#ifndef SAMPLE_TOPO_H
#define SAMPLE_TOPO_H

#include <stdbool.h>
#include <netinet/in.h>
#include <linux/types.h>
#include <net/if.h>

#define SAMPLE_TOPO_MAX_LEAVES 3

#define SAMPLE_TOPO_ROUTER_NEIGH (1u << 0) /* permanent router -> host neighbours */
#define SAMPLE_TOPO_LEAF3 (1u << 1) /* a third leaf ns3 on r3 */

struct sample_topo_leaf {
	int ns; /* the leaf namespace */
	int ifindex; /* h<i> inside ns */
	int router_ifindex; /* r<i> inside the router namespace */
	char ifname[IF_NAMESIZE]; /* "h1" */
	char router_ifname[IF_NAMESIZE]; /* "r1" */
	unsigned char mac[6], router_mac[6];
	struct in_addr addr; /* 10.20.<i>.2 */
	struct in_addr router_addr; /* 10.20.<i>.1 */
	int pass_link; /* bpf_link of XDP_PASS on h<i>, or -1 */
};

struct sample_topo {
	int orig_ns; /* where the thread was before setup */
	int router_ns;
	int nleaves; /* 2, or 3 with SAMPLE_TOPO_LEAF3 */
	struct sample_topo_leaf leaf[SAMPLE_TOPO_MAX_LEAVES]; /* leaf[0] is ns1 */
};

/* Build the topology and move the calling thread into the router namespace.
 * On failure prints one line naming the cause and returns -errno, nothing left. */
int sample_topo_setup(struct sample_topo *t, const char *prog, unsigned int flags);
/* Attach the XDP program prog_fd (one that returns XDP_PASS) to every host
 * veth h<i> through a bpf_link, so redirected frames are received (see above). */
int sample_topo_attach_pass(struct sample_topo *t, const char *prog, int prog_fd);
/* Back to the original namespace; closes the links and drops the namespaces. */
void sample_topo_teardown(struct sample_topo *t);

/* The router's IP stack counters from /proc/net/snmp inside the router netns:
 * ForwDatagrams counts packets the stack forwarded (XDP_REDIRECT never gets
 * there). Returns 0 or -errno. */
int sample_topo_forw_datagrams(const struct sample_topo *t, __u64 *forw);
/* Any counter of the router's /proc/net/snmp, e.g. ("Ip", "InReceives"): the
 * IP packets that reached the router's stack. */
int sample_topo_snmp(const struct sample_topo *t, const char *group, const char *field,
		     __u64 *value);

/* ---- routes, neighbours (appended to common/netns.c) --------------------- */

/* dst/prefixlen via gw (NULL: directly connected) out of oif (0: any). */
int sample_route_add(int ns_fd, int family, const void *dst, int prefixlen, const void *gw,
		     int oif);
int sample_route_del(int ns_fd, int family, const void *dst, int prefixlen, const void *gw,
		     int oif);
int sample_neigh_del(int ns_fd, int ifindex, int family, const void *addr);

/* ---- traffic from ns1 to ns2 (or any leaf to any leaf) ------------------ */

#define SAMPLE_TOPO_UDP_PORT 7000

struct sample_topo_traffic {
	int icmp_fd; /* raw ICMP socket in the source leaf */
	int udp_fd; /* UDP sender in the source leaf */
	int udp_sink; /* UDP receiver on 0.0.0.0:7000 in the destination leaf */
	struct in_addr dst; /* the destination host */
	__u16 echo_id, echo_seq;
	__u64 icmp_sent, icmp_replies;
	__u64 udp_sent, udp_received;
};

/* Sockets for traffic from leaf src to leaf dst (indexes into t->leaf[]). */
int sample_topo_traffic_open(struct sample_topo_traffic *tr, const struct sample_topo *t, int src,
			     int dst);
/* One echo request with payload bytes to the destination host. */
int sample_topo_ping(struct sample_topo_traffic *tr, size_t payload);
/* One UDP datagram with payload bytes to the destination host, port 7000. */
int sample_topo_udp(struct sample_topo_traffic *tr, size_t payload);
/* Collect replies and datagrams; waits at most timeout_ms while some are due. */
void sample_topo_poll(struct sample_topo_traffic *tr, int timeout_ms);
void sample_topo_traffic_close(struct sample_topo_traffic *tr);

#endif /* SAMPLE_TOPO_H */
