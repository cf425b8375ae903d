/* SPDX-License-Identifier: GPL-2.0 */
/*
 * arena_traps_kern.h - the program only arena's traps (arena_traps.c) and
 * tests/test_arena.c run, included at the end of arena_kern.c: same object,
 * same skeleton. A copy of the tool without its traps drops this file.
 *
 *   peek   reads 8 bytes at any arena address, as a program would
 */
#ifndef ARENA_TRAPS_KERN_H
#define ARENA_TRAPS_KERN_H

SEC("syscall")
int peek(struct arena_args *args)
{
	__u64 __arena *p = (__u64 __arena *)args->addr;

	/* The verifier ties a program to one arena through the maps it uses; a
	 * program that only dereferences arena pointers must still name it
	 * ("addr_space_cast insn can only be used in a program that has an
	 * associated arena" otherwise). */
	asm volatile("" : : "r"(&arena));
	args->value = *p; /* no page there: the load reads 0, it does not fail */
	return 0;
}

#endif /* ARENA_TRAPS_KERN_H */
