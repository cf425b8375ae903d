/* SPDX-License-Identifier: GPL-2.0 */
/* bloom_filter_demo.h - the no-argument demo: a deny list of 1,000 addresses
 * and, each step, 10,000 frames from random sources (1% of them listed) run
 * through the XDP program with BPF_PROG_TEST_RUN. At the third step it takes
 * 100 addresses off the list, so the filter must be rebuilt. */
#ifndef BLOOM_FILTER_DEMO_H
#define BLOOM_FILTER_DEMO_H

#include <linux/types.h>

#define BF_DEMO_LISTED 1000

struct bf_demo;
struct bloom_filter;

/* Fill skel's deny_list with the demo's addresses; hashes: the filters' k
 * (their size is deny_list's max_entries). NULL after one line. */
struct bf_demo *bf_demo_open(struct bloom_filter *skel, __u32 hashes);
/* Send one step of frames. Returns 1 when it changed the deny list (the
 * filter must be rebuilt), 0, or -errno. */
int bf_demo_step(struct bf_demo *d);
/* Print "demo sent: ..." with the false positives the same hashing predicts
 * in user space (the demo's filters use BPF_F_ZERO_SEED), and free it. */
void bf_demo_close(struct bf_demo *d, unsigned long long measured_fp);

#endif /* BLOOM_FILTER_DEMO_H */
