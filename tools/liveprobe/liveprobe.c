// SPDX-License-Identifier: GPL-2.0
/*
 * liveprobe - can this machine run BPF_PROG_TEST_RUN with
 * BPF_F_TEST_XDP_LIVE_FRAMES? The probe of the shell tests and of
 * bench/traffic.sh, before they use tools/xdpgen; the C tests call the same
 * function, probe_live_frames() in tests/live_frames.c (compiled in here).
 *
 *   liveprobe        prints one line and exits
 *     0   live frames work
 *     77  the kernel refused the live run with EPERM (a platform refusal:
 *         the line is the reason to print with a skip)
 *     1   anything else failed (the line says what): a failure, not a skip
 *     2   bad usage
 *
 * It loads a 2-instruction XDP_PASS program, test-runs it on one frame plainly
 * and then with live frames, from a thread in a private network namespace, so
 * the one frame it passes reaches no namespace where packets are counted.
 */
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "live_frames.c"

#define LIVEPROBE_REFUSED 77

int main(int argc, char **argv)
{
	char why[256];
	int err;

	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("Usage: liveprobe\n"
		       "Test-runs an XDP_PASS program with BPF_F_TEST_XDP_LIVE_FRAMES and says\n"
		       "whether the kernel allows it: exit 0 yes, 77 refused with EPERM (the line\n"
		       "printed is the reason), 1 another failure, 2 bad usage.\n"
		       "Example: sudo build/tools/liveprobe\n");
		return 0;
	}
	if (argc > 1) {
		fprintf(stderr, "liveprobe: unexpected argument '%s' (see -h)\n", argv[1]);
		return 2;
	}
	err = probe_live_frames(why, sizeof(why));
	printf("%s\n", why);
	if (err == LIVE_FRAMES_REFUSED)
		return LIVEPROBE_REFUSED;
	if (err)
		return 1;
	return 0;
}
