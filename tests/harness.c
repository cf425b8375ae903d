// SPDX-License-Identifier: GPL-2.0
/* tests/harness.c - runs every TEST() (or those whose "sample/name" contains
 * one of the arguments) and prints one PASS/FAIL/SKIP line per test.
 * `--list` prints the name of every test, in the order they run, and runs
 * none: tests/run compares it with the lines a run printed, so a crash or an
 * early exit cannot hide the cases that never ran. */
#include <arpa/inet.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "harness.h"

static struct test_case *head, **tail = &head;
static int cur_failed, cur_skipped;
static char cur_msg[512];

void harness_register(struct test_case *tc)
{
	*tail = tc;	/* keep file order: constructors run in definition order */
	tail = &tc->next;
}

void harness_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	size_t n = strlen(cur_msg);

	if (cur_failed++ == 0)
		n = 0;
	if (n < sizeof(cur_msg) - 1) {
		n += snprintf(cur_msg + n, sizeof(cur_msg) - n, "%s%s:%d: ", n ? "; " : "",
			      strrchr(file, '/') ? strrchr(file, '/') + 1 : file, line);
		va_start(ap, fmt);
		if (n < sizeof(cur_msg))
			vsnprintf(cur_msg + n, sizeof(cur_msg) - n, fmt, ap);
		va_end(ap);
	}
}

void harness_skip(const char *fmt, ...)
{
	va_list ap;

	cur_skipped = 1;
	va_start(ap, fmt);
	vsnprintf(cur_msg, sizeof(cur_msg), fmt, ap);
	va_end(ap);
}

bool harness_failed(void)
{
	return cur_failed > 0;
}

struct cpu_call {
	void (*fn)(void *);
	void *arg;
};

static void *cpu_thread(void *p)
{
	struct cpu_call *c = p;

	c->fn(c->arg);
	return NULL;
}

void harness_close_fds(const int *fds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

int run_on_cpu(int cpu, void (*fn)(void *), void *arg)
{
	struct cpu_call call = { fn, arg };
	pthread_attr_t attr;
	cpu_set_t set;
	pthread_t th;
	int err;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	pthread_attr_init(&attr);
	err = pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
	if (!err)
		err = pthread_create(&th, &attr, cpu_thread, &call);
	pthread_attr_destroy(&attr);
	if (err)
		return -err;
	return -pthread_join(th, NULL);
}

static int quiet_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	/* Warnings and errors only, on stderr: a failing load explains itself. */
	return level == LIBBPF_DEBUG ? 0 : vfprintf(stderr, fmt, ap);
}

static bool selected(const struct test_case *tc, int argc, char **argv)
{
	char full[256];

	if (argc < 2)
		return true;
	snprintf(full, sizeof(full), "%s/%s", tc->sample, tc->name);
	for (int i = 1; i < argc; i++)
		if (strstr(full, argv[i]))
			return true;
	return false;
}

int main(int argc, char **argv)
{
	int passed = 0, failed = 0, skipped = 0;

	if (argc == 2 && strcmp(argv[1], "--list") == 0) {
		for (struct test_case *tc = head; tc; tc = tc->next)
			printf("%s/%s\n", tc->sample, tc->name);
		return 0;
	}
	libbpf_set_print(quiet_print);
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (struct test_case *tc = head; tc; tc = tc->next) {
		if (!selected(tc, argc, argv))
			continue;
		cur_failed = cur_skipped = 0;
		cur_msg[0] = '\0';
		tc->fn();
		if (cur_failed) {
			printf("FAIL %s/%s: %s\n", tc->sample, tc->name, cur_msg);
			failed++;
		} else if (cur_skipped) {
			printf("SKIP %s/%s: %s\n", tc->sample, tc->name, cur_msg);
			skipped++;
		} else {
			printf("PASS %s/%s\n", tc->sample, tc->name);
			passed++;
		}
	}
	printf("maps: %d passed, %d failed, %d skipped\n", passed, failed, skipped);
	return failed ? 1 : 0;
}
