/* SPDX-License-Identifier: GPL-2.0 */
/* user_ringbuf_traps.h - the user ring buffer's traps, shown on a scratch ring
 * of one page before the run: how many records fit (each takes an 8-byte
 * header and is rounded up to 8), reserve on a full ring (ENOSPC),
 * reserve_blocking with no drain coming (ENOSPC after its timeout), a record
 * larger than the ring (E2BIG). */
#ifndef USER_RINGBUF_TRAPS_H
#define USER_RINGBUF_TRAPS_H

/* Print the traps with libbpf's and the kernel's real answers. Prints nothing
 * if the scratch ring cannot be made. */
void urb_show_traps(void);

#endif /* USER_RINGBUF_TRAPS_H */
