// SPDX-License-Identifier: GPL-2.0
/* map_in_map_rules.c - see map_in_map_rules.h. */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <netinet/in.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "map_in_map.h"
#include "map_in_map_rules.h"

__u32 mim_map_id(int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	/* bpf_obj_get_info_by_fd: libbpf 1.1 has no bpf_map_get_info_by_fd. */
	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

/* A new map of type and max_entries whose key and value carry the BTF types of
 * like's key and value (the object's BTF, found through like's map info).
 * Linux 6.1 compares an inner map's BTF-derived layout with the template's as
 * well as its shape: a map made without BTF has no "timer offset" (-EINVAL),
 * libbpf's template made with BTF found none (-ENOENT), and the two do not
 * match, so the update is refused with EINVAL. 6.2 compares the BTF records
 * instead, and both kinds match. Made with the object's BTF, an inner map
 * matches on both. Returns its fd or -errno. */
static int create_like(const struct bpf_map *like, enum bpf_map_type type, const char *name,
		       __u32 max_entries)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts);
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	int btf_fd, fd, err;

	err = bpf_obj_get_info_by_fd(bpf_map__fd(like), &info, &len);
	if (err)
		return -errno;
	btf_fd = bpf_btf_get_fd_by_id(info.btf_id);
	if (btf_fd < 0)
		return -errno;
	opts.btf_fd = btf_fd;
	opts.btf_key_type_id = info.btf_key_type_id;
	opts.btf_value_type_id = info.btf_value_type_id;
	fd = bpf_map_create(type, name, info.key_size, info.value_size, max_entries, &opts);
	err = fd < 0 ? -errno : 0;
	close(btf_fd);
	return err ? err : fd;
}

int mim_new_config(const struct bpf_map *cfg_v1, __u32 version, __u32 drop)
{
	struct mim_config cfg = { .version = version, .drop = drop };
	char name[BPF_OBJ_NAME_LEN];
	__u32 zero = 0;
	int fd, err;

	snprintf(name, sizeof(name), "cfg_v%u", version);
	fd = create_like(cfg_v1, BPF_MAP_TYPE_ARRAY, name, MIM_CFG_ENTRIES);
	if (fd < 0)
		return fd;
	if (bpf_map_update_elem(fd, &zero, &cfg, BPF_ANY)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

int mim_add_port_table(struct bpf_map *port_hits, const struct bpf_map *seen, __u32 proto)
{
	int fd, err;

	/* seen's key and value are port_inner's: __u32 -> __u64. */
	fd = create_like(seen, BPF_MAP_TYPE_HASH, "ports", MIM_PORTS);
	if (fd < 0)
		return fd;
	err = bpf_map__update_elem(port_hits, &proto, sizeof(proto), &fd, sizeof(fd), 0);
	close(fd);
	return err;
}

/* What an outer map holds, as user space sees it: a map id, not an fd. */
static int show_static_slot(struct bpf_map *cfg_outer, struct bpf_map *cfg_v1)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), zero = 0, id = 0, v1_id = mim_map_id(bpf_map__fd(cfg_v1));
	int fd, err;

	printf("map-in-map on the live maps:\n");
	err = bpf_map__lookup_elem(cfg_outer, &zero, sizeof(zero), &id, sizeof(id), 0);
	if (err)
		return err;
	/* The value is a map id: turn it into an fd to ask the kernel about it. */
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
	printf("      the object's cfg_v1 is map id %u: %s\n", v1_id,
	       id == v1_id ? "the same map" : "a DIFFERENT map");
	return id == v1_id ? 0 : -EINVAL;
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
		printf("      %-9s <- %-36s -> %s\n", bpf_map__name(outer), bad[i].what,
		       err ? sample_strerror(err) : "accepted (unexpected)");
		if (err != -EINVAL)
			return err ? err : -EINVAL;
	}
	return 0;
}

/* A HASH_OF_MAPS entry holds a reference to its inner map; deleting the entry
 * drops it, and with no other reference the inner map is freed. */
static int show_hash_delete(struct bpf_map *proto_cfg, const struct bpf_map *cfg_v1)
{
	__u32 proto = IPPROTO_ICMP, id, got = 0;
	int fd, err;

	fd = mim_new_config(cfg_v1, 900, 0);
	if (fd < 0)
		return fd;
	id = mim_map_id(fd);
	err = bpf_map__update_elem(proto_cfg, &proto, sizeof(proto), &fd, sizeof(fd), BPF_NOEXIST);
	close(fd); /* from here only proto_cfg holds it */
	if (err)
		return err;
	err = bpf_map__lookup_elem(proto_cfg, &proto, sizeof(proto), &got, sizeof(got), 0);
	printf("  proto_cfg[ICMP] = a new cfg_v900 (id %u), our fd closed -> lookup %s %u\n", id,
	       err ? sample_strerror(err) : "gives id", got);
	if (err || got != id)
		return err ? err : -EINVAL;
	if ((err = bpf_map__delete_elem(proto_cfg, &proto, sizeof(proto), 0)))
		return err;
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
	       err == -ENOENT ? "gone (the outer map held the last reference)" :
				"still there (unexpected)");
	return err == -ENOENT ? 0 : -EBUSY;
}

int mim_show_rules(struct bpf_map *cfg_outer, struct bpf_map *cfg_v1, struct bpf_map *proto_cfg,
		   struct bpf_map *port_hits)
{
	int err;

	if ((err = show_static_slot(cfg_outer, cfg_v1)) ||
	    (err = show_incompatible(cfg_outer, port_hits)) ||
	    (err = show_hash_delete(proto_cfg, cfg_v1)))
		fprintf(stderr, "map_in_map: the map-in-map checks failed: %s\n",
			sample_strerror(err));
	return err;
}
