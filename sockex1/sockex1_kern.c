// SPDX-License-Identifier: GPL-2.0
/*
 * sockex1_kern.c - a socket filter that counts packets and IP bytes per IP
 * protocol in a BPF_MAP_TYPE_ARRAY indexed by the protocol number.
 *
 * An ARRAY is the right map when the key is a small dense integer: all 256
 * slots exist from the start (preallocated and zeroed), so the lookup below can
 * only fail for a key >= max_entries and no insert is ever needed.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "sample_kern.h"
#include "sockex1.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct proto_stats);
	__uint(max_entries, SOCKEX1_MAX_PROTO);
} proto_stats SEC(".maps");

SEC("socket")
int count_by_proto(struct __sk_buff *skb)
{
	struct proto_stats *st;
	__u32 proto;
	__u64 len;

	if (skb->protocol == bpf_htons(ETH_P_IP)) {
		struct iphdr iph;

		if (bpf_skb_load_bytes_relative(skb, 0, &iph, sizeof(iph), BPF_HDR_START_NET))
			return 0;
		proto = iph.protocol;
		len = bpf_ntohs(iph.tot_len);
	} else if (skb->protocol == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr ip6h;

		if (bpf_skb_load_bytes_relative(skb, 0, &ip6h, sizeof(ip6h), BPF_HDR_START_NET))
			return 0;
		proto = ip6h.nexthdr; /* extension headers are not walked here */
		len = bpf_ntohs(ip6h.payload_len) + sizeof(ip6h);
	} else {
		return 0; /* ARP and other non-IP frames are not counted */
	}

	st = bpf_map_lookup_elem(&proto_stats, &proto);
	if (!st)
		return 0; /* cannot happen for a u8 key and 256 slots */
	/* The slot is shared by every CPU: add atomically. */
	__sync_fetch_and_add(&st->packets, 1);
	__sync_fetch_and_add(&st->bytes, len);

	/* A socket filter returns how many bytes of the packet the socket keeps;
	 * 0 keeps nothing, so the raw socket only exists to run this program. */
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
