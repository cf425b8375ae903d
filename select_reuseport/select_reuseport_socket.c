// SPDX-License-Identifier: GPL-2.0
/* select_reuseport_socket.c - a member of an SO_REUSEPORT group on 127.0.0.1.
 * See select_reuseport_socket.h. */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "select_reuseport_socket.h"

void select_reuseport_loopback(struct sockaddr_in *sa, __u16 port)
{
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons(port);
	sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
}

int select_reuseport_socket(int type, __u16 port)
{
	struct sockaddr_in sa;
	int one = 1;
	int fd;
	int err;

	fd = socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	select_reuseport_loopback(&sa, port);
	/* The option first: a socket joins its group when it binds. */
	err = setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	if (!err && port)
		err = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	if (!err && port && type == SOCK_STREAM)
		err = listen(fd, 64);
	if (err) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}
