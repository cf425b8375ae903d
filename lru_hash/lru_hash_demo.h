/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lru_hash_demo.h - lru_hash's no-argument demo: no network, the XDP program
 * is run on frames made in memory (BPF_PROG_TEST_RUN), on one pinned CPU. At
 * every step: new_per_step new flows of one packet each, and before every
 * 16th new flow one packet of each of 8 "hot" flows, so that an LRU map has
 * something recently used to keep while it evicts.
 */
#ifndef LRU_HASH_DEMO_H
#define LRU_HASH_DEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#define LRU_HASH_DEMO_HOT 8 /* hot flows */

struct lru_hash;

struct lru_hash_demo {
	bool open;
	struct lru_hash *skel; /* the program it runs, the flow map it checks */
	int cpu; /* the CPU it stays on */
	__u32 new_per_step;
	__u64 next_flow; /* new flows sent so far */
	__u64 hot_sent; /* packets sent per hot flow */
};

/* Pin the process to the CPU it runs on: an LRU map's free lists are per
 * CPU, so which entries are evicted depends on where each insert runs, and
 * one CPU makes the numbers the same on every run. 0 or -errno after one line. */
int lru_hash_demo_open(struct lru_hash_demo *d, struct lru_hash *skel, __u32 new_per_step);
/* What the header line says about the demo ("demo: BPF_PROG_TEST_RUN on
 * CPU ..."), into buf. */
void lru_hash_demo_about(const struct lru_hash_demo *d, char *buf, size_t len);
/* Send one step of flows through the program. 0 or -errno after one line. */
int lru_hash_demo_step(struct lru_hash_demo *d);
/* For a row: flows sent so far (0 when not open), and the hot flows still in
 * the map as "alive/8" into buf ("-" when not open). */
__u64 lru_hash_demo_flows(const struct lru_hash_demo *d);
void lru_hash_demo_hot(const struct lru_hash_demo *d, char *buf, size_t len);
/* If open: print which flows survived, and "demo sent: ...". Call it before
 * the skeleton is destroyed. */
void lru_hash_demo_close(struct lru_hash_demo *d);

#endif /* LRU_HASH_DEMO_H */
