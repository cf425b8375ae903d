/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sockmap_traps.h - the traps of a SOCKHASH / SOCKMAP, shown on sockmap's live
 * map with sockets of this process before anything counts.
 */
#ifndef SOCKMAP_TRAPS_H
#define SOCKMAP_TRAPS_H

struct sockmap;
struct bpf_map;

/* Which sockets a map takes, what a lookup returns (a cookie, in 8 bytes),
 * an entry leaving with its socket, and sk_msg refused on a cgroup (cg_fd).
 * Prints what the kernel answered; leaves the map as it found it. */
void sockmap_traps_show(struct sockmap *skel, const struct bpf_map *map, int cg_fd);

#endif /* SOCKMAP_TRAPS_H */
