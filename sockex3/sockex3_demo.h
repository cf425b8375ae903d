/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sockex3_demo.h - the no-argument demo of sockex3, and the crafted frames it
 * sends tagged (sockex3_traps.c runs untagged ones through BPF_PROG_TEST_RUN).
 *
 * The standard pair of common/demo.h with IPv6 (demo0 10.11.1.1 / fd11::1 in
 * the sample's netns, demo1 10.11.1.2 / fd11::2 in the peer's), and per step,
 * from the peer to demo0: UDP over IPv4 and IPv6 to port 7000, TCP over IPv4
 * to port 7001 and over IPv6 to port 7002, and frames written by hand on a
 * packet socket: 802.1Q-tagged UDP/IPv4 and QinQ-tagged (802.1AD + 802.1Q)
 * TCP/IPv6. demo0 has no VLAN device, so the tagged frames are seen by the
 * filter and then dropped.
 */
#ifndef SOCKEX3_DEMO_H
#define SOCKEX3_DEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "demo.h"

#define SOCKEX3_DEMO_UDPS 5 /* datagrams per step and family */
#define SOCKEX3_DEMO_UDP_LEN 100
#define SOCKEX3_DEMO_TCP_BYTES 20000 /* per step and family */
#define SOCKEX3_DEMO_TCP6_PORT 7002
#define SOCKEX3_DEMO_TAGGED 3 /* 802.1Q frames and QinQ frames per step */
#define SOCKEX3_DEMO_TAGGED_LEN 64 /* their payload bytes */

/* A frame for sockex3_frame(): Ethernet, 0-2 tags, IPv4 or IPv6, TCP or UDP. */
struct sockex3_frame_spec {
	int family; /* AF_INET or AF_INET6 */
	__u8 proto; /* IPPROTO_TCP or IPPROTO_UDP */
	const char *src, *dst; /* addresses as text */
	__u16 sport, dport;
	unsigned int payload; /* bytes after the TCP or UDP header */
	unsigned int tags; /* 1: 802.1Q; 2: 802.1AD outside, 802.1Q inside */
	__u16 vlan; /* the 802.1Q tag's id (the outer one is vlan + 100) */
};

/* Write the frame into buf; returns its length, or 0 if it does not fit or
 * an address does not parse. Checksums are right for IPv4's header; TCP and
 * UDP checksums stay 0 (no stack accepts these frames: they are counted). */
size_t sockex3_frame(unsigned char *buf, size_t size, const struct sockex3_frame_spec *f);
/* The IP bytes of such a frame (IP header + L4 header + payload). */
unsigned int sockex3_frame_ip_len(const struct sockex3_frame_spec *f);

struct sockex3_demo {
	struct sample_demo net;
	struct sample_traffic traffic; /* UDP over both families, TCP over IPv4 */
	int tcp6_listen, tcp6_cli, tcp6_srv;
	int raw; /* packet socket on demo1 for the tagged frames */
	__u64 udp4_sent, udp6_sent, tcp6_sent, tcp6_received, dot1q_sent, qinq_sent;
	bool open;
};
#define SOCKEX3_DEMO_INIT                                                                          \
	{                                                                                          \
		.net = { .orig_ns = -1, .ns = -1, .peer_ns = -1 }, .traffic = SAMPLE_TRAFFIC_INIT, \
		.tcp6_listen = -1, .tcp6_cli = -1, .tcp6_srv = -1, .raw = -1                       \
	}

struct sample_opts;
/* Build the pair (the thread moves into the sample netns), open the sockets,
 * point o->ifname / o->ifindex at demo0. One line and -errno on failure. */
int sockex3_demo_open(struct sockex3_demo *d, struct sample_opts *o);
/* Send one step and wait (at most 500 ms) until the sinks got it all. */
int sockex3_demo_step(struct sockex3_demo *d);
/* If it was open: print "demo sent: ..." and tear down. */
void sockex3_demo_close(struct sockex3_demo *d);

#endif /* SOCKEX3_DEMO_H */
