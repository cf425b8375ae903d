// SPDX-License-Identifier: GPL-2.0
/*
 * bench/bloom_cost - the rows of `make bench` that speak for bloom_filter
 * (bench/README.md): the XDP deny-list program's own time per packet,
 *
 *   A: with the BLOOM_FILTER in front of the HASH (use_bloom = true)
 *   B: the HASH alone (use_bloom = false)
 *
 * for deny lists of 1,000 and 1,000,000 addresses (filter sized for the list,
 * 3 hash functions) and mostly-absent traffic: 20,000 frames from distinct
 * sources, 1% of them listed. Each frame runs once through BPF_PROG_TEST_RUN;
 * the time is the kernel's own measure of the program (opts.duration), summed
 * over the frames, so the syscall around it does not count. A and B alternate
 * in pairs on CPU 1; after every pass the counters must show every listed
 * frame dropped and every other one passed, or the bench fails.
 *
 * Run: sudo build/bench/bloom_cost [--quick] [--pairs N] [small|large]
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
#include "bloom_filter/bloom_filter.h"
#include "bloom_filter/bloom_filter.skel.h"

#define FRAMES	20000
#define HASHES	3

static __u64 rng = 77;

static __u32 rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (__u32)(rng >> 16);
}

/* A loaded program with n listed addresses (10.0.0.0/8) and, when use_bloom,
 * a filter of them in deny_outer. listed[] gets the addresses. */
static struct bloom_filter *setup(bool use_bloom, __u32 n, __u32 *listed)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_extra = HASHES);
	struct bloom_filter *skel = bloom_filter__open();
	__u64 zero = 0;
	__u32 key0 = 0;
	int fd = -1;

	if (!skel)
		return NULL;
	skel->rodata->use_bloom = use_bloom;
	if (bpf_map__set_max_entries(skel->maps.deny_list, n) ||
	    bpf_map__set_map_extra(bpf_map__inner_map(skel->maps.deny_outer), HASHES) ||
	    bloom_filter__load(skel))
		goto fail;
	fd = bpf_map_create(BPF_MAP_TYPE_BLOOM_FILTER, "bench", 0, 4, n, &o);
	if (fd < 0)
		goto fail;
	rng = 77;
	for (__u32 i = 0; i < n; ) {
		__u32 a = htonl(0x0a000000 | (rnd() & 0xffffff));

		if (bpf_map__update_elem(skel->maps.deny_list, &a, 4, &zero, 8, BPF_NOEXIST))
			continue;	/* a duplicate */
		if (bpf_map_update_elem(fd, NULL, &a, BPF_ANY))
			goto fail;
		listed[i++] = a;
	}
	if (use_bloom && bpf_map__update_elem(skel->maps.deny_outer, &key0, 4, &fd, 4, BPF_ANY))
		goto fail;
	close(fd);
	return skel;
fail:
	if (fd >= 0)
		close(fd);
	bloom_filter__destroy(skel);
	return NULL;
}

/* One pass over the frames: ns of program time per frame, or < 0. */
static double pass(struct bloom_filter *skel, const __u32 *src, const bool *is_listed)
{
	unsigned char buf[64] = { [12] = 0x08, [14] = 0x45 };
	LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = buf, .data_size_in = 34);
	int fd = bpf_program__fd(skel->progs.deny_filter);
	double ns = 0;

	for (int i = 0; i < FRAMES; i++) {
		memcpy(buf + 26, &src[i], 4);
		if (bpf_prog_test_run_opts(fd, &t) ||
		    t.retval != (is_listed[i] ? XDP_DROP : XDP_PASS))
			return -1;
		ns += t.duration;
	}
	return ns / FRAMES;
}

static int row(const struct bench_args *args, const char *id, __u32 n)
{
	__u32 *listed = calloc(n, sizeof(*listed)), *src = calloc(FRAMES, sizeof(*src));
	bool *is_listed = calloc(FRAMES, sizeof(*is_listed));
	struct bloom_filter *a = NULL, *b = NULL;
	struct bench_pairs p = {};
	char measure[96], note[160];
	int err = -ENOMEM;

	if (!listed || !src || !is_listed)
		goto out;
	if (!(a = setup(true, n, listed)) || !(b = setup(false, n, listed))) {
		fprintf(stderr, "bloom_cost: loading: %s\n", strerror(errno));
		err = -EINVAL;
		goto out;
	}
	for (int i = 0; i < FRAMES; i++) {
		is_listed[i] = rnd() % 100 == 0;
		src[i] = is_listed[i] ? listed[rnd() % n] : htonl(0xac100000 | (rnd() & 0xfffff));
	}
	for (int i = 0; i < args->pairs; i++) {
		double ta = 0, tb = 0;

		for (int k = 0; k < 2; k++) {
			if (bench_is_a(i, k))
				ta = pass(a, src, is_listed);
			else
				tb = pass(b, src, is_listed);
		}
		if (ta < 0 || tb < 0) {
			fprintf(stderr, "bloom_cost: a frame got the wrong verdict\n");
			err = -EPROTO;
			goto out;
		}
		bench_add(&p, ta, tb);
	}
	char nb[SAMPLE_FMT_LEN];

	snprintf(measure, sizeof(measure), "XDP deny list of %s, 99%% unlisted traffic",
		 sample_fmt_u64(nb, sizeof(nb), n));
	snprintf(note, sizeof(note), "program time per packet (test_run duration), %d distinct "
		 "sources per pass, k=%d, filter sized for the list", FRAMES, HASHES);
	bench_row(id, measure, "HASH + BLOOM_FILTER", "HASH alone", "ns/pkt", false, &p, "-", note);
	err = 0;
out:
	bloom_filter__destroy(a);
	bloom_filter__destroy(b);
	free(listed);
	free(src);
	free(is_listed);
	return err;
}

int main(int argc, char **argv)
{
	struct bench_args args;
	int err = 0;

	if (bench_parse(argc, argv, &args))
		return 2;
	libbpf_set_print(NULL);
	bench_pin(1);
	if (bench_selected(&args, "small"))
		err = row(&args, "bloom_small", 1000);
	if (!err && bench_selected(&args, "large"))
		err = row(&args, "bloom_large", args.quick ? 200000 : 1000000);
	return err ? 1 : 0;
}
