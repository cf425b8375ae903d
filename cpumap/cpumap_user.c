// SPDX-License-Identifier: GPL-2.0
/*
 * cpumap - steer packets to chosen CPUs with a BPF_MAP_TYPE_CPUMAP and show, per
 * CPU, where each stage of a packet's path ran.
 *
 * An XDP program on the interface picks a CPU for every packet (-p: the CPU it
 * runs on, round robin over a CPU set, or a hash of the IP pair) and redirects
 * the frame into the CPUMAP entry of that CPU. The entry's kthread on that CPU
 * runs an optional second XDP program (SEC("xdp/cpumap"), given to the entry
 * through struct bpf_cpumap_val.bpf_prog.fd), builds the skb and hands it to
 * the stack there, so tc ingress runs on the chosen CPU as well. tc egress
 * shows where replies leave. A table prints, per CPU: XDP, redirected, missing
 * entry (dropped), second-stage program, tc ingress, tc egress.
 *
 *   sudo ./cpumap                   demo: private netns + veth, pings and UDP
 *   sudo ./cpumap -p rr -c 0,1      round robin over CPUs 0 and 1
 *   sudo ./cpumap -i eth0 -p hash   steer what eth0 receives; generates nothing
 *   sudo ./cpumap -t -d 2           also one line per stage per packet
 *
 * Key = CPU id, value = { qsize, program fd }. A CPU without an entry drops the
 * packet; a CPU id that does not exist is refused with ENODEV, one at or past
 * max_entries with E2BIG: the demo shows both on the live map first.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "demo.h"
#include "tc.h"
#include "cpumap.h"
#include "cpumap.skel.h"

static const char *prog = "cpumap";

/* Demo traffic per tick: echo requests (each one comes back as a reply that
 * leaves through tc egress) and UDP datagrams to a sink (no reply). */
#define DEMO_PINGS	5
#define DEMO_PING_LEN	56
#define DEMO_UDPS	5
#define DEMO_UDP_LEN	100
#define DEFAULT_QSIZE	192

static const char *policy_names[] = { "same", "rr", "hash" };

struct ctx {
	struct cpumap *skel;
	int counts_fd;
	int ncpus;			/* possible CPUs: per-CPU values returned */
	bool in_set[CPUMAP_MAX_CPUS];
	struct sample_traffic *traffic;	/* NULL on a real interface */
	struct ring_buffer *rb;		/* --trace */
	__u64 start_ns;
	struct stage_counts *percpu;	/* ncpus values */
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [options]\n"
		"Steer packets to CPUs with a BPF_MAP_TYPE_CPUMAP; count each stage per CPU.\n"
		"\n"
		"  -i, --interface IFACE  run on IFACE (no traffic is generated);\n"
		"                         default: a private demo netns + veth with its own traffic\n"
		"  -p, --policy POLICY    same (the receiving CPU, default), rr (round robin\n"
		"                         over the set), hash (of the IP address pair)\n"
		"  -c, --cpus LIST        the CPU set, e.g. 1 or 0,2 or 0-3 (default: all online)\n"
		"  -q, --qsize N          frames queued per CPU entry, 1..16384 (default %d)\n"
		"  -X, --no-cpumap-prog   no second XDP program on the target CPU\n"
		"  -t, --trace            also print one line per stage per packet\n"
		"  -S, --skb-mode         generic XDP;  -N, --native: driver XDP or fail\n"
		"  -d, --duration SECS    stop after SECS seconds (default: until Ctrl-C)\n"
		"  -I, --interval SECS    print every SECS seconds, decimals allowed (default 1)\n"
		"  -v, --verbose          show libbpf's debug log\n"
		"  -h, --help             this text\n"
		"\n"
		"Example: sudo %s -p rr -c 0,1 -d 5        sudo %s -i eth0 -p hash\n",
		prog, DEFAULT_QSIZE, prog, prog);
}

/* "0,2-3" -> set[] = {0, 2, 3}. Ids up to 4095 are accepted here on purpose:
 * the kernel, not this parser, says which CPUs exist (ENODEV, E2BIG). */
static int parse_cpu_list(const char *s, __u32 *set, __u32 *len, bool quiet)
{
	const char *p = s;
	char *end;

	*len = 0;
	while (*p) {
		unsigned long a, b;

		if (*p < '0' || *p > '9')
			goto bad;
		a = strtoul(p, &end, 10);
		b = a;
		if (*end == '-') {
			p = end + 1;
			if (*p < '0' || *p > '9')
				goto bad;
			b = strtoul(p, &end, 10);
		}
		if (a > b || b > 4095)
			goto bad;
		for (unsigned long c = a; c <= b; c++) {
			if (*len >= CPUMAP_MAX_CPUS) {
				if (!quiet)
					fprintf(stderr, "%s: invalid CPU list '%s': at most %d CPUs\n",
						prog, s, CPUMAP_MAX_CPUS);
				return -E2BIG;
			}
			set[(*len)++] = c;
		}
		p = end;
		if (*p == ',' && p[1])
			p++;
		else if (*p)
			goto bad;
	}
	if (*len)
		return 0;
bad:
	if (!quiet)
		fprintf(stderr, "%s: invalid CPU list '%s' for -c: expected e.g. 1 or 0,2 or 0-3\n",
			prog, s);
	return -EINVAL;
}

/* The default set: every online CPU (at most CPUMAP_MAX_CPUS of them). */
static int online_cpus(__u32 *set, __u32 *len)
{
	char buf[256] = "";
	FILE *f = fopen("/sys/devices/system/cpu/online", "r");
	int err;

	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = '\0';
		fclose(f);
	}
	buf[strcspn(buf, "\n")] = '\0';
	err = parse_cpu_list(buf, set, len, true);
	if (err == -E2BIG)
		return 0;	/* more than 64 CPUs: the first 64 */
	if (err) {
		set[0] = 0;
		*len = 1;
	}
	return 0;
}

static const char *cpumap_update_hint(int err)
{
	switch (err) {
	case -ENODEV:
		return "no such CPU on this machine: a CPUMAP key must be a possible CPU id";
	case -E2BIG:
		return "the CPU id is at or beyond the map's max_entries (" 
		       "CPUMAP_MAX_CPUS in cpumap.h)";
	case -EOVERFLOW:
		return "qsize above the kernel's limit of 16384";
	case -ENOMEM:
		return "out of memory, or a second-stage program not loaded as SEC(\"xdp/cpumap\")";
	default:
		return NULL;
	}
}

/* Create one CPUMAP entry per CPU of the set. Each entry starts a kthread
 * (cpumap/<cpu>/map:<id>) bound to that CPU, with a queue of qsize frames. */
static int fill_cpumap(struct cpumap *skel, const __u32 *set, __u32 len, __u32 qsize,
		       bool second_stage)
{
	int fd = bpf_map__fd(skel->maps.cpu_map);

	for (__u32 i = 0; i < len; i++) {
		struct bpf_cpumap_val val = { .qsize = qsize };
		int err;

		if (second_stage)
			val.bpf_prog.fd = bpf_program__fd(skel->progs.cpumap_stage2);
		err = bpf_map_update_elem(fd, &set[i], &val, 0) ? -errno : 0;
		if (err) {
			const char *hint = cpumap_update_hint(err);
			int ncpus = libbpf_num_possible_cpus();

			fprintf(stderr, "%s: adding CPU %u to the CPUMAP failed: %s (%s); "
				"this machine's CPUs are 0-%d, pick from them with -c\n", prog,
				set[i], sample_strerror(err), hint ? hint : "unexpected", ncpus - 1);
			return err;
		}
	}
	return 0;
}

/*
 * The CPUMAP's traps, shown on the live map (before any packet): an absent CPU
 * is ENODEV, a key >= max_entries is E2BIG, a lookup from user space returns
 * the qsize and the id (not the fd) of the second-stage program.
 */
static int show_cpumap_traps(struct cpumap *skel, const __u32 *set, __u32 len)
{
	int fd = bpf_map__fd(skel->maps.cpu_map), ncpus = libbpf_num_possible_cpus();
	struct bpf_cpumap_val val = { .qsize = DEFAULT_QSIZE };
	__u32 key;
	int err;

	printf("BPF_MAP_TYPE_CPUMAP, on the live map (max_entries %d, this machine has %d CPUs):\n",
	       CPUMAP_MAX_CPUS, ncpus);
	for (__u32 i = 0; i < len; i++) {
		struct bpf_cpumap_val got = {};

		key = set[i];
		err = bpf_map_lookup_elem(fd, &key, &got) ? -errno : 0;
		if (err)
			return err;
		printf("  lookup key %-3u -> qsize %u, second-stage prog id %u\n", key,
		       got.qsize, got.bpf_prog.id);
	}
	if (ncpus < CPUMAP_MAX_CPUS) {
		key = ncpus;
		err = bpf_map_update_elem(fd, &key, &val, 0) ? -errno : 0;
		printf("  update key %-3u -> %s: CPU %u does not exist\n", key,
		       err ? sample_strerror(err) : "ok (unexpected)", key);
		if (err != -ENODEV)
			return err ? err : -EINVAL;
	}
	key = CPUMAP_MAX_CPUS;
	err = bpf_map_update_elem(fd, &key, &val, 0) ? -errno : 0;
	printf("  update key %-3u -> %s: key >= max_entries\n", key,
	       err ? sample_strerror(err) : "ok (unexpected)");
	if (err != -E2BIG)
		return err ? err : -EINVAL;
	printf("  a CPU of the set without an entry would drop its packets (column 'missing')\n\n");
	return 0;
}

static int read_counts(struct ctx *c)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(c->counts_fd, &zero, c->percpu) ? -errno : 0;
}

static void print_row(const char *t, const char *who, const struct stage_counts *s)
{
	char b[6][SAMPLE_FMT_LEN];

	printf("%7s  %5s %10s %10s %8s %12s %10s %10s\n", t, who,
	       sample_fmt_u64(b[0], SAMPLE_FMT_LEN, s->xdp),
	       sample_fmt_u64(b[1], SAMPLE_FMT_LEN, s->redirected),
	       sample_fmt_u64(b[2], SAMPLE_FMT_LEN, s->missing),
	       sample_fmt_u64(b[3], SAMPLE_FMT_LEN, s->cpumap_prog),
	       sample_fmt_u64(b[4], SAMPLE_FMT_LEN, s->tc_ingress),
	       sample_fmt_u64(b[5], SAMPLE_FMT_LEN, s->tc_egress));
}

/* One row per CPU that is in the set or has counted something, then a total
 * row when asked (the final table). */
static int print_table(struct ctx *c, bool total)
{
	struct stage_counts sum = {};
	char t[16], cpu[16];
	int err = read_counts(c);

	if (err) {
		fprintf(stderr, "%s: reading the counters failed: %s\n", prog, sample_strerror(err));
		return err;
	}
	snprintf(t, sizeof(t), "%.1f", (sample_now_ns() - c->start_ns) / 1e9);
	for (int i = 0; i < c->ncpus; i++) {
		const struct stage_counts *s = &c->percpu[i];

		sum.xdp += s->xdp;
		sum.redirected += s->redirected;
		sum.missing += s->missing;
		sum.cpumap_prog += s->cpumap_prog;
		sum.tc_ingress += s->tc_ingress;
		sum.tc_egress += s->tc_egress;
		if (!(i < CPUMAP_MAX_CPUS && c->in_set[i]) && !s->xdp && !s->cpumap_prog &&
		    !s->tc_ingress && !s->tc_egress)
			continue;
		snprintf(cpu, sizeof(cpu), "%d", i);
		print_row(t, cpu, s);
	}
	if (total)
		print_row(t, "total", &sum);
	fflush(stdout);
	return 0;
}

static const char *stage_names[] = { "XDP       ", "cpumap    ", "tc ingress", "tc egress " };

static int on_event(void *ctx, void *data, size_t size)
{
	const struct cpumap_event *e = data;
	struct ctx *c = ctx;
	static __u64 first;

	if (size < sizeof(*e) || e->stage > STAGE_TC_EGRESS)
		return 0;
	if (!first)
		first = e->ts_ns;
	printf("trace %12.6f  cpu %-3u [%s] len %u", (e->ts_ns - first) / 1e9, e->cpu,
	       stage_names[e->stage], e->len);
	if (e->stage == STAGE_XDP)
		printf(" -> %s cpu %u", e->action == XDP_REDIRECT ? "cpumap" : "DROP, no entry for",
		       e->target);
	printf("\n");
	(void)c;
	return 0;
}

static int on_ringbuf(void *arg)
{
	struct ctx *c = arg;
	int n = ring_buffer__consume(c->rb);

	fflush(stdout);
	return n < 0 ? n : 0;
}

static int tick(void *arg)
{
	struct ctx *c = arg;

	if (c->traffic) {
		struct sample_traffic *t = c->traffic;
		struct sockaddr_storage ss;
		int err = 0;

		sample_sockaddr("10.11.1.1", SAMPLE_UDP_PORT, &ss);
		for (int i = 0; i < DEMO_PINGS && !err; i++)
			err = sample_traffic_ping(t, &t->d->addr4, DEMO_PING_LEN);
		for (int i = 0; i < DEMO_UDPS && !err; i++)
			err = sample_traffic_udp(t, (struct sockaddr *)&ss, DEMO_UDP_LEN);
		if (err) {
			fprintf(stderr, "%s: demo traffic failed: %s\n", prog, sample_strerror(err));
			return err;
		}
		sample_traffic_poll(t, 100);
	}
	if (c->rb)
		on_ringbuf(c);
	return print_table(c, false);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "interface", required_argument, NULL, 'i' },
		{ "policy", required_argument, NULL, 'p' },
		{ "cpus", required_argument, NULL, 'c' },
		{ "qsize", required_argument, NULL, 'q' },
		{ "no-cpumap-prog", no_argument, NULL, 'X' },
		{ "trace", no_argument, NULL, 't' },
		{ "skb-mode", no_argument, NULL, 'S' },
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
	struct sample_tc tc_in = { .link_fd = -1 }, tc_eg = { .link_fd = -1 };
	enum sample_xdp_mode xdp_mode = SAMPLE_XDP_AUTO;
	__u32 set[CPUMAP_MAX_CPUS], set_len = 0, policy = CPUMAP_SAME, qsize = DEFAULT_QSIZE;
	bool verbose = false, use_demo, second_stage = true, trace = false;
	const char *ifname = NULL, *mode_used = "?";
	struct cpumap *skel = NULL;
	int opt, ifindex, xdp_fd = -1, err;
	struct ctx c = {};
	unsigned long v;

	while ((opt = getopt_long(argc, argv, ":i:p:c:q:XtSNd:I:vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'i':
			ifname = optarg;
			break;
		case 'p':
			for (policy = 0; policy < 3; policy++)
				if (!strcmp(optarg, policy_names[policy]))
					break;
			if (policy == 3) {
				fprintf(stderr, "%s: invalid policy '%s' for -p: expected same, rr or hash\n",
					prog, optarg);
				return 2;
			}
			break;
		case 'c':
			if (parse_cpu_list(optarg, set, &set_len, false))
				return 2;
			break;
		case 'q':
			if (sample_parse_uint(prog, 'q', optarg, 1, 16384, &v))
				return 2;
			qsize = v;
			break;
		case 'X':
			second_stage = false;
			break;
		case 't':
			trace = true;
			break;
		case 'S':
			xdp_mode = SAMPLE_XDP_GENERIC;
			break;
		case 'N':
			xdp_mode = SAMPLE_XDP_NATIVE;
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
	if (!set_len)
		online_cpus(set, &set_len);
	use_demo = !ifname;

	if ((err = sample_init(verbose)) || (err = sample_check_privileges(prog)))
		return 1;

	/* 1. Where: the demo's veth, or the user's interface. */
	if (use_demo) {
		if (sample_demo_setup(&demo, prog, 0))
			return 1;
		ifname = demo.ifname;
		ifindex = demo.ifindex;
		if ((err = sample_traffic_open(&traffic, &demo, SAMPLE_TRAFFIC_ICMP |
					       SAMPLE_TRAFFIC_UDP))) {
			fprintf(stderr, "%s: opening demo traffic sockets failed: %s\n", prog,
				sample_strerror(err));
			goto cleanup;
		}
		c.traffic = &traffic;
	} else {
		ifindex = sample_ifindex(prog, ifname);
		if (ifindex < 0)
			return 1;
	}

	/* 2. Open, set the policy and the CPU set (rodata), load. */
	skel = cpumap__open();
	if (!skel) {
		err = -errno;
		fprintf(stderr, "%s: opening the BPF object failed: %s\n", prog, sample_strerror(err));
		goto cleanup;
	}
	skel->rodata->policy = policy;
	for (__u32 i = 0; i < set_len; i++)
		skel->rodata->cpu_set[i] = set[i];
	skel->rodata->cpu_set_len = set_len;
	skel->rodata->trace = trace;
	err = cpumap__load(skel);
	if (err) {
		fprintf(stderr, "%s: loading the BPF object failed: %s%s\n", prog,
			sample_strerror(err), verbose ? "" : " (run with -v for libbpf's log)");
		goto cleanup;
	}
	if (bpf_map__value_size(skel->maps.stage_counts) != sizeof(struct stage_counts)) {
		fprintf(stderr, "%s: value size mismatch between cpumap.h and the object\n", prog);
		err = -EINVAL;
		goto cleanup;
	}
	c.skel = skel;
	c.counts_fd = bpf_map__fd(skel->maps.stage_counts);
	c.ncpus = libbpf_num_possible_cpus();
	c.percpu = calloc(c.ncpus, sizeof(*c.percpu));
	if (c.ncpus <= 0 || !c.percpu) {
		err = -ENOMEM;
		fprintf(stderr, "%s: out of memory\n", prog);
		goto cleanup;
	}
	for (__u32 i = 0; i < set_len; i++)
		if (set[i] < CPUMAP_MAX_CPUS)
			c.in_set[set[i]] = true;

	/* 3. The CPUMAP entries: one kthread per CPU of the set. */
	if ((err = fill_cpumap(skel, set, set_len, qsize, second_stage)))
		goto cleanup;
	if ((err = show_cpumap_traps(skel, set, set_len))) {
		fprintf(stderr, "%s: the CPUMAP did not answer as documented: %s\n", prog,
			sample_strerror(err));
		goto cleanup;
	}

	/* 4. Attach: XDP and tcx through links, gone with the process. */
	xdp_fd = sample_xdp_attach(prog, skel->progs.xdp_to_cpumap, ifindex, xdp_mode, &mode_used);
	if (xdp_fd < 0) {
		err = xdp_fd;
		goto cleanup;
	}
	if ((err = sample_tc_attach(prog, skel->progs.tc_ingress, ifindex, true, &tc_in)) ||
	    (err = sample_tc_attach(prog, skel->progs.tc_egress, ifindex, false, &tc_eg)))
		goto cleanup;
	if (trace) {
		c.rb = ring_buffer__new(bpf_map__fd(skel->maps.events), on_event, &c, NULL);
		if (!c.rb) {
			err = -errno;
			fprintf(stderr, "%s: opening the ring buffer failed: %s\n", prog,
				sample_strerror(err));
			goto cleanup;
		}
		run.extra_fd = ring_buffer__epoll_fd(c.rb);
		run.on_extra = on_ringbuf;
	}

	/* 5. Run. */
	printf("Steering packets on %s (XDP %s) to CPUs", ifname, mode_used);
	for (__u32 i = 0; i < set_len; i++)
		printf("%s%u", i ? "," : " ", set[i]);
	printf(" by policy '%s', qsize %u, second-stage program %s%s\n", policy_names[policy],
	       qsize, second_stage ? "on" : "off",
	       use_demo ? "; demo traffic: pings and UDP from the peer netns" : "");
	printf("%7s  %5s %10s %10s %8s %12s %10s %10s\n", "time", "cpu", "xdp", "redirected",
	       "missing", "cpumap-prog", "tc-ingress", "tc-egress");
	fflush(stdout);
	c.start_ns = sample_now_ns();
	run.tick = tick;
	run.ctx = &c;
	err = sample_run(&run);

	/* 6. Summary: let the last packets land, then one final read. */
	if (!err) {
		if (c.traffic)
			sample_traffic_poll(&traffic, 500);
		if (c.rb)
			on_ringbuf(&c);
		printf("final:\n");
		err = print_table(&c, true);
	}
	if (!err) {
		__u64 drop = 0;

		for (int i = 0; i < c.ncpus; i++)
			drop += c.percpu[i].missing;
		if (c.traffic)
			printf("demo sent: %llu echo requests of %d bytes (%llu replies), "
			       "%llu UDP datagrams of %d bytes; %llu dropped for a missing CPU entry\n",
			       (unsigned long long)traffic.icmp_sent, DEMO_PING_LEN,
			       (unsigned long long)traffic.icmp_replies,
			       (unsigned long long)traffic.udp_sent, DEMO_UDP_LEN,
			       (unsigned long long)drop);
		else
			printf("summary: %llu packets dropped for a missing CPU entry\n",
			       (unsigned long long)drop);
	}

cleanup:
	ring_buffer__free(c.rb);
	sample_tc_detach(&tc_eg);
	sample_tc_detach(&tc_in);
	if (xdp_fd >= 0)
		close(xdp_fd);
	cpumap__destroy(skel);
	free(c.percpu);
	sample_traffic_close(&traffic);
	if (use_demo)
		sample_demo_teardown(&demo);
	return err ? 1 : 0;
}
