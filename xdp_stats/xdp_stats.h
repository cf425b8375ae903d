/* SPDX-License-Identifier: GPL-2.0 */
/* xdp_stats.h - what xdp_stats_kern.c and xdp_stats_user.c share. No includes:
 * the BPF side gets __u64 from vmlinux.h, the user side from <linux/types.h>. */
#ifndef XDP_STATS_H
#define XDP_STATS_H

/* One slot per XDP action; the key is the action's number:
 * 0 XDP_ABORTED, 1 XDP_DROP, 2 XDP_PASS, 3 XDP_TX, 4 XDP_REDIRECT. */
#define XDP_STATS_NACTIONS 5

/* Which maps the program updates (rodata `maps`, a bit mask). */
#define XDP_STATS_MAP_ARRAY (1u << 0) /* BPF_MAP_TYPE_ARRAY, atomic adds */
#define XDP_STATS_MAP_PERCPU (1u << 1) /* BPF_MAP_TYPE_PERCPU_ARRAY, plain adds */
#define XDP_STATS_MAP_BOTH (XDP_STATS_MAP_ARRAY | XDP_STATS_MAP_PERCPU)

struct datarec {
	__u64 rx_packets;
	__u64 rx_bytes; /* frame bytes the program saw: data_end - data */
};

_Static_assert(sizeof(struct datarec) == 16, "datarec is shared with BPF");

#endif /* XDP_STATS_H */
