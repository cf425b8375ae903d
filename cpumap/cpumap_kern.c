// SPDX-License-Identifier: GPL-2.0
/*
 * cpumap_kern.c - steer packets to a chosen CPU with a BPF_MAP_TYPE_CPUMAP and
 * count, per CPU, every stage a packet passes on its way into the stack.
 *
 *   XDP (receiving CPU) --bpf_redirect_map(&cpu_map, cpu)--> cpumap kthread on
 *   `cpu`: optional second XDP program (SEC("xdp/cpumap")), then an skb is
 *   built there and enters the stack there: tc ingress runs on `cpu` too.
 *
 * Each stage adds to its own field of a PERCPU_ARRAY slot, so the CPU a stage
 * ran on is simply the per-CPU copy it wrote: no key, no atomics.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "sample_kern.h"
#include "cpumap.h"
#include "xdp_outcome_kern.h" /* what happened after the redirect: common/xdp_outcome.h */

/* tc verdict "no opinion": pass to the next program / normal processing
 * (TCX_NEXT for tcx links, TC_ACT_UNSPEC for cls_bpf). */
#define TC_NEXT (-1)

/* Key = CPU id, value = struct bpf_cpumap_val { qsize, bpf_prog.fd }. User
 * space creates an entry per CPU of the set; the kernel starts one kthread
 * (cpumap/<cpu>/map:<id>) per entry. */
struct {
	__uint(type, BPF_MAP_TYPE_CPUMAP);
	__type(key, __u32);
	__type(value, struct bpf_cpumap_val);
	__uint(max_entries, CPUMAP_MAX_CPUS);
} cpu_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct stage_counts);
	__uint(max_entries, 1);
} stage_counts SEC(".maps");

/* Round-robin position, one per receiving CPU: no contention, and an exact
 * split when one CPU receives a multiple of the set size. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 1);
} rr_pos SEC(".maps");

/* --trace: a ring buffer, because it is shared by all CPUs and keeps the order
 * in which events were reserved; a perf buffer is per CPU, and the XDP, cpumap
 * and tc lines of one packet (written on different CPUs) would come out
 * grouped by CPU instead of in the order they happened. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

const volatile __u32 policy = CPUMAP_SAME;
const volatile __u32 cpu_set[CPUMAP_MAX_CPUS] = {};
const volatile __u32 cpu_set_len = 1;
const volatile __u32 trace = 0;

static __always_inline struct stage_counts *counts(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&stage_counts, &zero);
}

static __always_inline void emit(__u32 stage, __u32 len, __u32 target, __u32 action)
{
	struct cpumap_event *e;

	if (!trace)
		return;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return; /* buffer full: the counters still count */
	e->ts_ns = bpf_ktime_get_ns();
	e->cpu = bpf_get_smp_processor_id();
	e->stage = stage;
	e->target = target;
	e->len = len;
	e->action = action;
	e->pad = 0;
	bpf_ringbuf_submit(e, 0);
}

/* A symmetric hash of the address pair (both directions of a flow get the same
 * CPU); 0 for frames that are not IP. */
static __always_inline __u32 hash_ip_pair(void *data, void *data_end)
{
	struct ethhdr *eth = data;
	__u32 h = 0;

	if ((void *)(eth + 1) > data_end)
		return 0;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *iph = (void *)(eth + 1);

		if ((void *)(iph + 1) > data_end)
			return 0;
		h = iph->saddr ^ iph->daddr;
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		if ((void *)(ip6 + 1) > data_end)
			return 0;
		for (int i = 0; i < 4; i++)
			h ^= ip6->saddr.in6_u.u6_addr32[i] ^ ip6->daddr.in6_u.u6_addr32[i];
	}
	return h * 0x9e3779b1u; /* spread the bits (Fibonacci hashing) */
}

SEC("xdp")
int xdp_to_cpumap(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	struct stage_counts *c = counts();
	__u32 len = data_end - data, cpu, idx = 0, zero = 0, *pos;
	long ret;

	if (!c)
		return XDP_PASS;
	c->xdp++;

	if (policy == CPUMAP_SAME) {
		cpu = bpf_get_smp_processor_id();
	} else {
		if (policy == CPUMAP_RR) {
			pos = bpf_map_lookup_elem(&rr_pos, &zero);
			if (!pos)
				return XDP_PASS;
			idx = *pos;
			*pos = idx + 1 >= cpu_set_len ? 0 : idx + 1;
		} else {
			idx = cpu_set_len ? hash_ip_pair(data, data_end) % cpu_set_len : 0;
		}
		if (idx >= cpu_set_len)
			return XDP_DROP;
		/* The mask bounds the index for the verifier (64 is a power of 2). */
		cpu = cpu_set[idx & (CPUMAP_MAX_CPUS - 1)];
	}

	/* The low bits of flags are the action returned when the key has no
	 * entry: a CPU without an entry drops the packet, and we count it. */
	ret = bpf_redirect_map(&cpu_map, cpu, XDP_DROP);
	if (ret == XDP_REDIRECT)
		c->redirected++;
	else
		c->missing++;
	emit(STAGE_XDP, len, cpu, ret);
	return ret;
}

/* Runs in the cpumap kthread of the target CPU, on the xdp_frame, before the
 * skb is built. XDP_PASS lets the kernel build the skb (XDP_DROP would drop,
 * XDP_REDIRECT could send it on to a devmap). */
SEC("xdp/cpumap")
int cpumap_stage2(struct xdp_md *ctx)
{
	struct stage_counts *c = counts();

	if (c)
		c->cpumap_prog++;
	emit(STAGE_CPUMAP, ctx->data_end - ctx->data, 0, XDP_PASS);
	return XDP_PASS;
}

SEC("tc")
int tc_ingress(struct __sk_buff *skb)
{
	struct stage_counts *c = counts();

	if (c)
		c->tc_ingress++;
	emit(STAGE_TC_INGRESS, skb->len, 0, 0);
	return TC_NEXT;
}

SEC("tc")
int tc_egress(struct __sk_buff *skb)
{
	struct stage_counts *c = counts();

	if (c)
		c->tc_egress++;
	emit(STAGE_TC_EGRESS, skb->len, 0, 0);
	return TC_NEXT;
}

char LICENSE[] SEC("license") = "GPL";
