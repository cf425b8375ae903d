// SPDX-License-Identifier: GPL-2.0
/* cpumap_opts.c - cpumap's own options and the CPU list of -c (cpumap_opts.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpumap_opts.h"

const struct sample_option cpumap_options[] = {
	{ 'p', "policy", "POLICY",
	  "same (the receiving CPU, default), rr (round robin\n"
	  "over the set), hash (of the IP address pair)" },
	{ 'c', "cpus", "LIST", "the CPU set, e.g. 1 or 0,2 or 0-3 (default: all online)" },
	{ 'q', "qsize", "N", "frames queued per CPU entry, 1..16384 (default 192)" },
	{ 'X', "no-cpumap-prog", NULL, "no second XDP program on the target CPU" },
	{ 't', "trace", NULL, "also print one line per stage per packet" },
	{}
};

static const char *policy_names[] = { "same", "rr", "hash" };

const char *cpumap_policy_name(__u32 policy)
{
	return policy < 3 ? policy_names[policy] : "?";
}

/* "0,2-3" -> set[] = {0, 2, 3}, at most max ids. Ids up to 4095 are accepted
 * on purpose: the kernel, not this parser, says which CPUs exist (ENODEV,
 * E2BIG). 0, or -EINVAL / -E2BIG after one line on stderr (none if quiet). */
static int cpu_list_parse(const char *prog, const char *s, __u32 *set, __u32 *len, __u32 max,
			  bool quiet)
{
	const char *p = s;
	char *end;

	*len = 0;
	while (*p) {
		unsigned long a, b;

		if (*p < '0' || *p > '9')
			goto bad;
		a = strtoul(p, &end, 10);
		b = a;
		if (*end == '-') {
			p = end + 1;
			if (*p < '0' || *p > '9')
				goto bad;
			b = strtoul(p, &end, 10);
		}
		if (a > b || b > 4095)
			goto bad;
		for (unsigned long c = a; c <= b; c++) {
			if (*len >= max) {
				if (!quiet)
					fprintf(stderr,
						"%s: invalid CPU list '%s': at most %u CPUs\n",
						prog, s, max);
				return -E2BIG;
			}
			set[*len] = c;
			(*len)++;
		}
		p = end;
		if (*p == ',' && p[1])
			p++;
		else if (*p)
			goto bad;
	}
	if (*len)
		return 0;
bad:
	if (!quiet)
		fprintf(stderr, "%s: invalid CPU list '%s' for -c: expected e.g. 1 or 0,2 or 0-3\n",
			prog, s);
	return -EINVAL;
}

/* The default set: every online CPU (the first max of them). */
static void cpu_list_online(__u32 *set, __u32 *len, __u32 max)
{
	char buf[256] = "";
	FILE *f = fopen("/sys/devices/system/cpu/online", "r");
	int err;

	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = '\0';
		fclose(f);
	}
	buf[strcspn(buf, "\n")] = '\0';
	err = cpu_list_parse(NULL, buf, set, len, max, true);
	if (err && err != -E2BIG) { /* E2BIG: more than max CPUs, the first max */
		set[0] = 0;
		*len = 1;
	}
}

int cpumap_option(struct cpumap_config *cfg, const char *prog, int opt, const char *arg)
{
	unsigned long v;

	switch (opt) {
	case 'p':
		for (cfg->policy = 0; cfg->policy < 3; cfg->policy++)
			if (!strcmp(arg, policy_names[cfg->policy]))
				return 0;
		fprintf(stderr, "%s: invalid policy '%s' for -p: expected same, rr or hash\n", prog,
			arg);
		return -EINVAL;
	case 'c':
		return cpu_list_parse(prog, arg, cfg->set, &cfg->set_len, CPUMAP_MAX_CPUS, false);
	case 'q':
		if (sample_parse_uint(prog, 'q', arg, 1, 16384, &v))
			return -EINVAL;
		cfg->qsize = v;
		return 0;
	case 'X':
		cfg->second_stage = false;
		return 0;
	case 't':
		cfg->trace = true;
		return 0;
	}
	return -EINVAL;
}

void cpumap_config_done(struct cpumap_config *cfg)
{
	if (!cfg->set_len)
		cpu_list_online(cfg->set, &cfg->set_len, CPUMAP_MAX_CPUS);
	for (__u32 i = 0; i < cfg->set_len; i++)
		if (cfg->set[i] < CPUMAP_MAX_CPUS)
			cfg->in_set[cfg->set[i]] = true;
}

const char *cpumap_update_hint(int err)
{
	if (err == -ENODEV)
		return "no such CPU on this machine: a CPUMAP key must be a possible CPU id";
	if (err == -E2BIG)
		return "the CPU id is at or beyond the map's max_entries (CPUMAP_MAX_CPUS in cpumap.h)";
	if (err == -EOVERFLOW)
		return "qsize above the kernel's limit of 16384";
	if (err == -ENOMEM)
		return "out of memory, or a second-stage program not loaded as SEC(\"xdp/cpumap\")";
	return "unexpected";
}
