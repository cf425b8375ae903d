/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sockex2_hash_api.h - the user-side API of a BPF_MAP_TYPE_HASH, as sockex2
 * counts with it: the two ways to dump a hash (a bpf_map_get_next_key() walk
 * and bpf_map_lookup_batch()) and read-and-reset with lookup_and_delete.
 */
#ifndef SOCKEX2_HASH_API_H
#define SOCKEX2_HASH_API_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "sockex2.h"

/* ENOTSUPP is the kernel's internal 524, which old kernels leak to user space
 * for commands a map type does not implement. */
#ifndef ENOTSUPP
#define ENOTSUPP 524
#endif

#define SOCKEX2_BATCH_SIZE 64 /* entries per bpf_map_lookup_batch() call */

struct bpf_map;

/* One map entry, as both dumps return it. */
struct sockex2_entry {
	struct dst_key key;
	struct dst_counts val;
};

const char *sockex2_key_to_text(const struct dst_key *key, char *buf, size_t len);
/* Sort by family, then address: the map's own order is the hash order. */
void sockex2_sort_entries(struct sockex2_entry *e, int n);

/* Dump the map with a get_next_key walk: number of entries or -errno. */
int sockex2_dump_walk(const struct bpf_map *map, struct sockex2_entry *out, __u32 max);
/* Take every entry out (lookup_and_delete): entries or -errno. */
int sockex2_take_all(const struct bpf_map *map, struct sockex2_entry *out, __u32 max);

/* The map dumped both ways: a walk into buf (max entries, left in the map's
 * order), lookup_batch (kernel 5.6+) into a buffer of its own, compared. */
struct sockex2_dumps {
	int walk; /* entries, or -errno */
	int batch; /* entries, or -errno */
	int calls; /* lookup_batch calls */
	bool same; /* the two dumps hold the same entries */
};
/* 0, or -errno when the walk fails (a failed batch is d->batch < 0). */
int sockex2_dump_both(const struct bpf_map *map, struct sockex2_entry *buf, __u32 max,
		      struct sockex2_dumps *d);

#endif /* SOCKEX2_HASH_API_H */
