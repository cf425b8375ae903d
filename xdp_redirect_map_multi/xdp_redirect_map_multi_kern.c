// SPDX-License-Identifier: GPL-2.0
/*
 * xdp_redirect_map_multi_kern.c - flood every frame to all the other ports in
 * XDP, through a BPF_MAP_TYPE_DEVMAP_HASH and BPF_F_BROADCAST.
 *
 * xdp_flood runs on every port and calls bpf_redirect_map() with
 * BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS: the key is ignored, every entry of
 * the map is a target but the port the frame came in on, and the kernel
 * clones the frame once per target. A DEVMAP_HASH is keyed by ifindex, so a
 * port list of sparse ifindexes needs no slot numbering (a DEVMAP would need
 * max_entries above the largest ifindex).
 *
 * Each entry is a struct bpf_devmap_val with an egress program: xdp_flood_out
 * runs once per clone, with ctx->egress_ifindex set, and writes that port's
 * MAC as source. Counters and MACs are ARRAYs indexed by port number; a HASH
 * gives the port number of an ifindex.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "sample_kern.h"
#include "xdp_redirect_map_multi.h"
#include "xdp_outcome_kern.h" /* what happens after the redirect */

/* key = value.ifindex = the port's ifindex; written by user space. */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__type(key, __u32);
	__type(value, struct bpf_devmap_val);
	__uint(max_entries, XRMM_MAX_PORTS);
} flood_ports SEC(".maps");

/* ifindex -> port number. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, XRMM_MAX_PORTS);
} flood_port_num SEC(".maps");

/* Key: port number. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct xrmm_stats);
	__uint(max_entries, XRMM_MAX_PORTS);
} flood_stats SEC(".maps");

/* Key: port number. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct xrmm_port);
	__uint(max_entries, XRMM_MAX_PORTS);
} flood_macs SEC(".maps");

/* The counters of the port of ifindex, or NULL (not one of ours). */
static __always_inline struct xrmm_stats *stats_of(__u32 ifindex, __u32 *port)
{
	__u32 *n = bpf_map_lookup_elem(&flood_port_num, &ifindex);

	if (!n)
		return NULL;
	*port = *n;
	return bpf_map_lookup_elem(&flood_stats, port);
}

SEC("xdp")
int xdp_flood(struct xdp_md *ctx)
{
	__u32 port;
	struct xrmm_stats *st = stats_of(ctx->ingress_ifindex, &port);
	long act;

	/* The key is ignored with BPF_F_BROADCAST: every entry of the map is a
	 * target, minus the ingress port. */
	act = bpf_redirect_map(&flood_ports, 0, BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS);
	if (st) {
		/* Per-CPU values: no other CPU writes this copy, no atomics. */
		st->rx++;
		if (act == XDP_REDIRECT)
			st->redirected++;
		else
			st->errors++;
	}
	return act;
}

/* Runs after the redirect, once per clone, with ctx->egress_ifindex set.
 * Returning XDP_PASS lets this copy go out; XDP_DROP would drop it only. */
SEC("xdp/devmap")
int xdp_flood_out(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct xrmm_stats *st;
	struct xrmm_port *pi;
	__u32 port;

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	st = stats_of(ctx->egress_ifindex, &port);
	if (!st)
		return XDP_PASS;
	pi = bpf_map_lookup_elem(&flood_macs, &port);
	if (pi)
		__builtin_memcpy(eth->h_source, pi->mac, ETH_ALEN);
	st->tx++;
	return XDP_PASS;
}

/* For the demo's receiving hosts: veth only accepts redirected frames when
 * the peer has an XDP program (see common/topo.h). */
SEC("xdp")
int flood_host_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
