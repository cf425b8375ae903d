/* SPDX-License-Identifier: GPL-2.0 */
/*
 * common/demo.h - the demo topology that samples use when given no interface.
 *
 *   +------ sample netns ------+          +------- peer netns -------+
 *   |  demo0  10.11.1.1/24     | <======> |  demo1  10.11.1.2/24     |
 *   |         fd11::1/64       |   veth   |         fd11::2/64       |
 *   +--------------------------+          +--------------------------+
 *
 * Both namespaces are anonymous: no name under /var/run/netns, only file
 * descriptors held by this process. When the process exits, even by SIGKILL,
 * the descriptors close, the namespaces die and the veth pair with them, so
 * there is nothing to clean up and nothing stale on the next start.
 *
 * After sample_demo_setup() the calling thread lives in the sample netns:
 * if_nametoindex("demo0"), XDP attach and sockets all act there. Traffic comes
 * from sockets created in the peer netns (a socket stays in the namespace it
 * was created in, whichever namespace the thread is in later).
 */
#ifndef SAMPLE_DEMO_H
#define SAMPLE_DEMO_H

#include <stdbool.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/types.h>
#include <net/if.h>

/* ---- building blocks (also for richer topologies) ----------------------- */

/* A new anonymous network namespace with lo up; the thread stays where it is.
 * Returns the namespace fd or -errno (-EPERM without CAP_SYS_ADMIN). */
int sample_netns_new(void);
/* Move the calling thread into the namespace behind fd. */
int sample_netns_enter(int ns_fd);
/* The calling thread's current network namespace, as a new fd. */
int sample_netns_current(void);
/* socket() inside ns_fd; the thread ends where it started. */
int sample_netns_socket(int ns_fd, int domain, int type, int protocol);
/* Write value to /proc/sys/<path> as seen from inside ns_fd. */
int sample_netns_sysctl(int ns_fd, const char *path, const char *value);

/* veth pair: name_a in ns_a, name_b in ns_b, with the given MACs (may be NULL). */
int sample_veth_create(int ns_a, const char *name_a, const unsigned char *mac_a, int ns_b,
		       const char *name_b, const unsigned char *mac_b);
/* ifindex of ifname inside ns_fd, or -errno. */
int sample_netns_ifindex(int ns_fd, const char *ifname);
int sample_link_up(int ns_fd, int ifindex);
/* addr is a struct in_addr or in6_addr; IPv6 addresses skip DAD. */
int sample_addr_add(int ns_fd, int ifindex, int family, const void *addr, int prefixlen);
/* A permanent neighbour entry, so the demo sends no ARP / ND of its own. */
int sample_neigh_add(int ns_fd, int ifindex, int family, const void *addr,
		     const unsigned char *mac);

/* ---- the standard pair -------------------------------------------------- */

#define SAMPLE_DEMO_IPV6 (1u << 0) /* also configure fd11::1 / fd11::2 */

struct sample_demo {
	int orig_ns; /* where the thread was before setup */
	int ns; /* the sample's side (demo0) */
	int peer_ns; /* the traffic source (demo1) */
	int ifindex; /* demo0, inside ns */
	int peer_ifindex; /* demo1, inside peer_ns */
	char ifname[IF_NAMESIZE];
	char peer_ifname[IF_NAMESIZE];
	unsigned char mac[6], peer_mac[6];
	struct in_addr addr4, peer_addr4;
	struct in6_addr addr6, peer_addr6;
	bool ipv6;
};

/* Build the pair and move the calling thread into the sample netns. Without
 * SAMPLE_DEMO_IPV6, IPv6 is disabled on both sides so that no router
 * solicitation or MLD report adds packets the demo did not send. On failure
 * prints one line naming the cause and returns -errno with nothing left. */
int sample_demo_setup(struct sample_demo *d, const char *prog, unsigned int flags);
/* Return to the original namespace and drop the demo's namespaces. */
void sample_demo_teardown(struct sample_demo *d);

/* ---- traffic from the peer to the sample side --------------------------- */

#define SAMPLE_TRAFFIC_ICMP (1u << 0) /* echo requests; the sample side replies */
#define SAMPLE_TRAFFIC_UDP (1u << 1) /* datagrams to a sink in the sample netns */
#define SAMPLE_TRAFFIC_TCP (1u << 2) /* one connection, bytes written each call */

#define SAMPLE_UDP_PORT 7000
#define SAMPLE_TCP_PORT 7001

struct sample_traffic {
	struct sample_demo *d;
	int icmp_fd; /* raw ICMP socket, peer side */
	int udp_fd; /* UDP sender, peer side (IPv6 socket, dual stack) */
	int udp_sink; /* UDP receiver on [::]:7000, sample side */
	int tcp_fd; /* TCP client, peer side */
	int tcp_listen; /* TCP listener on 7001, sample side */
	int tcp_srv; /* accepted connection, sample side */
	__u16 echo_id, echo_seq;
	/* what was sent and what came back, for the demo's summary line */
	__u64 icmp_sent, icmp_replies;
	__u64 udp_sent, udp_received;
	__u64 tcp_sent, tcp_received;
};

/* Every fd -1, so sample_traffic_close() is safe on a generator never opened. */
#define SAMPLE_TRAFFIC_INIT                                                                  \
	{                                                                                    \
		.icmp_fd = -1, .udp_fd = -1, .udp_sink = -1, .tcp_fd = -1, .tcp_listen = -1, \
		.tcp_srv = -1                                                                \
	}

int sample_traffic_open(struct sample_traffic *t, struct sample_demo *d, unsigned int kinds);
/* One ICMP echo request with payload bytes of data to dst (IPv4). */
int sample_traffic_ping(struct sample_traffic *t, const struct in_addr *dst, size_t payload);
/* One UDP datagram with payload bytes to dst:7000 (AF_INET or AF_INET6 sockaddr). */
int sample_traffic_udp(struct sample_traffic *t, const struct sockaddr *dst, size_t payload);
/* Write bytes on the TCP connection (connects on first use). */
int sample_traffic_tcp(struct sample_traffic *t, size_t bytes);
/* One ICMP echo request with payload bytes (0, 1, 2 ...) to dst on a raw
 * ICMP socket (IPv4), identifier echo_id and sequence number seq. 0 or
 * -errno. Used by sample_traffic_ping() and common/topo.c's sample_topo_ping(). */
int sample_icmp_echo(int icmp_fd, const struct in_addr *dst, __u16 echo_id, __u16 seq,
		     size_t payload);
/* Read what waits on a nonblocking raw ICMP socket (IPv4); returns how many
 * of the packets read were echo replies with identifier echo_id. Used by
 * sample_traffic_poll() and common/topo.c's sample_topo_poll(). */
unsigned int sample_icmp_replies(int icmp_fd, __u16 echo_id);
/* Collect echo replies, drain the sinks; waits at most timeout_ms for more. */
void sample_traffic_poll(struct sample_traffic *t, int timeout_ms);
void sample_traffic_close(struct sample_traffic *t);

/* ---- the standard demo behind open / step / close ---------------------- */

/* What the demo sends at every step, from the peer to the sample side. */
struct sample_demo_plan {
	unsigned int flags; /* SAMPLE_DEMO_IPV6 */
	unsigned int pings, ping_len; /* echo requests of ping_len payload bytes */
	unsigned int udps, udp_len; /* datagrams of udp_len payload bytes to demo0:7000 */
	unsigned int tcp_bytes; /* TCP payload bytes */
};

struct sample_veth_demo {
	struct sample_demo net;
	struct sample_traffic traffic;
	struct sample_demo_plan plan;
	unsigned long steps; /* traffic rounds made: no "demo sent" line before the first */
	bool open;
};
#define SAMPLE_VETH_DEMO_INIT                                                                     \
	{                                                                                         \
		.net = { .orig_ns = -1, .ns = -1, .peer_ns = -1 }, .traffic = SAMPLE_TRAFFIC_INIT \
	}

/* Build the pair (the thread moves into the sample netns), open the traffic
 * sockets, and point o->ifname / o->ifindex at demo0, so that the sample
 * attaches there as it would to a real interface. One line and -errno on
 * failure, with nothing left. */
struct sample_opts;
int sample_veth_demo_open(struct sample_veth_demo *d, struct sample_opts *o,
			  const struct sample_demo_plan *plan);
/* Send one step of the plan and collect what comes back (waiting at most
 * 500 ms for it). 0 or -errno after one line. */
int sample_veth_demo_step(struct sample_veth_demo *d);
/* If it was open: print "demo sent: ..." (what was sent and what came back)
 * and tear down. Safe on a demo never opened. */
void sample_veth_demo_close(struct sample_veth_demo *d);

/* O_NONBLOCK on fd; 0 or -errno. */
int sample_set_nonblock(int fd);
/* The Internet checksum (RFC 1071) of data, ready to store in a header as is. */
__u16 sample_inet_csum(const void *data, size_t len);

/* Fill a sockaddr for ip (v4 or v6 text) and port; returns its length or -EINVAL. */
int sample_sockaddr(const char *ip, __u16 port, struct sockaddr_storage *ss);

#endif /* SAMPLE_DEMO_H */
