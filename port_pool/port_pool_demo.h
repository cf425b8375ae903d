/* SPDX-License-Identifier: GPL-2.0 */
/* port_pool_demo.h - the no-argument demo: TCP flows opened (SYN) and ended
 * (FIN) as crafted frames run through the XDP program with BPF_PROG_TEST_RUN,
 * the same frames for every pool given, so a QUEUE and a STACK see the same
 * traffic side by side. */
#ifndef PORT_POOL_DEMO_H
#define PORT_POOL_DEMO_H

#define PP_DEMO_POOL 32 /* ports per pool in the demo */

struct pp_demo;

/* prog_fds: the XDP program of each pool (n of them). NULL after one line. */
struct pp_demo *pp_demo_open(const int *prog_fds, int n);
/* One step: end the 4 oldest flows (FIN), then open 4 new ones (16 from the
 * third step on, more than the pool holds: the surplus is refused). */
int pp_demo_step(struct pp_demo *d);
/* Print "demo sent: ..." and free it. NULL is fine. */
void pp_demo_close(struct pp_demo *d);

#endif /* PORT_POOL_DEMO_H */
