/* SPDX-License-Identifier: GPL-2.0 */
/* cpumap_opts.h - cpumap's own options (-p -c -q -X -t): how to steer, which
 * CPUs, and the CPU list syntax of -c ("1", "0,2", "0-3"). -S and -N, the XDP
 * mode, are common/options.c's (.xdp_modes). */
#ifndef CPUMAP_OPTS_H
#define CPUMAP_OPTS_H

#include <stdbool.h>
#include <linux/types.h>
#include "sample.h"
#include "cpumap.h"

struct cpumap_config {
	__u32 policy; /* enum cpumap_policy (-p) */
	__u32 set[CPUMAP_MAX_CPUS]; /* the CPU set (-c), default every online CPU */
	__u32 set_len;
	bool in_set[CPUMAP_MAX_CPUS]; /* set[] as flags, by CPU id */
	__u32 qsize; /* -q: frames queued per CPU entry */
	bool second_stage; /* the SEC("xdp/cpumap") program on each entry (-X: off) */
	bool trace; /* -t */
};
#define CPUMAP_DEFAULT_QSIZE 192
#define CPUMAP_CONFIG_INIT                                                                 \
	{                                                                                  \
		.policy = CPUMAP_SAME, .qsize = CPUMAP_DEFAULT_QSIZE, .second_stage = true \
	}

/* The options, for struct sample_cli (and -h). */
extern const struct sample_option cpumap_options[];

/* Apply one option sample_getopt() returned (its value in arg). 0, or -EINVAL
 * after one line on stderr. */
int cpumap_option(struct cpumap_config *cfg, const char *prog, int opt, const char *arg);
/* After the options: the default CPU set if -c was not given, and in_set[]. */
void cpumap_config_done(struct cpumap_config *cfg);
/* What a CPUMAP update's errno says about -c or -q ("unexpected" if nothing). */
const char *cpumap_update_hint(int err);
/* "same", "rr", "hash" */
const char *cpumap_policy_name(__u32 policy);

#endif /* CPUMAP_OPTS_H */
