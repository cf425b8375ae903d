/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench/benchlib.h - what every C benchmark of `make bench` shares: a clock,
 * CPU pinning, the alternating A/B pair bookkeeping and the ROW line that
 * bench/run collects. Header-only (static functions) because bench/<b>/ is
 * one program per directory and there is no bench library to link.
 *
 * The ROW protocol (one line, tab-separated, the same for the shell benches):
 *   ROW id measure A B unit medA minA maxA medB minB maxB ratio rmin rmax n anchor note
 * ratio is the median over the n pairs of "how much better A is than B in
 * that pair": A/B for rates (higher is better), B/A for times (lower is
 * better). rmin/rmax are the smallest and largest of those per-pair ratios:
 * the spread a second run is expected to land in.
 */
#ifndef BENCHLIB_H
#define BENCHLIB_H

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BENCH_MAX_PAIRS 64
#define BENCH_PAIRS_DEFAULT 7	/* n >= 5 always; 7 gives a median that one outlier cannot move */
#define BENCH_PAIRS_QUICK 5

static inline double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Pin the calling thread to one CPU. 0 or -errno. */
static inline int bench_pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return -pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

/*
 * Run the calling thread (and the threads it creates afterwards, which
 * inherit it) as SCHED_FIFO: on a machine where other work runs too, an
 * ordinary task can then no longer take the CPU in the middle of a
 * measurement, which is what made pairs differ by 5x here. Root can; the
 * kernel's RT throttling still leaves 5% of each second to everything else.
 * Returns 0 or -errno (the bench then runs unprotected and says so).
 */
static inline int bench_realtime(void)
{
	struct sched_param sp = { .sched_priority = 10 };

	return -pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
}

static int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median (mean of the two middle values for even n), min and max of v[0..n). */
static inline void bench_stats(const double *v, int n, double *med, double *min, double *max)
{
	double s[BENCH_MAX_PAIRS];

	memcpy(s, v, n * sizeof(*v));
	qsort(s, n, sizeof(*s), bench_cmp_double);
	*med = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	*min = s[0];
	*max = s[n - 1];
}

/*
 * Which side runs first in a pair alternates, ABBA: pair 0 runs A then B,
 * pair 1 B then A, pair 2 A then B, ... so that neither side always runs
 * second, on a CPU the other has just warmed (caches, branch predictors,
 * frequency) or left to a burst of other work. Every bench runs the two
 * halves of pair i as
 *
 *	for (k = 0; k < 2; k++)
 *		if (bench_is_a(i, k)) measure A; else measure B;
 *
 * and a half that is itself the best of several runs alternates the same way
 * run by run.
 */
static inline bool bench_is_a(int pair, int k)
{
	return (pair + k) % 2 == 0;
}

/* n pairs of measurements of A and B, a[i] and b[i] side by side (in the
 * order bench_is_a() gives). */
struct bench_pairs {
	double a[BENCH_MAX_PAIRS];
	double b[BENCH_MAX_PAIRS];
	int n;
};

static inline void bench_add(struct bench_pairs *p, double a, double b)
{
	if (p->n < BENCH_MAX_PAIRS) {
		p->a[p->n] = a;
		p->b[p->n] = b;
		p->n++;
	}
}

/* Print the ROW line of a finished set of pairs. higher_better: the unit is a
 * rate (A/B), else a time (B/A). */
static inline void bench_row(const char *id, const char *measure, const char *alabel,
			     const char *blabel, const char *unit, bool higher_better,
			     const struct bench_pairs *p, const char *anchor, const char *note)
{
	double r[BENCH_MAX_PAIRS], ma, mina, maxa, mb, minb, maxb, mr, minr, maxr;
	int i;

	for (i = 0; i < p->n; i++)
		r[i] = higher_better ? p->a[i] / p->b[i] : p->b[i] / p->a[i];
	bench_stats(p->a, p->n, &ma, &mina, &maxa);
	bench_stats(p->b, p->n, &mb, &minb, &maxb);
	bench_stats(r, p->n, &mr, &minr, &maxr);
	printf("ROW\t%s\t%s\t%s\t%s\t%s\t%.4g\t%.4g\t%.4g\t%.4g\t%.4g\t%.4g\t%.4g\t%.4g\t%.4g\t%d\t%s\t%s\n",
	       id, measure, alabel, blabel, unit, ma, mina, maxa, mb, minb, maxb, mr, minr, maxr,
	       p->n, anchor, note);
	fflush(stdout);
}

/* Common command line of the C benches: [--quick] [--pairs N] [what...]. */
struct bench_args {
	int pairs;
	bool quick;
	int nwhat;
	char **what;
};

static inline int bench_parse(int argc, char **argv, struct bench_args *a)
{
	int i;

	a->pairs = BENCH_PAIRS_DEFAULT;
	a->quick = false;
	a->nwhat = 0;
	a->what = calloc(argc, sizeof(*a->what));
	if (!a->what)
		return -ENOMEM;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quick")) {
			a->quick = true;
			a->pairs = BENCH_PAIRS_QUICK;
		} else if (!strcmp(argv[i], "--pairs") && i + 1 < argc) {
			a->pairs = atoi(argv[++i]);
			if (a->pairs < 1 || a->pairs > BENCH_MAX_PAIRS) {
				fprintf(stderr, "%s: --pairs takes 1..%d\n", argv[0], BENCH_MAX_PAIRS);
				return -EINVAL;
			}
		} else if (argv[i][0] == '-') {
			fprintf(stderr, "%s: unknown option '%s' (use --quick, --pairs N)\n",
				argv[0], argv[i]);
			return -EINVAL;
		} else {
			a->what[a->nwhat++] = argv[i];
		}
	}
	return 0;
}

/* Is `name` selected (no names given = everything)? */
static inline bool bench_selected(const struct bench_args *a, const char *name)
{
	int i;

	if (!a->nwhat)
		return true;
	for (i = 0; i < a->nwhat; i++)
		if (!strcmp(a->what[i], name))
			return true;
	return false;
}

#endif /* BENCHLIB_H */
