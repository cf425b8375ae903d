// SPDX-License-Identifier: GPL-2.0
/*
 * bench/xdpbench_alt/xdpbench_alt_kern.c - what `xdp-bench redirect-map` and
 * `xdp-bench redirect-cpu -p round-robin -r pass` (xdp-tools) load, for the B
 * side of two rows of make bench. Debian 12's xdp-tools 1.3.1 cannot load on
 * this kernel (its statistics attach a tp_btf program to
 * xdp_redirect_map_err, a tracepoint the kernel no longer has), so the same
 * work is rebuilt here, written for this project from the behaviour of
 * xdp-tools' programs:
 *
 *  - the XDP program counts the frame in an ARRAY slot indexed by the CPU id
 *    (xdp-bench's rx_cnt), then either swaps the MAC addresses and redirects
 *    through DEVMAP slot 0, or picks the next CPU round robin from three small
 *    control maps (count, per-CPU iterator, available CPUs) and redirects
 *    through the CPUMAP; on the remote CPU an XDP_PASS program runs;
 *  - with -X (xdp-bench's --load-egress) the DEVMAP entry carries an egress
 *    program that writes OUT's MAC as source;
 *  - the statistics xdp-bench collects by default, as tp_btf programs:
 *    xdp_devmap_xmit (per bulk of up to 16 frames, counted per (from, to)
 *    pair in a PERCPU_HASH) for redirect-map, xdp_cpumap_enqueue and
 *    xdp_cpumap_kthread (per bulk) for redirect-cpu, xdp_exception for both.
 *    -S leaves them out (the bare data path, for comparison).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "sample_kern.h"

const volatile __u32 nr_cpus = 1;
const volatile __u32 from_ifindex = 0;		/* statistics only for frames from here */
const volatile __u8 tx_mac[ETH_ALEN] = {};	/* -X: OUT's MAC */

/* One record per counter slot, as xdp-bench keeps them. */
struct rec {
	__u64 processed;
	__u64 dropped;
	__u64 issue;
};

/* Plain read-add-write: each slot is written by one CPU only. */
#define BUMP(x, n) (*(volatile __u64 *)&(x) = (x) + (n))

/* Key: CPU id; max_entries = nr_cpus, set before load. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct rec);
	__uint(max_entries, 1);
} rx_cnt SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__type(key, __u32);
	__type(value, struct bpf_devmap_val);
	__uint(max_entries, 1);
} tx_port SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CPUMAP);
	__type(key, __u32);
	__type(value, struct bpf_cpumap_val);
	__uint(max_entries, 64);
} cpu_map SEC(".maps");

/* Round robin over the configured CPUs: how many, where we are (per
 * receiving CPU), and which CPU each position names. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 1);
} cpus_count SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 1);
} cpus_iterator SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 64);
} cpus_available SEC(".maps");

/* Statistics maps (tp_btf programs). Key of xmit_cnt: from << 32 | to. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__type(key, __u64);
	__type(value, struct rec);
	__uint(max_entries, 1024);
} xmit_cnt SEC(".maps");

/* Key: to_cpu * nr_cpus + this CPU; max_entries = nr_cpus^2, set before load. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct rec);
	__uint(max_entries, 1);
} enqueue_cnt SEC(".maps");

/* Key: CPU id (the cpumap kthread's). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct rec);
	__uint(max_entries, 1);
} kthread_cnt SEC(".maps");

/* Key: action * nr_cpus + CPU id. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct rec);
	__uint(max_entries, 1);
} exception_cnt SEC(".maps");

static __always_inline struct rec *rx_count(void)
{
	__u32 cpu = bpf_get_smp_processor_id();

	return bpf_map_lookup_elem(&rx_cnt, &cpu);
}

SEC("xdp")
int alt_redirect_map(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u8 *eth = data, tmp[ETH_ALEN];
	struct rec *r;

	if (data + ETH_HLEN > data_end)
		return XDP_DROP;
	r = rx_count();
	if (!r)
		return XDP_PASS;
	BUMP(r->processed, 1);
	__builtin_memcpy(tmp, eth, ETH_ALEN);
	__builtin_memcpy(eth, eth + ETH_ALEN, ETH_ALEN);
	__builtin_memcpy(eth + ETH_ALEN, tmp, ETH_ALEN);
	return bpf_redirect_map(&tx_port, 0, 0);
}

SEC("xdp/devmap")
int alt_devmap_egress(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u8 *eth = data;

	if (data + ETH_HLEN > data_end)
		return XDP_DROP;
	__builtin_memcpy(eth + ETH_ALEN, (const __u8 *)tx_mac, ETH_ALEN);
	return XDP_PASS;
}

SEC("xdp")
int alt_redirect_cpu(struct xdp_md *ctx)
{
	__u32 zero = 0, pos, *count, *it, *cpu;
	struct rec *r;

	count = bpf_map_lookup_elem(&cpus_count, &zero);
	it = bpf_map_lookup_elem(&cpus_iterator, &zero);
	if (!count || !it)
		return XDP_ABORTED;
	pos = *it;
	*it = pos + 1 >= *count ? 0 : pos + 1;
	cpu = bpf_map_lookup_elem(&cpus_available, &pos);
	if (!cpu)
		return XDP_ABORTED;
	r = rx_count();
	if (!r)
		return XDP_PASS;
	BUMP(r->processed, 1);
	if (*cpu >= nr_cpus) {
		BUMP(r->issue, 1);
		return XDP_ABORTED;
	}
	return bpf_redirect_map(&cpu_map, *cpu, 0);
}

SEC("xdp/cpumap")
int alt_cpumap_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

/* ---- xdp-bench's default statistics ------------------------------------ */

SEC("tp_btf/xdp_devmap_xmit")
int BPF_PROG(alt_tp_devmap_xmit, const struct net_device *from_dev,
	     const struct net_device *to_dev, int sent, int drops, int err)
{
	__u64 key = (__u64)from_dev->ifindex << 32 | (__u32)to_dev->ifindex;
	struct rec empty = {}, *r;

	if (from_ifindex && from_dev->ifindex != from_ifindex)
		return 0;
	bpf_map_update_elem(&xmit_cnt, &key, &empty, BPF_NOEXIST);
	r = bpf_map_lookup_elem(&xmit_cnt, &key);
	if (!r)
		return 0;
	BUMP(r->processed, sent);
	BUMP(r->dropped, drops);
	if (err || drops < 0)
		BUMP(r->issue, 1);
	return 0;
}

SEC("tp_btf/xdp_cpumap_enqueue")
int BPF_PROG(alt_tp_cpumap_enqueue, int map_id, unsigned int processed,
	     unsigned int drops, int to_cpu)
{
	__u32 key = to_cpu * nr_cpus + bpf_get_smp_processor_id();
	struct rec *r = bpf_map_lookup_elem(&enqueue_cnt, &key);

	if (!r)
		return 0;
	BUMP(r->processed, processed);
	BUMP(r->dropped, drops);
	if (processed)
		BUMP(r->issue, 1);	/* bulks: processed / issue = average bulk */
	return 0;
}

SEC("tp_btf/xdp_cpumap_kthread")
int BPF_PROG(alt_tp_cpumap_kthread, int map_id, unsigned int processed,
	     unsigned int drops, int sched)
{
	__u32 key = bpf_get_smp_processor_id();
	struct rec *r = bpf_map_lookup_elem(&kthread_cnt, &key);

	if (!r)
		return 0;
	BUMP(r->processed, processed);
	BUMP(r->dropped, drops);
	if (sched)
		BUMP(r->issue, 1);
	return 0;
}

SEC("tp_btf/xdp_exception")
int BPF_PROG(alt_tp_exception, const struct net_device *dev, const struct bpf_prog *xdp,
	     __u32 act)
{
	__u32 key = (act > XDP_REDIRECT ? XDP_REDIRECT + 1 : act) * nr_cpus +
		    bpf_get_smp_processor_id();
	struct rec *r;

	if (from_ifindex && dev->ifindex != from_ifindex)
		return 0;
	r = bpf_map_lookup_elem(&exception_cnt, &key);
	if (r)
		BUMP(r->dropped, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
