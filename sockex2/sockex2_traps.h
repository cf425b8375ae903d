/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sockex2_traps.h - the traps of a BPF_MAP_TYPE_HASH, shown on sockex2's live
 * map before it counts: every update flag and its error, E2BIG on a full map,
 * the two dumps and their order, deleting during a walk, lookup_and_delete.
 */
#ifndef SOCKEX2_TRAPS_H
#define SOCKEX2_TRAPS_H

#include "sockex2_hash_api.h"

/* The tour, on the empty live map, with the kernel's real answer to each
 * call. Leaves the map empty. buf holds max_entries entries. 0, or -errno
 * when an answer is not the documented one (after one line on stderr). */
int sockex2_traps_show(const struct bpf_map *map, struct sockex2_entry *buf);

#endif /* SOCKEX2_TRAPS_H */
