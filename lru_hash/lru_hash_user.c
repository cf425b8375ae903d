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
#include <getopt.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "lru_hash.h"
#include "lru_hash.skel.h"

static const char *prog = "lru_hash";

/* The demo's access pattern: per interval new_flows new flows, one packet
 * each; before every DEMO_HOT_EVERY new flows, one packet of each hot flow. */
#define DEMO_HOT	8
#define DEMO_HOT_EVERY	16
#define DEMO_PAYLOAD	18	/* UDP payload: 46 IP bytes per packet */
#define DEMO_FRAME	(14 + 20 + 8 + DEMO_PAYLOAD)

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

struct ctx {
	struct lru_hash *skel;
	int flows_fd, counters_fd, prog_fd;
	bool percpu, demo;
	int ncpus;			/* possible CPUs: per-CPU value copies */
	void *vbuf;			/* one lookup's worth of per-CPU values */
	__u32 new_per_tick;
	__u64 next_flow;		/* new flows sent so far */
	__u64 hot_sent;			/* packets sent per hot flow */
	__u64 start_ns;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [options]\n"
		"A 5-tuple flow table on XDP: HASH refuses flows when full, the LRU maps evict.\n"
		"\n"
		"  -t, --type TYPE        hash | lru | lru-nocommon | lru-percpu (default lru)\n"
		"  -m, --max-entries N    flow table size, 1 to 1000000 (default 512)\n"
		"  -n, --new-flows N      demo: new flows per interval, 1 to 100000 (default 200)\n"
		"  -i, --interface IFACE  a flow table of IFACE's traffic (nothing is generated);\n"
		"                         default: the demo feeds generated packets through\n"
		"                         BPF_PROG_TEST_RUN, no network needed\n"
		"  -d, --duration SECS    stop after SECS seconds (default: until Ctrl-C)\n"
		"  -I, --interval SECS    print every SECS seconds, decimals allowed (default 1)\n"
		"  -v, --verbose          show libbpf's debug log\n"
		"  -h, --help             this text\n"
		"\n"
		"Example: sudo %s -t hash -d 5        sudo %s -t lru-nocommon -m 256\n",
		prog, prog, prog);
}

/* ---- the demo's packets --------------------------------------------------- */

/* New flow n comes from 10.0.0.0 + n + 1, hot flow h from 192.168.0.(h + 1);
 * all go to 10.11.1.1:7000 from port 40000 over UDP. */
static void flow_of(__u64 n, bool hot, struct flow_key *k)
{
	memset(k, 0, sizeof(*k));
	k->saddr = htonl(hot ? 0xc0a80001 + (__u32)n : 0x0a000001 + (__u32)n);
	k->daddr = htonl(0x0a0b0101);
	k->sport = htons(40000);
	k->dport = htons(7000);
	k->proto = IPPROTO_UDP;
}

static void frame_of(const struct flow_key *k, unsigned char *f)
{
	static const unsigned char macs[12] = { 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2 };
	__u16 v;

	memset(f, 0, DEMO_FRAME);
	memcpy(f, macs, 12);
	f[12] = 0x08;			/* ETH_P_IP */
	f[14] = 0x45;
	v = htons(20 + 8 + DEMO_PAYLOAD);
	memcpy(f + 16, &v, 2);
	f[22] = 64;
	f[23] = k->proto;
	memcpy(f + 26, &k->saddr, 4);
	memcpy(f + 30, &k->daddr, 4);
	memcpy(f + 34, &k->sport, 2);
	memcpy(f + 36, &k->dport, 2);
	v = htons(8 + DEMO_PAYLOAD);
	memcpy(f + 38, &v, 2);
}

static int send_flow(struct ctx *c, __u64 n, bool hot)
{
	unsigned char frame[DEMO_FRAME];
	struct flow_key k;
	LIBBPF_OPTS(bpf_test_run_opts, topts, .data_in = frame, .data_size_in = DEMO_FRAME);

	flow_of(n, hot, &k);
	frame_of(&k, frame);
	return bpf_prog_test_run_opts(c->prog_fd, &topts) ? -errno : 0;
}

/* ---- reading the map ------------------------------------------------------ */

/* Packets of one flow, summed over CPUs for a per-CPU map; -ENOENT if absent. */
static int flow_packets(struct ctx *c, const struct flow_key *k, __u64 *packets)
{
	struct flow_val sum[1];

	if (bpf_map_lookup_elem(c->flows_fd, k, c->vbuf))
		return -errno;
	if (c->percpu) {
		sample_percpu_sum(c->vbuf, c->ncpus, sizeof(struct flow_val), (__u64 *)sum);
		*packets = sum->packets;
	} else {
		*packets = ((struct flow_val *)c->vbuf)->packets;
	}
	return 0;
}

static bool flow_present(struct ctx *c, __u64 n, bool hot)
{
	struct flow_key k;
	__u64 p;

	flow_of(n, hot, &k);
	return flow_packets(c, &k, &p) == 0;
}

static __u64 count_entries(int fd)
{
	struct flow_key k, next;
	__u64 n = 0;

	for (int err = bpf_map_get_next_key(fd, NULL, &next); !err;
	     err = bpf_map_get_next_key(fd, &k, &next)) {
		k = next;
		n++;
	}
	return n;
}

static int read_counters(struct ctx *c, __u64 *cnt)
{
	for (__u32 i = 0; i < CNT_MAX; i++)
		if (bpf_map_lookup_elem(c->counters_fd, &i, &cnt[i]))
			return -errno;
	return 0;
}

static int print_row(struct ctx *c)
{
	char b[6][SAMPLE_FMT_LEN], hot[16] = "-";
	__u64 cnt[CNT_MAX], entries;
	double t = (sample_now_ns() - c->start_ns) / 1e9;
	int err = read_counters(c, cnt);

	if (err) {
		fprintf(stderr, "%s: reading the counters failed: %s\n", prog, sample_strerror(err));
		return err;
	}
	entries = count_entries(c->flows_fd);
	if (c->demo) {
		int alive = 0;

		for (int h = 0; h < DEMO_HOT; h++)
			alive += flow_present(c, h, true);
		snprintf(hot, sizeof(hot), "%d/%d", alive, DEMO_HOT);
	}
	/* Every insert adds an entry and only eviction removes one (nothing
	 * here deletes), so inserts - entries is what the LRU evicted. */
	printf("%7.1f  %10s  %9s  %9s  %9s  %9s  %9s  %5s\n", t,
	       sample_fmt_u64(b[0], SAMPLE_FMT_LEN, cnt[CNT_PACKETS]),
	       sample_fmt_u64(b[1], SAMPLE_FMT_LEN, c->demo ? c->next_flow + DEMO_HOT : 0),
	       sample_fmt_u64(b[2], SAMPLE_FMT_LEN, entries),
	       sample_fmt_u64(b[3], SAMPLE_FMT_LEN, cnt[CNT_INSERTS]),
	       sample_fmt_u64(b[4], SAMPLE_FMT_LEN, cnt[CNT_INSERT_FULL] + cnt[CNT_INSERT_ERR]),
	       sample_fmt_u64(b[5], SAMPLE_FMT_LEN,
			      cnt[CNT_INSERTS] > entries ? cnt[CNT_INSERTS] - entries : 0), hot);
	fflush(stdout);
	return 0;
}

static int tick(void *arg)
{
	struct ctx *c = arg;
	int err = 0;

	for (__u32 i = 0; c->demo && i < c->new_per_tick && !err; i++) {
		if (c->next_flow % DEMO_HOT_EVERY == 0) {
			for (int h = 0; h < DEMO_HOT && !err; h++)
				err = send_flow(c, h, true);
			c->hot_sent++;
		}
		if (!err)
			err = send_flow(c, c->next_flow++, false);
	}
	if (err) {
		fprintf(stderr, "%s: BPF_PROG_TEST_RUN failed: %s\n", prog, sample_strerror(err));
		return err;
	}
	return print_row(c);
}

static void print_survivors(struct ctx *c)
{
	__u64 run = 0, older = 0, hot_pkts = 0, p;
	int alive = 0;
	char b[3][SAMPLE_FMT_LEN];
	struct flow_key k;

	/* The newest flows, walking back from the last one sent while present. */
	while (run < c->next_flow && flow_present(c, c->next_flow - 1 - run, false))
		run++;
	for (__u64 n = 0; n + run < c->next_flow; n++)
		older += flow_present(c, n, false);
	for (int h = 0; h < DEMO_HOT; h++) {
		flow_of(h, true, &k);
		if (!flow_packets(c, &k, &p)) {
			alive++;
			hot_pkts += p;
		}
	}
	printf("survivors: hot flows %d/%d; newest new flow #%llu %s; %s new flows, the newest "
	       "%s of them in a row, %s older\n", alive, DEMO_HOT,
	       (unsigned long long)c->next_flow - 1, run ? "present" : "absent",
	       sample_fmt_u64(b[0], SAMPLE_FMT_LEN, run + older),
	       sample_fmt_u64(b[1], SAMPLE_FMT_LEN, run),
	       sample_fmt_u64(b[2], SAMPLE_FMT_LEN, older));
	printf("hot flow packets in the map: %s%s (sent %s)\n",
	       sample_fmt_u64(b[2], SAMPLE_FMT_LEN, hot_pkts),
	       c->percpu ? ", per-CPU values summed" : "",
	       sample_fmt_u64(b[0], SAMPLE_FMT_LEN, (__u64)alive * c->hot_sent));
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "type", required_argument, NULL, 't' },
		{ "max-entries", required_argument, NULL, 'm' },
		{ "new-flows", required_argument, NULL, 'n' },
		{ "interface", required_argument, NULL, 'i' },
		{ "duration", required_argument, NULL, 'd' },
		{ "interval", required_argument, NULL, 'I' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct sample_run_opts run = { .interval_ms = 1000 };
	struct bpf_map_info info = {};
	__u32 info_len = sizeof(info), max_entries = 512;
	struct lru_hash *skel = NULL;
	const char *ifname = NULL, *mode = "";
	bool verbose = false;
	int opt, ifindex = 0, link = -1, cpu = -1, v_idx = 1, err;
	struct ctx c = { .new_per_tick = 200 };
	unsigned long v;

	while ((opt = getopt_long(argc, argv, ":t:m:n:i:d:I:vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 't':
			v_idx = -1;
			for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++)
				if (!strcmp(optarg, variants[i].name))
					v_idx = i;
			if (v_idx < 0) {
				fprintf(stderr, "%s: unknown type '%s' for -t: expected hash, lru, "
					"lru-nocommon or lru-percpu\n", prog, optarg);
				return 2;
			}
			break;
		case 'm':
			if (sample_parse_uint(prog, 'm', optarg, 1, 1000000, &v))
				return 2;
			max_entries = v;
			break;
		case 'n':
			if (sample_parse_uint(prog, 'n', optarg, 1, 100000, &v))
				return 2;
			c.new_per_tick = v;
			break;
		case 'i':
			ifname = optarg;
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
	c.demo = !ifname;

	if ((err = sample_init(verbose)) || (err = sample_check_privileges(prog)))
		return 1;

	/* 1. Where the packets come from: generated here, or the user's interface. */
	if (c.demo) {
		cpu_set_t set;

		/* Stay on one CPU: an LRU map's free lists are per CPU, so which
		 * entries get evicted depends on where each insert runs. */
		cpu = sched_getcpu();
		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (cpu < 0 || sched_setaffinity(0, sizeof(set), &set)) {
			err = -errno;
			fprintf(stderr, "%s: pinning the demo to one CPU failed: %s\n", prog,
				sample_strerror(err));
			return 1;
		}
	} else {
		ifindex = sample_ifindex(prog, ifname);
		if (ifindex < 0)
			return 1;
	}

	/* 2. Open, choose the variant and size, load. */
	skel = lru_hash__open();
	if (!skel) {
		err = -errno;
		fprintf(stderr, "%s: opening the BPF object failed: %s\n", prog, sample_strerror(err));
		goto cleanup;
	}
	if ((err = bpf_map__set_type(skel->maps.flows, variants[v_idx].type)) ||
	    (err = bpf_map__set_map_flags(skel->maps.flows, variants[v_idx].flags)) ||
	    (err = bpf_map__set_max_entries(skel->maps.flows, max_entries))) {
		fprintf(stderr, "%s: configuring the flow map failed: %s\n", prog,
			sample_strerror(err));
		goto cleanup;
	}
	err = lru_hash__load(skel);
	if (err) {
		fprintf(stderr, "%s: loading the BPF object failed: %s%s\n", prog,
			sample_strerror(err), err == -ENOMEM ? " (try a smaller -m)" :
			verbose ? "" : " (run with -v for libbpf's log)");
		goto cleanup;
	}
	if (bpf_map__value_size(skel->maps.flows) != sizeof(struct flow_val) ||
	    bpf_map__key_size(skel->maps.flows) != sizeof(struct flow_key)) {
		fprintf(stderr, "%s: key/value size mismatch between lru_hash.h and the object\n",
			prog);
		err = -EINVAL;
		goto cleanup;
	}
	c.skel = skel;
	c.flows_fd = bpf_map__fd(skel->maps.flows);
	c.counters_fd = bpf_map__fd(skel->maps.counters);
	c.prog_fd = bpf_program__fd(skel->progs.flow_table);
	c.percpu = variants[v_idx].type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
	c.ncpus = libbpf_num_possible_cpus();
	if (c.ncpus < 0) {
		err = c.ncpus;
		fprintf(stderr, "%s: counting possible CPUs failed: %s\n", prog, sample_strerror(err));
		goto cleanup;
	}
	c.vbuf = calloc(c.ncpus, sample_percpu_stride(sizeof(struct flow_val)));
	if (!c.vbuf) {
		err = -ENOMEM;
		fprintf(stderr, "%s: out of memory\n", prog);
		goto cleanup;
	}
	/* The kernel may round max_entries (NO_COMMON_LRU: to a multiple of
	 * the CPU count); ask it what it made. */
	if (bpf_obj_get_info_by_fd(c.flows_fd, &info, &info_len)) {
		err = -errno;
		fprintf(stderr, "%s: reading the map info failed: %s\n", prog, sample_strerror(err));
		goto cleanup;
	}

	/* 3. Attach (real interface only; the demo calls the program directly). */
	if (!c.demo) {
		link = sample_xdp_attach(prog, skel->progs.flow_table, ifindex, SAMPLE_XDP_AUTO,
					 &mode);
		if (link < 0) {
			err = link;
			goto cleanup;
		}
	}

	/* 4. Run. */
	printf("Flow table: %s, max_entries %u (kernel: %u), %d possible CPUs, ",
	       variants[v_idx].label, max_entries, info.max_entries, c.ncpus);
	if (c.demo)
		printf("demo: BPF_PROG_TEST_RUN on CPU %d, %u new flows per interval, "
		       "%d hot flows\n", cpu, c.new_per_tick, DEMO_HOT);
	else
		printf("XDP on %s (%s)\n", ifname, mode);
	printf("%7s  %10s  %9s  %9s  %9s  %9s  %9s  %5s\n", "time", "packets", "flows",
	       "entries", "inserts", "failed", "evicted", "hot");
	c.start_ns = sample_now_ns();
	run.tick = tick;
	run.ctx = &c;
	err = sample_run(&run);

	/* 5. Summary. */
	if (!err) {
		printf("final:\n");
		c.new_per_tick = 0;	/* print, do not send */
		err = tick(&c);
	}
	if (!err && c.demo) {
		char b[SAMPLE_FMT_LEN];

		print_survivors(&c);
		printf("demo sent: %s new flows of 1 packet, %d hot flows of %llu packets, "
		       "on CPU %d\n", sample_fmt_u64(b, sizeof(b), c.next_flow), DEMO_HOT,
		       (unsigned long long)c.hot_sent, cpu);
	}

cleanup:
	if (link >= 0)
		close(link);
	free(c.vbuf);
	lru_hash__destroy(skel);
	return err ? 1 : 0;
}
