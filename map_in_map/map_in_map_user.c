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
 * dropping the outer map's reference to an inner map (map_in_map_rules.c).
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
#include "demo.h"
#include "map_in_map.h"
#include "map_in_map_rules.h"
#include "map_in_map.skel.h"

/* The no-argument demo, per interval: 5 UDP datagrams of 64 payload bytes from
 * the peer netns to demo0:7000, each through the XDP program. */
static const struct sample_demo_plan demo_plan = { .udps = 5, .udp_len = 64 };

/* How many versions the final summary lists. */
#define FINAL_VERSIONS 10

static const struct sample_cli cli = {
	.name = "map_in_map",
	.about = "Swap an XDP program's configuration atomically through an ARRAY_OF_MAPS:\n"
		 "a new inner map per interval, and packets counted by the version they saw.",
	.iface_help = "run on IFACE (every packet passes; no traffic is generated);\n"
		      "default: a private demo netns + veth with its own traffic",
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
	__u32 zero = 0, slot = version % MIM_VERSIONS;
	__u64 nought = 0;
	int fd, err;

	/* The slot this version counts into may hold an old version's count. */
	err = bpf_map__update_elem(skel->maps.seen, &slot, sizeof(slot), &nought, sizeof(nought),
				   0);
	fd = err ? err : mim_new_config(skel->maps.cfg_v1, version, 0);
	if (fd >= 0) {
		/* The value of an outer map goes in as an fd. */
		err = bpf_map__update_elem(skel->maps.cfg_outer, &zero, sizeof(zero), &fd,
					   sizeof(fd), 0);
		cur->version = err ? cur->version : version;
		cur->inner_id = err ? cur->inner_id : mim_map_id(fd);
		cur->seen_prev[slot] = 0;
		close(fd);
	}
	if (fd < 0 || err)
		fprintf(stderr, "map_in_map: installing configuration version %u failed: %s\n",
			version, sample_strerror(fd < 0 ? fd : err));
	return fd < 0 ? fd : err;
}

/* One row: the installed version, its map, and how the packets since the last
 * row were counted: under the current version or under any other. */
static int print_row(struct map_in_map *skel, struct installed *cur, __u64 start_ns)
{
	__u64 now, this = 0, older = 0;
	char b[3][SAMPLE_FMT_LEN];

	for (__u32 v = 0; v < MIM_VERSIONS; v++) {
		int err =
			bpf_map__lookup_elem(skel->maps.seen, &v, sizeof(v), &now, sizeof(now), 0);

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
 * map id, turned into an fd to read the inner map. In the demo, what arrived. */
static void print_final(struct map_in_map *skel, const struct installed *cur,
			const struct sample_veth_demo *demo)
{
	__u32 first = cur->version >= FINAL_VERSIONS ? cur->version - FINAL_VERSIONS + 1 : 0;
	__u32 proto = IPPROTO_UDP, id = 0, port = SAMPLE_UDP_PORT;
	__u64 now[MIM_VERSIONS] = {}, total = 0, n = 0;
	char b[SAMPLE_FMT_LEN];
	int fd;

	for (__u32 v = 0; v < MIM_VERSIONS; v++)
		if (!bpf_map__lookup_elem(skel->maps.seen, &v, sizeof(v), &now[v], sizeof(now[v]),
					  0))
			total += now[v];
	printf("final: version %u installed, %s packets; by version:", cur->version,
	       sample_fmt_u64(b, sizeof(b), total));
	for (__u32 v = first; v <= cur->version; v++)
		if (v && now[v % MIM_VERSIONS])
			printf(" v%u %s", v, sample_fmt_u64(b, sizeof(b), now[v % MIM_VERSIONS]));
	printf("\n");
	if (!bpf_map__lookup_elem(skel->maps.port_hits, &proto, sizeof(proto), &id, sizeof(id),
				  0) &&
	    (fd = bpf_map_get_fd_by_id(id)) >= 0) {
		bpf_map_lookup_elem(fd, &port, &n);
		printf("port_hits[UDP] (map id %u): port %u -> %s packets\n", id, port,
		       sample_fmt_u64(b, sizeof(b), n));
		close(fd);
	}
	if (demo->open)
		printf("demo delivered: %llu UDP datagrams to %s:%u, %u per version\n",
		       (unsigned long long)demo->traffic.udp_received, demo->net.ifname,
		       SAMPLE_UDP_PORT, demo->plan.udps);
}

int main(int argc, char **argv)
{
	struct sample_veth_demo demo = SAMPLE_VETH_DEMO_INIT;
	struct sample_loop loop = SAMPLE_LOOP_INIT;
	struct mim_config cfg1 = { .version = 1, .drop = 0 };
	struct installed cur = { .version = 1 };
	struct sample_opts o = {};
	struct map_in_map *skel = NULL;
	const char *mode = "";
	int link = -1, err, ev;
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

	/* 1. Where to run: the user's interface, or the demo's veth. */
	if (!o.ifname && (err = sample_veth_demo_open(&demo, &o, &demo_plan)))
		goto cleanup;

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
	if (err || (err = mim_add_port_table(skel->maps.port_hits, skel->maps.seen, IPPROTO_UDP))) {
		fprintf(stderr, "map_in_map: writing the first configuration failed: %s\n",
			sample_strerror(err));
		goto cleanup;
	}
	cur.inner_id = mim_map_id(bpf_map__fd(skel->maps.cfg_v1));
	if ((err = mim_show_rules(skel->maps.cfg_outer, skel->maps.cfg_v1, skel->maps.proto_cfg,
				  skel->maps.port_hits)))
		goto cleanup;

	/* 3. Attach through a bpf_link: gone with the process. */
	link = sample_xdp_attach(o.prog, skel->progs.mim_filter, o.ifindex, SAMPLE_XDP_AUTO, &mode);
	if (link < 0) {
		err = link;
		goto cleanup;
	}

	/* 4. Run: every interval but the first installs a new configuration. */
	printf("Configuration swapped through cfg_outer[0] every interval, XDP on %s (%s)%s\n",
	       o.ifname, mode, demo.open ? ", demo UDP from the peer netns" : "");
	printf("%7s  %7s  %6s  %10s  %12s  %12s\n", "time", "version", "map id", "packets",
	       "saw current", "saw older");
	fflush(stdout); /* the header says "attached", also through a pipe */
	start_ns = sample_now_ns();
	if ((err = sample_loop_open(&loop, &o, -1)))
		goto cleanup;
	for (int round = 0; (ev = sample_wait(&loop)) == SAMPLE_TICK; round++) {
		if (round && (err = install_version(skel, &cur, cur.version + 1)))
			goto cleanup;
		if (demo.open && (err = sample_veth_demo_step(&demo)))
			goto cleanup;
		if ((err = print_row(skel, &cur, start_ns)))
			goto cleanup;
	}
	if ((err = ev))
		goto cleanup;

	/* 5. Summary: packets by version; then the demo says what it sent. */
	print_final(skel, &cur, &demo);

cleanup:
	sample_loop_close(&loop);
	if (link >= 0)
		close(link);
	map_in_map__destroy(skel);
	sample_veth_demo_close(&demo); /* prints "demo sent: ..." */
	return err ? 1 : 0;
}
