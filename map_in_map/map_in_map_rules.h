/* SPDX-License-Identifier: GPL-2.0 */
/*
 * map_in_map_rules.h - the inner maps map_in_map makes, and the map-in-map
 * rules it shows on the live maps before it starts swapping.
 */
#ifndef MAP_IN_MAP_RULES_H
#define MAP_IN_MAP_RULES_H

#include <linux/types.h>

struct bpf_map;

/* The id of the map behind fd (0 if the kernel does not say). */
__u32 mim_map_id(int fd);

/* A new config inner map of exactly the template's shape and with the object's
 * BTF (taken from cfg_v1: Linux 6.1 refuses a BTF-less inner map against a
 * template made with BTF), slot 0 filled, named "cfg_v<version>" so that
 * bpftool map show tells the versions apart. Returns its fd or -errno. */
int mim_new_config(const struct bpf_map *cfg_v1, __u32 version, __u32 drop);

/* An empty port table (inner HASH) for proto in the hash of hashes, with the
 * object's BTF (seen has its key and value types). 0 or -errno. */
int mim_add_port_table(struct bpf_map *port_hits, const struct bpf_map *seen, __u32 proto);

/* Print, on the live maps: the statically initialised cfg_outer[0] read back as
 * a map id; inner maps of another shape refused with EINVAL; a proto_cfg entry
 * whose inner map is freed when the entry is deleted. 0, or -errno after one
 * line on stderr when the kernel answered otherwise. */
int mim_show_rules(struct bpf_map *cfg_outer, struct bpf_map *cfg_v1, struct bpf_map *proto_cfg,
		   struct bpf_map *port_hits);

#endif /* MAP_IN_MAP_RULES_H */
