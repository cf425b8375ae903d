/* SPDX-License-Identifier: GPL-2.0 */
/* port_pool_traps.h - the user-space API of the keyless maps, shown before the
 * run on scratch maps of 3 entries, a QUEUE and a STACK: the NULL key, push on
 * a full map (E2BIG), BPF_EXIST (the oldest is overwritten), peek, pop until
 * empty (ENOENT). */
#ifndef PORT_POOL_TRAPS_H
#define PORT_POOL_TRAPS_H

/* Print both maps' answers, as the kernel gives them. */
void pp_show_traps(void);

#endif /* PORT_POOL_TRAPS_H */
