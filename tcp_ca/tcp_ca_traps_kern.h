/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tcp_ca_traps_kern.h - the struct_ops traps of tcp_ca, in the same object
 * (and skeleton) as the algorithm: included at the end of tcp_ca_kern.c, which
 * defines the callbacks they reuse. The loader registers ca_no_undo to show
 * the kernel's answer (tcp_ca_traps.c); the tests register both. A copy made
 * with make new ... BARE=1 has neither.
 */
#ifndef TCP_CA_TRAPS_KERN_H
#define TCP_CA_TRAPS_KERN_H

/*
 * ca_no_undo lacks .undo_cwnd, one of the callbacks the kernel requires
 * (ssthresh, undo_cwnd, and cong_avoid or cong_control): the map is created,
 * but registering it fails with EINVAL.
 */
SEC(".struct_ops")
struct tcp_congestion_ops ca_no_undo = {
	.ssthresh = (void *)reno_ssthresh,
	.cong_avoid = (void *)reno_cong_avoid,
	.name = "bpf_ca_no_undo",
};

/* A callback may write only a few fields of the socket (snd_cwnd,
 * snd_cwnd_cnt, snd_ssthresh, ecn_flags, the pacing fields, icsk_ca_priv...):
 * the verifier refuses this program. "?" turns its autoload off, so that the
 * object loads; a test turns it on to read the verifier's words. */
SEC("?struct_ops/bad_write_ssthresh")
__u32 BPF_PROG(bad_write_ssthresh, struct sock *sk)
{
	tcp_sk(sk)->snd_una = 0; /* refused: not a field a CA may write */
	return 2;
}

SEC(".struct_ops")
struct tcp_congestion_ops ca_bad_write = {
	.ssthresh = (void *)bad_write_ssthresh,
	.cong_avoid = (void *)reno_cong_avoid,
	.undo_cwnd = (void *)reno_undo_cwnd,
	.name = "bpf_ca_bad",
};

#endif /* TCP_CA_TRAPS_KERN_H */
