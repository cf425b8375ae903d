// SPDX-License-Identifier: GPL-2.0
/*
 * bpfprobe - ask the kernel whether it allows the one thing a platform may
 * refuse, for the end-to-end tests (the C tests call tests/probe.h directly).
 *
 *   bpfprobe lsm_file_open          a BPF LSM program on file_open
 *   bpfprobe sk_storage_map_iter    iter/bpf_sk_storage_map on an SK_STORAGE map
 *   bpfprobe xdp_features           does the kernel check a redirect's target
 *                                   device (xdp_features, Linux >= 6.3)?
 *   bpfprobe live_frames            BPF_PROG_TEST_RUN with
 *                                   BPF_F_TEST_XDP_LIVE_FRAMES (what
 *                                   tools/xdpgen and bench/traffic.sh need)
 *
 * Prints one line: "allowed", or "refused ERRNO STEP" (say
 * "refused EPERM loading"), where STEP is the step that failed. The caller
 * decides which answer is the platform's refusal it may skip on (EPERM) and
 * fails on any other. xdp_features prints "checked" (a redirect into a veth
 * whose peer has neither XDP nor GRO fails with EOPNOTSUPP) or "unchecked"
 * (the kernel takes the frames and the veth drops them), from the kernel's
 * BTF (sample_xdp_checks_features()). live_frames runs
 * probe_live_frames() (tests/live_frames.c, compiled in, the same probe the
 * C tests call): "allowed", "refused EPERM live-run" (a plain test run of the
 * program worked, the live one got EPERM), or "failed: <why>" and exit 1.
 * Exit 0 when it could ask, 1 when it could not, 2 on bad usage.
 */
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "probe.h"
#include "xdp_outcome.h"
#include "harness.h"
#include "live_frames.c"

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

int main(int argc, char **argv)
{
	enum probe_step step = PROBE_LOAD;
	int err;

	if (argc != 2) {
		fprintf(stderr, "usage: bpfprobe lsm_file_open|sk_storage_map_iter|xdp_features|live_frames\n");
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
	if (!strcmp(argv[1], "live_frames")) {
		char why[256];

		err = probe_live_frames(why, sizeof(why));
		if (err == LIVE_FRAMES_REFUSED) {
			printf("refused EPERM live-run\n");
			return 0;
		}
		if (err) {
			printf("failed: %s\n", why);
			return 1;
		}
		printf("allowed\n");
		return 0;
	}
	if (!strcmp(argv[1], "lsm_file_open")) {
		err = probe_lsm_file_open(&step);
	} else if (!strcmp(argv[1], "sk_storage_map_iter")) {
		err = probe_sk_storage_map_iter(&step);
	} else {
		fprintf(stderr, "bpfprobe: unknown probe '%s': lsm_file_open, sk_storage_map_iter, xdp_features or live_frames\n",
			argv[1]);
		return 2;
	}
	if (!err)
		printf("allowed\n");
	else
		printf("refused %s %s\n", sample_errname(err), probe_step_name(step));
	return 0;
}
