/* SPDX-License-Identifier: GPL-2.0 */
/* bloom_filter_demo.h - the no-argument demo: a deny list of 1,000 addresses
 * and, each step, 10,000 frames from random sources (1% of them listed) run
 * through the XDP program with BPF_PROG_TEST_RUN. At the third step it takes
 * 100 addresses off the list, so the filter must be rebuilt. */
#ifndef BLOOM_FILTER_DEMO_H
#define BLOOM_FILTER_DEMO_H

#include <linux/types.h>
#include <linux/bpf.h>

#define BLOOM_FILTER_DEMO_LISTED 1000
/* The demo's filters have a zero hash seed, so that user space can predict
 * their false positives (bloom_filter_model.h). */
#define BLOOM_FILTER_DEMO_FLAGS BPF_F_ZERO_SEED

struct bloom_filter_demo;
struct bloom_filter;

/* Fill skel's deny_list with the demo's addresses; hashes: the filters' k
 * (their size is deny_list's max_entries). NULL after one line. */
struct bloom_filter_demo *bloom_filter_demo_open(struct bloom_filter *skel, __u32 hashes);
/* Send one step of frames. Returns 1 when it changed the deny list (the
 * filter must be rebuilt), 0, or -errno. */
int bloom_filter_demo_step(struct bloom_filter_demo *d);
/* Print "demo sent: ..." with the false positives the same hashing predicts
 * in user space (the demo's filters use BPF_F_ZERO_SEED), and free it. */
void bloom_filter_demo_close(struct bloom_filter_demo *d, unsigned long long measured_fp);

#endif /* BLOOM_FILTER_DEMO_H */
