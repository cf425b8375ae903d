// SPDX-License-Identifier: GPL-2.0
/*
 * sockex3 - a packet parser split into programs that jump to each other with
 * bpf_tail_call() through a BPF_MAP_TYPE_PROG_ARRAY, counting packets and IP
 * bytes per flow (5-tuple) in a BPF_MAP_TYPE_PERCPU_HASH.
 *
 * parse_eth, a socket filter on a raw packet socket bound to one interface,
 * runs for every frame and jumps to the VLAN, IPv4 / IPv6 and TCP / UDP
 * stages through the PROG_ARRAY `stages`. Every interval user space prints
 * the flows that changed, then swaps the UDP stage for its twin with one map
 * update while packets flow. Around that, the PROG_ARRAY's traps on the live
 * map (sockex3_traps.c): lookups return ids, an empty slot falls through, the
 * tail-call limit, and the slots emptied with the last user-space reference.
 *
 *   sudo ./sockex3              demo: private netns + veth, TCP/UDP over IPv4/IPv6, VLAN
 *   sudo ./sockex3 -i eth0      count what eth0 carries; generates nothing
 *   sudo ./sockex3 -d 3 -I 0.5  stop after 3 s, print every 500 ms
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "sockex3.h"
#include "sockex3_demo.h" /* demo */
#include "sockex3_flows.h"
#include "sockex3_keeper.h"
#include "sockex3_traps.h" /* traps */
#include "sockex3.skel.h"

static const struct sample_cli cli = {
	.name = "sockex3",
	.about = "Count packets and IP bytes per flow with a parser chained by tail calls "
		 "(BPF_MAP_TYPE_PROG_ARRAY).",
	.demo = "Without -i: a private demo netns + veth with its own traffic.", /* demo */
	.iface_help = "count on IFACE (no traffic is generated)",
	.examples = "sudo ./sockex3 -d 5        sudo ./sockex3 -i eth0",
};

int main(int argc, char **argv)
{
	static struct sockex3_flows flows; /* big: not on the stack */
	struct sockex3_demo demo = SOCKEX3_DEMO_INIT; /* demo */
	struct sample_loop loop = SAMPLE_LOOP_INIT;
	struct sample_opts o = {};
	struct sockex3_keeper keeper = SOCKEX3_KEEPER_INIT;
	struct sockex3 *skel = NULL;
	struct stage_stats s[SX3_STAGES];
	struct bpf_program *udp_stage;
	int sock = -1;
	int claim = -1;
	int prog_fd;
	int err = 0;
	int ev;
	unsigned long long swaps = 0;
	__u32 slot = SX3_UDP;
	__u64 start_ns, udp_runs;
	const char *lost = "none lost, none twice";

	sample_parse_args(&cli, argc, argv, &o); /* exits on -h, bad input, no root */

	/* libbpf's warnings on stderr (its debug log too with -v); SIGINT and
	 * SIGTERM wait, blocked, for sample_wait()'s signalfd from here on, so one
	 * that comes during setup still ends the run through cleanup; a closed
	 * peer or stdout (| head) gives EPIPE instead of killing the process. */
	libbpf_set_print(o.verbose ? sample_print_all : sample_print_warnings);
	sample_block_stop_signals();
	signal(SIGPIPE, SIG_IGN);

	/* 1. Where to count: the user's interface (one sockex3 on it), or the
	 *    demo's veth with traffic of its own. */
	if (o.ifname) {
		claim = sample_claim_iface(o.prog, o.ifindex);
		if (claim < 0) {
			err = claim;
			goto cleanup;
		}
	}
	if (!o.ifname) /* demo */
		err = sockex3_demo_open(&demo, &o); /* demo */
	if (err) /* demo */
		goto cleanup; /* demo */

	/* 2. Load: libbpf creates the maps, loads the programs, then fills the
	 *    PROG_ARRAY's slots with their fds, as its initializer says. */
	skel = sockex3__open_and_load();
	if (!skel) {
		err = sample_load_failed(&o, -errno);
		goto cleanup;
	}
	/* From here on even kill -9 leaves nothing: a child process holds one
	 * more fd of `stages` and, once this process is gone, empties the slots
	 * itself before it lets the map go (sockex3_keeper.h says why the
	 * kernel's own emptying is not enough). */
	err = sockex3_keeper_start(&keeper, o.prog, skel->obj, skel->maps.stages);
	if (err)
		goto cleanup;
	err = sockex3_traps_show_prog_array(skel); /* traps */
	if (err) /* traps */
		goto cleanup; /* traps */

	/* 3. Attach the first stage; the others are reached through the map.
	 *    Attach, then bind: no frame reaches the socket unfiltered. */
	sock = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	if (sock < 0) {
		err = -errno;
		fprintf(stderr, "%s: attaching the filter to a packet socket on %s failed: %s\n",
			o.prog, o.ifname, sample_strerror(err));
		goto cleanup;
	}
	prog_fd = bpf_program__fd(skel->progs.parse_eth);
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

	/* 4. Run: the flows that changed, then the UDP stage swapped for its
	 *    twin (parse_udp <-> parse_udp_b): one map update, atomic for
	 *    every packet, whichever stage it meets. */
	printf("Flows on %s (PERCPU_HASH, key = 5-tuple; parser chained through a PROG_ARRAY)",
	       o.ifname);
	if (demo.open) /* demo */
		printf(", demo traffic from the peer netns"); /* demo */
	printf("\n");
	sockex3_print_header();
	start_ns = sample_now_ns();
	err = sample_loop_open(&loop, &o, -1);
	if (err)
		goto cleanup;
	while ((ev = sample_wait(&loop)) == SAMPLE_TICK) {
		if (demo.open) /* demo */
			err = sockex3_demo_step(&demo); /* demo */
		if (err) /* demo */
			goto cleanup; /* demo */
		err = sockex3_print_flows(skel->maps.flows, &flows,
					  (sample_now_ns() - start_ns) / 1e9, false);
		if (err)
			goto cleanup;
		swaps++;
		udp_stage = skel->progs.parse_udp;
		if (swaps % 2)
			udp_stage = skel->progs.parse_udp_b;
		prog_fd = bpf_program__fd(udp_stage);
		/* BPF_ANY: a PROG_ARRAY refuses BPF_EXIST / BPF_NOEXIST (EINVAL). */
		err = bpf_map__update_elem(skel->maps.stages, &slot, sizeof(slot), &prog_fd,
					   sizeof(prog_fd), BPF_ANY);
		if (err) {
			fprintf(stderr, "sockex3: swapping slot %u failed: %s\n", slot,
				sample_strerror(err));
			goto cleanup;
		}
	}
	err = ev;
	if (err)
		goto cleanup;

	/* 5. Summary: detach (close the socket) so that nothing moves, then
	 *    every flow and every stage. */
	close(sock); /* a frame already inside finishes within an RCU grace period */
	sock = -1;
	usleep(100000);
	printf("final:\n");
	err = sockex3_print_flows(skel->maps.flows, &flows, (sample_now_ns() - start_ns) / 1e9,
				  true);
	if (err)
		goto cleanup;
	err = sockex3_read_stages(bpf_map__fd(skel->maps.stage_stats), s, false);
	if (err)
		goto cleanup;
	sockex3_print_stages(s, skel->bss->flows_full);
	/* Every UDP packet met exactly one of the two UDP stages. */
	udp_runs = s[SX3_UDP].runs + s[SX3_UDP_B].runs;
	if (udp_runs != flows.udp_packets)
		lost = "MISMATCH";
	printf("hot swap: slot %u swapped %llu times; udp + udp_b = %llu, the UDP flows' packets: "
	       "%llu (%s)\n",
	       slot, swaps, (unsigned long long)udp_runs, (unsigned long long)flows.udp_packets,
	       lost);
	if (udp_runs != flows.udp_packets) {
		fprintf(stderr, "sockex3: the hot swap lost or doubled packets\n");
		err = -EPROTO;
		goto cleanup;
	}
	err = sockex3_traps_show_last_reference(&skel, &keeper); /* traps */
	if (err) /* traps */
		fprintf(stderr, "sockex3: %s\n", sample_strerror(err)); /* traps */

cleanup:
	sample_loop_close(&loop);
	if (sock >= 0)
		close(sock);
	if (claim >= 0)
		close(claim);
	sockex3__destroy(skel);
	sockex3_keeper_stop(&keeper, true); /* empties the slots if they are still filled */
	sockex3_demo_close(&demo); /* demo */
	if (err)
		return 1;
	return 0;
}
