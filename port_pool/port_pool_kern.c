// SPDX-License-Identifier: GPL-2.0
/*
 * port_pool_kern.c - a source-NAT port allocator: free ports in a
 * BPF_MAP_TYPE_QUEUE (or, retyped by user space before load, a
 * BPF_MAP_TYPE_STACK), flows in a HASH.
 *
 * A new TCP/UDP flow pops a port from free_ports (bpf_map_pop_elem); a TCP
 * FIN or RST ends the flow and pushes its port back (bpf_map_push_elem); user
 * space pushes back the ports of flows that went idle. With a QUEUE the port
 * freed last is handed out last (FIFO: old packets or TIME_WAIT state of the
 * previous flow on that port have time to die out); with a STACK it is handed
 * out first (LIFO: the most recently used, cache-hot entry). The code is the
 * same for both: push and pop do not care which.
 *
 * Allocation only: a real NAT would also rewrite the source port and fix the
 * L4 checksum; that is not this sample's lesson. Every packet passes.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "sample_kern.h"
#include "port_pool.h"

#define EEXIST 17
#define TCP_FIN 0x01
#define TCP_RST 0x04

/* Value only, no key: a QUEUE or STACK has key_size 0. */
struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 256); /* -P sets it before load */
	__type(value, __u32);
} free_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256); /* as many flows as ports */
	__type(key, struct pp_flow);
	__type(value, struct pp_binding);
} bindings SEC(".maps");

/* freed_at[port - PP_PORT_FIRST]: the grant count when the port was last
 * freed, plus one (0 = never freed). The reuse distance of a grant is how many
 * grants happened since its port was freed. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PP_MAX_POOL);
	__type(key, __u32);
	__type(value, __u64);
} freed_at SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PP_NCOUNTERS);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

static __always_inline __u64 *counter(__u32 idx)
{
	return bpf_map_lookup_elem(&counters, &idx);
}

static __always_inline void count(__u32 idx)
{
	__u64 *c = counter(idx);

	if (c)
		__sync_fetch_and_add(c, 1);
}

static __always_inline void note_reuse(__u32 port, __u64 grant)
{
	__u32 slot = port - PP_PORT_FIRST;
	__u64 *at = bpf_map_lookup_elem(&freed_at, &slot), *min, *max, *sum, dist;

	if (!at || !*at)
		return; /* first use of this port */
	dist = grant - (*at - 1) + 1; /* grants since the free, this one included */
	sum = counter(PP_DIST_SUM);
	min = counter(PP_DIST_MIN);
	max = counter(PP_DIST_MAX);
	if (!sum || !min || !max)
		return;
	count(PP_REUSED);
	__sync_fetch_and_add(sum, dist);
	if (!*min || dist < *min) /* one CPU at a time in the demo; a race only blurs min/max */
		*min = dist;
	if (dist > *max)
		*max = dist;
}

static __always_inline void release(struct pp_flow *key, __u32 port)
{
	__u32 slot = port - PP_PORT_FIRST;
	__u64 *granted = counter(PP_GRANTED), *at = bpf_map_lookup_elem(&freed_at, &slot);

	if (bpf_map_delete_elem(&bindings, key))
		return; /* another CPU ended it first */
	if (at && granted)
		*at = *granted + 1;
	if (bpf_map_push_elem(&free_ports, &port, 0) == 0)
		count(PP_FREED_BPF);
}

SEC("xdp")
int port_pool(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct pp_binding *b, nb = {};
	struct pp_flow key = {};
	struct iphdr *iph;
	__u8 *l4;
	__u64 *granted;
	__u32 port;
	__u8 ends = 0;

	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	iph = (void *)(eth + 1);
	if ((void *)(iph + 1) > data_end || iph->ihl < 5 ||
	    (iph->protocol != IPPROTO_TCP && iph->protocol != IPPROTO_UDP))
		return XDP_PASS;
	l4 = (void *)iph + iph->ihl * 4;
	if ((void *)(l4 + 4) > data_end)
		return XDP_PASS;
	if (iph->protocol == IPPROTO_TCP) {
		if ((void *)(l4 + 14) > data_end)
			return XDP_PASS;
		ends = l4[13] & (TCP_FIN | TCP_RST); /* the flags byte */
	}
	key.saddr = iph->saddr;
	key.daddr = iph->daddr;
	key.sport = *(__u16 *)l4;
	key.dport = *(__u16 *)(l4 + 2);
	key.proto = iph->protocol;
	count(PP_PACKETS);

	b = bpf_map_lookup_elem(&bindings, &key);
	if (b) {
		__sync_fetch_and_add(&b->packets, 1);
		b->last_ns = bpf_ktime_get_ns();
		if (ends)
			release(&key, b->port);
		return XDP_PASS;
	}
	if (ends)
		return XDP_PASS; /* the end of a flow we never saw */

	/* A new flow: take a free port. An empty QUEUE/STACK answers ENOENT. */
	if (bpf_map_pop_elem(&free_ports, &port)) {
		count(PP_REFUSED);
		return XDP_DROP;
	}
	nb.port = port;
	nb.packets = 1;
	nb.last_ns = bpf_ktime_get_ns();
	if (bpf_map_update_elem(&bindings, &key, &nb, BPF_NOEXIST)) {
		/* Another CPU bound this flow a moment ago: give the port back. */
		bpf_map_push_elem(&free_ports, &port, 0);
		return XDP_PASS;
	}
	granted = counter(PP_GRANTED);
	if (granted)
		note_reuse(port, __sync_fetch_and_add(granted, 1));
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
