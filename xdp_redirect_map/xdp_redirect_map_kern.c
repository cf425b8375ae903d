// SPDX-License-Identifier: GPL-2.0
/*
 * xdp_redirect_map_kern.c - XDP forwarding between ports through a DEVMAP.
 *
 * Two-port mode: xdp_redirect runs on IN and on OUT and sends every frame to
 * the other port with bpf_redirect_map(). The target comes from one of two
 * BPF_MAP_TYPE_DEVMAPs that show the two forms a DEVMAP value can take:
 *   tx_plain  value = __u32 ifindex                 (the original form)
 *   tx_port   value = struct bpf_devmap_val         (ifindex + egress program)
 * With the second form the kernel runs xdp_egress (SEC("xdp/devmap")) on the
 * frame after the redirect, when the egress device is known, and that program
 * writes the egress port's MAC as source MAC.
 *
 * Per-port counters and MACs live in arrays indexed by port number (IN = 0,
 * OUT = 1), not in hashes keyed by ifindex: the programs know both ports'
 * ifindexes from rodata, so the fast path makes no hash lookup at all (an
 * ARRAY lookup is inlined by the verifier).
 *
 * Flooding to many ports through a DEVMAP_HASH with BPF_F_BROADCAST is the
 * other sample, xdp_redirect_map_multi.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "sample_kern.h"
#include "xdp_redirect_map.h"
#include "xdp_outcome_kern.h" /* what happens after the redirect */

/* Set by user space before load. */
const volatile __u32 in_ifindex;
const volatile __u32 out_ifindex;
const volatile bool plain; /* redirect through tx_plain, no egress program */

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__type(key, __u32);
	__type(value, struct bpf_devmap_val);
	__uint(max_entries, 2);
} tx_port SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 2);
} tx_plain SEC(".maps");

/* Key: port number. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct xrm_stats);
	__uint(max_entries, XRM_NPORTS);
} port_stats SEC(".maps");

/* Key: port number. Written by user space before attach. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct xrm_port);
	__uint(max_entries, XRM_NPORTS);
} port_info SEC(".maps");

static __always_inline void count(struct xrm_stats *st, long act)
{
	if (!st)
		return;
	/* Per-CPU values: no other CPU writes this copy, no atomics needed. */
	if (act == XDP_REDIRECT)
		st->redirected++;
	else
		st->errors++;
}

SEC("xdp")
int xdp_redirect(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	bool from_in = ctx->ingress_ifindex == in_ifindex;
	__u32 ingress = from_in ? XRM_PORT_IN : XRM_PORT_OUT; /* port numbers */
	__u32 egress = from_in ? XRM_PORT_OUT : XRM_PORT_IN;
	__u32 slot = from_in ? XRM_SLOT_TO_OUT : XRM_SLOT_TO_IN;
	struct ethhdr *eth = data;
	struct xrm_stats *st;
	struct xrm_port *pi;
	long act;

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	st = bpf_map_lookup_elem(&port_stats, &ingress);
	if (st)
		st->rx++;

	pi = bpf_map_lookup_elem(&port_info, &egress);
	if (pi && pi->has_next_hop)
		__builtin_memcpy(eth->h_dest, pi->next_hop, ETH_ALEN);

	if (plain) {
		/* No egress program with a plain ifindex value: the ingress
		 * program has to know the egress port and rewrite for it, and
		 * counts the frame as sent when the redirect is accepted. */
		if (pi)
			__builtin_memcpy(eth->h_source, pi->mac, ETH_ALEN);
		/* The low bits of flags are the action for an empty slot. */
		act = bpf_redirect_map(&tx_plain, slot, XDP_ABORTED);
		if (act == XDP_REDIRECT) {
			struct xrm_stats *tx = bpf_map_lookup_elem(&port_stats, &egress);

			if (tx)
				tx->tx++;
		}
	} else {
		act = bpf_redirect_map(&tx_port, slot, XDP_ABORTED);
	}
	count(st, act);
	return act;
}

/* Runs after the redirect, once per frame, with ctx->egress_ifindex set.
 * Returning XDP_PASS lets the frame go out; XDP_DROP would drop it. */
SEC("xdp/devmap")
int xdp_egress(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	/* The egress port, from its ifindex: a comparison with rodata. */
	__u32 egress = ctx->egress_ifindex == in_ifindex ? XRM_PORT_IN : XRM_PORT_OUT;
	struct ethhdr *eth = data;
	struct xrm_stats *st;
	struct xrm_port *pi;

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	pi = bpf_map_lookup_elem(&port_info, &egress);
	if (pi)
		__builtin_memcpy(eth->h_source, pi->mac, ETH_ALEN);
	st = bpf_map_lookup_elem(&port_stats, &egress);
	if (st)
		st->tx++;
	return XDP_PASS;
}

/* For the demo's receiving hosts: veth only accepts redirected frames when
 * the peer has an XDP program (see common/topo.h). */
SEC("xdp")
int redir_host_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
