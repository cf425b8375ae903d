// SPDX-License-Identifier: GPL-2.0
/* cpumap_traps.c - the CPUMAP's traps on the live map (cpumap_traps.h). */
#include <errno.h>
#include <stdio.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "sample.h"
#include "cpumap.h"
#include "cpumap_opts.h"
#include "cpumap_traps.h"

/* An update the kernel must refuse with want: prints what it answered. */
static int refused(const struct bpf_map *cpu_map, __u32 key, int want, const char *why)
{
	struct bpf_cpumap_val val = { .qsize = CPUMAP_DEFAULT_QSIZE };
	int err;

	err = bpf_map__update_elem(cpu_map, &key, sizeof(key), &val, sizeof(val), 0);
	printf("  update key %-3u -> %s: %s\n", key, err ? sample_strerror(err) : "ok (unexpected)",
	       why);
	if (err == want)
		return 0;
	if (err)
		return err;
	return -EINVAL;
}

static int show(const struct bpf_map *cpu_map, const __u32 *set, __u32 set_len)
{
	int ncpus = libbpf_num_possible_cpus();
	char why[32];
	int err = 0;

	printf("BPF_MAP_TYPE_CPUMAP, on the live map (max_entries %d, this machine has %d CPUs):\n",
	       CPUMAP_MAX_CPUS, ncpus);
	for (__u32 i = 0; i < set_len; i++) {
		struct bpf_cpumap_val got = {};

		err = bpf_map__lookup_elem(cpu_map, &set[i], sizeof(set[i]), &got, sizeof(got), 0);
		if (err)
			return err;
		printf("  lookup key %-3u -> qsize %u, second-stage prog id %u\n", set[i],
		       got.qsize, got.bpf_prog.id);
	}
	if (ncpus < CPUMAP_MAX_CPUS) {
		snprintf(why, sizeof(why), "CPU %d does not exist", ncpus);
		err = refused(cpu_map, ncpus, -ENODEV, why);
		if (err)
			return err;
	}
	err = refused(cpu_map, CPUMAP_MAX_CPUS, -E2BIG, "key >= max_entries");
	if (err)
		return err;
	printf("  a CPU of the set without an entry would drop its packets (column 'missing')\n\n");
	return 0;
}

int cpumap_traps_show(const struct bpf_map *cpu_map, const __u32 *set, __u32 set_len)
{
	int err;

	err = show(cpu_map, set, set_len);
	if (err)
		fprintf(stderr, "cpumap: the CPUMAP did not answer as documented: %s\n",
			sample_strerror(err));
	return err;
}
