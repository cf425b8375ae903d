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
 * allowed. After every run the program's count of successful operations
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
	struct bpf_program *prog;
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
	double ns;
	__u32 i;
	int fd = bpf_program__fd(s->prog);
	int err;

	pkt[12] = 0x08;		/* EtherType IPv4, then a bare IPv4 header */
	pkt[14] = 0x45;
	if (s->kind == RUN_REPEAT) {
		opts.data_in = pkt;
		opts.data_size_in = sizeof(pkt);
		opts.repeat = repeat;
		err = bpf_prog_test_run_opts(fd, &opts);
		if (err) {
			fprintf(stderr, "%s: test run of %s: %s\n", prog, bpf_program__name(s->prog),
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
					bpf_program__name(s->prog), sample_strerror(-errno));
				return -1;
			}
		}
		ns = (double)(skel->bss->loop_ns - loop0) / ((double)repeat * K);
	}
	if (skel->bss->done - done0 != (__u64)K * repeat) {
		fprintf(stderr, "%s: %s: %llu of %llu operations succeeded\n", prog,
			bpf_program__name(s->prog), (unsigned long long)(skel->bss->done - done0),
			(unsigned long long)K * repeat);
		return -1;
	}
	got_created = skel->bss->created - created0;
	if (got_created != want_created && !(warm && got_created <= 1)) {
		fprintf(stderr, "%s: %s: created %llu entries in a run, expected %llu\n", prog,
			bpf_program__name(s->prog), (unsigned long long)got_created,
			(unsigned long long)want_created);
		return -1;
	}
	if (s->sum == SUM_GLOBAL)
		got_sum = skel->bss->g_counter - g0;
	if (s->sum == SUM_SLOT)
		got_sum = slot_value() - slot0;
	if (s->sum != SUM_NONE && got_sum != want_sum) {
		fprintf(stderr, "%s: %s: the counter grew by %llu, expected %llu\n", prog,
			bpf_program__name(s->prog), (unsigned long long)got_sum,
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
				bpf_program__name(s->prog), (unsigned long long)cookie,
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

static int bench_one(const struct bench_args *args, struct row *rw, const struct side *empty)
{
	struct bench_pairs p = { 0 };
	double loop[BENCH_MAX_PAIRS];
	double med, mn, mx;
	__u32 re;
	char note[320];
	int r, j;

	re = calibrate(empty);
	rw->a.repeat = calibrate(&rw->a);
	rw->b.repeat = calibrate(&rw->b);
	if (!re || !rw->a.repeat || !rw->b.repeat)
		return -1;
	for (r = 0; r < args->pairs; r++) {
		double ta = 1e12, tb = 1e12, te = 1e12;

		for (j = 0; j < BEST_OF; j++) {
			double x, y, z;

			z = run_side(empty, re, false);
			/* A first in even pairs, B first in odd ones: neither side
			 * always runs on what the other left in the caches. */
			if (r % 2 == 0) {
				x = run_side(&rw->a, rw->a.repeat, false);
				y = run_side(&rw->b, rw->b.repeat, false);
			} else {
				y = run_side(&rw->b, rw->b.repeat, false);
				x = run_side(&rw->a, rw->a.repeat, false);
			}
			if (x < 0 || y < 0 || z < 0)
				return -1;
			ta = x < ta ? x : ta;
			tb = y < tb ? y : tb;
			te = z < te ? z : te;
		}
		bench_add(&p, ta, tb);
		loop[r] = te;
	}
	bench_stats(loop, p.n, &med, &mn, &mx);
	snprintf(note, sizeof(note),
		 "%d ops per program run, every one checked to succeed; ns/op includes the loop (alone: %.2f ns/op); best of %d per side, A or B first in turn, CPU 1%s",
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
	skel = mapchoice__open_and_load();
	if (!skel) {
		fprintf(stderr, "%s: cannot load the programs: %s\n", prog, sample_strerror(-errno));
		return 1;
	}
	err = fill_maps();
	if (err) {
		fprintf(stderr, "%s: filling the maps: %s\n", prog, sample_strerror(err));
		mapchoice__destroy(skel);
		return 1;
	}
	struct side xdp_empty = { "loop alone", skel->progs.loop_empty, RUN_REPEAT };
	struct side raw_empty = { "loop alone", skel->progs.raw_empty, RUN_SELF_TIMED };
	struct row rows[] = {
		{ "sk", "mapchoice-sk-find", "per-socket value: find + add, ns/op", "-",
		  { "SK_STORAGE get", skel->progs.sk_find, RUN_REPEAT, CREATES_ONE_PER_TEST_RUN },
		  { "cookie + HASH lookup", skel->progs.cookie_find, RUN_REPEAT,
		    CREATES_ONE_PER_TEST_RUN, SUM_NONE, true } },
		{ "sk", "mapchoice-sk-churn", "per-socket value: create + delete, ns/op", "-",
		  { "SK_STORAGE create + delete", skel->progs.sk_churn, RUN_REPEAT },
		  { "cookie + HASH update + delete", skel->progs.cookie_churn, RUN_REPEAT } },
		{ "task", "mapchoice-task-find", "per-task value: find + add, ns/op", "-",
		  { "TASK_STORAGE get", skel->progs.task_find, RUN_SELF_TIMED },
		  { "pid + HASH lookup", skel->progs.pid_find, RUN_SELF_TIMED } },
		{ "task", "mapchoice-task-churn", "per-task value: create + delete, ns/op", "-",
		  { "TASK_STORAGE create + delete", skel->progs.task_churn, RUN_SELF_TIMED },
		  { "pid + HASH update + delete", skel->progs.pid_churn, RUN_SELF_TIMED } },
		{ "global", "mapchoice-global", "counter add in a loop, ns/op", "-",
		  { "global variable (.bss)", skel->progs.global_add, RUN_REPEAT, CREATES_NOTHING,
		    SUM_GLOBAL },
		  { "1-entry ARRAY lookup + add", skel->progs.array1_add, RUN_REPEAT,
		    CREATES_NOTHING, SUM_SLOT } },
		{ "devmap", "mapchoice-devmap", "device lookup from XDP, ns/op", "-",
		  { "DEVMAP lookup", skel->progs.devmap_lookup, RUN_REPEAT },
		  { "DEVMAP_HASH lookup", skel->progs.devhash_lookup, RUN_REPEAT } },
		{ "queue", "mapchoice-queue", "value pool: pop + push, ns/op", "-",
		  { "QUEUE pop + push", skel->progs.queue_cycle, RUN_REPEAT },
		  { "STACK pop + push", skel->progs.stack_cycle, RUN_REPEAT } },
		{ "hom", "mapchoice-hom", "table per tenant: lookup, ns/op", "-",
		  { "HASH_OF_MAPS + inner HASH", skel->progs.hom_lookup, RUN_REPEAT },
		  { "flat HASH, (tenant, key)", skel->progs.flat_lookup, RUN_REPEAT } },
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
	}
	mapchoice__destroy(skel);
	free(args.what);
	return ret;
}
