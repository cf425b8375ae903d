/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench/benchlib_kern.h - what the BPF side of the per-operation benches
 * shares (bench/maps, bench/mapchoice).
 */
#ifndef BENCHLIB_KERN_H
#define BENCHLIB_KERN_H

/* for (i = 0; i < n; i++), with the counter passed through an empty asm so
 * that clang neither unrolls nor folds the loop: every program of a bench,
 * its empty loop included, runs the same loop around its operation. */
#define BENCH_FOR_EACH(i, n) \
	for (__u32 i = 0; i < (n); i++, ({ asm volatile("" : "+r"(i)); }))

#endif /* BENCHLIB_KERN_H */
