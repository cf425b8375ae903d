// SPDX-License-Identifier: GPL-2.0
/*
 * arena - a linked list built by BPF programs inside a BPF_MAP_TYPE_ARENA and
 * walked by user space with plain loads: no system call per element.
 *
 * An arena is memory shared by BPF programs and this process. Its pages are
 * allocated by the programs (bpf_arena_alloc_pages()), and the process maps
 * the whole arena at one fixed address; a pointer into the arena is then the
 * same 64-bit number on both sides, so the list's "next" pointers that BPF
 * stores can be followed here as they are.
 *
 * Every -I tick the sample runs the SEC("syscall") program push with
 * BPF_PROG_TEST_RUN: it pushes the next -n values (1, 2, 3 ... over the whole
 * run) on the list, taking a new page every 256 nodes. Then it walks the list
 * through its own mapping and prints how many nodes it found and their sum.
 * When all max_entries pages are taken, free_newest gives the newest back.
 *
 *   sudo ./arena                  demo: 100 values per second
 *   sudo ./arena -n 1000 -I 0.5   fills the 16 pages in 2 s, then frees
 *
 * libbpf 1.1 (Debian 12) does not know arenas; this is the part libbpf 1.4
 * and later do by themselves, and the code below works with both:
 *  1. before load: bpf_map__set_map_extra(arena, address): map_extra is the
 *     arena's user-space address. The verifier needs it to load a program
 *     that converts arena pointers ("arena's user address must be set via
 *     map_extra or mmap()" otherwise).
 *  2. after load: mmap() the map's fd at exactly that address, unless libbpf
 *     did already (bpf_map__initial_value() returns its mapping then): the
 *     kernel refuses a second mapping of one arena with EINVAL.
 *
 * Before any of that it asks the kernel whether it can (arena_probe.h): a
 * kernel without arenas (before 6.9) gets one line and exit status 3, a
 * kernel that refuses to create one gets one line with the errno and exit
 * status 1. Bad input is exit status 2.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "arena.h"
#include "arena_traps.h" /* traps */
#include "arena_probe.h"
#include "arena.skel.h"

#define ARENA_SIZE ((size_t)ARENA_PAGES * ARENA_PAGE_SIZE)
#define MAX_NODES ((__u64)ARENA_PAGES * ARENA_NODES_PER_PAGE)

static const struct sample_option options[] = {
	{ 'n', "nodes", "N", "values pushed per -I tick, 1 to 4096 (default 100)" },
	{}
};

static const struct sample_cli cli = {
	.name = "arena",
	.about = "A linked list built by BPF in a BPF_MAP_TYPE_ARENA, walked by user space "
		 "with plain loads.",
	.options = options,
	.demo = "Without arguments: 100 values pushed per second until Ctrl-C or -d,\n" /* demo */
		"with the traps shown on the live arena before and after.", /* demo */
	.examples = "sudo ./arena -d 5        sudo ./arena -n 1000 -I 0.5",
};

/*
 * Where the arena will live in this process: ARENA_SIZE bytes of address
 * space reserved now (PROT_NONE, no memory), so that nothing else (malloc,
 * a sanitizer's shadow) takes them before the arena is mapped there. The
 * kernel wants the range inside one 4 GiB-aligned block (ERANGE otherwise):
 * in a reservation of twice the size, one of the two halves is.
 */
static void *reserve_range(void **resv)
{
	char *p = mmap(NULL, 2 * ARENA_SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		       -1, 0);
	__u64 a = (__u64)p;

	if (p == MAP_FAILED)
		return NULL;
	*resv = p;
	if (a >> 32 == (a + ARENA_SIZE - 1) >> 32)
		return p;
	return (void *)((a + ARENA_SIZE) & ~0xffffffffull); /* the next block starts there */
}

/* The arena's mapping: libbpf's own (1.4 and later), or ours at map_extra. */
static const void *map_arena(struct bpf_map *map)
{
	size_t sz = 0;
	const void *m = bpf_map__initial_value(map, &sz);
	void *want = (void *)(unsigned long)bpf_map__map_extra(map);

	if (m)
		return m;
	/* MAP_FIXED replaces our PROT_NONE reservation at that address. */
	m = mmap(want, ARENA_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, bpf_map__fd(map),
		 0);
	return m == MAP_FAILED ? NULL : m;
}

/* Walk the list from the head BPF left in .bss, with plain loads through the
 * arena's mapping: the "next" pointers BPF stored are addresses in it. */
static int walk(const struct arena_list *l, __u64 *nodes, __u64 *sum)
{
	const struct arena_node *n = l->head;

	*nodes = 0;
	*sum = 0;
	for (; n; n = n->next) {
		*nodes += 1;
		if (*nodes > MAX_NODES)
			return -ELOOP; /* more nodes than the arena holds: a cycle */
		*sum += n->value;
	}
	if (*nodes != l->nodes || *sum != l->sum)
		return -EBADMSG;
	return 0;
}

/* The arena is full: run free_newest once (BPF_PROG_TEST_RUN, like push in
 * main()) and say which page it gave back. 0 or -errno after one line. */
static int free_newest_page(struct arena *skel)
{
	struct arena_args fr = {};
	LIBBPF_OPTS(bpf_test_run_opts, run, .ctx_in = &fr, .ctx_size_in = sizeof(fr));
	int err;

	err = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.free_newest), &run);
	if (!err)
		err = (int)run.retval;
	if (err) {
		fprintf(stderr, "arena: running free_newest failed: %s\n", sample_strerror(err));
		return err;
	}
	printf("  arena full (%u pages): freed the newest page 0x%llx, %llu nodes unlinked\n",
	       ARENA_PAGES, (unsigned long long)fr.addr, (unsigned long long)fr.count);
	return 0;
}

/* Walk the list and print a row. 0 or -errno after one line. */
static int print_walk(struct arena *skel, __u64 pushed, __u64 start_ns)
{
	const struct arena_list *l = &skel->bss->list;
	char b[5][SAMPLE_FMT_LEN];
	__u64 nodes, sum;
	int err;

	err = walk(l, &nodes, &sum);
	if (err) {
		fprintf(stderr,
			"arena: the walk found %llu nodes, sum %llu; BPF says %llu, %llu: %s\n",
			(unsigned long long)nodes, (unsigned long long)sum,
			(unsigned long long)l->nodes, (unsigned long long)l->sum,
			sample_strerror(err));
		return err;
	}
	printf("%7.1f  %10s %10s %10s %16s %6s  %p\n", (sample_now_ns() - start_ns) / 1e9,
	       sample_fmt_u64(b[0], SAMPLE_FMT_LEN, pushed),
	       sample_fmt_u64(b[1], SAMPLE_FMT_LEN, pushed - nodes),
	       sample_fmt_u64(b[2], SAMPLE_FMT_LEN, nodes),
	       sample_fmt_u64(b[3], SAMPLE_FMT_LEN, sum),
	       sample_fmt_u64(b[4], SAMPLE_FMT_LEN, l->pages), (void *)l->head);
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	struct sample_loop loop = SAMPLE_LOOP_INIT;
	struct sample_opts o = {};
	struct arena_args push = {};
	LIBBPF_OPTS(bpf_test_run_opts, push_run, .ctx_in = &push, .ctx_size_in = sizeof(push));
	struct arena *skel = NULL;
	void *resv = NULL, *addr;
	const void *mapped;
	__u64 per_step = 100;
	__u64 pushed = 0;
	__u64 start_ns;
	char num[SAMPLE_FMT_LEN], why[160];
	unsigned long v;
	int opt, err, ev;

	while ((opt = sample_getopt(&cli, argc, argv, &o)) != -1) {
		if (opt == 'n') {
			if (sample_parse_uint(o.prog, 'n', optarg, 1, MAX_NODES, &v))
				return 2;
			per_step = v;
		}
	}

	/* libbpf's warnings on stderr (its debug log too with -v); SIGINT and
	 * SIGTERM wait, blocked, for sample_wait()'s signalfd from here on, so one
	 * that comes during setup still ends the run through cleanup; a closed
	 * peer or stdout (| head) gives EPIPE instead of killing the process. */
	libbpf_set_print(o.verbose ? sample_print_all : sample_print_warnings);
	sample_block_stop_signals();
	signal(SIGPIPE, SIG_IGN);

	/* 0. Ask the kernel first: has it arenas (6.9), and will it make one? */
	err = arena_probe(why, sizeof(why));
	if (err == ARENA_NO_KERNEL) {
		fprintf(stderr, "%s: %s\n", o.prog, why);
		return ARENA_EXIT_NO_KERNEL;
	}
	if (err) {
		fprintf(stderr, "%s: %s\n", o.prog, why);
		return 1;
	}

	/* 1. Open; give the arena its user address (map_extra) before load. */
	skel = arena__open();
	if (!skel) {
		err = sample_load_failed(&o, -errno);
		goto cleanup;
	}
	addr = reserve_range(&resv);
	if (!addr) {
		err = -errno;
		fprintf(stderr, "%s: reserving address space for the arena failed: %s\n", o.prog,
			sample_strerror(err));
		goto cleanup;
	}
	err = bpf_map__set_map_extra(skel->maps.arena, (__u64)addr);
	if (err) {
		fprintf(stderr, "%s: setting the arena's map_extra failed: %s\n", o.prog,
			sample_strerror(err));
		goto cleanup;
	}
	err = arena__load(skel);
	if (err) {
		err = sample_load_failed(&o, err);
		goto cleanup;
	}

	/* 2. Map the arena at that address (if libbpf has not). */
	mapped = map_arena(skel->maps.arena);
	if (!mapped) {
		err = -errno;
		fprintf(stderr, "%s: mapping the arena at %p failed: %s\n", o.prog, addr,
			sample_strerror(err));
		goto cleanup;
	}
	err = arena_show_traps(skel, mapped); /* traps */
	if (err) /* traps */
		goto cleanup; /* traps */

	/* 3. Run, once per -I tick: push the next values with BPF_PROG_TEST_RUN
	 *    (the kernel copies the ctx back: count says how many fitted); a
	 *    full arena (ENOMEM) gives its newest page back; then walk, print. */
	printf("Pushing %llu values per tick on a list in a %u-page arena at %p; user space walks it\n",
	       (unsigned long long)per_step, ARENA_PAGES, mapped);
	printf("%7s  %10s %10s %10s %16s %6s  %s\n", "time", "pushed", "freed", "walked",
	       "sum walked", "pages", "head");
	start_ns = sample_now_ns();
	err = sample_loop_open(&loop, &o, -1);
	if (err)
		goto cleanup;
	while ((ev = sample_wait(&loop)) == SAMPLE_TICK) {
		push.first = pushed + 1;
		push.count = per_step;
		err = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.push), &push_run);
		if (err) {
			fprintf(stderr, "%s: running push failed: %s\n", o.prog,
				sample_strerror(err));
			goto cleanup;
		}
		pushed += push.count; /* all of them, or as many as fitted */
		err = (int)push_run.retval;
		if (err == -ENOMEM)
			err = free_newest_page(skel);
		else if (err)
			fprintf(stderr, "%s: running push failed: %s\n", o.prog,
				sample_strerror(err));
		if (err)
			goto cleanup;
		err = print_walk(skel, pushed, start_ns);
		if (err)
			goto cleanup;
	}
	err = ev;
	if (err)
		goto cleanup;

	/* 4. Summary: the list once more, walked after the last push. */
	printf("final:\n");
	err = print_walk(skel, pushed, start_ns);
	if (err)
		goto cleanup;
	err = arena_show_free_trap(skel); /* traps */
	if (err) /* traps */
		goto cleanup; /* traps */
	printf("%s: %s values pushed; every walk found the nodes and the sum BPF counted\n", o.prog,
	       sample_fmt_u64(num, sizeof(num), pushed));

cleanup:
	sample_loop_close(&loop);
	arena__destroy(skel); /* libbpf >= 1.4 unmaps its own mapping here */
	/* ours, and what is left of the reservation */
	if (resv)
		munmap(resv, 2 * ARENA_SIZE);
	return err ? 1 : 0;
}
