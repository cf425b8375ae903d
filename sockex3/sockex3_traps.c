// SPDX-License-Identifier: GPL-2.0
/*
 * sockex3_traps.c - the PROG_ARRAY's traps, on sockex3's live maps: a lookup
 * returns a program id, not an fd; an empty slot makes bpf_tail_call() return;
 * a chain stops at the kernel's tail-call limit (tail_loop, in
 * sockex3_traps_kern.h); and the kernel empties every slot when the last
 * user-space reference to the map goes, even with the filter still attached.
 * The frames come from sockex3_frame() (sockex3_demo.c) and run through
 * BPF_PROG_TEST_RUN.
 */
#include <errno.h>
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
#include "sockex3_traps.h"
#include "sockex3.skel.h"

/* For BPF_PROG_TEST_RUN (documentation addresses). */
static const struct sockex3_frame_spec udp4 = {
	AF_INET, IPPROTO_UDP, "192.0.2.1", "192.0.2.2", 9, 9,
};
static const struct sockex3_frame_spec udp6 = {
	AF_INET6, IPPROTO_UDP, "2001:db8::1", "2001:db8::2", 9, 9,
};

/* One frame through a program with BPF_PROG_TEST_RUN. 0 or -errno. */
static int run_frame(int prog_fd, const struct sockex3_frame_spec *f)
{
	unsigned char frame[256];
	LIBBPF_OPTS(bpf_test_run_opts, run, .data_in = frame);
	int err;

	run.data_size_in = sockex3_frame(frame, sizeof(frame), f);
	err = bpf_prog_test_run_opts(prog_fd, &run);
	if (err)
		return -errno;
	return 0;
}

/* A map's or a program's id: bpf_map_info and bpf_prog_info both start
 * with the type and the id, and the kernel fills what fits in len. */
static __u32 id_of(int fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return 0;
	return info.id;
}

/* Is map `id` still in the kernel? GET_NEXT_ID takes no reference. */
static bool map_exists(__u32 id)
{
	__u32 next = 0;

	if (bpf_map_get_next_id(id - 1, &next))
		return false;
	return next == id;
}

static int show_prog_array(struct sockex3 *skel)
{
	int stages = bpf_map__fd(skel->maps.stages);
	int stats = bpf_map__fd(skel->maps.stage_stats);
	int eth = bpf_program__fd(skel->progs.parse_eth);
	int ipv6 = bpf_program__fd(skel->progs.parse_ipv6);
	__u32 slot = SX3_IPV6;
	__u32 id = 0;
	struct stage_stats s[SX3_STAGES];
	int err;

	printf("BPF_MAP_TYPE_PROG_ARRAY, on the live map:\n");
	/* Written with a program fd, read back as an id: an fd means nothing
	 * outside the process that holds it. */
	err = bpf_map_lookup_elem(stages, &slot, &id);
	if (err)
		return -errno;
	printf("  lookup slot %u                -> %u: the id of parse_ipv6 (id %u), not an fd\n",
	       slot, id, id_of(ipv6));
	/* Empty the IPv6 slot: parse_eth's jump to it does not happen. */
	err = bpf_map_delete_elem(stages, &slot);
	if (err)
		return -EIO;
	err = run_frame(eth, &udp6);
	if (err)
		return -EIO;
	err = bpf_map_update_elem(stages, &slot, &ipv6, BPF_ANY);
	if (err)
		return -EIO;
	err = sockex3_read_stages(stats, s, true);
	if (err)
		return -EIO;
	printf("  slot %u emptied, 1 IPv6 frame  -> parse_eth ran %llu, parse_ipv6 %llu, fell through "
	       "into slot %u: %llu (bpf_tail_call() returned; slot refilled)\n",
	       slot, (unsigned long long)s[SX3_ETH].runs, (unsigned long long)s[SX3_IPV6].runs,
	       slot, (unsigned long long)s[SX3_IPV6].fell_through);
	/* A stage that jumps to itself: how far does the kernel let it go? */
	err = run_frame(bpf_program__fd(skel->progs.count_tail_calls), &udp4);
	if (err)
		return -EIO;
	err = sockex3_read_stages(stats, s, true);
	if (err)
		return -EIO;
	printf("  tail_loop jumps to itself     -> %u tail calls, then bpf_tail_call() returned "
	       "(fell through %llu): the kernel's limit per chain\n\n",
	       skel->bss->tail_calls_made, (unsigned long long)s[SX3_LOOP].fell_through);
	return 0;
}

int sockex3_traps_show_prog_array(struct sockex3 *skel)
{
	int err = show_prog_array(skel);

	if (err)
		fprintf(stderr, "sockex3: showing the PROG_ARRAY failed: %s\n",
			sample_strerror(err));
	return err;
}

/* Slots of the PROG_ARRAY that hold a program. */
static __u32 slots_filled(int stages)
{
	__u32 filled = 0;
	__u32 id;

	for (__u32 slot = 0; slot < SX3_SLOTS; slot++)
		if (!bpf_map_lookup_elem(stages, &slot, &id))
			filled++;
	return filled;
}

/*
 * The end of a tool that leaves its filter attached: every user-space fd of
 * the skeleton is closed (*skel destroyed), while a socket still holds
 * parse_eth, and parse_eth its maps. The PROG_ARRAY lives on, but the kernel
 * empties its slots when its last user-space reference (fd or pin) is gone.
 * The keeper lets go first: its fd would be that last reference.
 */
int sockex3_traps_show_last_reference(struct sockex3 **skel, struct sockex3_keeper *keeper)
{
	int prog = bpf_program__fd((*skel)->progs.parse_eth);
	__u32 sid = id_of(bpf_map__fd((*skel)->maps.stages));
	__u32 cid = id_of(bpf_map__fd((*skel)->maps.stage_stats));
	__u32 pid = id_of(prog);
	__u32 filled = SX3_SLOTS;
	struct stage_stats s[SX3_STAGES];
	int sock;
	int stages;
	int stats;
	int eth;
	int err = 0;

	err = sockex3_keeper_stop(keeper, false);
	if (err)
		return err;
	/* Protocol 0: a socket that receives nothing, only holds the filter. */
	sock = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (sock < 0)
		err = -errno;
	if (!err && setsockopt(sock, SOL_SOCKET, SO_ATTACH_BPF, &prog, sizeof(prog)))
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
	for (int tries = 0; !err && filled && tries < 100; tries++) {
		filled = slots_filled(stages);
		if (filled)
			usleep(10000);
	}
	if (!err)
		err = sockex3_read_stages(stats, s, true);
	if (!err)
		err = run_frame(eth, &udp4);
	if (!err)
		err = sockex3_read_stages(stats, s, false);
	if (!err)
		printf("last user-space reference to the PROG_ARRAY closed, filter still attached:\n"
		       "  slots filled: %u of 6; one IPv4 frame through parse_eth -> parse_eth ran %llu, "
		       "parse_ipv4 %llu, fell through into slot %u: %llu\n",
		       filled, (unsigned long long)s[SX3_ETH].runs,
		       (unsigned long long)s[SX3_IPV4].runs, SX3_IPV4,
		       (unsigned long long)s[SX3_IPV4].fell_through);
	/* The PROG_ARRAY last, once the programs that use it are freed with
	 * the maps only they hold (every program counts in stage_stats): its
	 * close then leaves the kernel nothing to empty (Traps). 2 s at most. */
	if (sock >= 0)
		close(sock);
	if (stats >= 0)
		close(stats);
	if (eth >= 0)
		close(eth);
	for (int tries = 0; tries < 2000 && map_exists(cid); tries++)
		usleep(1000);
	if (stages >= 0)
		close(stages);
	return err;
}
