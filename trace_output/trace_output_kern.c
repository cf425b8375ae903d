// SPDX-License-Identifier: GPL-2.0
/*
 * trace_output_kern.c - stream one record per write() of one process to user
 * space, three ways:
 *
 *   write_perf       bpf_perf_event_output() into a BPF_MAP_TYPE_PERF_EVENT_ARRAY:
 *                    one ring per CPU, the record is copied from the stack
 *   write_ringbuf    bpf_ringbuf_reserve() + bpf_ringbuf_submit() in a
 *                    BPF_MAP_TYPE_RINGBUF: one ring shared by all CPUs, the
 *                    record is built in place, no copy
 *   write_rb_output  bpf_ringbuf_output(): the same shared ring, the record is
 *                    built on the stack and copied (like perf, but one ring)
 *
 * User space loads exactly one of the three (bpf_program__set_autoload), so the
 * same hook, filter and record are compared run against run.
 *
 * A tracepoint (not a kprobe): syscalls/sys_enter_write has a stable layout,
 * args[] are the syscall's arguments, and it exists on every kernel built with
 * CONFIG_FTRACE_SYSCALLS.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "sample_kern.h"
#include "trace_output.h"

/* Set by user space before load. target_tgid 0 would match nothing useful
 * (pid 0 is the idle task), so user space always sets it. */
const volatile __u32 target_tgid = 0;
const volatile __u64 cookie = 0;
/* Ring buffer modes: when to wake the consumer. 0 = adaptive (only when it
 * has caught up), BPF_RB_NO_WAKEUP (never: it must poll on a timer) or
 * BPF_RB_FORCE_WAKEUP (after every record). */
const volatile __u64 rb_wakeup = 0;

/* Kernel-side counters in .bss, read by user space through the skeleton (the
 * .bss map is mmap()ed: skel->bss->matched). */
__u64 matched = 0; /* writes of the watched process: the next seq */
__u64 output_failed = 0; /* records that did not fit: perf output or ring
				 * buffer reserve/output returned an error */

/* One perf ring per CPU. max_entries 0: libbpf sets it to the number of
 * possible CPUs at load. The values are perf event fds, which
 * perf_buffer__new() opens (one per CPU) and stores here. */
struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} perf_events SEC(".maps");

/* One ring shared by all CPUs. max_entries is its size in bytes: a power of 2
 * and a multiple of the page size. User space resizes it before load. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} ringbuf SEC(".maps");

/* Common filter: the watched process only. bpf_get_current_pid_tgid() returns
 * tgid << 32 | tid, both as the initial pid namespace numbers them. */
static __always_inline bool watched(__u64 id)
{
	return (__u32)(id >> 32) == target_tgid;
}

static __always_inline void fill(struct write_event *e, struct trace_event_raw_sys_enter *ctx,
				 __u64 id)
{
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->cookie = cookie;
	e->count = ctx->args[2]; /* write(fd, buf, count) */
	e->fd = ctx->args[0];
	/* Atomic: two threads of the process can write() on two CPUs at once. */
	e->seq = __sync_fetch_and_add(&matched, 1);
	e->ts_ns = bpf_ktime_get_ns();
	e->cpu = bpf_get_smp_processor_id();
}

SEC("tp/syscalls/sys_enter_write")
int write_perf(struct trace_event_raw_sys_enter *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct write_event e = {};

	if (!watched(id))
		return 0;
	fill(&e, ctx, id);
	/* BPF_F_CURRENT_CPU: the ring of the CPU we run on (the only one this
	 * program may write). It fails with -ENOSPC when that ring is full; the
	 * kernel then also counts the record as lost and tells user space with
	 * a PERF_RECORD_LOST, but only once a later record fits in that ring. */
	if (bpf_perf_event_output(ctx, &perf_events, BPF_F_CURRENT_CPU, &e, sizeof(e)))
		__sync_fetch_and_add(&output_failed, 1);
	return 0;
}

SEC("tp/syscalls/sys_enter_write")
int write_ringbuf(struct trace_event_raw_sys_enter *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct write_event *e;

	if (!watched(id))
		return 0;
	/* Reserve space in the shared ring first: NULL when it is full. The ring
	 * buffer keeps no lost count of its own, so this counter is the only
	 * place a drop is recorded. */
	e = bpf_ringbuf_reserve(&ringbuf, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&matched, 1); /* the seq it would have had */
		__sync_fetch_and_add(&output_failed, 1);
		return 0;
	}
	fill(e, ctx, id);
	/* Flags 0: wake the consumer only if it has caught up (adaptive);
	 * BPF_RB_NO_WAKEUP / BPF_RB_FORCE_WAKEUP override that per record. */
	bpf_ringbuf_submit(e, rb_wakeup);
	return 0;
}

SEC("tp/syscalls/sys_enter_write")
int write_rb_output(struct trace_event_raw_sys_enter *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct write_event e = {};

	if (!watched(id))
		return 0;
	fill(&e, ctx, id);
	/* Reserve + copy + submit in one call; -EAGAIN when the ring is full. */
	if (bpf_ringbuf_output(&ringbuf, &e, sizeof(e), rb_wakeup))
		__sync_fetch_and_add(&output_failed, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
