// SPDX-License-Identifier: GPL-2.0
/* map_in_map: the outer maps hold inner map ids, a swap is seen by every packet
 * at once, wrong-shaped inner maps are refused, and a HASH_OF_MAPS delete drops
 * the inner map. Driven with BPF_PROG_TEST_RUN on crafted frames. */
#include <arpa/inet.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "harness.h"
#include "map_in_map.h"
#include "map_in_map.skel.h"

static const struct pkt_opts udp = { AF_INET, IPPROTO_UDP, "10.0.0.2", "10.0.0.1", 32 };
static const struct pkt_opts tcp = { AF_INET, IPPROTO_TCP, "10.0.0.2", "10.0.0.1", 100 };

/* Run the XDP program repeat times on one frame; returns the verdict or -errno. */
static int run_xdp(struct map_in_map *skel, const struct pkt_opts *o, int repeat)
{
	unsigned char pkt[PKT_MAX];
	LIBBPF_OPTS(bpf_test_run_opts, topts, .data_in = pkt, .repeat = repeat);

	topts.data_size_in = pkt_build(pkt, o);
	if (bpf_prog_test_run_opts(bpf_program__fd(skel->progs.mim_filter), &topts))
		return -errno;
	return topts.retval;
}

static __u64 seen(struct map_in_map *skel, __u32 version)
{
	__u64 v = ~0ull;

	version %= MIM_VERSIONS;
	bpf_map_lookup_elem(bpf_map__fd(skel->maps.seen), &version, &v);
	return v;
}

static __u64 seen_total(struct map_in_map *skel)
{
	__u64 sum = 0;

	for (__u32 v = 0; v < MIM_VERSIONS; v++)
		sum += seen(skel, v);
	return sum;
}

static __u32 id_of(int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

/* The id stored in an outer map at key, or 0. */
static __u32 outer_id(int outer_fd, __u32 key)
{
	__u32 id = 0;

	return bpf_map_lookup_elem(outer_fd, &key, &id) ? 0 : id;
}

static int set_cfg(int inner_fd, __u32 version, __u32 drop)
{
	struct mim_config cfg = { version, drop };
	__u32 zero = 0;

	return bpf_map_update_elem(inner_fd, &zero, &cfg, BPF_ANY) ? -errno : 0;
}

/* A map whose key and value carry the BTF types of like's (the object's BTF):
 * Linux 6.1 refuses a BTF-less inner map against libbpf's template, which has
 * BTF (see inner_without_btf_per_kernel). */
static int create_like(int like_fd, enum bpf_map_type type, const char *name, __u32 max)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts);
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	int btf_fd, fd;

	if (bpf_obj_get_info_by_fd(like_fd, &info, &len))
		return -1;
	btf_fd = bpf_btf_get_fd_by_id(info.btf_id);
	if (btf_fd < 0)
		return -1;
	opts.btf_fd = btf_fd;
	opts.btf_key_type_id = info.btf_key_type_id;
	opts.btf_value_type_id = info.btf_value_type_id;
	fd = bpf_map_create(type, name, info.key_size, info.value_size, max, &opts);
	close(btf_fd);
	return fd;
}

/* A config inner map like the object's cfg_v1, slot 0 set. */
static int new_cfg(struct map_in_map *skel, const char *name, __u32 version, __u32 drop)
{
	int fd = create_like(bpf_map__fd(skel->maps.cfg_v1), BPF_MAP_TYPE_ARRAY, name,
			     MIM_CFG_ENTRIES);

	if (fd >= 0 && set_cfg(fd, version, drop)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A port table (HASH __u32 -> __u64): seen has those key and value types. */
static int new_ports(struct map_in_map *skel, const char *name, __u32 max)
{
	return create_like(bpf_map__fd(skel->maps.seen), BPF_MAP_TYPE_HASH, name, max);
}

/* Poll until map id is gone (the kernel frees maps after an RCU grace period). */
static bool map_freed(__u32 id)
{
	for (int i = 0; i < 300; i++) {
		int fd = bpf_map_get_fd_by_id(id);

		if (fd < 0)
			return errno == ENOENT;
		close(fd);
		usleep(10000);
	}
	return false;
}

/* libbpf stores cfg_v1 in cfg_outer[0] at load (the static initialiser); a
 * user-space lookup returns its map id, which opens back to cfg_v1. */
TEST(map_in_map, static_slot_holds_cfg_v1_id)
{
	struct map_in_map *skel = map_in_map__open_and_load();
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), id;
	int fd;

	REQUIRE(skel, "map_in_map__open_and_load: %s", strerror(errno));
	CHECK_U64(bpf_map__value_size(skel->maps.cfg_v1), sizeof(struct mim_config));
	id = outer_id(bpf_map__fd(skel->maps.cfg_outer), 0);
	CHECK(id != 0, "cfg_outer[0] is empty after load");
	CHECK_U64(id, id_of(bpf_map__fd(skel->maps.cfg_v1)));
	fd = bpf_map_get_fd_by_id(id);
	REQUIRE(fd >= 0, "bpf_map_get_fd_by_id(%u): %s", id, strerror(errno));
	CHECK_ERR(bpf_obj_get_info_by_fd(fd, &info, &len) ? -errno : 0, 0);
	CHECK(!strcmp(info.name, "cfg_v1"), "inner map name %s, want cfg_v1", info.name);
	CHECK_U64(info.type, BPF_MAP_TYPE_ARRAY);
	CHECK_U64(info.value_size, sizeof(struct mim_config));
	CHECK_U64(info.max_entries, MIM_CFG_ENTRIES);
	/* The other outer maps start empty. */
	CHECK_U64(outer_id(bpf_map__fd(skel->maps.proto_cfg), IPPROTO_UDP), 0);
	CHECK_U64(outer_id(bpf_map__fd(skel->maps.port_hits), IPPROTO_UDP), 0);
	close(fd);
	map_in_map__destroy(skel);
}

/* After each swap every packet sees the new inner map's values, exactly: its
 * version (counted) and its drop flag (the verdict). Writing to a map that was
 * swapped out changes nothing any more. */
TEST(map_in_map, swap_seen_by_every_packet)
{
	struct map_in_map *skel = map_in_map__open_and_load();
	int outer, v2 = -1, v3 = -1;
	__u32 zero = 0;

	REQUIRE(skel, "map_in_map__open_and_load: %s", strerror(errno));
	outer = bpf_map__fd(skel->maps.cfg_outer);
	CHECK_ERR(set_cfg(bpf_map__fd(skel->maps.cfg_v1), 1, 0), 0);
	CHECK_ERR(run_xdp(skel, &udp, 7), XDP_PASS);
	CHECK_U64(seen(skel, 1), 7);

	v2 = new_cfg(skel, "cfg_v2", 2, 1);
	REQUIRE(v2 >= 0, "creating cfg_v2: %s", strerror(errno));
	CHECK_ERR(bpf_map_update_elem(outer, &zero, &v2, BPF_ANY) ? -errno : 0, 0);
	CHECK_U64(outer_id(outer, 0), id_of(v2));
	CHECK_ERR(run_xdp(skel, &udp, 5), XDP_DROP);
	CHECK_ERR(run_xdp(skel, &tcp, 2), XDP_DROP);
	CHECK_U64(seen(skel, 1), 7);
	CHECK_U64(seen(skel, 2), 5 + 2);

	v3 = new_cfg(skel, "cfg_v3", 3, 0);
	REQUIRE(v3 >= 0, "creating cfg_v3: %s", strerror(errno));
	CHECK_ERR(bpf_map_update_elem(outer, &zero, &v3, BPF_ANY) ? -errno : 0, 0);
	/* v2 is out of the outer map: changing it must not reach the program. */
	CHECK_ERR(set_cfg(v2, 77, 1), 0);
	CHECK_ERR(run_xdp(skel, &udp, 4), XDP_PASS);
	CHECK_U64(seen(skel, 3), 4);
	CHECK_U64(seen(skel, 77), 0);
	/* Changing the installed map in place is seen, too (no swap needed for
	 * a single value; the swap is for changing many values at once). */
	CHECK_ERR(set_cfg(v3, 4, 0), 0);
	CHECK_ERR(run_xdp(skel, &udp, 1), XDP_PASS);
	CHECK_U64(seen(skel, 4), 1);
	CHECK_U64(seen_total(skel), 7 + 7 + 4 + 1);
	close(v2);
	close(v3);
	map_in_map__destroy(skel);
}

/* The outer map keeps the inner map alive after user space closes its fd, and
 * the id a lookup returns opens the very map that was inserted. */
TEST(map_in_map, outer_lookup_returns_inner_id)
{
	struct map_in_map *skel = map_in_map__open_and_load();
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), zero = 0, id;
	int outer, fd, again;

	REQUIRE(skel, "map_in_map__open_and_load: %s", strerror(errno));
	outer = bpf_map__fd(skel->maps.cfg_outer);
	fd = new_cfg(skel, "cfg_v5", 5, 0);
	REQUIRE(fd >= 0, "creating cfg_v5: %s", strerror(errno));
	id = id_of(fd);
	CHECK_ERR(bpf_map_update_elem(outer, &zero, &fd, BPF_ANY) ? -errno : 0, 0);
	close(fd);
	CHECK_U64(outer_id(outer, 0), id);
	again = bpf_map_get_fd_by_id(id);
	REQUIRE(again >= 0, "bpf_map_get_fd_by_id(%u) after close: %s", id, strerror(errno));
	CHECK_ERR(bpf_obj_get_info_by_fd(again, &info, &len) ? -errno : 0, 0);
	CHECK(!strcmp(info.name, "cfg_v5"), "name %s, want cfg_v5", info.name);
	CHECK_ERR(run_xdp(skel, &udp, 3), XDP_PASS);
	CHECK_U64(seen(skel, 5), 3);
	close(again);
	map_in_map__destroy(skel);
}

/* Inner maps of another type, key size, value size or (arrays) max_entries are
 * refused with EINVAL, and the slot keeps its map; the right shape is taken. */
TEST(map_in_map, incompatible_inner_einval)
{
	struct map_in_map *skel = map_in_map__open_and_load();
	int cfg_outer, port_hits, fd;
	__u32 zero = 0, tcp_key = IPPROTO_TCP, before;
	struct { int outer; enum bpf_map_type type; __u32 key, value, max; } bad[4];

	REQUIRE(skel, "map_in_map__open_and_load: %s", strerror(errno));
	cfg_outer = bpf_map__fd(skel->maps.cfg_outer);
	port_hits = bpf_map__fd(skel->maps.port_hits);
	bad[0] = (typeof(bad[0])){ cfg_outer, BPF_MAP_TYPE_HASH, 4, 8, 1 };
	bad[1] = (typeof(bad[0])){ cfg_outer, BPF_MAP_TYPE_ARRAY, 4, 16, 1 };
	bad[2] = (typeof(bad[0])){ cfg_outer, BPF_MAP_TYPE_ARRAY, 4, 8, 2 };
	bad[3] = (typeof(bad[0])){ port_hits, BPF_MAP_TYPE_HASH, 8, 8, MIM_PORTS };
	before = outer_id(cfg_outer, 0);
	for (int i = 0; i < 4; i++) {
		__u32 *key = bad[i].outer == cfg_outer ? &zero : &tcp_key;

		fd = bpf_map_create(bad[i].type, "bad", bad[i].key, bad[i].value, bad[i].max, NULL);
		REQUIRE(fd >= 0, "bpf_map_create case %d: %s", i, strerror(errno));
		CHECK_ERR(bpf_map_update_elem(bad[i].outer, key, &fd, BPF_ANY) ? -errno : 0,
			  -EINVAL);
		close(fd);
	}
	CHECK_U64(outer_id(cfg_outer, 0), before);
	CHECK_U64(outer_id(port_hits, IPPROTO_TCP), 0);
	/* An fd that is not a map at all: EBADF. */
	fd = -1;
	CHECK_ERR(bpf_map_update_elem(cfg_outer, &zero, &fd, BPF_ANY) ? -errno : 0, -EBADF);
	/* Control: the template's shape is accepted by both, and a HASH inner
	 * map may differ in max_entries (only arrays compare it). */
	fd = new_ports(skel, "ports", 4 * MIM_PORTS);
	REQUIRE(fd >= 0, "creating a port table: %s", strerror(errno));
	CHECK_ERR(bpf_map_update_elem(port_hits, &tcp_key, &fd, BPF_ANY) ? -errno : 0, 0);
	close(fd);
	fd = new_cfg(skel, "cfg_ok", 6, 0);
	REQUIRE(fd >= 0, "new_cfg: %s", strerror(errno));
	CHECK_ERR(bpf_map_update_elem(cfg_outer, &zero, &fd, BPF_ANY) ? -errno : 0, 0);
	CHECK_U64(outer_id(cfg_outer, 0), id_of(fd));
	close(fd);
	map_in_map__destroy(skel);
}

/* An inner map of the right shape but made without BTF, against libbpf's
 * template made with BTF: Linux 6.1 compares the two maps' timer offsets,
 * which differ (-EINVAL without BTF, -ENOENT with BTF and no timer), and
 * refuses with EINVAL; 6.2 replaced that comparison with one of BTF records
 * (struct btf_record) and accepts it. Which answer is this kernel's is asked
 * of its BTF: does it have struct btf_record. */
TEST(map_in_map, inner_without_btf_per_kernel)
{
	struct map_in_map *skel = map_in_map__open_and_load();
	struct btf *vmlinux = btf__load_vmlinux_btf();
	__u32 zero = 0;
	int fd, want;

	REQUIRE(skel, "map_in_map__open_and_load: %s", strerror(errno));
	REQUIRE(vmlinux, "btf__load_vmlinux_btf: %s", strerror(errno));
	want = btf__find_by_name_kind(vmlinux, "btf_record", BTF_KIND_STRUCT) > 0 ? 0 : -EINVAL;
	btf__free(vmlinux);
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "cfg_nobtf", 4, sizeof(struct mim_config),
			    MIM_CFG_ENTRIES, NULL);
	REQUIRE(fd >= 0, "bpf_map_create: %s", strerror(errno));
	CHECK_ERR(bpf_map_update_elem(bpf_map__fd(skel->maps.cfg_outer), &zero, &fd, BPF_ANY)
		  ? -errno : 0, want);
	close(fd);
	map_in_map__destroy(skel);
}

/* A HASH_OF_MAPS entry overrides the default for one protocol; deleting it
 * sends that protocol back to the default and drops the last reference to the
 * inner map, which the kernel then frees. */
TEST(map_in_map, hash_of_maps_override_and_delete)
{
	struct map_in_map *skel = map_in_map__open_and_load();
	__u32 key = IPPROTO_UDP, id, got;
	int outer, fd;

	REQUIRE(skel, "map_in_map__open_and_load: %s", strerror(errno));
	outer = bpf_map__fd(skel->maps.proto_cfg);
	CHECK_ERR(set_cfg(bpf_map__fd(skel->maps.cfg_v1), 1, 0), 0);
	fd = new_cfg(skel, "cfg_udp", 9, 1);
	REQUIRE(fd >= 0, "new_cfg: %s", strerror(errno));
	id = id_of(fd);
	CHECK_ERR(bpf_map_update_elem(outer, &key, &fd, BPF_NOEXIST) ? -errno : 0, 0);
	CHECK_ERR(bpf_map_update_elem(outer, &key, &fd, BPF_NOEXIST) ? -errno : 0, -EEXIST);
	close(fd);

	CHECK_ERR(run_xdp(skel, &udp, 4), XDP_DROP);	/* UDP: the override */
	CHECK_ERR(run_xdp(skel, &tcp, 2), XDP_PASS);	/* TCP: the default */
	CHECK_U64(seen(skel, 9), 4);
	CHECK_U64(seen(skel, 1), 2);

	got = 0;
	CHECK_ERR(bpf_map_lookup_elem(outer, &key, &got) ? -errno : 0, 0);
	CHECK_U64(got, id);
	CHECK_ERR(bpf_map_delete_elem(outer, &key) ? -errno : 0, 0);
	CHECK_ERR(bpf_map_lookup_elem(outer, &key, &got) ? -errno : 0, -ENOENT);
	CHECK_ERR(bpf_map_delete_elem(outer, &key) ? -errno : 0, -ENOENT);
	CHECK_ERR(run_xdp(skel, &udp, 3), XDP_PASS);
	CHECK_U64(seen(skel, 9), 4);
	CHECK_U64(seen(skel, 1), 2 + 3);
	CHECK(map_freed(id), "inner map %u still exists after the delete dropped the "
	      "last reference", id);
	map_in_map__destroy(skel);
}

/* Hash of hashes: the program counts ports only in the tables user space gave
 * it, one per protocol, and inserts new ports itself. */
TEST(map_in_map, hash_of_hashes_port_counts)
{
	struct map_in_map *skel = map_in_map__open_and_load();
	__u32 udp_key = IPPROTO_UDP, port, next, nkeys = 0;
	int outer, fd;
	__u64 hits = 0;

	REQUIRE(skel, "map_in_map__open_and_load: %s", strerror(errno));
	outer = bpf_map__fd(skel->maps.port_hits);
	CHECK_ERR(run_xdp(skel, &udp, 2), XDP_PASS);	/* no table yet: not counted */
	fd = new_ports(skel, "udp_ports", MIM_PORTS);
	REQUIRE(fd >= 0, "creating a port table: %s", strerror(errno));
	CHECK_ERR(bpf_map_update_elem(outer, &udp_key, &fd, BPF_ANY) ? -errno : 0, 0);
	CHECK_ERR(run_xdp(skel, &udp, 6), XDP_PASS);
	CHECK_ERR(run_xdp(skel, &tcp, 3), XDP_PASS);	/* TCP has no table */
	port = 7000;
	CHECK_ERR(bpf_map_lookup_elem(fd, &port, &hits) ? -errno : 0, 0);
	CHECK_U64(hits, 6);
	for (int err = bpf_map_get_next_key(fd, NULL, &next); !err;
	     err = bpf_map_get_next_key(fd, &next, &next))
		nkeys++;
	CHECK_U64(nkeys, 1);
	CHECK_U64(outer_id(outer, IPPROTO_TCP), 0);
	CHECK_U64(seen_total(skel), 2 + 6 + 3);
	close(fd);
	map_in_map__destroy(skel);
}

/* Only IPv4 is configured: an IPv6 frame passes and is not counted. */
TEST(map_in_map, ipv6_not_counted)
{
	static const struct pkt_opts udp6 = { AF_INET6, IPPROTO_UDP, "fd00::2", "fd00::1", 8 };
	struct map_in_map *skel = map_in_map__open_and_load();

	REQUIRE(skel, "map_in_map__open_and_load: %s", strerror(errno));
	CHECK_ERR(set_cfg(bpf_map__fd(skel->maps.cfg_v1), 1, 1), 0);
	CHECK_ERR(run_xdp(skel, &udp6, 3), XDP_PASS);
	CHECK_U64(seen_total(skel), 0);
	map_in_map__destroy(skel);
}
