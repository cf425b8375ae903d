// SPDX-License-Identifier: GPL-2.0
/*
 * user_ringbuf - commands from user space to a BPF program through a
 * BPF_MAP_TYPE_USER_RINGBUF, acknowledged through a BPF_MAP_TYPE_RINGBUF.
 *
 * The control plane reads command lines (from stdin with -i; the demo writes
 * its own), turns each into a variable-size record in the user ring buffer
 * (reserve, fill, submit), then runs a SEC("syscall") program that drains the
 * ring with bpf_user_ringbuf_drain() and applies every command to the rules
 * HASH of an XDP filter, answering each with an ack in a kernel ring buffer.
 *
 *   sudo ./user_ringbuf                  demo: scripted commands, test frames
 *   sudo ./user_ringbuf -i eth0          commands on stdin:
 *       add drop|pass ADDR...   del ADDR...   reset   stop
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "user_ringbuf.h"
#include "user_ringbuf_demo.h" /* demo */
#include "user_ringbuf_traps.h" /* traps */
#include "user_ringbuf.skel.h"

static const struct sample_cli cli = {
	.name = "user_ringbuf",
	.about = "Commands to an XDP filter through a BPF_MAP_TYPE_USER_RINGBUF, acks back.",
	.demo = "Without -i: a demo that types its own commands and runs test frames through\n" /* demo */
		"the filter (BPF_PROG_TEST_RUN).", /* demo */
	.iface_help = "filter IFACE's traffic, commands from stdin",
	.examples = "echo 'add drop 192.0.2.7' | sudo ./user_ringbuf -i eth0"
		    "      sudo ./user_ringbuf -d 5", /* demo */
};

static const char *const op_names[] = { "?", "add", "del", "reset", "stop" };

/* One command line -> one record: struct urb_cmd, then n addresses. */
static int send_line(struct user_ring_buffer *rb, char *line, __u32 seq)
{
	char *words[2 + URB_MAX_ADDRS], *save = NULL, *w;
	struct urb_cmd cmd = { .seq = seq };
	__u32 addrs[URB_MAX_ADDRS];
	int nw = 0, first;
	void *rec;

	for (w = strtok_r(line, " \t\n", &save); w && nw < 2 + URB_MAX_ADDRS;
	     w = strtok_r(NULL, " \t\n", &save))
		words[nw++] = w;
	if (!nw)
		return 0;
	for (cmd.op = URB_ADD; cmd.op <= URB_STOP && strcmp(words[0], op_names[cmd.op]); cmd.op++)
		;
	if (cmd.op == URB_ADD && nw > 1)
		cmd.action = strcmp(words[1], "drop") ? URB_PASS : URB_DROP;
	first = cmd.op == URB_ADD ? 2 : 1;
	for (int i = first; i < nw; i++)
		if (inet_pton(AF_INET, words[i], &addrs[cmd.n]) == 1)
			cmd.n++;
		else
			fprintf(stderr,
				"user_ringbuf: #%u: '%s' is not an IPv4 address, left out\n", seq,
				words[i]);
	if (cmd.op > URB_STOP || (cmd.op == URB_ADD && (nw < 2 || (strcmp(words[1], "drop") &&
								   strcmp(words[1], "pass"))))) {
		fprintf(stderr,
			"user_ringbuf: #%u: not a command: add drop|pass ADDR..., "
			"del ADDR..., reset, stop\n",
			seq);
		return 0;
	}
	/* Reserve exactly what this command needs, fill it, submit it. */
	rec = user_ring_buffer__reserve(rb, sizeof(cmd) + cmd.n * sizeof(__u32));
	if (!rec)
		return -errno;
	memcpy(rec, &cmd, sizeof(cmd));
	memcpy((char *)rec + sizeof(cmd), addrs, cmd.n * sizeof(__u32));
	user_ring_buffer__submit(rb, rec);
	return 1;
}

static int print_ack(void *ctx, void *data, size_t size)
{
	const struct urb_ack *a = data;

	printf("  ack #%u %-5s -> %s, %u applied\n", a->seq,
	       op_names[a->op <= URB_STOP ? a->op : 0],
	       a->result ? sample_errname(a->result) : "ok", a->applied);
	return 0;
}

/* One row: rules, and the packets they dropped and passed. With all, each rule. */
static void print_rules(struct user_ringbuf *skel, double t, bool all)
{
	__u64 nrules = 0, dropped = 0, passed = 0;
	char ip[INET_ADDRSTRLEN], b[4][SAMPLE_FMT_LEN];
	__u32 addr, next;
	struct urb_rule r;

	for (int e = bpf_map__get_next_key(skel->maps.rules, NULL, &next, 4); !e;
	     e = bpf_map__get_next_key(skel->maps.rules, &addr, &next, 4)) {
		addr = next;
		if (bpf_map__lookup_elem(skel->maps.rules, &addr, 4, &r, sizeof(r), 0))
			continue;
		nrules++;
		if (r.action == URB_DROP)
			dropped += r.hits;
		else
			passed += r.hits;
		if (all) /* each rule, then the totals */
			printf("  rule %-15s %-4s %10llu packets\n",
			       inet_ntop(AF_INET, &addr, ip, sizeof(ip)),
			       r.action == URB_DROP ? "drop" : "pass", (unsigned long long)r.hits);
	}
	printf("%s%7.1f  %12s %6s %12s %12s\n", all ? "totals:\n" : "", t,
	       sample_fmt_u64(b[3], sizeof(b[3]), skel->bss->packets),
	       sample_fmt_u64(b[0], sizeof(b[0]), nrules),
	       sample_fmt_u64(b[1], sizeof(b[1]), dropped),
	       sample_fmt_u64(b[2], sizeof(b[2]), passed));
	fflush(stdout);
}

int main(int argc, char **argv)
{
	LIBBPF_OPTS(bpf_link_create_opts, xdp_opts, .flags = sample_xdp_flags(SAMPLE_XDP_AUTO));
	LIBBPF_OPTS(bpf_test_run_opts, run);
	struct sample_loop loop = SAMPLE_LOOP_INIT;
	struct sample_opts o = {};
	struct user_ringbuf *skel = NULL;
	struct user_ring_buffer *cmds = NULL;
	struct ring_buffer *acks = NULL;
	struct urb_demo *demo = NULL; /* demo */
	char buf[4096], *nl;
	size_t len = 0;
	ssize_t n;
	int err = 0, ev, link_fd = -1, claim = -1, cmd_fd = STDIN_FILENO, sent;
	__u32 seq = 0;
	__u64 start_ns;

	sample_parse_args(&cli, argc, argv, &o);

	/* libbpf's warnings on stderr (its debug log too with -v); SIGINT and
	 * SIGTERM wait, blocked, for sample_wait()'s signalfd from here on, so one
	 * that comes during setup still ends the run through cleanup; a closed
	 * peer or stdout (| head) gives EPIPE instead of killing the process. */
	libbpf_set_print(o.verbose ? sample_print_all : sample_print_warnings);
	sample_block_stop_signals();
	signal(SIGPIPE, SIG_IGN);
	urb_show_traps(); /* traps */

	/* 1. Load; the two rings: commands out, acks back. */
	skel = user_ringbuf__open_and_load();
	if (!skel) {
		err = sample_load_failed(&o, -errno);
		goto cleanup;
	}
	cmds = user_ring_buffer__new(bpf_map__fd(skel->maps.cmds), NULL);
	if (!cmds) {
		err = -errno;
		fprintf(stderr, "user_ringbuf: opening the rings: %s\n", sample_strerror(err));
		goto cleanup;
	}
	acks = ring_buffer__new(bpf_map__fd(skel->maps.acks), print_ack, NULL, NULL);
	if (!acks) {
		err = -errno;
		fprintf(stderr, "user_ringbuf: opening the rings: %s\n", sample_strerror(err));
		goto cleanup;
	}

	/* 2. Attach the filter to the user's interface through a bpf_link (gone
	 *    with the process); the commands come on stdin. */
	if (o.ifname) {
		claim = sample_claim_iface(o.prog, o.ifindex);
		if (claim < 0) {
			err = claim;
			goto cleanup;
		}
		link_fd = bpf_link_create(bpf_program__fd(skel->progs.rule_filter), o.ifindex,
					  BPF_XDP, &xdp_opts);
		if (link_fd < 0) {
			err = sample_xdp_attach_failed(o.prog, o.ifindex, SAMPLE_XDP_AUTO, -errno);
			goto cleanup;
		}
	}
	if (!o.ifname) /* demo */
		demo = urb_demo_open(skel, &cmd_fd); /* demo */
	if (!o.ifname && !demo) { /* demo */
		err = -ENOMEM; /* demo */
		goto cleanup; /* demo */
	} /* demo */
	err = sample_loop_open(&loop, &o, cmd_fd);
	if (err)
		goto cleanup;

	/* 3. Run: a command line is ready -> record, drain, acks; a tick -> rules. */
	printf("%7s  %12s %6s %12s %12s\n", "time", "packets", "rules", "dropped", "passed");
	start_ns = sample_now_ns();
	while ((ev = sample_wait(&loop)) > 0) {
		if (ev == SAMPLE_TICK) {
			if (demo) /* demo */
				err = urb_demo_step(demo); /* demo */
			if (err) /* demo */
				goto cleanup; /* demo */
			print_rules(skel, (sample_now_ns() - start_ns) / 1e9, false);
			continue;
		}
		/* SAMPLE_READY: read what is there (poll said it will not block). */
		n = read(cmd_fd, buf + len, sizeof(buf) - 1 - len);
		if (n <= 0) {
			loop.extra_fd = -1; /* end of the commands: keep filtering */
			continue;
		}
		len += n;
		buf[len] = '\0';
		/* Each whole line: one record, reserved, filled and submitted. */
		sent = 0;
		nl = strchr(buf, '\n');
		while (nl) {
			*nl = '\0';
			seq++;
			err = send_line(cmds, buf, seq);
			if (err < 0) {
				fprintf(stderr, "user_ringbuf: #%u: reserving its record: %s\n",
					seq, sample_strerror(err));
				goto cleanup;
			}
			sent += err;
			len -= nl + 1 - buf;
			memmove(buf, nl + 1, len + 1);
			nl = strchr(buf, '\n');
		}
		err = 0;
		if (!sent)
			continue;
		/* Drain: one run of the syscall program applies every record
		 * submitted; its return value is how many. */
		err = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.apply_cmds), &run);
		if (err) {
			err = -errno;
			fprintf(stderr, "user_ringbuf: running apply_cmds: %s\n",
				sample_strerror(err));
			goto cleanup;
		}
		printf("drained %d command%s\n", (int)run.retval, run.retval == 1 ? "" : "s");
		/* The acks, one per command drained, printed by print_ack(). */
		err = ring_buffer__consume(acks);
		if (err < 0) {
			fprintf(stderr, "user_ringbuf: reading the acks: %s\n",
				sample_strerror(err));
			goto cleanup;
		}
		err = 0;
	}
	err = ev;
	if (err)
		goto cleanup;

	/* 4. Summary. */
	printf("final:\n");
	print_rules(skel, (sample_now_ns() - start_ns) / 1e9, true);
	printf("commands drained: %llu, acks lost: %llu\n",
	       (unsigned long long)skel->bss->drained_total,
	       (unsigned long long)skel->bss->acks_lost);

cleanup:
	sample_loop_close(&loop);
	urb_demo_close(demo); /* demo */
	if (link_fd >= 0)
		close(link_fd);
	if (claim >= 0)
		close(claim);
	ring_buffer__free(acks);
	user_ring_buffer__free(cmds);
	user_ringbuf__destroy(skel);
	return err ? 1 : 0;
}
