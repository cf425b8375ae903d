/* SPDX-License-Identifier: GPL-2.0 */
/* maps.h - what maps_kern.c and the maps bench share (no includes). */
#ifndef BENCH_MAPS_H
#define BENCH_MAPS_H

/* Keys every map-op program touches per run: 0 .. MAPOPS_KEYS-1, all present. */
#define MAPOPS_KEYS 256

/* The LPM trie's key: a /32 "address" i, so a lookup walks the whole trie. */
struct lpm_key {
	__u32 prefixlen;
	__u32 addr;
};

_Static_assert(sizeof(struct lpm_key) == 8, "lpm_key is shared with BPF");

#endif /* BENCH_MAPS_H */
