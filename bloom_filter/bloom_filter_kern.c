// SPDX-License-Identifier: GPL-2.0
/*
 * bloom_filter_kern.c - an XDP deny list of IPv4 source addresses: a HASH
 * that holds the list, and a BPF_MAP_TYPE_BLOOM_FILTER in front of it.
 *
 * Most packets come from addresses that are not listed. The filter answers
 * "definitely not" for almost all of them after k hash computations on a bit
 * array, without touching the HASH; "maybe" sends the packet on to the HASH,
 * which decides. A filter has no false negatives: a listed address is never
 * answered "not listed".
 *
 * A filter cannot delete. To take an address off the list, user space builds a
 * new filter from the HASH and swaps it in with one update of deny_outer, an
 * ARRAY_OF_MAPS whose only slot holds the filter in use.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "sample_kern.h"
#include "bloom_filter.h"

const volatile bool use_bloom = true; /* false: every packet goes to the HASH (bench) */

/* The template of the inner map: value only, map_extra = hash functions. */
struct bloom_inner {
	__uint(type, BPF_MAP_TYPE_BLOOM_FILTER);
	__uint(max_entries, 1000); /* expected entries: sizes the bit array */
	__type(value, __u32); /* an IPv4 address, network order */
	__uint(map_extra, 3); /* hash functions (1-15; 0 means 5) */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct bloom_inner);
} deny_outer SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1000);
	__type(key, __u32); /* IPv4 source address, network order */
	__type(value, __u64); /* packets dropped from it */
} deny_list SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, BF_NCOUNTERS);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

static __always_inline void count(__u32 idx)
{
	__u64 *c = bpf_map_lookup_elem(&counters, &idx);

	if (c)
		*c += 1; /* this CPU's copy: no atomic needed */
}

SEC("xdp")
int deny_filter(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph;
	__u32 zero = 0, saddr;
	__u64 *hits;
	void *bloom;

	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	iph = (void *)(eth + 1);
	if ((void *)(iph + 1) > data_end)
		return XDP_PASS;
	saddr = iph->saddr;
	count(BF_PACKETS);

	if (use_bloom) {
		bloom = bpf_map_lookup_elem(&deny_outer, &zero);
		/* peek: 0 = maybe in the set, -ENOENT = definitely not */
		if (bloom && bpf_map_peek_elem(bloom, &saddr) != 0) {
			count(BF_BLOOM_NO);
			return XDP_PASS;
		}
	}
	hits = bpf_map_lookup_elem(&deny_list, &saddr);
	if (!hits) {
		count(BF_FALSE_POSITIVE); /* without the filter: just "not listed" */
		return XDP_PASS;
	}
	__sync_fetch_and_add(hits, 1);
	count(BF_LISTED);
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
