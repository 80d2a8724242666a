/* vnd-capture: live capture at named points, one pcap each and a manifest; host counter snapshots. */
#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "vnd.h"
#include "vnd_cli.h"
#include "vnd_grow.h"
#include "vnd_num.h"
#include "collect.h"

/*
 * VND's trace collection (SoCC 2013, 3.2.2) on one host: every named point
 * is an interface opened with libpcap and written to its own file, and
 * PerfSight's agent (IMC 2015, 4.2): the host's element counters sampled
 * every few seconds as <ts, element, attr, value> rows. Only opening the
 * devices needs privileges: they are dropped before the first packet.
 */

#define MAX_POINTS	64
#define MAX_POST	64	/* -z commands whose file is remembered */

struct point {
	const char	*name;
	const char	*ifname;
	const char	*filter;	/* the collection's, for this point */
	pcap_t		*p;
	pcap_dumper_t	*d;
	char		 path[4096];
	int		 seq;		/* ring: number of the current file */
	uint64_t	 bytes;		/* in the current file */
	int64_t		 opened_ns;
	uint64_t	 pkts;
	int64_t		 first_ns, last_ns;
};

static volatile sig_atomic_t stop;

#include "usage.h"	/* the Makefile makes it of usage.txt */

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * VND_NS_PER_SEC + ts.tv_nsec;
}

/* -z: the commands running, and the file each was given. */
static struct {
	pid_t	 pid;
	char	 path[4096];
} post[MAX_POST];
static int npost;

/*
 * -z on a closed file, as tcpdump's -z: sh -c 'CMD "$1"' with the file as
 * $1 (never pasted into the command), in a process group of its own so that
 * the terminal's ^C stops the capture and not a load half done, without
 * the capture's descriptors, as the user the capture now runs as.
 */
static void
post_run(const char *cmd, const char *path)
{
	char *sh;
	pid_t pid;

	if (cmd == NULL)
		return;
	if (asprintf(&sh, "%s \"$1\"", cmd) < 0) {
		warnx("-z: out of memory");
		return;
	}
	if ((pid = fork()) < 0)
		warn("-z: fork");
	else if (pid == 0) {
		(void)setpgid(0, 0);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		closefrom(STDERR_FILENO + 1);
		execl("/bin/sh", "sh", "-c", sh, "sh", path, (char *)NULL);
		_exit(127);
	} else if (npost < MAX_POST) {
		post[npost].pid = pid;
		snprintf(post[npost].path, sizeof(post[npost].path), "%s", path);
		npost++;
	}
	free(sh);
}

/* -z commands that ended (all of them, waiting, when block is set); failures said. */
static void
post_reap(int block)
{
	const char *file = NULL;
	pid_t pid;
	int st, i;

	while ((pid = waitpid(-1, &st, block ? 0 : WNOHANG)) > 0) {
		for (i = 0; i < npost && post[i].pid != pid; i++)
			continue;
		if (i < npost) {
			file = post[i].path;
			post[i] = post[--npost];
		}
		if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
			continue;
		warnx("-z command on '%s' %s %d", file ? file : "a file",
		    WIFEXITED(st) ? "exited with" : "killed by signal",
		    WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
	}
}

static int
open_file(struct point *pt, const char *dir, int ring)
{
	if (ring)
		snprintf(pt->path, sizeof(pt->path), "%s/%s-%03d.pcap", dir,
		    pt->name, pt->seq);
	else
		snprintf(pt->path, sizeof(pt->path), "%s/%s.pcap", dir, pt->name);
	if ((pt->d = pcap_dump_open(pt->p, pt->path)) == NULL) {
		warnx("%s", pcap_geterr(pt->p));	/* it names the file */
		return -1;
	}
	pt->bytes = 24;
	pt->opened_ns = now_ns();
	return 0;
}

struct ctx {
	struct point	*pt;
	const char	*dir;
	int		 ring;
	uint64_t	 rotate_bytes;
	int64_t		 rotate_ns;
	int		 nano;		/* the device gives nanoseconds */
	int		 failed;
	const char	*post;		/* -z */
};

static void
on_packet(u_char *arg, const struct pcap_pkthdr *h, const u_char *data)
{
	struct ctx *c = (struct ctx *)arg;
	struct point *pt = c->pt;
	int64_t ts;

	if (c->failed)
		return;			/* the rest of a batch after a failure */
	ts = (int64_t)h->ts.tv_sec * VND_NS_PER_SEC +
	    (int64_t)h->ts.tv_usec * (c->nano ? 1 : VND_NS_PER_US);

	/* a file full, or old enough: the next in the ring */
	if (c->ring && ((c->rotate_bytes && pt->bytes + 16 + h->caplen >
	    c->rotate_bytes) || (c->rotate_ns && now_ns() - pt->opened_ns >=
	    c->rotate_ns))) {
		pcap_dump_close(pt->d);
		post_run(c->post, pt->path);
		pt->seq++;
		if (open_file(pt, c->dir, 1) < 0) {
			c->failed = 1;
			pcap_breakloop(pt->p);
			return;
		}
	}
	pcap_dump((u_char *)pt->d, h, data);
	pt->bytes += 16 + h->caplen;
	if (pt->pkts++ == 0)
		pt->first_ns = ts;
	pt->last_ns = ts;
}

/*
 * Queue disciplines, as tc(8) prints them: the element is tc:DEV, with the
 * kind and handle as attributes of their own; "dropped" is where a shaper
 * or a full queue lost packets (Table 1: egress bandwidth).
 */
static void
snap_qdisc(FILE *fp, int64_t ts)
{
	char line[1024], dev[256] = "", kind[64] = "";
	unsigned long long b, p, d, o, q;
	FILE *tc;
	char *at;

	if ((tc = popen("tc -s qdisc show 2>/dev/null", "r")) == NULL)
		return;
	while (fgets(line, sizeof(line), tc) != NULL) {
		if (strncmp(line, "qdisc ", 6) == 0) {
			dev[0] = kind[0] = '\0';
			if (sscanf(line, "qdisc %63s", kind) != 1 ||
			    (at = strstr(line, " dev ")) == NULL ||
			    sscanf(at, " dev %255s", dev) != 1)
				dev[0] = '\0';
			continue;
		}
		if (dev[0] == '\0')
			continue;
		if (sscanf(line, " Sent %llu bytes %llu pkt (dropped %llu, overlimits "
		    "%llu requeues %llu)", &b, &p, &d, &o, &q) == 5) {
			fprintf(fp, "%lld\ttc:%s\tkind:%s\t1\n", (long long)ts, dev,
			    kind);
			fprintf(fp, "%lld\ttc:%s\tsent_bytes\t%llu\n", (long long)ts,
			    dev, b);
			fprintf(fp, "%lld\ttc:%s\tsent_pkts\t%llu\n", (long long)ts,
			    dev, p);
			fprintf(fp, "%lld\ttc:%s\tdropped_pkts\t%llu\n", (long long)ts,
			    dev, d);
			fprintf(fp, "%lld\ttc:%s\toverlimits\t%llu\n", (long long)ts,
			    dev, o);
			/* only the root qdisc of a device: children repeat its drops */
			dev[0] = '\0';
		}
	}
	pclose(tc);
}

/*
 * Firewall rule counters (iptables-save -c), one element per rule:
 * iptables:TABLE:CHAIN:N:TARGET (Table 1: a DROP rule is a policy drop).
 * Without the privileges to read them (-u), there are none.
 */
static void
snap_iptables(FILE *fp, int64_t ts)
{
	char line[2048], table[64] = "", chain[128], target[64], last[128] = "";
	unsigned long long p, b;
	int n = 0;
	FILE *ipt;
	char *j;

	if ((ipt = popen("iptables-save -c 2>/dev/null", "r")) == NULL)
		return;
	while (fgets(line, sizeof(line), ipt) != NULL) {
		if (line[0] == '*') {
			sscanf(line + 1, "%63s", table);
			continue;
		}
		if (sscanf(line, "[%llu:%llu] -A %127s", &p, &b, chain) != 3)
			continue;
		if (strcmp(chain, last) != 0) {
			snprintf(last, sizeof(last), "%s", chain);
			n = 0;
		}
		n++;
		snprintf(target, sizeof(target), "-");
		if ((j = strstr(line, " -j ")) != NULL)
			sscanf(j, " -j %63s", target);
		fprintf(fp, "%lld\tiptables:%s:%s:%d:%s\tpkts\t%llu\n",
		    (long long)ts, table, chain, n, target, p);
		fprintf(fp, "%lld\tiptables:%s:%s:%d:%s\tbytes\t%llu\n",
		    (long long)ts, table, chain, n, target, b);
	}
	pclose(ipt);
}

/* Every interface's counters: /sys/class/net lists those of this network namespace. */
static int
snap_ifaces(FILE *fp, int64_t ts)
{
	static const char *const attrs[] = {
		"rx_packets", "tx_packets", "rx_bytes", "tx_bytes", "rx_dropped",
		"tx_dropped", "rx_errors", "tx_errors",
	};
	char path[1024], ifn[512];
	unsigned long long v;
	struct dirent *de;
	DIR *dirp;
	FILE *f;
	size_t i;

	if ((dirp = opendir("/sys/class/net")) == NULL)
		return -1;
	while ((de = readdir(dirp)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(ifn, sizeof(ifn), "%s", de->d_name);
		for (i = 0; i < VND_NELEM(attrs); i++) {
			snprintf(path, sizeof(path),
			    "/sys/class/net/%s/statistics/%s", ifn, attrs[i]);
			if ((f = fopen(path, "r")) == NULL)
				continue;
			if (fscanf(f, "%llu", &v) == 1)
				fprintf(fp, "%lld\tif:%s\t%s\t%llu\n", (long long)ts,
				    ifn, attrs[i], v);
			fclose(f);
		}
	}
	closedir(dirp);
	return 0;
}

/* softnet_stat: per CPU, packets processed, dropped at the backlog, squeezed. */
static void
snap_softnet(FILE *fp, int64_t ts)
{
	char line[512];
	unsigned int p, d, sq;
	int cpu = 0;
	FILE *f;

	if ((f = fopen("/proc/net/softnet_stat", "r")) == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "%x %x %x", &p, &d, &sq) == 3) {
			fprintf(fp, "%lld\tbacklog:cpu%d\tprocessed\t%u\n",
			    (long long)ts, cpu, p);
			fprintf(fp, "%lld\tbacklog:cpu%d\tdropped\t%u\n",
			    (long long)ts, cpu, d);
			fprintf(fp, "%lld\tbacklog:cpu%d\ttime_squeeze\t%u\n",
			    (long long)ts, cpu, sq);
		}
		cpu++;
	}
	fclose(f);
}

/* PerfSight's element counters: every interface, queue, rule and per-CPU backlog. */
static int
snapshot(FILE *fp)
{
	int64_t ts = now_ns();

	if (snap_ifaces(fp, ts) < 0)
		return -1;
	snap_qdisc(fp, ts);
	snap_iptables(fp, ts);
	snap_softnet(fp, ts);
	fflush(fp);
	return ferror(fp) ? -1 : 0;
}

static int
drop_privileges(const char *user, const char *dir)
{
	struct passwd *pw;

	if ((pw = getpwnam(user)) == NULL) {
		warnx("no user '%s'", user);
		return -1;
	}
	/* the ring's next files are made as that user, in this directory */
	if (chown(dir, pw->pw_uid, pw->pw_gid) < 0) {
		warn("'%s'", dir);
		return -1;
	}
	if (setgroups(1, &pw->pw_gid) < 0 || setgid(pw->pw_gid) < 0 ||
	    setuid(pw->pw_uid) < 0) {
		warn("cannot become '%s'", user);
		return -1;
	}
	return 0;
}

/* A run: its options, its points and their files. */
struct cap {
	const char	*dir, *filter, *user, *conf, *post;
	int64_t		 snaplen, count, duration_ns, counters_ns;
	int64_t		 rotate_mb, rotate_s;
	int		 quiet;
	int		 status;	/* VND_EXIT_x of the run */
	struct point	 pts[MAX_POINTS];
	struct pollfd	 pfd[MAX_POINTS];
	struct ctx	 ctx[MAX_POINTS];
	int		 npts;
	struct coll	 coll;
	FILE		*counters, *man;
};

/* A collection configuration's text, whole; NULL: said why. */
static char *
conf_text(const char *path)
{
	char *text = NULL;
	FILE *f;
	size_t n;
	int r, e;

	if ((f = fopen(path, "r")) == NULL) {
		warn("cannot open '%s'", path);
		return NULL;
	}
	r = vnd_grow_read(f, (1 << 20) - 1, &text, &n);
	e = errno;
	fclose(f);
	errno = e;
	if (r < 0 && errno == EFBIG)
		warnx("'%s': larger than 1 MiB", path);
	else if (r < 0 && errno == ENOMEM)
		warnx("out of memory");
	else if (r < 0)
		warn("cannot read '%s'", path);		/* a directory: EISDIR */
	else if (memchr(text, '\0', n) != NULL)
		warnx("'%s': not text", path);
	else
		return text;
	free(text);
	return NULL;
}

/* The last point named so among the first n of pts; -1: none. */
static int
point_named(const struct point *pts, int n, const char *name)
{
	int k;

	for (k = n - 1; k >= 0; k--)
		if (strcmp(pts[k].name, name) == 0)
			return k;
	return -1;
}

/* The points of a collection configuration, their interfaces from -i where it names none. */
static int
collection(const char *path, struct coll *c, struct point *pts, int *npts)
{
	char errbuf[VND_ERRBUF_SIZE], *text;
	const char *ifs[MAX_POINTS];
	int i, k;

	if ((text = conf_text(path)) == NULL)
		return VND_EXIT_FAIL;
	k = coll_parse(c, text, errbuf);
	free(text);
	if (k < 0) {
		warnx("'%s': %s", path, errbuf);
		return VND_EXIT_FAIL;
	}
	if (c->npts > MAX_POINTS) {
		warnx("'%s': at most %d points", path, MAX_POINTS);
		return VND_EXIT_FAIL;
	}
	for (k = 0; k < *npts; k++) {
		for (i = 0; i < c->npts; i++)
			if (strcmp(c->pts[i].name, pts[k].name) == 0)
				break;
		if (i == c->npts) {
			warnx("-i %s: no such capture point in '%s'",
			    pts[k].name, path);
			return VND_EXIT_USAGE;
		}
	}
	for (i = 0; i < c->npts; i++) {
		k = point_named(pts, *npts, c->pts[i].name);
		if ((ifs[i] = k >= 0 ? pts[k].ifname : c->pts[i].ifname) == NULL) {
			warnx("point '%s' of '%s' has no interface: -i %s=IF",
			    c->pts[i].name, path, c->pts[i].name);
			return VND_EXIT_USAGE;
		}
	}
	for (i = 0; i < c->npts; i++) {
		pts[i].ifname = ifs[i];
		pts[i].name = c->pts[i].name;
		pts[i].filter = c->pts[i].filter;
	}
	*npts = c->npts;
	return VND_EXIT_OK;
}

/* The points: the collection's and -i's, each named once, with their filters. */
static int
points(struct cap *c)
{
	struct point *pts = c->pts;
	char *both;
	int i, st;

	if (c->conf != NULL &&
	    (st = collection(c->conf, &c->coll, pts, &c->npts)) != VND_EXIT_OK)
		return st;
	for (i = 0; i < c->npts; i++) {
		if (strchr(pts[i].name, '/') != NULL) {
			warnx("point name '%s' has a '/'", pts[i].name);
			return VND_EXIT_USAGE;
		}
		if (point_named(pts, i, pts[i].name) >= 0) {
			warnx("point '%s' named twice", pts[i].name);
			return VND_EXIT_USAGE;
		}
	}
	/* each point's filter: the collection's and -f's */
	for (i = 0; i < c->npts && c->filter != NULL; i++) {
		if (pts[i].filter == NULL) {
			pts[i].filter = c->filter;
			continue;
		}
		if ((both = malloc(strlen(c->filter) + strlen(pts[i].filter) +
		    12)) == NULL) {
			warnx("out of memory");
			return VND_EXIT_FAIL;
		}
		sprintf(both, "(%s) and (%s)", pts[i].filter, c->filter);
		/* kept in the collection, which frees it */
		free(c->coll.pts[i].filter);
		c->coll.pts[i].filter = both;
		pts[i].filter = both;
	}
	return VND_EXIT_OK;
}

/* --print-policy: the points, once their filters compile (for Ethernet, as on a veth). */
static int
print_policy(const struct cap *c)
{
	const struct point *pts = c->pts;
	struct bpf_program prog;
	pcap_t *dead;
	int i;

	for (i = 0; i < c->npts; i++) {
		if (pts[i].filter == NULL)
			continue;
		if ((dead = pcap_open_dead(DLT_EN10MB, 65535)) == NULL) {
			warnx("out of memory");
			return VND_EXIT_FAIL;
		}
		if (pcap_compile(dead, &prog, pts[i].filter, 1,
		    PCAP_NETMASK_UNKNOWN) < 0) {
			warnx("filter of '%s': %s", pts[i].name,
			    pcap_geterr(dead));
			pcap_close(dead);
			return VND_EXIT_USAGE;
		}
		pcap_freecode(&prog);
		pcap_close(dead);
	}
	printf("point\tinterface\tfilter\n");
	for (i = 0; i < c->npts; i++)
		printf("%s\t%s\t%s\n", pts[i].name, pts[i].ifname,
		    pts[i].filter != NULL ? pts[i].filter : "-");
	return VND_EXIT_OK;
}

static int
set_filter(struct point *pt)
{
	struct bpf_program prog;
	int r = 0;

	if (pcap_compile(pt->p, &prog, pt->filter, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		warnx("filter: %s", pcap_geterr(pt->p));
		return VND_EXIT_USAGE;
	}
	if (pcap_setfilter(pt->p, &prog) < 0) {
		warnx("'%s': %s", pt->ifname, pcap_geterr(pt->p));
		r = VND_EXIT_FAIL;
	}
	pcap_freecode(&prog);
	return r;
}

/* A point's device, with the privileges that takes, ready to poll. */
static int
open_device(struct point *pt, int snaplen, struct pollfd *pfd)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	int st;

	if ((pt->p = pcap_create(pt->ifname, errbuf)) == NULL) {
		warnx("'%s': %s", pt->ifname, errbuf);
		return VND_EXIT_FAIL;
	}
	pcap_set_snaplen(pt->p, snaplen);
	pcap_set_promisc(pt->p, 1);
	pcap_set_immediate_mode(pt->p, 1);
	pcap_set_buffer_size(pt->p, 32 << 20);	/* bursts at full snap length */
	(void)pcap_set_tstamp_precision(pt->p, PCAP_TSTAMP_PRECISION_NANO);
	if (pcap_activate(pt->p) < 0) {
		warnx("'%s': %s", pt->ifname, pcap_geterr(pt->p));
		return VND_EXIT_FAIL;
	}
	if (pt->filter != NULL && (st = set_filter(pt)) != VND_EXIT_OK)
		return st;
	if (pcap_setnonblock(pt->p, 1, errbuf) < 0 ||
	    (pfd->fd = pcap_get_selectable_fd(pt->p)) < 0) {
		warnx("'%s': cannot poll it", pt->ifname);
		return VND_EXIT_FAIL;
	}
	pfd->events = POLLIN;
	return VND_EXIT_OK;
}

/* DIR/NAME for writing; NULL: said why. */
static FILE *
open_in(const char *dir, const char *name)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "w")) == NULL)
		warn("'%s'", path);
	return f;
}

/* Every file of the run, while this may still create files anywhere. */
static int
open_files(struct cap *c)
{
	int i;

	if (mkdir(c->dir, 0777) < 0 && errno != EEXIST) {
		warn("'%s'", c->dir);
		return VND_EXIT_FAIL;
	}
	for (i = 0; i < c->npts; i++) {
		c->ctx[i].pt = &c->pts[i];
		c->ctx[i].dir = c->dir;
		c->ctx[i].ring = c->rotate_mb || c->rotate_s;
		c->ctx[i].rotate_bytes = (uint64_t)c->rotate_mb * 1000000;
		c->ctx[i].rotate_ns = c->rotate_s * VND_NS_PER_SEC;
		c->ctx[i].post = c->post;
		c->ctx[i].nano = pcap_get_tstamp_precision(c->pts[i].p) ==
		    PCAP_TSTAMP_PRECISION_NANO;
		if (open_file(&c->pts[i], c->dir, c->ctx[i].ring) < 0)
			return VND_EXIT_FAIL;
	}
	if (c->counters_ns) {
		if ((c->counters = open_in(c->dir, "counters.tsv")) == NULL)
			return VND_EXIT_FAIL;
		fprintf(c->counters, "ts_ns\telement\tattr\tvalue\n");
	}
	if ((c->man = open_in(c->dir, "manifest.tsv")) == NULL)
		return VND_EXIT_FAIL;
	return VND_EXIT_OK;
}

/* Packets captured so far, at every point. */
static uint64_t
total_pkts(const struct cap *c)
{
	uint64_t total = 0;
	int i;

	for (i = 0; i < c->npts; i++)
		total += c->pts[i].pkts;
	return total;
}

/* What every device holds, up to what -c leaves; a failure stops the run. */
static int
dispatch(struct cap *c)
{
	int64_t left = 0;
	int i, st = VND_EXIT_OK;

	for (i = 0; i < c->npts; i++) {
		/* (0 would be no limit at all to pcap_dispatch) */
		if (c->count && (left = c->count - (int64_t)total_pkts(c)) <= 0)
			break;
		if (pcap_dispatch(c->pts[i].p, c->count ? (int)(left > INT_MAX ?
		    INT_MAX : left) : -1, on_packet, (u_char *)&c->ctx[i]) < 0) {
			/* -2: broken off after a failure already told */
			if (!c->ctx[i].failed)
				warnx("'%s': %s", c->pts[i].ifname,
				    pcap_geterr(c->pts[i].p));
			stop = 1;
			st = VND_EXIT_FAIL;
		}
	}
	for (i = 0; i < c->npts; i++)
		if (c->ctx[i].failed) {
			stop = 1;
			st = VND_EXIT_FAIL;
		}
	return st;
}

/* Until SIGINT or SIGTERM, -d or -c: every point into its file. */
static int
capture_loop(struct cap *c)
{
	struct sigaction sa;
	int64_t start, t, next_snap = 0;
	int i, st = VND_EXIT_OK;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	start = now_ns();
	while (!stop) {
		t = now_ns();
		if (c->counters != NULL && t >= next_snap) {
			if (snapshot(c->counters) < 0) {
				warnx("counters: write error");
				st = VND_EXIT_FAIL;
				break;
			}
			next_snap = t + c->counters_ns;
		}
		if (c->duration_ns && t - start >= c->duration_ns)
			break;
		if (poll(c->pfd, (nfds_t)c->npts, 100) < 0 && errno != EINTR) {
			warn("poll");
			st = VND_EXIT_FAIL;
			break;
		}
		if (dispatch(c) != VND_EXIT_OK)
			st = VND_EXIT_FAIL;
		post_reap(0);
		if (c->count && total_pkts(c) >= (uint64_t)c->count)
			break;
	}
	/* what the kernel still holds for us (not past -c), then every file whole */
	for (i = 0; i < c->npts && !c->count; i++)
		(void)pcap_dispatch(c->pts[i].p, -1, on_packet, (u_char *)&c->ctx[i]);
	if (c->counters != NULL)
		(void)snapshot(c->counters);
	return st;
}

/* A point's line of the manifest and of the summary; its files closed. */
static int
close_point(struct cap *c, struct point *pt)
{
	struct pcap_stat ps;
	int st = VND_EXIT_OK;

	memset(&ps, 0, sizeof(ps));
	if (pt->p != NULL)
		(void)pcap_stats(pt->p, &ps);
	if (c->man != NULL && pt->d != NULL) {
		fprintf(c->man, "%s\t%s\t%s\t", pt->name, pt->ifname, pt->path);
		if (pt->pkts)
			fprintf(c->man, "%lld\t%lld\t", (long long)pt->first_ns,
			    (long long)pt->last_ns);
		else
			fprintf(c->man, "-\t-\t");
		fprintf(c->man, "%llu\t%u\t%u\n", (unsigned long long)pt->pkts,
		    ps.ps_drop, ps.ps_ifdrop);
	}
	if (!c->quiet && pt->d != NULL)
		fprintf(stderr, "vnd-capture: %s (%s): %llu packets, %u dropped "
		    "by the kernel\n", pt->name, pt->ifname,
		    (unsigned long long)pt->pkts, ps.ps_drop);
	if (pt->d != NULL && pcap_dump_flush(pt->d) < 0) {
		warnx("'%s': write error", pt->path);
		st = VND_EXIT_FAIL;
	}
	if (pt->d != NULL) {
		pcap_dump_close(pt->d);
		post_run(c->post, pt->path);
	}
	if (pt->p != NULL)
		pcap_close(pt->p);
	pt->d = NULL;
	pt->p = NULL;
	return st;
}

/* The one way out of a capture: the manifest, every file flushed and closed. */
static int
close_all(struct cap *c, int st)
{
	int i;

	if (c->man != NULL)
		fprintf(c->man, "point\tinterface\tfile\tfirst_ts_ns\t"
		    "last_ts_ns\tpackets\tkernel_drops\tif_drops\n");
	for (i = 0; i < c->npts; i++)
		if (close_point(c, &c->pts[i]) != VND_EXIT_OK)
			st = VND_EXIT_FAIL;
	if (c->man != NULL && fclose(c->man) != 0)
		st = VND_EXIT_FAIL;
	if (c->counters != NULL && fclose(c->counters) != 0)
		st = VND_EXIT_FAIL;
	c->man = c->counters = NULL;
	return st;
}

static int
capture(struct cap *c)
{
	int i, st = VND_EXIT_OK;

	for (i = 0; i < c->npts && st == VND_EXIT_OK; i++)
		st = open_device(&c->pts[i], (int)c->snaplen, &c->pfd[i]);
	if (st == VND_EXIT_OK)
		st = open_files(c);
	if (st == VND_EXIT_OK && c->user != NULL &&
	    drop_privileges(c->user, c->dir) < 0)
		st = VND_EXIT_FAIL;
	if (st == VND_EXIT_OK)
		st = capture_loop(c);
	st = close_all(c, st);
	post_reap(1);
	return st;
}

/* The number options: where each goes in struct cap, and in what unit. */
static const struct {
	int	 ch;
	size_t	 off;
	int64_t	 unit;
} numbers[] = {
	{ 'c', offsetof(struct cap, count), 1 },
	{ 'C', offsetof(struct cap, rotate_mb), 1 },
	{ 'd', offsetof(struct cap, duration_ns), VND_NS_PER_SEC },
	{ 'G', offsetof(struct cap, rotate_s), 1 },
	{ 'k', offsetof(struct cap, counters_ns), VND_NS_PER_SEC },
	{ 's', offsetof(struct cap, snaplen), 1 },
};

/* Where a number option goes, and in what unit; NULL: not one. */
static int64_t *
number_of(struct cap *c, int ch, int64_t *unit)
{
	size_t i;

	for (i = 0; i < VND_NELEM(numbers); i++)
		if (numbers[i].ch == ch) {
			*unit = numbers[i].unit;
			return (int64_t *)(void *)((char *)c + numbers[i].off);
		}
	return NULL;
}

static int
add_point(struct vnd_cli *cli, struct cap *c, char *arg)
{
	char *eq = strchr(arg, '=');

	if (c->npts == MAX_POINTS)
		return vnd_cli_bad(cli, "at most %d points", MAX_POINTS);
	if (eq == NULL || eq == arg || eq[1] == '\0')
		return vnd_cli_bad(cli, "-i '%s': NAME=INTERFACE", arg);
	*eq = '\0';
	c->pts[c->npts].name = arg;
	c->pts[c->npts].ifname = eq + 1;
	c->npts++;
	return 0;
}

static int
option(struct vnd_cli *cli, void *ctx, int ch, char *arg)
{
	char errbuf[VND_ERRBUF_SIZE];
	struct cap *c = ctx;
	int64_t *num, unit;

	if ((num = number_of(c, ch, &unit)) != NULL) {
		if (vnd_strtonum(arg, 1, ch == 's' ? 262144 :
		    INT64_MAX / VND_NS_PER_SEC, num, errbuf) < 0)
			return vnd_cli_bad(cli, "%s: %s", cli->opt, errbuf);
		*num *= unit;
		return 0;
	}
	return ch == 'i' ? add_point(cli, c, arg) : 0;
}

static int
check(struct vnd_cli *cli, void *ctx)
{
	struct cap *c = ctx;

	if (cli->nops > 0)
		return vnd_cli_bad(cli, "unexpected operand '%s'", cli->ops[0]);
	/* a collection names its points when it is read */
	if (c->npts == 0 && !vnd_cli_flag(cli, 'L'))
		return vnd_cli_bad(cli, "no capture point (-i NAME=INTERFACE)");
	return 0;
}

/*
 * The run's errors are said where they happen; a point or a filter the
 * configuration got wrong is a usage error.
 */
static int
run(struct vnd_cli *cli, void *ctx)
{
	struct cap *c = ctx;

	c->quiet = cli->quiet;
	c->conf = vnd_cli_str(cli, 'L', NULL);
	c->filter = vnd_cli_str(cli, 'f', NULL);
	c->user = vnd_cli_str(cli, 'u', NULL);
	c->dir = vnd_cli_str(cli, 'w', ".");
	c->post = vnd_cli_str(cli, 'z', NULL);
	if ((c->status = points(c)) == VND_EXIT_OK)
		c->status = vnd_cli_flag(cli, 'P') ? print_policy(c) :
		    capture(c);
	if (c->status == VND_EXIT_USAGE)
		return VND_RUN_USAGE;
	return c->status == VND_EXIT_OK ? VND_RUN_OK : VND_RUN_ABORT;
}

static void
cap_free(void *ctx)
{
	coll_free(&((struct cap *)ctx)->coll);
}

static struct cap tool_ctx = { .snaplen = 262144 };

const struct vnd_tool vnd_tool = {
	.name = "vnd-capture", .usage = usage,
	.longonly = "collection=L counters=k print-policy=P",
	.flags = VND_CLI_QUIET,
	.option = option, .check = check, .run = run,
	.fini = cap_free,
	.ctx = &tool_ctx,
};
