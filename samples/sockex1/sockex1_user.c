// SPDX-License-Identifier: GPL-2.0
/*
 * sockex1 - count packets and bytes per IP protocol with a BPF_MAP_TYPE_ARRAY.
 *
 * A socket filter (SEC("socket")) is attached to a raw packet socket bound to
 * one interface; for every packet the interface sends or receives it adds the
 * packet's IP length to the ARRAY slot whose index is the IP protocol number.
 * User space reads the slots once per interval and prints ICMP, TCP and UDP.
 *
 *   sudo ./sockex1              demo: private netns + veth, traffic of its own
 *   sudo ./sockex1 -i eth0      count what eth0 carries; generates nothing
 *   sudo ./sockex1 -d 3 -I 0.5  stop after 3 s, print every 500 ms
 *
 * Before counting, it shows the ARRAY's traps on the live map: every slot
 * exists and reads as zero, the key is an index (>= max_entries is ENOENT),
 * and delete fails with EINVAL, so a slot is reset by writing zeros.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "demo.h"
#include "sockex1.h"
#include "sockex1.skel.h"

static const char *prog = "sockex1";

/* Demo traffic per tick: echo requests of 56 payload bytes (84 IP bytes),
 * UDP datagrams of 100 payload bytes (128 IP bytes), and a TCP stream. */
#define DEMO_PINGS	5
#define DEMO_PING_LEN	56
#define DEMO_UDPS	5
#define DEMO_UDP_LEN	100
#define DEMO_TCP_BYTES	20000

struct ctx {
	struct sockex1 *skel;
	int map_fd;
	struct sample_traffic *traffic;	/* NULL when counting a real interface */
	__u64 start_ns;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [options]\n"
		"Count packets and IP bytes per IP protocol with a BPF_MAP_TYPE_ARRAY.\n"
		"\n"
		"  -i, --interface IFACE  count on IFACE (no traffic is generated);\n"
		"                         default: a private demo netns + veth with its own traffic\n"
		"  -d, --duration SECS    stop after SECS seconds (default: until Ctrl-C)\n"
		"  -I, --interval SECS    print every SECS seconds, decimals allowed (default 1)\n"
		"  -v, --verbose          show libbpf's debug log\n"
		"  -h, --help             this text\n"
		"\n"
		"Example: sudo %s -d 5        sudo %s -i eth0\n", prog, prog, prog);
}

/* Read the three protocols the demo prints from the ARRAY. */
static int read_proto(int map_fd, __u32 proto, struct proto_stats *st)
{
	return bpf_map_lookup_elem(map_fd, &proto, st) ? -errno : 0;
}

static int print_row(struct ctx *c)
{
	static const __u32 protos[] = { IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP };
	char b[3][2][SAMPLE_FMT_LEN];
	struct proto_stats st[3];
	double t = (sample_now_ns() - c->start_ns) / 1e9;

	for (int i = 0; i < 3; i++) {
		int err = read_proto(c->map_fd, protos[i], &st[i]);

		if (err) {
			fprintf(stderr, "%s: reading the map failed: %s\n", prog, sample_strerror(err));
			return err;
		}
		sample_fmt_u64(b[i][0], SAMPLE_FMT_LEN, st[i].packets);
		sample_fmt_u64(b[i][1], SAMPLE_FMT_LEN, st[i].bytes);
	}
	printf("%7.1f  %10s %13s  %10s %13s  %10s %13s\n", t,
	       b[0][0], b[0][1], b[1][0], b[1][1], b[2][0], b[2][1]);
	fflush(stdout);
	return 0;
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
		if (!err)
			err = sample_traffic_tcp(t, DEMO_TCP_BYTES);
		if (err) {
			fprintf(stderr, "%s: demo traffic failed: %s\n", prog, sample_strerror(err));
			return err;
		}
		sample_traffic_poll(t, 100);
	}
	return print_row(c);
}

/*
 * The ARRAY's traps, shown on the live map before anything is counted.
 */
static int show_array_traps(struct sockex1 *skel)
{
	int fd = bpf_map__fd(skel->maps.proto_stats);
	struct proto_stats st = { 1, 1 }, zero = {};
	__u32 key;
	int err;

	printf("BPF_MAP_TYPE_ARRAY traps, on the live map:\n");
	key = 200;	/* no program has written it */
	err = bpf_map_lookup_elem(fd, &key, &st) ? -errno : 0;
	printf("  lookup key 200 (never written)  -> %s, packets=%llu bytes=%llu: "
	       "every slot exists and starts zeroed\n",
	       err ? sample_errname(err) : "found", (unsigned long long)st.packets,
	       (unsigned long long)st.bytes);
	if (err)
		return err;

	key = SOCKEX1_MAX_PROTO;	/* one past the end */
	err = bpf_map_lookup_elem(fd, &key, &st) ? -errno : 0;
	printf("  lookup key %u (= max_entries)   -> %s (%s): the key is an index, not a name\n",
	       key, sample_errname(err), err ? sample_strerror(err) : "found, unexpected");
	if (err != -ENOENT)
		return err ? err : -EINVAL;

	key = IPPROTO_TCP;
	err = bpf_map_delete_elem(fd, &key) ? -errno : 0;
	printf("  delete key %u                     -> %s (%s): array slots cannot be deleted\n",
	       key, sample_errname(err), err ? sample_strerror(err) : "deleted, unexpected");
	if (err != -EINVAL)
		return err ? err : -EINVAL;

	err = bpf_map_update_elem(fd, &key, &zero, BPF_EXIST) ? -errno : 0;
	printf("  update key %u with zeros          -> %s: this is how an array slot is reset\n\n",
	       key, err ? sample_errname(err) : "ok");
	return err;
}

/* A raw packet socket on ifindex that runs the filter for every packet. The
 * socket is created in the calling thread's network namespace. */
static int open_filtered_socket(int ifindex, int prog_fd)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ALL),
		.sll_ifindex = ifindex,
	};
	int fd, err;

	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	if (fd < 0)
		return -errno;
	/* Attach before bind: from the moment it is bound, every packet runs
	 * the program and nothing is queued on the socket. */
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_BPF, &prog_fd, sizeof(prog_fd)) ||
	    bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "interface", required_argument, NULL, 'i' },
		{ "duration", required_argument, NULL, 'd' },
		{ "interval", required_argument, NULL, 'I' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct sample_run_opts run = { .interval_ms = 1000 };
	struct sample_traffic traffic = SAMPLE_TRAFFIC_INIT;
	struct sample_demo demo = { .orig_ns = -1, .ns = -1, .peer_ns = -1 };
	struct sockex1 *skel = NULL;
	const char *ifname = NULL;
	bool verbose = false, use_demo;
	struct ctx c = {};
	int opt, ifindex, sock = -1, claim = -1, err;
	unsigned long v;

	while ((opt = getopt_long(argc, argv, ":i:d:I:vh", longopts, NULL)) != -1) {
		switch (opt) {
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
	use_demo = !ifname;

	if ((err = sample_init(verbose)) || (err = sample_check_privileges(prog)))
		return 1;

	/* 1. Where to count: the demo's veth, or the user's interface. */
	if (use_demo) {
		if (sample_demo_setup(&demo, prog, 0))
			return 1;
		ifname = demo.ifname;
		ifindex = demo.ifindex;
		if ((err = sample_traffic_open(&traffic, &demo, SAMPLE_TRAFFIC_ICMP |
					       SAMPLE_TRAFFIC_UDP | SAMPLE_TRAFFIC_TCP))) {
			fprintf(stderr, "%s: opening demo traffic sockets failed: %s\n", prog,
				sample_strerror(err));
			goto cleanup;
		}
		c.traffic = &traffic;
	} else {
		ifindex = sample_ifindex(prog, ifname);
		if (ifindex < 0)
			return 1;
		/* Two filters on one interface would both count: one sockex1 each. */
		claim = sample_claim_iface(prog, ifindex);
		if (claim < 0)
			return 1;
	}

	/* 2. Load: the skeleton creates the ARRAY and loads the filter. */
	skel = sockex1__open_and_load();
	if (!skel) {
		err = -errno;
		fprintf(stderr, "%s: loading the BPF object failed: %s%s\n", prog,
			sample_strerror(err), verbose ? "" : " (run with -v for libbpf's log)");
		goto cleanup;
	}
	if (bpf_map__value_size(skel->maps.proto_stats) != sizeof(struct proto_stats)) {
		fprintf(stderr, "%s: value size mismatch between sockex1.h and the object\n", prog);
		err = -EINVAL;
		goto cleanup;
	}
	c.skel = skel;
	c.map_fd = bpf_map__fd(skel->maps.proto_stats);

	if ((err = show_array_traps(skel)))
		goto cleanup;

	/* 3. Attach: a socket filter lives as long as its socket. */
	sock = open_filtered_socket(ifindex, bpf_program__fd(skel->progs.count_by_proto));
	if (sock < 0) {
		err = sock;
		fprintf(stderr, "%s: attaching the filter to a packet socket on %s failed: %s\n",
			prog, ifname, sample_strerror(err));
		goto cleanup;
	}

	/* 4. Run. */
	printf("Counting IP packets on %s by protocol (BPF_MAP_TYPE_ARRAY, key = protocol)%s\n",
	       ifname, use_demo ? ", demo traffic from the peer netns" : "");
	printf("%7s  %10s %13s  %10s %13s  %10s %13s\n", "time", "ICMP pkts", "ICMP bytes",
	       "TCP pkts", "TCP bytes", "UDP pkts", "UDP bytes");
	c.start_ns = sample_now_ns();
	run.tick = tick;
	run.ctx = &c;
	err = sample_run(&run);

	/* 5. Summary: let the last replies land, then one final read. */
	if (!err) {
		if (c.traffic)
			sample_traffic_poll(&traffic, 500);
		printf("final:\n");
		err = print_row(&c);
	}
	if (!err && c.traffic) {
		char tb[SAMPLE_FMT_LEN];

		printf("demo sent: %llu echo requests of %d bytes (%llu replies), "
		       "%llu UDP datagrams of %d bytes, %s TCP payload bytes\n",
		       (unsigned long long)traffic.icmp_sent, DEMO_PING_LEN,
		       (unsigned long long)traffic.icmp_replies,
		       (unsigned long long)traffic.udp_sent, DEMO_UDP_LEN,
		       sample_fmt_u64(tb, sizeof(tb), traffic.tcp_sent));
	}

cleanup:
	if (sock >= 0)
		close(sock);
	if (claim >= 0)
		close(claim);
	sockex1__destroy(skel);
	sample_traffic_close(&traffic);
	if (use_demo)
		sample_demo_teardown(&demo);
	return err ? 1 : 0;
}
