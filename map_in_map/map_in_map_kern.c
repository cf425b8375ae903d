// SPDX-License-Identifier: GPL-2.0
/*
 * map_in_map_kern.c - an XDP program that reads its configuration from an
 * inner map chosen through an outer map, so that user space can replace the
 * whole configuration with one update of the outer map.
 *
 *   cfg_outer  ARRAY_OF_MAPS [1]          slot 0 -> the current config ARRAY
 *   proto_cfg  HASH_OF_MAPS  key proto    -> a config ARRAY that overrides it
 *   port_hits  HASH_OF_MAPS  key proto    -> a HASH port -> packets
 *
 * A program cannot create maps: every inner map is made by user space (or, for
 * cfg_v1, by libbpf from this object) and only looked up here. The lookup in an
 * outer map returns a pointer to the inner map, which the program passes to the
 * next bpf_map_lookup_elem() as if it were a map declared in this file.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "sample_kern.h"
#include "map_in_map.h"

/* The inner map templates. The outer maps below name these types with
 * __array(values, ...): libbpf creates one map of that shape as the template
 * (inner_map_fd at creation), and the kernel then accepts only inner maps with
 * the same type, key size, value size, flags (and, for an ARRAY, max_entries). */
struct cfg_inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct mim_config);
	__uint(max_entries, MIM_CFG_ENTRIES);
};

struct port_inner {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32); /* destination port, host order */
	__type(value, __u64); /* packets */
	__uint(max_entries, MIM_PORTS);
};

/* The first configuration, a real map in this object; user space writes its
 * slot 0 before attaching (a zeroed slot means version 0, pass). */
struct cfg_inner cfg_v1 SEC(".maps");

/* Array of arrays, statically initialised: libbpf stores cfg_v1 in slot 0 when
 * it loads the object, so the program has a configuration from the start. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__type(key, __u32);
	__uint(max_entries, 1);
	__array(values, struct cfg_inner);
} cfg_outer SEC(".maps") = {
	.values = { [0] = &cfg_v1 },
};

/* Hash of arrays: an IP protocol with an entry here uses that configuration
 * instead of cfg_outer[0]. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__type(key, __u32); /* IP protocol */
	__uint(max_entries, MIM_PROTOS);
	__array(values, struct cfg_inner);
} proto_cfg SEC(".maps");

/* Hash of hashes: per IP protocol, packets per destination port. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__type(key, __u32); /* IP protocol: 6 or 17 */
	__uint(max_entries, MIM_PROTOS);
	__array(values, struct port_inner);
} port_hits SEC(".maps");

/* Packets per configuration version seen (index version % MIM_VERSIONS). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, MIM_VERSIONS);
} seen SEC(".maps");

static __always_inline struct mim_config *cfg_of(void *inner)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(inner, &zero);
}

static __always_inline void count_port(__u32 proto, __u32 port)
{
	__u64 one = 1, *hits;
	void *inner;

	inner = bpf_map_lookup_elem(&port_hits, &proto);
	if (!inner)
		return; /* user space made no port table for this protocol */
	hits = bpf_map_lookup_elem(inner, &port);
	if (hits) {
		__sync_fetch_and_add(hits, 1);
		return;
	}
	/* First packet to this port: insert. If another CPU inserted it first
	 * (EEXIST), add to its entry; if the table is full (E2BIG), give up. */
	if (bpf_map_update_elem(inner, &port, &one, BPF_NOEXIST)) {
		hits = bpf_map_lookup_elem(inner, &port);
		if (hits)
			__sync_fetch_and_add(hits, 1);
	}
}

SEC("xdp")
int mim_filter(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct mim_config *cfg;
	struct iphdr *iph;
	__u32 proto, ver, port = 0;
	__u64 *cnt;
	void *inner;

	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS; /* only IPv4 is configured and counted */
	iph = (void *)(eth + 1);
	if ((void *)(iph + 1) > data_end || iph->ihl < 5)
		return XDP_PASS;
	proto = iph->protocol;

	/* One lookup in the outer map gives the whole configuration: either
	 * the old inner map or the new one, never a mix of the two. */
	inner = bpf_map_lookup_elem(&proto_cfg, &proto);
	if (inner)
		cfg = cfg_of(inner);
	else {
		__u32 zero = 0;

		inner = bpf_map_lookup_elem(&cfg_outer, &zero);
		if (!inner)
			return XDP_PASS; /* slot emptied by user space */
		cfg = cfg_of(inner);
	}
	if (!cfg)
		return XDP_PASS;

	ver = cfg->version % MIM_VERSIONS;
	cnt = bpf_map_lookup_elem(&seen, &ver);
	if (cnt)
		__sync_fetch_and_add(cnt, 1);

	if (proto == IPPROTO_UDP || proto == IPPROTO_TCP) {
		__u16 *ports = (void *)iph + iph->ihl * 4;

		/* source port, then destination port, in both headers */
		if ((void *)(ports + 2) <= data_end) {
			port = bpf_ntohs(ports[1]);
			count_port(proto, port);
		}
	}
	return cfg->drop ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
