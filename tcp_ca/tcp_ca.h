/* SPDX-License-Identifier: GPL-2.0 */
/* tcp_ca.h - what tcp_ca_kern.c and tcp_ca_user.c share. No includes: the
 * BPF side gets __u64 from vmlinux.h, the user side from <linux/types.h>. */
#ifndef TCP_CA_H
#define TCP_CA_H

/* The key of the cb_stats ARRAY: one slot per callback of the algorithm. */
enum tcp_ca_cb {
	CB_INIT, /* a connection starts using the algorithm */
	CB_SSTHRESH, /* a loss or ECN: halve */
	CB_CONG_AVOID, /* an ACK that may grow cwnd; units = segments it acked */
	CB_SET_STATE, /* Open / Disorder / CWR / Recovery / Loss changes */
	CB_CWND_EVENT, /* TX_START, CWND_RESTART, COMPLETE_CWR, LOSS ... */
	CB_IN_ACK_EVENT, /* every ACK that tcp_ack() processes */
	CB_PKTS_ACKED, /* an ACK that acked data; units = segments acked */
	CB_UNDO_CWND, /* a loss turned out spurious */
	CB_RELEASE, /* a connection stops using it; units = its own segments acked */
	TCP_CA_NCB,
};

/* One slot: how often the callback ran, and what it counted (see above). */
struct cb_stat {
	__u64 calls;
	__u64 units;
};

_Static_assert(sizeof(struct cb_stat) == 16, "cb_stat is shared with BPF");

/* The algorithm's name is the struct's name field; this is the placeholder in
 * tcp_ca_kern.c that the loader replaces with a name unique to the process. */
#define TCP_CA_NAME_PLACEHOLDER "bpf_ca_unnamed"
#define TCP_CA_NAME_LEN 16 /* TCP_CA_NAME_MAX, with the NUL */

#endif /* TCP_CA_H */
