// SPDX-License-Identifier: GPL-2.0
/* common/xdp_outcome.c - see xdp_outcome.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <linux/ethtool.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "xdp_outcome.h"

static const char *const outcome_progs[4] = {
	"xdp_out_xmit",
	"xdp_out_redir_err",
	"xdp_out_exception",
	"xdp_out_cpu_enq",
};

int sample_xdp_outcome_open(struct sample_xdp_outcome *x, const char *prog, struct bpf_object *obj)
{
	memset(x, 0, sizeof(*x));
	x->outcomes = bpf_object__find_map_by_name(obj, "xdp_outcomes");
	x->devs = bpf_object__find_map_by_name(obj, "xdp_out_devs");
	x->cfg = bpf_object__find_map_by_name(obj, "xdp_out_cfg");
	if (!x->outcomes || !x->devs || !x->cfg) {
		fprintf(stderr, "%s: the BPF object lacks xdp_outcome_kern.h's maps\n", prog);
		return -ENOENT;
	}
	for (int i = 0; i < 4; i++) {
		struct bpf_program *p = bpf_object__find_program_by_name(obj, outcome_progs[i]);
		int err;

		x->links[i] = p ? bpf_program__attach(p) : NULL;
		if (!x->links[i]) {
			err = p ? -errno : -ENOENT;
			fprintf(stderr, "%s: attaching %s to its XDP tracepoint failed: %s\n", prog,
				outcome_progs[i], sample_strerror(err));
			sample_xdp_outcome_close(x);
			return err;
		}
	}
	return 0;
}

int sample_xdp_outcome_watch(struct sample_xdp_outcome *x, int ifindex)
{
	struct xdp_outcome_dev d = { .ifindex = ifindex };
	struct stat st;
	__u8 one = 1;

	/* The namespace's inode is what the kernel calls its inum. */
	if (stat("/proc/thread-self/ns/net", &st))
		return -errno;
	d.netns = st.st_ino;
	return bpf_map__update_elem(x->devs, &d, sizeof(d), &one, sizeof(one), BPF_ANY);
}

int sample_xdp_outcome_watch_cpumap(struct sample_xdp_outcome *x, const struct bpf_map *cpumap)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), zero = 0;
	struct xdp_outcome_cfg cfg = {};
	int err = bpf_obj_get_info_by_fd(bpf_map__fd(cpumap), &info, &len);

	if (err)
		return err;
	cfg.cpumap_id = info.id;
	return bpf_map__update_elem(x->cfg, &zero, sizeof(zero), &cfg, sizeof(cfg), BPF_ANY);
}

int sample_xdp_outcome_get(const struct sample_xdp_outcome *x, __u32 kind, __u32 id,
			   struct xdp_outcome *out)
{
	struct xdp_outcome_key k = { .kind = kind, .id = id };
	int err = bpf_map__lookup_elem(x->outcomes, &k, sizeof(k), out, sizeof(*out), 0);

	if (err == -ENOENT) {
		memset(out, 0, sizeof(*out));
		return 0;
	}
	return err;
}

int sample_xdp_outcome_print(const struct sample_xdp_outcome *x, FILE *f, const int *ifindexes,
			     int n)
{
	char b[4][SAMPLE_FMT_LEN];

	fprintf(f, "after the redirect (kernel XDP tracepoints):\n");
	fprintf(f, "  %-12s %14s %14s %16s %10s\n", "port", "transmitted", "dev dropped",
		"redirect errors", "aborted");
	for (int i = 0; i < n; i++) {
		char name[IF_NAMESIZE] = "?";
		struct xdp_outcome out, in;
		__s64 last;
		int err;

		if ((err = sample_xdp_outcome_get(x, XDP_OUT_EGRESS, ifindexes[i], &out)) ||
		    (err = sample_xdp_outcome_get(x, XDP_OUT_INGRESS, ifindexes[i], &in)))
			return err;
		if_indextoname(ifindexes[i], name);
		fprintf(f, "  %-12s %14s %14s %16s %10s", name,
			sample_fmt_u64(b[0], sizeof(b[0]), out.sent),
			sample_fmt_u64(b[1], sizeof(b[1]), out.dropped),
			sample_fmt_u64(b[2], sizeof(b[2]), in.redirect_err),
			sample_fmt_u64(b[3], sizeof(b[3]), in.exceptions));
		last = in.last_err ? in.last_err : out.last_err;
		if (last)
			fprintf(f, "  (last error %s)", sample_errname((int)last));
		fprintf(f, "\n");
	}
	return 0;
}

void sample_xdp_outcome_close(struct sample_xdp_outcome *x)
{
	for (int i = 0; i < 4; i++) {
		bpf_link__destroy(x->links[i]);
		x->links[i] = NULL;
	}
}

/* ---- the veth peer check ------------------------------------------------- */

struct link_info {
	int peer; /* IFLA_LINK: the veth peer's ifindex */
	int peer_netnsid; /* IFLA_LINK_NETNSID: present when the peer is elsewhere */
	bool is_veth;
	bool has_xdp; /* IFLA_XDP_ATTACHED != XDP_ATTACHED_NONE */
};

/* RTM_GETLINK for ifindex in the calling thread's netns. 0 or -errno. */
static int get_link(int ifindex, struct link_info *li)
{
	struct {
		struct nlmsghdr nh;
		struct ifinfomsg ifi;
	} req = {
		.nh = { .nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)),
			.nlmsg_type = RTM_GETLINK,
			.nlmsg_flags = NLM_F_REQUEST,
			.nlmsg_seq = 1 },
		.ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex },
	};
	char buf[16384];
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE), len, err = -EPROTO;
	struct nlmsghdr *nh = (struct nlmsghdr *)buf;

	memset(li, 0, sizeof(*li));
	li->peer_netnsid = -1;
	if (fd < 0)
		return -errno;
	if (send(fd, &req, req.nh.nlmsg_len, 0) < 0 || (len = recv(fd, buf, sizeof(buf), 0)) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	close(fd);
	if (!NLMSG_OK(nh, (unsigned int)len))
		return -EPROTO;
	if (nh->nlmsg_type == NLMSG_ERROR)
		return ((struct nlmsgerr *)NLMSG_DATA(nh))->error;
	if (nh->nlmsg_type != RTM_NEWLINK)
		return err;
	{
		struct ifinfomsg *ifi = NLMSG_DATA(nh);
		struct rtattr *rta = IFLA_RTA(ifi);
		int alen = IFLA_PAYLOAD(nh);

		for (; RTA_OK(rta, alen); rta = RTA_NEXT(rta, alen)) {
			if (rta->rta_type == IFLA_LINK)
				li->peer = *(int *)RTA_DATA(rta);
			else if (rta->rta_type == IFLA_LINK_NETNSID)
				li->peer_netnsid = *(int *)RTA_DATA(rta);
			else if (rta->rta_type == IFLA_XDP) {
				struct rtattr *x = RTA_DATA(rta);
				int xlen = RTA_PAYLOAD(rta);

				for (; RTA_OK(x, xlen); x = RTA_NEXT(x, xlen))
					if (x->rta_type == IFLA_XDP_ATTACHED)
						li->has_xdp = *(__u8 *)RTA_DATA(x) !=
							      XDP_ATTACHED_NONE;
			} else if (rta->rta_type == IFLA_LINKINFO) {
				struct rtattr *k = RTA_DATA(rta);
				int klen = RTA_PAYLOAD(rta);

				for (; RTA_OK(k, klen); k = RTA_NEXT(k, klen))
					if (k->rta_type == IFLA_INFO_KIND &&
					    !strcmp(RTA_DATA(k), "veth"))
						li->is_veth = true;
			}
		}
	}
	return 0;
}

/* GRO on ifname (ETHTOOL_GGRO): 1, 0, or -errno. */
static int gro_on(const char *ifname)
{
	struct ethtool_value ev = { .cmd = ETHTOOL_GGRO };
	struct ifreq ifr = {};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), err;

	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = (void *)&ev;
	err = ioctl(fd, SIOCETHTOOL, &ifr) ? -errno : (int)!!ev.data;
	close(fd);
	return err;
}

int sample_veth_peer_check(const char *prog, int ifindex)
{
	char name[IF_NAMESIZE] = "?", peer[IF_NAMESIZE] = "?";
	struct link_info li, pi;
	int err = get_link(ifindex, &li), gro, checks;
	const char *how;

	if (err)
		return err;
	if (!li.is_veth || !li.peer || li.peer_netnsid >= 0)
		return 0; /* not a veth, or its peer is in another namespace */
	if ((err = get_link(li.peer, &pi)))
		return err;
	if (!if_indextoname(ifindex, name) || !if_indextoname(li.peer, peer))
		return -ENODEV;
	gro = gro_on(peer);
	if (pi.has_xdp || gro == 1)
		return 0;
	checks = sample_xdp_checks_features();
	if (checks == 1)
		how = "this kernel refuses the redirect (EOPNOTSUPP, Linux >= 6.3)";
	else if (checks == 0)
		how = "this kernel takes them and the veth drops them (before Linux 6.3)";
	else
		how = "the kernel's BTF does not say whether it refuses the redirect or drops them";
	fprintf(stderr,
		"%s: warning: frames redirected to %s will be dropped: its veth peer %s "
		"has no XDP program and GRO is off; %s; fix: ethtool -K %s gro on (or attach "
		"any XDP program to %s)\n",
		prog, name, peer, how, peer, peer);
	return 1;
}

int sample_xdp_checks_features(void)
{
	struct btf *btf = btf__load_vmlinux_btf();
	int err = libbpf_get_error(btf), id;

	if (err)
		return err;
	id = btf__find_by_name_kind(btf, "netdev_xdp_act", BTF_KIND_ENUM);
	btf__free(btf);
	return id > 0 ? 1 : 0;
}
