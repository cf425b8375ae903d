// SPDX-License-Identifier: GPL-2.0
/*
 * xdp_stats - packets and bytes per XDP action, in a BPF_MAP_TYPE_ARRAY and in
 * a BPF_MAP_TYPE_PERCPU_ARRAY side by side.
 *
 * An XDP program (SEC("xdp")) returns one action for every frame (XDP_PASS
 * unless -a says otherwise) and adds the frame to the slot of that action:
 * in the ARRAY with atomic adds (all CPUs share one value), in the
 * PERCPU_ARRAY with plain adds (each CPU has its own value). User space reads
 * both every interval, sums the per-CPU copies over the possible CPUs, and
 * prints packets, packets/s, bytes and bytes/s per action.
 *
 *   sudo ./xdp_stats                  demo: private netns + veth, UDP from the peer
 *   sudo ./xdp_stats -a drop -d 5     the demo, dropping everything for 5 s
 *   sudo ./xdp_stats -i eth0 -S       count what eth0 receives, generic mode
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "demo.h"
#include "xdp_stats.h"
#include "xdp_stats.skel.h"

static const char *prog = "xdp_stats";

/* Demo traffic per tick: UDP datagrams of 100 payload bytes from the peer.
 * On the wire each is 14 (Ethernet) + 20 (IPv4) + 8 (UDP) + 100 = 142 bytes,
 * which is what the program sees as data_end - data. */
#define DEMO_UDPS	10
#define DEMO_UDP_LEN	100
#define DEMO_FRAME_LEN	(14 + 20 + 8 + DEMO_UDP_LEN)

/* The key of each slot is the action's number (enum xdp_action). */
static const char *const action_names[XDP_STATS_NACTIONS] = {
	"ABORTED", "DROP", "PASS", "TX", "REDIRECT",
};
static const char *const action_opts[XDP_STATS_NACTIONS] = {
	"aborted", "drop", "pass", "tx", "redirect",
};

struct totals {
	struct datarec array[XDP_STATS_NACTIONS];
	struct datarec percpu[XDP_STATS_NACTIONS];
};

struct ctx {
	int array_fd, percpu_fd;
	unsigned int maps;		/* XDP_STATS_MAP_* */
	int ncpus;			/* possible CPUs: the per-CPU value count */
	void *percpu_buf;		/* ncpus * stride bytes */
	struct sample_traffic *traffic;	/* NULL when counting a real interface */
	bool wait_delivery;		/* the demo's datagrams reach the sink (PASS) */
	__u64 start_ns, prev_ns;
	struct totals prev;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [options]\n"
		"Count packets and bytes per XDP action in a BPF_MAP_TYPE_ARRAY (atomic adds)\n"
		"and a BPF_MAP_TYPE_PERCPU_ARRAY (per-CPU adds, summed here), side by side.\n"
		"\n"
		"  -i, --interface IFACE  attach to IFACE (no traffic is generated);\n"
		"                         default: a private demo netns + veth with UDP from the peer\n"
		"  -a, --action ACTION    what the program returns for every frame:\n"
		"                         pass (default), drop, tx, redirect, aborted.\n"
		"                         drop/tx/redirect/aborted on a real interface cut its traffic!\n"
		"  -m, --maps WHICH       which maps the program updates: both (default), array, percpu\n"
		"  -S, --generic          attach in generic (skb) mode\n"
		"  -N, --native           attach in native (driver) mode or fail\n"
		"                         (default: native where the driver has it, else generic)\n"
		"  -d, --duration SECS    stop after SECS seconds (default: until Ctrl-C)\n"
		"  -I, --interval SECS    print every SECS seconds, decimals allowed (default 1)\n"
		"  -v, --verbose          show libbpf's debug log\n"
		"  -h, --help             this text\n"
		"\n"
		"XDP_REDIRECT sends each frame back out of the interface it came in on.\n"
		"Example: sudo %s -d 5        sudo %s -i eth0 -S\n", prog, prog, prog);
}

static int parse_action(const char *arg, __u32 *out)
{
	for (__u32 i = 0; i < XDP_STATS_NACTIONS; i++) {
		if (!strcasecmp(arg, action_opts[i])) {
			*out = i;
			return 0;
		}
	}
	fprintf(stderr, "%s: invalid value '%s' for -a: expected pass, drop, tx, redirect "
		"or aborted\n", prog, arg);
	return -EINVAL;
}

static int parse_maps(const char *arg, unsigned int *out)
{
	if (!strcasecmp(arg, "both"))
		*out = XDP_STATS_MAP_BOTH;
	else if (!strcasecmp(arg, "array"))
		*out = XDP_STATS_MAP_ARRAY;
	else if (!strcasecmp(arg, "percpu"))
		*out = XDP_STATS_MAP_PERCPU;
	else {
		fprintf(stderr, "%s: invalid value '%s' for -m: expected both, array or percpu\n",
			prog, arg);
		return -EINVAL;
	}
	return 0;
}

/*
 * Read every slot of both maps. The ARRAY gives one value per key. The
 * PERCPU_ARRAY gives one value per *possible* CPU, each at an 8-byte-aligned
 * stride, copied one CPU after another: not a snapshot across CPUs.
 */
static int read_totals(struct ctx *c, struct totals *t)
{
	for (__u32 key = 0; key < XDP_STATS_NACTIONS; key++) {
		__u64 sum[2];

		if (bpf_map_lookup_elem(c->array_fd, &key, &t->array[key]) ||
		    bpf_map_lookup_elem(c->percpu_fd, &key, c->percpu_buf))
			return -errno;
		sample_percpu_sum(c->percpu_buf, c->ncpus, sizeof(struct datarec), sum);
		t->percpu[key].rx_packets = sum[0];
		t->percpu[key].rx_bytes = sum[1];
	}
	return 0;
}

/* packets, pps, bytes, bytes/s of one map, or dashes for a map not updated. */
static void print_cells(bool on, const struct datarec *now, const struct datarec *before,
			double secs)
{
	char b[4][SAMPLE_FMT_LEN];

	if (!on) {
		printf("  %10s %9s %13s %12s", "-", "-", "-", "-");
		return;
	}
	sample_fmt_u64(b[0], SAMPLE_FMT_LEN, now->rx_packets);
	sample_fmt_u64(b[1], SAMPLE_FMT_LEN,
		       (__u64)((now->rx_packets - before->rx_packets) / secs + 0.5));
	sample_fmt_u64(b[2], SAMPLE_FMT_LEN, now->rx_bytes);
	sample_fmt_u64(b[3], SAMPLE_FMT_LEN,
		       (__u64)((now->rx_bytes - before->rx_bytes) / secs + 0.5));
	printf("  %10s %9s %13s %12s", b[0], b[1], b[2], b[3]);
}

/* One row per action: counts since load, rates since `before` over secs. */
static void print_rows(const struct ctx *c, const struct totals *now,
		       const struct totals *before, double t, double secs)
{
	if (secs <= 0)
		secs = 1e-9;
	for (int a = 0; a < XDP_STATS_NACTIONS; a++) {
		printf("%7.1f  %-8s", t, action_names[a]);
		print_cells(c->maps & XDP_STATS_MAP_ARRAY, &now->array[a], &before->array[a], secs);
		print_cells(c->maps & XDP_STATS_MAP_PERCPU, &now->percpu[a], &before->percpu[a], secs);
		printf("\n");
	}
}

static void print_header(void)
{
	printf("%17s  %-47s  %-47s\n", "", "-------------- BPF_MAP_TYPE_ARRAY --------------",
	       "---------- BPF_MAP_TYPE_PERCPU_ARRAY ----------");
	printf("%7s  %-8s  %10s %9s %13s %12s  %10s %9s %13s %12s\n", "time", "action",
	       "packets", "pps", "bytes", "bytes/s", "packets", "pps", "bytes", "bytes/s");
	fflush(stdout);
}

static int tick(void *arg)
{
	struct ctx *c = arg;
	struct totals now;
	__u64 ns;
	int err;

	if (c->traffic) {
		struct sample_traffic *t = c->traffic;
		struct sockaddr_storage ss;

		sample_sockaddr("10.11.1.1", SAMPLE_UDP_PORT, &ss);
		for (int i = 0; i < DEMO_UDPS; i++) {
			err = sample_traffic_udp(t, (struct sockaddr *)&ss, DEMO_UDP_LEN);
			if (err) {
				fprintf(stderr, "%s: demo traffic failed: %s\n", prog,
					sample_strerror(err));
				return err;
			}
		}
		/* Drain the sink; only XDP_PASS lets the datagrams reach it. */
		sample_traffic_poll(t, c->wait_delivery ? 100 : 0);
	}

	if ((err = read_totals(c, &now))) {
		fprintf(stderr, "%s: reading the maps failed: %s\n", prog, sample_strerror(err));
		return err;
	}
	ns = sample_now_ns();
	print_rows(c, &now, &c->prev, (ns - c->start_ns) / 1e9, (ns - c->prev_ns) / 1e9);
	fflush(stdout);
	c->prev = now;
	c->prev_ns = ns;
	return 0;
}

/* Frames still in flight (a busy machine may leave the veth's receive work to
 * ksoftirqd) are counted a little after they were sent: wait, at most one
 * second, until the maps have seen as many frames as the demo sent. */
static void settle(struct ctx *c, __u64 sent)
{
	for (int i = 0; i < 100; i++) {
		struct totals t;
		__u64 seen = 0;

		if (read_totals(c, &t))
			return;
		for (int a = 0; a < XDP_STATS_NACTIONS; a++)
			seen += c->maps & XDP_STATS_MAP_ARRAY ? t.array[a].rx_packets :
								t.percpu[a].rx_packets;
		if (seen >= sent)
			return;
		usleep(10 * 1000);
	}
}

/* After the run: final counts with rates averaged over the whole run, and how
 * the busiest action's PERCPU_ARRAY slot is spread over the CPUs. */
static int print_final(struct ctx *c)
{
	struct totals now, zero = {};
	const struct datarec *per;
	__u32 key = 0;
	double secs = (sample_now_ns() - c->start_ns) / 1e9;
	int err;

	if ((err = read_totals(c, &now))) {
		fprintf(stderr, "%s: reading the maps failed: %s\n", prog, sample_strerror(err));
		return err;
	}
	printf("final:\n");
	print_rows(c, &now, &zero, secs, secs);
	c->prev = now;
	if (!(c->maps & XDP_STATS_MAP_PERCPU))
		return 0;	/* -m array: no per-CPU copies to show */

	for (__u32 a = 1; a < XDP_STATS_NACTIONS; a++)
		if (now.percpu[a].rx_packets > now.percpu[key].rx_packets)
			key = a;
	if ((err = bpf_map_lookup_elem(c->percpu_fd, &key, c->percpu_buf) ? -errno : 0)) {
		fprintf(stderr, "%s: reading the per-CPU map failed: %s\n", prog,
			sample_strerror(err));
		return err;
	}
	printf("per-CPU packets of %s in the PERCPU_ARRAY (%d possible CPUs):", action_names[key],
	       c->ncpus);
	for (int cpu = 0; cpu < c->ncpus; cpu++) {
		per = (const struct datarec *)((char *)c->percpu_buf +
					       cpu * sample_percpu_stride(sizeof(struct datarec)));
		printf(" cpu%d=%llu", cpu, (unsigned long long)per->rx_packets);
	}
	if (c->maps == XDP_STATS_MAP_BOTH) {
		bool same = !memcmp(now.array, now.percpu, sizeof(now.array));

		printf("; ARRAY %s PERCPU_ARRAY sum", same ? "==" : "!=");
	}
	printf("\n");
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "interface", required_argument, NULL, 'i' },
		{ "action", required_argument, NULL, 'a' },
		{ "maps", required_argument, NULL, 'm' },
		{ "generic", no_argument, NULL, 'S' },
		{ "native", no_argument, NULL, 'N' },
		{ "duration", required_argument, NULL, 'd' },
		{ "interval", required_argument, NULL, 'I' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct sample_run_opts run = { .interval_ms = 1000 };
	struct sample_traffic traffic = SAMPLE_TRAFFIC_INIT;
	struct sample_demo demo = { .orig_ns = -1, .ns = -1, .peer_ns = -1 };
	enum sample_xdp_mode mode = SAMPLE_XDP_AUTO;
	unsigned int maps = XDP_STATS_MAP_BOTH;
	__u32 action = XDP_PASS;
	struct xdp_stats *skel = NULL;
	const char *ifname = NULL, *mode_used = "?";
	bool verbose = false, use_demo;
	struct ctx c = { .array_fd = -1, .percpu_fd = -1 };
	int opt, ifindex, link_fd = -1, err = 0;
	unsigned long v;

	while ((opt = getopt_long(argc, argv, ":i:a:m:SNd:I:vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'i':
			ifname = optarg;
			break;
		case 'a':
			if (parse_action(optarg, &action))
				return 2;
			break;
		case 'm':
			if (parse_maps(optarg, &maps))
				return 2;
			break;
		case 'S':
		case 'N':
			if (mode != SAMPLE_XDP_AUTO &&
			    mode != (opt == 'S' ? SAMPLE_XDP_GENERIC : SAMPLE_XDP_NATIVE)) {
				fprintf(stderr, "%s: -S (generic) and -N (native) exclude each other\n",
					prog);
				return 2;
			}
			mode = opt == 'S' ? SAMPLE_XDP_GENERIC : SAMPLE_XDP_NATIVE;
			break;
		case 'd':
			if (sample_parse_uint(prog, 'd', optarg, 1, 86400, &v))
				return 2;
			run.duration_s = v;
			break;
		case 'I':
			if (sample_parse_interval(prog, optarg, &run.interval_ms))
				return 2;
			break;
		case 'v':
			verbose = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return sample_getopt_error(prog, opt, argv);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s' (see -h)\n", prog, argv[optind]);
		return 2;
	}
	use_demo = !ifname;

	if (sample_init(verbose) || sample_check_privileges(prog))
		return 1;

	/* Per-CPU values come back one per possible CPU (not online CPUs). */
	c.ncpus = libbpf_num_possible_cpus();
	if (c.ncpus < 1) {
		fprintf(stderr, "%s: cannot count the possible CPUs: %s\n", prog,
			sample_strerror(c.ncpus));
		return 1;
	}
	c.percpu_buf = calloc(c.ncpus, sample_percpu_stride(sizeof(struct datarec)));
	if (!c.percpu_buf) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return 1;
	}

	/* 1. Where to attach: the demo's veth, or the user's interface. */
	if (use_demo) {
		if ((err = sample_demo_setup(&demo, prog, 0)))
			goto cleanup;
		ifname = demo.ifname;
		ifindex = demo.ifindex;
		if ((err = sample_traffic_open(&traffic, &demo, SAMPLE_TRAFFIC_UDP))) {
			fprintf(stderr, "%s: opening demo traffic sockets failed: %s\n", prog,
				sample_strerror(err));
			goto cleanup;
		}
		c.traffic = &traffic;
		c.wait_delivery = action == XDP_PASS;
	} else {
		ifindex = sample_ifindex(prog, ifname);
		if (ifindex < 0) {
			err = ifindex;
			goto cleanup;
		}
	}

	/* 2. Open, set the rodata tunables, load. */
	skel = xdp_stats__open();
	if (!skel) {
		err = -errno;
		fprintf(stderr, "%s: opening the BPF object failed: %s\n", prog, sample_strerror(err));
		goto cleanup;
	}
	skel->rodata->action = action;
	skel->rodata->maps = maps;
	skel->rodata->redirect_ifindex = ifindex;	/* XDP_REDIRECT: back out of ifname */
	if ((err = xdp_stats__load(skel))) {
		fprintf(stderr, "%s: loading the BPF object failed: %s%s\n", prog,
			sample_strerror(err), verbose ? "" : " (run with -v for libbpf's log)");
		goto cleanup;
	}
	if (bpf_map__value_size(skel->maps.stats_array) != sizeof(struct datarec) ||
	    bpf_map__value_size(skel->maps.stats_percpu) != sizeof(struct datarec)) {
		fprintf(stderr, "%s: value size mismatch between xdp_stats.h and the object\n", prog);
		err = -EINVAL;
		goto cleanup;
	}
	c.array_fd = bpf_map__fd(skel->maps.stats_array);
	c.percpu_fd = bpf_map__fd(skel->maps.stats_percpu);
	c.maps = maps;

	/* 3. Attach as a bpf_link: closing it (or dying) detaches. */
	link_fd = sample_xdp_attach(prog, skel->progs.xdp_count, ifindex, mode, &mode_used);
	if (link_fd < 0) {
		err = link_fd;
		goto cleanup;
	}

	/* 4. Run. */
	printf("XDP on %s (ifindex %d) in %s mode returns XDP_%s for every frame; "
	       "counting in %s%s\n", ifname, ifindex, mode_used, action_names[action],
	       maps == XDP_STATS_MAP_BOTH ? "ARRAY and PERCPU_ARRAY" :
	       maps == XDP_STATS_MAP_ARRAY ? "ARRAY only" : "PERCPU_ARRAY only",
	       use_demo ? "; demo traffic: UDP from the peer netns" : "");
	if (use_demo && (action == XDP_TX || action == XDP_REDIRECT))
		printf("note: XDP_%s sends each frame back to %s, %s; the frames are "
		       "counted here all the same\n", action_names[action], demo.peer_ifname,
		       strcmp(mode_used, "generic") ?
		       "where veth drops it (the peer has no XDP program and no GRO)" :
		       "whose stack discards it (its destination MAC is demo0's)");
	if (!use_demo && action != XDP_PASS)
		fprintf(stderr, "%s: warning: every frame %s receives gets XDP_%s while this "
			"runs: its traffic stops until Ctrl-C\n", prog, ifname, action_names[action]);
	print_header();
	c.start_ns = c.prev_ns = sample_now_ns();
	run.tick = tick;
	run.ctx = &c;
	err = sample_run(&run);

	/* 5. Summary: let the last frames land, then one final read. */
	if (!err) {
		if (c.traffic) {
			sample_traffic_poll(&traffic, c.wait_delivery ? 500 : 0);
			settle(&c, traffic.udp_sent);
		}
		err = print_final(&c);
	}
	if (!err) {
		char b[2][SAMPLE_FMT_LEN];
		__u64 pkts = 0, bytes = 0;

		for (int a = 0; a < XDP_STATS_NACTIONS; a++) {
			const struct datarec *r = maps & XDP_STATS_MAP_ARRAY ? &c.prev.array[a] :
									    &c.prev.percpu[a];
			pkts += r->rx_packets;
			bytes += r->rx_bytes;
		}
		if (c.traffic)
			printf("demo sent: %llu UDP datagrams of %d bytes (%d-byte frames); "
			       "the sink received %llu\n", (unsigned long long)traffic.udp_sent,
			       DEMO_UDP_LEN, DEMO_FRAME_LEN,
			       (unsigned long long)traffic.udp_received);
		else
			printf("summary: %s frames, %s bytes on %s in %s mode, all XDP_%s\n",
			       sample_fmt_u64(b[0], SAMPLE_FMT_LEN, pkts),
			       sample_fmt_u64(b[1], SAMPLE_FMT_LEN, bytes), ifname, mode_used,
			       action_names[action]);
	}

cleanup:
	if (link_fd >= 0)
		close(link_fd);
	xdp_stats__destroy(skel);
	sample_traffic_close(&traffic);
	if (use_demo)
		sample_demo_teardown(&demo);
	free(c.percpu_buf);
	return err ? 1 : 0;
}
