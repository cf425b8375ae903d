// SPDX-License-Identifier: GPL-2.0
/*
 * bench/maps - the map-level rows of `make bench` (bench/README.md):
 *
 *   dump     row 1: dump a 100k-entry HASH with sockex2's own map (its key
 *            and value layout, its batch size) from user space:
 *            bpf_map_lookup_batch() vs bpf_map_get_next_key() + lookup
 *   counter  row 3: xdp_stats's own program counting from CPU 0 and CPU 1 at
 *            once: PERCPU_ARRAY (plain add) vs ARRAY (atomic add)
 *   mapops   row 9: lookup and update per map type in a BPF loop under
 *            BPF_PROG_TEST_RUN, ns/op, against an array lookup
 *
 * Run: sudo build/bench/maps [--quick] [--pairs N] [dump|counter|mapops ...]
 * Prints ROW lines (bench/benchlib.h) on stdout; bench/run collects them.
 * Every measurement checks its own count (entries dumped, counter sums,
 * successful map ops) and the bench fails rather than print a wrong figure.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "../benchlib.h"
#include "maps.h"
#include "maps.skel.h"
#include "sockex2/sockex2.h"
#include "sockex2/sockex2.skel.h"
#include "xdp_stats/xdp_stats.h"
#include "xdp_stats/xdp_stats.skel.h"

static const char *prog = "maps";

/* ---- row 1: dump ---------------------------------------------------------- */

#define DUMP_ENTRIES 100000
#define DUMP_BEST_OF 3
#define DUMP_BATCH 64		/* sockex2_user.c's BATCH_SIZE: the sample's own choice */

static struct dst_key dump_keys[DUMP_ENTRIES];
static struct dst_counts dump_vals[DUMP_ENTRIES];

/* The sample's batch walk: DUMP_BATCH entries per call until ENOENT. Returns
 * the entries seen and adds their packets to *sum, or -errno. */
static long dump_batch(int fd, __u64 *sum)
{
	struct dst_key keys[DUMP_BATCH];
	struct dst_counts vals[DUMP_BATCH];
	__u64 in_batch, out_batch;
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	long total = 0;
	bool first = true;
	__u32 count, i;
	int err;

	do {
		count = DUMP_BATCH;
		err = bpf_map_lookup_batch(fd, first ? NULL : &in_batch, &out_batch, keys, vals,
					   &count, &opts);
		if (err && errno != ENOENT)
			return -errno;
		for (i = 0; i < count; i++)
			*sum += vals[i].packets;
		total += count;
		in_batch = out_batch;
		first = false;
	} while (!err);
	return total;
}

static long dump_walk(int fd, __u64 *sum)
{
	struct dst_key cur, next;
	struct dst_counts val;
	long total = 0;
	int err;

	for (err = bpf_map_get_next_key(fd, NULL, &next); !err;
	     err = bpf_map_get_next_key(fd, &cur, &next)) {
		if (bpf_map_lookup_elem(fd, &next, &val))
			return -errno;
		*sum += val.packets;
		total++;
		cur = next;
	}
	return errno == ENOENT ? total : -errno;
}

static int bench_dump(const struct bench_args *a)
{
	struct bench_pairs p = { 0 };
	struct sockex2 *skel;
	__u64 want = 0, sum;
	double t0, ta, tb;
	__u32 count;
	long got;
	int fd, err, i, j;
	LIBBPF_OPTS(bpf_map_batch_opts, opts);

	skel = sockex2__open();
	if (!skel) {
		fprintf(stderr, "%s: dump: cannot open the sockex2 skeleton: %s\n", prog,
			sample_strerror(-errno));
		return 1;
	}
	err = bpf_map__set_max_entries(skel->maps.dst_stats, DUMP_ENTRIES);
	if (!err)
		err = sockex2__load(skel);
	if (err) {
		fprintf(stderr, "%s: dump: cannot load sockex2: %s\n", prog, sample_strerror(err));
		goto out;
	}
	fd = bpf_map__fd(skel->maps.dst_stats);

	/* 100k IPv4 destinations 10.x.y.z with packets = i + 1. */
	for (i = 0; i < DUMP_ENTRIES; i++) {
		__u32 addr = htonl(0x0a000000u + i);

		memset(&dump_keys[i], 0, sizeof(dump_keys[i]));
		dump_keys[i].family = SOCKEX2_AF_INET;
		memcpy(dump_keys[i].addr, &addr, 4);
		dump_vals[i].packets = i + 1;
		dump_vals[i].bytes = 100 * (i + 1);
		want += i + 1;
	}
	count = DUMP_ENTRIES;
	err = bpf_map_update_batch(fd, dump_keys, dump_vals, &count, &opts);
	if (err || count != DUMP_ENTRIES) {
		fprintf(stderr, "%s: dump: filling the map failed after %u entries: %s\n", prog,
			count, sample_strerror(-errno));
		err = err ?: -EIO;
		goto out;
	}

	/* A measurement is the fastest of DUMP_BEST_OF dumps: noise only ever
	 * slows a dump down. Every dump is checked. */
	for (i = 0; i < a->pairs; i++) {
		ta = tb = 1e9;
		for (j = 0; j < 2 * DUMP_BEST_OF; j++) {
			bool batch = bench_is_a(i, j % 2);

			sum = 0;
			t0 = bench_now();
			got = batch ? dump_batch(fd, &sum) : dump_walk(fd, &sum);
			t0 = bench_now() - t0;
			if (got != DUMP_ENTRIES || sum != want) {
				fprintf(stderr, "%s: dump: %s saw %ld entries, sum %llu (want %d, %llu)\n",
					prog, batch ? "batch" : "walk", got, (unsigned long long)sum,
					DUMP_ENTRIES, (unsigned long long)want);
				err = -EIO;
				goto out;
			}
			if (batch)
				ta = t0 < ta ? t0 : ta;
			else
				tb = t0 < tb ? t0 : tb;
		}
		bench_add(&p, DUMP_ENTRIES / ta / 1e6, DUMP_ENTRIES / tb / 1e6);
	}
	bench_row("dump", "user-space dump of a 100k-entry HASH (sockex2 layout)",
		  "BPF_MAP_LOOKUP_BATCH (64/call)", "get_next_key + lookup", "Mentries/s", true, &p,
		  "about 7x faster in the kernel's own measurement",
		  "best of 3 dumps per side; all 100k entries and their sum checked every dump; A should win");
out:
	sockex2__destroy(skel);
	return err ? 1 : 0;
}

/* ---- row 3: counter from two CPUs --------------------------------------- */

static bool counter_rt_refused;

#define COUNTER_SECONDS 0.05	/* one run of both CPUs: ~50 ms */
#define COUNTER_BEST_OF 3	/* a measurement: the fastest of 3 such runs */

struct counter_thread {
	pthread_barrier_t *go;
	int prog_fd, cpu;
	__u32 repeat;
	double start, end;
	bool rt;
	int err;
};

static void *counter_worker(void *arg)
{
	struct counter_thread *t = arg;
	unsigned char pkt[64] = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .data_size_in = sizeof(pkt),
		    .repeat = t->repeat);

	pkt[12] = 0x08;		/* EtherType IPv4; xdp_stats does not look further */
	t->err = bench_pin(t->cpu);
	/* SCHED_FIFO: a task of somebody else that takes one of the two CPUs
	 * for a while would otherwise decide the figure (the per-CPU side, with
	 * nothing to wait for, lost up to 3x that way here). */
	t->rt = !bench_realtime();
	pthread_barrier_wait(t->go);
	if (t->err)
		return NULL;
	t->start = bench_now();
	if (bpf_prog_test_run_opts(t->prog_fd, &opts))
		t->err = -errno;
	else if (opts.retval != XDP_PASS)
		t->err = -EPROTO;
	t->end = bench_now();
	return NULL;
}

/* Both CPUs run the program `repeat` times at once. Returns ops/s or -errno. */
static double counter_measure(int prog_fd, __u32 repeat)
{
	struct counter_thread t[2];
	pthread_barrier_t go;
	pthread_t th[2];
	double start, end;
	int i, err = 0;

	pthread_barrier_init(&go, NULL, 2);
	for (i = 0; i < 2; i++) {
		t[i] = (struct counter_thread){ .go = &go, .prog_fd = prog_fd, .cpu = i,
						.repeat = repeat };
		pthread_attr_t attr;
		cpu_set_t cpus;
		int e;

		/* Born on its own CPU, so no thread ever waits for a CPU that a
		 * SCHED_FIFO sibling is spinning on. */
		CPU_ZERO(&cpus);
		CPU_SET(i, &cpus);
		pthread_attr_init(&attr);
		pthread_attr_setaffinity_np(&attr, sizeof(cpus), &cpus);
		e = pthread_create(&th[i], &attr, counter_worker, &t[i]);
		pthread_attr_destroy(&attr);
		if (e) {
			fprintf(stderr, "%s: counter: pthread_create failed\n", prog);
			exit(1);	/* the barrier would wait forever */
		}
	}
	for (i = 0; i < 2; i++) {
		pthread_join(th[i], NULL);
		if (t[i].err)
			err = t[i].err;
	}
	pthread_barrier_destroy(&go);
	if (err)
		return err;
	if (!t[0].rt || !t[1].rt)
		counter_rt_refused = true;
	start = t[0].start < t[1].start ? t[0].start : t[1].start;
	end = t[0].end > t[1].end ? t[0].end : t[1].end;
	return 2.0 * repeat / (end - start);
}

static struct xdp_stats *counter_load(__u32 maps)
{
	struct xdp_stats *skel = xdp_stats__open();
	int err;

	if (!skel)
		return NULL;
	skel->rodata->action = XDP_PASS;
	skel->rodata->maps = maps;
	err = xdp_stats__load(skel);
	if (err) {
		xdp_stats__destroy(skel);
		errno = -err;
		return NULL;
	}
	return skel;
}

/* XDP_PASS's packets counter: the ARRAY's slot, or the PERCPU_ARRAY summed. */
static int counter_read(struct xdp_stats *skel, bool percpu, __u64 *out)
{
	__u32 key = XDP_PASS;
	int ncpus = libbpf_num_possible_cpus();
	struct datarec rec, *vals;
	__u64 sum[2];

	if (!percpu) {
		if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.stats_array), &key, &rec))
			return -errno;
		*out = rec.rx_packets;
		return 0;
	}
	vals = calloc(ncpus, sample_percpu_stride(sizeof(*vals)));
	if (!vals)
		return -ENOMEM;
	if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.stats_percpu), &key, vals)) {
		free(vals);
		return -errno;
	}
	sample_percpu_sum(vals, ncpus, sizeof(*vals), sum);
	free(vals);
	*out = sum[0];
	return 0;
}

static int bench_counter(const struct bench_args *a)
{
	struct xdp_stats *sa = NULL, *sb = NULL;	/* A: PERCPU_ARRAY, B: ARRAY */
	struct bench_pairs p = { 0 };
	char note[200];
	__u32 repeat_a, repeat_b;
	__u64 before[2], after[2];
	double ra, rb;
	int i, j, err = 0;

	if (libbpf_num_possible_cpus() < 2 || sysconf(_SC_NPROCESSORS_ONLN) < 2) {
		fprintf(stderr, "%s: counter: needs two online CPUs\n", prog);
		return 1;
	}
	sa = counter_load(XDP_STATS_MAP_PERCPU);
	sb = counter_load(XDP_STATS_MAP_ARRAY);
	if (!sa || !sb) {
		fprintf(stderr, "%s: counter: cannot load xdp_stats: %s\n", prog,
			sample_strerror(-errno));
		err = -errno;
		goto out;
	}
	/* Both sides run about as long (so thread start skew and noise weigh
	 * the same): a short calibration run sets the repeat count of each. */
	ra = counter_measure(bpf_program__fd(sa->progs.xdp_count), 1000000);
	rb = counter_measure(bpf_program__fd(sb->progs.xdp_count), 1000000);
	if (ra < 0 || rb < 0) {
		err = ra < 0 ? ra : rb;
		goto fail;
	}
	repeat_a = ra * COUNTER_SECONDS / 2;
	repeat_b = rb * COUNTER_SECONDS / 2;
	for (i = 0; i < a->pairs; i++) {
		/* Fresh programs and maps for every pair: where the kernel
		 * places them moves the figures by several percent from one
		 * load to the next, and that belongs in the spread too. */
		if (i) {
			xdp_stats__destroy(sa);
			xdp_stats__destroy(sb);
			sa = counter_load(XDP_STATS_MAP_PERCPU);
			sb = counter_load(XDP_STATS_MAP_ARRAY);
			if (!sa || !sb) {
				err = -errno;
				goto fail;
			}
		}
		if ((err = counter_read(sa, true, &before[0])) ||
		    (err = counter_read(sb, false, &before[1])))
			goto fail;
		/* Noise only ever slows a run down (another VM on the host
		 * taking a vCPU, an interrupt storm): the fastest of a few
		 * short runs is the figure least touched by it. */
		ra = rb = 0;
		for (j = 0; j < COUNTER_BEST_OF; j++) {
			double x = 0, y = 0;

			for (int k = 0; k < 2; k++) {
				if (bench_is_a(i, k))
					x = counter_measure(bpf_program__fd(sa->progs.xdp_count), repeat_a);
				else
					y = counter_measure(bpf_program__fd(sb->progs.xdp_count), repeat_b);
			}
			if (x < 0 || y < 0) {
				err = x < 0 ? x : y;
				goto fail;
			}
			ra = x > ra ? x : ra;
			rb = y > rb ? y : rb;
		}
		if ((err = counter_read(sa, true, &after[0])) ||
		    (err = counter_read(sb, false, &after[1])))
			goto fail;
		/* Every run counted exactly once, on either CPU: 2 * repeat. */
		if (after[0] - before[0] != 2ull * COUNTER_BEST_OF * repeat_a ||
		    after[1] - before[1] != 2ull * COUNTER_BEST_OF * repeat_b) {
			fprintf(stderr, "%s: counter: counted %llu of %llu runs (per-CPU), %llu of %llu (array)\n",
				prog, (unsigned long long)(after[0] - before[0]),
				2ull * COUNTER_BEST_OF * repeat_a,
				(unsigned long long)(after[1] - before[1]),
				2ull * COUNTER_BEST_OF * repeat_b);
			err = -EIO;
			goto out;
		}
		bench_add(&p, ra / 1e6, rb / 1e6);
	}
	snprintf(note, sizeof(note),
		 "each side: best of %d runs of ~%.0f ms, %.1fM (A) and %.1fM (B) per CPU%s; every sum checked exact; A should win",
		 COUNTER_BEST_OF, COUNTER_SECONDS * 1e3, repeat_a / 1e6, repeat_b / 1e6,
		 counter_rt_refused ? ", not SCHED_FIFO (refused)" : ", SCHED_FIFO");
	bench_row("counter", "counter from 2 CPUs at once (xdp_stats)",
		  "PERCPU_ARRAY (-m percpu)", "ARRAY + atomic add (-m array)", "Mops/s", true, &p,
		  "per-CPU should scale with CPUs",
		  note);
	goto out;
fail:
	fprintf(stderr, "%s: counter: %s\n", prog, sample_strerror(err));
out:
	xdp_stats__destroy(sa);
	xdp_stats__destroy(sb);
	return err ? 1 : 0;
}

/* ---- row 9: map ops ------------------------------------------------------- */

struct mapop {
	const char *id, *label;
	struct bpf_program *prog;
	__u32 repeat;		/* calibrated: one measurement ~ MAPOPS_TARGET_S */
};

#define MAPOPS_TARGET_S 0.004
#define MAPOPS_BEST_OF 3

/* Average ns per run of `p` over `repeat` runs; checks that every one of the
 * MAPOPS_KEYS operations of every run succeeded. */
static double mapops_run(struct maps *skel, struct bpf_program *p, __u32 repeat)
{
	unsigned char pkt[64] = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .data_size_in = sizeof(pkt),
		    .repeat = repeat);
	__u64 before = skel->bss->done;
	double t0 = bench_now(), t;

	if (bpf_prog_test_run_opts(bpf_program__fd(p), &opts)) {
		fprintf(stderr, "%s: mapops: test run of %s: %s\n", prog, bpf_program__name(p),
			sample_strerror(-errno));
		return -1;
	}
	t = bench_now() - t0;
	if (p != skel->progs.prog_empty &&
	    skel->bss->done - before != (__u64)MAPOPS_KEYS * repeat) {
		fprintf(stderr, "%s: mapops: %s: %llu of %llu operations succeeded\n", prog,
			bpf_program__name(p), (unsigned long long)(skel->bss->done - before),
			(unsigned long long)MAPOPS_KEYS * repeat);
		return -1;
	}
	/* The kernel's own per-run average, or our wall clock if it reported 0. */
	return opts.duration ? (double)opts.duration : t * 1e9 / repeat;
}

static __u32 mapops_calibrate(struct maps *skel, struct bpf_program *p)
{
	double ns = mapops_run(skel, p, 200);
	double r;

	if (ns <= 0)
		return 0;
	r = MAPOPS_TARGET_S * 1e9 / ns;
	return r < 100 ? 100 : r > 1000000 ? 1000000 : (__u32)r;
}

static int mapops_fill(struct maps *skel)
{
	int ncpus = libbpf_num_possible_cpus();
	__u64 *pcpu = calloc(ncpus, sizeof(__u64));
	__u32 i;
	int err = 0;

	if (!pcpu)
		return -ENOMEM;
	for (i = 0; i < MAPOPS_KEYS && !err; i++) {
		struct lpm_key lk = { .prefixlen = 32, .addr = i };
		__u64 v = i;

		if (bpf_map_update_elem(bpf_map__fd(skel->maps.m_array), &i, &v, BPF_ANY) ||
		    bpf_map_update_elem(bpf_map__fd(skel->maps.m_hash), &i, &v, BPF_ANY) ||
		    bpf_map_update_elem(bpf_map__fd(skel->maps.m_lru), &i, &v, BPF_ANY) ||
		    bpf_map_update_elem(bpf_map__fd(skel->maps.m_lpm), &lk, &v, BPF_ANY) ||
		    bpf_map_update_elem(bpf_map__fd(skel->maps.m_parray), &i, pcpu, BPF_ANY) ||
		    bpf_map_update_elem(bpf_map__fd(skel->maps.m_phash), &i, pcpu, BPF_ANY))
			err = -errno;
	}
	free(pcpu);
	return err;
}

static int bench_mapops(const struct bench_args *a)
{
	struct maps *skel;
	struct mapop ops[] = {
		{ "mapops-array-update", "ARRAY update" },
		{ "mapops-parray-lookup", "PERCPU_ARRAY lookup" },
		{ "mapops-parray-update", "PERCPU_ARRAY update" },
		{ "mapops-hash-lookup", "HASH lookup" },
		{ "mapops-hash-update", "HASH update" },
		{ "mapops-phash-lookup", "PERCPU_HASH lookup" },
		{ "mapops-phash-update", "PERCPU_HASH update" },
		{ "mapops-lru-lookup", "LRU_HASH lookup" },
		{ "mapops-lru-update", "LRU_HASH update" },
		{ "mapops-lpm-lookup", "LPM_TRIE lookup (/32)" },
		{ "mapops-lpm-update", "LPM_TRIE update (/32)" },
	};
	enum { NOPS = sizeof(ops) / sizeof(ops[0]) };
	struct bench_pairs p[NOPS];
	double empty_loop[BENCH_MAX_PAIRS], empty_prog[BENCH_MAX_PAIRS];
	double med, mn, mx, eloop, eprog;
	__u32 rb, re, rp;
	char note[256];
	int i, r, err;

	memset(p, 0, sizeof(p));
	skel = maps__open_and_load();
	if (!skel) {
		fprintf(stderr, "%s: mapops: cannot load the map-op programs: %s\n", prog,
			sample_strerror(-errno));
		return 1;
	}
	err = mapops_fill(skel);
	if (err) {
		fprintf(stderr, "%s: mapops: filling the maps: %s\n", prog, sample_strerror(err));
		goto out;
	}
	ops[0].prog = skel->progs.array_update;
	ops[1].prog = skel->progs.parray_lookup;
	ops[2].prog = skel->progs.parray_update;
	ops[3].prog = skel->progs.hash_lookup;
	ops[4].prog = skel->progs.hash_update;
	ops[5].prog = skel->progs.phash_lookup;
	ops[6].prog = skel->progs.phash_update;
	ops[7].prog = skel->progs.lru_lookup;
	ops[8].prog = skel->progs.lru_update;
	ops[9].prog = skel->progs.lpm_lookup;
	ops[10].prog = skel->progs.lpm_update;

	/* One CPU for the whole row: the per-CPU maps then always hit the same
	 * copy, and no measurement migrates half way. */
	bench_pin(1);
	err = -EIO;
	rb = mapops_calibrate(skel, skel->progs.array_lookup);
	re = mapops_calibrate(skel, skel->progs.loop_empty);
	rp = 100000;
	if (!rb || !re)
		goto out;
	for (i = 0; i < NOPS; i++)
		if (!(ops[i].repeat = mapops_calibrate(skel, ops[i].prog)))
			goto out;

	/* Pair r of op i: the empty loop, the op and the array lookup, three
	 * times in turn, each side's fastest run kept (noise only adds time).
	 * An op's ns/op = (its ns per run - the empty loop's) / keys. */
	for (r = 0; r < a->pairs; r++) {
		double e = 1e12, ep = 1e12;

		for (i = 0; i < NOPS; i++) {
			double ta = 1e12, tb = 1e12, x, y = 0, z = 0;
			int j;

			for (j = 0; j < MAPOPS_BEST_OF; j++) {
				x = mapops_run(skel, skel->progs.loop_empty, re);
				for (int k = 0; k < 2; k++) {
					if (bench_is_a(r, k))
						y = mapops_run(skel, ops[i].prog, ops[i].repeat);
					else
						z = mapops_run(skel, skel->progs.array_lookup, rb);
				}
				if (x < 0 || y < 0 || z < 0)
					goto out;
				e = x < e ? x : e;
				ta = y < ta ? y : ta;
				tb = z < tb ? z : tb;
			}
			bench_add(&p[i], (ta - e) / MAPOPS_KEYS, (tb - e) / MAPOPS_KEYS);
		}
		for (i = 0; i < MAPOPS_BEST_OF; i++) {
			double x = mapops_run(skel, skel->progs.prog_empty, rp);

			if (x < 0)
				goto out;
			ep = x < ep ? x : ep;
		}
		empty_loop[r] = e / MAPOPS_KEYS;
		empty_prog[r] = ep;
	}
	bench_stats(empty_loop, a->pairs, &eloop, &mn, &mx);
	bench_stats(empty_prog, a->pairs, &eprog, &mn, &mx);
	for (i = 0; i < NOPS; i++) {
		double ratio[BENCH_MAX_PAIRS];
		int j;

		for (j = 0; j < p[i].n; j++)
			ratio[j] = p[i].a[j] / p[i].b[j];
		bench_stats(ratio, p[i].n, &med, &mn, &mx);
		snprintf(note, sizeof(note),
			 "costs %.3gx an array lookup; %d keys/run, all succeed; the empty loop (%.2f ns/key, incl. %.1f ns/run of empty program) is subtracted",
			 med, MAPOPS_KEYS, eloop, eprog);
		bench_row(ops[i].id, "in-kernel map op, ns/op", ops[i].label, "ARRAY lookup",
			  "ns/op", false, &p[i], "ordering and ratios as in the kernel's bench", note);
	}
	err = 0;
out:
	if (err)
		fprintf(stderr, "%s: mapops: measurement failed\n", prog);
	maps__destroy(skel);
	return err ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct bench_args a;
	int ret = 0;

	if (bench_parse(argc, argv, &a))
		return 2;
	sample_init(false);
	if (geteuid() != 0) {
		fprintf(stderr, "%s: needs root (BPF_PROG_TEST_RUN, map creation): run sudo make bench\n",
			prog);
		return 1;
	}
	if (bench_selected(&a, "dump"))
		ret |= bench_dump(&a);
	if (bench_selected(&a, "counter"))
		ret |= bench_counter(&a);
	if (bench_selected(&a, "mapops"))
		ret |= bench_mapops(&a);
	free(a.what);
	return ret;
}
