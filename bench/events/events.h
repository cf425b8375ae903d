/* SPDX-License-Identifier: GPL-2.0 */
/* events.h - what events_kern.c and events.c share (no includes). */
#ifndef BENCH_EVENTS_H
#define BENCH_EVENTS_H

/* Records one program run emits back to back. The kernel's ring buffer bench
 * emits a batch per run too (500): a burst is what shows the difference in
 * wakeups (the perf ring wakes the reader for every record, the ring buffer
 * only when the reader has caught up). */
#define EVENTS_BURST 64

#endif /* BENCH_EVENTS_H */
