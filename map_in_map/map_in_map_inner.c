// SPDX-License-Identifier: GPL-2.0
/* map_in_map_inner.c - the inner maps map_in_map makes (see map_in_map_inner.h). */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <netinet/in.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "map_in_map.h"
#include "map_in_map_inner.h"

__u32 map_in_map_inner_id(int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	/* bpf_obj_get_info_by_fd: libbpf 1.1 has no bpf_map_get_info_by_fd. */
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return 0;
	return info.id;
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
	err = -errno;
	close(btf_fd);
	if (fd < 0)
		return err;
	return fd;
}

int map_in_map_new_config(const struct bpf_map *cfg_v1, __u32 version, __u32 drop)
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

int map_in_map_add_port_table(struct bpf_map *port_hits, const struct bpf_map *seen, __u32 proto)
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
