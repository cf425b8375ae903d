/* SPDX-License-Identifier: GPL-2.0 */
/*
 * common/sample_kern.h - what every BPF program of the suite shares.
 *
 * vmlinux.h gives the kernel's types (struct iphdr, struct xdp_md ...) but not
 * its #defines, so the constants a packet parser needs are spelled out here.
 */
#ifndef SAMPLE_KERN_H
#define SAMPLE_KERN_H

#define ETH_ALEN 6
#define ETH_HLEN 14
#define ETH_P_IP 0x0800
#define ETH_P_ARP 0x0806
#define ETH_P_8021Q 0x8100
#define ETH_P_8021AD 0x88A8
#define ETH_P_IPV6 0x86DD

/* IPPROTO_TCP/UDP/ICMP come from vmlinux.h's enum; ICMPv6 is a #define there. */
#define IPPROTO_ICMPV6 58

/* A note, not a definition: BPF_HDR_START_NET (from vmlinux.h's enum
 * bpf_hdr_start_off) makes bpf_skb_load_bytes_relative() offsets count from the
 * network header. A socket filter on a packet socket sees skb->data at the MAC
 * header, BPF_PROG_TEST_RUN hands it skb->data at the network header; reading
 * relative to the network header gives the same bytes in both. */

#endif /* SAMPLE_KERN_H */
