/* SPDX-License-Identifier: GPL-2.0 */
/*
 * map_in_map_traps.h - the map-in-map rules map_in_map shows on its live maps
 * before it starts swapping.
 */
#ifndef MAP_IN_MAP_TRAPS_H
#define MAP_IN_MAP_TRAPS_H

struct bpf_map;

/* Print, on the live maps: the statically initialised cfg_outer[0] read back as
 * a map id; inner maps of another shape refused with EINVAL; a proto_cfg entry
 * whose inner map is freed when the entry is deleted. 0, or -errno after one
 * line on stderr when the kernel answered otherwise. */
int map_in_map_show_traps(struct bpf_map *cfg_outer, struct bpf_map *cfg_v1,
			  struct bpf_map *proto_cfg, struct bpf_map *port_hits);

#endif /* MAP_IN_MAP_TRAPS_H */
