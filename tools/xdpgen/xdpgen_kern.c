// SPDX-License-Identifier: GPL-2.0
/*
 * tools/xdpgen/xdpgen_kern.c - the two XDP programs of the traffic generator.
 *
 * xdpgen_tx is never attached: user space runs it with BPF_PROG_TEST_RUN in
 * live-frame mode, and the kernel turns its XDP_TX into a transmit out of the
 * interface named as ingress_ifindex in the context.
 *
 * xdpgen_sink is attached to the receiving interface: it counts every frame
 * per CPU (packets, bytes, time of the first and last frame) and returns
 * sink_action (XDP_DROP, or XDP_PASS with --pass).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "sample_kern.h"
#include "xdpgen.h"

const volatile __u32 sink_action = XDP_DROP;

/* The frame's Ethernet + IPv4 + UDP headers, written by user space before
 * load. Live-frame mode recycles its pages without rewriting them, so a frame
 * that a router modified on its way (TTL, MAC addresses) would come back
 * modified in a later repetition: the generator writes the headers afresh
 * into every frame. */
#define XDPGEN_HDR_LEN	(14 + 20 + 8)
const volatile __u8 hdr[XDPGEN_HDR_LEN];

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct sinkrec);
	__uint(max_entries, 1);
} sink_stats SEC(".maps");

SEC("xdp")
int xdpgen_tx(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	if (data + XDPGEN_HDR_LEN > data_end)
		return XDP_ABORTED;
	/* Byte by byte through the volatile: a plain memcpy would let the
	 * compiler fold the (zero-initialized, const) array into zero stores. */
#pragma unroll
	for (int i = 0; i < XDPGEN_HDR_LEN; i++)
		((__u8 *)data)[i] = hdr[i];
	return XDP_TX;
}

SEC("xdp")
int xdpgen_sink(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u64 now = bpf_ktime_get_ns();
	__u32 key = 0;
	struct sinkrec *rec;

	rec = bpf_map_lookup_elem(&sink_stats, &key);
	if (rec) {
		/* This CPU's own copy, and XDP runs with preemption off: no
		 * other writer, so plain stores are exact. */
		if (!rec->packets)
			rec->first_ns = now;
		rec->last_ns = now;
		rec->packets++;
		rec->bytes += data_end - data;
	}
	return sink_action;
}

char LICENSE[] SEC("license") = "GPL";
