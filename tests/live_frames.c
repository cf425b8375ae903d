// SPDX-License-Identifier: GPL-2.0
/*
 * tests/live_frames.c - the one probe of BPF_PROG_TEST_RUN with
 * BPF_F_TEST_XDP_LIVE_FRAMES (see probe_live_frames() in harness.h).
 *
 * Linked into every test binary (like every tests/ source that is not a
 * test_<s>.c), and compiled into tools/bpfprobe (live_frames), the same probe for the shell
 * tests and bench/traffic.sh. Kept free of the rest of the harness for that
 * reason.
 *
 * Some platforms refuse live frames even to root while a plain test run of
 * the same program works (this machine answered EPERM on some days and not on
 * others), so the answer is asked at run time, just before the tests that
 * need live frames, and only that answer, EPERM on the live run, is a skip.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>

#include "harness.h"
#include "sample.h"

#define PROBE_FRAME_LEN 64

struct live_probe {
	char *why;
	size_t len;
	int ret;
};

/* Runs in a thread of its own that moves into a new network namespace first:
 * the XDP_PASS frame goes to the stack of that namespace's loopback (down, so
 * it is dropped there), never into a namespace where a test counts packets.
 * The namespace dies with the thread. */
static void *live_probe_thread(void *arg)
{
	/* r0 = XDP_PASS; exit */
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = XDP_PASS },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	unsigned char frame[PROBE_FRAME_LEN] = {};
	struct live_probe *p = arg;
	LIBBPF_OPTS(bpf_test_run_opts, plain);
	LIBBPF_OPTS(bpf_test_run_opts, live);
	int fd, err;

	err = unshare(CLONE_NEWNET);
	if (err) {
		err = -errno;
		snprintf(p->why, p->len, "probe of live frames: unshare(CLONE_NEWNET) failed: %s (%s)",
			 sample_strerror(err), sample_errname(err));
		p->ret = err;
		return NULL;
	}
	fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "live_probe", "GPL", insns,
			   sizeof(insns) / sizeof(insns[0]), NULL);
	if (fd < 0) {
		snprintf(p->why, p->len,
			 "probe of live frames: loading a 2-instruction XDP_PASS program failed: %s (%s)",
			 sample_strerror(fd), sample_errname(fd));
		p->ret = fd;
		return NULL;
	}

	/* A broadcast frame of ethertype 0x88b5 (IEEE 802 local experimental):
	 * no protocol of the stack takes it. */
	memset(frame, 0xff, 6);
	frame[6] = 0x02;
	frame[12] = 0x88;
	frame[13] = 0xb5;

	/* First a plain test run: it must work, or the failure is not about
	 * live frames. */
	plain.data_in = frame;
	plain.data_size_in = sizeof(frame);
	plain.repeat = 1;
	err = bpf_prog_test_run_opts(fd, &plain);
	if (err) {
		err = -errno;
		snprintf(p->why, p->len,
			 "probe of live frames: a plain BPF_PROG_TEST_RUN of an XDP_PASS program failed: %s (%s)",
			 sample_strerror(err), sample_errname(err));
		p->ret = err;
		goto out;
	}
	if (plain.retval != XDP_PASS) {
		snprintf(p->why, p->len,
			 "probe of live frames: the XDP_PASS program returned %u in a plain test run",
			 plain.retval);
		p->ret = -EPROTO;
		goto out;
	}

	/* Then the same with live frames: one frame, really passed on. */
	live.data_in = frame;
	live.data_size_in = sizeof(frame);
	live.repeat = 1;
	live.flags = BPF_F_TEST_XDP_LIVE_FRAMES;
	err = bpf_prog_test_run_opts(fd, &live);
	if (!err) {
		p->ret = 0;
		snprintf(p->why, p->len, "BPF_PROG_TEST_RUN with BPF_F_TEST_XDP_LIVE_FRAMES works");
		goto out;
	}
	err = -errno;
	if (err == -EPERM) {
		snprintf(p->why, p->len,
			 "the kernel refuses BPF_PROG_TEST_RUN with BPF_F_TEST_XDP_LIVE_FRAMES: %s (%s)",
			 sample_strerror(err), sample_errname(err));
		p->ret = LIVE_FRAMES_REFUSED;
		goto out;
	}
	snprintf(p->why, p->len,
		 "BPF_PROG_TEST_RUN with BPF_F_TEST_XDP_LIVE_FRAMES of an XDP_PASS program failed: %s (%s), "
		 "while a plain test run of it worked",
		 sample_strerror(err), sample_errname(err));
	p->ret = err;
out:
	close(fd);
	return NULL;
}

int probe_live_frames(char *why, size_t len)
{
	struct live_probe p = { why, len, -EINVAL };
	pthread_t th;
	int err;

	err = pthread_create(&th, NULL, live_probe_thread, &p);
	if (err) {
		snprintf(why, len, "probe of live frames: pthread_create failed: %s", strerror(err));
		return -err;
	}
	err = pthread_join(th, NULL);
	if (err) {
		snprintf(why, len, "probe of live frames: pthread_join failed: %s", strerror(err));
		return -err;
	}
	return p.ret;
}
