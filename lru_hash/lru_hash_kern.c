// SPDX-License-Identifier: GPL-2.0
/*
 * lru_hash_kern.c - an XDP flow table keyed by the IPv4 5-tuple.
 *
 * The map is declared once, as an LRU_HASH. User space may change its type to
 * HASH, LRU_HASH with BPF_F_NO_COMMON_LRU, or LRU_PERCPU_HASH, and its size,
 * with bpf_map__set_type(), bpf_map__set_map_flags() and
 * bpf_map__set_max_entries() before loading: the code below is the same for
 * all four, because a lookup returns a pointer to "the value" in every case
 * (for a per-CPU map, this CPU's copy).
 *
 * The program looks the flow up (which marks an LRU entry as recently used),
 * adds to it if it exists, and inserts it if not. An insert into a full HASH
 * fails with E2BIG; an insert into a full LRU map evicts old entries instead.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "sample_kern.h"
#include "lru_hash.h"

#define E2BIG 7
#define EEXIST 17

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct flow_key);
	__type(value, struct flow_val);
	__uint(max_entries, 512); /* -m sets it before load */
} flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, CNT_MAX);
} counters SEC(".maps");

static __always_inline void count(__u32 idx)
{
	__u64 *c = bpf_map_lookup_elem(&counters, &idx);

	if (c)
		__sync_fetch_and_add(c, 1);
}

SEC("xdp")
int flow_table(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct flow_key key = {}; /* zeroed: pad is part of the hash */
	struct flow_val *st, init;
	struct iphdr *iph;
	__u64 len;
	/* int, not long: on Linux 6.1 the verifier calls the map's own update
	 * function, which returns int, and -E2BIG/-EEXIST reach a long
	 * zero-extended (map ops return long since 6.4). */
	int err;

	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	iph = (void *)(eth + 1);
	if ((void *)(iph + 1) > data_end || iph->ihl < 5)
		return XDP_PASS;
	key.saddr = iph->saddr;
	key.daddr = iph->daddr;
	key.proto = iph->protocol;
	if (iph->protocol == IPPROTO_UDP || iph->protocol == IPPROTO_TCP) {
		__u16 *ports = (void *)iph + iph->ihl * 4;

		if ((void *)(ports + 2) > data_end)
			return XDP_PASS;
		key.sport = ports[0];
		key.dport = ports[1];
	}
	len = bpf_ntohs(iph->tot_len);
	count(CNT_PACKETS);

	st = bpf_map_lookup_elem(&flows, &key);
	if (st) {
		__sync_fetch_and_add(&st->packets, 1);
		__sync_fetch_and_add(&st->bytes, len);
		return XDP_PASS;
	}

	init.packets = 1;
	init.bytes = len;
	err = bpf_map_update_elem(&flows, &key, &init, BPF_NOEXIST);
	if (!err) {
		count(CNT_INSERTS);
	} else if (err == -EEXIST) {
		/* Another CPU inserted the same flow a moment ago: add to it. */
		st = bpf_map_lookup_elem(&flows, &key);
		if (st) {
			__sync_fetch_and_add(&st->packets, 1);
			__sync_fetch_and_add(&st->bytes, len);
		}
	} else if (err == -E2BIG) {
		count(CNT_INSERT_FULL); /* HASH: full, nothing is evicted */
	} else {
		count(CNT_INSERT_ERR);
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
