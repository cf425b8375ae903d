// SPDX-License-Identifier: GPL-2.0
/* hbm: exact counts in both cgroup storages from real packets through the
 * cgroup_skb/egress hook, the quota a virtual queue without refill passes,
 * the storage read back by key from user space, and its lifetime. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "harness.h"
#include "sample.h"
#include "cgroup.h"
#include "demo.h"
#include "hbm.h"
#include "hbm.skel.h"

#define NEED(cond, ...) \
	do { if (!(cond)) { harness_fail(__FILE__, __LINE__, __VA_ARGS__); goto out; } } while (0)

/* One limiter on a cgroup of the test's own, a private netns whose loopback
 * carries the test's UDP: tx was made inside the cgroup (a socket belongs to
 * the cgroup of the task that created it), rx outside. */
struct env {
	struct hbm *skel;
	struct bpf_link *link;
	struct sample_cgroup cg;
	struct bpf_cgroup_storage_key key;
	int cg_fd, orig_ns, ns, tx, rx;
	struct sockaddr_in dst;
};

static int env_open(struct env *e, const char *name, bool cgrp, __u64 rate_Bps)
{
	char root[SAMPLE_CGROUP_PATH_MAX], orig[SAMPLE_CGROUP_PATH_MAX];
	socklen_t len = sizeof(e->dst);
	struct stat sb;
	int on = 1;

	*e = (struct env){ .cg = SAMPLE_CGROUP_INIT, .cg_fd = -1, .orig_ns = -1, .ns = -1,
			   .tx = -1, .rx = -1 };
	if (sample_cgroup2_root("test", root, sizeof(root)) ||
	    sample_cgroup_self(root, orig, sizeof(orig)) || sample_cgroup_create(name, &e->cg))
		return -1;
	e->cg_fd = sample_cgroup_open("test", e->cg.path);
	if (e->cg_fd < 0 || fstat(e->cg_fd, &sb))
		return -1;
	e->key = (struct bpf_cgroup_storage_key){ sb.st_ino, BPF_CGROUP_INET_EGRESS };
	e->skel = hbm__open();
	if (!e->skel)
		return -1;
	e->skel->rodata->rate_Bps = rate_Bps;
	e->skel->rodata->cgrp_id = sb.st_ino;
	bpf_program__set_autoload(cgrp ? e->skel->progs.hbm_egress : e->skel->progs.hbm_cgrp, false);
	/* As hbm_user.c: the CGRP_STORAGE map only for -m cgrp (6.1 has none). */
	bpf_map__set_autocreate(e->skel->maps.hbm_cgrp_queue, cgrp);
	if (hbm__load(e->skel))
		return -1;
	e->link = bpf_program__attach_cgroup(cgrp ? e->skel->progs.hbm_cgrp
					     : e->skel->progs.hbm_egress, e->cg_fd);
	if (!e->link)
		return -1;
	e->orig_ns = sample_netns_current();
	e->ns = sample_netns_new();
	if (e->orig_ns < 0 || e->ns < 0 || sample_netns_enter(e->ns))
		return -1;
	e->rx = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	e->dst = (struct sockaddr_in){ .sin_family = AF_INET,
				       .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	if (e->rx < 0 || bind(e->rx, (struct sockaddr *)&e->dst, sizeof(e->dst)) ||
	    getsockname(e->rx, (struct sockaddr *)&e->dst, &len))
		return -1;
	/* In the cgroup just for socket(): the socket stays the cgroup's. */
	if (sample_cgroup_join(e->cg.path, 0))
		return -1;
	e->tx = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sample_cgroup_join(orig, 0) || e->tx < 0)
		return -1;
	/* IP_RECVERR: a datagram the hook drops fails sendto() with ENOBUFS. */
	return setsockopt(e->tx, IPPROTO_IP, IP_RECVERR, &on, sizeof(on));
}

static void env_close(struct env *e)
{
	if (e->orig_ns >= 0) {
		sample_netns_enter(e->orig_ns);
		close(e->orig_ns);
	}
	CLOSE_FDS(e->tx, e->rx, e->ns, e->cg_fd);
	bpf_link__destroy(e->link);
	hbm__destroy(e->skel);
	if (e->cg.reaper_fd >= 0)
		CHECK_ERR(sample_cgroup_destroy(&e->cg), 0);
}

/* Send n datagrams of payload bytes; returns how many sendto() accepted. */
static int send_udp(struct env *e, int n, size_t payload)
{
	static char buf[2048];
	int ok = 0;

	for (int i = 0; i < n; i++)
		ok += sendto(e->tx, buf, payload, 0, (struct sockaddr *)&e->dst,
			     sizeof(e->dst)) == (ssize_t)payload;
	return ok;
}

struct send_job {
	struct env *e;
	int n;
	size_t payload;
};
static int sent;

static void send_on_cpu(void *arg)
{
	struct send_job *j = arg;

	sent += send_udp(j->e, j->n, j->payload);
}

static int received(struct env *e)
{
	char buf[2048];
	int n = 0;

	while (recv(e->rx, buf, sizeof(buf), 0) >= 0)
		n++;
	return n;
}

static int read_queue(struct env *e, bool cgrp, struct hbm_queue *q)
{
	int fd = bpf_map__fd(cgrp ? e->skel->maps.hbm_cgrp_queue : e->skel->maps.hbm_queue);

	return bpf_map_lookup_elem_flags(fd, cgrp ? (void *)&e->cg_fd : (void *)&e->key, q,
					 BPF_F_LOCK) ? -errno : 0;
}

static int read_stats(struct env *e, struct hbm_stats *st)
{
	return sample_percpu_lookup(e->skel->maps.hbm_stats, &e->key, (__u64 *)st);
}

/* N datagrams of a known size through the real hook: exactly N packets and
 * N x (payload + 28) IP bytes in the shared queue and in the per-CPU
 * statistics summed over the CPUs; all passed. */
static void exact_counts(bool cgrp)
{
	enum { N = 25, N0 = 12, PAYLOAD = 100, IP_LEN = PAYLOAD + 28 };
	int ncpus = libbpf_num_possible_cpus();
	struct hbm_stats percpu[ncpus > 0 ? ncpus : 1];
	struct hbm_queue q = {};
	struct hbm_stats st = {};
	struct env e;

	sent = 0;
	NEED(!env_open(&e, cgrp ? "hbm_test_cgrp" : "hbm_test", cgrp, 125000000), "setup: %s",
	     strerror(errno));
	/* N0 datagrams sent on CPU 0, the rest on CPU 1: the hook runs on
	 * the sending CPU, so each CPU's copy has its own share. */
	NEED(!run_on_cpu(0, send_on_cpu, &(struct send_job){ &e, N0, PAYLOAD }), "CPU 0");
	NEED(!run_on_cpu(ncpus > 1, send_on_cpu,
			 &(struct send_job){ &e, N - N0, PAYLOAD }), "CPU 1");
	CHECK_U64(sent, N);
	CHECK_U64(received(&e), N);
	CHECK_ERR(read_queue(&e, cgrp, &q), 0);
	CHECK_ERR(read_stats(&e, &st), 0);
	CHECK_U64(q.packets, N);
	CHECK_U64(q.bytes, N * IP_LEN);
	/* A full burst at the first packet, then refills of at most the max. */
	CHECK(q.credit >= HBM_MAX_CREDIT - N * IP_LEN && q.credit <= HBM_MAX_CREDIT,
	      "credit %lld, want %d..%d", (long long)q.credit, HBM_MAX_CREDIT - N * IP_LEN,
	      HBM_MAX_CREDIT);
	/* Each CPU's own copy: what was sent on it. */
	CHECK_ERR(bpf_map_lookup_elem(bpf_map__fd(e.skel->maps.hbm_stats), &e.key, percpu)
		  ? -errno : 0, 0);
	CHECK_U64(percpu[0].packets, N0);
	if (ncpus > 1)
		CHECK_U64(percpu[1].packets, N - N0);
	CHECK_U64(st.packets, N);
	CHECK_U64(st.bytes, N * IP_LEN);
	CHECK_U64(st.pass_packets, N);
	CHECK_U64(st.pass_bytes, N * IP_LEN);
	CHECK_U64(st.drop_packets + st.cn_packets + st.ecn_packets, 0);
out:
	env_close(&e);
}

TEST(hbm, exact_counts_cgroup_storage) { exact_counts(false); }
/* BPF_MAP_TYPE_CGRP_STORAGE is Linux 6.2+: asked of the kernel (libbpf's
 * probe creates one), skipped where it has none (6.1). */
TEST(hbm, exact_counts_cgrp_storage)
{
	if (libbpf_probe_bpf_map_type(32, NULL) != 1)	/* BPF_MAP_TYPE_CGRP_STORAGE */
		SKIP("this kernel has no BPF_MAP_TYPE_CGRP_STORAGE (Linux >= 6.2): "
		     "libbpf_probe_bpf_map_type() said no");
	exact_counts(true);
}

/* No refill (rate 0) and a credit written by key from user space: the queue
 * takes Q = credit + drop threshold bytes, so exactly floor(Q / size) of 60
 * datagrams pass (and reach the receiver); each other one is dropped, and
 * sendto() says so (ENOBUFS with IP_RECVERR). */
TEST(hbm, quota_passes_floor_q_over_size)
{
	enum { N = 60, PAYLOAD = 1000, IP_LEN = PAYLOAD + 28, Q = 50000 };
	struct hbm_queue q = { .credit = Q - HBM_DROP_THRESH, .lasttime_ns = 1 };
	struct hbm_stats st = {};
	struct env e;
	int fd;

	NEED(!env_open(&e, "hbm_test", false, 0), "setup: %s", strerror(errno));
	fd = bpf_map__fd(e.skel->maps.hbm_queue);
	CHECK_ERR(bpf_map_update_elem(fd, &e.key, &q, BPF_F_LOCK) ? -errno : 0, 0);
	CHECK_U64(send_udp(&e, N, PAYLOAD), Q / IP_LEN);
	CHECK_U64(received(&e), Q / IP_LEN);
	CHECK_ERR(read_queue(&e, false, &q), 0);
	CHECK_ERR(read_stats(&e, &st), 0);
	CHECK_U64(st.pass_packets, Q / IP_LEN);
	CHECK_U64(st.drop_packets, N - Q / IP_LEN);
	CHECK_U64(st.drop_bytes, (N - Q / IP_LEN) * IP_LEN);
	CHECK_U64(q.packets, N);
	CHECK_U64(q.credit, Q - HBM_DROP_THRESH - (Q / IP_LEN) * IP_LEN);
	CHECK(q.lasttime_ns > 1, "lasttime_ns %llu: rate 0 still moves it to now",
	      (unsigned long long)q.lasttime_ns);
out:
	env_close(&e);
}

/* The key from user space is (cgroup inode, attach type): before attach
 * nothing, and user space cannot create it; after attach exactly one entry,
 * zeroed; another attach type is another key. Since Linux 5.9 the storage
 * outlives the detach (a new attachment gets the same one back) and goes when
 * the cgroup does. */
TEST(hbm, storage_by_key_and_lifetime)
{
	struct hbm_queue q = { .credit = 7 };
	struct bpf_cgroup_storage_key next, ingress;
	struct env e;
	int fd, err = 0;

	NEED(!env_open(&e, "hbm_test", false, 125000000), "setup: %s", strerror(errno));
	fd = bpf_map__fd(e.skel->maps.hbm_queue);
	bpf_link__destroy(e.link);
	e.link = NULL;
	/* A fresh object: the map is new, so this cgroup has no storage in it. */
	hbm__destroy(e.skel);
	e.skel = hbm__open();
	bpf_program__set_autoload(e.skel->progs.hbm_cgrp, false);
	bpf_map__set_autocreate(e.skel->maps.hbm_cgrp_queue, false);
	NEED(!hbm__load(e.skel), "load: %s", strerror(errno));
	fd = bpf_map__fd(e.skel->maps.hbm_queue);
	CHECK_ERR(bpf_map_lookup_elem(fd, &e.key, &q) ? -errno : 0, -ENOENT);
	CHECK_ERR(bpf_map_update_elem(fd, &e.key, &q, 0) ? -errno : 0, -ENOENT);
	CHECK_ERR(bpf_map_get_next_key(fd, NULL, &next) ? -errno : 0, -ENOENT);

	e.link = bpf_program__attach_cgroup(e.skel->progs.hbm_egress, e.cg_fd);
	NEED(e.link, "attach: %s", strerror(errno));
	CHECK_ERR(bpf_map_lookup_elem(fd, &e.key, &q) ? -errno : 0, 0);
	CHECK_U64(q.packets + q.bytes + q.lasttime_ns + (__u64)q.credit, 0);
	CHECK_ERR(bpf_map_get_next_key(fd, NULL, &next) ? -errno : 0, 0);
	CHECK_U64(next.cgroup_inode_id, e.key.cgroup_inode_id);
	CHECK_U64(next.attach_type, BPF_CGROUP_INET_EGRESS);
	CHECK_ERR(bpf_map_get_next_key(fd, &next, &next) ? -errno : 0, -ENOENT);
	ingress = (struct bpf_cgroup_storage_key){ e.key.cgroup_inode_id, BPF_CGROUP_INET_INGRESS };
	CHECK_ERR(bpf_map_lookup_elem(fd, &ingress, &q) ? -errno : 0, -ENOENT);

	CHECK_U64(send_udp(&e, 3, 100), 3);
	bpf_link__destroy(e.link);
	e.link = NULL;
	CHECK_ERR(bpf_map_lookup_elem(fd, &e.key, &q) ? -errno : 0, 0);
	CHECK_U64(q.packets, 3);
	e.link = bpf_program__attach_cgroup(e.skel->progs.hbm_egress, e.cg_fd);
	NEED(e.link, "attach again: %s", strerror(errno));
	CHECK_U64(send_udp(&e, 2, 100), 2);
	CHECK_ERR(bpf_map_lookup_elem(fd, &e.key, &q) ? -errno : 0, 0);
	CHECK_U64(q.packets, 5);	/* the same storage, counting on */

	/* Detach, close the cgroup's socket, remove the cgroup: the storage
	 * goes when the kernel releases the cgroup's BPF state (async). */
	bpf_link__destroy(e.link);
	e.link = NULL;
	CLOSE_FDS(e.tx);
	e.tx = -1;
	CHECK_ERR(sample_cgroup_destroy(&e.cg), 0);
	for (int i = 0; i < 300; i++) {
		err = bpf_map_lookup_elem(fd, &e.key, &q) ? -errno : 0;
		if (err)
			break;
		usleep(10000);
	}
	CHECK_ERR(err, -ENOENT);
out:
	env_close(&e);
}
