// SPDX-License-Identifier: GPL-2.0
/* sockex2: exact per-destination counts in the HASH (IPv4, IPv6, VLAN, QinQ),
 * and the user-side hash API: update flags, E2BIG, get_next_key, lookup_batch,
 * lookup_and_delete. */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "harness.h"
#include "demo.h"
#include "sockex2.h"
#include "sockex2.skel.h"

#ifndef ENOTSUPP
#define ENOTSUPP 524
#endif

static struct sockex2 *load(__u32 max_entries, __u32 extra_flags)
{
	struct sockex2 *skel = sockex2__open();

	if (!skel)
		return NULL;
	if ((max_entries && bpf_map__set_max_entries(skel->maps.dst_stats, max_entries)) ||
	    (extra_flags && bpf_map__set_map_flags(skel->maps.dst_stats,
				bpf_map__map_flags(skel->maps.dst_stats) | extra_flags)) ||
	    sockex2__load(skel)) {
		sockex2__destroy(skel);
		return NULL;
	}
	return skel;
}

static int run_filter(struct sockex2 *skel, const struct pkt_opts *o, int repeat)
{
	unsigned char pkt[PKT_MAX];
	LIBBPF_OPTS(bpf_test_run_opts, topts, .data_in = pkt, .repeat = repeat);

	topts.data_size_in = pkt_build(pkt, o);
	return bpf_prog_test_run_opts(bpf_program__fd(skel->progs.count_by_dst), &topts)
		? -errno : 0;
}

static struct dst_key key_of(const char *text)
{
	struct dst_key k;

	memset(&k, 0, sizeof(k));
	if (inet_pton(AF_INET, text, k.addr) == 1)
		k.family = SOCKEX2_AF_INET;
	else if (inet_pton(AF_INET6, text, k.addr) == 1)
		k.family = SOCKEX2_AF_INET6;
	return k;
}

/* {~0, ~0} when the key is missing, so a missing key never reads as counts. */
static struct dst_counts read_dst(struct sockex2 *skel, const char *dst)
{
	struct dst_counts v = { ~0ull, ~0ull };
	struct dst_key k = key_of(dst);

	bpf_map_lookup_elem(bpf_map__fd(skel->maps.dst_stats), &k, &v);
	return v;
}

/* Number of keys, by a get_next_key walk. */
static int count_keys(int fd)
{
	struct dst_key cur, next;
	int n = 0;

	for (int err = bpf_map_get_next_key(fd, NULL, &next); !err;
	     err = bpf_map_get_next_key(fd, &cur, &next)) {
		cur = next;
		if (++n > 100000)
			return -ELOOP;
	}
	return n;
}

static struct dst_key key_nr(__u32 i)
{
	struct dst_key k = { .family = SOCKEX2_AF_INET, .addr = { 198, 18 } };

	k.addr[1] += i >> 16;
	k.addr[2] = i >> 8;
	k.addr[3] = i;
	return k;
}

#define UPD(fd, k, v, fl) (bpf_map_update_elem(fd, k, v, fl) ? -errno : 0)

/* Known IPv4 and IPv6 packets of known lengths give exact packets and bytes
 * per destination, and no other key. */
TEST(sockex2, exact_counts_ipv4_ipv6)
{
	struct pkt_opts udp = { AF_INET, IPPROTO_UDP, "10.0.0.9", "10.0.0.1", 100 };
	struct pkt_opts tcp = { AF_INET, IPPROTO_TCP, "10.0.0.9", "10.0.0.2", 1000 };
	struct pkt_opts icmp = { AF_INET, IPPROTO_ICMP, "10.0.0.9", "10.0.0.1", 56 };
	struct pkt_opts udp6 = { AF_INET6, IPPROTO_UDP, "fd00::9", "fd00::1", 10 };
	struct pkt_opts tcp6 = { AF_INET6, IPPROTO_TCP, "fd00::9", "fd00::2", 0 };
	struct sockex2 *skel = load(0, 0);

	REQUIRE(skel, "loading sockex2: %s", strerror(errno));
	CHECK_ERR(run_filter(skel, &udp, 3), 0);
	CHECK_ERR(run_filter(skel, &tcp, 2), 0);
	CHECK_ERR(run_filter(skel, &icmp, 4), 0);
	CHECK_ERR(run_filter(skel, &udp6, 5), 0);
	CHECK_ERR(run_filter(skel, &tcp6, 1), 0);

	CHECK_U64(read_dst(skel, "10.0.0.1").packets, 3 + 4);
	CHECK_U64(read_dst(skel, "10.0.0.1").bytes, 3 * 128 + 4 * 84);
	CHECK_U64(read_dst(skel, "10.0.0.2").packets, 2);
	CHECK_U64(read_dst(skel, "10.0.0.2").bytes, 2 * 1040);
	CHECK_U64(read_dst(skel, "fd00::1").packets, 5);
	CHECK_U64(read_dst(skel, "fd00::1").bytes, 5 * 58);
	CHECK_U64(read_dst(skel, "fd00::2").packets, 1);
	CHECK_U64(read_dst(skel, "fd00::2").bytes, 60);
	CHECK_U64(count_keys(bpf_map__fd(skel->maps.dst_stats)), 4);
	CHECK_U64(skel->bss->insert_failed, 0);
	sockex2__destroy(skel);
}

/* One 802.1Q tag and two tags (802.1AD outer, 802.1Q inner) are skipped: the
 * same destinations get the same IP bytes as untagged frames. */
TEST(sockex2, vlan_and_qinq)
{
	struct pkt_opts v1 = { AF_INET, IPPROTO_UDP, "10.0.0.9", "10.0.1.1", 100, 1, 10 };
	struct pkt_opts v2 = { AF_INET, IPPROTO_UDP, "10.0.0.9", "10.0.1.1", 200, 2, 20 };
	struct pkt_opts v1_6 = { AF_INET6, IPPROTO_UDP, "fd00::9", "fd00:1::1", 30, 1, 30 };
	struct pkt_opts v2_6 = { AF_INET6, IPPROTO_TCP, "fd00::9", "fd00:1::2", 500, 2, 40 };
	struct sockex2 *skel = load(0, 0);

	REQUIRE(skel, "loading sockex2: %s", strerror(errno));
	CHECK_ERR(run_filter(skel, &v1, 3), 0);
	CHECK_ERR(run_filter(skel, &v2, 2), 0);
	CHECK_ERR(run_filter(skel, &v1_6, 4), 0);
	CHECK_ERR(run_filter(skel, &v2_6, 6), 0);

	CHECK_U64(read_dst(skel, "10.0.1.1").packets, 3 + 2);
	CHECK_U64(read_dst(skel, "10.0.1.1").bytes, 3 * 128 + 2 * 228);
	CHECK_U64(read_dst(skel, "fd00:1::1").packets, 4);
	CHECK_U64(read_dst(skel, "fd00:1::1").bytes, 4 * (40 + 8 + 30));
	CHECK_U64(read_dst(skel, "fd00:1::2").packets, 6);
	CHECK_U64(read_dst(skel, "fd00:1::2").bytes, 6 * (40 + 20 + 500));
	CHECK_U64(count_keys(bpf_map__fd(skel->maps.dst_stats)), 3);
	sockex2__destroy(skel);
}

/* Frames that are not IP are not counted: ARP, and a third VLAN tag (the
 * dissector stops after two). */
TEST(sockex2, non_ip_not_counted)
{
	unsigned char arp[60] = { [12] = 0x08, [13] = 0x06 };
	struct pkt_opts o = { AF_INET, IPPROTO_UDP, "10.0.0.9", "10.0.0.1", 20, 2, 5 };
	unsigned char pkt[PKT_MAX], three[PKT_MAX];
	LIBBPF_OPTS(bpf_test_run_opts, topts);
	struct sockex2 *skel = load(0, 0);
	unsigned int len;
	int prog_fd;

	REQUIRE(skel, "loading sockex2: %s", strerror(errno));
	prog_fd = bpf_program__fd(skel->progs.count_by_dst);
	topts.data_in = arp;
	topts.data_size_in = sizeof(arp);
	CHECK_ERR(bpf_prog_test_run_opts(prog_fd, &topts) ? -errno : 0, 0);

	/* Insert a third tag (802.1AD) in front of the two pkt_build() made. */
	len = pkt_build(pkt, &o);
	memcpy(three, pkt, 12);
	three[12] = 0x88;
	three[13] = 0xa8;
	three[14] = 0;
	three[15] = 7;
	memcpy(three + 16, pkt + 12, len - 12);
	topts.data_in = three;
	topts.data_size_in = len + 4;
	topts.data_size_out = 0;	/* the last run wrote 60 here: ENOSPC otherwise */
	CHECK_ERR(bpf_prog_test_run_opts(prog_fd, &topts) ? -errno : 0, 0);
	CHECK_U64(count_keys(bpf_map__fd(skel->maps.dst_stats)), 0);

	/* The same frame with two tags is counted (so the check above is real). */
	topts.data_in = pkt;
	topts.data_size_in = len;
	topts.data_size_out = 0;
	CHECK_ERR(bpf_prog_test_run_opts(prog_fd, &topts) ? -errno : 0, 0);
	CHECK_U64(read_dst(skel, "10.0.0.1").packets, 1);
	sockex2__destroy(skel);
}

/* An IPv4 key and the IPv6 key with the same bytes, and an IPv4 key with
 * garbage in the unused bytes, are all different keys: the whole key is hashed. */
TEST(sockex2, whole_key_is_hashed)
{
	struct sockex2 *skel = load(0, 0);
	struct dst_counts v = { 1, 1 }, got;
	struct dst_key k4 = key_of("10.0.0.1"), k6 = k4, dirty = k4;
	int fd;

	REQUIRE(skel, "loading sockex2: %s", strerror(errno));
	fd = bpf_map__fd(skel->maps.dst_stats);
	k6.family = SOCKEX2_AF_INET6;
	dirty.addr[15] = 0xff;
	CHECK_ERR(UPD(fd, &k4, &v, BPF_NOEXIST), 0);
	CHECK_ERR(bpf_map_lookup_elem(fd, &k6, &got) ? -errno : 0, -ENOENT);
	CHECK_ERR(bpf_map_lookup_elem(fd, &dirty, &got) ? -errno : 0, -ENOENT);
	CHECK_ERR(UPD(fd, &k6, &v, BPF_NOEXIST), 0);
	CHECK_ERR(UPD(fd, &dirty, &v, BPF_NOEXIST), 0);
	CHECK_U64(count_keys(fd), 3);
	sockex2__destroy(skel);
}

/* Every update flag and its error, plus delete. */
TEST(sockex2, update_flags)
{
	struct sockex2 *skel = load(0, 0);
	struct dst_counts v1 = { 1, 10 }, v2 = { 2, 20 }, v3 = { 3, 30 }, got;
	struct dst_key k = key_of("192.0.2.1");
	int fd;

	REQUIRE(skel, "loading sockex2: %s", strerror(errno));
	fd = bpf_map__fd(skel->maps.dst_stats);
	CHECK_ERR(bpf_map_lookup_elem(fd, &k, &got) ? -errno : 0, -ENOENT);
	CHECK_ERR(UPD(fd, &k, &v1, BPF_EXIST), -ENOENT);	/* EXIST: replace only */
	CHECK_U64(count_keys(fd), 0);
	CHECK_ERR(UPD(fd, &k, &v1, BPF_NOEXIST), 0);		/* NOEXIST: insert only */
	CHECK_ERR(UPD(fd, &k, &v2, BPF_NOEXIST), -EEXIST);
	got = (struct dst_counts){};
	CHECK_ERR(bpf_map_lookup_elem(fd, &k, &got) ? -errno : 0, 0);
	CHECK_U64(got.packets, 1);				/* the failed NOEXIST changed nothing */
	CHECK_ERR(UPD(fd, &k, &v2, BPF_EXIST), 0);
	CHECK_ERR(bpf_map_lookup_elem(fd, &k, &got) ? -errno : 0, 0);
	CHECK_U64(got.packets, 2);
	CHECK_ERR(UPD(fd, &k, &v3, BPF_ANY), 0);		/* ANY: replace ... */
	CHECK_ERR(bpf_map_lookup_elem(fd, &k, &got) ? -errno : 0, 0);
	CHECK_U64(got.bytes, 30);
	CHECK_ERR(bpf_map_delete_elem(fd, &k) ? -errno : 0, 0);
	CHECK_ERR(bpf_map_delete_elem(fd, &k) ? -errno : 0, -ENOENT);
	CHECK_ERR(UPD(fd, &k, &v3, BPF_ANY), 0);		/* ... or insert */
	CHECK_U64(count_keys(fd), 1);
	/* BPF_F_LOCK needs a bpf_spin_lock in the value; unknown flags are EINVAL. */
	CHECK_ERR(UPD(fd, &k, &v1, BPF_F_LOCK), -EINVAL);
	CHECK_ERR(UPD(fd, &k, &v1, 1ull << 10), -EINVAL);
	sockex2__destroy(skel);
}

/* A full HASH refuses the insert of entry max_entries + 1 with E2BIG (no
 * eviction), preallocated or not; replacing an existing key still works, and
 * a delete makes room again. */
static void e2big_case(__u32 extra_flags)
{
	struct sockex2 *skel = load(4, extra_flags);
	struct dst_counts v = { 1, 1 };
	struct dst_key k;
	int fd;

	REQUIRE(skel, "loading sockex2 with 4 entries: %s", strerror(errno));
	fd = bpf_map__fd(skel->maps.dst_stats);
	CHECK_U64(bpf_map__max_entries(skel->maps.dst_stats), 4);
	for (__u32 i = 1; i <= 4; i++) {
		k = key_nr(i);
		CHECK_ERR(UPD(fd, &k, &v, BPF_NOEXIST), 0);
	}
	k = key_nr(5);
	CHECK_ERR(UPD(fd, &k, &v, BPF_ANY), -E2BIG);
	CHECK_ERR(UPD(fd, &k, &v, BPF_NOEXIST), -E2BIG);
	k = key_nr(1);
	v.packets = 9;
	CHECK_ERR(UPD(fd, &k, &v, BPF_ANY), 0);
	CHECK_ERR(UPD(fd, &k, &v, BPF_EXIST), 0);
	CHECK_ERR(bpf_map_delete_elem(fd, &k) ? -errno : 0, 0);
	k = key_nr(5);
	CHECK_ERR(UPD(fd, &k, &v, BPF_NOEXIST), 0);
	CHECK_U64(count_keys(fd), 4);
	sockex2__destroy(skel);
}

TEST(sockex2, e2big_when_full_preallocated)
{
	e2big_case(0);
}

TEST(sockex2, e2big_when_full_no_prealloc)
{
	e2big_case(BPF_F_NO_PREALLOC);
}

/* The program's own insert fails on a full map: those packets are counted in
 * insert_failed (.bss), exactly, and the keys already in the map keep counting. */
TEST(sockex2, program_insert_fails_when_full)
{
	struct pkt_opts a = { AF_INET, IPPROTO_UDP, "10.0.0.9", "10.0.2.1", 100 };
	struct pkt_opts b = { AF_INET6, IPPROTO_UDP, "fd00::9", "fd00:2::1", 100 };
	struct pkt_opts c = { AF_INET, IPPROTO_UDP, "10.0.0.9", "10.0.2.3", 100 };
	struct pkt_opts d = { AF_INET6, IPPROTO_UDP, "fd00::9", "fd00:2::4", 100, 1, 3 };
	struct sockex2 *skel = load(2, 0);

	REQUIRE(skel, "loading sockex2 with 2 entries: %s", strerror(errno));
	CHECK_ERR(run_filter(skel, &a, 3), 0);
	CHECK_ERR(run_filter(skel, &b, 2), 0);
	CHECK_ERR(run_filter(skel, &c, 7), 0);		/* full: 7 failed inserts */
	CHECK_ERR(run_filter(skel, &d, 4), 0);		/* 4 more */
	CHECK_ERR(run_filter(skel, &a, 1), 0);		/* an existing key still counts */
	CHECK_U64(skel->bss->insert_failed, 7 + 4);
	CHECK_U64(read_dst(skel, "10.0.2.1").packets, 4);
	CHECK_U64(read_dst(skel, "10.0.2.1").bytes, 4 * 128);
	CHECK_U64(read_dst(skel, "fd00:2::1").packets, 2);
	CHECK_U64(read_dst(skel, "fd00:2::1").bytes, 2 * 148);
	CHECK_U64(count_keys(bpf_map__fd(skel->maps.dst_stats)), 2);
	sockex2__destroy(skel);
}

/* Two CPUs count the same new key at once, 2 x 2,000,000 packets: atomic
 * adds and the NOEXIST/EEXIST retry keep every packet. (With a plain
 * st->packets++ this test loses a few percent of the counts.) */
struct race_arg {
	struct sockex2 *skel;
	struct pkt_opts *o;
	int rounds, err;
};

static void race_fn(void *p)
{
	struct race_arg *r = p;

	for (int i = 0; i < r->rounds && !r->err; i++)
		r->err = run_filter(r->skel, r->o, 10000);
}

static void *race_thread(void *p)
{
	struct race_arg *r = p;

	r->err = run_on_cpu(1, race_fn, r);
	return NULL;
}

TEST(sockex2, two_cpus_count_exactly)
{
	struct pkt_opts o = { AF_INET, IPPROTO_UDP, "10.0.0.9", "10.0.3.1", 100 };
	struct sockex2 *skel = load(0, 0);
	struct race_arg r0, r1;
	pthread_t th;

	REQUIRE(skel, "loading sockex2: %s", strerror(errno));
	if (libbpf_num_possible_cpus() < 2 || sysconf(_SC_NPROCESSORS_ONLN) < 2) {
		sockex2__destroy(skel);
		SKIP("needs two online CPUs");
	}
	r0 = (struct race_arg){ skel, &o, 200, 0 };
	r1 = r0;
	REQUIRE(pthread_create(&th, NULL, race_thread, &r1) == 0, "pthread_create");
	CHECK_ERR(run_on_cpu(0, race_fn, &r0), 0);
	pthread_join(th, NULL);
	CHECK_ERR(r0.err, 0);
	CHECK_ERR(r1.err, 0);
	CHECK_U64(read_dst(skel, "10.0.3.1").packets, 2 * 200 * 10000);
	CHECK_U64(read_dst(skel, "10.0.3.1").bytes, 2 * 200 * 10000 * 128ull);
	CHECK_U64(skel->bss->insert_failed, 0);
	sockex2__destroy(skel);
}

/* get_next_key: NULL gives the first key; the walk visits every key exactly
 * once and ends with ENOENT; a key that is not in the map (e.g. the one just
 * deleted) gives the first key again, so a walk restarts. */
TEST(sockex2, get_next_key_walk)
{
	struct sockex2 *skel = load(0, 0);
	struct dst_counts v = { 1, 1 };
	struct dst_key k, first, cur, next, missing = key_of("192.0.2.99");
	unsigned char seen[101] = {};
	int fd, n = 0, err;

	REQUIRE(skel, "loading sockex2: %s", strerror(errno));
	fd = bpf_map__fd(skel->maps.dst_stats);
	CHECK_ERR(bpf_map_get_next_key(fd, NULL, &k) ? -errno : 0, -ENOENT);	/* empty */
	for (__u32 i = 1; i <= 100; i++) {
		k = key_nr(i);
		CHECK_ERR(UPD(fd, &k, &v, BPF_NOEXIST), 0);
	}
	for (err = bpf_map_get_next_key(fd, NULL, &next); !err && n < 1000;
	     err = bpf_map_get_next_key(fd, &cur, &next)) {
		if (next.addr[0] == 198 && next.addr[2] == 0 && next.addr[3] >= 1 &&
		    next.addr[3] <= 100)
			seen[next.addr[3]]++;
		cur = next;
		n++;
	}
	CHECK_ERR(err ? -errno : 0, -ENOENT);
	CHECK_U64(n, 100);
	for (int i = 1; i <= 100; i++)
		CHECK(seen[i] == 1, "key 198.18.0.%d seen %d times", i, seen[i]);

	CHECK_ERR(bpf_map_get_next_key(fd, NULL, &first) ? -errno : 0, 0);
	CHECK_ERR(bpf_map_get_next_key(fd, &missing, &k) ? -errno : 0, 0);
	CHECK(!memcmp(&k, &first, sizeof(k)), "next(missing key) is not the first key");
	/* Delete the second key of the walk, then ask for its successor. */
	CHECK_ERR(bpf_map_get_next_key(fd, &first, &cur) ? -errno : 0, 0);
	CHECK_ERR(bpf_map_delete_elem(fd, &cur) ? -errno : 0, 0);
	CHECK_ERR(bpf_map_get_next_key(fd, &cur, &k) ? -errno : 0, 0);
	CHECK(!memcmp(&k, &first, sizeof(k)), "next(deleted key) is not the first key");
	sockex2__destroy(skel);
}

/* Deleting while walking: next first, then delete the current key, visits
 * each key once and deletes exactly the chosen ones. */
TEST(sockex2, delete_while_walking)
{
	struct sockex2 *skel = load(0, 0);
	struct dst_counts v = { 1, 1 };
	struct dst_key k, cur, next;
	int fd, visits = 0, err;
	bool have;

	REQUIRE(skel, "loading sockex2: %s", strerror(errno));
	fd = bpf_map__fd(skel->maps.dst_stats);
	for (__u32 i = 1; i <= 200; i++) {
		k = key_nr(i);
		CHECK_ERR(UPD(fd, &k, &v, BPF_NOEXIST), 0);
	}
	err = bpf_map_get_next_key(fd, NULL, &cur) ? -errno : 0;
	have = !err;
	while (have && visits < 1000) {
		visits++;
		err = bpf_map_get_next_key(fd, &cur, &next) ? -errno : 0;
		if (!(cur.addr[3] & 1))
			CHECK_ERR(bpf_map_delete_elem(fd, &cur) ? -errno : 0, 0);
		have = !err;
		cur = next;
	}
	CHECK_ERR(err, -ENOENT);
	CHECK_U64(visits, 200);
	CHECK_U64(count_keys(fd), 100);
	for (__u32 i = 1; i <= 200; i++) {
		struct dst_counts got;

		k = key_nr(i);
		CHECK_ERR(bpf_map_lookup_elem(fd, &k, &got) ? -errno : 0,
			  (i & 1) ? 0 : -ENOENT);
	}
	sockex2__destroy(skel);
}

struct entry {
	struct dst_key key;
	struct dst_counts val;
};

static int cmp_entry(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct dst_key));
}

/* Field by field: struct entry has 4 bytes of padding after the key. */
static bool same_entry(const struct entry *a, const struct entry *b)
{
	return !memcmp(&a->key, &b->key, sizeof(a->key)) && a->val.packets == b->val.packets &&
	       a->val.bytes == b->val.bytes;
}

/* lookup_batch returns the same entries as a get_next_key walk + lookup, on a
 * map of a few hundred entries, in chunks linked by the in/out batch token. */
TEST(sockex2, batch_dump_equals_walk)
{
	enum { N = 300, CHUNK = 32 };
	struct sockex2 *skel = load(0, 0);
	struct entry walk[N + 1], batch[N + 1];
	struct dst_key keys[CHUNK], cur, next;
	struct dst_counts vals[CHUNK];
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	__u32 in_batch = 0, out_batch = 0, count;
	int fd, nw = 0, nb = 0, calls = 0, err;

	REQUIRE(skel, "loading sockex2: %s", strerror(errno));
	fd = bpf_map__fd(skel->maps.dst_stats);
	for (__u32 i = 1; i <= N; i++) {
		struct dst_key k = key_nr(i);
		struct dst_counts v = { i, i * 1000ull + 7 };

		if (i % 3 == 0) {	/* some IPv6 keys too */
			k = key_of("fd00:5::");
			k.addr[14] = i >> 8;
			k.addr[15] = i;
		}
		CHECK_ERR(UPD(fd, &k, &v, BPF_NOEXIST), 0);
	}
	for (err = bpf_map_get_next_key(fd, NULL, &next); !err && nw < N + 1;
	     err = bpf_map_get_next_key(fd, &cur, &next)) {
		walk[nw].key = next;
		CHECK_ERR(bpf_map_lookup_elem(fd, &next, &walk[nw].val) ? -errno : 0, 0);
		nw++;
		cur = next;
	}
	CHECK_U64(nw, N);

	do {
		count = CHUNK;
		err = bpf_map_lookup_batch(fd, calls ? &in_batch : NULL, &out_batch, keys, vals,
					   &count, &opts) ? -errno : 0;
		if (err == -EINVAL && !calls) {
			sockex2__destroy(skel);
			SKIP("BPF_MAP_LOOKUP_BATCH not supported (kernel < 5.6)");
		}
		calls++;
		if (err && err != -ENOENT)
			break;
		CHECK(count <= CHUNK, "count %u > %u", count, CHUNK);
		for (__u32 i = 0; i < count && nb < N + 1; i++, nb++) {
			batch[nb].key = keys[i];
			batch[nb].val = vals[i];
		}
		in_batch = out_batch;
	} while (!err && calls < 1000);
	CHECK_ERR(err, -ENOENT);
	CHECK_U64(nb, N);
	CHECK(calls >= N / CHUNK + 1, "only %d batch calls", calls);

	qsort(walk, nw, sizeof(walk[0]), cmp_entry);
	qsort(batch, nb, sizeof(batch[0]), cmp_entry);
	CHECK_U64(nw, nb);
	for (int i = 0; i < nw && i < nb; i++)
		CHECK(same_entry(&walk[i], &batch[i]), "entry %d: batch dump differs from the walk", i);
	for (int i = 0; i < nw; i++)	/* each value belongs to its key */
		CHECK(walk[i].val.bytes == walk[i].val.packets * 1000 + 7, "entry %d value", i);

	/* A batch of 1 fails with ENOSPC as soon as a bucket holds two keys:
	 * a hash batch never splits a bucket. 300 keys in 1024 buckets
	 * collide somewhere, so walking with count = 1 must hit it. */
	in_batch = 0;
	calls = 0;
	do {
		count = 1;
		err = bpf_map_lookup_batch(fd, calls ? &in_batch : NULL, &out_batch, keys, vals,
					   &count, &opts) ? -errno : 0;
		in_batch = out_batch;
	} while (!err && ++calls < 1000);
	CHECK_ERR(err, -ENOSPC);
	sockex2__destroy(skel);
}

/* lookup_and_delete returns the value and removes the key in one call. */
TEST(sockex2, lookup_and_delete)
{
	struct pkt_opts o = { AF_INET, IPPROTO_UDP, "10.0.0.9", "10.0.4.1", 100 };
	struct sockex2 *skel = load(0, 0);
	struct dst_counts got = {};
	struct dst_key k = key_of("10.0.4.1");
	int fd, err;

	REQUIRE(skel, "loading sockex2: %s", strerror(errno));
	fd = bpf_map__fd(skel->maps.dst_stats);
	CHECK_ERR(run_filter(skel, &o, 5), 0);
	err = bpf_map_lookup_and_delete_elem(fd, &k, &got) ? -errno : 0;
	if (err == -ENOTSUPP || err == -EOPNOTSUPP) {
		sockex2__destroy(skel);
		SKIP("lookup_and_delete on a hash not supported (kernel < 5.14)");
	}
	CHECK_ERR(err, 0);
	CHECK_U64(got.packets, 5);
	CHECK_U64(got.bytes, 5 * 128);
	CHECK_ERR(bpf_map_lookup_elem(fd, &k, &got) ? -errno : 0, -ENOENT);
	CHECK_ERR(bpf_map_lookup_and_delete_elem(fd, &k, &got) ? -errno : 0, -ENOENT);
	CHECK_U64(count_keys(fd), 0);
	/* The next packet inserts the key again, counting from zero. */
	CHECK_ERR(run_filter(skel, &o, 2), 0);
	CHECK_U64(read_dst(skel, "10.0.4.1").packets, 2);
	CHECK_U64(read_dst(skel, "10.0.4.1").bytes, 2 * 128);
	sockex2__destroy(skel);
}

/* On a real packet socket (skb->data at the MAC header) the filter counts the
 * same IP bytes: UDP over lo in a private netns, IPv4 and IPv6, is seen twice
 * per datagram by a socket bound to lo (sent and received). */
TEST(sockex2, real_packet_socket_on_lo)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL),
				   .sll_ifindex = 1 };
	struct sockaddr_in dst = { .sin_family = AF_INET, .sin_port = htons(9),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr_in6 dst6 = { .sin6_family = AF_INET6, .sin6_port = htons(9),
				     .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	struct sockex2 *skel = load(0, 0);
	int ns = -1, pkt = -1, udp = -1, rx = -1, udp6 = -1, rx6 = -1, prog_fd;
	char payload[100] = {};

	REQUIRE(skel, "loading sockex2: %s", strerror(errno));
	prog_fd = bpf_program__fd(skel->progs.count_by_dst);
	ns = sample_netns_new();
	if (ns < 0) {
		harness_fail(__FILE__, __LINE__, "sample_netns_new: %s", strerror(-ns));
		goto out;
	}
	pkt = sample_netns_socket(ns, AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	rx = sample_netns_socket(ns, AF_INET, SOCK_DGRAM, 0);
	udp = sample_netns_socket(ns, AF_INET, SOCK_DGRAM, 0);
	rx6 = sample_netns_socket(ns, AF_INET6, SOCK_DGRAM, 0);
	udp6 = sample_netns_socket(ns, AF_INET6, SOCK_DGRAM, 0);
	if (pkt < 0 || rx < 0 || udp < 0 || rx6 < 0 || udp6 < 0) {
		harness_fail(__FILE__, __LINE__, "sockets in the test netns failed");
		goto out;
	}
	/* Bound receivers, so no ICMP port-unreachable joins the count. */
	CHECK_ERR(bind(rx, (struct sockaddr *)&dst, sizeof(dst)) ? -errno : 0, 0);
	CHECK_ERR(bind(rx6, (struct sockaddr *)&dst6, sizeof(dst6)) ? -errno : 0, 0);
	CHECK_ERR(setsockopt(pkt, SOL_SOCKET, SO_ATTACH_BPF, &prog_fd, sizeof(prog_fd))
		  ? -errno : 0, 0);
	CHECK_ERR(bind(pkt, (struct sockaddr *)&sll, sizeof(sll)) ? -errno : 0, 0);
	for (int i = 0; i < 3; i++)
		CHECK(sendto(udp, payload, sizeof(payload), 0, (struct sockaddr *)&dst,
			     sizeof(dst)) == sizeof(payload), "sendto: %s", strerror(errno));
	for (int i = 0; i < 2; i++)
		CHECK(sendto(udp6, payload, 50, 0, (struct sockaddr *)&dst6,
			     sizeof(dst6)) == 50, "sendto v6: %s", strerror(errno));
	for (int i = 0; i < 3; i++)
		CHECK(recv(rx, payload, sizeof(payload), 0) == sizeof(payload),
		      "recv: %s", strerror(errno));
	for (int i = 0; i < 2; i++)
		CHECK(recv(rx6, payload, sizeof(payload), 0) == 50, "recv v6: %s", strerror(errno));
	CHECK_U64(read_dst(skel, "127.0.0.1").packets, 6);
	CHECK_U64(read_dst(skel, "127.0.0.1").bytes, 6 * 128);
	CHECK_U64(read_dst(skel, "::1").packets, 4);
	CHECK_U64(read_dst(skel, "::1").bytes, 4 * (40 + 8 + 50));
	CHECK_U64(count_keys(bpf_map__fd(skel->maps.dst_stats)), 2);
out:
	{
		int fds[] = { pkt, udp, rx, udp6, rx6, ns };

		for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
			if (fds[i] >= 0)
				close(fds[i]);
	}
	sockex2__destroy(skel);
}
