/* SPDX-License-Identifier: GPL-2.0 */
/* arena.h - what arena_kern.c, arena_user.c and the tests share. No includes:
 * the BPF side gets __u64 from vmlinux.h, the user side from <linux/types.h>.
 *
 * A pointer into the arena is the same 64-bit number on both sides: the
 * user-space address of the byte. BPF code must mark such pointers with
 * address space 1 (__arena, defined by arena_kern.c before it includes this
 * file); for user space __arena is empty and they are plain pointers. */
#ifndef ARENA_H
#define ARENA_H

#ifndef __arena
#define __arena
#endif

/* max_entries of an ARENA counts pages, not elements: 16 pages of 4 KiB. */
#define ARENA_PAGES 16
#define ARENA_PAGE_SIZE 4096
/* One node of the list the BPF programs build: 16 bytes, 256 per page. */
#define ARENA_NODES_PER_PAGE (ARENA_PAGE_SIZE / 16)

struct arena_node {
	struct arena_node __arena *next; /* NULL ends the list */
	__u64 value;
};

/* The list's head and the allocator's bookkeeping, in the program's .bss
 * (an ordinary global, mmapped by the skeleton): user space reads head there
 * and follows the pointers through the arena's own mapping. */
struct arena_list {
	struct arena_node __arena *head; /* newest node first */
	__u64 nodes; /* nodes on the list */
	__u64 sum; /* of their values */
	__u64 pages; /* pages held now (allocated - freed) */
	__u64 allocs; /* bpf_arena_alloc_pages() calls that succeeded */
	__u64 frees; /* bpf_arena_free_pages() calls */
	__u64 alloc_failed; /* ... that returned NULL (arena full) */
};

/* The ctx of the SEC("syscall") programs, in and out (BPF_PROG_TEST_RUN
 * copies it back). */
struct arena_args {
	__u64 first; /* push: values first .. first + count - 1 */
	__u64 count; /* push: how many; free_newest: nodes unlinked */
	__u64 addr; /* peek: the arena address to read; free_newest: the page freed */
	__u64 value; /* peek: what BPF read there */
};

_Static_assert(sizeof(struct arena_node) == 16, "arena_node is shared with BPF");
_Static_assert(sizeof(struct arena_list) == 56, "arena_list is shared with BPF");
_Static_assert(sizeof(struct arena_args) == 32, "arena_args is shared with BPF");

#endif /* ARENA_H */
