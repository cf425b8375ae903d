// SPDX-License-Identifier: GPL-2.0
/*
 * map_in_map - swap a whole configuration atomically with ARRAY_OF_MAPS and
 * HASH_OF_MAPS.
 *
 * The XDP program reads its configuration (a version number and a drop flag)
 * from the inner map that slot 0 of an ARRAY_OF_MAPS points to, and counts every
 * IPv4 packet under the version it saw. Once per interval user space builds a
 * new inner map, fills it, and puts it into the outer slot with one
 * bpf_map_update_elem(): from that moment every packet sees the new version
 * complete, never half of an old one. Each row prints which version the packets
 * of that interval saw.
 *
 *   sudo ./map_in_map              demo: private netns + veth, UDP of its own
 *   sudo ./map_in_map -i eth0      swap configurations on eth0's traffic (XDP,
 *                                  every packet passes; nothing is generated)
 *   sudo ./map_in_map -d 5 -I 0.5  stop after 5 s, a new version every 500 ms
 *
 * Before the loop it shows, on the live maps: the statically initialised slot
 * (a user-space lookup in an outer map returns the inner map's id, not an fd),
 * inner maps of the wrong shape refused with EINVAL, and a HASH_OF_MAPS delete
 * dropping the outer map's reference to an inner map (map_in_map_traps.c).
 * The inner maps it swaps in are made by map_in_map_inner.c.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "demo.h" /* demo */
#include "map_in_map.h"
#include "map_in_map_inner.h"
#include "map_in_map_traps.h" /* traps */
#include "map_in_map.skel.h"

static const struct sample_demo_plan demo_plan = { .udps = 5, .udp_len = 64 }; /* demo */

/* How many versions the final summary lists. */
#define FINAL_VERSIONS 10

static const struct sample_cli cli = {
	.name = "map_in_map",
	.about = "Swap an XDP program's configuration atomically through an ARRAY_OF_MAPS:\n"
		 "a new inner map per interval, and packets counted by the version they saw.",
	.iface_help = "run on IFACE (every packet passes; no traffic is generated)",
	.demo = "Without -i: a private netns + veth pair; per interval 5 UDP datagrams\n" /* demo */
		"of 64 payload bytes from the peer netns to demo0:7000.", /* demo */
	.examples = "sudo ./map_in_map -d 5        sudo ./map_in_map -i eth0 -I 0.2",
};

/* The configuration in cfg_outer[0], and seen[] as the last row read it. */
struct installed {
	__u32 version;
	__u32 inner_id; /* the inner map's id */
	__u64 seen_prev[MIM_VERSIONS];
};

/* Install version in cfg_outer[0]: build, fill, swap in one update. Our fd is
 * closed at once; the outer map's reference keeps the inner map alive, and the
 * replaced map is freed once no program run still uses it. */
static int install_version(struct map_in_map *skel, struct installed *cur, __u32 version)
{
	__u32 zero = 0;
	__u32 slot = version % MIM_VERSIONS;
	__u64 nought = 0;
	int fd, err;

	/* The slot this version counts into may hold an old version's count. */
	err = bpf_map__update_elem(skel->maps.seen, &slot, sizeof(slot), &nought, sizeof(nought),
				   0);
	if (err)
		goto failed;
	fd = map_in_map_new_config(skel->maps.cfg_v1, version, 0);
	if (fd < 0) {
		err = fd;
		goto failed;
	}
	/* The value of an outer map goes in as an fd. */
	err = bpf_map__update_elem(skel->maps.cfg_outer, &zero, sizeof(zero), &fd, sizeof(fd), 0);
	if (!err) {
		cur->version = version;
		cur->inner_id = map_in_map_inner_id(fd);
	}
	cur->seen_prev[slot] = 0;
	close(fd);
	if (!err)
		return 0;
failed:
	fprintf(stderr, "map_in_map: installing configuration version %u failed: %s\n", version,
		sample_strerror(err));
	return err;
}

/* One row: the installed version, its map, and how the packets since the last
 * row were counted: under the current version or under any other. */
static int print_row(struct map_in_map *skel, struct installed *cur, __u64 start_ns)
{
	__u64 now, this = 0, older = 0;
	char b[3][SAMPLE_FMT_LEN];
	int err;

	for (__u32 v = 0; v < MIM_VERSIONS; v++) {
		err = bpf_map__lookup_elem(skel->maps.seen, &v, sizeof(v), &now, sizeof(now), 0);
		if (err) {
			fprintf(stderr, "map_in_map: reading the seen map failed: %s\n",
				sample_strerror(err));
			return err;
		}
		if (v == cur->version % MIM_VERSIONS)
			this += now - cur->seen_prev[v];
		else
			older += now - cur->seen_prev[v];
		cur->seen_prev[v] = now;
	}
	printf("%7.1f  %7u  %6u  %10s  %12s  %12s\n", (sample_now_ns() - start_ns) / 1e9,
	       cur->version, cur->inner_id, sample_fmt_u64(b[0], SAMPLE_FMT_LEN, this + older),
	       sample_fmt_u64(b[1], SAMPLE_FMT_LEN, this),
	       sample_fmt_u64(b[2], SAMPLE_FMT_LEN, older));
	fflush(stdout);
	return 0;
}

/* The packets of the last versions, and the hash of hashes: port_hits[UDP] is a
 * map id, turned into an fd to walk the inner map, port by port. */
static void print_final(struct map_in_map *skel, const struct installed *cur)
{
	__u32 first = 0;
	__u32 proto = IPPROTO_UDP;
	__u32 id = 0;
	__u64 now[MIM_VERSIONS] = {}, total = 0;
	char b[SAMPLE_FMT_LEN];
	__u32 port, next;
	__u64 n;
	void *prev = NULL;
	int fd, err;

	if (cur->version >= FINAL_VERSIONS)
		first = cur->version - FINAL_VERSIONS + 1;
	for (__u32 v = 0; v < MIM_VERSIONS; v++) {
		err = bpf_map__lookup_elem(skel->maps.seen, &v, sizeof(v), &now[v], sizeof(now[v]),
					   0);
		if (!err)
			total += now[v];
	}
	printf("final: version %u installed, %s packets; by version:", cur->version,
	       sample_fmt_u64(b, sizeof(b), total));
	for (__u32 v = first; v <= cur->version; v++)
		if (v && now[v % MIM_VERSIONS])
			printf(" v%u %s", v, sample_fmt_u64(b, sizeof(b), now[v % MIM_VERSIONS]));
	printf("\n");
	err = bpf_map__lookup_elem(skel->maps.port_hits, &proto, sizeof(proto), &id, sizeof(id), 0);
	if (err)
		return;
	fd = bpf_map_get_fd_by_id(id);
	if (fd < 0)
		return;
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		port = next;
		prev = &port;
		n = 0;
		if (bpf_map_lookup_elem(fd, &port, &n))
			continue; /* deleted meanwhile */
		printf("port_hits[UDP] (map id %u): port %u -> %s packets\n", id, port,
		       sample_fmt_u64(b, sizeof(b), n));
	}
	close(fd);
}

int main(int argc, char **argv)
{
	struct sample_veth_demo demo = SAMPLE_VETH_DEMO_INIT; /* demo */
	struct sample_loop loop = SAMPLE_LOOP_INIT;
	struct mim_config cfg1 = { .version = 1, .drop = 0 };
	struct installed cur = { .version = 1 };
	struct sample_opts o = {};
	struct map_in_map *skel = NULL;
	const char *mode = "";
	int link_fd = -1;
	int round = 0;
	int err, ev;
	__u32 zero = 0;
	__u64 start_ns;

	sample_parse_args(&cli, argc, argv, &o); /* exits on -h, bad input, no root */

	/* libbpf's warnings on stderr (its debug log too with -v); SIGINT and
	 * SIGTERM wait, blocked, for sample_wait()'s signalfd from here on, so one
	 * that comes during setup still ends the run through cleanup; a closed
	 * peer or stdout (| head) gives EPIPE instead of killing the process. */
	libbpf_set_print(o.verbose ? sample_print_all : sample_print_warnings);
	sample_block_stop_signals();
	signal(SIGPIPE, SIG_IGN);

	/* 1. Where to run: the user's interface, or the demo's veth (which sets
	 *    o.ifname and o.ifindex to demo0). */
	if (!o.ifname) { /* demo */
		err = sample_veth_demo_open(&demo, &o, &demo_plan); /* demo */
		if (err) /* demo */
			goto cleanup; /* demo */
	} /* demo */

	/* 2. Load: libbpf creates the inner template maps, cfg_v1, the outer
	 *    maps, and stores cfg_v1 in cfg_outer[0] (the static initialiser). */
	skel = map_in_map__open_and_load();
	if (!skel) {
		err = sample_load_failed(&o, -errno);
		goto cleanup;
	}
	/* Version 1 lives in the object's own cfg_v1: fill it before attaching;
	 * UDP gets a port table in the hash of hashes. */
	err = bpf_map__update_elem(skel->maps.cfg_v1, &zero, sizeof(zero), &cfg1, sizeof(cfg1), 0);
	if (!err)
		err = map_in_map_add_port_table(skel->maps.port_hits, skel->maps.seen, IPPROTO_UDP);
	if (err) {
		fprintf(stderr, "map_in_map: writing the first configuration failed: %s\n",
			sample_strerror(err));
		goto cleanup;
	}
	cur.inner_id = map_in_map_inner_id(bpf_map__fd(skel->maps.cfg_v1));
	err = map_in_map_show_traps(skel->maps.cfg_outer, skel->maps.cfg_v1, /* traps */
				    skel->maps.proto_cfg, skel->maps.port_hits); /* traps */
	if (err) /* traps */
		goto cleanup; /* traps */

	/* 3. Attach through a bpf_link: gone with the process, even on SIGKILL.
	 *    Flags 0: native XDP where the driver has it, else generic. */
	LIBBPF_OPTS(bpf_link_create_opts, xdp_opts, .flags = sample_xdp_flags(o.xdp_mode));
	link_fd = bpf_link_create(bpf_program__fd(skel->progs.mim_filter), o.ifindex, BPF_XDP,
				  &xdp_opts);
	if (link_fd < 0) {
		err = sample_xdp_attach_failed(o.prog, o.ifindex, o.xdp_mode, -errno);
		goto cleanup;
	}
	mode = sample_xdp_mode_used(o.ifindex);

	/* 4. Run: every interval but the first installs a new configuration. */
	printf("Configuration swapped through cfg_outer[0] every interval, XDP on %s (%s)",
	       o.ifname, mode);
	if (demo.open) /* demo */
		printf(", demo UDP from the peer netns"); /* demo */
	printf("\n");
	printf("%7s  %7s  %6s  %10s  %12s  %12s\n", "time", "version", "map id", "packets",
	       "saw current", "saw older");
	fflush(stdout); /* the header says "attached", also through a pipe */
	start_ns = sample_now_ns();
	err = sample_loop_open(&loop, &o, -1);
	if (err)
		goto cleanup;
	while ((ev = sample_wait(&loop)) == SAMPLE_TICK) {
		if (round) {
			err = install_version(skel, &cur, cur.version + 1);
			if (err)
				goto cleanup;
		}
		round++;
		if (demo.open) /* demo */
			err = sample_veth_demo_step(&demo); /* demo */
		if (err)
			goto cleanup;
		err = print_row(skel, &cur, start_ns);
		if (err)
			goto cleanup;
	}
	err = ev;
	if (err)
		goto cleanup;

	/* 5. Summary: packets by version; then the demo says what arrived, and
	 *    as it closes (after cleanup:) what it sent. */
	print_final(skel, &cur);
	if (demo.open) /* demo */
		printf("demo delivered: %llu UDP datagrams to %s:%u, %u per version\n", /* demo */
		       (unsigned long long)demo.traffic.udp_received, demo.net.ifname, /* demo */
		       SAMPLE_UDP_PORT, demo.plan.udps); /* demo */

cleanup:
	sample_loop_close(&loop);
	if (link_fd >= 0)
		close(link_fd);
	map_in_map__destroy(skel);
	sample_veth_demo_close(&demo); /* demo */
	return err ? 1 : 0;
}
