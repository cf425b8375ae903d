// SPDX-License-Identifier: GPL-2.0
/*
 * map_api_pin.c - step 5: a map pinned in bpffs outlives the fd that made it;
 * another process opens it by path (read-write or read-only); unpinning is
 * unlink(2); the map is freed when its last reference goes, and its id with it.
 *
 * The bpffs is private: this process enters a mount namespace of its own and
 * mounts a new bpffs instance on /sys/fs/bpf there. Nothing outside sees it,
 * and when the process dies (SIGKILL included) the namespace, the mount and
 * every pin in it go too.
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <bpf/bpf.h>

#include "sample.h"
#include "map_api_walk.h"

#define PIN_PATH MAP_API_PIN_DIR "/counts"

/* A new mount namespace with a new bpffs on `dir`. Needs a single-threaded
 * process: unshare(CLONE_NEWNS) refuses one whose threads share its fs. */
static int bpffs_namespace(const char *dir)
{
	if (unshare(CLONE_NEWNS))
		return -errno;
	/* Mount events stay in this namespace: none reaches the host's. (The
	 * kernel ignores source and type here; "none", not NULL, for valgrind.) */
	if (mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) ||
	    mount("bpffs", dir, "bpf", 0, "mode=0700"))
		return -errno;
	return 0;
}

int map_api_private_bpffs(struct map_api_walk *w)
{
	if (w->bpffs)
		return 0;
	int err = bpffs_namespace("/sys/fs/bpf");

	if (!err && mkdir(MAP_API_PIN_DIR, 0700))
		err = -errno;
	w->bpffs = !err;
	return err;
}

/* What the second process found, sent back through a pipe. */
struct peer_report {
	int get, lookup, update, get_ro, lookup_ro, update_ro;
	__u32 id;
	__u64 val;
};

static void peer(int out)
{
	struct peer_report rep = {};
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), key = 1;
	LIBBPF_OPTS(bpf_obj_get_opts, ro, .file_flags = BPF_F_RDONLY);
	__u64 v = 7;
	int fd, rfd;

	fd = bpf_obj_get(PIN_PATH);
	rep.get = fd < 0 ? fd : 0;
	if (fd >= 0) {
		if (!bpf_obj_get_info_by_fd(fd, &info, &len))
			rep.id = info.id;
		rep.lookup = bpf_map_lookup_elem(fd, &key, &rep.val);
		key = 2;
		rep.update = bpf_map_update_elem(fd, &key, &v, BPF_ANY);
	}
	rfd = bpf_obj_get_opts(PIN_PATH, &ro);
	rep.get_ro = rfd < 0 ? rfd : 0;
	if (rfd >= 0) {
		rep.lookup_ro = bpf_map_lookup_elem(rfd, &key, &v);
		key = 3;
		rep.update_ro = bpf_map_update_elem(rfd, &key, &v, BPF_ANY);
	}
	if (write(out, &rep, sizeof(rep)) != sizeof(rep))
		_exit(1);
	_exit(0);
}

/* Run fn(pipe) in a child process; its report lands in rep. */
static int in_child(struct map_api_walk *w, void (*fn)(int), void *rep, size_t len, pid_t *child)
{
	int p[2], status;
	ssize_t got;

	if (pipe(p))
		return -errno;
	fflush(w->out);
	fflush(stdout);
	*child = fork();
	if (*child < 0)
		return -errno;
	if (*child == 0) {
		close(p[0]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		fn(p[1]);
	}
	close(p[1]);
	got = read(p[0], rep, len);
	close(p[0]);
	waitpid(*child, &status, 0);
	return got == (ssize_t)len ? 0 : -EPROTO;
}

/* Is map `id` there? 0 (yes) or -ENOENT. An id is global: any process with
 * the rights may open the map by it (BPF_MAP_GET_FD_BY_ID). */
static int id_alive(__u32 id)
{
	int fd = bpf_map_get_fd_by_id(id);

	if (fd >= 0)
		close(fd);
	return fd < 0 ? fd : 0;
}

/* Wait up to 2 s for map `id` to go: -ENOENT when it did, else 0. */
static int id_gone(__u32 id, int *waited_ms)
{
	for (*waited_ms = 0; *waited_ms < 2000; *waited_ms += 10) {
		int err = id_alive(id);

		if (err)
			return err;
		usleep(10 * 1000);
	}
	return 0;
}

/* The map pinned in a mount namespace that dies with the child. */
static int orphan_fd = -1;

static void pin_and_die(int out)
{
	int err = bpffs_namespace("/sys/fs/bpf");

	if (!err)
		err = bpf_obj_pin(orphan_fd, "/sys/fs/bpf/orphan");
	close(orphan_fd);
	if (write(out, &err, sizeof(err)) != sizeof(err))
		_exit(1);
	_exit(0); /* no unpin: the namespace takes the pin along */
}

static int orphan(struct map_api_walk *w)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	int err, pinned = 1, ms;
	pid_t child;

	orphan_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "api_orphan", 4, 8, 1, NULL);
	if (orphan_fd < 0)
		return orphan_fd;
	err = bpf_obj_get_info_by_fd(orphan_fd, &info, &len);
	if (!err)
		err = in_child(w, pin_and_die, &pinned, sizeof(pinned), &child);
	close(orphan_fd);
	orphan_fd = -1;
	if (err)
		return err;
	map_api_answer(w, pinned, 0, "its own mount namespace; exits, no unpin",
		       "child: new bpffs, pin map \"api_orphan\"");
	err = id_gone(info.id, &ms);
	map_api_answer(w, err, -ENOENT, "namespace died: bpffs and pin with it",
		       "map id of \"api_orphan\" after the child exit");
	map_api_say(w, "  (id %u gone after %d ms): this is why a killed map_api leaves no pin",
		    info.id, ms);
	return 0;
}

int map_api_step_pin(struct map_api_walk *w)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), key = 1;
	struct peer_report rep;
	__u64 val = 42;
	int fd, err, ms;
	pid_t child;

	fd = bpf_map_create(BPF_MAP_TYPE_HASH, "api_pinned", sizeof(__u32), sizeof(__u64), 4, NULL);
	err = fd < 0 ? fd : bpf_map_update_elem(fd, &key, &val, BPF_ANY);
	if (!err)
		err = bpf_obj_get_info_by_fd(fd, &info, &len);
	if (map_api_answer(w, err, 0, "key 1 = 42", "create HASH \"api_pinned\"") < 0)
		goto out;
	w->f.pinned_id = info.id;
	map_api_say(w, "  map id %u, held by one fd", info.id);

	err = map_api_private_bpffs(w);
	map_api_answer(w, err, 0, "a bpffs seen by this process only",
		       "unshare(CLONE_NEWNS), mount bpffs /sys/fs/bpf");
	if (err)
		goto out;
	map_api_answer(w, bpf_obj_pin(fd, PIN_PATH), 0, "a file that holds a reference to the map",
		       "bpf_obj_pin(fd, \"%s\")", PIN_PATH);
	map_api_answer(w, bpf_obj_pin(fd, PIN_PATH), -EEXIST, "the name is taken",
		       "bpf_obj_pin again, same path");
	/* (refused before anything is created: no file is left in /tmp) */
	map_api_answer(w, bpf_obj_pin(fd, "/tmp/map_api.pin"), -EPERM, "pins live in bpffs only",
		       "bpf_obj_pin(fd, \"/tmp/map_api.pin\")");
	map_api_answer(w, bpf_obj_pin(fd, "/sys/fs/bpf/nodir/x"), -ENOENT, "no such directory",
		       "bpf_obj_pin(fd, \"/sys/fs/bpf/nodir/x\")");

	/* A second process: the pin is how it finds the map. */
	err = in_child(w, peer, &rep, sizeof(rep), &child);
	if (err)
		goto out;
	map_api_say(w, "second process (pid %d), by path:", (int)child);
	map_api_answer(w, rep.get, 0, "its own fd for the same map", "peer: bpf_obj_get(path)");
	map_api_say(w, "  map id %u there, %u here: one map", rep.id, info.id);
	map_api_answer(w, rep.lookup, 0, "", "peer: lookup key 1");
	map_api_say(w, "  value %llu, written by the first process", (unsigned long long)rep.val);
	map_api_answer(w, rep.update, 0, "shared: the first process sees it",
		       "peer: update key 2 = 7");
	map_api_answer(w, rep.get_ro, 0, "an fd that may only read",
		       "peer: bpf_obj_get_opts(path, BPF_F_RDONLY)");
	map_api_answer(w, rep.lookup_ro, 0, "reading is allowed",
		       "peer: lookup key 2, read-only fd");
	map_api_answer(w, rep.update_ro, -EPERM, "read-only fd: no writing through it",
		       "peer: update key 3, read-only fd");
	key = 2;
	map_api_answer(w, bpf_map_lookup_elem(fd, &key, &val), 0, "",
		       "lookup key 2 (first process)");
	map_api_say(w, "  value %llu: the second process's write", (unsigned long long)val);

	/* When does the map go away? When its last reference does. */
	close(fd);
	fd = -1;
	map_api_answer(w, id_alive(info.id), 0, "the pin still holds the map",
		       "map id after close(fd)");
	map_api_answer(w, unlink(PIN_PATH) ? -errno : 0, 0, "unpin is unlink(2): no BPF_OBJ_UNPIN",
		       "unlink(\"%s\")", PIN_PATH);
	err = id_gone(info.id, &ms);
	map_api_answer(w, err, -ENOENT, "no fd, no pin: the map is freed", "map id after unlink");
	map_api_say(w, "  (bpf_map_get_fd_by_id(%u) failed after %d ms)", info.id, ms);
	err = orphan(w);
out:
	if (fd >= 0)
		close(fd);
	return err;
}
