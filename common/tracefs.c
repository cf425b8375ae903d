// SPDX-License-Identifier: GPL-2.0
/* tracefs.c - see tracefs.h. */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/mount.h>

#include "tracefs.h"

int sample_tracefs_ensure(const char *event, bool *mounted)
{
	char path[256];

	*mounted = false;
	snprintf(path, sizeof(path), SAMPLE_TRACEFS_DIR "/events/%s", event);
	if (!access(path, F_OK))
		return 0;
	snprintf(path, sizeof(path), "/sys/kernel/debug/tracing/events/%s", event);
	if (!access(path, F_OK))
		return 0;
	if (!access(SAMPLE_TRACEFS_DIR "/events", F_OK))
		return -ENOENT; /* tracefs is there, the event is not */

	/* A private mount namespace, with every mount made private so that
	 * nothing mounted here propagates back to the parent namespace. The
	 * kernel ignores the type of a propagation change; "none" rather than
	 * NULL because valgrind reads the type as a string unconditionally. */
	if (unshare(CLONE_NEWNS) || mount(NULL, "/", "none", MS_REC | MS_PRIVATE, NULL) ||
	    mount("tracefs", SAMPLE_TRACEFS_DIR, "tracefs", 0, NULL))
		return -errno;
	*mounted = true;
	snprintf(path, sizeof(path), SAMPLE_TRACEFS_DIR "/events/%s", event);
	return access(path, F_OK) ? -ENOENT : 0;
}
