// SPDX-License-Identifier: GPL-2.0
/*
 * common/options.c - the options every sample shares (-i -d -I -v -h), the
 * sample's own ones next to them, one usage text built from both, and the
 * checks that follow parsing (privileges, the interface).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sample.h"

/* The common options; -i only where the sample has an iface_help. */
static const struct sample_option common_opts[] = {
	{ 'i', "interface", "IFACE", NULL },
	{ 'd', "duration", "SECS", "stop after SECS seconds (default: until Ctrl-C)" },
	{ 'I', "interval", "SECS", "print every SECS seconds, decimals allowed (default 1)" },
	{ 'v', "verbose", NULL, "show libbpf's debug log" },
	{ 'h', "help", NULL, "this text" },
};
/* With cli->xdp_modes, after the sample's own options. */
static const struct sample_option xdp_mode_opts[] = {
	{ 'S', "generic", NULL, "attach in generic (skb) mode" },
	{ 'N', "native", NULL,
	  "attach in native (driver) mode or fail\n"
	  "(default: native where the driver has it, else generic)" },
};
#define N_COMMON (sizeof(common_opts) / sizeof(common_opts[0]))
#define MAX_OPTS 40

static size_t n_own(const struct sample_cli *cli)
{
	size_t n = 0;

	while (cli->options && cli->options[n].key)
		n++;
	return n;
}

/* Every option of this sample in -h order: -i first, the sample's own, then
 * -d -I -v -h. Returns the count. */
static size_t all_options(const struct sample_cli *cli, const struct sample_option **out)
{
	size_t n = 0, own = n_own(cli);

	if (cli->iface_help)
		out[n++] = &common_opts[0];
	for (size_t i = 0; i < own && n < MAX_OPTS - N_COMMON - 2; i++)
		out[n++] = &cli->options[i];
	for (size_t i = 0; cli->xdp_modes && i < 2; i++)
		out[n++] = &xdp_mode_opts[i];
	for (size_t i = 1; i < N_COMMON; i++)
		out[n++] = &common_opts[i];
	return n;
}

static int opt_width(const struct sample_option *opt)
{
	return 8 + (int)strlen(opt->name) + (opt->arg ? 1 + (int)strlen(opt->arg) : 0);
}

/* "  -i, --interface IFACE  text", continuation lines of text indented to
 * the same column. */
static void print_option(FILE *f, const struct sample_option *opt, const char *help, int col)
{
	int w = fprintf(f, "  -%c, --%s%s%s", opt->key, opt->name, opt->arg ? " " : "",
			opt->arg ? opt->arg : "");

	for (const char *p = help; *p;) {
		const char *nl = strchr(p, '\n');
		int len = nl ? (int)(nl - p) : (int)strlen(p);

		fprintf(f, "%*s%.*s\n", col - w, "", len, p);
		w = 0;
		p += len + (nl ? 1 : 0);
	}
}

void sample_usage(const struct sample_cli *cli, FILE *f)
{
	const struct sample_option *opts[MAX_OPTS];
	size_t n = all_options(cli, opts);
	int col = 0;

	for (size_t i = 0; i < n; i++)
		if (opt_width(opts[i]) + 2 > col)
			col = opt_width(opts[i]) + 2;
	fprintf(f, "Usage: %s [options]%s%s\n%s\n\n", cli->name, cli->args ? " " : "",
		cli->args ? cli->args : "", cli->about);
	if (cli->args_help)
		fprintf(f, "%s\n\n", cli->args_help);
	if (cli->demo)
		fprintf(f, "%s\n\n", cli->demo);
	for (size_t i = 0; i < n; i++)
		print_option(f, opts[i], opts[i]->key == 'i' ? cli->iface_help : opts[i]->help,
			     col);
	if (cli->examples)
		fprintf(f, "\nExample: %s\n", cli->examples);
}

int sample_getopt(const struct sample_cli *cli, int argc, char **argv, struct sample_opts *o)
{
	const struct sample_option *opts[MAX_OPTS];
	struct option longopts[MAX_OPTS + 1] = {};
	char optstring[3 * MAX_OPTS + 2] = ":";
	size_t n = all_options(cli, opts), len = 1;
	unsigned long v;
	int opt;

	if (!o->prog) { /* first call: the defaults */
		*o = (struct sample_opts){ .prog = cli->name, .interval_ms = 1000 };
	}
	for (size_t i = 0; i < n; i++) {
		longopts[i] = (struct option){ opts[i]->name,
					       opts[i]->arg ? required_argument : no_argument, NULL,
					       opts[i]->key };
		optstring[len++] = opts[i]->key;
		if (opts[i]->arg)
			optstring[len++] = ':';
	}

	while ((opt = getopt_long(argc, argv, optstring, longopts, NULL)) != -1) {
		switch (opt) {
		case 'i':
			if (!cli->iface_help)
				goto own;
			o->ifname = optarg;
			break;
		case 'd':
			if (sample_parse_uint(o->prog, 'd', optarg, 1, 86400, &v))
				exit(2);
			o->duration_s = v;
			break;
		case 'I':
			if (sample_parse_interval(o->prog, optarg, &o->interval_ms))
				exit(2);
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'S':
		case 'N':
			if (!cli->xdp_modes)
				goto own;
			if (o->xdp_mode &&
			    o->xdp_mode != (opt == 'S' ? SAMPLE_XDP_GENERIC : SAMPLE_XDP_NATIVE)) {
				fprintf(stderr,
					"%s: -S (generic) and -N (native) exclude each other\n",
					o->prog);
				exit(2);
			}
			o->xdp_mode = opt == 'S' ? SAMPLE_XDP_GENERIC : SAMPLE_XDP_NATIVE;
			break;
		case 'h':
			sample_usage(cli, stdout);
			exit(0);
		case ':':
		case '?':
			exit(sample_getopt_error(o->prog, opt, argv));
		default:
own:
			return opt; /* one of the sample's own: its value is in optarg */
		}
	}

	/* Parsing is over: what is left must be the sample's positional arguments. */
	if (!cli->args && optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s' (see -h)\n", o->prog, argv[optind]);
		exit(2);
	}
	/* A copy made without its demo (make new BARE=1: cli->demo is NULL) has
	 * nothing to run without its interface or its arguments: it asks. */
	if (!cli->demo && cli->iface_help && !cli->args && !o->ifname) {
		fprintf(stderr, "%s: -i IFACE is required (see -h)\n", o->prog);
		exit(2);
	}
	if (!cli->demo && cli->args && optind >= argc) {
		fprintf(stderr, "%s: ", o->prog);
		for (const char *p = cli->args; *p; p++) {
			if (*p != '[' && *p != ']')
				fputc(*p, stderr);
		}
		fprintf(stderr, " is required (see -h)\n");
		exit(2);
	}
	if (sample_check_privileges(o->prog))
		exit(1);
	if (o->ifname) {
		o->ifindex = sample_ifindex(o->prog, o->ifname);
		if (o->ifindex < 0)
			exit(1);
	}
	return -1;
}

void sample_parse_args(const struct sample_cli *cli, int argc, char **argv, struct sample_opts *o)
{
	int opt = sample_getopt(cli, argc, argv, o);

	if (opt != -1) { /* a sample that lists options must handle them itself */
		fprintf(stderr, "%s: option -%c is listed but not handled\n", o->prog, opt);
		exit(2);
	}
}

int sample_parse_word(const char *prog, char opt, const char *arg, const char *const *words, int n)
{
	int listed = 0, total = 0;

	for (int i = 0; i < n; i++) {
		if (*words[i] && !strcasecmp(arg, words[i]))
			return i;
		total += !!*words[i];
	}
	fprintf(stderr, "%s: invalid value '%s' for -%c: expected", prog, arg, opt);
	for (int i = 0; i < n; i++)
		if (*words[i])
			fprintf(stderr, "%s %s",
				!listed++	? "" :
				listed == total ? " or" :
						  ",",
				words[i]);
	fprintf(stderr, "\n");
	return -1;
}

int sample_ifindexes(const char *prog, char *const names[], int n, int *ifindexes)
{
	for (int i = 0; i < n; i++) {
		ifindexes[i] = sample_ifindex(prog, names[i]);
		if (ifindexes[i] < 0)
			return ifindexes[i];
		/* By ifindex, not by name: "eth0" and eth0's number are one interface. */
		for (int j = 0; j < i; j++) {
			if (ifindexes[j] == ifindexes[i]) {
				fprintf(stderr,
					"%s: interface '%s' is given twice (as '%s' and '%s')\n",
					prog, names[i], names[j], names[i]);
				return -EINVAL;
			}
		}
	}
	return 0;
}
