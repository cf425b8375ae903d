// SPDX-License-Identifier: GPL-2.0
/*
 * map_in_map_traps.c - the map-in-map rules people trip on, shown on the
 * sample's live maps before it starts swapping (see map_in_map_traps.h).
 */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <netinet/in.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "map_in_map.h"
#include "map_in_map_inner.h"
#include "map_in_map_traps.h"

/* What an outer map holds, as user space sees it: a map id, not an fd. */
static int show_static_slot(struct bpf_map *cfg_outer, struct bpf_map *cfg_v1)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	__u32 zero = 0;
	__u32 id = 0;
	__u32 v1_id = map_in_map_inner_id(bpf_map__fd(cfg_v1));
	int fd, err;

	printf("map-in-map on the live maps:\n");
	err = bpf_map__lookup_elem(cfg_outer, &zero, sizeof(zero), &id, sizeof(id), 0);
	if (err)
		return err;
	/* The value is a map id: turn it into an fd to ask the kernel about it. */
	fd = bpf_map_get_fd_by_id(id);
	if (fd < 0)
		return -errno;
	err = bpf_obj_get_info_by_fd(fd, &info, &len);
	if (err)
		err = -errno;
	close(fd);
	if (err)
		return err;
	printf("  cfg_outer[0] (set in the object: .values = { [0] = &cfg_v1 })\n"
	       "      lookup -> %u, a map id, not an fd: bpf_map_get_fd_by_id(%u) -> "
	       "name %s, type %s, key %u, value %u, max_entries %u\n",
	       id, id, info.name, libbpf_bpf_map_type_str(info.type), info.key_size,
	       info.value_size, info.max_entries);
	if (id != v1_id) {
		printf("      the object's cfg_v1 is map id %u: a DIFFERENT map\n", v1_id);
		return -EINVAL;
	}
	printf("      the object's cfg_v1 is map id %u: the same map\n", v1_id);
	return 0;
}

/* Inner maps of the wrong shape: the kernel compares each with the template
 * the outer map was created with, and refuses a mismatch with EINVAL. */
static int show_incompatible(struct bpf_map *cfg_outer, struct bpf_map *port_hits)
{
	static const struct {
		const char *what;
		enum bpf_map_type type;
		__u32 key, value, max;
	} bad[] = {
		{ "HASH instead of ARRAY", BPF_MAP_TYPE_HASH, 4, 8, 1 },
		{ "ARRAY, value size 16 instead of 8", BPF_MAP_TYPE_ARRAY, 4, 16, 1 },
		{ "ARRAY, max_entries 2 instead of 1", BPF_MAP_TYPE_ARRAY, 4, 8, 2 },
		{ "HASH, key size 8 instead of 4", BPF_MAP_TYPE_HASH, 8, 8, MIM_PORTS },
	};

	printf("  inner maps of another shape are refused (the kernel compares each with the\n"
	       "  template: type, key size, value size, flags, and for arrays max_entries):\n");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		/* The last one goes into the hash of hashes, under key TCP. */
		struct bpf_map *outer = i < 3 ? cfg_outer : port_hits;
		__u32 key = i < 3 ? 0 : IPPROTO_TCP;
		int fd = bpf_map_create(bad[i].type, "bad_inner", bad[i].key, bad[i].value,
					bad[i].max, NULL);
		int err;

		if (fd < 0)
			return -errno;
		err = bpf_map__update_elem(outer, &key, sizeof(key), &fd, sizeof(fd), 0);
		close(fd);
		if (!err) {
			printf("      %-9s <- %-36s -> accepted (unexpected)\n",
			       bpf_map__name(outer), bad[i].what);
			return -EINVAL;
		}
		printf("      %-9s <- %-36s -> %s\n", bpf_map__name(outer), bad[i].what,
		       sample_strerror(err));
		if (err != -EINVAL)
			return err;
	}
	return 0;
}

/* A HASH_OF_MAPS entry holds a reference to its inner map; deleting the entry
 * drops it, and with no other reference the inner map is freed. */
static int show_hash_delete(struct bpf_map *proto_cfg, const struct bpf_map *cfg_v1)
{
	__u32 proto = IPPROTO_ICMP, id, got = 0;
	int fd, err;

	fd = map_in_map_new_config(cfg_v1, 900, 0);
	if (fd < 0)
		return fd;
	id = map_in_map_inner_id(fd);
	err = bpf_map__update_elem(proto_cfg, &proto, sizeof(proto), &fd, sizeof(fd), BPF_NOEXIST);
	close(fd); /* from here only proto_cfg holds it */
	if (err)
		return err;
	err = bpf_map__lookup_elem(proto_cfg, &proto, sizeof(proto), &got, sizeof(got), 0);
	if (err) {
		printf("  proto_cfg[ICMP] = a new cfg_v900 (id %u), our fd closed -> lookup %s %u\n",
		       id, sample_strerror(err), got);
		return err;
	}
	printf("  proto_cfg[ICMP] = a new cfg_v900 (id %u), our fd closed -> lookup gives id %u\n",
	       id, got);
	if (got != id)
		return -EINVAL;
	err = bpf_map__delete_elem(proto_cfg, &proto, sizeof(proto), 0);
	if (err)
		return err;
	/* The kernel frees the inner map after an RCU grace period: wait a bit. */
	for (int i = 0; i < 200; i++) {
		fd = bpf_map_get_fd_by_id(id);
		if (fd < 0)
			break;
		close(fd);
		usleep(10000);
	}
	if (fd < 0 && errno == ENOENT) {
		printf("  delete proto_cfg[ICMP]                 -> map id %u: gone (the outer map "
		       "held the last reference)\n\n",
		       id);
		return 0;
	}
	printf("  delete proto_cfg[ICMP]                 -> map id %u: still there (unexpected)\n\n",
	       id);
	return -EBUSY;
}

int map_in_map_show_traps(struct bpf_map *cfg_outer, struct bpf_map *cfg_v1,
			  struct bpf_map *proto_cfg, struct bpf_map *port_hits)
{
	int err;

	err = show_static_slot(cfg_outer, cfg_v1);
	if (!err)
		err = show_incompatible(cfg_outer, port_hits);
	if (!err)
		err = show_hash_delete(proto_cfg, cfg_v1);
	if (err)
		fprintf(stderr, "map_in_map: the map-in-map checks failed: %s\n",
			sample_strerror(err));
	return err;
}
