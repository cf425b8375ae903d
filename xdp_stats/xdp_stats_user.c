// SPDX-License-Identifier: GPL-2.0
/*
 * xdp_stats - packets and bytes per XDP action, in a BPF_MAP_TYPE_ARRAY and in
 * a BPF_MAP_TYPE_PERCPU_ARRAY side by side. The XDP program returns one action
 * for every frame (XDP_PASS unless -a says otherwise) and adds the frame to
 * that action's slot: in the ARRAY with atomic adds (all CPUs share one
 * value), in the PERCPU_ARRAY with plain adds (each CPU has its own). User
 * space sums the per-CPU copies every interval.
 *
 *   sudo ./xdp_stats                  demo: private netns + veth, UDP from the peer
 *   sudo ./xdp_stats -a drop -d 5     the demo, dropping everything for 5 s
 *   sudo ./xdp_stats -i eth0 -S       count what eth0 receives, generic mode
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "xdp_stats.h"
#include "xdp_stats_demo.h" /* demo */
#include "xdp_stats.skel.h"

/* The key of each slot is the action's number (enum xdp_action); -a takes
 * the name in any case. -m WHICH is the XDP_STATS_MAP_* mask 1 to 3. */
static const char *const action_names[] = { "ABORTED", "DROP", "PASS", "TX", "REDIRECT" };
static const char *const map_words[] = { "", "array", "percpu", "both" };
static const char *const map_labels[] = { "", "ARRAY only", "PERCPU_ARRAY only", "both maps" };

static const struct sample_option options[] = {
	{ 'a', "action", "ACTION",
	  "what the program returns for every frame: pass (default),\n"
	  "drop, tx, redirect (back out of its interface), aborted;\n"
	  "on a real interface all but pass cut its traffic!" },
	{ 'm', "maps", "WHICH", "which maps the program updates: both (default), array, percpu" },
	{}
};

static const struct sample_cli cli = {
	.name = "xdp_stats",
	.about = "Count packets and bytes per XDP action in a BPF_MAP_TYPE_ARRAY (atomic adds)\n"
		 "and a BPF_MAP_TYPE_PERCPU_ARRAY (per-CPU adds, summed here), side by side.",
	.iface_help = "attach to IFACE (no traffic is generated)",
	.demo = "Without -i: a demo in a private netns + veth, with UDP from the peer.", /* demo */
	.options = options,
	.xdp_modes = true, /* -S, -N */
	.examples = "sudo xdp_stats -d 5        sudo xdp_stats -i eth0 -S",
};

/* map[0]: the ARRAY, map[1]: the PERCPU_ARRAY (-m bits 1 << 0, 1 << 1); all:
 * the counting map's slots added up (the ARRAY unless -m percpu); ns: read at. */
struct totals {
	struct datarec map[2][XDP_STATS_NACTIONS], all;
	__u64 ns;
};

/* The ARRAY gives one value per key, the PERCPU_ARRAY one per possible CPU,
 * copied CPU after CPU (no snapshot); sample_percpu_lookup() sums them. */
static int read_totals(struct xdp_stats *skel, unsigned int maps, struct totals *t)
{
	const struct datarec *counted = t->map[maps & XDP_STATS_MAP_ARRAY ? 0 : 1];
	int err = 0;

	t->all = (struct datarec){};
	for (__u32 key = 0; key < XDP_STATS_NACTIONS && !err; key++) {
		err = bpf_map__lookup_elem(skel->maps.stats_array, &key, sizeof(key),
					   &t->map[0][key], sizeof(t->map[0][key]), 0);
		if (!err)
			err = sample_percpu_lookup(skel->maps.stats_percpu, &key,
						   (__u64 *)&t->map[1][key]);
		t->all.rx_packets += counted[key].rx_packets;
		t->all.rx_bytes += counted[key].rx_bytes;
	}
	if (err)
		fprintf(stderr, "xdp_stats: reading the maps failed: %s\n", sample_strerror(err));
	t->ns = sample_now_ns();
	return err;
}

/* One row per action and per map: packets, pps, bytes, bytes/s (dashes for a
 * map the program does not update), rates since *last, which then becomes now. */
static int print_rows(struct xdp_stats *skel, unsigned int maps, __u64 start_ns,
		      struct totals *last)
{
	struct totals now;
	int err = read_totals(skel, maps, &now);
	double secs = now.ns > last->ns ? (now.ns - last->ns) / 1e9 : 1e-9;

	for (int a = 0; a < XDP_STATS_NACTIONS && !err; a++) {
		printf("%7.1f  %-8s", (now.ns - start_ns) / 1e9, action_names[a]);
		for (int m = 0; m < 2; m++) {
			const struct datarec *n = &now.map[m][a], *l = &last->map[m][a];
			__u64 v[4] = { n->rx_packets, (n->rx_packets - l->rx_packets) / secs + 0.5,
				       n->rx_bytes, (n->rx_bytes - l->rx_bytes) / secs + 0.5 };
			char b[4][SAMPLE_FMT_LEN];
			const char *cell[4];

			for (int i = 0; i < 4; i++)
				cell[i] = maps & (1u << m) ?
						  sample_fmt_u64(b[i], SAMPLE_FMT_LEN, v[i]) :
						  "-";
			printf("  %10s %9s %13s %12s", cell[0], cell[1], cell[2], cell[3]);
		}
		printf("\n");
	}
	fflush(stdout);
	*last = now;
	return err;
}

/* The demo's last frames may be counted a little after they were sent */ /* demo */
/* (ksoftirqd on a busy machine): wait at most 1 s until the maps have all. */ /* demo */
static void settle(struct xdp_stats *skel, unsigned int maps, __u64 sent) /* demo */
{ /* demo */
	struct totals t; /* demo */
	for (int i = 0; i < 100; i++) { /* demo */
		if (read_totals(skel, maps, &t) || t.all.rx_packets >= sent) /* demo */
			return; /* demo */
		usleep(10 * 1000); /* demo */
	} /* demo */
} /* demo */

/* How the busiest action's PERCPU_ARRAY slot is spread over the CPUs: the
 * lookup unsummed, one value per possible CPU, each at an 8-byte stride. */
static int print_percpu_spread(struct xdp_stats *skel, const struct totals *now, unsigned int maps)
{
	size_t stride = sample_percpu_stride(sizeof(struct datarec));
	int ncpus = libbpf_num_possible_cpus(), err = -ENOMEM;
	char *per = ncpus > 0 ? calloc(ncpus, stride) : NULL;
	__u32 key = 0;

	for (__u32 a = 1; a < XDP_STATS_NACTIONS; a++)
		if (now->map[1][a].rx_packets > now->map[1][key].rx_packets)
			key = a;
	if (!per)
		goto out;
	err = bpf_map__lookup_elem(skel->maps.stats_percpu, &key, sizeof(key), per, ncpus * stride,
				   0);
	if (err)
		goto out;
	printf("per-CPU packets of %s in the PERCPU_ARRAY (%d possible CPUs):", action_names[key],
	       ncpus);
	for (int cpu = 0; cpu < ncpus; cpu++)
		printf(" cpu%d=%llu", cpu,
		       (unsigned long long)((struct datarec *)(per + cpu * stride))->rx_packets);
	if (maps == XDP_STATS_MAP_BOTH)
		printf("; ARRAY %s PERCPU_ARRAY sum",
		       memcmp(now->map[0], now->map[1], sizeof(now->map[0])) ? "!=" : "==");
	printf("\n");
out:
	if (err)
		fprintf(stderr, "xdp_stats: reading the per-CPU map failed: %s\n",
			sample_strerror(err));
	free(per);
	return err;
}

int main(int argc, char **argv)
{
	struct xdp_stats_demo demo = XDP_STATS_DEMO_INIT; /* demo */
	struct sample_loop loop = SAMPLE_LOOP_INIT;
	unsigned int maps = XDP_STATS_MAP_BOTH;
	struct sample_opts o = {};
	struct xdp_stats *skel = NULL;
	const char *mode_used = "?";
	int opt, i, err, ev;
	int link_fd = -1;
	struct totals last = {};
	char b[2][SAMPLE_FMT_LEN];
	__u32 action = XDP_PASS;
	__u64 start_ns;

	while ((opt = sample_getopt(&cli, argc, argv, &o)) != -1) {
		switch (opt) {
		case 'a':
			i = sample_parse_word(o.prog, 'a', optarg, action_names,
					      XDP_STATS_NACTIONS);
			if (i < 0)
				return 2;
			action = i;
			break;
		case 'm':
			i = sample_parse_word(o.prog, 'm', optarg, map_words, 4);
			if (i < 0)
				return 2;
			maps = i;
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

	/* 1. Where to attach: the user's interface, warned if its traffic is about
	 *    to stop. */
	if (o.ifname && action != XDP_PASS)
		fprintf(stderr,
			"%s: warning: every frame %s receives gets XDP_%s while this "
			"runs: its traffic stops until Ctrl-C\n",
			o.prog, o.ifname, action_names[action]);
	if (!o.ifname) { /* demo */
		/* Without -i: the demo's veth demo0, with UDP from the peer. */ /* demo */
		err = xdp_stats_demo_open(&demo, &o, action); /* demo */
		if (err) /* demo */
			goto cleanup; /* demo */
	} /* demo */

	/* 2. Open, set the rodata tunables, load. */
	skel = xdp_stats__open();
	if (!skel) {
		err = sample_load_failed(&o, -errno);
		goto cleanup;
	}
	skel->rodata->action = action;
	skel->rodata->maps = maps;
	skel->rodata->redirect_ifindex = o.ifindex; /* XDP_REDIRECT: back out of it */
	err = xdp_stats__load(skel);
	if (err) {
		err = sample_load_failed(&o, err);
		goto cleanup;
	}

	/* 3. Attach as a bpf_link: closing it (or dying) detaches. */
	LIBBPF_OPTS(bpf_link_create_opts, xdp_opts, .flags = sample_xdp_flags(o.xdp_mode));
	link_fd = bpf_link_create(bpf_program__fd(skel->progs.xdp_count), o.ifindex, BPF_XDP,
				  &xdp_opts);
	if (link_fd < 0) {
		err = sample_xdp_attach_failed(o.prog, o.ifindex, o.xdp_mode, -errno);
		goto cleanup;
	}
	mode_used = sample_xdp_mode_used(o.ifindex);

	/* 4. Run: one block of rows per -I tick until Ctrl-C, SIGTERM or -d. */
	printf("XDP on %s (ifindex %d) in %s mode returns XDP_%s for every frame; counting in %s",
	       o.ifname, o.ifindex, mode_used, action_names[action], map_labels[maps]);
	if (demo.veth.open) /* demo */
		printf("; demo traffic: UDP from the peer netns"); /* demo */
	printf("\n");
	xdp_stats_demo_note(&demo, mode_used); /* demo */
	printf("%17s  %-47s  %-47s\n", "", "-------------- BPF_MAP_TYPE_ARRAY --------------",
	       "---------- BPF_MAP_TYPE_PERCPU_ARRAY ----------");
	printf("%7s  %-8s  %10s %9s %13s %12s  %10s %9s %13s %12s\n", "time", "action", "packets",
	       "pps", "bytes", "bytes/s", "packets", "pps", "bytes", "bytes/s");
	fflush(stdout); /* attached: whoever reads the output may start */
	start_ns = sample_now_ns();
	last.ns = start_ns;
	err = sample_loop_open(&loop, &o, -1);
	if (err)
		goto cleanup;
	while ((ev = sample_wait(&loop)) == SAMPLE_TICK) {
		if (demo.veth.open) { /* demo */
			err = xdp_stats_demo_step(&demo); /* demo */
			if (err) /* demo */
				goto cleanup; /* demo */
		} /* demo */
		err = print_rows(skel, maps, start_ns, &last);
		if (err)
			goto cleanup;
	}
	err = ev;
	if (err)
		goto cleanup;

	/* 5. Summary: the counts with rates over the whole run. */
	settle(skel, maps, xdp_stats_demo_sent(&demo)); /* demo */
	last = (struct totals){ .ns = start_ns };
	printf("final:\n");
	err = print_rows(skel, maps, start_ns, &last);
	if (err)
		goto cleanup;
	if (maps & XDP_STATS_MAP_PERCPU) {
		err = print_percpu_spread(skel, &last, maps);
		if (err)
			goto cleanup;
	}
	printf("summary: %s frames, %s bytes on %s in %s mode, all XDP_%s\n",
	       sample_fmt_u64(b[0], SAMPLE_FMT_LEN, last.all.rx_packets),
	       sample_fmt_u64(b[1], SAMPLE_FMT_LEN, last.all.rx_bytes), o.ifname, mode_used,
	       action_names[action]);

cleanup:
	sample_loop_close(&loop);
	if (link_fd >= 0)
		close(link_fd);
	xdp_stats__destroy(skel);
	xdp_stats_demo_close(&demo); /* demo */
	return err ? 1 : 0;
}
