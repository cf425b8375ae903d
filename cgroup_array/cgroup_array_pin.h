/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cgroup_array_pin.h - the second lesson of cgroup_array: a CGROUP_ARRAY pinned
 * in a bpffs outlives the process that made it, and separate invocations
 * manage it by its path:
 *
 *   cgroup_array pin PATH CGROUP      create one holding CGROUP, pin it at PATH
 *   cgroup_array update PATH CGROUP   put CGROUP in slot 0 of the pinned map
 *   cgroup_array unpin PATH           remove the pin
 *   cgroup_array -m PATH ...          programs that use the pinned map
 *
 * The demo's first scene does the same inside a private bpffs.
 */
#ifndef CGROUP_ARRAY_PIN_H
#define CGROUP_ARRAY_PIN_H

#include <stdbool.h>
#include <stddef.h>

/* Usage lines of the sub-commands, for -h. */
#define CGROUP_ARRAY_PIN_USAGE                                                                       \
	"  cgroup_array pin PATH CGROUP      create a CGROUP_ARRAY holding CGROUP, pin it at PATH\n" \
	"  cgroup_array update PATH CGROUP   put CGROUP in slot 0 of the map pinned at PATH\n"       \
	"  cgroup_array unpin PATH           remove the pin (the map dies with its last user)"

/* true when arg names a sub-command (pin, update, unpin). */
bool cgroup_array_pin_command(const char *arg);
/* Run the sub-command in argv[1] with its arguments; returns the exit code. */
int cgroup_array_pin_main(int argc, char **argv);

/* Put the cgroup v2 directory at cgroup_path into slot 0 of the CGROUP_ARRAY
 * map_fd. 0 or -errno after one line. */
int cgroup_array_set_slot(int map_fd, const char *cgroup_path);

/* Open the CGROUP_ARRAY pinned at path (bpf_obj_get). The map fd, or -errno
 * after one line naming the fix. */
int cgroup_array_pin_open(const char *path);

/* A new CGROUP_ARRAY (the shape of the object's cgroup_map), slot 0 filled
 * with cgroup unless it is NULL, pinned at path (on a bpffs). Its fd, or
 * -errno after one line naming the fix. */
int cgroup_array_pin_new(const char *path, const char *cgroup);

#endif /* CGROUP_ARRAY_PIN_H */
