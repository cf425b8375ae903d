/* SPDX-License-Identifier: GPL-2.0 */
/* sockex1_traps.h - the ARRAY's traps, shown on sockex1's live map. */
#ifndef SOCKEX1_TRAPS_H
#define SOCKEX1_TRAPS_H

struct bpf_map;

/* Every slot exists and reads as zero, the key is an index (>= max_entries
 * is ENOENT), delete fails with EINVAL, and a slot is reset by writing zeros:
 * each shown with the kernel's answer on map (sockex1's proto_stats). 0, or
 * -errno when the kernel answered something else. */
int sockex1_traps(const struct bpf_map *map);

#endif /* SOCKEX1_TRAPS_H */
