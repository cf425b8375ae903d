// SPDX-License-Identifier: GPL-2.0
/*
 * xdp_stats_kern.c - count packets and bytes per XDP action, twice: in a
 * BPF_MAP_TYPE_ARRAY (one value shared by all CPUs, so every add is atomic)
 * and in a BPF_MAP_TYPE_PERCPU_ARRAY (one value per CPU, so a plain add is
 * enough and user space sums the CPUs).
 *
 * The action the program returns is chosen before load through rodata, so
 * that every row of the table can be exercised on purpose.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "sample_kern.h"
#include "xdp_stats.h"

/* Tunables, set by user space between open and load (then read-only). */
const volatile __u32 action = XDP_PASS; /* what the program returns */
const volatile __u32 maps = XDP_STATS_MAP_BOTH; /* which map(s) it updates */
/* XDP_REDIRECT target; 0 = back out of the interface the frame came in on. */
const volatile __u32 redirect_ifindex = 0;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct datarec);
	__uint(max_entries, XDP_STATS_NACTIONS);
} stats_array SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct datarec);
	__uint(max_entries, XDP_STATS_NACTIONS);
} stats_percpu SEC(".maps");

static __always_inline void record(__u32 act, __u64 bytes)
{
	struct datarec *rec;

	if (maps & XDP_STATS_MAP_ARRAY) {
		rec = bpf_map_lookup_elem(&stats_array, &act);
		if (rec) {
			/* Every CPU adds to this same slot at the same time: a
			 * plain "+=" would lose updates, so add atomically. */
			__sync_fetch_and_add(&rec->rx_packets, 1);
			__sync_fetch_and_add(&rec->rx_bytes, bytes);
		}
	}
	if (maps & XDP_STATS_MAP_PERCPU) {
		rec = bpf_map_lookup_elem(&stats_percpu, &act);
		if (rec) {
			/* This CPU's own copy: nobody else writes it, and an XDP
			 * program is not preempted by another run on the same
			 * CPU, so a plain add is exact. */
			rec->rx_packets++;
			rec->rx_bytes += bytes;
		}
	}
}

SEC("xdp")
int xdp_count(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 act = action;

	if (act == XDP_REDIRECT) {
		__u32 ifindex = redirect_ifindex ? redirect_ifindex : ctx->ingress_ifindex;

		/* bpf_redirect() only records the target and returns
		 * XDP_REDIRECT (or XDP_ABORTED for bad flags); the kernel sends
		 * the frame after the program returns. */
		act = bpf_redirect(ifindex, 0);
	}
	if (act >= XDP_STATS_NACTIONS)
		act = XDP_ABORTED; /* an unknown action is treated as aborted */

	record(act, data_end - data);
	return act;
}

char LICENSE[] SEC("license") = "GPL";
