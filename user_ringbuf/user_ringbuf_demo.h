/* SPDX-License-Identifier: GPL-2.0 */
/* user_ringbuf_demo.h - the no-argument demo: it plays the operator, writing
 * command lines into a pipe that the loader reads as it would read stdin, and
 * runs frames from 12 addresses through the XDP filter with
 * BPF_PROG_TEST_RUN, so the rules show in the hit counts. */
#ifndef USER_RINGBUF_DEMO_H
#define USER_RINGBUF_DEMO_H

struct urb_demo;
struct user_ringbuf;

/* *cmd_fd: where the command lines come from (the read end of a pipe, the
 * demo's: urb_demo_close() closes it). NULL after one line. */
struct urb_demo *urb_demo_open(struct user_ringbuf *skel, int *cmd_fd);
/* Write this step's command lines and send 10 frames from each address. */
int urb_demo_step(struct urb_demo *d);
/* Print "demo sent: ...", close the pipe and free it. NULL is fine. */
void urb_demo_close(struct urb_demo *d);

#endif /* USER_RINGBUF_DEMO_H */
