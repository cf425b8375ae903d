// SPDX-License-Identifier: GPL-2.0
/*
 * sockex2_kern.c - a socket filter with a small flow dissector that counts
 * packets and IP bytes per destination address in a BPF_MAP_TYPE_HASH.
 *
 * A HASH is the right map when the keys are sparse and not known in advance
 * (any IPv4 or IPv6 address): entries exist only once inserted, so the program
 * looks up first and inserts when the lookup misses. Two CPUs can miss on the
 * same new key at once; BPF_NOEXIST makes exactly one insert win and the other
 * gets -EEXIST, looks up again and adds to the winner's entry. When the map is
 * full the insert fails with -E2BIG (a HASH never evicts; LRU_HASH does) and
 * the failure is counted in the global variable insert_failed.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "sample_kern.h"
#include "sockex2.h"

#define MAX_VLAN_TAGS 2
#define EEXIST 17 /* errno values are #defines, so vmlinux.h lacks them */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct dst_key);
	__type(value, struct dst_counts);
	__uint(max_entries, SOCKEX2_MAX_ENTRIES); /* user space may change it before load */
} dst_stats SEC(".maps");

/* Inserts the program could not make (the map was full): in .bss, so user
 * space reads it through the skeleton (skel->bss->insert_failed). */
__u64 insert_failed = 0;

/*
 * The flow dissector: skip up to two VLAN tags (802.1Q, 802.1AD), then read
 * the IPv4 or IPv6 header. Offsets are relative to the network header
 * (BPF_HDR_START_NET), which is where a packet socket and BPF_PROG_TEST_RUN
 * agree; a frame with in-band tags has skb->protocol = 0x8100 / 0x88A8 and its
 * first VLAN header at network offset 0. (Tags the driver stripped into
 * skb->vlan_tci never appear in the data and need no skipping.)
 * Returns 0 and fills key and len, or -1 for a frame that is not counted.
 */
static __always_inline int dissect(struct __sk_buff *skb, struct dst_key *key, __u64 *len)
{
	__u16 proto = bpf_ntohs(skb->protocol);
	__u32 off = 0;

#pragma unroll
	for (int i = 0; i < MAX_VLAN_TAGS; i++) {
		struct vlan_hdr vh;

		if (proto != ETH_P_8021Q && proto != ETH_P_8021AD)
			break;
		if (bpf_skb_load_bytes_relative(skb, off, &vh, sizeof(vh), BPF_HDR_START_NET))
			return -1;
		proto = bpf_ntohs(vh.h_vlan_encapsulated_proto);
		off += sizeof(vh);
	}

	if (proto == ETH_P_IP) {
		struct iphdr iph;

		if (bpf_skb_load_bytes_relative(skb, off, &iph, sizeof(iph), BPF_HDR_START_NET))
			return -1;
		key->family = SOCKEX2_AF_INET;
		__builtin_memcpy(key->addr, &iph.daddr, 4); /* addr[4..15] stay zero */
		*len = bpf_ntohs(iph.tot_len);
		return 0;
	}
	if (proto == ETH_P_IPV6) {
		struct ipv6hdr ip6h;

		if (bpf_skb_load_bytes_relative(skb, off, &ip6h, sizeof(ip6h), BPF_HDR_START_NET))
			return -1;
		key->family = SOCKEX2_AF_INET6;
		__builtin_memcpy(key->addr, &ip6h.daddr, 16);
		*len = bpf_ntohs(ip6h.payload_len) + sizeof(ip6h);
		return 0;
	}
	return -1; /* ARP, a third VLAN tag, anything not IP: not counted */
}

SEC("socket")
int count_by_dst(struct __sk_buff *skb)
{
	struct dst_key key = {}; /* zeroed: every key byte is hashed */
	struct dst_counts *st;
	__u64 len;
	/* int, not long: on Linux 6.1 the verifier calls the map's own update
	 * function, which returns int, and -E2BIG/-EEXIST reach a long
	 * zero-extended (map ops return long since 6.4). */
	int err;

	if (dissect(skb, &key, &len))
		return 0;

	st = bpf_map_lookup_elem(&dst_stats, &key);
	if (!st) {
		struct dst_counts init = { .packets = 1, .bytes = len };

		err = bpf_map_update_elem(&dst_stats, &key, &init, BPF_NOEXIST);
		if (!err)
			return 0; /* inserted with this packet counted */
		if (err == -EEXIST) /* another CPU inserted it first */
			st = bpf_map_lookup_elem(&dst_stats, &key);
		if (!st) { /* -E2BIG: full (or deleted meanwhile) */
			__sync_fetch_and_add(&insert_failed, 1);
			return 0;
		}
	}
	/* The entry is shared by every CPU: add atomically. */
	__sync_fetch_and_add(&st->packets, 1);
	__sync_fetch_and_add(&st->bytes, len);

	/* 0: the raw socket keeps no bytes, it only exists to run this program. */
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
