/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sockmap_entries.h - how many sockets a SOCKHASH or a SOCKMAP holds now: the
 * "entries" column of sockmap's rows (and the demo's count while a connection
 * is open and after it closed).
 */
#ifndef SOCKMAP_ENTRIES_H
#define SOCKMAP_ENTRIES_H

struct bpf_map;

/* A SOCKHASH walked by key, a SOCKMAP by looking up every slot. */
int sockmap_entries(const struct bpf_map *map);

#endif /* SOCKMAP_ENTRIES_H */
