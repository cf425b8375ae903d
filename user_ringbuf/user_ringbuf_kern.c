// SPDX-License-Identifier: GPL-2.0
/*
 * user_ringbuf_kern.c - a control plane for an XDP filter through a
 * BPF_MAP_TYPE_USER_RINGBUF: user space writes variable-size commands into
 * the ring; a SEC("syscall") program drains them with bpf_user_ringbuf_drain()
 * and applies them to the rules HASH the data path reads, answering each with
 * an acknowledgement in a BPF_MAP_TYPE_RINGBUF.
 *
 * Why a syscall program to drain: user space runs it (BPF_PROG_TEST_RUN) right
 * after submitting, so a batch of commands is applied by one system call, and
 * when it returns the rules are in place. Draining from the XDP program itself
 * would put the control plane's work on a packet's path; from a tracepoint,
 * it would run whenever that event happens, not when there is work.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "sample_kern.h"
#include "user_ringbuf.h"

/* The errno values an ack carries (vmlinux.h has no errno.h). */
#define E2BIG 7
#define EINVAL 22

struct {
	__uint(type, BPF_MAP_TYPE_USER_RINGBUF);
	__uint(max_entries, 256 * 1024); /* bytes, a power of 2 of pages */
} cmds SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} acks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32); /* IPv4 source address, network order */
	__type(value, struct urb_rule);
} rules SEC(".maps");

/* Read by user space (skel->bss): commands drained, acks that found the ack
 * ring full, IPv4 packets the filter saw. */
__u64 drained_total, acks_lost, packets;

static long zero_hits(struct bpf_map *map, __u32 *key, struct urb_rule *rule, __u32 *changed)
{
	rule->hits = 0;
	(*changed)++;
	return 0;
}

/* The drain's callback: one command per call. Return 0 to go on, 1 to stop. */
static long apply(struct bpf_dynptr *dynptr, void *ctx)
{
	struct urb_cmd cmd;
	struct urb_ack *ack;
	struct urb_rule rule = {};
	__s32 result = 0;
	__u32 applied = 0;

	if (bpf_dynptr_read(&cmd, sizeof(cmd), dynptr, 0, 0))
		return 0; /* shorter than a header: skip it */
	if ((cmd.op == URB_ADD || cmd.op == URB_DEL) && cmd.n > URB_MAX_ADDRS)
		result = -E2BIG;
	else if (cmd.op == URB_ADD || cmd.op == URB_DEL) {
		rule.action = cmd.action;
		for (__u32 i = 0; i < URB_MAX_ADDRS && i < cmd.n; i++) {
			__u32 addr;
			long err;

			/* A record shorter than n addresses fails here. */
			err = bpf_dynptr_read(&addr, sizeof(addr), dynptr,
					      sizeof(cmd) + i * sizeof(addr), 0);
			if (!err)
				err = cmd.op == URB_ADD ?
					      bpf_map_update_elem(&rules, &addr, &rule, BPF_ANY) :
					      bpf_map_delete_elem(&rules, &addr);
			if (err) {
				result = err;
				break;
			}
			applied++;
		}
	} else if (cmd.op == URB_RESET) {
		bpf_for_each_map_elem(&rules, zero_hits, &applied, 0);
	} else if (cmd.op != URB_STOP) {
		result = -EINVAL; /* unknown op */
	}

	ack = bpf_ringbuf_reserve(&acks, sizeof(*ack), 0);
	if (ack) {
		ack->seq = cmd.seq;
		ack->op = cmd.op;
		ack->result = result;
		ack->applied = applied;
		bpf_ringbuf_submit(ack, 0);
	} else {
		__sync_fetch_and_add(&acks_lost, 1);
	}
	return cmd.op == URB_STOP;
}

/* Run by user space with BPF_PROG_TEST_RUN: drain what is there. The return
 * value (test_run's retval) is how many commands were drained, or -errno. */
SEC("syscall")
int apply_cmds(void *ctx)
{
	long n = bpf_user_ringbuf_drain(&cmds, apply, NULL, 0);

	if (n > 0)
		__sync_fetch_and_add(&drained_total, n);
	return n;
}

/* The data path: drop what a rule says to drop, count every match. */
SEC("xdp")
int rule_filter(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct urb_rule *rule;
	struct iphdr *iph;

	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	iph = (void *)(eth + 1);
	if ((void *)(iph + 1) > data_end)
		return XDP_PASS;
	__sync_fetch_and_add(&packets, 1);
	rule = bpf_map_lookup_elem(&rules, &iph->saddr);
	if (!rule)
		return XDP_PASS;
	__sync_fetch_and_add(&rule->hits, 1);
	return rule->action == URB_DROP ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
