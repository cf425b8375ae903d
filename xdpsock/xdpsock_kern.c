// SPDX-License-Identifier: GPL-2.0
/*
 * xdpsock_kern.c - hand every frame of a receive queue to the AF_XDP socket
 * that user space put in the BPF_MAP_TYPE_XSKMAP slot of that queue.
 *
 * Key = rx queue id, value = an AF_XDP socket bound to that same interface and
 * queue. When the slot is empty, bpf_redirect_map() returns the fallback action
 * given in its flags (XDP_PASS here), so traffic of queues without a socket
 * still reaches the normal network stack.
 *
 * XDP_REDIRECT is only a request: the socket can still refuse the frame (its
 * fill ring is empty, its rx ring full, it is bound to another queue), and
 * xdp_do_redirect() then drops it. xdp_outcome_kern.h counts those refusals
 * from the kernel's xdp_redirect_err tracepoint, for this sample's interface.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "sample_kern.h"
#include "xdp_outcome_kern.h" /* redirects the socket refused: xdp_redirect_err */
#include "xdpsock.h"

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__type(key, __u32);
	__type(value, __u32); /* a socket fd on update; lookups only from BPF */
	__uint(max_entries, XDPSOCK_MAX_QUEUES);
} xsks_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct xdp_counts);
	__uint(max_entries, 1);
} xdp_counts SEC(".maps");

SEC("xdp")
int xdp_sock_prog(struct xdp_md *ctx)
{
	__u32 zero = 0;
	struct xdp_counts *c = bpf_map_lookup_elem(&xdp_counts, &zero);
	long ret;

	ret = bpf_redirect_map(&xsks_map, ctx->rx_queue_index, XDP_PASS);
	if (c) {
		if (ret == XDP_REDIRECT)
			c->redirected++;
		else
			c->passed++;
	}
	return ret;
}

char LICENSE[] SEC("license") = "GPL";
