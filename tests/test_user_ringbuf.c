// SPDX-License-Identifier: GPL-2.0
/* user_ringbuf: N commands of varying sizes give exactly N acks, in order, and
 * the rules HASH holds exactly what they wrote; the number of records that fit
 * in the ring is what the size arithmetic says (8-byte header, rounded up to
 * 8), for every size; a STOP command ends the drain and the rest waits for
 * the next one; a discarded record is never seen; a record shorter than it
 * claims is refused with the errno the kernel gives; the XDP data path obeys
 * the rules. */
#include <arpa/inet.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "harness.h"
#include "sample.h"
#include "user_ringbuf.h"
#include "user_ringbuf.skel.h"

struct acks_seen {
	int n;
	struct urb_ack a[512];
};

static int on_ack(void *ctx, void *data, size_t size)
{
	struct acks_seen *s = ctx;

	if (s->n < 512 && size == sizeof(struct urb_ack))
		memcpy(&s->a[s->n++], data, sizeof(struct urb_ack));
	return 0;
}

struct env {
	struct user_ringbuf *skel;
	struct user_ring_buffer *cmds;
	struct ring_buffer *acks;
	struct acks_seen seen;
};

static int env_open(struct env *e)
{
	memset(e, 0, sizeof(*e));
	e->skel = user_ringbuf__open_and_load();
	if (!e->skel)
		return -1;
	e->cmds = user_ring_buffer__new(bpf_map__fd(e->skel->maps.cmds), NULL);
	e->acks = ring_buffer__new(bpf_map__fd(e->skel->maps.acks), on_ack, &e->seen, NULL);
	return e->cmds && e->acks ? 0 : -1;
}

static void env_close(struct env *e)
{
	ring_buffer__free(e->acks);
	user_ring_buffer__free(e->cmds);
	user_ringbuf__destroy(e->skel);
}

/* Submit one command with n addresses 10.<a>.0.1 .. 10.<a>.0.n (claiming
 * claimed addresses, which may be more than it carries). */
static int submit(struct env *e, __u32 op, __u32 seq, __u32 n, __u32 claimed, __u32 a)
{
	struct urb_cmd c = { .op = op, .seq = seq, .action = URB_DROP, .n = claimed };
	char *rec = user_ring_buffer__reserve(e->cmds, sizeof(c) + n * 4);

	if (!rec)
		return -errno;
	memcpy(rec, &c, sizeof(c));
	for (__u32 i = 0; i < n; i++) {
		__u32 addr = htonl(0x0a000000 | a << 16 | (i + 1));

		memcpy(rec + sizeof(c) + i * 4, &addr, 4);
	}
	user_ring_buffer__submit(e->cmds, rec);
	return 0;
}

/* Run the drain; returns its retval (commands drained) and collects acks. */
static int drain(struct env *e)
{
	LIBBPF_OPTS(bpf_test_run_opts, t);

	if (bpf_prog_test_run_opts(bpf_program__fd(e->skel->progs.apply_cmds), &t))
		return -errno;
	ring_buffer__consume(e->acks);
	return (int)t.retval;
}

static __u64 count_rules(struct env *e)
{
	__u32 k, next;
	__u64 n = 0;

	for (int err = bpf_map__get_next_key(e->skel->maps.rules, NULL, &next, 4); !err;
	     err = bpf_map__get_next_key(e->skel->maps.rules, &k, &next, 4), n++)
		k = next;
	return n;
}

TEST(user_ringbuf, n_commands_n_acks_in_order_exact_rules)
{
	enum { N = 60 };
	struct env e;
	__u64 want = 0;

	REQUIRE(!env_open(&e), "setup: %s", strerror(errno));
	/* 60 ADDs of 1..32 addresses (sizes 20 to 144 bytes), each its own /16. */
	for (__u32 i = 0; i < N; i++) {
		__u32 n = i % URB_MAX_ADDRS + 1;

		CHECK_ERR(submit(&e, URB_ADD, 100 + i, n, n, i), 0);
		want += n;
	}
	CHECK_U64(drain(&e), N);
	CHECK_U64(e.seen.n, N);
	for (int i = 0; i < e.seen.n; i++) {
		CHECK_U64(e.seen.a[i].seq, 100 + i);
		CHECK_U64(e.seen.a[i].op, URB_ADD);
		CHECK_U64(e.seen.a[i].result, 0);
		CHECK_U64(e.seen.a[i].applied, i % URB_MAX_ADDRS + 1);
	}
	CHECK_U64(count_rules(&e), want);
	/* DEL the first 3 addresses of the first 10 /16s: 30 fewer rules. */
	for (__u32 i = 0; i < 10; i++)
		CHECK_ERR(submit(&e, URB_DEL, 500 + i, 3, 3, i), 0);
	CHECK_U64(drain(&e), 10);
	CHECK_U64(e.seen.n, N + 10);
	/* /16 number 0 had 1 address, 1 had 2: deleting 3 fails at the first missing. */
	CHECK_U64(e.seen.a[N].applied, 1);
	CHECK_U64(e.seen.a[N].result, -ENOENT);
	CHECK_U64(e.seen.a[N + 1].applied, 2);
	CHECK_U64(e.seen.a[N + 2].applied, 3);
	CHECK_U64(count_rules(&e), want - (1 + 2 + 8 * 3));
	CHECK_U64(e.skel->bss->drained_total, N + 10);
	CHECK_U64(e.skel->bss->acks_lost, 0);
	env_close(&e);
}

/* For every payload size 1..300 a fresh 4096-byte ring takes exactly
 * floor(4096 / round_up(size + 8, 8)) records before ENOSPC. */
TEST(user_ringbuf, records_that_fit_match_the_size_arithmetic)
{
	for (__u32 size = 1; size <= 300; size++) {
		int fd = bpf_map_create(BPF_MAP_TYPE_USER_RINGBUF, "t", 0, 0, 4096, NULL);
		struct user_ring_buffer *rb = fd >= 0 ? user_ring_buffer__new(fd, NULL) : NULL;
		__u32 n = 0, want = 4096 / ((size + 8 + 7) / 8 * 8);

		REQUIRE(rb, "ring: %s", strerror(errno));
		while (user_ring_buffer__reserve(rb, size))
			n++;
		CHECK_ERR(-errno, -ENOSPC);
		CHECK(n == want, "size %u: %u records, want %u", size, n, want);
		user_ring_buffer__free(rb);
		close(fd);
	}
}

/* STOP ends the drain after its own ack; what follows waits for the next. */
TEST(user_ringbuf, stop_ends_the_drain)
{
	struct env e;

	REQUIRE(!env_open(&e), "setup: %s", strerror(errno));
	CHECK_ERR(submit(&e, URB_ADD, 1, 2, 2, 1), 0);
	CHECK_ERR(submit(&e, URB_STOP, 2, 0, 0, 0), 0);
	CHECK_ERR(submit(&e, URB_ADD, 3, 4, 4, 2), 0);
	CHECK_U64(drain(&e), 2);
	CHECK_U64(e.seen.n, 2);
	CHECK_U64(count_rules(&e), 2);
	CHECK_U64(drain(&e), 1);
	CHECK_U64(e.seen.n, 3);
	CHECK_U64(e.seen.a[2].seq, 3);
	CHECK_U64(count_rules(&e), 6);
	CHECK_U64(drain(&e), 0);	/* nothing left */
	env_close(&e);
}

/* A discarded record is skipped by the drain; a record claiming 5 addresses
 * but carrying 2 applies 2 and fails the read of the third. */
TEST(user_ringbuf, discard_and_short_record)
{
	struct env e;
	void *rec;

	REQUIRE(!env_open(&e), "setup: %s", strerror(errno));
	rec = user_ring_buffer__reserve(e.cmds, 64);
	REQUIRE(rec, "reserve: %s", strerror(errno));
	user_ring_buffer__discard(e.cmds, rec);
	CHECK_U64(drain(&e), 0);
	CHECK_U64(e.seen.n, 0);
	CHECK_ERR(submit(&e, URB_ADD, 7, 2, 5, 3), 0);
	CHECK_U64(drain(&e), 1);
	CHECK_U64(e.seen.n, 1);
	CHECK_U64(e.seen.a[0].applied, 2);
	CHECK_U64(e.seen.a[0].result, -E2BIG);	/* bpf_dynptr_read() past the end */
	CHECK_U64(count_rules(&e), 2);
	env_close(&e);
}

/* The data path: a drop rule drops, a pass rule passes, both count. */
TEST(user_ringbuf, xdp_filter_obeys_rules)
{
	unsigned char buf[64] = { [12] = 0x08, [14] = 0x45 };
	LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = buf, .data_size_in = 34, .repeat = 5);
	struct urb_rule r;
	struct env e;
	__u32 a = htonl(0x0a050001), other = htonl(0x0a060001);

	REQUIRE(!env_open(&e), "setup: %s", strerror(errno));
	CHECK_ERR(submit(&e, URB_ADD, 1, 1, 1, 5), 0);	/* drop 10.5.0.1 */
	CHECK_U64(drain(&e), 1);
	memcpy(buf + 26, &a, 4);
	CHECK_ERR(bpf_prog_test_run_opts(bpf_program__fd(e.skel->progs.rule_filter), &t), 0);
	CHECK_U64(t.retval, XDP_DROP);
	memcpy(buf + 26, &other, 4);
	CHECK_ERR(bpf_prog_test_run_opts(bpf_program__fd(e.skel->progs.rule_filter), &t), 0);
	CHECK_U64(t.retval, XDP_PASS);
	CHECK_ERR(bpf_map__lookup_elem(e.skel->maps.rules, &a, 4, &r, sizeof(r), 0), 0);
	CHECK_U64(r.hits, 5);
	CHECK_U64(r.action, URB_DROP);
	env_close(&e);
}
