// SPDX-License-Identifier: GPL-2.0
/* bloom_filter: no listed address is ever passed (zero false negatives); the
 * false positives of a BPF_F_ZERO_SEED filter are exactly the ones the same
 * hashing computes in user space (bloom_filter_model.h), over 100,000 probes
 * through the map and 20,000 through the XDP program; the program's three
 * counters add up exactly; a rebuilt filter swapped in through the
 * ARRAY_OF_MAPS forgets a deleted address; what the map refuses. */
#include <arpa/inet.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "harness.h"
#include "sample.h"
#include "bloom_filter.h"
#include "bloom_filter_model.h"
#include "bloom_filter.skel.h"

#define LISTED	10000
#define K	3

static __u64 rng = 12345;

static __u32 rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (__u32)(rng >> 16);
}

static struct bloom_filter *load(bool use_bloom)
{
	struct bloom_filter *skel = bloom_filter__open();

	if (!skel)
		return NULL;
	skel->rodata->use_bloom = use_bloom;
	if (bpf_map__set_max_entries(skel->maps.deny_list, LISTED) ||
	    bpf_map__set_map_extra(bpf_map__inner_map(skel->maps.deny_outer), K) ||
	    bpf_map__set_map_flags(bpf_map__inner_map(skel->maps.deny_outer), BPF_F_ZERO_SEED) ||
	    bloom_filter__load(skel)) {
		bloom_filter__destroy(skel);
		return NULL;
	}
	return skel;
}

/* A new filter of every address in addrs, swapped into deny_outer. Returns
 * its fd (the caller closes it) or -errno. */
static int swap_in(struct bloom_filter *skel, const __u32 *addrs, int n)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_extra = K, .map_flags = BPF_F_ZERO_SEED);
	int fd = bpf_map_create(BPF_MAP_TYPE_BLOOM_FILTER, "t", 0, 4, LISTED, &o);
	__u32 zero = 0;

	if (fd < 0)
		return -errno;
	for (int i = 0; i < n; i++)
		if (bpf_map_update_elem(fd, NULL, &addrs[i], BPF_ANY))
			return close(fd), -errno;
	if (bpf_map__update_elem(skel->maps.deny_outer, &zero, 4, &fd, sizeof(fd), BPF_ANY))
		return close(fd), -errno;
	return fd;
}

static int run(struct bloom_filter *skel, __u32 saddr)
{
	unsigned char buf[64] = { [12] = 0x08, [14] = 0x45 };
	LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = buf, .data_size_in = 34);

	memcpy(buf + 26, &saddr, 4);
	if (bpf_prog_test_run_opts(bpf_program__fd(skel->progs.deny_filter), &t))
		return -errno;
	return t.retval;
}

static void counters(struct bloom_filter *skel, __u64 *c)
{
	for (__u32 i = 0; i < BF_NCOUNTERS; i++)
		if (sample_percpu_lookup(skel->maps.counters, &i, &c[i]))
			c[i] = ~0ull;
}

static __u32 addrs[LISTED];

/* LISTED distinct addresses in 10/8, in the HASH and the filter. */
static int fill(struct bloom_filter *skel)
{
	__u64 zero = 0;

	for (int n = 0; n < LISTED; ) {
		__u32 a = htonl(0x0a000000 | (rnd() & 0xffffff));
		int err = bpf_map__update_elem(skel->maps.deny_list, &a, 4, &zero, 8, BPF_NOEXIST);

		if (err == -EEXIST)
			continue;
		if (err)
			return err;
		addrs[n++] = a;
	}
	return swap_in(skel, addrs, LISTED);
}

TEST(bloom_filter, no_false_negatives_and_exact_false_positives)
{
	struct bloom_filter *skel = load(true);
	struct bfm m;
	__u64 c[BF_NCOUNTERS], model_fp = 0, map_fp = 0, prog_fp = 0;
	int fd;

	REQUIRE(skel, "load: %s", strerror(errno));
	fd = fill(skel);
	REQUIRE(fd >= 0, "filter: %s", strerror(-fd));
	REQUIRE(!bfm_init(&m, LISTED, K), "model");
	for (int i = 0; i < LISTED; i++)
		bfm_add(&m, addrs[i]);
	/* Every listed address: the map says maybe, the program drops. */
	for (int i = 0; i < LISTED; i++) {
		CHECK_ERR(bpf_map_lookup_elem(fd, NULL, &addrs[i]) ? -errno : 0, 0);
		CHECK_U64(run(skel, addrs[i]), XDP_DROP);
	}
	/* 100,000 addresses from 172.16/12 (never listed), peeked from user
	 * space: ENOENT or a false positive, exactly as the model says. */
	for (int i = 0; i < 100000; i++) {
		__u32 a = htonl(0xac100000 | (rnd() & 0xfffff));
		int err = bpf_map_lookup_elem(fd, NULL, &a) ? -errno : 0;
		bool maybe = bfm_maybe(&m, a);

		CHECK(err == 0 || err == -ENOENT, "peek: %d", err);
		map_fp += !err;
		model_fp += maybe;
		if (i < 20000) {
			CHECK_U64(run(skel, a), XDP_PASS);
			prog_fp += maybe;
		}
	}
	CHECK_U64(map_fp, model_fp);
	CHECK(model_fp > 1000 && model_fp < 6000, "false positives %llu for n=%d, k=%d",
	      (unsigned long long)model_fp, LISTED, K);
	counters(skel, c);
	CHECK_U64(c[BF_PACKETS], LISTED + 20000);
	CHECK_U64(c[BF_LISTED], LISTED);
	CHECK_U64(c[BF_FALSE_POSITIVE], prog_fp);
	CHECK_U64(c[BF_BLOOM_NO], 20000 - prog_fp);
	bfm_free(&m);
	close(fd);
	bloom_filter__destroy(skel);
}

/* Without the filter (use_bloom false) every unlisted packet is a HASH miss. */
TEST(bloom_filter, without_filter_every_packet_goes_to_the_hash)
{
	struct bloom_filter *skel = load(false);
	__u64 c[BF_NCOUNTERS];
	int fd;

	REQUIRE(skel, "load: %s", strerror(errno));
	fd = fill(skel);
	REQUIRE(fd >= 0, "filter: %s", strerror(-fd));
	for (int i = 0; i < 1000; i++)
		CHECK_U64(run(skel, htonl(0xac100000 | i)), XDP_PASS);
	CHECK_U64(run(skel, addrs[7]), XDP_DROP);
	counters(skel, c);
	CHECK_U64(c[BF_BLOOM_NO], 0);
	CHECK_U64(c[BF_FALSE_POSITIVE], 1000);
	CHECK_U64(c[BF_LISTED], 1);
	close(fd);
	bloom_filter__destroy(skel);
}

/* No delete: an address taken off the HASH still passes the old filter (a
 * false positive now), and a filter rebuilt without it and swapped in says
 * "not listed" at once. */
TEST(bloom_filter, rebuild_and_swap_forgets_a_deleted_address)
{
	struct bloom_filter *skel = load(true);
	__u32 gone;
	__u64 c[BF_NCOUNTERS];
	int fd, fd2;

	REQUIRE(skel, "load: %s", strerror(errno));
	fd = fill(skel);
	REQUIRE(fd >= 0, "filter: %s", strerror(-fd));
	gone = addrs[LISTED - 1];
	CHECK_ERR(bpf_map__delete_elem(skel->maps.deny_list, &gone, 4, 0), 0);
	CHECK_U64(run(skel, gone), XDP_PASS);
	counters(skel, c);
	CHECK_U64(c[BF_FALSE_POSITIVE], 1);
	fd2 = swap_in(skel, addrs, LISTED - 1);
	REQUIRE(fd2 >= 0, "rebuild: %s", strerror(-fd2));
	/* With k = 3 the new filter could still say maybe: check the model. */
	{
		struct bfm m;

		REQUIRE(!bfm_init(&m, LISTED, K), "model");
		for (int i = 0; i < LISTED - 1; i++)
			bfm_add(&m, addrs[i]);
		CHECK_U64(run(skel, gone), XDP_PASS);
		counters(skel, c);
		CHECK_U64(c[BF_FALSE_POSITIVE], 1 + bfm_maybe(&m, gone));
		CHECK_U64(c[BF_BLOOM_NO], !bfm_maybe(&m, gone));
		bfm_free(&m);
	}
	CHECK_U64(run(skel, addrs[0]), XDP_DROP);
	close(fd);
	close(fd2);
	bloom_filter__destroy(skel);
}

/* What the map refuses: a key, delete, walk, pop, and any flag but BPF_ANY. */
TEST(bloom_filter, api_errors)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_extra = K);
	int fd = bpf_map_create(BPF_MAP_TYPE_BLOOM_FILTER, "t", 0, 4, 100, &o);
	__u32 v = 1, key = 0;

	REQUIRE(fd >= 0, "create: %s", strerror(errno));
	CHECK_ERR(bpf_map_create(BPF_MAP_TYPE_BLOOM_FILTER, "t", 4, 4, 100, &o) < 0 ? -errno : 0,
		  -EINVAL);	/* key_size must be 0 */
	CHECK_ERR(bpf_map_update_elem(fd, NULL, &v, BPF_EXIST) ? -errno : 0, -EINVAL);
	CHECK_ERR(bpf_map_update_elem(fd, NULL, &v, BPF_ANY) ? -errno : 0, 0);
	CHECK_ERR(bpf_map_lookup_elem(fd, NULL, &v) ? -errno : 0, 0);
	CHECK_ERR(bpf_map_delete_elem(fd, NULL) ? -errno : 0, -EOPNOTSUPP);
	CHECK_ERR(bpf_map_get_next_key(fd, NULL, &key) ? -errno : 0, -EOPNOTSUPP);
	/* The syscall refuses the command for this map type with the kernel's
	 * internal ENOTSUPP (524), which has no name in user space. */
	CHECK_ERR(bpf_map_lookup_and_delete_elem(fd, NULL, &v) ? -errno : 0, -524);
	close(fd);
}
