// SPDX-License-Identifier: GPL-2.0
/*
 * events_kern.c - row 2 of `make bench`: event delivery from one producer to
 * one consumer, BPF_MAP_TYPE_RINGBUF vs BPF_MAP_TYPE_PERF_EVENT_ARRAY.
 *
 * The producer is an XDP program run by BPF_PROG_TEST_RUN with repeat=N on one
 * CPU: every run emits EVENTS_BURST records of trace_output's layout (struct
 * write_event, 48 bytes) back to back, the way trace_output's programs do: reserve +
 * submit into the ring buffer (trace_output -m ringbuf, adaptive wakeup) or
 * bpf_perf_event_output() into this CPU's perf ring (-m perf). A record that
 * does not fit is counted in `failed`; user space checks
 * received + failed == produced.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "../../trace_output/trace_output.h"	/* struct write_event */
#include "events.h"

const volatile __u64 cookie = 0;

__u64 produced = 0;	/* records attempted: the next seq */
__u64 failed = 0;	/* records that did not fit */

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} perf_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);	/* trace_output's default */
} ringbuf SEC(".maps");

static __always_inline void fill(struct write_event *e, struct xdp_md *ctx)
{
	e->pid = 0;
	e->tid = 0;
	e->cookie = cookie;
	e->count = ctx->data_end - ctx->data;
	e->fd = 0;
	e->seq = produced++;	/* one producer CPU: a plain add is exact */
	e->ts_ns = bpf_ktime_get_ns();
	e->cpu = bpf_get_smp_processor_id();
}

SEC("xdp")
int emit_ringbuf(struct xdp_md *ctx)
{
	for (int i = 0; i < EVENTS_BURST; i++) {
		struct write_event *e = bpf_ringbuf_reserve(&ringbuf, sizeof(*e), 0);

		if (!e) {
			produced++;
			failed++;
			continue;
		}
		fill(e, ctx);
		bpf_ringbuf_submit(e, 0);	/* adaptive wakeup, trace_output's default */
	}
	return XDP_PASS;
}

SEC("xdp")
int emit_perf(struct xdp_md *ctx)
{
	for (int i = 0; i < EVENTS_BURST; i++) {
		struct write_event e = {};

		fill(&e, ctx);
		if (bpf_perf_event_output(ctx, &perf_events, BPF_F_CURRENT_CPU, &e, sizeof(e)))
			failed++;
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
