/* SPDX-License-Identifier: GPL-2.0 */
/* sk_storage.h - what sk_storage_kern.c and sk_storage_user.c share. No
 * includes: the BPF side gets __u64 from vmlinux.h, the user side from
 * <linux/types.h>. */
#ifndef SK_STORAGE_H
#define SK_STORAGE_H

enum sk_role {
	SK_ROLE_CLIENT = 1, /* connect(): BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB */
	SK_ROLE_SERVER = 2, /* accept():  BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB */
};

/* The per-socket value in the SK_STORAGE map. The counters are a snapshot of
 * the kernel's TCP state (bpf_tcp_sock) taken at every callback: established,
 * each RTT sample, each state change, each retransmission. */
struct sk_stats {
	__u64 bytes_acked; /* sent and acknowledged (counts SYN and FIN too) */
	__u64 bytes_received; /* received in order (counts FIN too) */
	__u64 segs_out;
	__u64 segs_in;
	__u64 data_segs_out;
	__u64 data_segs_in;
	__u64 total_retrans; /* retransmitted segments */
	__u64 delivered; /* segments delivered to the peer (RFC 8985 style) */
	__u64 srtt_us; /* smoothed RTT, microseconds */
	__u64 rtt_samples; /* BPF_SOCK_OPS_RTT_CB calls */
	__u64 retrans_cbs; /* BPF_SOCK_OPS_RETRANS_CB calls */
	__u64 callbacks; /* every sockops call that updated this value */
	__u32 role; /* enum sk_role */
	__u32 state; /* TCP state (1 ESTABLISHED ... 7 CLOSE), after the last change */
};

_Static_assert(sizeof(struct sk_stats) == 104, "sk_stats is shared with BPF");

/* What the iterator writes for each socket that has storage (-c mode). */
struct sk_record {
	__u32 family; /* AF_INET or AF_INET6 */
	__u16 lport, rport; /* host byte order */
	__u8 laddr[16], raddr[16]; /* IPv4: the first 4 bytes */
	struct sk_stats st;
};

_Static_assert(sizeof(struct sk_record) == 144, "sk_record is shared with BPF");

#endif /* SK_STORAGE_H */
