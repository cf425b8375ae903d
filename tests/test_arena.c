// SPDX-License-Identifier: GPL-2.0
/* arena: a list built by BPF in a BPF_MAP_TYPE_ARENA, walked through the
 * mapping with exact node counts and sums; pages before and after a free;
 * what a freed page reads from BPF and from user space; the flags and
 * addresses the kernel refuses. */
#include <setjmp.h>
#include <signal.h>
#include <unistd.h>
#include <sys/mman.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "harness.h"
#include "arena.h"
#include "arena.skel.h"

/* A fixed address for the tests' arenas (the sample reserves one instead):
 * 32 TiB, inside one 4 GiB block. MAP_FIXED_NOREPLACE refuses to map over
 * anything already there. */
#define T_ADDR		(1ull << 45)
#define T_SIZE		((size_t)ARENA_PAGES * ARENA_PAGE_SIZE)
#define T_PER_PAGE	ARENA_NODES_PER_PAGE
#define SEGV_ON_FAULT	(1U << 17)	/* BPF_F_SEGV_ON_FAULT, kernel 6.9 */

/*
 * The one thing this machine may refuse, probed once before the first case
 * (the test's own probe, not the sample's): is BPF_MAP_TYPE_ARENA in the
 * kernel's BTF (Linux >= 6.9), and does a bare BPF_MAP_CREATE of an ARENA
 * (BPF_F_MMAPABLE, 2 pages) succeed? Every case skips on exactly those two
 * answers, the type absent or EPERM, with that reason; any other failure of
 * the probe fails the case probe, and the other cases run and fail
 * on their own.
 */
static int probe_done;
static char refused[200];	/* non-empty: skip every case with this */
static char probe_error[200];	/* non-empty: the probe failed otherwise */

static void probe_arena(void)
{
	LIBBPF_OPTS(bpf_map_create_opts, mo, .map_flags = BPF_F_MMAPABLE);
	const struct btf_type *t;
	const struct btf_enum *e;
	struct btf *btf;
	int id, i, fd, has_type = 0;

	if (probe_done)
		return;
	probe_done = 1;
	btf = btf__load_vmlinux_btf();
	if (!btf) {
		snprintf(probe_error, sizeof(probe_error), "reading the kernel's BTF: %s",
			 strerror(errno));
		return;
	}
	id = btf__find_by_name_kind(btf, "bpf_map_type", BTF_KIND_ENUM);
	t = id > 0 ? btf__type_by_id(btf, id) : NULL;
	for (i = 0; t && i < btf_vlen(t); i++) {
		e = btf_enum(t) + i;
		if (!strcmp(btf__name_by_offset(btf, e->name_off), "BPF_MAP_TYPE_ARENA"))
			has_type = 1;
	}
	btf__free(btf);
	if (!has_type) {
		snprintf(refused, sizeof(refused), "the kernel's BTF (enum bpf_map_type) has no "
			 "BPF_MAP_TYPE_ARENA: arenas need Linux >= 6.9");
		return;
	}
	fd = bpf_map_create(33, "t_arena_probe", 0, 0, 2, &mo);
	if (fd >= 0) {
		close(fd);
		return;
	}
	if (errno == EPERM) {
		snprintf(refused, sizeof(refused), "this machine refuses to create an ARENA map: "
			 "BPF_MAP_CREATE type 33 (BPF_F_MMAPABLE, 2 pages) -> EPERM");
		return;
	}
	snprintf(probe_error, sizeof(probe_error), "BPF_MAP_CREATE type 33 (BPF_F_MMAPABLE, "
		 "2 pages): %s", strerror(errno));
}

/* At the top of every case: skip it where the probe was refused. */
#define SKIP_IF_REFUSED()						\
	do {								\
		probe_arena();						\
		if (refused[0])						\
			SKIP("%s", refused);				\
	} while (0)

/* The probe as a case of its own, first: PASS where the kernel made the
 * arena, SKIP with the refusal, FAIL on any other answer. The end-to-end and
 * robustness suites run this case alone (tests/lib.sh, refused) to learn
 * what the demo must do here. */
TEST(arena, probe)
{
	SKIP_IF_REFUSED();
	CHECK(!probe_error[0], "%s", probe_error);
}

/* Open, set map_extra (and extra map flags), load, map. NULL after a
 * recorded failure. */
static struct arena *arena_up(__u32 flags)
{
	struct arena *skel = arena__open();
	const void *m;
	size_t sz = 0;

	if (!skel)
		return NULL;
	if (bpf_map__set_map_extra(skel->maps.arena, T_ADDR) ||
	    (flags && bpf_map__set_map_flags(skel->maps.arena, BPF_F_MMAPABLE | flags)) ||
	    arena__load(skel)) {
		harness_fail(__FILE__, __LINE__, "loading arena: %s", strerror(errno));
		arena__destroy(skel);
		return NULL;
	}
	m = bpf_map__initial_value(skel->maps.arena, &sz);	/* libbpf >= 1.4 */
	if (!m)
		m = mmap((void *)T_ADDR, T_SIZE, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_FIXED_NOREPLACE, bpf_map__fd(skel->maps.arena), 0);
	if (m != (void *)T_ADDR) {
		harness_fail(__FILE__, __LINE__, "arena mapped at %p: %s", m, strerror(errno));
		arena__destroy(skel);
		return NULL;
	}
	return skel;
}

static void arena_down(struct arena *skel)
{
	arena__destroy(skel);
	munmap((void *)T_ADDR, T_SIZE);
}

/* Run program p with args as ctx: its return value, or -errno. */
static int prog_run(struct bpf_program *p, struct arena_args *args)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .ctx_in = args, .ctx_size_in = sizeof(*args));

	return bpf_prog_test_run_opts(bpf_program__fd(p), &o) ? -errno : (int)o.retval;
}

static int push(struct arena *skel, __u64 first, __u64 count, __u64 *pushed)
{
	struct arena_args a = { .first = first, .count = count };
	int err = prog_run(skel->progs.push, &a);

	if (pushed)
		*pushed = a.count;
	return err;
}

static __u64 peek(struct arena *skel, __u64 addr)
{
	struct arena_args a = { .addr = addr, .value = ~0ull };

	CHECK_ERR(prog_run(skel->progs.peek, &a), 0);
	return a.value;
}

/* 1..1000 pushed by BPF: user space walks exactly 1000 nodes, newest first
 * (1000, 999 ... 1), sum 500,500, on 4 pages (256 nodes each). */
TEST(arena, walk_exact_nodes_and_sum)
{
	struct arena *skel;
	const struct arena_node *n;
	__u64 nodes = 0, sum = 0, expect = 1000, in_order = 1;

	SKIP_IF_REFUSED();
	skel = arena_up(0);
	REQUIRE(skel, "arena_up");
	CHECK_ERR(push(skel, 1, 1000, NULL), 0);
	for (n = skel->bss->list.head; n && nodes <= 5000; n = n->next, nodes++) {
		sum += n->value;
		in_order &= n->value == expect--;
		CHECK((__u64)(unsigned long)n - T_ADDR < T_SIZE, "node %p outside the arena", n);
	}
	CHECK_U64(nodes, 1000);
	CHECK_U64(sum, 500500);
	CHECK_U64(in_order, 1);
	CHECK_U64(skel->bss->list.nodes, 1000);
	CHECK_U64(skel->bss->list.sum, 500500);
	CHECK_U64(skel->bss->list.pages, 4);
	CHECK_U64(skel->bss->list.allocs, 4);
	arena_down(skel);
}

/* 600 nodes take 3 pages (256 + 256 + 88). Freeing the newest page unlinks
 * its 88 nodes (values 513..600) and leaves 2 pages; the next free, 256
 * nodes and 1 page. The walk agrees each time. */
TEST(arena, pages_before_and_after_free)
{
	struct arena *skel;
	struct arena_args fr = {};
	const struct arena_node *n;
	__u64 nodes = 0, sum = 0;

	SKIP_IF_REFUSED();
	skel = arena_up(0);
	REQUIRE(skel, "arena_up");
	CHECK_ERR(push(skel, 1, 600, NULL), 0);
	CHECK_U64(skel->bss->list.pages, 3);
	CHECK_ERR(prog_run(skel->progs.free_newest, &fr), 0);
	CHECK_U64(fr.count, 88);
	CHECK_U64(fr.addr, T_ADDR + 2 * ARENA_PAGE_SIZE);
	CHECK_U64(skel->bss->list.pages, 2);
	for (n = skel->bss->list.head; n && nodes <= 5000; n = n->next, nodes++)
		sum += n->value;
	CHECK_U64(nodes, 512);
	CHECK_U64(sum, 512 * 513 / 2);
	CHECK_U64(skel->bss->list.head->value, 512);
	CHECK_ERR(prog_run(skel->progs.free_newest, &fr), 0);
	CHECK_U64(fr.count, 256);
	CHECK_U64(fr.addr, T_ADDR + ARENA_PAGE_SIZE);
	CHECK_U64(skel->bss->list.pages, 1);
	CHECK_U64(skel->bss->list.nodes, 256);
	CHECK_U64(skel->bss->list.frees, 2);
	arena_down(skel);
}

/* max_entries counts pages: 16 x 256 nodes fit, one more node does not
 * (ENOMEM from the program, alloc_failed 1), and more than 4096 at once is
 * refused before any work (E2BIG). */
TEST(arena, max_entries_is_pages)
{
	struct arena *skel;
	__u64 pushed = 0;

	SKIP_IF_REFUSED();
	skel = arena_up(0);
	REQUIRE(skel, "arena_up");
	CHECK_U64(bpf_map__max_entries(skel->maps.arena), ARENA_PAGES);
	CHECK_ERR(push(skel, 1, ARENA_PAGES * T_PER_PAGE + 1, NULL), -E2BIG);
	CHECK_ERR(push(skel, 1, ARENA_PAGES * T_PER_PAGE, &pushed), 0);
	CHECK_U64(pushed, 4096);
	CHECK_U64(skel->bss->list.pages, 16);
	CHECK_ERR(push(skel, 5000, 1, &pushed), -ENOMEM);
	CHECK_U64(pushed, 0);
	CHECK_U64(skel->bss->list.alloc_failed, 1);
	CHECK_U64(skel->bss->list.nodes, 4096);
	arena_down(skel);
}

/* A BPF load where no page is reads 0 and the program goes on; BPF uses
 * only the low 32 bits of an arena address. */
TEST(arena, bpf_fault_reads_zero)
{
	struct arena *skel;
	__u64 v;

	SKIP_IF_REFUSED();
	skel = arena_up(0);
	REQUIRE(skel, "arena_up");
	CHECK_U64(peek(skel, T_ADDR + 5 * ARENA_PAGE_SIZE), 0);
	CHECK_ERR(push(skel, 41, 2, NULL), 0);			/* 41, 42 */
	v = (__u64)(unsigned long)&skel->bss->list.head->value;
	CHECK_U64(v, T_ADDR + 16 + 8);				/* 2nd node of page 0 */
	CHECK_U64(peek(skel, v), 42);
	CHECK_U64(peek(skel, v & 0xffffffffull), 42);		/* upper half ignored */
	CHECK_U64(peek(skel, v + 0x500000000ull), 42);
	arena_down(skel);
}

/* After bpf_arena_free_pages() the node's old value is gone: BPF reads 0.
 * A user read there gets 0 too, from a new zeroed page that the fault
 * allocated: the arena then fits one page less (14 more pages, not 15). */
TEST(arena, freed_page_reads_zero_and_user_fault_takes_a_page)
{
	struct arena *skel;
	struct arena_args fr = {};
	volatile const __u64 *val;
	__u64 pushed = 0;

	SKIP_IF_REFUSED();
	skel = arena_up(0);
	REQUIRE(skel, "arena_up");
	CHECK_ERR(push(skel, 1, 300, NULL), 0);		/* page 0 full, 44 on page 1 */
	val = &skel->bss->list.head->value;
	CHECK_U64(*val, 300);
	CHECK_U64(peek(skel, (__u64)(unsigned long)val), 300);
	CHECK_ERR(prog_run(skel->progs.free_newest, &fr), 0);
	CHECK_U64(fr.count, 44);
	CHECK_U64(peek(skel, (__u64)(unsigned long)val), 0);
	CHECK_U64(*val, 0);					/* the fault made a page */
	CHECK_ERR(push(skel, 1000, ARENA_PAGES * T_PER_PAGE, &pushed), -ENOMEM);
	CHECK_U64(pushed, 14 * T_PER_PAGE);
	arena_down(skel);
}

static sigjmp_buf jb;
static void on_segv(int sig) { siglongjmp(jb, 1); }

/* *p into *out; 1 if the read raised SIGSEGV (then *out is untouched). */
static int read_or_fault(volatile const __u64 *p, __u64 *out)
{
	struct sigaction sa = { .sa_handler = on_segv }, old;
	int faulted;

	sigaction(SIGSEGV, &sa, &old);
	faulted = sigsetjmp(jb, 1);
	if (!faulted)
		*out = *p;
	sigaction(SIGSEGV, &old, NULL);
	return faulted;
}

/* With BPF_F_SEGV_ON_FAULT the same user read raises SIGSEGV instead, and
 * no page is taken: 15 more pages fit. */
TEST(arena, segv_on_fault)
{
	struct arena *skel;
	struct arena_args fr = {};
	volatile const __u64 *val;
	__u64 pushed = 0, seen = 7;

	SKIP_IF_REFUSED();
	skel = arena_up(SEGV_ON_FAULT);
	REQUIRE(skel, "arena_up");
	CHECK_U64(bpf_map__map_flags(skel->maps.arena), BPF_F_MMAPABLE | SEGV_ON_FAULT);
	CHECK_ERR(push(skel, 1, 300, NULL), 0);
	val = &skel->bss->list.head->value;
	CHECK_U64(*val, 300);				/* BPF's page: readable */
	CHECK_ERR(prog_run(skel->progs.free_newest, &fr), 0);
	CHECK_U64(read_or_fault(val, &seen), 1);
	CHECK_U64(seen, 7);
	CHECK_ERR(push(skel, 1000, ARENA_PAGES * T_PER_PAGE, &pushed), -ENOMEM);
	CHECK_U64(pushed, 15 * T_PER_PAGE);
	arena_down(skel);
}

/* Without map_extra, libbpf 1.1 creates the arena, does not map it, and the
 * verifier refuses the programs (EINVAL: "arena's user address must be set
 * via map_extra or mmap()"). libbpf >= 1.4 maps it at creation, before the
 * programs load, so the same load succeeds there. */
TEST(arena, load_needs_user_address)
{
	struct arena *skel;
	libbpf_print_fn_t old;
	size_t sz = 0;
	int err;

	SKIP_IF_REFUSED();
	skel = arena__open();
	REQUIRE(skel, "arena__open: %s", strerror(errno));
	old = libbpf_set_print(NULL);	/* the refusal is expected: keep its log quiet */
	err = arena__load(skel);
	libbpf_set_print(old);
	if (libbpf_major_version() == 1 && libbpf_minor_version() < 4) {
		CHECK_ERR(err, -EINVAL);
	} else {
		CHECK_ERR(err, 0);
		CHECK(bpf_map__initial_value(skel->maps.arena, &sz) != NULL,
		      "libbpf %u.%u did not map the arena", libbpf_major_version(),
		      libbpf_minor_version());
	}
	arena__destroy(skel);
}

/* What the kernel refuses at map creation: a user range that crosses a
 * 4 GiB boundary (ERANGE), a map_extra that is not page aligned (EINVAL),
 * more than 4 GiB of pages (E2BIG), an arena without BPF_F_MMAPABLE
 * (EINVAL); and element syscalls on it (EINVAL). */
TEST(arena, create_refusals)
{
	LIBBPF_OPTS(bpf_map_create_opts, mo, .map_flags = BPF_F_MMAPABLE);
	__u64 key = 0, v;
	int fd;

	SKIP_IF_REFUSED();
	mo.map_extra = (1ull << 45) - ARENA_PAGE_SIZE;
	CHECK_ERR(bpf_map_create(33, "t_arena", 0, 0, 2, &mo), -ERANGE);
	mo.map_extra = T_ADDR + 2048;
	CHECK_ERR(bpf_map_create(33, "t_arena", 0, 0, 2, &mo), -EINVAL);
	mo.map_extra = 0;
	CHECK_ERR(bpf_map_create(33, "t_arena", 0, 0, (1u << 20) + 1, &mo), -E2BIG);
	CHECK_ERR(bpf_map_create(33, "t_arena", 0, 0, 2, NULL), -EINVAL);
	CHECK_ERR(bpf_map_create(33, "t_arena", 4, 8, 2, &mo), -EINVAL);
	fd = bpf_map_create(33, "t_arena", 0, 0, 2, &mo);
	REQUIRE(fd >= 0, "arena create: %s", strerror(-fd));
	CHECK_ERR(bpf_map_lookup_elem(fd, &key, &v) ? -errno : 0, -EINVAL);
	CHECK_ERR(bpf_map_update_elem(fd, &key, &v, 0) ? -errno : 0, -EINVAL);
	close(fd);
}
