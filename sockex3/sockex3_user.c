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
 * update while packets flow. Around that, the PROG_ARRAY on the live map:
 * lookups return ids, an empty slot falls through, the tail-call limit, and
 * the slots emptied with the last user-space reference.
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
#include "sockex3_demo.h"
#include "sockex3_flows.h"
#include "sockex3_keeper.h"
#include "sockex3.skel.h"

static const struct sample_cli cli = {
	.name = "sockex3",
	.about = "Count packets and IP bytes per flow with a parser chained by tail calls "
		 "(BPF_MAP_TYPE_PROG_ARRAY).",
	.iface_help = "count on IFACE (no traffic is generated);\n"
		      "default: a private demo netns + veth with its own traffic",
	.examples = "sudo ./sockex3 -d 5        sudo ./sockex3 -i eth0",
};

static const struct sockex3_frame_spec /* for BPF_PROG_TEST_RUN (documentation addresses) */
	udp4 = { AF_INET, IPPROTO_UDP, "192.0.2.1", "192.0.2.2", 9, 9 },
	udp6 = { AF_INET6, IPPROTO_UDP, "2001:db8::1", "2001:db8::2", 9, 9 };

/* A map's or a program's id: bpf_map_info and bpf_prog_info both start
 * with the type and the id, and the kernel fills what fits in len. */
static __u32 id_of(int fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

/* Is map `id` still in the kernel? GET_NEXT_ID takes no reference. */
static bool map_exists(__u32 id)
{
	__u32 next = 0;

	if (bpf_map_get_next_id(id - 1, &next))
		return false;
	return next == id;
}

/* The PROG_ARRAY's semantics, shown on the live map before anything counts. */
static int show_prog_array(struct sockex3 *skel)
{
	int stages = bpf_map__fd(skel->maps.stages), stats = bpf_map__fd(skel->maps.stage_stats);
	int eth = bpf_program__fd(skel->progs.parse_eth),
	    ipv6 = bpf_program__fd(skel->progs.parse_ipv6);
	__u32 slot = SX3_IPV6, id = 0;
	struct stage_stats s[SX3_STAGES];

	printf("BPF_MAP_TYPE_PROG_ARRAY, on the live map:\n");
	/* Written with a program fd, read back as an id: an fd means nothing
	 * outside the process that holds it. */
	if (bpf_map_lookup_elem(stages, &slot, &id))
		return -errno;
	printf("  lookup slot %u                -> %u: the id of parse_ipv6 (id %u), not an fd\n",
	       slot, id, id_of(ipv6));
	/* Empty the IPv6 slot: parse_eth's jump to it does not happen. */
	if (bpf_map_delete_elem(stages, &slot) || sockex3_run_frame(eth, &udp6) ||
	    bpf_map_update_elem(stages, &slot, &ipv6, BPF_ANY) ||
	    sockex3_read_stages(stats, s, true))
		return -EIO;
	printf("  slot %u emptied, 1 IPv6 frame  -> parse_eth ran %llu, parse_ipv6 %llu, fell through "
	       "into slot %u: %llu (bpf_tail_call() returned; slot refilled)\n",
	       slot, (unsigned long long)s[SX3_ETH].runs, (unsigned long long)s[SX3_IPV6].runs,
	       slot, (unsigned long long)s[SX3_IPV6].fell_through);
	/* A stage that jumps to itself: how far does the kernel let it go? */
	if (sockex3_run_frame(bpf_program__fd(skel->progs.count_tail_calls), &udp4) ||
	    sockex3_read_stages(stats, s, true))
		return -EIO;
	printf("  tail_loop jumps to itself     -> %u tail calls, then bpf_tail_call() returned "
	       "(fell through %llu): the kernel's limit per chain\n\n",
	       skel->bss->tail_calls_made, (unsigned long long)s[SX3_LOOP].fell_through);
	return 0;
}

/*
 * The end of a tool that leaves its filter attached: every user-space fd of
 * the skeleton is closed (*skel destroyed), while a socket still holds
 * parse_eth, and parse_eth its maps. The PROG_ARRAY lives on, but the kernel
 * empties its slots when its last user-space reference (fd or pin) is gone.
 * The keeper lets go first: its fd would be that last reference.
 */
static int show_last_reference(struct sockex3 **skel, struct sockex3_keeper *keeper)
{
	int prog = bpf_program__fd((*skel)->progs.parse_eth), sock, stages, stats, eth, err = 0;
	__u32 sid = id_of(bpf_map__fd((*skel)->maps.stages)), slot, id, filled = SX3_SLOTS;
	__u32 cid = id_of(bpf_map__fd((*skel)->maps.stage_stats)), pid = id_of(prog);
	struct stage_stats s[SX3_STAGES];

	err = sockex3_keeper_stop(keeper, false);
	if (err)
		return err;
	/* Protocol 0: a socket that receives nothing, only holds the filter. */
	sock = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (sock < 0 || setsockopt(sock, SOL_SOCKET, SO_ATTACH_BPF, &prog, sizeof(prog)))
		err = -errno;
	sockex3__destroy(*skel);
	*skel = NULL;
	/* Back in by id: new references, but too late, the emptying is under
	 * way. It runs from a work queue: wait for it, 1 s at most. */
	stages = bpf_map_get_fd_by_id(sid);
	stats = bpf_map_get_fd_by_id(cid);
	eth = bpf_prog_get_fd_by_id(pid);
	if (!err && (stages < 0 || stats < 0 || eth < 0))
		err = -errno;
	for (int tries = 0; !err && filled && tries < 100; tries++, usleep(10000))
		for (filled = 0, slot = 0; slot < SX3_SLOTS; slot++)
			filled += !bpf_map_lookup_elem(stages, &slot, &id);
	if (!err && !(err = sockex3_read_stages(stats, s, true)) &&
	    !(err = sockex3_run_frame(eth, &udp4)) && !(err = sockex3_read_stages(stats, s, false)))
		printf("last user-space reference to the PROG_ARRAY closed, filter still attached:\n"
		       "  slots filled: %u of 6; one IPv4 frame through parse_eth -> parse_eth ran %llu, "
		       "parse_ipv4 %llu, fell through into slot %u: %llu\n",
		       filled, (unsigned long long)s[SX3_ETH].runs,
		       (unsigned long long)s[SX3_IPV4].runs, SX3_IPV4,
		       (unsigned long long)s[SX3_IPV4].fell_through);
	/* The PROG_ARRAY last, once the programs that use it are freed with
	 * the maps only they hold (every program counts in stage_stats): its
	 * close then leaves the kernel nothing to empty (Traps). 2 s at most. */
	for (int i = 0, fds[] = { sock, stats, eth }; i < 3; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	for (int tries = 0; tries < 2000 && map_exists(cid); tries++)
		usleep(1000);
	if (stages >= 0)
		close(stages);
	return err;
}

int main(int argc, char **argv)
{
	static struct sockex3_flows flows; /* big: not on the stack */
	struct sockex3_demo demo = SOCKEX3_DEMO_INIT;
	struct sample_loop loop = SAMPLE_LOOP_INIT;
	struct sample_opts o = {};
	struct sockex3_keeper keeper = SOCKEX3_KEEPER_INIT;
	struct sockex3 *skel = NULL;
	struct stage_stats s[SX3_STAGES];
	int sock = -1, claim = -1, err, ev, fd;
	unsigned long long swaps = 0;
	__u32 slot = SX3_UDP;
	__u64 start_ns, udp_runs;

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
	if (o.ifname)
		err = claim = sample_claim_iface(o.prog, o.ifindex);
	else
		err = sockex3_demo_open(&demo, &o);
	if (err < 0)
		goto cleanup;

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
	if ((err = show_prog_array(skel))) {
		fprintf(stderr, "sockex3: showing the PROG_ARRAY failed: %s\n",
			sample_strerror(err));
		goto cleanup;
	}

	/* 3. Attach the first stage; the others are reached through the map. */
	if ((err = sock = sample_packet_socket(&o, bpf_program__fd(skel->progs.parse_eth))) < 0)
		goto cleanup;

	/* 4. Run: the flows that changed, then the UDP stage swapped for its
	 *    twin (parse_udp <-> parse_udp_b): one map update, atomic for
	 *    every packet, whichever stage it meets. */
	printf("Flows on %s (PERCPU_HASH, key = 5-tuple; parser chained through a PROG_ARRAY)%s\n",
	       o.ifname, demo.open ? ", demo traffic from the peer netns" : "");
	sockex3_print_header();
	start_ns = sample_now_ns();
	if ((err = sample_loop_open(&loop, &o, -1)))
		goto cleanup;
	while ((ev = sample_wait(&loop)) == SAMPLE_TICK) {
		if (demo.open && (err = sockex3_demo_step(&demo)))
			goto cleanup;
		if ((err = sockex3_print_flows(skel->maps.flows, &flows,
					       (sample_now_ns() - start_ns) / 1e9, false)))
			goto cleanup;
		fd = bpf_program__fd(++swaps % 2 ? skel->progs.parse_udp_b : skel->progs.parse_udp);
		/* BPF_ANY: a PROG_ARRAY refuses BPF_EXIST / BPF_NOEXIST (EINVAL). */
		if ((err = bpf_map__update_elem(skel->maps.stages, &slot, sizeof(slot), &fd,
						sizeof(fd), BPF_ANY))) {
			fprintf(stderr, "sockex3: swapping slot %u failed: %s\n", slot,
				sample_strerror(err));
			goto cleanup;
		}
	}
	if ((err = ev))
		goto cleanup;

	/* 5. Summary: detach (close the socket) so that nothing moves, then
	 *    every flow and every stage. */
	close(sock); /* a frame already inside finishes within an RCU grace period */
	sock = -1;
	usleep(100000);
	printf("final:\n");
	if ((err = sockex3_print_flows(skel->maps.flows, &flows, (sample_now_ns() - start_ns) / 1e9,
				       true)) ||
	    (err = sockex3_read_stages(bpf_map__fd(skel->maps.stage_stats), s, false)))
		goto cleanup;
	sockex3_print_stages(s, skel->bss->flows_full);
	/* Every UDP packet met exactly one of the two UDP stages. */
	udp_runs = s[SX3_UDP].runs + s[SX3_UDP_B].runs;
	printf("hot swap: slot %u swapped %llu times; udp + udp_b = %llu, the UDP flows' packets: "
	       "%llu (%s)\n",
	       slot, swaps, (unsigned long long)udp_runs, (unsigned long long)flows.udp_packets,
	       udp_runs == flows.udp_packets ? "none lost, none twice" : "MISMATCH");
	if ((err = udp_runs == flows.udp_packets ? show_last_reference(&skel, &keeper) : -EPROTO))
		fprintf(stderr, "sockex3: %s\n",
			err == -EPROTO ? "the hot swap lost or doubled packets" :
					 sample_strerror(err));

cleanup:
	sample_loop_close(&loop);
	if (sock >= 0)
		close(sock);
	if (claim >= 0)
		close(claim);
	sockex3__destroy(skel);
	sockex3_keeper_stop(&keeper, true); /* empties the slots if they are still filled */
	sockex3_demo_close(&demo); /* prints "demo sent: ..." */
	return err ? 1 : 0;
}
