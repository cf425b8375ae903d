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
#include "user_ringbuf_demo.h"
#include "user_ringbuf.skel.h"

static const struct sample_cli cli = {
	.name = "user_ringbuf",
	.about = "Commands to an XDP filter through a BPF_MAP_TYPE_USER_RINGBUF, acks back.",
	.iface_help = "filter IFACE's traffic, commands from stdin;\n"
		      "default: a demo with its own commands and test frames",
	.examples =
		"sudo ./user_ringbuf -d 5      echo 'add drop 192.0.2.7' | sudo ./user_ringbuf -i eth0",
};

static const char *const op_names[] = { "?", "add", "del", "reset", "stop" };

/* The ring's capacity and record sizes, shown on a scratch ring of one page. */
static void show_sizes(void)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_USER_RINGBUF, "scratch", 0, 0, 4096, NULL), n = 0;
	struct user_ring_buffer *rb = fd >= 0 ? user_ring_buffer__new(fd, NULL) : NULL;
	void *s;

	if (!rb)
		return;
	while ((s = user_ring_buffer__reserve(rb, 100)))
		n++; /* reserved and never submitted: the kernel sees nothing */
	printf("A 4096-byte user ring takes %d records of 100 bytes (each 8 header bytes + 100, "
	       "rounded up to 112), then reserve fails with %s;\n",
	       n, sample_errname(errno));
	s = user_ring_buffer__reserve_blocking(rb, 100, 50);
	printf("reserve_blocking waits for the kernel to drain: after 50 ms, %s;\n",
	       s ? "reserved?" : sample_errname(errno));
	s = user_ring_buffer__reserve(rb, 5000);
	printf("a record larger than the ring: %s. Reserved space is freed only when the "
	       "kernel drains past it.\n\n",
	       s ? "reserved?" : sample_errname(errno));
	user_ring_buffer__free(rb);
	close(fd);
}

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

/* Drain: one run of the syscall program applies every record submitted. */
static int apply(struct user_ringbuf *skel, struct ring_buffer *acks)
{
	LIBBPF_OPTS(bpf_test_run_opts, t);
	int err = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.apply_cmds), &t);

	if (err)
		return -errno;
	printf("drained %d command%s\n", (int)t.retval, t.retval == 1 ? "" : "s");
	return ring_buffer__consume(acks) < 0 ? -EIO : 0;
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
		*(r.action == URB_DROP ? &dropped : &passed) += r.hits;
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
	struct sample_loop loop = SAMPLE_LOOP_INIT;
	struct sample_opts o = {};
	struct user_ringbuf *skel = NULL;
	struct user_ring_buffer *cmds = NULL;
	struct ring_buffer *acks = NULL;
	struct urb_demo *demo = NULL;
	char buf[4096], *nl;
	size_t len = 0;
	ssize_t n;
	int err, ev, link = -1, claim = -1, cmd_fd = STDIN_FILENO, sent;
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
	show_sizes();

	/* 1. Load; the two rings: commands out, acks back. */
	skel = user_ringbuf__open_and_load();
	if (!skel) {
		err = sample_load_failed(&o, -errno);
		goto cleanup;
	}
	cmds = user_ring_buffer__new(bpf_map__fd(skel->maps.cmds), NULL);
	acks = ring_buffer__new(bpf_map__fd(skel->maps.acks), print_ack, NULL, NULL);
	if (!cmds || !acks) {
		err = -errno;
		fprintf(stderr, "user_ringbuf: opening the rings: %s\n", sample_strerror(err));
		goto cleanup;
	}

	/* 2. Attach to the user's interface (commands on stdin), or the demo. */
	if (o.ifname) {
		if ((err = claim = sample_claim_iface(o.prog, o.ifindex)) < 0 ||
		    (err = link = sample_xdp_attach(o.prog, skel->progs.rule_filter, o.ifindex,
						    SAMPLE_XDP_AUTO, NULL)) < 0)
			goto cleanup;
	} else if (!(demo = urb_demo_open(skel, &cmd_fd))) {
		err = -ENOMEM;
		goto cleanup;
	}
	if ((err = sample_loop_open(&loop, &o, cmd_fd)))
		goto cleanup;

	/* 3. Run: a command line is ready -> record, drain, acks; a tick -> rules. */
	printf("%7s  %12s %6s %12s %12s\n", "time", "packets", "rules", "dropped", "passed");
	start_ns = sample_now_ns();
	while ((ev = sample_wait(&loop)) > 0) {
		if (ev == SAMPLE_TICK) {
			if (demo && (err = urb_demo_step(demo)))
				goto cleanup;
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
		for (sent = 0; (nl = strchr(buf, '\n'));
		     len -= nl + 1 - buf, memmove(buf, nl + 1, len + 1)) { /* each whole line */
			*nl = '\0';
			if ((err = send_line(cmds, buf, ++seq)) < 0)
				goto cleanup;
			sent += err;
		}
		if (sent && (err = apply(skel, acks)))
			goto cleanup;
	}
	if ((err = ev))
		goto cleanup;

	/* 4. Summary. */
	printf("final:\n");
	print_rules(skel, (sample_now_ns() - start_ns) / 1e9, true);
	printf("commands drained: %llu, acks lost: %llu\n",
	       (unsigned long long)skel->bss->drained_total,
	       (unsigned long long)skel->bss->acks_lost);

cleanup:
	sample_loop_close(&loop);
	urb_demo_close(demo);
	if (demo)
		close(cmd_fd);
	if (link >= 0)
		close(link);
	if (claim >= 0)
		close(claim);
	ring_buffer__free(acks);
	user_ring_buffer__free(cmds);
	user_ringbuf__destroy(skel);
	return err ? 1 : 0;
}
