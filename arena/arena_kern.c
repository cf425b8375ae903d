// SPDX-License-Identifier: GPL-2.0
/*
 * arena_kern.c - a linked list built by BPF programs in a BPF_MAP_TYPE_ARENA,
 * the memory that the programs and user space share with the same pointers.
 *
 * Two SEC("syscall") programs, run by user space with BPF_PROG_TEST_RUN:
 *   push         allocates nodes (pages from bpf_arena_alloc_pages()) and
 *                pushes values first .. first + count - 1 on the list
 *   free_newest  unlinks the nodes of the newest page, then frees the page
 *                with bpf_arena_free_pages()
 * and, for the traps only, peek (arena_traps_kern.h, included at the end).
 * The page kfuncs are sleepable-only here, and syscall programs are
 * sleepable: that is why the list is built from them.
 *
 * Needs clang >= 19: a pointer into the arena is declared in address space 1
 * (__arena below); clang then converts it with the kernel's address-space
 * cast instruction wherever it is dereferenced or stored.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#if !defined(__BPF_FEATURE_ADDR_SPACE_CAST)
#error "arena pointers need clang >= 19 (address_space(1) and the cast instructions)"
#endif
#define __arena __attribute__((address_space(1)))
#include "arena.h"

#define NUMA_NO_NODE (-1)
/* errno values are #defines of the C library, so vmlinux.h has none of them:
 * the ones the programs return, with the kernel's numbers. */
#define ENOENT 2
#define ENOMEM 12
#define E2BIG 7

/* The arena: max_entries is a number of 4 KiB pages. BPF_F_MMAPABLE is
 * required. Its user address (map_extra) is set by the loader before load:
 * libbpf 1.1 reads only 32 bits of map_extra from here. */
struct {
	__uint(type, BPF_MAP_TYPE_ARENA);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, ARENA_PAGES);
} arena SEC(".maps");

/* The kernel's page allocator of the arena, resolved by libbpf from the
 * kernel's BTF (__ksym). Both return/take user-space addresses. */
void __arena *bpf_arena_alloc_pages(void *map, void __arena *addr, __u32 page_cnt, int node_id,
				    __u64 flags) __ksym;
void bpf_arena_free_pages(void *map, void __arena *ptr, __u32 page_cnt) __ksym;

struct arena_list list; /* .bss: the head and the counters */
static struct arena_node __arena *cur_page; /* the page nodes come from */
static __u32 cur_used; /* nodes taken from it */

static struct arena_node __arena *node_alloc(void)
{
	if (!cur_page || cur_used == ARENA_NODES_PER_PAGE) {
		/* NULL: any free page. It returns NULL when none is left. */
		struct arena_node __arena *page =
			bpf_arena_alloc_pages(&arena, NULL, 1, NUMA_NO_NODE, 0);

		if (!page) {
			list.alloc_failed++;
			return NULL; /* cur_page stays the newest page */
		}
		cur_page = page;
		cur_used = 0;
		list.allocs++;
		list.pages++;
	}
	return &cur_page[cur_used++];
}

/* One node per bpf_loop() round: the verifier checks the callback once,
 * where a plain loop of up to count rounds would be walked round by round. */
static long push_one(__u64 i, struct arena_args *args)
{
	struct arena_node __arena *node = node_alloc();

	if (!node) {
		args->count = i; /* how many were pushed */
		return 1; /* stop */
	}
	node->value = args->first + i;
	node->next = list.head;
	list.head = node;
	list.nodes++;
	list.sum += args->first + i;
	return 0;
}

SEC("syscall")
int push(struct arena_args *args)
{
	struct arena_args a = *args; /* bpf_loop() hands on a stack pointer only */
	__u64 n = a.count;

	if (n > ARENA_PAGES * ARENA_NODES_PER_PAGE)
		return -E2BIG; /* more than the arena could ever hold */
	bpf_loop(n, push_one, &a, 0);
	args->count = a.count;
	if (a.count != n)
		return -ENOMEM; /* all max_entries pages in use */
	return 0;
}

#define PAGE_OF(p) ((__u64)(p) & ~(__u64)(ARENA_PAGE_SIZE - 1))

SEC("syscall")
int free_newest(struct arena_args *args)
{
	/* Nodes are pushed at the head: the head is on the newest page, and
	 * every node of that page comes before any node of an older one. */
	__u64 page = PAGE_OF(list.head);
	__u64 n = 0;

	if (!page)
		return -ENOENT; /* the list is empty */
	for (int i = 0; i < ARENA_NODES_PER_PAGE; i++) {
		struct arena_node __arena *h = list.head;

		if (!h || PAGE_OF(h) != page)
			break;
		list.head = h->next; /* unlink before the page goes */
		list.nodes--;
		list.sum -= h->value;
		n++;
	}
	bpf_arena_free_pages(&arena, (void __arena *)page, 1);
	list.frees++;
	list.pages--;
	if (PAGE_OF(cur_page) == page)
		cur_page = NULL; /* the next push takes a new page */
	args->count = n;
	args->addr = page;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

#include "arena_traps_kern.h" /* traps */
