/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cpumap_traps.h - the CPUMAP's traps, shown on the live map before any
 * packet: a lookup returns the qsize and the id (not the fd) of the
 * second-stage program; an update for a CPU that does not exist is refused
 * with ENODEV, one for a key at or past max_entries with E2BIG.
 */
#ifndef CPUMAP_TRAPS_H
#define CPUMAP_TRAPS_H

#include <linux/types.h>

struct bpf_map;

/* Look up each CPU of set[] (the entries the loader made), then try the two
 * updates the kernel must refuse, printing every answer. 0, or -errno after
 * one line if the map did not answer as documented. */
int cpumap_traps_show(const struct bpf_map *cpu_map, const __u32 *set, __u32 set_len);

#endif /* CPUMAP_TRAPS_H */
