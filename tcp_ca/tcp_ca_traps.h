/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tcp_ca_traps.h - the BPF_MAP_TYPE_STRUCT_OPS traps of tcp_ca, shown on the
 * live kernel right after the algorithm is registered: deleting the map's
 * element (the old way out) does not unregister it, and a struct without a
 * required callback (ca_no_undo, tcp_ca_traps_kern.h) does not register.
 */
#ifndef TCP_CA_TRAPS_H
#define TCP_CA_TRAPS_H

struct tcp_ca;

/* Print the kernel's answer to each trap. skel is loaded, tcp_ca_ops
 * registered, and ca_no_undo has BPF_F_LINK (set before load). */
void tcp_ca_traps_show(struct tcp_ca *skel);

#endif /* TCP_CA_TRAPS_H */
