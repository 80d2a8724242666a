/* vnd-capture: live capture at named points, one pcap each and a manifest; host counter snapshots. */
#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "vnd.h"
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
static struct coll coll;

static const struct option longopts[] = {
	{ "collection", required_argument, NULL, 'L' },
	{ "count", required_argument, NULL, 'c' },
	{ "counters", required_argument, NULL, 'k' },
	{ "duration", required_argument, NULL, 'd' },
	{ "filter", required_argument, NULL, 'f' },
	{ "help", no_argument, NULL, 'h' },
	{ "interface", required_argument, NULL, 'i' },
	{ "print-policy", no_argument, NULL, 'P' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "rotate-seconds", required_argument, NULL, 'G' },
	{ "rotate-size", required_argument, NULL, 'C' },
	{ "snaplen", required_argument, NULL, 's' },
	{ "user", required_argument, NULL, 'u' },
	{ "version", no_argument, NULL, 'V' },
	{ "write-dir", required_argument, NULL, 'w' },
	{ NULL, 0, NULL, 0 }
};

static void
usage(FILE *fp)
{
	fprintf(fp,
"usage: vnd-capture [-qV] -i name=iface... [-c count] [-C mbytes] [-d seconds]\n"
"                   [-f filter] [-G seconds] [-s snaplen] [-u user] [-w dir]\n"
"                   [--collection file] [--counters seconds] [--print-policy]\n"
"      --collection FILE    VND trace collection configuration: appliances,\n"
"                           capture points, flow patterns (-i gives the\n"
"                           interface of a point it does not)\n"
"  -c, --count N            stop after N packets in all\n"
"  -C, --rotate-size MB     start a new file when one reaches MB megabytes\n"
"      --counters SECONDS   snapshot the host's element counters every SECONDS\n"
"                           into DIR/counters.tsv (ts_ns element attr value)\n"
"  -d, --duration SECONDS   stop after SECONDS\n"
"  -f, --filter EXPR        BPF filter (libpcap syntax) at every point\n"
"  -G, --rotate-seconds S   start a new file every S seconds\n"
"  -h, --help               this help\n"
"  -i, --interface N=IF     capture point N on interface IF (repeatable)\n"
"      --print-policy       print each point, interface and filter; capture\n"
"                           nothing\n"
"  -q, --quiet              no summary on stderr\n"
"  -s, --snaplen BYTES      bytes kept of each packet (default 262144)\n"
"  -u, --user USER          run as USER once the devices are open\n"
"  -V, --version            print the version\n"
"  -w, --write-dir DIR      where the files go (default .): DIR/NAME.pcap,\n"
"                           DIR/manifest.tsv\n"
"SIGINT or SIGTERM ends the capture: every file is flushed and closed.\n");
}

/* The points of a collection configuration, their interfaces from -i where it names none. */
static int
collection(const char *path, struct coll *c, struct point *pts, int *npts)
{
	char errbuf[VND_ERRBUF_SIZE], *text;
	const char *ifs[MAX_POINTS];
	FILE *f;
	size_t n;
	int i, k;

	if ((f = fopen(path, "r")) == NULL) {
		warnx("'%s': cannot open", path);
		return VND_EXIT_FAIL;
	}
	if ((text = malloc(1 << 20)) == NULL) {
		fclose(f);
		warnx("out of memory");
		return VND_EXIT_FAIL;
	}
	n = fread(text, 1, (1 << 20) - 1, f);
	text[n] = '\0';
	if (ferror(f) || !feof(f) || memchr(text, '\0', n) != NULL) {
		warnx("'%s': %s", path, ferror(f) ? "read error" : !feof(f) ?
		    "larger than 1 MiB" : "not text");
		fclose(f);
		free(text);
		return VND_EXIT_FAIL;
	}
	fclose(f);
	if (coll_parse(c, text, errbuf) < 0) {
		warnx("'%s': %s", path, errbuf);
		free(text);
		return VND_EXIT_FAIL;
	}
	free(text);
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
		const char *ifn = c->pts[i].ifname;

		for (k = 0; k < *npts; k++)
			if (strcmp(c->pts[i].name, pts[k].name) == 0)
				ifn = pts[k].ifname;
		if (ifn == NULL) {
			warnx("point '%s' of '%s' has no interface: -i %s=IF",
			    c->pts[i].name, path, c->pts[i].name);
			return VND_EXIT_USAGE;
		}
		ifs[i] = ifn;
	}
	for (i = 0; i < c->npts; i++) {
		pts[i].ifname = ifs[i];
		pts[i].name = c->pts[i].name;
		pts[i].filter = c->pts[i].filter;
	}
	*npts = c->npts;
	return VND_EXIT_OK;
}

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
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
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
};

static void
on_packet(u_char *arg, const struct pcap_pkthdr *h, const u_char *data)
{
	struct ctx *c = (struct ctx *)arg;
	struct point *pt = c->pt;
	int64_t ts;

	if (c->failed)
		return;			/* the rest of a batch after a failure */
	ts = (int64_t)h->ts.tv_sec * 1000000000 +
	    (int64_t)h->ts.tv_usec * (c->nano ? 1 : 1000);

	/* a file full, or old enough: the next in the ring */
	if (c->ring && ((c->rotate_bytes && pt->bytes + 16 + h->caplen >
	    c->rotate_bytes) || (c->rotate_ns && now_ns() - pt->opened_ns >=
	    c->rotate_ns))) {
		pcap_dump_close(pt->d);
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

/* PerfSight's element counters: every interface, and the per-CPU backlog. */
static int
snapshot(FILE *fp)
{
	static const char *const attrs[] = {
		"rx_packets", "tx_packets", "rx_bytes", "tx_bytes", "rx_dropped",
		"tx_dropped", "rx_errors", "tx_errors",
	};
	char path[1024], line[512];
	FILE *f;
	int64_t ts = now_ns();
	size_t i;
	int cpu = 0;
	DIR *dirp;
	struct dirent *de;

	/* /sys/class/net lists the interfaces of this network namespace */
	if ((dirp = opendir("/sys/class/net")) == NULL)
		return -1;
	while ((de = readdir(dirp)) != NULL) {
		char ifn[512];
		unsigned long long v;

		if (de->d_name[0] == '.')
			continue;
		snprintf(ifn, sizeof(ifn), "%s", de->d_name);
		for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
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
	snap_qdisc(fp, ts);
	snap_iptables(fp, ts);
	/* softnet_stat: per CPU, packets processed, dropped at the backlog, squeezed */
	if ((f = fopen("/proc/net/softnet_stat", "r")) != NULL) {
		while (fgets(line, sizeof(line), f) != NULL) {
			unsigned int p, d, sq;

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

int
main(int argc, char **argv)
{
	char errbuf[PCAP_ERRBUF_SIZE > VND_ERRBUF_SIZE ? PCAP_ERRBUF_SIZE :
	    VND_ERRBUF_SIZE];
	struct point pts[MAX_POINTS];
	struct pollfd pfd[MAX_POINTS];
	struct ctx ctx[MAX_POINTS];
	struct sigaction sa;
	const char *dir = ".", *filter = NULL, *user = NULL, *conf = NULL;
	FILE *counters = NULL, *man = NULL;
	int64_t v, snaplen = 262144, count = 0, duration_ns = 0, counters_ns = 0;
	int64_t rotate_mb = 0, rotate_s = 0, start, next_snap = 0;
	uint64_t total;
	int npts = 0, ch, i, quiet = 0, print = 0, status = VND_EXIT_OK;

	memset(pts, 0, sizeof(pts));
	while ((ch = getopt_long(argc, argv, "c:C:d:f:G:hi:qs:u:Vw:", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'c': case 'C': case 'd': case 'G': case 'k': case 's':
			if (vnd_strtonum(optarg, 1, ch == 's' ? 262144 :
			    INT64_MAX / 1000000000, &v, errbuf) < 0) {
				if (ch == 'k')
					warnx("--counters: %s", errbuf);
				else
					warnx("-%c: %s", ch, errbuf);
				return VND_EXIT_USAGE;
			}
			if (ch == 'c')
				count = v;
			else if (ch == 'C')
				rotate_mb = v;
			else if (ch == 'd')
				duration_ns = v * 1000000000;
			else if (ch == 'G')
				rotate_s = v;
			else if (ch == 'k')
				counters_ns = v * 1000000000;
			else
				snaplen = v;
			break;
		case 'f':
			filter = optarg;
			break;
		case 'L':
			conf = optarg;
			break;
		case 'P':
			print = 1;
			break;
		case 'h':
			usage(stdout);
			return VND_EXIT_OK;
		case 'i': {
			char *eq = strchr(optarg, '=');

			if (npts == MAX_POINTS) {
				warnx("at most %d points", MAX_POINTS);
				return VND_EXIT_USAGE;
			}
			if (eq == NULL || eq == optarg || eq[1] == '\0') {
				warnx("-i '%s': NAME=INTERFACE", optarg);
				return VND_EXIT_USAGE;
			}
			*eq = '\0';
			pts[npts].name = optarg;
			pts[npts].ifname = eq + 1;
			npts++;
			break;
		}
		case 'q':
			quiet = 1;
			break;
		case 'u':
			user = optarg;
			break;
		case 'V':
			printf("vnd-capture %s\n", VND_VERSION);
			return VND_EXIT_OK;
		case 'w':
			dir = optarg;
			break;
		default:
			usage(stderr);
			return VND_EXIT_USAGE;
		}
	}
	if (conf != NULL && optind == argc &&
	    (status = collection(conf, &coll, pts, &npts)) != VND_EXIT_OK)
		goto out;
	if (npts == 0 || optind != argc) {
		warnx(npts ? "unexpected operand '%s'" : "no capture point (-i "
		    "NAME=INTERFACE)", optind < argc ? argv[optind] : "");
		usage(stderr);
		return VND_EXIT_USAGE;
	}
	for (i = 0; i < npts; i++) {
		int k;

		if (strchr(pts[i].name, '/') != NULL) {
			warnx("point name '%s' has a '/'", pts[i].name);
			return VND_EXIT_USAGE;
		}
		for (k = 0; k < i; k++)
			if (strcmp(pts[i].name, pts[k].name) == 0) {
				warnx("point '%s' named twice", pts[i].name);
				return VND_EXIT_USAGE;
			}
	}

	/* each point's filter: the collection's and -f's */
	for (i = 0; i < npts && filter != NULL; i++) {
		char *both;

		if (pts[i].filter == NULL) {
			pts[i].filter = filter;
			continue;
		}
		if ((both = malloc(strlen(filter) + strlen(pts[i].filter) +
		    12)) == NULL) {
			warnx("out of memory");
			status = VND_EXIT_FAIL;
			goto out;
		}
		sprintf(both, "(%s) and (%s)", pts[i].filter, filter);
		/* kept in the collection, which frees it */
		free(coll.pts[i].filter);
		coll.pts[i].filter = both;
		pts[i].filter = both;
	}
	if (print) {
		/* the filters compile, for Ethernet, as they would on a veth */
		for (i = 0; i < npts; i++) {
			struct bpf_program prog;
			pcap_t *dead;

			if (pts[i].filter == NULL)
				continue;
			if ((dead = pcap_open_dead(DLT_EN10MB, 65535)) == NULL) {
				warnx("out of memory");
				status = VND_EXIT_FAIL;
				goto out;
			}
			if (pcap_compile(dead, &prog, pts[i].filter, 1,
			    PCAP_NETMASK_UNKNOWN) < 0) {
				warnx("filter of '%s': %s", pts[i].name,
				    pcap_geterr(dead));
				pcap_close(dead);
				status = VND_EXIT_USAGE;
				goto out;
			}
			pcap_freecode(&prog);
			pcap_close(dead);
		}
		printf("point\tinterface\tfilter\n");
		for (i = 0; i < npts; i++)
			printf("%s\t%s\t%s\n", pts[i].name, pts[i].ifname,
			    pts[i].filter != NULL ? pts[i].filter : "-");
		if (fflush(stdout) != 0 || ferror(stdout)) {
			warnx("write error");
			status = VND_EXIT_FAIL;
		}
		goto out;
	}

	/* the devices, with the privileges that takes */
	for (i = 0; i < npts; i++) {
		struct point *pt = &pts[i];
		struct bpf_program prog;

		if ((pt->p = pcap_create(pt->ifname, errbuf)) == NULL) {
			warnx("'%s': %s", pt->ifname, errbuf);
			status = VND_EXIT_FAIL;
			goto out;
		}
		pcap_set_snaplen(pt->p, (int)snaplen);
		pcap_set_promisc(pt->p, 1);
		pcap_set_immediate_mode(pt->p, 1);
		pcap_set_buffer_size(pt->p, 32 << 20);	/* bursts at full snap length */
		(void)pcap_set_tstamp_precision(pt->p, PCAP_TSTAMP_PRECISION_NANO);
		if (pcap_activate(pt->p) < 0) {
			warnx("'%s': %s", pt->ifname, pcap_geterr(pt->p));
			status = VND_EXIT_FAIL;
			goto out;
		}
		if (pt->filter != NULL) {
			if (pcap_compile(pt->p, &prog, pt->filter, 1,
			    PCAP_NETMASK_UNKNOWN) < 0) {
				warnx("filter: %s", pcap_geterr(pt->p));
				status = VND_EXIT_USAGE;
				goto out;
			}
			if (pcap_setfilter(pt->p, &prog) < 0) {
				warnx("'%s': %s", pt->ifname, pcap_geterr(pt->p));
				pcap_freecode(&prog);
				status = VND_EXIT_FAIL;
				goto out;
			}
			pcap_freecode(&prog);
		}
		if (pcap_setnonblock(pt->p, 1, errbuf) < 0 ||
		    (pfd[i].fd = pcap_get_selectable_fd(pt->p)) < 0) {
			warnx("'%s': cannot poll it", pt->ifname);
			status = VND_EXIT_FAIL;
			goto out;
		}
		pfd[i].events = POLLIN;
	}
	if (mkdir(dir, 0777) < 0 && errno != EEXIST) {
		warn("'%s'", dir);
		status = VND_EXIT_FAIL;
		goto out;
	}
	for (i = 0; i < npts; i++) {
		ctx[i].pt = &pts[i];
		ctx[i].dir = dir;
		ctx[i].ring = rotate_mb || rotate_s;
		ctx[i].rotate_bytes = (uint64_t)rotate_mb * 1000000;
		ctx[i].rotate_ns = rotate_s * 1000000000;
		ctx[i].nano = pcap_get_tstamp_precision(pts[i].p) ==
		    PCAP_TSTAMP_PRECISION_NANO;
		if (open_file(&pts[i], dir, ctx[i].ring) < 0) {
			status = VND_EXIT_FAIL;
			goto out;
		}
	}
	if (counters_ns) {
		char path[4096];

		snprintf(path, sizeof(path), "%s/counters.tsv", dir);
		if ((counters = fopen(path, "w")) == NULL) {
			warn("'%s'", path);
			status = VND_EXIT_FAIL;
			goto out;
		}
		fprintf(counters, "ts_ns\telement\tattr\tvalue\n");
	}
	/* the manifest, while this may still create files anywhere */
	{
		char path[4096];

		snprintf(path, sizeof(path), "%s/manifest.tsv", dir);
		if ((man = fopen(path, "w")) == NULL) {
			warn("'%s'", path);
			status = VND_EXIT_FAIL;
			goto out;
		}
	}
	if (user != NULL && drop_privileges(user, dir) < 0) {
		status = VND_EXIT_FAIL;
		goto out;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	start = now_ns();
	while (!stop) {
		int64_t t = now_ns();

		if (counters != NULL && t >= next_snap) {
			if (snapshot(counters) < 0) {
				warnx("counters: write error");
				status = VND_EXIT_FAIL;
				break;
			}
			next_snap = t + counters_ns;
		}
		if (duration_ns && t - start >= duration_ns)
			break;
		if (poll(pfd, (nfds_t)npts, 100) < 0 && errno != EINTR) {
			warn("poll");
			status = VND_EXIT_FAIL;
			break;
		}
		for (total = 0, i = 0; i < npts; i++)
			total += pts[i].pkts;
		for (i = 0; i < npts; i++)
			if (pcap_dispatch(pts[i].p, count ? (int)(count - (int64_t)total >
			    0 ? count - (int64_t)total : 0) : -1, on_packet,
			    (u_char *)&ctx[i]) < 0) {
				/* -2: broken off after a failure already told */
				if (!ctx[i].failed)
					warnx("'%s': %s", pts[i].ifname,
					    pcap_geterr(pts[i].p));
				stop = 1;
				status = VND_EXIT_FAIL;
			}
		for (total = 0, i = 0; i < npts; i++) {
			total += pts[i].pkts;
			if (ctx[i].failed)
				stop = 1, status = VND_EXIT_FAIL;
		}
		if (count && total >= (uint64_t)count)
			break;
	}
	/* what the kernel still holds for us (not past -c), then every file whole */
	for (i = 0; i < npts && !count; i++)
		(void)pcap_dispatch(pts[i].p, -1, on_packet, (u_char *)&ctx[i]);
	if (counters != NULL)
		(void)snapshot(counters);
out:
	{
		char path[4096];

		(void)path;
		if (man != NULL)
			fprintf(man, "point\tinterface\tfile\tfirst_ts_ns\t"
			    "last_ts_ns\tpackets\tkernel_drops\tif_drops\n");
		for (i = 0; i < npts; i++) {
			struct pcap_stat ps;

			memset(&ps, 0, sizeof(ps));
			if (pts[i].p != NULL)
				(void)pcap_stats(pts[i].p, &ps);
			if (man != NULL && pts[i].d != NULL) {
				fprintf(man, "%s\t%s\t%s\t", pts[i].name,
				    pts[i].ifname, pts[i].path);
				if (pts[i].pkts)
					fprintf(man, "%lld\t%lld\t",
					    (long long)pts[i].first_ns,
					    (long long)pts[i].last_ns);
				else
					fprintf(man, "-\t-\t");
				fprintf(man, "%llu\t%u\t%u\n",
				    (unsigned long long)pts[i].pkts, ps.ps_drop,
				    ps.ps_ifdrop);
			}
			if (!quiet && pts[i].d != NULL)
				fprintf(stderr, "vnd-capture: %s (%s): %llu packets, "
				    "%u dropped by the kernel\n", pts[i].name,
				    pts[i].ifname, (unsigned long long)pts[i].pkts,
				    ps.ps_drop);
			if (pts[i].d != NULL && (pcap_dump_flush(pts[i].d) < 0)) {
				warnx("'%s': write error", pts[i].path);
				status = VND_EXIT_FAIL;
			}
			if (pts[i].d != NULL)
				pcap_dump_close(pts[i].d);
			if (pts[i].p != NULL)
				pcap_close(pts[i].p);
		}
		if (man != NULL && fclose(man) != 0)
			status = VND_EXIT_FAIL;
		if (counters != NULL && fclose(counters) != 0)
			status = VND_EXIT_FAIL;
	}
	coll_free(&coll);
	return status;
}
