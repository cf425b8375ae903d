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
#include <linux/types.h>
#include "demo.h"

struct tcp_ca_flow {
	int cli, srv; /* client in the peer netns, server in the sample netns */
	char ca[16]; /* the algorithm the client's socket runs */
	__u64 sent, received;
	__u32 sum_sent, sum_received; /* Fletcher-style sums of the byte stream */
};

struct tcp_ca_demo {
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
/* Move step_bytes on each flow, waiting for all of it to arrive (5 s at most). */
int tcp_ca_demo_step(struct tcp_ca_demo *d);
/* The client's cwnd in segments (TCP_INFO), 0 if unknown. */
__u32 tcp_ca_demo_cwnd(const struct tcp_ca_demo *d, int flow);
/* If open: print "demo sent: ..." and tear down. */
void tcp_ca_demo_close(struct tcp_ca_demo *d);

#endif /* TCP_CA_DEMO_H */
