// SPDX-License-Identifier: GPL-2.0
/* common/cgroup.c - see cgroup.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "sample.h"
#include "cgroup.h"

int sample_cgroup2_root(const char *prog, char *root, size_t len)
{
	char line[PATH_MAX + 256], dev[256], dir[PATH_MAX], type[64];
	FILE *f = fopen("/proc/mounts", "re");
	int err = -ENOENT;

	if (!f) {
		err = -errno;
		fprintf(stderr, "%s: cannot read /proc/mounts: %s\n", prog, sample_strerror(err));
		return err;
	}
	while (fgets(line, sizeof(line), f)) {
		/* "cgroup2 /sys/fs/cgroup/unified cgroup2 rw,... 0 0"; a mount
		 * point with spaces would be escaped as \040 and is not expected. */
		if (sscanf(line, "%255s %4095s %63s", dev, dir, type) == 3 &&
		    !strcmp(type, "cgroup2")) {
			if (strlen(dir) >= len) {
				err = -ENAMETOOLONG;
				break;
			}
			strcpy(root, dir);
			err = 0;
			break;
		}
	}
	fclose(f);
	if (err)
		fprintf(stderr,
			"%s: cgroup v2 is not mounted (no cgroup2 line in /proc/mounts); "
			"mount it with: mount -t cgroup2 none /sys/fs/cgroup\n",
			prog);
	return err;
}

int sample_cgroup_open(const char *prog, const char *path)
{
	struct statfs sfs;
	int fd, err;

	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		if (err == -ENOENT)
			fprintf(stderr,
				"%s: cgroup '%s' does not exist; give a directory "
				"of the cgroup v2 hierarchy (see /proc/mounts for cgroup2)\n",
				prog, path);
		else if (err == -ENOTDIR)
			fprintf(stderr,
				"%s: '%s' is not a directory; a cgroup is a directory "
				"of the cgroup v2 hierarchy\n",
				prog, path);
		else
			fprintf(stderr, "%s: cannot open cgroup '%s': %s\n", prog, path,
				sample_strerror(err));
		return err;
	}
	if (fstatfs(fd, &sfs) || sfs.f_type != CGROUP2_SUPER_MAGIC) {
		char root[SAMPLE_CGROUP_PATH_MAX] = "";

		close(fd);
		/* Quietly look for the real mount to name it in the message. */
		FILE *f = fopen("/proc/mounts", "re");
		char line[PATH_MAX + 256], dev[256], dir[PATH_MAX], type[64];

		while (f && fgets(line, sizeof(line), f))
			if (sscanf(line, "%255s %4095s %63s", dev, dir, type) == 3 &&
			    !strcmp(type, "cgroup2") && strlen(dir) < sizeof(root)) {
				strcpy(root, dir);
				break;
			}
		if (f)
			fclose(f);
		if (root[0])
			fprintf(stderr,
				"%s: '%s' is not a cgroup v2 directory; cgroup v2 is "
				"mounted at %s\n",
				prog, path, root);
		else
			fprintf(stderr,
				"%s: '%s' is not a cgroup v2 directory and cgroup v2 is "
				"not mounted; mount it with: mount -t cgroup2 none /sys/fs/cgroup\n",
				prog, path);
		return -EMEDIUMTYPE;
	}
	return fd;
}

/* Write every pid listed in from/cgroup.procs into to/cgroup.procs. */
static int move_all(const char *from, const char *to)
{
	char src[SAMPLE_CGROUP_PATH_MAX + 16], dst[SAMPLE_CGROUP_PATH_MAX + 16];
	FILE *in;
	int pid, err = 0;

	snprintf(src, sizeof(src), "%s/cgroup.procs", from);
	snprintf(dst, sizeof(dst), "%s/cgroup.procs", to);
	in = fopen(src, "re");
	if (!in)
		return errno == ENOENT ? 0 : -errno;
	while (fscanf(in, "%d", &pid) == 1) {
		int fd = open(dst, O_WRONLY | O_CLOEXEC);
		char buf[16];
		int n = snprintf(buf, sizeof(buf), "%d", pid);

		if (fd < 0)
			return fclose(in), -errno;
		/* ESRCH: it exited meanwhile, which is as good as moved. */
		if (write(fd, buf, n) != n && errno != ESRCH)
			err = -errno;
		close(fd);
	}
	fclose(in);
	return err;
}

int sample_cgroup_remove(const char *path)
{
	char parent[SAMPLE_CGROUP_PATH_MAX], *slash;
	int err;

	if (strlen(path) >= sizeof(parent))
		return -ENAMETOOLONG;
	strcpy(parent, path);
	slash = strrchr(parent, '/');
	if (!slash || slash == parent)
		return -EINVAL;
	*slash = '\0';
	/* A process that exits right now is still listed for a moment and rmdir
	 * answers EBUSY until it is gone: try a few times. */
	for (int i = 0; i < 50; i++) {
		if ((err = move_all(path, parent)))
			return err;
		if (!rmdir(path) || errno == ENOENT)
			return 0;
		err = -errno;
		if (err != -EBUSY)
			return err;
		usleep(20000);
	}
	return err;
}

int sample_cgroup_remove_stale(const char *prog, const char *root)
{
	size_t plen = strlen(prog);
	struct dirent *de;
	int removed = 0;
	DIR *dir = opendir(root);

	if (!dir)
		return 0;
	while ((de = readdir(dir))) {
		char path[SAMPLE_CGROUP_PATH_MAX], *end;
		long pid;
		int err;

		if (strncmp(de->d_name, prog, plen) || de->d_name[plen] != '.')
			continue;
		errno = 0;
		pid = strtol(de->d_name + plen + 1, &end, 10);
		if (errno || *end || end == de->d_name + plen + 1 || pid <= 0 || pid > INT_MAX)
			continue;
		/* Still running (or a recycled pid we cannot tell apart): leave it. */
		if (!kill((pid_t)pid, 0) || errno != ESRCH)
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", root, de->d_name) >= (int)sizeof(path))
			continue;
		err = sample_cgroup_remove(path);
		if (err)
			fprintf(stderr, "%s: could not remove stale cgroup %s: %s\n", prog, path,
				sample_strerror(err));
		else {
			fprintf(stderr,
				"%s: removed stale cgroup %s (its process %ld is gone, "
				"probably killed with SIGKILL)\n",
				prog, path, pid);
			removed++;
		}
	}
	closedir(dir);
	return removed;
}

/* The reaper: out of the caller's session and process group, stdio on
 * /dev/null (a shell capturing the sample's output must not wait for it), it
 * sleeps until the pipe's write end is closed (the sample closed it or died),
 * then removes the cgroup. Its exit status is the removal's errno. */
static void reaper_main(int rfd, const char *path)
{
	int keep = fcntl(rfd, F_DUPFD, 100), null = open("/dev/null", O_RDWR);
	char c;

	setsid();
	/* stdio on /dev/null; then hold nothing of the sample's (BPF links,
	 * namespaces, claims): only the pipe, as fd 3. */
	for (int fd = 0; fd < 3 && null >= 0; fd++)
		dup2(null, fd);
	if (keep < 0 || dup2(keep, 3) != 3)
		_exit(EBADF);
	syscall(SYS_close_range, 4, ~0U, 0);
	signal(SIGINT, SIG_IGN); /* a Ctrl-C in the terminal is the sample's */
	signal(SIGTERM, SIG_DFL);
	while (read(3, &c, 1) < 0 && errno == EINTR)
		;
	_exit(-sample_cgroup_remove(path) & 0xff);
}

int sample_cgroup_create(const char *prog, struct sample_cgroup *cg)
{
	char root[SAMPLE_CGROUP_PATH_MAX];
	int pfd[2], err;
	sigset_t none, old;

	*cg = (struct sample_cgroup)SAMPLE_CGROUP_INIT;
	if ((err = sample_cgroup2_root(prog, root, sizeof(root))))
		return err;
	sample_cgroup_remove_stale(prog, root);
	if (snprintf(cg->path, sizeof(cg->path), "%s/%s.%d", root, prog, (int)getpid()) >=
	    (int)sizeof(cg->path)) {
		fprintf(stderr, "%s: cgroup path too long under %s\n", prog, root);
		return -ENAMETOOLONG;
	}
	if (pipe2(pfd, O_CLOEXEC)) {
		err = -errno;
		fprintf(stderr, "%s: pipe for the cgroup reaper: %s\n", prog, sample_strerror(err));
		return err;
	}
	if (mkdir(cg->path, 0755)) {
		err = -errno;
		fprintf(stderr, "%s: creating the demo cgroup %s failed: %s\n", prog, cg->path,
			sample_strerror(err));
		close(pfd[0]);
		close(pfd[1]);
		return err;
	}
	/* The child starts with no signal blocked (the sample blocks SIGINT and
	 * SIGTERM for its signalfd). */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, &old);
	cg->reaper = fork();
	if (cg->reaper == 0) {
		close(pfd[1]);
		reaper_main(pfd[0], cg->path);
	}
	err = cg->reaper < 0 ? -errno : 0;
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(pfd[0]);
	if (err) {
		fprintf(stderr, "%s: starting the cgroup reaper failed: %s\n", prog,
			sample_strerror(err));
		close(pfd[1]);
		rmdir(cg->path);
		*cg = (struct sample_cgroup)SAMPLE_CGROUP_INIT;
		return err;
	}
	cg->reaper_fd = pfd[1];
	return 0;
}

int sample_cgroup_destroy(struct sample_cgroup *cg)
{
	int status, err = 0;

	if (cg->reaper_fd >= 0)
		close(cg->reaper_fd);
	if (cg->reaper > 0) {
		while (waitpid(cg->reaper, &status, 0) < 0 && errno == EINTR)
			;
		if (WIFEXITED(status) && WEXITSTATUS(status))
			err = -WEXITSTATUS(status);
	}
	cg->reaper_fd = -1;
	cg->reaper = -1;
	return err;
}

int sample_cgroup_join(const char *path, pid_t pid)
{
	char file[SAMPLE_CGROUP_PATH_MAX + 16], buf[16];
	int fd, n, err = 0;

	snprintf(file, sizeof(file), "%s/cgroup.procs", path);
	fd = open(file, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = snprintf(buf, sizeof(buf), "%d", pid ? (int)pid : (int)getpid());
	if (write(fd, buf, n) != n)
		err = -errno;
	close(fd);
	return err;
}

int sample_cgroup_self(const char *root, char *path, size_t len)
{
	char line[SAMPLE_CGROUP_PATH_MAX + 16];
	FILE *f = fopen("/proc/self/cgroup", "re");
	int err = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "0::", 3))
			continue;
		line[strcspn(line, "\n")] = '\0';
		/* "0::/" is the root itself. */
		err = snprintf(path, len, "%s%s", root, strcmp(line + 3, "/") ? line + 3 : "") >=
				      (int)len ?
			      -ENAMETOOLONG :
			      0;
		break;
	}
	fclose(f);
	return err;
}
