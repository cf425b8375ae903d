// SPDX-License-Identifier: GPL-2.0
/* bloom_filter_demo.c - see bloom_filter_demo.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "bloom_filter_demo.h"
#include "bloom_filter_model.h"
#include "bloom_filter.skel.h"

#define FRAMES_PER_STEP 10000
#define REMOVED 100 /* taken off the list at the third step */

struct bloom_filter_demo {
	struct bloom_filter *skel;
	__u32 listed[BLOOM_FILTER_DEMO_LISTED], nlisted; /* network order */
	struct bfm model; /* the filter in use, recomputed here */
	__u32 hashes;
	__u64 rng, steps, frames, from_listed, predicted_fp;
};

/* xorshift64: the same addresses on every run. */
static __u32 next_rand(struct bloom_filter_demo *d)
{
	d->rng ^= d->rng << 13;
	d->rng ^= d->rng >> 7;
	d->rng ^= d->rng << 17;
	return (__u32)(d->rng >> 16);
}

static void model_build(struct bloom_filter_demo *d)
{
	bfm_free(&d->model);
	bfm_init(&d->model, bpf_map__max_entries(d->skel->maps.deny_list), d->hashes);
	for (__u32 i = 0; i < d->nlisted; i++)
		bfm_add(&d->model, d->listed[i]);
}

struct bloom_filter_demo *bloom_filter_demo_open(struct bloom_filter *skel, __u32 hashes)
{
	struct bloom_filter_demo *d = calloc(1, sizeof(*d));
	__u64 zero = 0;

	if (!d) {
		fprintf(stderr, "bloom_filter: demo: out of memory\n");
		return NULL;
	}
	d->skel = skel;
	d->hashes = hashes;
	d->rng = 0x9e3779b97f4a7c15ull;
	/* 1,000 distinct addresses in 10.0.0.0/8. */
	while (d->nlisted < BLOOM_FILTER_DEMO_LISTED) {
		__u32 a = htonl(0x0a000000 | (next_rand(d) & 0xffffff));
		int err = bpf_map__update_elem(skel->maps.deny_list, &a, sizeof(a), &zero,
					       sizeof(zero), BPF_NOEXIST);

		if (err == -EEXIST)
			continue;
		if (err) {
			fprintf(stderr, "bloom_filter: demo: filling deny_list: %s\n",
				sample_strerror(err));
			free(d);
			return NULL;
		}
		d->listed[d->nlisted++] = a;
	}
	model_build(d);
	return d;
}

/* A 34-byte Ethernet + IPv4 frame from saddr: all the program reads. */
static int send_from(struct bloom_filter_demo *d, __u32 saddr)
{
	unsigned char buf[64] = { [12] = 0x08, [13] = 0x00, [14] = 0x45 };
	LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = buf, .data_size_in = 14 + 20);

	memcpy(buf + 14 + 12, &saddr, 4);
	memcpy(buf + 14 + 16, "\xc0\x00\x02\x01", 4);
	if (bpf_prog_test_run_opts(bpf_program__fd(d->skel->progs.deny_filter), &t))
		return -errno;
	d->frames++;
	return 0;
}

int bloom_filter_demo_step(struct bloom_filter_demo *d)
{
	int err = 0;

	/* 1% from listed addresses, the rest from 172.16.0.0/12 (never listed). */
	for (int i = 0; i < FRAMES_PER_STEP && !err; i++) {
		__u32 r = next_rand(d);

		if (r % 100 == 0) {
			err = send_from(d, d->listed[next_rand(d) % d->nlisted]);
			d->from_listed++;
		} else {
			__u32 a = htonl(0xac100000 | (next_rand(d) & 0xfffff));

			d->predicted_fp += bfm_maybe(&d->model, a);
			err = send_from(d, a);
		}
	}
	if (err)
		return err;
	d->steps++;
	if (d->steps != 3)
		return 0;
	/* Take the last 100 off the list: the HASH forgets them at once, the
	 * filter cannot, so the caller builds a new one (and so does the model). */
	for (int i = 0; i < REMOVED; i++) {
		__u32 a;

		d->nlisted--;
		a = d->listed[d->nlisted];
		err = bpf_map__delete_elem(d->skel->maps.deny_list, &a, sizeof(a), 0);
		if (err)
			return err;
	}
	model_build(d);
	printf("demo: %d addresses taken off the deny list\n", REMOVED);
	return 1;
}

void bloom_filter_demo_close(struct bloom_filter_demo *d, unsigned long long measured_fp)
{
	char b[2][SAMPLE_FMT_LEN];

	printf("demo sent: %s frames, %s from listed addresses; false positives: %llu measured, "
	       "%llu computed in user space with the same hashing (BPF_F_ZERO_SEED)\n",
	       sample_fmt_u64(b[0], sizeof(b[0]), d->frames),
	       sample_fmt_u64(b[1], sizeof(b[1]), d->from_listed), measured_fp,
	       (unsigned long long)d->predicted_fp);
	bfm_free(&d->model);
	free(d);
}
