/* SPDX-License-Identifier: GPL-2.0 */
/* bloom_filter.h - what bloom_filter_kern.c and bloom_filter_user.c share.
 * No includes: the BPF side gets __u32 from vmlinux.h, the user side from
 * <linux/types.h>. */
#ifndef BLOOM_FILTER_H
#define BLOOM_FILTER_H

/* Per-CPU counters (a PERCPU_ARRAY indexed by these), summed by user space. */
enum bf_counter {
	BF_PACKETS, /* IPv4 packets seen */
	BF_BLOOM_NO, /* the filter said "definitely not listed": HASH not touched */
	BF_FALSE_POSITIVE, /* the filter said "maybe", the HASH said no */
	BF_LISTED, /* in the deny list: dropped */
	BF_NCOUNTERS,
};

_Static_assert(BF_NCOUNTERS == 4, "bf_counter is shared with BPF");

#endif /* BLOOM_FILTER_H */
