// SPDX-License-Identifier: GPL-2.0
/*
 * xdp_fwd_kern.c - IPv4/IPv6 forwarding in XDP with the kernel's own FIB.
 *
 * For every IP packet, bpf_fib_lookup() asks the kernel's routing table and
 * neighbour table what the IP stack would do. On success it fills in the
 * egress ifindex and both MAC addresses; the program decrements the TTL (or
 * hop limit), rewrites the MACs and redirects through tx_ports, a DEVMAP_HASH
 * of the ports it may transmit on. Anything the FIB cannot answer completely
 * (no neighbour entry yet, no route, forwarding disabled, MTU exceeded ...)
 * goes to the stack with XDP_PASS, which handles it the slow way (ARP, ICMP
 * errors, fragmentation). Every verdict is counted by its reason.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "sample_kern.h"
#include "xdp_fwd.h"
#include "xdp_outcome_kern.h" /* what happens after the redirect */

#define AF_INET 2
#define AF_INET6 10
#define IPV6_FLOWINFO_MASK bpf_htonl(0x0FFFFFFF)

/* Set before load: -D uses BPF_FIB_LOOKUP_DIRECT. */
const volatile __u32 fib_flags;

/* The ports XDP may transmit on, key = value = ifindex. DEVMAP_HASH because
 * ifindexes are sparse: a DEVMAP would need max_entries > the largest one. */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 64);
} tx_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct xfwd_stats);
	__uint(max_entries, XFWD_NKEYS);
} fwd_stats SEC(".maps");

static __always_inline int count(struct xdp_md *ctx, __u32 reason, int action)
{
	struct xfwd_stats *st = bpf_map_lookup_elem(&fwd_stats, &reason);

	if (st) {
		st->packets++;
		st->bytes += ctx->data_end - ctx->data;
	}
	return action;
}

/* TTL - 1 and an incremental checksum update (RFC 1624): the TTL is the high
 * byte of a 16-bit word, so the checksum grows by 0x0100 (in network order),
 * with the end-around carry of one's complement addition. */
static __always_inline void ipv4_ttl_dec(struct iphdr *iph)
{
	__u32 sum = iph->check;

	sum += bpf_htons(0x0100);
	iph->check = (__u16)(sum + (sum >> 16));
	iph->ttl--;
}

SEC("xdp")
int xdp_fwd(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct bpf_fib_lookup fib = {};
	struct ethhdr *eth = data;
	struct ipv6hdr *ip6h = NULL;
	struct iphdr *iph = NULL;
	long rc;

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;

	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		iph = (void *)(eth + 1);
		if ((void *)(iph + 1) > data_end)
			return XDP_DROP;
		/* The stack sends the ICMP time exceeded. */
		if (iph->ttl <= 1)
			return count(ctx, XFWD_TTL_EXPIRED, XDP_PASS);
		fib.family = AF_INET;
		fib.tos = iph->tos;
		fib.l4_protocol = iph->protocol;
		fib.tot_len = bpf_ntohs(iph->tot_len); /* checked against the MTU */
		fib.ipv4_src = iph->saddr;
		fib.ipv4_dst = iph->daddr;
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		ip6h = (void *)(eth + 1);
		if ((void *)(ip6h + 1) > data_end)
			return XDP_DROP;
		if (ip6h->hop_limit <= 1)
			return count(ctx, XFWD_TTL_EXPIRED, XDP_PASS);
		fib.family = AF_INET6;
		fib.flowinfo = *(__be32 *)ip6h & IPV6_FLOWINFO_MASK;
		fib.l4_protocol = ip6h->nexthdr;
		fib.tot_len = bpf_ntohs(ip6h->payload_len);
		__builtin_memcpy(fib.ipv6_src, &ip6h->saddr, sizeof(fib.ipv6_src));
		__builtin_memcpy(fib.ipv6_dst, &ip6h->daddr, sizeof(fib.ipv6_dst));
	} else {
		return count(ctx, XFWD_NOT_IP, XDP_PASS);
	}
	fib.ifindex = ctx->ingress_ifindex;

	rc = bpf_fib_lookup(ctx, &fib, sizeof(fib), fib_flags);
	switch (rc) {
	case BPF_FIB_LKUP_RET_SUCCESS:
		/* Check the egress port BEFORE touching the packet: a packet
		 * handed to the stack must be the one that arrived. */
		if (!bpf_map_lookup_elem(&tx_ports, &fib.ifindex))
			return count(ctx, XFWD_NOT_TX_PORT, XDP_PASS);
		/* Re-derive the header from the family: the verifier must see a
		 * checked packet pointer on each path, not a maybe-NULL one. */
		if (fib.family == AF_INET) {
			iph = (void *)(eth + 1);
			if ((void *)(iph + 1) > data_end)
				return XDP_DROP;
			ipv4_ttl_dec(iph);
		} else {
			ip6h = (void *)(eth + 1);
			if ((void *)(ip6h + 1) > data_end)
				return XDP_DROP;
			ip6h->hop_limit--;
		}
		__builtin_memcpy(eth->h_dest, fib.dmac, ETH_ALEN);
		__builtin_memcpy(eth->h_source, fib.smac, ETH_ALEN);
		if (bpf_redirect_map(&tx_ports, fib.ifindex, 0) != XDP_REDIRECT)
			return count(ctx, XFWD_REDIRECT_FAILED, XDP_DROP);
		return count(ctx, XFWD_FIB_SUCCESS, XDP_REDIRECT);
	case BPF_FIB_LKUP_RET_BLACKHOLE:
	case BPF_FIB_LKUP_RET_UNREACHABLE:
	case BPF_FIB_LKUP_RET_PROHIBIT:
		/* The route says drop: do it here, cheaply. */
		return count(ctx, rc, XDP_DROP);
	default:
		/* NOT_FWDED, FWD_DISABLED, UNSUPP_LWT, NO_NEIGH, FRAG_NEEDED ...:
		 * the stack knows what to do (ARP, ICMP, local delivery). */
		if (rc < 0 || rc >= XFWD_FIB_ERROR)
			rc = XFWD_FIB_ERROR; /* -EINVAL etc.: bad parameters */
		return count(ctx, rc, XDP_PASS);
	}
}

/* For the demo's receiving hosts: veth only accepts redirected frames when
 * the peer has an XDP program (see common/topo.h). */
SEC("xdp")
int fwd_host_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
