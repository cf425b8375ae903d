// SPDX-License-Identifier: GPL-2.0
/*
 * bench/arena_read - the row of `make bench` that speaks for arena
 * (bench/README.md):
 *
 *   A: read N elements that BPF put in a BPF_MAP_TYPE_ARENA: walk the
 *      sample's linked list through the arena's mapping, plain loads only
 *   B: read the same N values from a BPF_MAP_TYPE_HASH (key = position in
 *      the list, value = the node's value) with N bpf_map_lookup_elem()
 *      system calls
 *
 * N = 65,536 (the sample's programs, on an arena of 256 pages). Both sides
 * must find all N values with the same sum in every run, or the bench
 * fails. Each side of a pair is the best of 3 runs, on CPU 1, SCHED_FIFO
 * when allowed.
 *
 * Where arena cannot run, the row is not measured and the program still
 * exits 0, printing instead of a ROW line (bench/run shows it in the table):
 *   NOROW <id> <measure> <why>
 * when the kernel has no arenas or refuses to create one (the sample's own
 * probe, arena/arena_probe.h), and when the arena sample was not built here
 * (the reason make wrote in $BUILD/arena.not-built).
 *
 * Run: sudo build/bench/arena_read [--quick] [--pairs N]
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "../benchlib.h"

#define ROW_ID		"arena-read"
#define ROW_MEASURE	"read N elements BPF wrote (arena)"

#if __has_include("arena/arena.skel.h")
#include "arena/arena.h"
#include "arena/arena_probe.h"
#include "arena/arena.skel.h"

static const char *prog = "arena_read";

#define PAGES	256
#define N	((__u64)PAGES * ARENA_NODES_PER_PAGE)
#define SIZE	((size_t)PAGES * ARENA_PAGE_SIZE)
#define BEST_OF	3

/* N values pushed by the sample's push program, 4096 per run. */
static int fill(struct arena *skel)
{
	for (__u64 first = 1; first <= N; first += 4096) {
		struct arena_args a = { .first = first, .count = 4096 };
		LIBBPF_OPTS(bpf_test_run_opts, o, .ctx_in = &a, .ctx_size_in = sizeof(a));

		if (bpf_prog_test_run_opts(bpf_program__fd(skel->progs.push), &o))
			return -errno;
		if (o.retval)
			return (int)o.retval;
	}
	return skel->bss->list.nodes == N ? 0 : -EIO;
}

/* The arena at an address of our own (its 4 GiB block holds it whole). */
static void *map_arena(struct arena *skel, void **resv)
{
	char *p = mmap(NULL, 2 * SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		       -1, 0);
	__u64 a = (__u64)p;
	size_t sz = 0;
	void *m;

	if (p == MAP_FAILED)
		return NULL;
	*resv = p;
	if (a >> 32 != (a + SIZE - 1) >> 32)
		a = (a + SIZE) & ~0xffffffffull;
	if (bpf_map__set_map_extra(skel->maps.arena, a) ||
	    bpf_map__set_max_entries(skel->maps.arena, PAGES) || arena__load(skel))
		return NULL;
	m = (void *)bpf_map__initial_value(skel->maps.arena, &sz);	/* libbpf >= 1.4 */
	if (!m)
		m = mmap((void *)a, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
			 bpf_map__fd(skel->maps.arena), 0);
	return m == MAP_FAILED ? NULL : m;
}

/* A: the list walked through the mapping. Seconds, or -1 if it was wrong. */
static double read_arena(struct arena *skel, __u64 want_sum)
{
	double t0 = bench_now();
	__u64 n = 0, sum = 0;

	for (const struct arena_node *x = skel->bss->list.head; x && n <= N; x = x->next, n++)
		sum += x->value;
	t0 = bench_now() - t0;
	return n == N && sum == want_sum ? t0 : -1;
}

/* B: N lookups in the HASH. */
static double read_hash(int fd, __u64 want_sum)
{
	double t0 = bench_now();
	__u64 sum = 0, v;

	for (__u64 k = 0; k < N; k++) {
		if (bpf_map_lookup_elem(fd, &k, &v))
			return -1;
		sum += v;
	}
	t0 = bench_now() - t0;
	return sum == want_sum ? t0 : -1;
}

int main(int argc, char **argv)
{
	struct bench_pairs p = { 0 };
	struct bench_args args;
	struct arena *skel = NULL;
	void *resv = NULL;
	const __u64 want = N * (N + 1) / 2;
	__u64 k = 0;
	char note[256];
	int fd = -1, err = 1;

	if (bench_parse(argc, argv, &args))
		return 2;
	sample_init(false);
	if (geteuid() != 0) {
		fprintf(stderr, "%s: needs root (BPF maps and programs): run sudo make bench\n", prog);
		return 1;
	}
	/* The kernel's answer first: no arenas, or a refused one, is a row
	 * not measured, not a failure. */
	err = arena_probe(note, sizeof(note));
	if (err == ARENA_NO_KERNEL || err == -EPERM) {
		printf("NOROW\t%s\t%s\t%s\n", ROW_ID, ROW_MEASURE, note);
		return 0;
	}
	if (err) {
		fprintf(stderr, "%s: %s\n", prog, note);
		return 1;
	}
	err = 1;
	skel = arena__open();
	if (!skel || !map_arena(skel, &resv) || fill(skel)) {
		fprintf(stderr, "%s: setting up the arena: %s\n", prog, sample_strerror(-errno));
		goto out;
	}
	/* The HASH with the same content: key = position in the list. */
	fd = bpf_map_create(BPF_MAP_TYPE_HASH, "arena_read_h", 8, 8, N, NULL);
	for (const struct arena_node *x = skel->bss->list.head; fd >= 0 && x; x = x->next, k++)
		if (bpf_map_update_elem(fd, &k, &x->value, BPF_NOEXIST))
			break;
	if (fd < 0 || k != N) {
		fprintf(stderr, "%s: filling the HASH: %s\n", prog, sample_strerror(fd < 0 ? fd : -errno));
		goto out;
	}
	bench_pin(1);
	if (bench_realtime())
		fprintf(stderr, "%s: SCHED_FIFO refused: measuring without it\n", prog);
	for (int i = 0; i < args.pairs; i++) {
		double ta = 1e9, tb = 1e9, x = 0, y = 0;

		for (int j = 0; j < BEST_OF; j++) {
			for (int k = 0; k < 2; k++) {
				if (bench_is_a(i, k))
					x = read_arena(skel, want);
				else
					y = read_hash(fd, want);
			}
			if (x < 0 || y < 0) {
				fprintf(stderr, "%s: a read did not find the %llu values\n", prog,
					(unsigned long long)N);
				goto out;
			}
			ta = x < ta ? x : ta;
			tb = y < tb ? y : tb;
		}
		bench_add(&p, N / ta / 1e6, N / tb / 1e6);
	}
	snprintf(note, sizeof(note), "N = %llu values (1..N) put in the arena by BPF; both sides "
		 "checked for N values summing N(N+1)/2 in every run", (unsigned long long)N);
	bench_row(ROW_ID, ROW_MEASURE, "arena mmap, plain loads",
		  "HASH, bpf_map_lookup_elem()", "Mentries/s", true, &p,
		  "a system call per element against none", note);
	err = 0;
out:
	if (fd >= 0)
		close(fd);
	arena__destroy(skel);
	if (resv)
		munmap(resv, 2 * SIZE);
	return err;
}

#else /* the arena sample is not built here */

/* The row, not measured, with the reason make gave for leaving arena out. */
int main(void)
{
	const char *build = getenv("BUILD");
	char path[4096], why[512] = "";
	FILE *f;

	snprintf(path, sizeof(path), "%s/arena.not-built", build && *build ? build : "build");
	f = fopen(path, "r");
	if (f) {
		if (!fgets(why, sizeof(why), f))
			why[0] = '\0';
		fclose(f);
	}
	why[strcspn(why, "\n")] = '\0';
	printf("NOROW\t%s\t%s\tthe arena sample is not built: %s\n", ROW_ID, ROW_MEASURE,
	       why[0] ? why : "see the output of make");
	return 0;
}

#endif
