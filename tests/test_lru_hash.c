// SPDX-License-Identifier: GPL-2.0
/* lru_hash: HASH refuses the (max_entries + 1)th flow with E2BIG; the LRU maps
 * evict, and with the inserting CPU pinned exactly the newest flows survive;
 * hot flows survive; per-CPU values are summed. Driven with BPF_PROG_TEST_RUN
 * on crafted frames, inserting from chosen CPUs (run_on_cpu).
 *
 * Why the pinned numbers are exact (kernel/bpf/bpf_lru_list.c, common LRU):
 * each CPU takes free nodes from the global free list into its own local free
 * list target_free at a time. Once the global free list is empty, a CPU whose
 * local list runs dry moves its pending (recently inserted) nodes onto the
 * global inactive list and evicts target_free of the least recently used ones
 * in one go. target_free is 128 on older kernels and
 * clamp(max_entries / possible CPUs / 2, 1, 128) on newer ones: with
 * max_entries = 256 * possible CPUs it is 128 on both, so inserting M + k*128
 * distinct flows on one CPU leaves exactly the newest M. With
 * BPF_F_NO_COMMON_LRU every CPU has its own list of max_entries / CPUs nodes
 * and evicts 4 at a time (PERCPU_FREE_TARGET). */
#include <arpa/inet.h>
#include <stdlib.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "harness.h"
#include "sample.h"
#include "lru_hash.h"
#include "lru_hash.skel.h"

#define BATCH		128	/* target_free for M = 256 * possible CPUs */
#define PERCPU_BATCH	4	/* PERCPU_FREE_TARGET */
#define HOT		8

static int ncpus;

static struct lru_hash *load(enum bpf_map_type type, __u32 flags, __u32 max)
{
	struct lru_hash *skel = lru_hash__open();

	if (!skel)
		return NULL;
	if (bpf_map__set_type(skel->maps.flows, type) ||
	    bpf_map__set_map_flags(skel->maps.flows, flags) ||
	    bpf_map__set_max_entries(skel->maps.flows, max) || lru_hash__load(skel)) {
		lru_hash__destroy(skel);
		return NULL;
	}
	ncpus = libbpf_num_possible_cpus();
	return skel;
}

/* Flow n: UDP 10.0.0.0+n+1:40000 -> 10.0.0.1:7000; hot flow h: from 192.168.0.h+1. */
static void addr_of(__u32 n, bool hot, char *buf)
{
	__u32 a = hot ? 0xc0a80001 + n : 0x0a000001 + n;

	snprintf(buf, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

static struct pkt_opts opts_of(__u32 n, bool hot, char *src)
{
	struct pkt_opts o = { AF_INET, IPPROTO_UDP, src, "10.0.0.1", 10 };

	addr_of(n, hot, src);
	return o;
}

static void key_of(__u32 n, bool hot, struct flow_key *k)
{
	char src[16];

	addr_of(n, hot, src);
	memset(k, 0, sizeof(*k));
	inet_pton(AF_INET, src, &k->saddr);
	inet_pton(AF_INET, "10.0.0.1", &k->daddr);
	k->sport = htons(40000);
	k->dport = htons(7000);
	k->proto = IPPROTO_UDP;
}

static int send_flow(struct lru_hash *skel, __u32 n, bool hot, int repeat)
{
	unsigned char pkt[PKT_MAX];
	char src[16];
	struct pkt_opts o = opts_of(n, hot, src);
	LIBBPF_OPTS(bpf_test_run_opts, topts, .data_in = pkt, .repeat = repeat);

	topts.data_size_in = pkt_build(pkt, &o);
	return bpf_prog_test_run_opts(bpf_program__fd(skel->progs.flow_table), &topts)
		? -errno : (int)topts.retval == XDP_PASS ? 0 : -EPROTO;
}

/* A range of new flows, one packet each; with hot_every, one packet of each
 * hot flow before every hot_every new flows. Runs on whatever CPU calls it. */
struct job {
	struct lru_hash *skel;
	__u32 first, count, hot_every;
	int err;
};

static void send_range(void *arg)
{
	struct job *j = arg;

	for (__u32 n = j->first; n < j->first + j->count && !j->err; n++) {
		if (j->hot_every && n % j->hot_every == 0)
			for (__u32 h = 0; h < HOT && !j->err; h++)
				j->err = send_flow(j->skel, h, true, 1);
		if (!j->err)
			j->err = send_flow(j->skel, n, false, 1);
	}
}

static int send_on(struct lru_hash *skel, int cpu, __u32 first, __u32 count, __u32 hot_every)
{
	struct job j = { skel, first, count, hot_every, 0 };
	int err = run_on_cpu(cpu, send_range, &j);

	return err ? err : j.err;
}

static bool present(struct lru_hash *skel, __u32 n, bool hot)
{
	static char buf[4096 * 16];
	struct flow_key k;

	key_of(n, hot, &k);
	return bpf_map_lookup_elem(bpf_map__fd(skel->maps.flows), &k, buf) == 0;
}

static __u64 entries(struct lru_hash *skel)
{
	int fd = bpf_map__fd(skel->maps.flows);
	struct flow_key k, next;
	__u64 n = 0;

	for (int err = bpf_map_get_next_key(fd, NULL, &next); !err;
	     err = bpf_map_get_next_key(fd, &k, &next)) {
		k = next;
		n++;
	}
	return n;
}

static __u64 counter(struct lru_hash *skel, __u32 idx)
{
	__u64 v = ~0ull;

	bpf_map_lookup_elem(bpf_map__fd(skel->maps.counters), &idx, &v);
	return v;
}

/* How many of flows [first, first + count) are present. */
static __u32 present_in(struct lru_hash *skel, __u32 first, __u32 count)
{
	__u32 n = 0;

	for (__u32 i = first; i < first + count; i++)
		n += present(skel, i, false);
	return n;
}

static void nothing(void *arg)
{
}

/* Whether a thread can be pinned to cpu (online and in our cpuset). */
static bool cpu_usable(int cpu)
{
	return cpu < sysconf(_SC_NPROCESSORS_ONLN) && run_on_cpu(cpu, nothing, NULL) == 0;
}

/* HASH: the (max_entries + 1)th new flow is refused with E2BIG and counted;
 * existing flows still update; a delete makes room for one more. */
TEST(lru_hash, hash_e2big_at_max_plus_one)
{
	struct lru_hash *skel = load(BPF_MAP_TYPE_HASH, 0, 64);
	struct flow_key k;
	struct flow_val v = { 1, 1 };

	REQUIRE(skel, "loading with a 64-entry HASH: %s", strerror(errno));
	CHECK_ERR(send_on(skel, 0, 0, 64, 0), 0);
	CHECK_U64(counter(skel, CNT_INSERTS), 64);
	CHECK_U64(counter(skel, CNT_INSERT_FULL), 0);
	CHECK_U64(entries(skel), 64);
	CHECK_ERR(send_flow(skel, 64, false, 1), 0);		/* max_entries + 1 */
	CHECK_U64(counter(skel, CNT_INSERT_FULL), 1);
	CHECK_U64(counter(skel, CNT_INSERTS), 64);
	CHECK(!present(skel, 64, false), "flow 64 present in a full HASH");
	key_of(100, false, &k);				/* user space gets E2BIG too */
	CHECK_ERR(bpf_map_update_elem(bpf_map__fd(skel->maps.flows), &k, &v, BPF_NOEXIST)
		  ? -errno : 0, -E2BIG);
	CHECK_ERR(send_on(skel, 0, 65, 10, 0), 0);
	CHECK_U64(counter(skel, CNT_INSERT_FULL), 11);
	CHECK_ERR(send_flow(skel, 3, false, 4), 0);		/* an existing flow still counts */
	key_of(3, false, &k);
	CHECK_ERR(bpf_map_lookup_elem(bpf_map__fd(skel->maps.flows), &k, &v) ? -errno : 0, 0);
	CHECK_U64(v.packets, 5);
	CHECK_U64(counter(skel, CNT_INSERT_FULL), 11);
	CHECK(present_in(skel, 0, 64) == 64, "the first 64 flows are not all present");
	key_of(0, false, &k);
	CHECK_ERR(bpf_map_delete_elem(bpf_map__fd(skel->maps.flows), &k) ? -errno : 0, 0);
	CHECK_ERR(send_flow(skel, 64, false, 1), 0);
	CHECK_U64(counter(skel, CNT_INSERTS), 65);
	CHECK(present(skel, 64, false), "flow 64 missing after a delete made room");
	CHECK_U64(counter(skel, CNT_INSERT_ERR), 0);
	lru_hash__destroy(skel);
}

/* Common LRU, one CPU: full at exactly M; the (M + 1)th insert evicts a batch
 * of 128 (the map holds M - 127 then); after M + k*128 inserts exactly the
 * newest M flows are there. Same for LRU_HASH and LRU_PERCPU_HASH. */
static void pinned_newest(enum bpf_map_type type)
{
	int possible = libbpf_num_possible_cpus();
	__u32 m = 256 * possible;
	struct lru_hash *skel = load(type, 0, m);

	REQUIRE(skel, "loading a %u-entry LRU map: %s", m, strerror(errno));
	CHECK_ERR(send_on(skel, 0, 0, m, 0), 0);
	CHECK_U64(entries(skel), m);
	CHECK_U64(present_in(skel, 0, m), m);
	CHECK_ERR(send_on(skel, 0, m, 1, 0), 0);
	CHECK_U64(entries(skel), m - BATCH + 1);		/* evicted before full */
	CHECK_U64(present_in(skel, 0, BATCH), 0);		/* the oldest batch */
	CHECK_U64(present_in(skel, BATCH, m + 1 - BATCH), m + 1 - BATCH);
	CHECK_ERR(send_on(skel, 0, m + 1, BATCH - 1, 0), 0);
	CHECK_U64(entries(skel), m);
	CHECK_U64(present_in(skel, BATCH, m), m);		/* exactly the newest m */
	CHECK_ERR(send_on(skel, 0, m + BATCH, 3 * BATCH, 0), 0);
	CHECK_U64(entries(skel), m);
	CHECK_U64(present_in(skel, 4 * BATCH, m), m);
	CHECK_U64(present_in(skel, 0, 4 * BATCH), 0);
	CHECK_U64(counter(skel, CNT_INSERTS), m + 4 * BATCH);
	CHECK_U64(counter(skel, CNT_INSERT_FULL) + counter(skel, CNT_INSERT_ERR), 0);
	lru_hash__destroy(skel);
}

TEST(lru_hash, lru_pinned_exactly_newest_survive)
{
	pinned_newest(BPF_MAP_TYPE_LRU_HASH);
}

TEST(lru_hash, lru_percpu_pinned_exactly_newest_survive)
{
	pinned_newest(BPF_MAP_TYPE_LRU_PERCPU_HASH);
}

/* BPF_F_NO_COMMON_LRU: one LRU list per CPU with max_entries / CPUs nodes. A
 * single inserting CPU gets only its share, evicts 4 at a time, and keeps
 * exactly its newest share; another CPU still has a share of its own. */
TEST(lru_hash, no_common_lru_per_cpu_share)
{
	int possible = libbpf_num_possible_cpus();
	__u32 share = 64, m = share * possible;
	struct lru_hash *skel = load(BPF_MAP_TYPE_LRU_HASH, BPF_F_NO_COMMON_LRU, m);
	__u32 n = share + 10 * PERCPU_BATCH;

	REQUIRE(skel, "loading a %u-entry NO_COMMON_LRU map: %s", m, strerror(errno));
	CHECK_ERR(send_on(skel, 0, 0, n, 0), 0);
	CHECK_U64(entries(skel), share);
	CHECK_U64(present_in(skel, n - share, share), share);	/* exactly the newest share */
	CHECK_U64(present_in(skel, 0, n - share), 0);
	CHECK_ERR(send_on(skel, 0, n, 1, 0), 0);			/* one over: evicts 4 */
	CHECK_U64(entries(skel), share - PERCPU_BATCH + 1);
	if (possible > 1 && cpu_usable(1)) {
		/* CPU 1's list is untouched: 10 inserts there evict nothing. */
		CHECK_ERR(send_on(skel, 1, n + 1, 10, 0), 0);
		CHECK_U64(entries(skel), share - PERCPU_BATCH + 1 + 10);
		CHECK_U64(present_in(skel, n + 1, 10), 10);
	}
	lru_hash__destroy(skel);
}

/* Hot flows, touched before every 16 new flows, survive 4 * M new flows in
 * every LRU variant; the map never holds more than max_entries, and the
 * newest flow is there. The program's lookup sets the entry's reference bit,
 * which moves it to the active list instead of evicting it. */
TEST(lru_hash, lru_hot_flows_survive)
{
	static const struct { enum bpf_map_type type; __u32 flags; } v[] = {
		{ BPF_MAP_TYPE_LRU_HASH, 0 },
		{ BPF_MAP_TYPE_LRU_HASH, BPF_F_NO_COMMON_LRU },
		{ BPF_MAP_TYPE_LRU_PERCPU_HASH, 0 },
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		__u32 m = 256 * libbpf_num_possible_cpus(), n = 4 * m, hot = 0;
		struct lru_hash *skel = load(v[i].type, v[i].flags, m);

		REQUIRE(skel, "loading variant %zu: %s", i, strerror(errno));
		CHECK_ERR(send_on(skel, 0, 0, n, 16), 0);
		for (__u32 h = 0; h < HOT; h++)
			hot += present(skel, h, true);
		CHECK(hot == HOT, "variant %zu: %u of %d hot flows survived", i, hot, HOT);
		CHECK(entries(skel) <= m, "variant %zu: %llu entries > max_entries %u", i,
		      (unsigned long long)entries(skel), m);
		CHECK(present(skel, n - 1, false), "variant %zu: the newest flow is missing", i);
		CHECK_U64(counter(skel, CNT_PACKETS), n + HOT * (n / 16));
		lru_hash__destroy(skel);

		/* Control: the same flows touched only once, at the start and on
		 * the same CPU, are evicted like any other old flow. (Inserted on
		 * another CPU they would sit in that CPU's local list, out of
		 * reach of CPU 0's evictions: see lru_other_cpu_pending_kept.) */
		skel = load(v[i].type, v[i].flags, m);
		REQUIRE(skel, "loading variant %zu: %s", i, strerror(errno));
		CHECK_ERR(send_on(skel, 0, 0, 1, 1), 0);	/* each hot flow once, flow 0 */
		CHECK_ERR(send_on(skel, 0, 1, n, 0), 0);
		hot = 0;
		for (__u32 h = 0; h < HOT; h++)
			hot += present(skel, h, true);
		CHECK(hot == 0, "variant %zu: %u flows touched once survived %u newer ones",
		      i, hot, n);
		lru_hash__destroy(skel);
	}
}

/* Why unpinned inserts have no exact answer: CPU 1's first insert takes a
 * batch of 128 free nodes into CPU 1's local free list; its 9 flows wait in
 * CPU 1's local pending list, the other 119 nodes stay in its free list. CPU 0
 * evicts only from the global lists, so however many flows CPU 0 inserts, CPU
 * 1's flows survive, and CPU 0 keeps exactly its newest M - 128: the map holds
 * M - 119 entries, never M. */
TEST(lru_hash, lru_other_cpu_pending_kept)
{
	__u32 m = 256 * libbpf_num_possible_cpus(), kept = 0;
	struct lru_hash *skel;

	if (!cpu_usable(1))
		SKIP("needs a second online CPU to insert from");
	skel = load(BPF_MAP_TYPE_LRU_HASH, 0, m);
	REQUIRE(skel, "loading a %u-entry LRU_HASH: %s", m, strerror(errno));
	CHECK_ERR(send_on(skel, 1, 0, 1, 1), 0);	/* 8 hot flows + flow 0 on CPU 1 */
	CHECK_ERR(send_on(skel, 0, 1, 2 * m, 0), 0);	/* flows 1..2m on CPU 0 */
	for (__u32 h = 0; h < HOT; h++)
		kept += present(skel, h, true);
	CHECK_U64(kept, HOT);
	CHECK(present(skel, 0, false), "flow 0 (inserted on CPU 1) was evicted");
	CHECK_U64(entries(skel), HOT + 1 + m - BATCH);
	CHECK_U64(present_in(skel, 2 * m + 1 - (m - BATCH), m - BATCH), m - BATCH);
	lru_hash__destroy(skel);
}

/* Unpinned: inserts from the main thread wherever it runs, and from every
 * online CPU in turn. The exact survivors then depend on the CPUs' local
 * lists, but the map never exceeds max_entries and the newest flow is there. */
TEST(lru_hash, lru_unpinned_bounded_newest_present)
{
	static const struct { enum bpf_map_type type; __u32 flags; } v[] = {
		{ BPF_MAP_TYPE_LRU_HASH, 0 },
		{ BPF_MAP_TYPE_LRU_HASH, BPF_F_NO_COMMON_LRU },
		{ BPF_MAP_TYPE_LRU_PERCPU_HASH, 0 },
	};
	int online = sysconf(_SC_NPROCESSORS_ONLN);

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		__u32 m = 200, first = 0;
		struct lru_hash *skel = load(v[i].type, v[i].flags, m);
		struct job j;

		REQUIRE(skel, "loading variant %zu: %s", i, strerror(errno));
		j = (struct job){ skel, 0, m, 0, 0 };
		send_range(&j);				/* the main thread, unpinned */
		CHECK_ERR(j.err, 0);
		first = m;
		for (int round = 0; round < 8; round++, first += m / 2) {
			int cpu = round % online;

			if (cpu_usable(cpu))
				CHECK_ERR(send_on(skel, cpu, first, m / 2, 0), 0);
			else {
				j = (struct job){ skel, first, m / 2, 0, 0 };
				send_range(&j);
				CHECK_ERR(j.err, 0);
			}
		}
		CHECK(entries(skel) <= bpf_map__max_entries(skel->maps.flows),
		      "variant %zu: %llu entries > max_entries", i,
		      (unsigned long long)entries(skel));
		CHECK(present(skel, first - 1, false), "variant %zu: newest flow %u missing", i,
		      first - 1);
		lru_hash__destroy(skel);
	}
}

/* LRU_PERCPU_HASH: each CPU counts in its own copy of the value; a user-space
 * lookup returns one copy per possible CPU (8-byte stride) to be summed. */
TEST(lru_hash, percpu_values_summed)
{
	struct lru_hash *skel = load(BPF_MAP_TYPE_LRU_PERCPU_HASH, 0, 64);
	struct flow_val *vals, sum;
	int cpu1 = ncpus > 1 && cpu_usable(1) ? 1 : 0;
	__u32 len;
	struct flow_key k;
	char src[16];
	struct pkt_opts o = opts_of(7, false, src);

	REQUIRE(skel, "loading a 64-entry LRU_PERCPU_HASH: %s", strerror(errno));
	len = pkt_ip_len(&o);
	vals = calloc(ncpus, sample_percpu_stride(sizeof(*vals)));
	REQUIRE(vals, "calloc");
	CHECK_ERR(send_on(skel, 0, 7, 1, 0), 0);	/* insert: 1 packet on CPU 0 */
	for (int i = 0; i < 2; i++)
		CHECK_ERR(send_on(skel, 0, 7, 1, 0), 0);
	for (int i = 0; i < 5; i++)
		CHECK_ERR(send_on(skel, cpu1, 7, 1, 0), 0);
	key_of(7, false, &k);
	CHECK_ERR(bpf_map_lookup_elem(bpf_map__fd(skel->maps.flows), &k, vals) ? -errno : 0, 0);
	sample_percpu_sum(vals, ncpus, sizeof(*vals), (__u64 *)&sum);
	CHECK_U64(sum.packets, 8);
	CHECK_U64(sum.bytes, 8 * len);
	if (cpu1) {
		CHECK_U64(vals[0].packets, 3);
		CHECK_U64(vals[1].packets, 5);
	}
	CHECK_U64(counter(skel, CNT_INSERTS), 1);
	free(vals);
	lru_hash__destroy(skel);
}

/* Exact packets and bytes per 5-tuple; TCP and UDP of the same addresses are
 * two flows; IPv6 is not counted. */
TEST(lru_hash, exact_counts_per_flow)
{
	struct lru_hash *skel = load(BPF_MAP_TYPE_LRU_HASH, 0, 64);
	struct pkt_opts tcp = { AF_INET, IPPROTO_TCP, "10.0.0.9", "10.0.0.1", 100 };
	struct pkt_opts udp6 = { AF_INET6, IPPROTO_UDP, "fd00::2", "fd00::1", 10 };
	unsigned char pkt[PKT_MAX];
	LIBBPF_OPTS(bpf_test_run_opts, topts, .data_in = pkt);
	struct flow_key k;
	struct flow_val v = {};

	REQUIRE(skel, "loading a 64-entry LRU_HASH: %s", strerror(errno));
	CHECK_ERR(send_flow(skel, 8, false, 5), 0);		/* UDP from 10.0.0.9 */
	topts.data_size_in = pkt_build(pkt, &tcp);
	topts.repeat = 3;
	CHECK_ERR(bpf_prog_test_run_opts(bpf_program__fd(skel->progs.flow_table), &topts)
		  ? -errno : 0, 0);
	topts.data_size_in = pkt_build(pkt, &udp6);
	topts.repeat = 4;
	CHECK_ERR(bpf_prog_test_run_opts(bpf_program__fd(skel->progs.flow_table), &topts)
		  ? -errno : 0, 0);
	key_of(8, false, &k);
	CHECK_ERR(bpf_map_lookup_elem(bpf_map__fd(skel->maps.flows), &k, &v) ? -errno : 0, 0);
	CHECK_U64(v.packets, 5);
	CHECK_U64(v.bytes, 5 * (20 + 8 + 10));
	k.proto = IPPROTO_TCP;
	k.dport = htons(7001);
	CHECK_ERR(bpf_map_lookup_elem(bpf_map__fd(skel->maps.flows), &k, &v) ? -errno : 0, 0);
	CHECK_U64(v.packets, 3);
	CHECK_U64(v.bytes, 3 * pkt_ip_len(&tcp));
	CHECK_U64(entries(skel), 2);
	CHECK_U64(counter(skel, CNT_PACKETS), 8);
	CHECK_U64(counter(skel, CNT_INSERTS), 2);
	lru_hash__destroy(skel);
}
