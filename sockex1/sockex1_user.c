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
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "demo.h"
#include "sockex1.h"
#include "sockex1.skel.h"

/* The no-argument demo, per -I tick: 5 echo requests of 56 payload bytes (84
 * IP bytes), 5 UDP datagrams of 100 payload bytes (128 IP bytes), 20,000 TCP
 * bytes, from a peer netns to the demo's veth. */
static const struct sample_demo_plan demo_plan = {
	.pings = 5,
	.ping_len = 56,
	.udps = 5,
	.udp_len = 100,
	.tcp_bytes = 20000,
};

static const struct sample_cli cli = {
	.name = "sockex1",
	.about = "Count packets and IP bytes per IP protocol with a BPF_MAP_TYPE_ARRAY.",
	.iface_help = "count on IFACE (no traffic is generated);\n"
		      "default: a private demo netns + veth with its own traffic",
	.examples = "sudo ./sockex1 -d 5        sudo ./sockex1 -i eth0",
};

/* One row: packets and bytes of ICMP, TCP and UDP, read from their slots. */
static int print_row(struct sockex1 *skel, __u64 start_ns)
{
	static const __u32 protos[] = { IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP };
	char b[3][2][SAMPLE_FMT_LEN];

	for (int i = 0; i < 3; i++) {
		struct proto_stats st;
		int err = bpf_map__lookup_elem(skel->maps.proto_stats, &protos[i],
					       sizeof(protos[i]), &st, sizeof(st), 0);

		if (err) {
			fprintf(stderr, "sockex1: reading the map failed: %s\n",
				sample_strerror(err));
			return err;
		}
		sample_fmt_u64(b[i][0], SAMPLE_FMT_LEN, st.packets);
		sample_fmt_u64(b[i][1], SAMPLE_FMT_LEN, st.bytes);
	}
	printf("%7.1f  %10s %13s  %10s %13s  %10s %13s\n", (sample_now_ns() - start_ns) / 1e9,
	       b[0][0], b[0][1], b[1][0], b[1][1], b[2][0], b[2][1]);
	fflush(stdout);
	return 0;
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
	key = 200; /* no program has written it */
	err = bpf_map_lookup_elem(fd, &key, &st) ? -errno : 0;
	printf("  lookup key 200 (never written)  -> %s, packets=%llu bytes=%llu: "
	       "every slot exists and starts zeroed\n",
	       err ? sample_errname(err) : "found", (unsigned long long)st.packets,
	       (unsigned long long)st.bytes);
	if (err)
		return err;

	key = SOCKEX1_MAX_PROTO; /* one past the end */
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

int main(int argc, char **argv)
{
	struct sample_veth_demo demo = SAMPLE_VETH_DEMO_INIT;
	struct sample_loop loop = SAMPLE_LOOP_INIT;
	struct sample_opts o = {};
	struct sockex1 *skel = NULL;
	int sock = -1, claim = -1, err, ev;
	__u64 start_ns;

	sample_parse_args(&cli, argc, argv, &o); /* exits on -h, bad input, no root */

	/* libbpf's warnings on stderr (its debug log too with -v); SIGINT and
	 * SIGTERM wait, blocked, for sample_wait()'s signalfd from here on, so one
	 * that comes during setup still ends the run through cleanup; a closed
	 * peer or stdout (| head) gives EPIPE instead of killing the process. */
	libbpf_set_print(o.verbose ? sample_print_all : sample_print_warnings);
	sample_block_stop_signals();
	signal(SIGPIPE, SIG_IGN);

	/* 1. Where to count: the user's interface (one sockex1 on it: two filters
	 *    would both count), or the demo's veth with traffic of its own. */
	if (o.ifname)
		err = claim = sample_claim_iface(o.prog, o.ifindex);
	else
		err = sample_veth_demo_open(&demo, &o, &demo_plan);
	if (err < 0)
		goto cleanup;

	/* 2. Load: the skeleton creates the ARRAY and loads the filter. */
	skel = sockex1__open_and_load();
	if (!skel) {
		err = sample_load_failed(&o, -errno);
		goto cleanup;
	}
	if ((err = show_array_traps(skel)))
		goto cleanup;

	/* 3. Attach: a socket filter lives as long as its socket. */
	if ((err = sock = sample_packet_socket(&o, bpf_program__fd(skel->progs.count_by_proto))) <
	    0)
		goto cleanup;

	/* 4. Run: one row per -I tick until Ctrl-C, SIGTERM or the -d bound. */
	printf("Counting IP packets on %s by protocol (BPF_MAP_TYPE_ARRAY, key = protocol)%s\n",
	       o.ifname, demo.open ? ", demo traffic from the peer netns" : "");
	printf("%7s  %10s %13s  %10s %13s  %10s %13s\n", "time", "ICMP pkts", "ICMP bytes",
	       "TCP pkts", "TCP bytes", "UDP pkts", "UDP bytes");
	start_ns = sample_now_ns();
	if ((err = sample_loop_open(&loop, &o, -1)))
		goto cleanup;
	while ((ev = sample_wait(&loop)) == SAMPLE_TICK) {
		if (demo.open && (err = sample_veth_demo_step(&demo)))
			goto cleanup;
		if ((err = print_row(skel, start_ns)))
			goto cleanup;
	}
	if ((err = ev))
		goto cleanup;

	/* 5. Summary: the map once more; then the demo says what it sent. */
	printf("final:\n");
	err = print_row(skel, start_ns);

cleanup:
	sample_loop_close(&loop);
	if (sock >= 0)
		close(sock);
	if (claim >= 0)
		close(claim);
	sockex1__destroy(skel);
	sample_veth_demo_close(&demo); /* prints "demo sent: ..." */
	return err ? 1 : 0;
}
