/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sockex3_flows.h - reading sockex3's counting maps for its loader: the flows
 * (PERCPU_HASH) printed as they change, and the stage counters (PERCPU_ARRAY)
 * summed over the CPUs.
 */
#ifndef SOCKEX3_FLOWS_H
#define SOCKEX3_FLOWS_H

#include <stdbool.h>
#include <linux/types.h>
#include "sockex3.h"

struct bpf_map;

/* What user space remembers of the flows, to print only those that changed. */
struct sockex3_flows {
	struct {
		struct flow_key key;
		__u64 packets;
	} seen[SOCKEX3_MAX_FLOWS];
	int n;
	__u64 udp_packets; /* of every UDP flow, at the last print */
};

/* The column header; one row per flow whose packet count changed since the
 * last call (every flow with all), then a row "all" with the sums over every
 * flow. 0 or -errno. */
void sockex3_print_header(void);
int sockex3_print_flows(const struct bpf_map *flows, struct sockex3_flows *f, double t, bool all);

/* Every stage's counters summed over the CPUs, from the map's fd (all the end
 * of the run has); reset: zero them after the read. 0 or -errno. */
int sockex3_read_stages(int fd, struct stage_stats *out, bool reset);

/* The line "stages ran: ..." of the summary. */
void sockex3_print_stages(const struct stage_stats *s, __u64 flows_full);

#endif /* SOCKEX3_FLOWS_H */
