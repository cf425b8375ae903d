// SPDX-License-Identifier: GPL-2.0
/* select_reuseport: exact shards from a REUSEPORT_SOCKARRAY, counted
 * fallbacks, the map's traps, and a listener restart that refuses nothing.
 * Every test runs in an anonymous netns of its own (its lo only). */
#include <arpa/inet.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "harness.h"
#include "demo.h"
#include "select_reuseport.h"
#include "select_reuseport.skel.h"

#define PORT 5300

/* The test's world: its own netns, the skeleton loaded for nworkers shards. */
struct world {
	int orig_ns, ns;
	struct select_reuseport *skel;
	int udp[SR_MAX_WORKERS];
};

static int world_open(struct world *w, unsigned int nworkers)
{
	memset(w, 0, sizeof(*w));
	w->orig_ns = w->ns = -1;
	for (int i = 0; i < SR_MAX_WORKERS; i++)
		w->udp[i] = -1;
	if ((w->orig_ns = sample_netns_current()) < 0 || (w->ns = sample_netns_new()) < 0 ||
	    sample_netns_enter(w->ns))
		return -1;
	w->skel = select_reuseport__open();
	if (!w->skel)
		return -1;
	w->skel->rodata->nr_workers = nworkers;
	return select_reuseport__load(w->skel);
}

static void world_close(struct world *w)
{
	for (int i = 0; i < SR_MAX_WORKERS; i++)
		if (w->udp[i] >= 0)
			close(w->udp[i]);
	select_reuseport__destroy(w->skel);
	if (w->orig_ns >= 0) {
		sample_netns_enter(w->orig_ns);
		close(w->orig_ns);
	}
	if (w->ns >= 0)
		close(w->ns);
}

static struct sockaddr_in lo_addr(__u16 port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sa;
}

/* SO_REUSEPORT socket bound to 127.0.0.1:port (port 0: left unbound). */
static int rp_socket(int type, __u16 port)
{
	int fd = socket(AF_INET, type | SOCK_NONBLOCK, 0), one = 1;
	struct sockaddr_in sa = lo_addr(port);

	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) ||
	    (port && bind(fd, (struct sockaddr *)&sa, sizeof(sa))) ||
	    (port && type == SOCK_STREAM && listen(fd, 64)))
		return -1;
	return fd;
}

static int map_put(int map_fd, __u32 slot, int fd)
{
	__u64 v = fd;

	return bpf_map_update_elem(map_fd, &slot, &v, BPF_ANY) ? -errno : 0;
}

/* n workers in slots 0..n-1, select_by_key attached to the group. */
static int workers_open(struct world *w, unsigned int n)
{
	int prog_fd = bpf_program__fd(w->skel->progs.select_by_key);

	for (unsigned int i = 0; i < n; i++)
		if ((w->udp[i] = rp_socket(SOCK_DGRAM, PORT)) < 0 ||
		    map_put(bpf_map__fd(w->skel->maps.udp_workers), i, w->udp[i]))
			return -1;
	return setsockopt(w->udp[0], SOL_SOCKET, SO_ATTACH_REUSEPORT_EBPF, &prog_fd,
			  sizeof(prog_fd)) ? -errno : 0;
}

/* count datagrams with first bytes 0,1,..,nkeys-1 in turn (or all = key if nkeys is 0). */
static int send_keys(unsigned int count, unsigned int nkeys, __u8 key)
{
	struct sockaddr_in dst = lo_addr(PORT);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	unsigned char buf[32] = {};

	if (fd < 0)
		return -errno;
	for (unsigned int i = 0; i < count; i++) {
		buf[0] = nkeys ? i % nkeys : key;
		if (sendto(fd, buf, sizeof(buf), 0, (struct sockaddr *)&dst, sizeof(dst)) < 0)
			break;
	}
	close(fd);
	return 0;
}

static __u64 drain(int fd)
{
	unsigned char buf[64];
	__u64 n = 0;

	while (fd >= 0 && recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		n++;
	return n;
}

static struct sr_counters counters(struct world *w)
{
	struct sr_counters c;

	memset(&c, 0xff, sizeof(c));
	bpf_map_lookup_elem(bpf_map__fd(w->skel->maps.counters), &(__u32){ 0 }, &c);
	return c;
}

static __u64 per_slot(struct world *w, __u32 slot)
{
	__u64 v = ~0ull;

	bpf_map_lookup_elem(bpf_map__fd(w->skel->maps.per_slot), &slot, &v);
	return v;
}

/* 4 workers, 400 datagrams with keys 0-3 in turn: exactly 100 each. */
TEST(select_reuseport, four_shards_exact)
{
	struct world w;

	REQUIRE(!world_open(&w, 4), "loading in a new netns failed: %s", strerror(errno));
	REQUIRE(!workers_open(&w, 4), "4 workers: %s", strerror(errno));
	CHECK_ERR(send_keys(400, 4, 0), 0);
	for (int i = 0; i < 4; i++) {
		CHECK_U64(drain(w.udp[i]), 100);
		CHECK_U64(per_slot(&w, i), 100);
	}
	CHECK_U64(counters(&w).selected, 400);
	CHECK_U64(counters(&w).empty_slot, 0);
	CHECK_U64(counters(&w).select_failed, 0);
	world_close(&w);
}

/* Slot 2 emptied: its 100 datagrams are the counted fallbacks (ENOENT), the
 * kernel's hash delivers them somewhere in the group, none is lost. */
TEST(select_reuseport, empty_slot_falls_back_counted)
{
	struct world w;
	__u64 got = 0;
	__u32 two = 2;

	REQUIRE(!world_open(&w, 4), "loading in a new netns failed: %s", strerror(errno));
	REQUIRE(!workers_open(&w, 4), "4 workers: %s", strerror(errno));
	CHECK_ERR(bpf_map_delete_elem(bpf_map__fd(w.skel->maps.udp_workers), &two) ? -errno : 0, 0);
	CHECK_ERR(send_keys(400, 4, 0), 0);
	for (int i = 0; i < 4; i++)
		got += drain(w.udp[i]);
	CHECK_U64(got, 400);
	CHECK_U64(counters(&w).empty_slot, 100);
	CHECK_U64(counters(&w).selected, 300);
	CHECK_U64(per_slot(&w, 2), 0);
	CHECK_U64((__u64)-counters(&w).last_err, ENOENT);
	world_close(&w);
}

/* A bound socket of another group goes into the map, but selecting it fails
 * (EBADFD: same protocol and family, another address): every datagram for its
 * slot falls back, counted, and that socket receives none. */
TEST(select_reuseport, other_group_select_fails)
{
	struct world w;
	int other;
	__u64 got = 0;

	REQUIRE(!world_open(&w, 4), "loading in a new netns failed: %s", strerror(errno));
	REQUIRE(!workers_open(&w, 3), "3 workers: %s", strerror(errno));
	other = rp_socket(SOCK_DGRAM, PORT + 2);
	REQUIRE(other >= 0, "socket on another port: %s", strerror(errno));
	CHECK_ERR(map_put(bpf_map__fd(w.skel->maps.udp_workers), 3, other), 0);
	CHECK_ERR(send_keys(100, 0, 3), 0);
	for (int i = 0; i < 3; i++)
		got += drain(w.udp[i]);
	CHECK_U64(got, 100);
	CHECK_U64(drain(other), 0);
	CHECK_U64(counters(&w).select_failed, 100);
	CHECK_U64(counters(&w).selected, 0);
	CHECK_U64((__u64)-counters(&w).last_err, EBADFD);
	close(other);
	world_close(&w);
}

/* Insertion needs a bound SO_REUSEPORT socket (EINVAL); lookup returns the
 * socket's cookie; a socket sits in one slot only (EBUSY); a closed socket
 * leaves its slot (ENOENT). */
TEST(select_reuseport, map_traps)
{
	struct world w;
	int map_fd, unbound, plain, extra;
	__u64 v = 0, cookie = 0;
	socklen_t len = sizeof(cookie);
	struct sockaddr_in sa = lo_addr(PORT + 3);
	__u32 slot = 5;

	REQUIRE(!world_open(&w, 4), "loading in a new netns failed: %s", strerror(errno));
	REQUIRE(!workers_open(&w, 4), "4 workers: %s", strerror(errno));
	map_fd = bpf_map__fd(w.skel->maps.udp_workers);
	unbound = rp_socket(SOCK_DGRAM, 0);
	CHECK_ERR(map_put(map_fd, slot, unbound), -EINVAL);
	plain = socket(AF_INET, SOCK_DGRAM, 0);
	CHECK_ERR(bind(plain, (struct sockaddr *)&sa, sizeof(sa)) ? -errno : 0, 0);
	CHECK_ERR(map_put(map_fd, slot, plain), -EINVAL);
	CHECK_ERR(bpf_map_lookup_elem(map_fd, &(__u32){ 0 }, &v) ? -errno : 0, 0);
	CHECK_ERR(getsockopt(w.udp[0], SOL_SOCKET, SO_COOKIE, &cookie, &len) ? -errno : 0, 0);
	CHECK_U64(v, cookie);
	extra = rp_socket(SOCK_DGRAM, PORT);
	CHECK_ERR(map_put(map_fd, slot, extra), 0);
	CHECK_ERR(map_put(map_fd, 6, extra), -EBUSY);	/* the same socket in two slots */
	CHECK_ERR(bpf_map_lookup_elem(map_fd, &slot, &v) ? -errno : 0, 0);
	close(extra);
	CHECK_ERR(bpf_map_lookup_elem(map_fd, &slot, &v) ? -errno : 0, -ENOENT);
	CLOSE_FDS(unbound, plain);
	world_close(&w);
}

/* K connections pending on listener 0 (the only one when they connect);
 * listener 1 joins; listener 0 closes; listener 1 accepts what it can, and a
 * client that reads no byte was refused (reset). prog: none, select_or_migrate
 * (SYNs to slot 0, migration to slot 1) or the plain select_by_key (its SYNs
 * find an empty udp_workers slot and fall back to the hash). */
enum { NO_PROG, MIGRATE_PROG, PLAIN_PROG };
static void restart(int prog, bool migrate_req, unsigned int k, unsigned int *accepted,
		    unsigned int *refused, struct sr_counters *c)
{
	struct world w;
	int lsn[2] = { -1, -1 }, cli[32], fd, prog_fd;
	struct sockaddr_in sa = lo_addr(PORT + 1);
	char byte;

	*accepted = *refused = 0;
	if (world_open(&w, 4))
		return;
	sample_netns_sysctl(w.ns, "net/ipv4/tcp_migrate_req", migrate_req ? "1" : "0");
	prog_fd = bpf_program__fd(prog == PLAIN_PROG ? w.skel->progs.select_by_key
						     : w.skel->progs.select_or_migrate);
	if ((lsn[0] = rp_socket(SOCK_STREAM, PORT + 1)) < 0 ||
	    map_put(bpf_map__fd(w.skel->maps.tcp_listeners), 0, lsn[0]))
		goto out;
	if (prog != NO_PROG &&
	    setsockopt(lsn[0], SOL_SOCKET, SO_ATTACH_REUSEPORT_EBPF, &prog_fd, sizeof(prog_fd)))
		goto out;
	for (unsigned int i = 0; i < k; i++) {
		cli[i] = socket(AF_INET, SOCK_STREAM, 0);
		connect(cli[i], (struct sockaddr *)&sa, sizeof(sa));
	}
	if ((lsn[1] = rp_socket(SOCK_STREAM, PORT + 1)) < 0 ||
	    map_put(bpf_map__fd(w.skel->maps.tcp_listeners), 1, lsn[1]))
		goto out;
	close(lsn[0]);
	lsn[0] = -1;
	while ((fd = accept(lsn[1], NULL, NULL)) >= 0) {
		(*accepted)++;
		if (write(fd, "x", 1) != 1)
			break;
		close(fd);
	}
	for (unsigned int i = 0; i < k; i++) {
		*refused += recv(cli[i], &byte, 1, 0) != 1;
		close(cli[i]);
	}
	*c = counters(&w);
out:
	CLOSE_FDS(lsn[0], lsn[1]);
	world_close(&w);
}

/* The program moves all K: the K SYNs went to slot 0, K migrations to slot 1. */
TEST(select_reuseport, restart_migrates_all_pending)
{
	struct sr_counters c = {};
	unsigned int accepted, refused;

	restart(MIGRATE_PROG, true, 16, &accepted, &refused, &c);
	CHECK_U64(accepted, 16);
	CHECK_U64(refused, 0);
	CHECK_U64(c.syn_selected, 16);
	CHECK_U64(c.migrated, 16);
	CHECK_U64(c.migrate_failed, 0);
}

/* A program attached as sk_reuseport/migrate migrates even with the sysctl 0. */
TEST(select_reuseport, migrate_prog_needs_no_sysctl)
{
	struct sr_counters c = {};
	unsigned int accepted, refused;

	restart(MIGRATE_PROG, false, 16, &accepted, &refused, &c);
	CHECK_U64(accepted, 16);
	CHECK_U64(refused, 0);
	CHECK_U64(c.migrated, 16);
}

/* No program: the sysctl alone decides. 0: all K reset; 1: all K migrate. */
TEST(select_reuseport, no_prog_sysctl_decides)
{
	struct sr_counters c = {};
	unsigned int accepted, refused;

	restart(NO_PROG, false, 16, &accepted, &refused, &c);
	CHECK_U64(accepted, 0);
	CHECK_U64(refused, 16);
	restart(NO_PROG, true, 16, &accepted, &refused, &c);
	CHECK_U64(accepted, 16);
	CHECK_U64(refused, 0);
	CHECK_U64(c.migrated, 0);	/* the kernel's hash did it, not the program */
}

/* A plain sk_reuseport program neither enables migration nor is asked: with
 * the sysctl 0 all K are reset; it ran for the K SYNs only (empty slot). */
TEST(select_reuseport, plain_prog_does_not_migrate)
{
	struct sr_counters c = {};
	unsigned int accepted, refused;

	restart(PLAIN_PROG, false, 16, &accepted, &refused, &c);
	CHECK_U64(accepted, 0);
	CHECK_U64(refused, 16);
	CHECK_U64(c.empty_slot, 16);
	CHECK_U64(c.migrated + c.migrate_failed + c.selected + c.select_failed, 0);
}

/* Value size: 4 or 8 (others EINVAL); with 4 the map works but a lookup from
 * user space is ENOSPC (no room for the 64-bit cookie). A TCP socket must be
 * listening, not just bound; BPF_EXIST on an empty slot is ENOENT. */
TEST(select_reuseport, value_size_and_tcp_state)
{
	struct world w;
	int m2, m4, tcp, udp;
	__u32 key = 0;
	__u64 v = 0;
	struct sockaddr_in sa = lo_addr(PORT + 4);

	REQUIRE(!world_open(&w, 4), "loading in a new netns failed: %s", strerror(errno));
	m2 = bpf_map_create(BPF_MAP_TYPE_REUSEPORT_SOCKARRAY, NULL, 4, 2, 4, NULL);
	CHECK_ERR(m2 < 0 ? -errno : 0, -EINVAL);
	m4 = bpf_map_create(BPF_MAP_TYPE_REUSEPORT_SOCKARRAY, NULL, 4, 4, 4, NULL);
	REQUIRE(m4 >= 0, "4-byte REUSEPORT_SOCKARRAY: %s", strerror(errno));
	udp = rp_socket(SOCK_DGRAM, PORT);
	v = udp;
	CHECK_ERR(bpf_map_update_elem(m4, &key, &(__u32){ udp }, BPF_ANY) ? -errno : 0, 0);
	CHECK_ERR(bpf_map_lookup_elem(m4, &key, &v) ? -errno : 0, -ENOSPC);
	tcp = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(tcp, SOL_SOCKET, SO_REUSEPORT, &(int){ 1 }, sizeof(int));
	CHECK_ERR(bind(tcp, (struct sockaddr *)&sa, sizeof(sa)) ? -errno : 0, 0);
	CHECK_ERR(map_put(bpf_map__fd(w.skel->maps.tcp_listeners), 0, tcp), -EINVAL);
	CHECK_ERR(listen(tcp, 4) ? -errno : 0, 0);
	CHECK_ERR(map_put(bpf_map__fd(w.skel->maps.tcp_listeners), 0, tcp), 0);
	v = udp;
	key = 3;
	CHECK_ERR(bpf_map_update_elem(bpf_map__fd(w.skel->maps.udp_workers), &key, &v, BPF_EXIST)
		  ? -errno : 0, -ENOENT);
	CLOSE_FDS(m2, m4, tcp, udp);
	world_close(&w);
}
