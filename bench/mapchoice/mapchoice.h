/* SPDX-License-Identifier: GPL-2.0 */
/* mapchoice.h - what mapchoice_kern.c and mapchoice.c share (no includes). */
#ifndef BENCH_MAPCHOICE_H
#define BENCH_MAPCHOICE_H

/* Operations per program run: a loop of MAPCHOICE_OPS iterations. */
#define MAPCHOICE_OPS 256

/* The tenant whose table the two-level and the flat lookups read. */
#define MAPCHOICE_TENANT 7

/* Keys put in the cookie- and pid-keyed HASHes besides the one looked up,
 * so that neither side looks up a table of one entry. */
#define MAPCHOICE_OTHERS 255
#define MAPCHOICE_OTHER_BASE 0x7f000000u

/* The value every per-owner side keeps: a packet and a byte counter. */
struct owner_val {
	__u64 ops;
	__u64 sum;
};

/* The flat table's key: the tenant and the key inside the tenant's table. */
struct flat_key {
	__u32 tenant;
	__u32 key;
};

_Static_assert(sizeof(struct owner_val) == 16, "owner_val is shared with BPF");
_Static_assert(sizeof(struct flat_key) == 8, "flat_key is shared with BPF");

#endif /* BENCH_MAPCHOICE_H */
