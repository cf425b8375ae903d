/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tcp_ca_demo.h - the demo: two TCP connections across a veth pair between
 * two anonymous network namespaces, one with the BPF algorithm selected by
 * setsockopt(TCP_CONGESTION), one with the namespace's default, each moving
 * a fixed number of bytes per step, checksummed at both ends.
 */
#ifndef TCP_CA_DEMO_H
#define TCP_CA_DEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "demo.h"

struct tcp_ca_flow {
	int cli, srv; /* client in the peer netns, server in the sample netns */
	char ca[16]; /* the algorithm the client's socket runs */
	__u64 sent, received;
	__u32 sum_sent, sum_received; /* Fletcher-style sums of the byte stream */
};

/* Bytes per flow and -I tick. */
#define TCP_CA_DEMO_STEP_BYTES (4u << 20)

struct tcp_ca_demo {
	const char *prog; /* the tool's name, for messages */
	struct sample_demo net;
	int listen_fd;
	struct tcp_ca_flow flow[2]; /* [0] the BPF algorithm, [1] the default */
	size_t step_bytes;
	bool open;
};
#define TCP_CA_DEMO_INIT                                                                      \
	{                                                                                     \
		.net = { .orig_ns = -1, .ns = -1, .peer_ns = -1 }, .listen_fd = -1, .flow = { \
			{ .cli = -1, .srv = -1 },                                             \
			{ .cli = -1, .srv = -1 }                                              \
		}                                                                             \
	}

/* Build the pair and connect both flows; flow 0 selects ca_name. One line and
 * -errno on failure. */
int tcp_ca_demo_open(struct tcp_ca_demo *d, const char *prog, const char *ca_name,
		     size_t step_bytes);
/* One line, if open: what each step moves on which flow, naming the cwnd
 * columns. */
void tcp_ca_demo_intro(const struct tcp_ca_demo *d);
/* Move step_bytes on each flow, waiting for all of it to arrive (5 s at most).
 * 0 (also when not open), or -errno after one line. */
int tcp_ca_demo_step(struct tcp_ca_demo *d);
/* The demo's columns of the table, appended to the loader's: the heading, and
 * each row's cwnd of both clients in segments (TCP_INFO; 0 if unknown). buf
 * is left as it is when the demo is not open. */
void tcp_ca_demo_heading(const struct tcp_ca_demo *d, char *buf, size_t len);
void tcp_ca_demo_cwnds(const struct tcp_ca_demo *d, char *buf, size_t len);
/* If open: print "demo sent: ..." and tear down. */
void tcp_ca_demo_close(struct tcp_ca_demo *d);

#endif /* TCP_CA_DEMO_H */
