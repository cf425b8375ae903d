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
 * dropping the outer map's reference to an inner map.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "demo.h"
#include "map_in_map.h"
#include "map_in_map.skel.h"

static const char *prog = "map_in_map";

/* Demo traffic per interval: UDP datagrams from the peer netns to demo0:7000. */
#define DEMO_UDPS	5
#define DEMO_UDP_LEN	64
/* How many versions the final summary lists. */
#define FINAL_VERSIONS	10

struct ctx {
	struct map_in_map *skel;
	int outer_fd, seen_fd;
	__u32 version;			/* installed in cfg_outer[0] */
	__u32 inner_id;			/* its map id */
	__u64 seen_prev[MIM_VERSIONS];	/* seen[] at the previous row */
	__u64 rounds;
	struct sample_traffic *traffic;	/* NULL on a real interface */
	__u64 start_ns;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [options]\n"
		"Swap an XDP program's configuration atomically through an ARRAY_OF_MAPS:\n"
		"a new inner map per interval, and packets counted by the version they saw.\n"
		"\n"
		"  -i, --interface IFACE  run on IFACE (every packet passes; no traffic is generated);\n"
		"                         default: a private demo netns + veth with its own traffic\n"
		"  -d, --duration SECS    stop after SECS seconds (default: until Ctrl-C)\n"
		"  -I, --interval SECS    a new configuration and a row every SECS seconds (default 1)\n"
		"  -v, --verbose          show libbpf's debug log\n"
		"  -h, --help             this text\n"
		"\n"
		"Example: sudo %s -d 5        sudo %s -i eth0 -I 0.2\n", prog, prog, prog);
}

static __u32 map_id(int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

/* A new config inner map of exactly the template's shape, slot 0 filled. The
 * map gets its own name so that bpftool map show tells the versions apart. */
static int make_config(__u32 version, __u32 drop)
{
	struct mim_config cfg = { .version = version, .drop = drop };
	char name[BPF_OBJ_NAME_LEN];
	__u32 zero = 0;
	int fd, err;

	snprintf(name, sizeof(name), "cfg_v%u", version);
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, name, sizeof(__u32), sizeof(cfg),
			    MIM_CFG_ENTRIES, NULL);
	if (fd < 0)
		return -errno;
	if (bpf_map_update_elem(fd, &zero, &cfg, BPF_ANY)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

/* Install version in cfg_outer[0]: build, fill, swap in one update. Our fd is
 * closed at once; the outer map's reference keeps the inner map alive, and the
 * replaced map is freed once no program run still uses it. */
static int install_version(struct ctx *c, __u32 version)
{
	__u32 zero = 0, slot = version % MIM_VERSIONS;
	__u64 nought = 0;
	int fd, err;

	/* The slot this version counts into may hold an old version's count. */
	if (bpf_map_update_elem(c->seen_fd, &slot, &nought, BPF_ANY))
		return -errno;
	c->seen_prev[slot] = 0;
	fd = make_config(version, 0);
	if (fd < 0)
		return fd;
	err = bpf_map_update_elem(c->outer_fd, &zero, &fd, BPF_ANY) ? -errno : 0;
	if (!err) {
		c->version = version;
		c->inner_id = map_id(fd);
	}
	close(fd);
	return err;
}

/* seen[] now, and how much of its growth since the last row went to the
 * current version and to any other. */
static int read_seen(struct ctx *c, __u64 *now, __u64 *cur, __u64 *older)
{
	*cur = *older = 0;
	for (__u32 v = 0; v < MIM_VERSIONS; v++) {
		if (bpf_map_lookup_elem(c->seen_fd, &v, &now[v]))
			return -errno;
		if (v == c->version % MIM_VERSIONS)
			*cur += now[v] - c->seen_prev[v];
		else
			*older += now[v] - c->seen_prev[v];
	}
	return 0;
}

static int print_row(struct ctx *c)
{
	char b[3][SAMPLE_FMT_LEN];
	__u64 now[MIM_VERSIONS], cur, older;
	double t = (sample_now_ns() - c->start_ns) / 1e9;
	int err = read_seen(c, now, &cur, &older);

	if (err) {
		fprintf(stderr, "%s: reading the seen map failed: %s\n", prog, sample_strerror(err));
		return err;
	}
	memcpy(c->seen_prev, now, sizeof(now));
	printf("%7.1f  %7u  %6u  %10s  %12s  %12s\n", t, c->version, c->inner_id,
	       sample_fmt_u64(b[0], SAMPLE_FMT_LEN, cur + older),
	       sample_fmt_u64(b[1], SAMPLE_FMT_LEN, cur),
	       sample_fmt_u64(b[2], SAMPLE_FMT_LEN, older));
	fflush(stdout);
	return 0;
}

static int tick(void *arg)
{
	struct ctx *c = arg;
	int err;

	/* Every interval but the first gets a new configuration. */
	if (c->rounds++ && (err = install_version(c, c->version + 1))) {
		fprintf(stderr, "%s: installing configuration version %u failed: %s\n", prog,
			c->version + 1, sample_strerror(err));
		return err;
	}
	if (c->traffic) {
		struct sample_traffic *t = c->traffic;
		struct sockaddr_storage ss;

		sample_sockaddr("10.11.1.1", SAMPLE_UDP_PORT, &ss);
		for (int i = 0; i < DEMO_UDPS; i++) {
			err = sample_traffic_udp(t, (struct sockaddr *)&ss, DEMO_UDP_LEN);
			if (err) {
				fprintf(stderr, "%s: demo traffic failed: %s\n", prog,
					sample_strerror(err));
				return err;
			}
		}
		/* Every datagram delivered = every datagram went through XDP. */
		sample_traffic_poll(t, 500);
	}
	return print_row(c);
}

/* What an outer map holds, as user space sees it. */
static int show_static_slot(struct map_in_map *skel)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), zero = 0, id = 0;
	int fd, err;

	printf("map-in-map on the live maps:\n");
	if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.cfg_outer), &zero, &id))
		return -errno;
	/* The value is a map id: turn it into an fd to ask the kernel about it.
	 * (bpf_obj_get_info_by_fd: libbpf 1.1 has no bpf_map_get_info_by_fd.) */
	fd = bpf_map_get_fd_by_id(id);
	if (fd < 0)
		return -errno;
	err = bpf_obj_get_info_by_fd(fd, &info, &len) ? -errno : 0;
	close(fd);
	if (err)
		return err;
	printf("  cfg_outer[0] (set in the object: .values = { [0] = &cfg_v1 })\n"
	       "      lookup -> %u, a map id, not an fd: bpf_map_get_fd_by_id(%u) -> "
	       "name %s, type %s, key %u, value %u, max_entries %u\n",
	       id, id, info.name, libbpf_bpf_map_type_str(info.type), info.key_size,
	       info.value_size, info.max_entries);
	printf("      the object's cfg_v1 is map id %u: %s\n", map_id(bpf_map__fd(skel->maps.cfg_v1)),
	       id == map_id(bpf_map__fd(skel->maps.cfg_v1)) ? "the same map" : "a DIFFERENT map");
	return id == map_id(bpf_map__fd(skel->maps.cfg_v1)) ? 0 : -EINVAL;
}

/* Inner maps of the wrong shape: the kernel compares each with the template
 * the outer map was created with, and refuses a mismatch with EINVAL. */
static int show_incompatible(struct map_in_map *skel)
{
	static const struct {
		const char *outer, *what;
		enum bpf_map_type type;
		__u32 key, value, max;
	} bad[] = {
		{ "cfg_outer", "HASH instead of ARRAY", BPF_MAP_TYPE_HASH, 4, 8, 1 },
		{ "cfg_outer", "ARRAY, value size 16 instead of 8", BPF_MAP_TYPE_ARRAY, 4, 16, 1 },
		{ "cfg_outer", "ARRAY, max_entries 2 instead of 1", BPF_MAP_TYPE_ARRAY, 4, 8, 2 },
		{ "port_hits", "HASH, key size 8 instead of 4", BPF_MAP_TYPE_HASH, 8, 8, MIM_PORTS },
	};
	__u32 key = 0;

	printf("  inner maps of another shape are refused (the kernel compares each with the\n"
	       "  template: type, key size, value size, flags, and for arrays max_entries):\n");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int outer = strcmp(bad[i].outer, "cfg_outer") ? bpf_map__fd(skel->maps.port_hits)
							      : bpf_map__fd(skel->maps.cfg_outer);
		int fd = bpf_map_create(bad[i].type, "bad_inner", bad[i].key, bad[i].value,
					bad[i].max, NULL);
		int err;

		if (fd < 0)
			return -errno;
		key = outer == bpf_map__fd(skel->maps.cfg_outer) ? 0 : IPPROTO_TCP;
		err = bpf_map_update_elem(outer, &key, &fd, BPF_ANY) ? -errno : 0;
		close(fd);
		printf("      %-9s <- %-36s -> %s\n", bad[i].outer, bad[i].what,
		       err ? sample_strerror(err) : "accepted (unexpected)");
		if (err != -EINVAL)
			return err ? err : -EINVAL;
	}
	return 0;
}

/* A HASH_OF_MAPS entry holds a reference to its inner map; deleting the entry
 * drops it, and with no other reference the inner map is freed. */
static int show_hash_delete(struct map_in_map *skel)
{
	int outer = bpf_map__fd(skel->maps.proto_cfg), fd, err;
	__u32 proto = IPPROTO_ICMP, id = 0, got = 0;

	fd = make_config(900, 0);
	if (fd < 0)
		return fd;
	id = map_id(fd);
	err = bpf_map_update_elem(outer, &proto, &fd, BPF_NOEXIST) ? -errno : 0;
	close(fd);		/* from here only proto_cfg holds it */
	if (err)
		return err;
	err = bpf_map_lookup_elem(outer, &proto, &got) ? -errno : 0;
	printf("  proto_cfg[ICMP] = a new cfg_v900 (id %u), our fd closed -> lookup %s %u\n",
	       id, err ? sample_strerror(err) : "gives id", got);
	if (err || got != id)
		return err ? err : -EINVAL;
	if (bpf_map_delete_elem(outer, &proto))
		return -errno;
	/* The kernel frees the inner map after an RCU grace period: wait a bit. */
	for (int i = 0; i < 200; i++) {
		fd = bpf_map_get_fd_by_id(id);
		if (fd < 0)
			break;
		close(fd);
		usleep(10000);
	}
	err = fd < 0 ? -errno : 0;
	printf("  delete proto_cfg[ICMP]                 -> map id %u: %s\n\n", id,
	       err == -ENOENT ? "gone (the outer map held the last reference)"
			      : "still there (unexpected)");
	return err == -ENOENT ? 0 : -EBUSY;
}

/* An empty port table per protocol, for the hash of hashes. */
static int add_port_table(struct map_in_map *skel, __u32 proto)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_HASH, "ports", sizeof(__u32), sizeof(__u64),
				MIM_PORTS, NULL);
	int err;

	if (fd < 0)
		return -errno;
	err = bpf_map_update_elem(bpf_map__fd(skel->maps.port_hits), &proto, &fd, BPF_ANY)
		? -errno : 0;
	close(fd);
	return err;
}

static void print_final(struct ctx *c)
{
	__u64 now[MIM_VERSIONS], total = 0, n;
	__u32 first = c->version >= FINAL_VERSIONS ? c->version - FINAL_VERSIONS + 1 : 0;
	__u32 proto = IPPROTO_UDP, id = 0, port = SAMPLE_UDP_PORT;
	char b[SAMPLE_FMT_LEN];
	int fd;

	for (__u32 v = 0; v < MIM_VERSIONS; v++)
		if (!bpf_map_lookup_elem(c->seen_fd, &v, &now[v]))
			total += now[v];
	printf("final: version %u installed, %s packets; by version:", c->version,
	       sample_fmt_u64(b, sizeof(b), total));
	for (__u32 v = first; v <= c->version; v++)
		if (v && (n = now[v % MIM_VERSIONS]))
			printf(" v%u %s", v, sample_fmt_u64(b, sizeof(b), n));
	printf("\n");

	/* The hash of hashes: port_hits[UDP] is a map id; open it to read it. */
	if (!bpf_map_lookup_elem(bpf_map__fd(c->skel->maps.port_hits), &proto, &id) &&
	    (fd = bpf_map_get_fd_by_id(id)) >= 0) {
		n = 0;
		bpf_map_lookup_elem(fd, &port, &n);
		printf("port_hits[UDP] (map id %u): port %u -> %s packets\n", id, port,
		       sample_fmt_u64(b, sizeof(b), n));
		close(fd);
	}
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
	struct mim_config cfg1 = { .version = 1, .drop = 0 };
	struct map_in_map *skel = NULL;
	const char *ifname = NULL, *mode = "";
	bool verbose = false, use_demo;
	struct ctx c = {};
	int opt, ifindex, link = -1, err;
	__u32 zero = 0;
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

	/* 1. Where to run: the demo's veth, or the user's interface. */
	if (use_demo) {
		if (sample_demo_setup(&demo, prog, 0))
			return 1;
		ifname = demo.ifname;
		ifindex = demo.ifindex;
		if ((err = sample_traffic_open(&traffic, &demo, SAMPLE_TRAFFIC_UDP))) {
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

	/* 2. Load: libbpf creates the inner template maps, cfg_v1, the outer
	 * maps, and stores cfg_v1 in cfg_outer[0] (the static initialiser). */
	skel = map_in_map__open_and_load();
	if (!skel) {
		err = -errno;
		fprintf(stderr, "%s: loading the BPF object failed: %s%s\n", prog,
			sample_strerror(err), verbose ? "" : " (run with -v for libbpf's log)");
		goto cleanup;
	}
	if (bpf_map__value_size(skel->maps.cfg_v1) != sizeof(struct mim_config) ||
	    bpf_map__value_size(skel->maps.seen) != sizeof(__u64)) {
		fprintf(stderr, "%s: value size mismatch between map_in_map.h and the object\n",
			prog);
		err = -EINVAL;
		goto cleanup;
	}
	c.skel = skel;
	c.outer_fd = bpf_map__fd(skel->maps.cfg_outer);
	c.seen_fd = bpf_map__fd(skel->maps.seen);
	c.version = 1;
	c.inner_id = map_id(bpf_map__fd(skel->maps.cfg_v1));

	/* Version 1 lives in the object's own cfg_v1; fill it before attaching. */
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.cfg_v1), &zero, &cfg1, BPF_ANY) ||
	    add_port_table(skel, IPPROTO_UDP)) {
		err = -errno;
		fprintf(stderr, "%s: writing the first configuration failed: %s\n", prog,
			sample_strerror(err));
		goto cleanup;
	}

	if ((err = show_static_slot(skel)) || (err = show_incompatible(skel)) ||
	    (err = show_hash_delete(skel))) {
		fprintf(stderr, "%s: the map-in-map checks failed: %s\n", prog,
			sample_strerror(err));
		goto cleanup;
	}

	/* 3. Attach through a bpf_link: gone with the process. */
	link = sample_xdp_attach(prog, skel->progs.mim_filter, ifindex, SAMPLE_XDP_AUTO, &mode);
	if (link < 0) {
		err = link;
		goto cleanup;
	}

	/* 4. Run: a new configuration each interval. */
	printf("Configuration swapped through cfg_outer[0] every interval, XDP on %s (%s)%s\n",
	       ifname, mode, use_demo ? ", demo UDP from the peer netns" : "");
	printf("%7s  %7s  %6s  %10s  %12s  %12s\n", "time", "version", "map id", "packets",
	       "saw current", "saw older");
	c.start_ns = sample_now_ns();
	run.tick = tick;
	run.ctx = &c;
	err = sample_run(&run);

	/* 5. Summary. */
	if (!err) {
		print_final(&c);
		if (c.traffic)
			printf("demo sent: %llu UDP datagrams of %d bytes, %d per version, "
			       "%llu delivered\n", (unsigned long long)traffic.udp_sent,
			       DEMO_UDP_LEN, DEMO_UDPS, (unsigned long long)traffic.udp_received);
	}

cleanup:
	if (link >= 0)
		close(link);
	map_in_map__destroy(skel);
	sample_traffic_close(&traffic);
	if (use_demo)
		sample_demo_teardown(&demo);
	return err ? 1 : 0;
}
