// SPDX-License-Identifier: GPL-2.0
/* user_ringbuf_demo.c - see user_ringbuf_demo.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "user_ringbuf_demo.h"
#include "user_ringbuf.skel.h"

#define ADDRS 12 /* 10.0.0.1 .. 10.0.0.12 */
#define FRAMES_EACH 10

/* What the operator types, step by step. */
static const char *const script[] = {
	"add drop 10.0.0.1 10.0.0.2 10.0.0.3 10.0.0.4 10.0.0.5 10.0.0.6 10.0.0.7 10.0.0.8\n"
	"add pass 10.0.0.9 10.0.0.10\n",
	"del 10.0.0.7 10.0.0.8\n"
	"stop\n"
	"add drop 10.0.0.11\n",
	"reset\n"
	"add drop 10.0.0.99 10.0.0.250 bogus\n",
	"add drop 10.0.0.12\n",
};

struct urb_demo {
	struct user_ringbuf *skel;
	int wfd, rfd; /* the pipe's ends: the demo writes, the loader reads */
	unsigned int steps;
	unsigned long long frames, lines;
};

struct urb_demo *urb_demo_open(struct user_ringbuf *skel, int *cmd_fd)
{
	struct urb_demo *d = calloc(1, sizeof(*d));
	int p[2];

	if (!d) {
		fprintf(stderr, "user_ringbuf: demo: %s\n", strerror(ENOMEM));
		return NULL;
	}
	if (pipe2(p, O_CLOEXEC)) {
		fprintf(stderr, "user_ringbuf: demo: %s\n", strerror(errno));
		free(d);
		return NULL;
	}
	d->skel = skel;
	d->wfd = p[1];
	d->rfd = p[0];
	*cmd_fd = p[0];
	return d;
}

int urb_demo_step(struct urb_demo *d)
{
	unsigned char buf[64] = { [12] = 0x08, [14] = 0x45 };
	LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = buf, .data_size_in = 34);

	if (d->steps < sizeof(script) / sizeof(script[0])) {
		const char *s = script[d->steps];

		if (write(d->wfd, s, strlen(s)) != (ssize_t)strlen(s))
			return -errno;
		for (; *s; s++)
			d->lines += *s == '\n';
	}
	d->steps++;
	for (__u32 a = 1; a <= ADDRS; a++) {
		__u32 saddr = htonl(0x0a000000 + a);

		memcpy(buf + 26, &saddr, 4);
		for (int i = 0; i < FRAMES_EACH; i++) {
			if (bpf_prog_test_run_opts(bpf_program__fd(d->skel->progs.rule_filter), &t))
				return -errno;
			d->frames++;
		}
	}
	return 0;
}

void urb_demo_close(struct urb_demo *d)
{
	if (!d)
		return;
	printf("demo sent: %llu command lines, %llu frames (%d from each of 10.0.0.1-%d a step)\n",
	       d->lines, d->frames, FRAMES_EACH, ADDRS);
	close(d->wfd);
	close(d->rfd);
	free(d);
}
