// SPDX-License-Identifier: GPL-2.0
/*
 * bpfprobe - ask the kernel whether it allows the one thing a platform may
 * refuse, for the end-to-end tests (the C tests call tests/probe.h directly).
 *
 *   bpfprobe lsm_file_open          a BPF LSM program on file_open
 *   bpfprobe sk_storage_map_iter    iter/bpf_sk_storage_map on an SK_STORAGE map
 *   bpfprobe xdp_features           does the kernel check a redirect's target
 *                                   device (xdp_features, Linux >= 6.3)?
 *
 * Prints one line: "allowed", or "refused ERRNO STEP" (say
 * "refused EPERM loading"), where STEP is the step that failed. The caller
 * decides which answer is the platform's refusal it may skip on (EPERM) and
 * fails on any other. xdp_features prints "checked" (a redirect into a veth
 * whose peer has neither XDP nor GRO fails with EOPNOTSUPP) or "unchecked"
 * (the kernel takes the frames and the veth drops them), from the kernel's
 * BTF (sample_xdp_checks_features()). Exit 0 when it could ask, 1 when it
 * could not, 2 on bad usage.
 */
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "probe.h"
#include "xdp_outcome.h"

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

int main(int argc, char **argv)
{
	enum probe_step step = PROBE_LOAD;
	int err;

	if (argc != 2) {
		fprintf(stderr, "usage: bpfprobe lsm_file_open|sk_storage_map_iter|xdp_features\n");
		return 2;
	}
	libbpf_set_print(quiet);
	if (!strcmp(argv[1], "xdp_features")) {
		err = sample_xdp_checks_features();
		if (err < 0) {
			printf("unknown: no kernel BTF: %s\n", sample_errname(err));
			return 1;
		}
		printf("%s\n", err ? "checked" : "unchecked");
		return 0;
	}
	if (!strcmp(argv[1], "lsm_file_open")) {
		err = probe_lsm_file_open(&step);
	} else if (!strcmp(argv[1], "sk_storage_map_iter")) {
		err = probe_sk_storage_map_iter(&step);
	} else {
		fprintf(stderr, "bpfprobe: unknown probe '%s': lsm_file_open, sk_storage_map_iter or xdp_features\n",
			argv[1]);
		return 2;
	}
	if (!err)
		printf("allowed\n");
	else
		printf("refused %s %s\n", sample_errname(err), probe_step_name(step));
	return 0;
}
