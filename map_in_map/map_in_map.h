/* SPDX-License-Identifier: GPL-2.0 */
/* map_in_map.h - what map_in_map_kern.c and map_in_map_user.c share. No
 * includes: the BPF side gets __u32 from vmlinux.h, the user side from
 * <linux/types.h>. */
#ifndef MAP_IN_MAP_H
#define MAP_IN_MAP_H

/* One configuration: the value of slot 0 of every config inner map (an ARRAY
 * with MIM_CFG_ENTRIES slot). The program drops the packet if drop is set, and
 * counts the packet under version. */
struct mim_config {
	__u32 version;
	__u32 drop; /* 0: XDP_PASS, else XDP_DROP (a zeroed slot passes) */
};

#define MIM_CFG_ENTRIES 1

/* Packets counted per configuration version: an ARRAY indexed by
 * version % MIM_VERSIONS (user space zeroes a slot before it reuses it). */
#define MIM_VERSIONS 256

/* Per-protocol overrides (HASH_OF_MAPS, key = IP protocol) and per-protocol
 * port counters (HASH_OF_MAPS of HASH, key = IP protocol, inner key = port). */
#define MIM_PROTOS 16
#define MIM_PORTS 64

_Static_assert(sizeof(struct mim_config) == 8, "mim_config is shared with BPF");

#endif /* MAP_IN_MAP_H */
