// SPDX-License-Identifier: GPL-2.0
/*
 * sockex1 - count packets and bytes per IP protocol with a BPF_MAP_TYPE_ARRAY.
 *
 * A socket filter (SEC("socket")) is attached to a raw packet socket bound to
 * one interface; for every packet the interface sends or receives it adds the
 * packet's IP length to the ARRAY slot whose index is the IP protocol number.
 * User space reads the slots once per interval and prints ICMP, TCP and UDP.
 *
 *   sudo ./sockex1 -i eth0              count what eth0 carries; generates nothing
 *   sudo ./sockex1 -i eth0 -d 3 -I 0.5  stop after 3 s, print every 500 ms
 */
/* Without -i: a demo in a private netns + veth, with traffic of its own. */ /* demo */
/* Before counting: the ARRAY's traps on the live map (sockex1_traps.c). */ /* traps */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <linux/if_ether.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "sockex1.h"
#include "sockex1.skel.h"
#include "sockex1_demo.h" /* demo */
#include "sockex1_traps.h" /* traps */

static const struct sample_cli cli = {
	.name = "sockex1",
	.about = "Count packets and IP bytes per IP protocol with a BPF_MAP_TYPE_ARRAY.",
	.iface_help = "count on IFACE (no traffic is generated)",
	.demo = "Without -i: a demo in a private netns + veth, with traffic of its own.", /* demo */
	.examples = "sudo ./sockex1 -i eth0        sudo ./sockex1 -i eth0 -d 5 -I 0.5",
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

int main(int argc, char **argv)
{
	struct sample_veth_demo demo = SAMPLE_VETH_DEMO_INIT; /* demo */
	struct sample_loop loop = SAMPLE_LOOP_INIT;
	struct sample_opts o = {};
	struct sockex1 *skel = NULL;
	int sock = -1, claim = -1, prog_fd, err, ev;
	__u64 start_ns;

	sample_parse_args(&cli, argc, argv, &o); /* exits on -h, bad input, no root */

	/* libbpf's warnings on stderr (its debug log too with -v); SIGINT and
	 * SIGTERM wait, blocked, for sample_wait()'s signalfd from here on, so one
	 * that comes during setup still ends the run through cleanup; a closed
	 * peer or stdout (| head) gives EPIPE instead of killing the process. */
	libbpf_set_print(o.verbose ? sample_print_all : sample_print_warnings);
	sample_block_stop_signals();
	signal(SIGPIPE, SIG_IGN);

	/* 1. Where to count: o.ifname, and one sockex1 on it (two filters would
	 *    both count). */
	if (!o.ifname) { /* demo */
		/* Without -i: the demo's veth demo0, with traffic of its own. */ /* demo */
		err = sockex1_demo_open(&demo, &o); /* demo */
		if (err) /* demo */
			goto cleanup; /* demo */
	} /* demo */
	claim = sample_claim_iface(o.prog, o.ifindex);
	if (claim < 0) {
		err = claim;
		goto cleanup;
	}

	/* 2. Load: the skeleton creates the ARRAY and loads the filter. */
	skel = sockex1__open_and_load();
	if (!skel) {
		err = sample_load_failed(&o, -errno);
		goto cleanup;
	}
	err = sockex1_traps(skel->maps.proto_stats); /* traps */
	if (err) /* traps */
		goto cleanup; /* traps */

	/* 3. Attach: a socket filter lives as long as its socket. Attach first,
	 *    then bind to the interface: no frame reaches the socket unfiltered
	 *    (and the filter's 0 keeps every frame out of its queue). */
	sock = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	if (sock < 0) {
		err = -errno;
		fprintf(stderr, "%s: creating a packet socket failed: %s\n", o.prog,
			sample_strerror(err));
		goto cleanup;
	}
	prog_fd = bpf_program__fd(skel->progs.count_by_proto);
	err = setsockopt(sock, SOL_SOCKET, SO_ATTACH_BPF, &prog_fd, sizeof(prog_fd));
	if (err) {
		err = -errno;
		fprintf(stderr, "%s: attaching the filter to a packet socket on %s failed: %s\n",
			o.prog, o.ifname, sample_strerror(err));
		goto cleanup;
	}
	err = sample_packet_bind(&o, sock);
	if (err)
		goto cleanup;

	/* 4. Run: one row per -I tick until Ctrl-C, SIGTERM or the -d bound. */
	printf("Counting IP packets on %s by protocol (BPF_MAP_TYPE_ARRAY, key = protocol)",
	       o.ifname);
	if (demo.open) /* demo */
		printf(", demo traffic from the peer netns"); /* demo */
	printf("\n");
	printf("%7s  %10s %13s  %10s %13s  %10s %13s\n", "time", "ICMP pkts", "ICMP bytes",
	       "TCP pkts", "TCP bytes", "UDP pkts", "UDP bytes");
	start_ns = sample_now_ns();
	err = sample_loop_open(&loop, &o, -1);
	if (err)
		goto cleanup;
	while ((ev = sample_wait(&loop)) == SAMPLE_TICK) {
		if (demo.open) /* demo */
			err = sockex1_demo_step(&demo); /* demo */
		if (err) /* demo */
			goto cleanup; /* demo */
		err = print_row(skel, start_ns);
		if (err)
			goto cleanup;
	}
	err = ev;
	if (err)
		goto cleanup;

	/* 5. Summary: the map once more. */
	printf("final:\n");
	err = print_row(skel, start_ns);

cleanup:
	sample_loop_close(&loop);
	if (sock >= 0)
		close(sock);
	if (claim >= 0)
		close(claim);
	sockex1__destroy(skel);
	sockex1_demo_close(&demo); /* demo */
	return err ? 1 : 0;
}
