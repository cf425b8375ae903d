/* SPDX-License-Identifier: GPL-2.0 */
/*
 * common/xdp_outcome_kern.h - the BPF side of common/xdp_outcome.h: four
 * tp_btf programs that follow redirected frames to their outcome. Include it
 * once in a sample's _kern.c, after vmlinux.h and <bpf/bpf_helpers.h>.
 */
#ifndef SAMPLE_XDP_OUTCOME_KERN_H
#define SAMPLE_XDP_OUTCOME_KERN_H

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "xdp_outcome.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct xdp_outcome_key);
	__type(value, struct xdp_outcome);
} xdp_outcomes SEC(".maps");

/* The ingress devices whose events count (written by user space). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, struct xdp_outcome_dev);
	__type(value, __u8);
} xdp_out_devs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xdp_outcome_cfg);
} xdp_out_cfg SEC(".maps");

static __always_inline bool xdp_out_ours(const struct net_device *dev)
{
	struct xdp_outcome_dev d = {
		.netns = BPF_CORE_READ(dev, nd_net.net, ns.inum),
		.ifindex = BPF_CORE_READ(dev, ifindex),
	};

	return bpf_map_lookup_elem(&xdp_out_devs, &d) != NULL;
}

/* The row (kind, id), created on first use. Counters are added atomically:
 * the tracepoints fire per bulk, not per frame, so this is cheap. */
static __always_inline struct xdp_outcome *xdp_out_row(__u32 kind, __u32 id)
{
	struct xdp_outcome_key k = { .kind = kind, .id = id };
	struct xdp_outcome zero = {}, *v;

	v = bpf_map_lookup_elem(&xdp_outcomes, &k);
	if (v)
		return v;
	bpf_map_update_elem(&xdp_outcomes, &k, &zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(&xdp_outcomes, &k);
}

SEC("tp_btf/xdp_devmap_xmit")
int BPF_PROG(xdp_out_xmit, const struct net_device *from_dev, const struct net_device *to_dev,
	     int sent, int drops, int err)
{
	struct xdp_outcome *v;

	if (!xdp_out_ours(from_dev))
		return 0;
	v = xdp_out_row(XDP_OUT_EGRESS, BPF_CORE_READ(to_dev, ifindex));
	if (!v)
		return 0;
	__sync_fetch_and_add(&v->sent, sent);
	__sync_fetch_and_add(&v->dropped, drops);
	if (err) {
		__sync_fetch_and_add(&v->err_bulks, 1);
		v->last_err = err;
	}
	return 0;
}

SEC("tp_btf/xdp_redirect_err")
int BPF_PROG(xdp_out_redir_err, const struct net_device *dev, const struct bpf_prog *xdp,
	     const void *tgt, int err, enum bpf_map_type map_type, __u32 map_id, __u32 index)
{
	struct xdp_outcome *v;

	if (!xdp_out_ours(dev))
		return 0;
	v = xdp_out_row(XDP_OUT_INGRESS, BPF_CORE_READ(dev, ifindex));
	if (!v)
		return 0;
	__sync_fetch_and_add(&v->redirect_err, 1);
	v->last_err = err;
	return 0;
}

SEC("tp_btf/xdp_exception")
int BPF_PROG(xdp_out_exception, const struct net_device *dev, const struct bpf_prog *xdp, __u32 act)
{
	struct xdp_outcome *v;

	if (!xdp_out_ours(dev))
		return 0;
	v = xdp_out_row(XDP_OUT_INGRESS, BPF_CORE_READ(dev, ifindex));
	if (v)
		__sync_fetch_and_add(&v->exceptions, 1);
	return 0;
}

SEC("tp_btf/xdp_cpumap_enqueue")
int BPF_PROG(xdp_out_cpu_enq, int map_id, unsigned int processed, unsigned int drops, int to_cpu)
{
	__u32 zero = 0;
	struct xdp_outcome_cfg *cfg = bpf_map_lookup_elem(&xdp_out_cfg, &zero);
	struct xdp_outcome *v;

	if (!cfg || !cfg->cpumap_id || cfg->cpumap_id != (__u32)map_id)
		return 0;
	v = xdp_out_row(XDP_OUT_CPU, to_cpu);
	if (!v)
		return 0;
	__sync_fetch_and_add(&v->sent, processed - drops);
	__sync_fetch_and_add(&v->dropped, drops);
	return 0;
}

#endif /* SAMPLE_XDP_OUTCOME_KERN_H */
