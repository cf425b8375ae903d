// SPDX-License-Identifier: GPL-2.0
/*
 * bench/xdpbench_alt/xdpbench_alt_kern.c - the data path that `xdp-bench
 * redirect-map` and `xdp-bench redirect-cpu` (xdp-tools) run, for the B side
 * of two rows of make bench. Debian 12's xdp-tools 1.3.1 cannot load on this
 * kernel (its stats attach tp_btf programs to xdp_redirect_map_err, a
 * tracepoint the kernel no longer has), so the same work is rebuilt here:
 * count the frame per CPU, swap the MAC addresses, redirect through a DEVMAP
 * (slot 0) or a CPUMAP (the configured CPU); on the remote CPU an XDP_PASS
 * program ("--remote-action pass").
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "sample_kern.h"

const volatile __u32 target_cpu = 0;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
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

static __always_inline int count_and_swap(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u8 *eth = data, tmp[ETH_ALEN];
	__u32 key = 0;
	__u64 *cnt;

	if (data + ETH_HLEN > data_end)
		return -1;
	cnt = bpf_map_lookup_elem(&rx_cnt, &key);
	if (cnt)
		*cnt += 1;
	__builtin_memcpy(tmp, eth, ETH_ALEN);
	__builtin_memcpy(eth, eth + ETH_ALEN, ETH_ALEN);
	__builtin_memcpy(eth + ETH_ALEN, tmp, ETH_ALEN);
	return 0;
}

SEC("xdp")
int alt_redirect_map(struct xdp_md *ctx)
{
	if (count_and_swap(ctx))
		return XDP_DROP;
	return bpf_redirect_map(&tx_port, 0, 0);
}

SEC("xdp")
int alt_redirect_cpu(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 key = 0;
	__u64 *cnt;

	if (data + ETH_HLEN > data_end)
		return XDP_DROP;
	cnt = bpf_map_lookup_elem(&rx_cnt, &key);
	if (cnt)
		*cnt += 1;
	return bpf_redirect_map(&cpu_map, target_cpu, 0);
}

SEC("xdp/cpumap")
int alt_cpumap_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
