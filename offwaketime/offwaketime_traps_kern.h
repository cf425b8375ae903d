/* SPDX-License-Identifier: GPL-2.0 */
/*
 * offwaketime_traps_kern.h - the BPF side of the traps only (included at the
 * end of offwaketime_kern.c: the same object, the same skeleton).
 *
 *   raw_tp stack_probe   never attached: run by BPF_PROG_TEST_RUN from user
 *                        space to show the STACK_TRACE map's traps on the
 *                        caller's own user stack
 *   tiny_stacks          a STACK_TRACE map of one bucket: the second distinct
 *                        stack collides
 */
#ifndef OFFWAKETIME_TRAPS_KERN_H
#define OFFWAKETIME_TRAPS_KERN_H

/* stack_probe's input and outputs. */
__u64 probe_flags;
__s64 probe_id, probe_len;
__u32 probe_tiny; /* 1: use tiny_stacks */
__u64 probe_frames[OWT_MAX_DEPTH];

/* One bucket: the second distinct stack collides (the traps). */
struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__uint(value_size, OWT_MAX_DEPTH * sizeof(__u64));
} tiny_stacks SEC(".maps");

SEC("raw_tp/sys_enter")
int stack_probe(void *ctx)
{
	/* The flags are checked at run time: an unknown bit is -EINVAL. */
	if (probe_tiny)
		probe_id = bpf_get_stackid(ctx, &tiny_stacks, probe_flags);
	else
		probe_id = bpf_get_stackid(ctx, &stacks, probe_flags);
	/* The same frames copied out, no map: what bpf_get_stack() is for. */
	probe_len = bpf_get_stack(ctx, probe_frames, sizeof(probe_frames),
				  probe_flags & (BPF_F_USER_STACK | BPF_F_SKIP_FIELD_MASK));
	return 0;
}

#endif /* OFFWAKETIME_TRAPS_KERN_H */
