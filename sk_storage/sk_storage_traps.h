/* SPDX-License-Identifier: GPL-2.0 */
/* sk_storage_traps.h - the SK_STORAGE map's traps, shown on sk_storage's live map. */
#ifndef SK_STORAGE_TRAPS_H
#define SK_STORAGE_TRAPS_H

struct bpf_map;

/* On map (sk_storage's sk_stats_map), with the kernel's answers: the key is a
 * socket fd of this process; a new socket has no storage until a program (or
 * user space) creates it; a directory's fd (dir_fd) is no key; get_next_key
 * is refused: an iterator walks the map. Prints; changes nothing it keeps. */
void sk_storage_traps(const struct bpf_map *map, int dir_fd);

#endif /* SK_STORAGE_TRAPS_H */
