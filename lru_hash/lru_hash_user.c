// SPDX-License-Identifier: GPL-2.0
/*
 * lru_hash - a 5-tuple flow table on XDP in four variants: HASH, LRU_HASH,
 * LRU_HASH with BPF_F_NO_COMMON_LRU, and LRU_PERCPU_HASH.
 *
 * A HASH that is full refuses new flows (E2BIG, counted by the program). An LRU
 * map evicts old flows instead, and it evicts in batches, so it starts evicting
 * before it holds max_entries flows. The demo shows both on a known access
 * pattern: every interval it feeds the XDP program new flows (one packet each)
 * through BPF_PROG_TEST_RUN, with a few "hot" flows touched again and again in
 * between, and prints how many entries the map holds, inserts, failed inserts,
 * evictions, and whether the hot flows survived. No network is needed: the
 * packets are made in memory, and the process stays on one CPU so that the LRU
 * numbers are the same on every run (the README explains why that matters).
 *
 *   sudo ./lru_hash                   demo: LRU_HASH, max_entries 512
 *   sudo ./lru_hash -t hash -d 5      the same pattern into a plain HASH
 *   sudo ./lru_hash -t lru-nocommon   per-CPU LRU lists: 1/ncpus of the map per CPU
 *   sudo ./lru_hash -i eth0 -m 4096   a flow table of eth0's real traffic
 *
 * The variant is chosen with bpf_map__set_type() / bpf_map__set_map_flags()
 * before load, on the one map the object declares: the program is the same
 * for all four, so there is no need for four maps and a rodata switch.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "lru_hash.h"
#include "lru_hash_demo.h" /* demo */
#include "lru_hash.skel.h"

static const struct {
	const char *name, *label;
	enum bpf_map_type type;
	__u32 flags;
} variants[] = {
	{ "hash", "HASH", BPF_MAP_TYPE_HASH, 0 },
	{ "lru", "LRU_HASH", BPF_MAP_TYPE_LRU_HASH, 0 },
	{ "lru-nocommon", "LRU_HASH + BPF_F_NO_COMMON_LRU", BPF_MAP_TYPE_LRU_HASH,
	  BPF_F_NO_COMMON_LRU },
	{ "lru-percpu", "LRU_PERCPU_HASH", BPF_MAP_TYPE_LRU_PERCPU_HASH, 0 },
};
#define N_VARIANTS ((int)(sizeof(variants) / sizeof(variants[0])))

static const struct sample_option options[] = {
	{ 't', "type", "TYPE", "hash | lru | lru-nocommon | lru-percpu (default lru)" },
	{ 'm', "max-entries", "N", "flow table size, 1 to 1000000 (default 512)" },
	{ 'n', "new-flows", "N", "demo: new flows a tick, 1-100000 (default 200)" }, /* demo */
	{}
};

static const struct sample_cli cli = {
	.name = "lru_hash",
	.about = "A 5-tuple flow table on XDP: HASH refuses flows when full, the LRU maps evict.",
	.demo = "Without -i: a demo that runs the program on packets it makes, no network.", /* demo */
	.iface_help = "a flow table of IFACE's traffic (nothing is generated)",
	.options = options,
	.examples = "sudo lru_hash -t hash -d 5        sudo lru_hash -t lru-nocommon -m 256",
};

/* Entries in the map: a get_next_key walk (nothing here deletes, so the walk
 * is not disturbed by deletes of its own). */
static __u64 count_entries(const struct bpf_map *flows)
{
	struct flow_key k, next;
	__u64 n = 0;
	int err;

	err = bpf_map__get_next_key(flows, NULL, &next, sizeof(next));
	while (!err) {
		k = next;
		n++;
		err = bpf_map__get_next_key(flows, &k, &next, sizeof(next));
	}
	return n;
}

/* One row: the program's counters, the entries the map holds, and the two
 * columns only the demo knows (flows sent, hot flows alive), "0" and "-"
 * without it. */
static int print_row(struct lru_hash *skel, __u64 start_ns, __u64 flows, const char *hot)
{
	char b[6][SAMPLE_FMT_LEN];
	__u64 cnt[CNT_MAX], entries;
	int err = 0;

	for (__u32 i = 0; i < CNT_MAX && !err; i++)
		err = bpf_map__lookup_elem(skel->maps.counters, &i, sizeof(i), &cnt[i],
					   sizeof(cnt[i]), 0);
	if (err) {
		fprintf(stderr, "lru_hash: reading the counters failed: %s\n",
			sample_strerror(err));
		return err;
	}
	entries = count_entries(skel->maps.flows);
	/* Every insert adds an entry and only eviction removes one (nothing
	 * here deletes), so inserts - entries is what the LRU evicted. */
	printf("%7.1f  %10s  %9s  %9s  %9s  %9s  %9s  %5s\n", (sample_now_ns() - start_ns) / 1e9,
	       sample_fmt_u64(b[0], SAMPLE_FMT_LEN, cnt[CNT_PACKETS]),
	       sample_fmt_u64(b[1], SAMPLE_FMT_LEN, flows),
	       sample_fmt_u64(b[2], SAMPLE_FMT_LEN, entries),
	       sample_fmt_u64(b[3], SAMPLE_FMT_LEN, cnt[CNT_INSERTS]),
	       sample_fmt_u64(b[4], SAMPLE_FMT_LEN, cnt[CNT_INSERT_FULL] + cnt[CNT_INSERT_ERR]),
	       sample_fmt_u64(b[5], SAMPLE_FMT_LEN,
			      cnt[CNT_INSERTS] > entries ? cnt[CNT_INSERTS] - entries : 0),
	       hot);
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	struct lru_hash_demo demo = {}; /* demo */
	struct sample_loop loop = SAMPLE_LOOP_INIT;
	struct sample_opts o = {};
	struct bpf_map_info info = {};
	__u32 info_len = sizeof(info);
	__u32 max_entries = 512;
	__u32 new_flows = 200; /* demo */
	struct lru_hash *skel = NULL;
	char where[128] = "";
	char hot[16] = "-";
	int opt, variant = 1, link_fd = -1, err, ev;
	unsigned long v;
	__u64 flows = 0;
	__u64 start_ns;

	while ((opt = sample_getopt(&cli, argc, argv, &o)) != -1) {
		switch (opt) {
		case 't':
			for (variant = N_VARIANTS - 1; variant >= 0; variant--)
				if (!strcmp(optarg, variants[variant].name))
					break;
			if (variant < 0) {
				fprintf(stderr,
					"%s: unknown type '%s' for -t: expected hash, lru, "
					"lru-nocommon or lru-percpu\n",
					o.prog, optarg);
				return 2;
			}
			break;
		case 'm':
			if (sample_parse_uint(o.prog, 'm', optarg, 1, 1000000, &v))
				return 2;
			max_entries = v;
			break;
		case 'n': /* demo */
			if (sample_parse_uint(o.prog, 'n', optarg, 1, 100000, &v)) /* demo */
				return 2; /* demo */
			new_flows = v; /* demo */
			break; /* demo */
		}
	}

	/* libbpf's warnings on stderr (its debug log too with -v); SIGINT and
	 * SIGTERM wait, blocked, for sample_wait()'s signalfd from here on, so one
	 * that comes during setup still ends the run through cleanup; a closed
	 * peer or stdout (| head) gives EPIPE instead of killing the process. */
	libbpf_set_print(o.verbose ? sample_print_all : sample_print_warnings);
	sample_block_stop_signals();
	signal(SIGPIPE, SIG_IGN);

	/* 1. Open, choose the variant and the size on the one map, load. */
	skel = lru_hash__open();
	if (!skel) {
		err = sample_load_failed(&o, -errno);
		goto cleanup;
	}
	err = bpf_map__set_type(skel->maps.flows, variants[variant].type);
	if (!err)
		err = bpf_map__set_map_flags(skel->maps.flows, variants[variant].flags);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.flows, max_entries);
	if (err) {
		fprintf(stderr, "%s: configuring the flow map failed: %s\n", o.prog,
			sample_strerror(err));
		goto cleanup;
	}
	err = lru_hash__load(skel);
	if (err) {
		err = sample_load_failed(&o, err);
		goto cleanup;
	}
	/* The kernel may round max_entries (NO_COMMON_LRU: to a multiple of
	 * the CPU count); ask it what it made. */
	err = bpf_obj_get_info_by_fd(bpf_map__fd(skel->maps.flows), &info, &info_len);
	if (err) {
		err = -errno;
		fprintf(stderr, "%s: reading the map info failed: %s\n", o.prog,
			sample_strerror(err));
		goto cleanup;
	}

	/* 2. Where the packets come from: XDP on the user's interface, attached
	 *    through a bpf_link (gone with the process, even on kill -9), or the
	 *    demo, which runs the program itself on packets it makes. */
	if (o.ifname) {
		LIBBPF_OPTS(bpf_link_create_opts, xdp_opts,
			    .flags = sample_xdp_flags(SAMPLE_XDP_AUTO));
		link_fd = bpf_link_create(bpf_program__fd(skel->progs.flow_table), o.ifindex,
					  BPF_XDP, &xdp_opts);
		if (link_fd < 0) {
			err = sample_xdp_attach_failed(o.prog, o.ifindex, SAMPLE_XDP_AUTO, -errno);
			goto cleanup;
		}
		snprintf(where, sizeof(where), "XDP on %s (%s)", o.ifname,
			 sample_xdp_mode_used(o.ifindex));
	}
	if (!o.ifname) { /* demo */
		err = lru_hash_demo_open(&demo, skel, new_flows); /* demo */
		if (err) /* demo */
			goto cleanup; /* demo */
		lru_hash_demo_about(&demo, where, sizeof(where)); /* demo */
	} /* demo */

	/* 3. Run: one row per -I tick until Ctrl-C, SIGTERM or -d. */
	printf("Flow table: %s, max_entries %u (kernel: %u), %d possible CPUs, %s\n",
	       variants[variant].label, max_entries, info.max_entries, libbpf_num_possible_cpus(),
	       where);
	printf("%7s  %10s  %9s  %9s  %9s  %9s  %9s  %5s\n", "time", "packets", "flows", "entries",
	       "inserts", "failed", "evicted", "hot");
	fflush(stdout);
	start_ns = sample_now_ns();
	err = sample_loop_open(&loop, &o, -1);
	if (err)
		goto cleanup;
	while ((ev = sample_wait(&loop)) == SAMPLE_TICK) {
		if (demo.open) { /* demo */
			err = lru_hash_demo_step(&demo); /* demo */
			if (err) /* demo */
				goto cleanup; /* demo */
		} /* demo */
		flows = lru_hash_demo_flows(&demo); /* demo */
		lru_hash_demo_hot(&demo, hot, sizeof(hot)); /* demo */
		err = print_row(skel, start_ns, flows, hot);
		if (err)
			goto cleanup;
	}
	err = ev;
	if (err)
		goto cleanup;

	/* 4. Summary: the map once more; then the demo says which flows survived. */
	printf("final:\n");
	flows = lru_hash_demo_flows(&demo); /* demo */
	lru_hash_demo_hot(&demo, hot, sizeof(hot)); /* demo */
	err = print_row(skel, start_ns, flows, hot);

cleanup:
	sample_loop_close(&loop);
	if (link_fd >= 0)
		close(link_fd);
	lru_hash_demo_close(&demo); /* demo */
	lru_hash__destroy(skel);
	return err ? 1 : 0;
}
