/* SPDX-License-Identifier: GPL-2.0 */
/*
 * select_reuseport_socket.h - a member of an SO_REUSEPORT group on 127.0.0.1:
 * the workers of select_reuseport are made with it (and the traps' and the
 * demo's sockets too).
 */
#ifndef SELECT_REUSEPORT_SOCKET_H
#define SELECT_REUSEPORT_SOCKET_H

#include <netinet/in.h>
#include <linux/types.h>

/* 127.0.0.1:port into *sa. */
void select_reuseport_loopback(struct sockaddr_in *sa, __u16 port);

/* A socket with SO_REUSEPORT set, bound to 127.0.0.1:port unless port is 0
 * (then unbound); SOCK_STREAM ones also listen. Non-blocking. fd or -errno. */
int select_reuseport_socket(int type, __u16 port);

#endif /* SELECT_REUSEPORT_SOCKET_H */
