/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sockex3_keeper.h - a child process that holds one more fd of the PROG_ARRAY
 * and, once sockex3 is gone (even by kill -9), empties the slots itself before
 * it lets the map go.
 *
 * Why: when the last user-space reference of a PROG_ARRAY goes, the kernel
 * empties its slots from a work queue (prog_array_map_clear()), holding one
 * map reference for the work. With stages reached by direct jumps
 * (bpf_tail_call_static()) that work rewrites JIT code per slot and takes
 * 90-130 ms here. Any process that takes an fd by id meanwhile (`bpftool map
 * show` does, for every map) and closes it queues the work again; a second
 * such close before the work runs finds it still queued, and the reference
 * taken for it is never dropped: the map stays in the kernel forever, empty,
 * with no program and no fd (README, Traps). The keeper keeps a user
 * reference while the slots are emptied, in its own syscalls, and closes its
 * fd only when the stage programs are gone: the kernel's work then has
 * nothing to do and runs in microseconds.
 */
#ifndef SOCKEX3_KEEPER_H
#define SOCKEX3_KEEPER_H

#include <stdbool.h>
#include <sys/types.h>

struct bpf_object;
struct bpf_map;

struct sockex3_keeper {
	int fd; /* the pipe's write end: EOF tells the keeper sockex3 is gone */
	pid_t pid;
};
#define SOCKEX3_KEEPER_INIT         \
	{                           \
		.fd = -1, .pid = -1 \
	}

/* Fork the keeper for PROG_ARRAY `stages` of the loaded object `obj` (whose
 * programs it waits for). 0 or -errno, with one line on stderr. */
int sockex3_keeper_start(struct sockex3_keeper *k, const char *prog, const struct bpf_object *obj,
			 const struct bpf_map *stages);

/* Stop the keeper and wait for it. empty: it empties the slots and waits for
 * the programs first (the cleanup path, and what happens when sockex3 dies);
 * !empty: it closes its fd and leaves the map as it is (sockex3 then shows
 * what the kernel does at the last reference). Safe on SOCKEX3_KEEPER_INIT
 * and twice. 0 or -errno (the keeper's). */
int sockex3_keeper_stop(struct sockex3_keeper *k, bool empty);

#endif
