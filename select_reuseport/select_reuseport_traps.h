/* SPDX-License-Identifier: GPL-2.0 */
/*
 * select_reuseport_traps.h - the REUSEPORT_SOCKARRAY's traps, shown on
 * select_reuseport's live map before anything is sent.
 */
#ifndef SELECT_REUSEPORT_TRAPS_H
#define SELECT_REUSEPORT_TRAPS_H

#include <linux/types.h>

struct select_reuseport;

/* Each trap with the kernel's real answer, in slot SR_MAX_WORKERS - 1 (above
 * the workers' slots): an unbound socket, a socket of another group (port + 2),
 * a closed socket's slot, worker0 (the group's first worker, on port) in a
 * second slot, and what a lookup returns. 0 or -errno. */
int select_reuseport_traps_show(struct select_reuseport *skel, __u16 port, int worker0);

#endif /* SELECT_REUSEPORT_TRAPS_H */
