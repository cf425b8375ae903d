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
 * Broadcast mode: xdp_broadcast runs on every port and redirects to all the
 * entries of a BPF_MAP_TYPE_DEVMAP_HASH (key = ifindex) with BPF_F_BROADCAST |
 * BPF_F_EXCLUDE_INGRESS: the kernel clones the frame once per other port.
 *
 * Per-port counters and MACs live in arrays indexed by port number (0..n-1 in
 * the order of the command line), not in hashes keyed by ifindex: in
 * two-port mode the programs know both ports' ifindexes from rodata, so the
 * fast path makes no hash lookup at all (an ARRAY lookup is inlined by the
 * verifier). Only broadcast mode, with any number of ports, asks a HASH for
 * the port number of an ifindex.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "sample_kern.h"
#include "xdp_redirect_map.h"

/* Set by user space before load. */
const volatile __u32 in_ifindex;
const volatile __u32 out_ifindex;
const volatile bool plain;	/* redirect through tx_plain, no egress program */

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

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__type(key, __u32);
	__type(value, struct bpf_devmap_val);
	__uint(max_entries, XRM_MAX_PORTS);
} ports SEC(".maps");

/* Key: port number. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct xrm_stats);
	__uint(max_entries, XRM_MAX_PORTS);
} port_stats SEC(".maps");

/* Key: port number. Written by user space before attach. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct xrm_port);
	__uint(max_entries, XRM_MAX_PORTS);
} port_info SEC(".maps");

/* Broadcast mode only: ifindex -> port number. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, XRM_MAX_PORTS);
} port_num SEC(".maps");

/* The port number of an ifindex, or XRM_MAX_PORTS (no such port: every array
 * lookup with it fails). Two-port mode (in_ifindex set) compares with its two
 * rodata constants, which the verifier sees as such; broadcast mode looks the
 * number up. */
static __always_inline __u32 port_of(__u32 ifindex)
{
	__u32 *n;

	if (in_ifindex)
		return ifindex == in_ifindex ? XRM_PORT_IN :
		       ifindex == out_ifindex ? XRM_PORT_OUT : XRM_MAX_PORTS;
	n = bpf_map_lookup_elem(&port_num, &ifindex);
	return n ? *n : XRM_MAX_PORTS;
}

static __always_inline void count(struct xrm_stats *st, long act)
{
	if (!st)
		return;		/* no such port (port_of() found none) */
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
	__u32 ingress = from_in ? XRM_PORT_IN : XRM_PORT_OUT;	/* port numbers */
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

SEC("xdp")
int xdp_broadcast(struct xdp_md *ctx)
{
	__u32 ingress = port_of(ctx->ingress_ifindex);
	struct xrm_stats *st = bpf_map_lookup_elem(&port_stats, &ingress);
	long act;

	if (st)
		st->rx++;
	/* The key is ignored with BPF_F_BROADCAST: every entry of the map is a
	 * target, minus the ingress port. */
	act = bpf_redirect_map(&ports, 0, BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS);
	count(st, act);
	return act;
}

/* Runs after the redirect, once per frame and egress port (in broadcast mode
 * once per clone), with ctx->egress_ifindex set. Returning XDP_PASS lets the
 * frame go out; XDP_DROP would drop this copy only. */
SEC("xdp/devmap")
int xdp_egress(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 egress = port_of(ctx->egress_ifindex);
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
int xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
