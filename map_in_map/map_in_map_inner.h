/* SPDX-License-Identifier: GPL-2.0 */
/*
 * map_in_map_inner.h - the inner maps map_in_map makes: each with the
 * template's shape and the object's BTF, so that the kernel accepts it into an
 * outer map.
 */
#ifndef MAP_IN_MAP_INNER_H
#define MAP_IN_MAP_INNER_H

#include <linux/types.h>

struct bpf_map;

/* The id of the map behind fd (0 if the kernel does not say). */
__u32 map_in_map_inner_id(int fd);

/* A new config inner map of exactly the template's shape and with the object's
 * BTF (taken from cfg_v1: Linux 6.1 refuses a BTF-less inner map against a
 * template made with BTF), slot 0 filled, named "cfg_v<version>" so that
 * bpftool map show tells the versions apart. Returns its fd or -errno. */
int map_in_map_new_config(const struct bpf_map *cfg_v1, __u32 version, __u32 drop);

/* An empty port table (inner HASH) for proto in the hash of hashes, with the
 * object's BTF (seen has its key and value types). 0 or -errno. */
int map_in_map_add_port_table(struct bpf_map *port_hits, const struct bpf_map *seen, __u32 proto);

#endif /* MAP_IN_MAP_INNER_H */
