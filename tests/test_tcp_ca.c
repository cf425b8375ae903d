// SPDX-License-Identifier: GPL-2.0
/* tcp_ca: a transfer with the BPF algorithm arrives intact and its callbacks
 * count what TCP did; the registration's lifetime (link vs no link); the
 * struct_ops traps (EEXIST, a missing callback, the verifier). */
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "harness.h"
#include "tcp_ca.h"
#include "tcp_ca.skel.h"
#include "tcp_ca_load.h"
/* The demo's transfer code, compiled into the test as it is in the sample. */
#include "tcp_ca_demo.c"

/* Is name in the kernel's list? (Global: the same in every netns.) */
static bool ca_available(const char *name)
{
	char line[1024] = "", *tok, *save;
	FILE *f = fopen("/proc/sys/net/ipv4/tcp_available_congestion_control", "r");

	if (f) {
		if (!fgets(line, sizeof(line), f))
			line[0] = '\0';
		fclose(f);
	}
	for (tok = strtok_r(line, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save))
		if (!strcmp(tok, name))
			return true;
	return false;
}

/* Wait up to 2 s for name to be (want) or not be in the list. */
static bool ca_wait(const char *name, bool want)
{
	for (int i = 0; i < 200 && ca_available(name) != want; i++)
		usleep(10000);
	return ca_available(name) == want;
}

/* struct_ops links are Linux 6.4+ (asked of the kernel's BTF); 6.1 has none,
 * and tcp_ca refuses to run there. */
#define NEED_LINKS()                                                                   \
	do {                                                                           \
		int links_ = tcp_ca_kernel_has_links();                                \
		REQUIRE(links_ >= 0, "reading the kernel's BTF: %s", strerror(-links_)); \
		if (!links_)                                                           \
			SKIP("this kernel has no struct_ops link "                     \
			     "(struct bpf_struct_ops_link, Linux >= 6.4)");               \
	} while (0)

/* A name unique to this test process and tag. */
static const char *ca_name(char *buf, char tag)
{
	snprintf(buf, TCP_CA_NAME_LEN, "bpf_t%c_%x", tag, (unsigned int)getpid());
	return buf;
}

static struct tcp_ca *load(const char *name, bool link, void **elf)
{
	struct tcp_ca *skel = tcp_ca_open_named(name, elf);

	if (!skel)
		return NULL;
	if (link) {
		bpf_map__set_map_flags(skel->maps.tcp_ca_ops, BPF_F_LINK);
		bpf_map__set_map_flags(skel->maps.ca_no_undo, BPF_F_LINK);
	}
	if (tcp_ca__load(skel)) {
		tcp_ca__destroy(skel);
		free(*elf);
		return NULL;
	}
	return skel;
}

static struct cb_stat stat_of(struct tcp_ca *skel, enum tcp_ca_cb cb)
{
	struct cb_stat st = { ~0ull, ~0ull };
	__u32 key = cb;

	bpf_map_lookup_elem(bpf_map__fd(skel->maps.cb_stats), &key, &st);
	return st;
}

/* B bytes with the algorithm selected arrive intact; the algorithm saw one
 * connection (init 1, release 1 after close), and pkts_acked counted every
 * segment delivered once: exactly the kernel's own count (TCP_INFO
 * tcpi_delivered: the data segments and the SYN), and the FIN after close. The connection's own count in
 * icsk_ca_priv, reported at release, misses the SYN: init comes after it.
 * After the link closes the name is gone. */
TEST(tcp_ca, transfer_counts_and_exit_unregisters)
{
	const size_t B = 1 << 20;
	struct tcp_ca_demo d = TCP_CA_DEMO_INIT;
	struct tcp_info ti = {};
	socklen_t len = sizeof(ti);
	char name[TCP_CA_NAME_LEN];
	void *elf = NULL;
	struct tcp_ca *skel;
	__u64 segs;
	int link_fd;

	NEED_LINKS();
	skel = load(ca_name(name, 'x'), true, &elf);
	REQUIRE(skel, "loading tcp_ca: %s", strerror(errno));
	link_fd = tcp_ca_register(skel->maps.tcp_ca_ops);
	CHECK(link_fd >= 0, "register: %s", strerror(-link_fd));
	CHECK(ca_available(name), "%s not in tcp_available_congestion_control", name);
	if (link_fd < 0 || tcp_ca_demo_open(&d, "test_tcp_ca", name, B))
		goto out;
	CHECK(!strcmp(d.flow[0].ca, name), "flow 0 runs %s, want %s", d.flow[0].ca, name);
	CHECK_ERR(tcp_ca_demo_step(&d), 0);
	CHECK_U64(d.flow[0].received, B);
	CHECK_U64(d.flow[0].sum_received, d.flow[0].sum_sent);
	/* every byte acked: the sender has nothing in flight */
	for (int i = 0; i < 200; i++) {
		getsockopt(d.flow[0].cli, IPPROTO_TCP, TCP_INFO, &ti, &len);
		if (!ti.tcpi_unacked)
			break;
		usleep(10000);
	}
	CHECK_U64(ti.tcpi_unacked, 0);
	CHECK_U64(ti.tcpi_bytes_acked, B + 1);		/* + the SYN's sequence number */
	segs = ti.tcpi_delivered;	/* the kernel's count: data segments + the SYN */
	CHECK(ti.tcpi_data_segs_out >= B / 1448, "%u data segments for %zu bytes",
	      ti.tcpi_data_segs_out, B);
	CHECK_U64(stat_of(skel, CB_INIT).calls, 1);
	CHECK_U64(stat_of(skel, CB_PKTS_ACKED).units, segs);
	CHECK(stat_of(skel, CB_IN_ACK_EVENT).calls >= stat_of(skel, CB_PKTS_ACKED).calls,
	      "fewer ACKs than ACKs that acked data");
	CHECK_U64(stat_of(skel, CB_RELEASE).calls, 0);
	d.open = false;			/* no "demo sent" line in the test's output */
	tcp_ca_demo_close(&d);
	for (int i = 0; i < 200 && stat_of(skel, CB_RELEASE).calls == 0; i++)
		usleep(10000);
	CHECK_U64(stat_of(skel, CB_RELEASE).calls, 1);
	/* close() sent a FIN, acked like a segment */
	CHECK_U64(stat_of(skel, CB_PKTS_ACKED).units, segs + 1);
	/* The connection's own count in icsk_ca_priv, read at release: its data
	 * segments and the FIN, not the SYN: init runs once the handshake is
	 * over, after pkts_acked was called for the SYN (and init zeroes it). */
	CHECK_U64(stat_of(skel, CB_RELEASE).units, segs);
	CHECK_U64(stat_of(skel, CB_INIT).calls, 1);
out:
	d.open = false;
	tcp_ca_demo_close(&d);
	if (link_fd >= 0)
		close(link_fd);
	CHECK(ca_wait(name, false), "%s still registered after closing its link", name);
	tcp_ca__destroy(skel);
	free(elf);
}

/* Register in a child, SIGKILL it, and see whether the name survives. With
 * BPF_F_LINK the child's link fd is the registration: gone with the process.
 * Without it (the old way) the registration pins the map in the kernel: the
 * name outlives the process until someone deletes the map's element. */
static void kill_registered_child(bool link, const char *name)
{
	int pipefd[2], status;
	__u32 map_id = 0, zero = 0;
	pid_t pid;

	REQUIRE(!pipe(pipefd), "pipe: %s", strerror(errno));
	pid = fork();
	REQUIRE(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		void *elf;
		struct tcp_ca *skel = load(name, link, &elf);
		struct bpf_map_info info = {};
		__u32 len = sizeof(info);
		int fd = -1;

		if (skel) {
			fd = link ? tcp_ca_register(skel->maps.tcp_ca_ops)
				  : (bpf_map__attach_struct_ops(skel->maps.tcp_ca_ops) ? 0 : -errno);
			bpf_obj_get_info_by_fd(bpf_map__fd(skel->maps.tcp_ca_ops), &info, &len);
		}
		map_id = fd >= 0 ? info.id : 0;
		if (write(pipefd[1], &map_id, sizeof(map_id)) != sizeof(map_id))
			_exit(1);
		pause();
		_exit(0);
	}
	close(pipefd[1]);
	if (read(pipefd[0], &map_id, sizeof(map_id)) != sizeof(map_id))
		map_id = 0;
	close(pipefd[0]);
	CHECK(map_id != 0, "the child did not register %s", name);
	CHECK(ca_available(name), "%s not registered while the child lives", name);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	if (link) {
		CHECK(ca_wait(name, false), "%s survived SIGKILL with a link", name);
	} else if (map_id) {
		int fd = bpf_map_get_fd_by_id(map_id);

		CHECK(ca_available(name), "%s gone without a link: the trap did not show", name);
		CHECK(fd >= 0, "map %u gone: %s", map_id, strerror(errno));
		/* the way out of the trap: unregister by deleting the element */
		CHECK_ERR(fd >= 0 && bpf_map_delete_elem(fd, &zero) ? -errno : 0, 0);
		if (fd >= 0)
			close(fd);
		CHECK(ca_wait(name, false), "%s still registered after delete", name);
		/* and the map itself is freed once nothing holds it */
		for (int i = 0; i < 300 && (fd = bpf_map_get_fd_by_id(map_id)) >= 0; i++) {
			close(fd);
			usleep(10000);
		}
		CHECK(fd < 0 && errno == ENOENT, "map %u still exists", map_id);
	}
}

TEST(tcp_ca, sigkill_with_link_unregisters)
{
	char name[TCP_CA_NAME_LEN];

	NEED_LINKS();
	kill_registered_child(true, ca_name(name, 'k'));
}

TEST(tcp_ca, sigkill_without_link_outlives_process)
{
	char name[TCP_CA_NAME_LEN];

	kill_registered_child(false, ca_name(name, 'n'));
}

/* The name is the key: a second instance under the same name is refused with
 * EEXIST, and the first one stays registered. */
TEST(tcp_ca, same_name_is_eexist)
{
	char name[TCP_CA_NAME_LEN];
	void *elf1 = NULL, *elf2 = NULL;
	struct tcp_ca *a, *b;
	int fa = -1, fb = -1;

	NEED_LINKS();
	a = load(ca_name(name, 'e'), true, &elf1);
	b = load(name, true, &elf2);
	REQUIRE(a && b, "loading tcp_ca twice: %s", strerror(errno));
	fa = tcp_ca_register(a->maps.tcp_ca_ops);
	CHECK(fa >= 0, "first registration: %s", strerror(-fa));
	fb = tcp_ca_register(b->maps.tcp_ca_ops);
	CHECK_ERR(fb < 0 ? fb : 0, -EEXIST);
	CHECK(ca_available(name), "%s lost by the refused second registration", name);
	CLOSE_FDS(fa, fb);
	CHECK(ca_wait(name, false), "%s still registered", name);
	tcp_ca__destroy(a);
	tcp_ca__destroy(b);
	free(elf1);
	free(elf2);
}

/* ca_no_undo lacks .undo_cwnd: the map is created, the registration is EINVAL
 * (the kernel log says "bpf_ca_no_undo does not implement required ops"). */
TEST(tcp_ca, missing_required_callback_is_einval)
{
	char name[TCP_CA_NAME_LEN];
	void *elf = NULL;
	struct tcp_ca *skel;
	int fd;

	NEED_LINKS();
	skel = load(ca_name(name, 'u'), true, &elf);
	REQUIRE(skel, "loading tcp_ca: %s", strerror(errno));
	fd = tcp_ca_register(skel->maps.ca_no_undo);
	CHECK_ERR(fd < 0 ? fd : 0, -EINVAL);
	CHECK(!ca_available("bpf_ca_no_undo"), "bpf_ca_no_undo got registered");
	if (fd >= 0)
		close(fd);
	tcp_ca__destroy(skel);
	free(elf);
}

/* The verifier refuses a callback that writes a socket field a congestion
 * control may not write (here snd_una): the whole load fails with EACCES. */
TEST(tcp_ca, verifier_refuses_write_to_snd_una)
{
	static char log[16384];
	char name[TCP_CA_NAME_LEN];
	void *elf = NULL;
	struct tcp_ca *skel = tcp_ca_open_named(ca_name(name, 'v'), &elf);
	libbpf_print_fn_t old;
	int err;

	REQUIRE(skel, "opening tcp_ca: %s", strerror(errno));
	bpf_program__set_autoload(skel->progs.bad_write_ssthresh, true);
	bpf_program__set_log_buf(skel->progs.bad_write_ssthresh, log, sizeof(log));
	old = libbpf_set_print(NULL);	/* the refusal is expected */
	err = tcp_ca__load(skel);
	libbpf_set_print(old);
	CHECK_ERR(err, -EACCES);
	CHECK(strstr(log, "no write support to tcp_sock at off"), "verifier log: %.300s", log);
	CHECK(!ca_available(name), "%s registered by a failed load", name);
	tcp_ca__destroy(skel);
	free(elf);
}
