/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sockex3_traps_kern.h - the BPF side of sockex3's traps, part of the same
 * object (included at the end of sockex3_kern.c): tail_loop, the stage in
 * slot SX3_LOOP that tail-calls itself until the kernel refuses, and
 * count_tail_calls, which starts such a chain under BPF_PROG_TEST_RUN. They
 * show the kernel's limit on tail calls per chain (sockex3_traps.c).
 * parse_state.depth and the PROG_ARRAY's SX3_LOOP slot exist for them.
 */

/* tail_loop: how many tail calls the kernel allowed in one chain. */
__u32 tail_calls_made = 0;

/* ---- the tail-call limit ------------------------------------------------ */

/* Entry: start a chain of tail_loop calling itself (run with BPF_PROG_TEST_RUN). */
SEC("socket")
int count_tail_calls(struct __sk_buff *skb)
{
	struct parse_state *st = state();

	if (!st)
		return 0;
	st->depth = 0;
	return NEXT_STAGE(skb, SX3_LOOP);
}

SEC("socket")
int tail_loop(struct __sk_buff *skb)
{
	struct parse_state *st = state();

	if (!st)
		return 0;
	ran(SX3_LOOP);
	st->depth++; /* we got here by one more tail call */
	bpf_tail_call_static(skb, &stages, SX3_LOOP);
	/* Only reached when the kernel refused the next jump. */
	tail_calls_made = st->depth;
	return fell_through(SX3_LOOP);
}
