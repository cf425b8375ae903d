// SPDX-License-Identifier: GPL-2.0
/*
 * bench/mapchoice - the rows of `make bench` that answer the questions of
 * docs/choosing-a-map.md no other row measured (bench/README.md):
 *
 *   sk      SK_STORAGE vs a HASH keyed by socket cookie: find the socket's
 *           value and add to it; create and delete it (cgroup_skb)
 *   task    TASK_STORAGE vs a HASH keyed by pid: the same two (raw_tp)
 *   global  a global variable vs slot 0 of a 1-entry ARRAY: add in a loop
 *   devmap  DEVMAP vs DEVMAP_HASH: bpf_map_lookup_elem() from XDP
 *   queue   QUEUE vs STACK: pop a value and push it back (XDP)
 *   hom     HASH_OF_MAPS (outer + inner lookup) vs a flat HASH (XDP)
 *
 * Each program loops over MAPCHOICE_OPS operations per run; BPF_PROG_TEST_RUN
 * runs it R times (R calibrated to ~4 ms). ns/op = the kernel's average time
 * per run (opts.duration) / MAPCHOICE_OPS; raw_tp has no repeat, so those
 * programs time their own loop with bpf_ktime_get_ns() and the bench runs them
 * R times. The loop is included on both sides (its cost alone is in the
 * note). A pair is A and B, each the fastest of 3 runs, taken in turn (A
 * first in even pairs, B first in odd ones), on CPU 1, SCHED_FIFO when
 * allowed; every pair after the first runs on a fresh load of the programs
 * and maps, so that where the kernel placed them counts in the spread, and
 * the per-task rows run each pair in a new thread, which owns no storage yet. After every run the program's count of successful operations
 * must be MAPCHOICE_OPS x R, the entries it had to create exactly what the
 * side calls for, and the global and ARRAY counters must have grown by
 * exactly what was added; otherwise the bench fails.
 *
 * Run: sudo build/bench/mapchoice [--quick] [--pairs N] [sk|task|global|devmap|queue|hom ...]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <pthread.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "../benchlib.h"
#include "mapchoice.h"
#include "mapchoice.skel.h"

static const char *prog = "mapchoice";

#define TARGET_S 0.004
#define BEST_OF 3
#define K MAPCHOICE_OPS
#define TENANTS 16

enum run_kind {
	RUN_REPEAT,	/* XDP, cgroup_skb: one test run with repeat = R */
	RUN_SELF_TIMED,	/* raw_tp: R test runs, the program times its loop */
};

/* What a side must have created in one measured run. */
enum creates {
	CREATES_NOTHING,
	CREATES_ONE_PER_TEST_RUN,	/* a new socket per test run: one entry each */
};

enum sum_check {
	SUM_NONE,
	SUM_GLOBAL,	/* g_counter grows by R x (0 + 1 + ... + K-1) */
	SUM_SLOT,	/* one_slot[0] grows by the same */
};

struct side {
	const char *label;
	const char *pname;	/* the program, found by name in each fresh load */
	enum run_kind kind;
	enum creates creates;
	enum sum_check sum;
	bool cookie_cleanup;	/* delete the entry of the run's socket cookie */
	__u32 repeat;
};

struct row {
	const char *what, *id, *measure, *anchor;
	struct side a, b;
};

static struct mapchoice *skel;
static bool rt_refused;

static __u64 slot_value(void)
{
	__u32 zero = 0;
	__u64 v = 0;

	if (bpf_map__lookup_elem(skel->maps.one_slot, &zero, sizeof(zero), &v, sizeof(v), 0))
		return ~0ull;
	return v;
}

/* Run side s R times; return ns per operation (loop included), or -1 after
 * saying what was wrong. warm: the first runs, where a per-task side may
 * create its entry (once). */
static double run_side(const struct side *s, __u32 repeat, bool warm)
{
	unsigned char pkt[64] = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	__u64 done0 = skel->bss->done;
	__u64 created0 = skel->bss->created;
	__u64 loop0 = skel->bss->loop_ns;
	__u64 g0 = skel->bss->g_counter;
	__u64 slot0 = slot_value();
	__u64 want_created = 0;
	__u64 want_sum = (__u64)repeat * K * (K - 1) / 2;
	__u64 got_created, got_sum = 0;
	struct bpf_program *bp = bpf_object__find_program_by_name(skel->obj, s->pname);
	double ns;
	__u32 i;
	int fd;
	int err;

	if (!bp) {
		fprintf(stderr, "%s: no program %s in the object\n", prog, s->pname);
		return -1;
	}
	fd = bpf_program__fd(bp);

	pkt[12] = 0x08;		/* EtherType IPv4, then a bare IPv4 header */
	pkt[14] = 0x45;
	if (s->kind == RUN_REPEAT) {
		opts.data_in = pkt;
		opts.data_size_in = sizeof(pkt);
		opts.repeat = repeat;
		err = bpf_prog_test_run_opts(fd, &opts);
		if (err) {
			fprintf(stderr, "%s: test run of %s: %s\n", prog, s->pname,
				sample_strerror(-errno));
			return -1;
		}
		ns = (double)opts.duration / K;
		if (s->creates == CREATES_ONE_PER_TEST_RUN)
			want_created = 1;
	} else {
		for (i = 0; i < repeat; i++) {
			err = bpf_prog_test_run_opts(fd, &opts);
			if (err) {
				fprintf(stderr, "%s: test run of %s: %s\n", prog,
					s->pname, sample_strerror(-errno));
				return -1;
			}
		}
		ns = (double)(skel->bss->loop_ns - loop0) / ((double)repeat * K);
	}
	if (skel->bss->done - done0 != (__u64)K * repeat) {
		fprintf(stderr, "%s: %s: %llu of %llu operations succeeded\n", prog,
			s->pname, (unsigned long long)(skel->bss->done - done0),
			(unsigned long long)K * repeat);
		return -1;
	}
	got_created = skel->bss->created - created0;
	if (got_created != want_created && !(warm && got_created <= 1)) {
		fprintf(stderr, "%s: %s: created %llu entries in a run, expected %llu\n", prog,
			s->pname, (unsigned long long)got_created,
			(unsigned long long)want_created);
		return -1;
	}
	if (s->sum == SUM_GLOBAL)
		got_sum = skel->bss->g_counter - g0;
	if (s->sum == SUM_SLOT)
		got_sum = slot_value() - slot0;
	if (s->sum != SUM_NONE && got_sum != want_sum) {
		fprintf(stderr, "%s: %s: the counter grew by %llu, expected %llu\n", prog,
			s->pname, (unsigned long long)got_sum,
			(unsigned long long)want_sum);
		return -1;
	}
	if (s->cookie_cleanup) {
		/* The cookie side's entry outlives its socket unless someone
		 * deletes it: here user space does, and it must be there. */
		__u64 cookie = skel->bss->last_cookie;

		err = bpf_map__delete_elem(skel->maps.by_cookie, &cookie, sizeof(cookie), 0);
		if (err) {
			fprintf(stderr, "%s: %s: no entry for the run's cookie %llu: %s\n", prog,
				s->pname, (unsigned long long)cookie,
				sample_strerror(err));
			return -1;
		}
	}
	return ns;
}

static __u32 calibrate(const struct side *s)
{
	double ns = run_side(s, 200, true);
	double r;

	if (ns <= 0)
		return 0;
	r = TARGET_S * 1e9 / (ns * K);
	if (r < 100)
		return 100;
	if (r > 1000000)
		return 1000000;
	return (__u32)r;
}

static int fill_maps(void)
{
	int lo = if_nametoindex("lo");
	int inner[TENANTS];
	__u32 i, t;
	int err = 0;

	for (t = 0; t < TENANTS; t++)
		inner[t] = -1;
	if (!lo)
		return -errno;
	for (i = 0; i < K && !err; i++) {
		__u32 ifindex = lo;

		err = bpf_map__update_elem(skel->maps.dev_array, &i, 4, &ifindex, 4, BPF_ANY);
		if (!err)
			err = bpf_map__update_elem(skel->maps.dev_hash, &i, 4, &ifindex, 4, BPF_ANY);
		if (!err)
			err = bpf_map__update_elem(skel->maps.pool_fifo, NULL, 0, &i, 4, BPF_ANY);
		if (!err)
			err = bpf_map__update_elem(skel->maps.pool_lifo, NULL, 0, &i, 4, BPF_ANY);
	}
	/* The same 16 x K entries in both forms: one inner HASH per tenant, or
	 * one flat HASH keyed by (tenant, key). */
	for (t = 0; t < TENANTS && !err; t++) {
		inner[t] = bpf_map_create(BPF_MAP_TYPE_HASH, "tenant", 4, 8, K, NULL);
		if (inner[t] < 0) {
			err = -errno;
			break;
		}
		for (i = 0; i < K && !err; i++) {
			struct flat_key fk = { .tenant = t, .key = i };
			__u64 v = i;

			if (bpf_map_update_elem(inner[t], &i, &v, BPF_ANY))
				err = -errno;
			if (!err)
				err = bpf_map__update_elem(skel->maps.flat, &fk, sizeof(fk), &v,
							   sizeof(v), BPF_ANY);
		}
		if (!err)
			err = bpf_map__update_elem(skel->maps.tenants, &t, 4, &inner[t], 4, BPF_ANY);
	}
	for (t = 0; t < TENANTS; t++)
		if (inner[t] >= 0)
			close(inner[t]);
	/* Other owners in the cookie- and pid-keyed tables. */
	for (i = 0; i < MAPCHOICE_OTHERS && !err; i++) {
		struct owner_val v = { 0 };
		__u64 cookie = (1ull << 62) + i;
		__u32 pid = MAPCHOICE_OTHER_BASE + i;

		err = bpf_map__update_elem(skel->maps.by_cookie, &cookie, 8, &v, sizeof(v), BPF_ANY);
		if (!err)
			err = bpf_map__update_elem(skel->maps.by_pid, &pid, 4, &v, sizeof(v), BPF_ANY);
		if (!err)
			err = bpf_map__update_elem(skel->maps.pid_churn_h, &pid, 4, &v, sizeof(v),
						   BPF_ANY);
	}
	return err;
}

/* A fresh load of every program and map, filled. 0 or -errno. */
static int load_all(void)
{
	int err;

	mapchoice__destroy(skel);
	skel = mapchoice__open_and_load();
	if (!skel) {
		err = -errno;
		fprintf(stderr, "%s: cannot load the programs: %s\n", prog, sample_strerror(err));
		return err;
	}
	err = fill_maps();
	if (err)
		fprintf(stderr, "%s: filling the maps: %s\n", prog, sample_strerror(err));
	return err;
}

/* One pair: a short warm-up run of each side (in which a per-task side
 * creates its entry), then the empty loop, A and B, BEST_OF times in turn,
 * each one's fastest kept. */
struct pair {
	struct row *rw;
	const struct side *empty;
	__u32 re;
	int r;
	double ta, tb, te;
	int err;
};

static void *pair_run(void *arg)
{
	struct pair *pr = arg;
	struct row *rw = pr->rw;
	int j;

	pr->ta = 1e12;
	pr->tb = 1e12;
	pr->te = 1e12;
	pr->err = -1;
	if (run_side(pr->empty, 10, true) < 0 || run_side(&rw->a, 10, true) < 0 ||
	    run_side(&rw->b, 10, true) < 0)
		return NULL;
	for (j = 0; j < BEST_OF; j++) {
		double x, y, z;

		z = run_side(pr->empty, pr->re, false);
		/* A first in even pairs, B first in odd ones: neither side
		 * always runs on what the other left in the caches. */
		if (pr->r % 2 == 0) {
			x = run_side(&rw->a, rw->a.repeat, false);
			y = run_side(&rw->b, rw->b.repeat, false);
		} else {
			y = run_side(&rw->b, rw->b.repeat, false);
			x = run_side(&rw->a, rw->a.repeat, false);
		}
		if (x < 0 || y < 0 || z < 0)
			return NULL;
		pr->ta = x < pr->ta ? x : pr->ta;
		pr->tb = y < pr->tb ? y : pr->tb;
		pr->te = z < pr->te ? z : pr->te;
	}
	pr->err = 0;
	return NULL;
}

static int bench_one(const struct bench_args *args, struct row *rw, const struct side *empty)
{
	struct bench_pairs p = { 0 };
	double loop[BENCH_MAX_PAIRS];
	double med, mn, mx;
	char note[320];
	int r;

	struct pair pr = { .rw = rw, .empty = empty };

	pr.re = calibrate(empty);
	rw->a.repeat = calibrate(&rw->a);
	rw->b.repeat = calibrate(&rw->b);
	if (!pr.re || !rw->a.repeat || !rw->b.repeat)
		return -1;
	for (r = 0; r < args->pairs; r++) {
		pthread_t th;

		/* Fresh programs and maps for every pair after the first: where
		 * the kernel places them moved a side by several percent from
		 * one load to the next (DEVMAP: 6.1 or 6.6 ns), and that
		 * belongs in the spread. */
		if (r > 0 && load_all())
			return -1;
		pr.r = r;
		if (rw->a.kind == RUN_SELF_TIMED) {
			/* The per-task rows run each pair in a new thread
			 * (same CPU, same policy: both are inherited), which
			 * owns no storage of any earlier load: every pair
			 * starts from the same state. */
			if (pthread_create(&th, NULL, pair_run, &pr)) {
				fprintf(stderr, "%s: %s: pthread_create failed\n", prog, rw->id);
				return -1;
			}
			pthread_join(th, NULL);
		} else {
			pair_run(&pr);
		}
		if (pr.err)
			return -1;
		bench_add(&p, pr.ta, pr.tb);
		loop[r] = pr.te;
	}
	bench_stats(loop, p.n, &med, &mn, &mx);
	snprintf(note, sizeof(note),
		 "%d ops per program run, every one checked to succeed; ns/op includes the loop (alone: %.2f ns/op); best of %d per side, A or B first in turn, fresh load per pair, CPU 1%s",
		 K, med, BEST_OF, rt_refused ? ", not SCHED_FIFO (refused)" : ", SCHED_FIFO");
	bench_row(rw->id, rw->measure, rw->a.label, rw->b.label, "ns/op", false, &p, rw->anchor,
		  note);
	return 0;
}

int main(int argc, char **argv)
{
	struct bench_args args;
	int ret = 0;
	int err, i;

	if (bench_parse(argc, argv, &args))
		return 2;
	sample_init(false);
	if (geteuid() != 0) {
		fprintf(stderr, "%s: needs root (BPF_PROG_TEST_RUN, map creation): run sudo make bench\n",
			prog);
		return 1;
	}
	err = load_all();
	if (err) {
		mapchoice__destroy(skel);
		return 1;
	}
	struct side xdp_empty = { "loop alone", "loop_empty", RUN_REPEAT };
	struct side raw_empty = { "loop alone", "raw_empty", RUN_SELF_TIMED };
	struct row rows[] = {
		{ "sk", "mapchoice-sk-find", "per-socket value: find + add, ns/op", "-",
		  { "SK_STORAGE get", "sk_find", RUN_REPEAT, CREATES_ONE_PER_TEST_RUN },
		  { "cookie + HASH lookup", "cookie_find", RUN_REPEAT,
		    CREATES_ONE_PER_TEST_RUN, SUM_NONE, true } },
		{ "sk", "mapchoice-sk-churn", "per-socket value: create + delete, ns/op", "-",
		  { "SK_STORAGE create + delete", "sk_churn", RUN_REPEAT },
		  { "cookie + HASH update + delete", "cookie_churn", RUN_REPEAT } },
		{ "task", "mapchoice-task-find", "per-task value: find + add, ns/op", "-",
		  { "TASK_STORAGE get", "task_find", RUN_SELF_TIMED },
		  { "pid + HASH lookup", "pid_find", RUN_SELF_TIMED } },
		{ "task", "mapchoice-task-churn", "per-task value: create + delete, ns/op", "-",
		  { "TASK_STORAGE create + delete", "task_churn", RUN_SELF_TIMED },
		  { "pid + HASH update + delete", "pid_churn", RUN_SELF_TIMED } },
		{ "global", "mapchoice-global", "counter add in a loop, ns/op", "-",
		  { "global variable (.bss)", "global_add", RUN_REPEAT, CREATES_NOTHING,
		    SUM_GLOBAL },
		  { "1-entry ARRAY lookup + add", "array1_add", RUN_REPEAT,
		    CREATES_NOTHING, SUM_SLOT } },
		{ "devmap", "mapchoice-devmap", "device lookup from XDP, ns/op", "-",
		  { "DEVMAP lookup", "devmap_lookup", RUN_REPEAT },
		  { "DEVMAP_HASH lookup", "devhash_lookup", RUN_REPEAT } },
		{ "queue", "mapchoice-queue", "value pool: pop + push, ns/op", "-",
		  { "QUEUE pop + push", "queue_cycle", RUN_REPEAT },
		  { "STACK pop + push", "stack_cycle", RUN_REPEAT } },
		{ "hom", "mapchoice-hom", "table per tenant: lookup, ns/op", "-",
		  { "HASH_OF_MAPS + inner HASH", "hom_lookup", RUN_REPEAT },
		  { "flat HASH, (tenant, key)", "flat_lookup", RUN_REPEAT } },
	};

	/* One CPU for every run: the current task, its storage and the per-CPU
	 * state of the maps stay put, and no run migrates half way. */
	bench_pin(1);
	rt_refused = bench_realtime() != 0;
	for (i = 0; i < (int)(sizeof(rows) / sizeof(rows[0])); i++) {
		const struct side *empty = &xdp_empty;

		if (!bench_selected(&args, rows[i].what))
			continue;
		if (rows[i].a.kind == RUN_SELF_TIMED)
			empty = &raw_empty;
		if (bench_one(&args, &rows[i], empty)) {
			fprintf(stderr, "%s: %s: measurement failed\n", prog, rows[i].id);
			ret = 1;
		}
		if (!skel)
			break;	/* a reload failed: nothing left to run */
	}
	mapchoice__destroy(skel);
	free(args.what);
	return ret;
}
