// SPDX-License-Identifier: GPL-2.0
/*
 * sockex3_kern.c - a packet parser split into stages that jump to each other
 * with bpf_tail_call() through a BPF_MAP_TYPE_PROG_ARRAY:
 *
 *   parse_eth -> [parse_vlan] -> parse_ipv4 | parse_ipv6 -> parse_tcp | parse_udp
 *   (attached)    slot 1          slot 2       slot 3        slot 4      slot 5
 *
 * and per-flow packets and IP bytes in a BPF_MAP_TYPE_PERCPU_HASH keyed by the
 * 5-tuple. A tail call replaces the running program by another one with the
 * same context (the skb) and never returns: what one stage found out (the
 * offsets, the half-built key) is handed on in a per-CPU scratch map, since
 * the stack is gone. If the slot is empty, or the chain has already made the
 * kernel's maximum of tail calls, bpf_tail_call() returns and the caller goes
 * on: every stage counts that in stage_stats[slot].fell_through.
 *
 * The slots are filled by libbpf at load time from the initializer of
 * `stages` below (libbpf >= 0.8); user space swaps one with a plain map update.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "sample_kern.h"
#include "sockex3.h"

#define EEXIST 17 /* errno values are #defines: vmlinux.h lacks them */
#define MAX_INBAND_TAGS 2

/* What a stage hands to the next one. One per CPU: a tail-call chain runs on
 * one CPU from start to end, and socket filters do not nest on a CPU. */
struct parse_state {
	struct flow_key key;
	__u32 off; /* next header, from the start of the Ethernet header */
	__u32 ip_len;
	__u32 depth; /* traps */
	__u16 proto; /* next header's EtherType (host order) */
	__u16 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct parse_state);
	__uint(max_entries, 1);
} scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct stage_stats);
	__uint(max_entries, SX3_STAGES);
} stage_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__type(key, struct flow_key);
	__type(value, struct flow_count);
	__uint(max_entries, SOCKEX3_MAX_FLOWS);
} flows SEC(".maps");

/* Flows the program could not insert (the map was full). */
__u64 flows_full = 0;

static __always_inline struct parse_state *state(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&scratch, &zero);
}

/* Per-CPU counters: a plain add, no atomics (no other CPU writes this copy). */
static __always_inline void ran(__u32 stage)
{
	struct stage_stats *s = bpf_map_lookup_elem(&stage_stats, &stage);

	if (s)
		s->runs++;
}

static __always_inline int fell_through(__u32 slot)
{
	struct stage_stats *s = bpf_map_lookup_elem(&stage_stats, &slot);

	if (s)
		s->fell_through++;
	return 0;
}

/*
 * Jump to the stage in slot, a constant; if the jump does not happen, count it
 * and evaluate to 0 (the socket keeps nothing). bpf_tail_call_static() makes
 * the compiler load the slot number as a constant right before the call, so
 * the verifier knows the index and the x86-64 JIT emits a direct jump that
 * the kernel patches on every map update, instead of an indirect jump (a
 * retpoline where Spectre mitigations are on) through the array.
 */
#define NEXT_STAGE(skb, slot)                             \
	({                                                \
		bpf_tail_call_static(skb, &stages, slot); \
		fell_through(slot);                       \
	})

static __always_inline void count_flow(struct parse_state *st)
{
	struct flow_count *fs = bpf_map_lookup_elem(&flows, &st->key);
	struct flow_count init = { .packets = 1, .bytes = st->ip_len };

	if (!fs) {
		/* One CPU's copy is created with this packet, the others zeroed. */
		/* int, not long: on Linux 6.1 -EEXIST reaches a long zero-extended. */
		int err = bpf_map_update_elem(&flows, &st->key, &init, BPF_NOEXIST);

		if (!err)
			return;
		if (err == -EEXIST) /* another CPU inserted it first */
			fs = bpf_map_lookup_elem(&flows, &st->key);
		if (!fs) {
			__sync_fetch_and_add(&flows_full, 1);
			return;
		}
	}
	fs->packets++;
	fs->bytes += st->ip_len;
}

/* Stages are declared first and defined below, so that the PROG_ARRAY's
 * initializer can name them. */
int parse_vlan(struct __sk_buff *skb);
int parse_ipv4(struct __sk_buff *skb);
int parse_ipv6(struct __sk_buff *skb);
int parse_tcp(struct __sk_buff *skb);
int parse_udp(struct __sk_buff *skb);
int tail_loop(struct __sk_buff *skb); /* traps */

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, SX3_SLOTS);
	__uint(key_size, sizeof(__u32)); /* a size: no BTF key type for a PROG_ARRAY */
	__array(values, int(struct __sk_buff *));
} stages SEC(".maps") = {
	.values = {
		[SX3_VLAN] = (void *)&parse_vlan,
		[SX3_IPV4] = (void *)&parse_ipv4,
		[SX3_IPV6] = (void *)&parse_ipv6,
		[SX3_TCP] = (void *)&parse_tcp,
		[SX3_UDP] = (void *)&parse_udp,
		[SX3_LOOP] = (void *)&tail_loop, /* traps */
	},
};

/*
 * The parser, one step per stage. A step reads its header, adds what it found
 * to the state and returns the slot of the next stage, or DONE. The stage
 * programs below jump to that slot; parse_flat (at the end) calls the steps
 * one after the other in one program, so both parse with the same code.
 * Offsets are from the Ethernet header (BPF_HDR_START_MAC): on a packet socket
 * skb->data is there, under BPF_PROG_TEST_RUN it is at the network header,
 * and the MAC header is where both agree.
 */
#define DONE (-1)
#define LOAD(skb, off, to) \
	bpf_skb_load_bytes_relative(skb, off, to, sizeof(*(to)), BPF_HDR_START_MAC)

static __always_inline int l3_slot(__u16 proto)
{
	if (proto == ETH_P_IP)
		return SX3_IPV4;
	if (proto == ETH_P_IPV6)
		return SX3_IPV6;
	return DONE; /* ARP, a third tag, anything else: not a flow */
}

/* TCP and UDP go on to their port stages; any other protocol is a flow with
 * ports 0, counted here. */
static __always_inline int l4_slot(struct parse_state *st)
{
	if (st->key.proto == IPPROTO_TCP)
		return SX3_TCP;
	if (st->key.proto == IPPROTO_UDP)
		return SX3_UDP;
	count_flow(st);
	return DONE;
}

static __always_inline int eth_step(struct __sk_buff *skb, struct parse_state *st)
{
	struct ethhdr eth;

	ran(SX3_ETH);
	__builtin_memset(st, 0, sizeof(*st));
	if (LOAD(skb, 0, &eth))
		return DONE;
	st->proto = bpf_ntohs(eth.h_proto);
	st->off = sizeof(eth);
	/* A tag the receive path moved out of the data (into skb->vlan_tci:
	 * every tagged frame a NIC or veth receives) or one still in it. */
	if (skb->vlan_present || st->proto == ETH_P_8021Q || st->proto == ETH_P_8021AD)
		return SX3_VLAN;
	return l3_slot(st->proto);
}

static __always_inline int vlan_step(struct __sk_buff *skb, struct parse_state *st)
{
	ran(SX3_VLAN);
#pragma unroll
	for (int i = 0; i < MAX_INBAND_TAGS; i++) {
		struct vlan_hdr vh;

		if (st->proto != ETH_P_8021Q && st->proto != ETH_P_8021AD)
			break;
		if (LOAD(skb, st->off, &vh))
			return DONE;
		st->proto = bpf_ntohs(vh.h_vlan_encapsulated_proto);
		st->off += sizeof(vh);
	}
	return l3_slot(st->proto);
}

static __always_inline int ipv4_step(struct __sk_buff *skb, struct parse_state *st)
{
	struct iphdr iph;

	ran(SX3_IPV4);
	if (LOAD(skb, st->off, &iph) || iph.ihl < 5)
		return DONE;
	st->key.family = SOCKEX3_AF_INET;
	st->key.proto = iph.protocol;
	__builtin_memcpy(st->key.src, &iph.saddr, 4);
	__builtin_memcpy(st->key.dst, &iph.daddr, 4);
	st->ip_len = bpf_ntohs(iph.tot_len);
	st->off += iph.ihl * 4;
	if (iph.frag_off & bpf_htons(0x1fff)) { /* not the first fragment: no ports */
		count_flow(st);
		return DONE;
	}
	return l4_slot(st);
}

static __always_inline int ipv6_step(struct __sk_buff *skb, struct parse_state *st)
{
	struct ipv6hdr ip6h;

	ran(SX3_IPV6);
	if (LOAD(skb, st->off, &ip6h))
		return DONE;
	st->key.family = SOCKEX3_AF_INET6;
	st->key.proto = ip6h.nexthdr; /* extension headers are not walked */
	__builtin_memcpy(st->key.src, &ip6h.saddr, 16);
	__builtin_memcpy(st->key.dst, &ip6h.daddr, 16);
	st->ip_len = bpf_ntohs(ip6h.payload_len) + sizeof(ip6h);
	st->off += sizeof(ip6h);
	return l4_slot(st);
}

/* TCP and UDP both start with the two ports; stage says whose counter runs. */
static __always_inline int ports_step(struct __sk_buff *skb, struct parse_state *st, __u32 stage)
{
	__be16 ports[2];

	ran(stage);
	if (LOAD(skb, st->off, &ports))
		return DONE;
	st->key.sport = bpf_ntohs(ports[0]);
	st->key.dport = bpf_ntohs(ports[1]);
	count_flow(st);
	return DONE;
}

/* Jump to the next stage. One bpf_tail_call_static() per constant slot. */
static __always_inline int go(struct __sk_buff *skb, int slot)
{
	switch (slot) {
	case SX3_VLAN:
		return NEXT_STAGE(skb, SX3_VLAN);
	case SX3_IPV4:
		return NEXT_STAGE(skb, SX3_IPV4);
	case SX3_IPV6:
		return NEXT_STAGE(skb, SX3_IPV6);
	case SX3_TCP:
		return NEXT_STAGE(skb, SX3_TCP);
	case SX3_UDP:
		return NEXT_STAGE(skb, SX3_UDP);
	}
	return 0; /* DONE: the socket keeps no bytes, it only runs the parser */
}

/* ---- the stages --------------------------------------------------------- */

SEC("socket")
int parse_eth(struct __sk_buff *skb)
{
	struct parse_state *st = state();

	return st ? go(skb, eth_step(skb, st)) : 0;
}

SEC("socket")
int parse_vlan(struct __sk_buff *skb)
{
	struct parse_state *st = state();

	return st ? go(skb, vlan_step(skb, st)) : 0;
}

SEC("socket")
int parse_ipv4(struct __sk_buff *skb)
{
	struct parse_state *st = state();

	return st ? go(skb, ipv4_step(skb, st)) : 0;
}

SEC("socket")
int parse_ipv6(struct __sk_buff *skb)
{
	struct parse_state *st = state();

	return st ? go(skb, ipv6_step(skb, st)) : 0;
}

SEC("socket")
int parse_tcp(struct __sk_buff *skb)
{
	struct parse_state *st = state();

	if (!st)
		return 0;
	ports_step(skb, st, SX3_TCP);
	return 0;
}

SEC("socket")
int parse_udp(struct __sk_buff *skb)
{
	struct parse_state *st = state();

	if (!st)
		return 0;
	ports_step(skb, st, SX3_UDP);
	return 0;
}

/* The same UDP stage under another name and counter: user space swaps it into
 * slot SX3_UDP and back while packets flow. Not in the initializer. */
SEC("socket")
int parse_udp_b(struct __sk_buff *skb)
{
	struct parse_state *st = state();

	if (!st)
		return 0;
	ports_step(skb, st, SX3_UDP_B);
	return 0;
}

/* ---- the same parser as one program (for make bench) -------------------- */

/* parse_flat: the same steps, called in one program instead of chained by
 * tail calls, with the same maps and counters: bench/sockex3 runs both on the
 * same frames to measure what the tail calls cost. Not used by the sample. */
SEC("socket")
int parse_flat(struct __sk_buff *skb)
{
	struct parse_state *st = state();
	int next;

	if (!st)
		return 0;
	next = eth_step(skb, st);
	if (next == SX3_VLAN)
		next = vlan_step(skb, st);
	if (next == SX3_IPV4)
		next = ipv4_step(skb, st);
	else if (next == SX3_IPV6)
		next = ipv6_step(skb, st);
	if (next == SX3_TCP || next == SX3_UDP)
		ports_step(skb, st, next);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

#include "sockex3_traps_kern.h" /* traps */
