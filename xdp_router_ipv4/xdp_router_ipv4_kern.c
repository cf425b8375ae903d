// SPDX-License-Identifier: GPL-2.0
/*
 * xdp_router_ipv4_kern.c - an IPv4 router in XDP with its own tables.
 *
 * User space mirrors the kernel's main routing table into an LPM_TRIE and the
 * neighbour (ARP) table into a HASH, through netlink. For each IPv4 packet the
 * program finds the longest matching prefix, the next hop's MAC, decrements
 * the TTL, rewrites the MACs and redirects through a DEVMAP_HASH. Anything it
 * cannot complete (no route, no neighbour yet ...) goes to the stack, which
 * does the slow path and, by resolving the neighbour, fills the HASH for the
 * next packet.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "sample_kern.h"
#include "xdp_router_ipv4.h"
#include "xdp_outcome_kern.h" /* what happened after the redirect: common/xdp_outcome.h */

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct xr_route_key);
	__type(value, struct xr_route);
	__uint(max_entries, XR_MAX_ROUTES);
	__uint(map_flags, BPF_F_NO_PREALLOC); /* required for LPM_TRIE */
} routes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, struct xr_neigh);
	__uint(max_entries, XR_MAX_NEIGHS);
} neighbours SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, XR_MAX_PORTS);
} tx_port SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, struct xr_port);
	__uint(max_entries, XR_MAX_PORTS);
} port_mac SEC(".maps");

/* Local addresses of the router (key: address): packets to them go up. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, XR_MAX_NEIGHS);
} local_addrs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__type(key, struct xr_route_key);
	__type(value, struct xr_counter);
	__uint(max_entries, XR_MAX_ROUTES);
} route_pkts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct xr_counter);
	__uint(max_entries, XR_NKEYS);
} stats SEC(".maps");

static __always_inline int count(struct xdp_md *ctx, __u32 reason, int action)
{
	struct xr_counter *c = bpf_map_lookup_elem(&stats, &reason);

	if (c) {
		c->packets++;
		c->bytes += ctx->data_end - ctx->data;
	}
	return action;
}

static __always_inline void count_route(struct xdp_md *ctx, const struct xr_route *r)
{
	struct xr_route_key key = { .prefixlen = r->prefixlen, .addr = r->dst };
	struct xr_counter *c = bpf_map_lookup_elem(&route_pkts, &key);

	if (!c) {
		struct xr_counter zero = {};

		/* NOEXIST: another CPU may have inserted it meanwhile. */
		bpf_map_update_elem(&route_pkts, &key, &zero, BPF_NOEXIST);
		c = bpf_map_lookup_elem(&route_pkts, &key);
		if (!c)
			return; /* map full */
	}
	c->packets++;
	c->bytes += ctx->data_end - ctx->data;
}

SEC("xdp")
int xdp_router(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct xr_route_key key = { .prefixlen = 32 };
	struct ethhdr *eth = data;
	struct xr_neigh *nb;
	struct xr_route *r;
	struct xr_port *port;
	struct iphdr *iph;
	__u32 nexthop, ifindex, sum;

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return count(ctx, XR_NOT_IPV4, XDP_PASS);
	iph = (void *)(eth + 1);
	if ((void *)(iph + 1) > data_end)
		return XDP_DROP;
	if (bpf_map_lookup_elem(&local_addrs, &iph->daddr))
		return count(ctx, XR_LOCAL, XDP_PASS);
	if (iph->ttl <= 1)
		return count(ctx, XR_TTL_EXPIRED, XDP_PASS);

	/* Longest prefix match: the key's prefixlen is the full 32 bits, the
	 * trie returns the entry with the longest prefix that covers it. */
	key.addr = iph->daddr;
	r = bpf_map_lookup_elem(&routes, &key);
	if (!r)
		return count(ctx, XR_NO_ROUTE, XDP_PASS);
	ifindex = r->ifindex;
	nexthop = r->gw ? r->gw : iph->daddr;
	nb = bpf_map_lookup_elem(&neighbours, &nexthop);
	if (!nb)
		return count(ctx, XR_NO_NEIGH, XDP_PASS);
	port = bpf_map_lookup_elem(&port_mac, &ifindex);
	if (!port || !bpf_map_lookup_elem(&tx_port, &ifindex))
		return count(ctx, XR_NOT_TX_PORT, XDP_PASS);

	/* Only now that the redirect is certain: TTL - 1 with an incremental
	 * checksum update (RFC 1624), then the MACs of the hop. */
	sum = iph->check;
	sum += bpf_htons(0x0100);
	iph->check = (__u16)(sum + (sum >> 16));
	iph->ttl--;
	__builtin_memcpy(eth->h_dest, nb->mac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, port->mac, ETH_ALEN);
	count_route(ctx, r);
	count(ctx, XR_FORWARDED, 0);
	return bpf_redirect_map(&tx_port, ifindex, 0);
}

/* For the demo's receiving hosts: veth only accepts redirected frames when
 * the peer has an XDP program (see common/topo.h). */
SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
