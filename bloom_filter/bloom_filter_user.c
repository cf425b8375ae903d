// SPDX-License-Identifier: GPL-2.0
/*
 * bloom_filter - an XDP deny list of IPv4 sources: a HASH, with a
 * BPF_MAP_TYPE_BLOOM_FILTER in front of it that answers "definitely not
 * listed" for most packets without touching the HASH.
 *
 * A Bloom filter holds no keys and no values you can read back: push adds an
 * element (sets k bits), peek tests one (all k bits set: "maybe"; any clear:
 * ENOENT, "definitely not"). There is no delete: to take an address off the
 * list, this loader builds a new filter from the HASH and swaps it in with one
 * update of an ARRAY_OF_MAPS, which the program reads the filter from.
 *
 *   sudo ./bloom_filter                      demo: 1,000 listed, random traffic
 *   sudo ./bloom_filter -i eth0 -a 192.0.2.7 -a 198.51.100.9   drop those on eth0
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "bloom_filter.h"
#include "bloom_filter_demo.h" /* demo */
#include "bloom_filter.skel.h"

#define MAX_ADDRS 64

static const struct sample_option own_options[] = {
	{ 'a', "address", "ADDR", "deny IPv4 source ADDR (with -i; repeat for more)" },
	{ 'n', "entries", "N", "the filter is sized for N addresses (default 1000)" },
	{ 'k', "hashes", "K", "hash functions per element, 1 to 15 (default 3)" },
	{}
};

static const struct sample_cli cli = {
	.name = "bloom_filter",
	.about = "An XDP deny list: a BPF_MAP_TYPE_BLOOM_FILTER in front of a HASH.",
	.demo = "Without -i: a demo with 1,000 listed addresses and random traffic.", /* demo */
	.iface_help = "drop the -a sources on IFACE",
	.options = own_options,
	.examples = "sudo ./bloom_filter -d 5      sudo ./bloom_filter -i eth0 -a 192.0.2.7",
};

/*
 * Build a new filter from every address in deny_list and swap it in: the
 * program sees the old filter or the new one, never a half-built one. A
 * filter must have the inner template's type, value size and flags; its
 * max_entries may differ. Closing our fd is fine: the outer map holds it.
 */
static int rebuild_filter(struct bloom_filter *skel, __u32 entries, __u32 hashes, __u32 flags)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_extra = hashes, .map_flags = flags);
	__u32 addr, next, zero = 0, n = 0;
	int fd, walk, err = 0;

	fd = bpf_map_create(BPF_MAP_TYPE_BLOOM_FILTER, "deny_bloom", 0, sizeof(__u32), entries,
			    &opts);
	if (fd < 0) {
		err = -errno;
		fprintf(stderr, "bloom_filter: creating a filter: %s\n", sample_strerror(err));
		return err;
	}
	walk = bpf_map__get_next_key(skel->maps.deny_list, NULL, &next, sizeof(next));
	while (!walk && !err) {
		addr = next;
		/* A push is an update with a NULL key; the only flag is BPF_ANY. */
		err = bpf_map_update_elem(fd, NULL, &addr, BPF_ANY);
		n++;
		walk = bpf_map__get_next_key(skel->maps.deny_list, &addr, &next, sizeof(next));
	}
	if (!err)
		err = bpf_map__update_elem(skel->maps.deny_outer, &zero, sizeof(zero), &fd,
					   sizeof(fd), BPF_ANY);
	close(fd);
	if (err)
		fprintf(stderr, "bloom_filter: building the filter: %s\n", sample_strerror(err));
	else
		printf("filter built from %u listed addresses (%u hash functions) and swapped in\n",
		       n, hashes);
	return err;
}

static int print_row(struct bloom_filter *skel, double t, __u64 *c)
{
	char b[BF_NCOUNTERS][SAMPLE_FMT_LEN];

	for (__u32 i = 0; i < BF_NCOUNTERS; i++) {
		int err = sample_percpu_lookup(skel->maps.counters, &i, &c[i]);

		if (err)
			return err;
		sample_fmt_u64(b[i], sizeof(b[i]), c[i]);
	}
	printf("%7.1f  %12s %14s %16s %10s %9.3f%%\n", t, b[BF_PACKETS], b[BF_BLOOM_NO],
	       b[BF_FALSE_POSITIVE], b[BF_LISTED],
	       c[BF_PACKETS] ? 100.0 * c[BF_FALSE_POSITIVE] / c[BF_PACKETS] : 0.0);
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	struct sample_loop loop = SAMPLE_LOOP_INIT;
	struct sample_opts o = {};
	struct bloom_filter *skel = NULL;
	struct bloom_filter_demo *demo = NULL; /* demo */
	unsigned long entries = 1000;
	unsigned long hashes = 3;
	__u32 addrs[MAX_ADDRS];
	__u32 flags = 0;
	__u64 c[BF_NCOUNTERS] = {};
	__u64 zero = 0;
	int naddrs = 0, opt, err, ev, link_fd = -1, claim = -1;
	__u64 start_ns;

	while ((opt = sample_getopt(&cli, argc, argv, &o)) != -1) {
		switch (opt) {
		case 'a':
			if (naddrs == MAX_ADDRS ||
			    inet_pton(AF_INET, optarg, &addrs[naddrs]) != 1) {
				fprintf(stderr,
					"bloom_filter: -a takes up to %d IPv4 addresses; "
					"'%s' is not one\n",
					MAX_ADDRS, optarg);
				return 2;
			}
			naddrs++;
			break;
		case 'n':
			if (sample_parse_uint(o.prog, 'n', optarg, 1, 10000000, &entries))
				return 2;
			break;
		case 'k':
			if (sample_parse_uint(o.prog, 'k', optarg, 1, 15, &hashes))
				return 2;
			break;
		}
	}

	/* libbpf's warnings on stderr (its debug log too with -v); SIGINT and
	 * SIGTERM wait, blocked, for sample_wait()'s signalfd from here on, so one
	 * that comes during setup still ends the run through cleanup; a closed
	 * peer or stdout (| head) gives EPIPE instead of killing the process. */
	libbpf_set_print(o.verbose ? sample_print_all : sample_print_warnings);
	sample_block_stop_signals();
	signal(SIGPIPE, SIG_IGN);
	if (!o.ifname != !naddrs) {
		fprintf(stderr, "bloom_filter: -a and -i go together (see -h)\n");
		return 2;
	}

	/* 1. Open, size the HASH and the filter template, load. A real filter
	 *    keeps the kernel's random hash seed (flags 0). */
	skel = bloom_filter__open();
	if (!skel) {
		err = sample_load_failed(&o, -errno);
		goto cleanup;
	}
	if (!o.ifname) /* demo */
		flags = BLOOM_FILTER_DEMO_FLAGS; /* demo */
	bpf_map__set_max_entries(skel->maps.deny_list, entries);
	bpf_map__set_map_extra(bpf_map__inner_map(skel->maps.deny_outer), hashes);
	bpf_map__set_map_flags(bpf_map__inner_map(skel->maps.deny_outer), flags);
	err = bloom_filter__load(skel);
	if (err) {
		sample_load_failed(&o, err);
		goto cleanup;
	}

	/* 2. The deny list (the HASH), then the filter built from it. */
	for (int i = 0; i < naddrs; i++) {
		err = bpf_map__update_elem(skel->maps.deny_list, &addrs[i], sizeof(addrs[i]), &zero,
					   sizeof(zero), BPF_ANY);
		if (err) {
			fprintf(stderr, "bloom_filter: adding -a %s: %s\n",
				inet_ntoa(*(struct in_addr *)&addrs[i]), sample_strerror(err));
			goto cleanup;
		}
	}
	if (!o.ifname) { /* demo */
		demo = bloom_filter_demo_open(skel, hashes); /* demo */
		if (!demo) { /* demo */
			err = -ENOMEM; /* demo */
			goto cleanup; /* demo */
		} /* demo */
	} /* demo */
	err = rebuild_filter(skel, entries, hashes, flags);
	if (err)
		goto cleanup;

	/* 3. Attach XDP to the user's interface, through a bpf_link (gone with
	 *    the process, even on kill -9); the demo runs frames through the
	 *    program itself. */
	if (o.ifname) {
		claim = sample_claim_iface(o.prog, o.ifindex);
		if (claim < 0) {
			err = claim;
			goto cleanup;
		}
		LIBBPF_OPTS(bpf_link_create_opts, xdp_opts,
			    .flags = sample_xdp_flags(SAMPLE_XDP_AUTO));
		link_fd = bpf_link_create(bpf_program__fd(skel->progs.deny_filter), o.ifindex,
					  BPF_XDP, &xdp_opts);
		if (link_fd < 0) {
			err = sample_xdp_attach_failed(o.prog, o.ifindex, SAMPLE_XDP_AUTO, -errno);
			goto cleanup;
		}
	}

	/* 4. Run. */
	printf("%7s  %12s %14s %16s %10s %10s\n", "time", "packets", "bloom: no", "maybe, hash: no",
	       "listed", "false pos");
	start_ns = sample_now_ns();
	err = sample_loop_open(&loop, &o, -1);
	if (err)
		goto cleanup;
	while ((ev = sample_wait(&loop)) == SAMPLE_TICK) {
		if (demo) { /* demo */
			err = bloom_filter_demo_step(demo); /* demo */
			if (err > 0) /* demo */
				err = rebuild_filter(skel, entries, hashes, flags); /* demo */
			if (err) /* demo */
				goto cleanup; /* demo */
		} /* demo */
		err = print_row(skel, (sample_now_ns() - start_ns) / 1e9, c);
		if (err)
			goto cleanup;
	}
	err = ev;
	if (err)
		goto cleanup;

	/* 5. Summary. */
	printf("final:\n");
	err = print_row(skel, (sample_now_ns() - start_ns) / 1e9, c);

cleanup:
	sample_loop_close(&loop);
	if (demo) /* demo */
		bloom_filter_demo_close(demo, c[BF_FALSE_POSITIVE]); /* demo */
	if (link_fd >= 0)
		close(link_fd);
	if (claim >= 0)
		close(claim);
	bloom_filter__destroy(skel);
	return err ? 1 : 0;
}
