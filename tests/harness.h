/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tests/harness.h - a tiny test harness for the map-semantics tests.
 *
 * A test is a function declared with TEST(sample, name). It loads a sample's
 * object into the real kernel, drives it (BPF_PROG_TEST_RUN, syscalls) and
 * checks exact map contents. CHECK_* record a failure and continue, so one run
 * shows every wrong value; SKIP() ends the test as skipped with a reason.
 *
 * Output, one line per test:  PASS sockex1/bytes_per_protocol
 *                             FAIL sockex1/...: file.c:42: got 3, want 4
 *                             SKIP xdp_stats/...: reason
 */
#ifndef TEST_HARNESS_H
#define TEST_HARNESS_H

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <linux/types.h>

struct test_case {
	const char *sample;
	const char *name;
	void (*fn)(void);
	struct test_case *next;
};

void harness_register(struct test_case *tc);
void harness_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void harness_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
bool harness_failed(void);

#define TEST(sample_, name_)                                                  \
	static void test_##sample_##_##name_(void);                          \
	static struct test_case tc_##sample_##_##name_ = {                   \
		#sample_, #name_, test_##sample_##_##name_, NULL };          \
	__attribute__((constructor)) static void reg_##sample_##_##name_(void) \
	{ harness_register(&tc_##sample_##_##name_); }                       \
	static void test_##sample_##_##name_(void)

#define CHECK(cond, ...)                                                      \
	do { if (!(cond)) harness_fail(__FILE__, __LINE__, __VA_ARGS__); } while (0)

#define CHECK_U64(got, want)                                                  \
	do {                                                                  \
		unsigned long long g_ = (got), w_ = (want);                   \
		if (g_ != w_)                                                 \
			harness_fail(__FILE__, __LINE__, "%s = %llu, want %llu", \
				     #got, g_, w_);                           \
	} while (0)

/* For calls returning 0 or -errno (or -1 with errno set: pass the errno). */
#define CHECK_ERR(got, want)                                                  \
	do {                                                                  \
		int g_ = (got), w_ = (want);                                  \
		if (g_ != w_)                                                 \
			harness_fail(__FILE__, __LINE__, "%s = %d (%s), want %d (%s)", \
				     #got, g_, strerror(g_ < 0 ? -g_ : g_), w_,  \
				     strerror(w_ < 0 ? -w_ : w_));               \
	} while (0)

/* Stop the test here if cond is false (for setup that later checks need). */
#define REQUIRE(cond, ...)                                                    \
	do { if (!(cond)) { harness_fail(__FILE__, __LINE__, __VA_ARGS__); return; } } while (0)

#define SKIP(...) do { harness_skip(__VA_ARGS__); return; } while (0)

/* Run a function on one CPU (pinned thread) and wait for it: per-CPU maps and
 * LRU free lists need to know where an update ran. Returns 0 or -errno. */
int run_on_cpu(int cpu, void (*fn)(void *), void *arg);

/* A test's cleanup: close every fd of the list that is >= 0 (unopened ones
 * stay -1). CLOSE_FDS(srv, cli, l). */
void harness_close_fds(const int *fds, size_t n);
#define CLOSE_FDS(...) \
	harness_close_fds((const int[]){ __VA_ARGS__ }, \
			  sizeof((const int[]){ __VA_ARGS__ }) / sizeof(int))

/* ---- crafted packets ---------------------------------------------------- */

#define PKT_MAX 2048

struct pkt_opts {
	int family;		/* AF_INET or AF_INET6 */
	__u8 proto;		/* IPPROTO_UDP, IPPROTO_TCP, IPPROTO_ICMP ... */
	const char *src, *dst;	/* textual addresses */
	unsigned int payload;	/* bytes after the L4 header */
	unsigned int vlans;	/* 0, 1 or 2 VLAN tags (802.1Q, outer 802.1AD) */
	__u16 vlan_id;
};

/* Build an Ethernet frame into buf (PKT_MAX bytes). Returns the frame length. */
unsigned int pkt_build(unsigned char *buf, const struct pkt_opts *o);
/* The IP length (header + payload) of what pkt_build() made. */
unsigned int pkt_ip_len(const struct pkt_opts *o);

/* ---- platform probes ---------------------------------------------------- */

/* Can BPF_PROG_TEST_RUN run with BPF_F_TEST_XDP_LIVE_FRAMES here? A
 * 2-instruction XDP_PASS program is test-run on one frame, plainly and then
 * with live frames, from a thread in a private network namespace
 * (tests/live_frames.c; `tools/bpfprobe live_frames` is the same probe for the shell).
 * Returns 0 when it ran, LIVE_FRAMES_REFUSED when the live run alone got EPERM
 * (a platform refusal: skip, with why as the reason), or -errno for anything
 * else (a failure). why always says what happened. */
#define LIVE_FRAMES_REFUSED 1
int probe_live_frames(char *why, size_t len);

#endif /* TEST_HARNESS_H */
