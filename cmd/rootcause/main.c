/* vnd-rootcause: the element and the resource behind a loss or a slowdown (PerfSight Alg. 1, 2). */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vnd.h"
#include "vnd_table.h"
#include "rootcause.h"

/*
 * Two analyses of recorded artifacts (PerfSight, IMC 2015, 5.1-5.2):
 *
 * Algorithm 1, from counter snapshots (<ts_ns, element, attr, value>, as
 * vnd-capture --counters writes them): the packets each element dropped
 * over the recording, sorted, and its Table 1 rule: where a packet is
 * dropped says which resource ran short. Loss spread over several VMs'
 * TUN/TAP devices is contention; at one VM's, that VM is the bottleneck.
 *
 * Algorithm 2, for a chain of middleboxes joined by TCP: each element's
 * state from the connections on its sides (vnd-tcpstate's table): one whose
 * outgoing connection is receiver-limited cannot write (WriteBlocked); one
 * whose incoming connection is sender-limited waits for data (ReadBlocked).
 * A ReadBlocked element and its successors are not the cause, nor a
 * WriteBlocked one and its predecessors: what remains is.
 *
 * And VND's (SoCC 2013, 5.1.1), from vnd-hoploss's hops table: the hop
 * where loss and delay rise is the bottleneck middlebox (hops.c).
 */

#define WRITE_BLOCKED	0.25	/* receiver-limited share that blocks writing */
#define READ_BLOCKED	0.90	/* sender-limited share that starves reading */

static const struct vnd_colspec out_cols[] = {
	{ "rank", VND_INT }, { "element", VND_TEXT }, { "analysis", VND_TEXT },
	{ "resource", VND_TEXT }, { "kind", VND_TEXT }, { "lost_pkts", VND_INT },
	{ "evidence", VND_TEXT }, { "sentence", VND_TEXT },
};

int
cause_row(struct vnd_table *t, int rank, const char *element,
    const char *analysis, const char *resource, const char *kind,
    long long lost, const char *evidence, const char *sentence, char *errbuf)
{
	vnd_put_int(t, rank);
	vnd_put_str(t, element);
	vnd_put_str(t, analysis);
	vnd_put_str(t, resource);
	vnd_put_str(t, kind);
	if (lost >= 0)
		vnd_put_int(t, lost);
	else
		vnd_put_null(t);
	vnd_put_str(t, evidence);
	vnd_put_str(t, sentence);
	return vnd_row_end(t, errbuf);
}

/* An element's drops: the first and last value of each drop counter. */
struct elem {
	char		 name[256];
	char		 attr[64];	/* the counter that dropped most */
	long long	 first, last, loss;
	int		 seen;
};

/* Which counters count drops, and what a drop there means (Table 1). */
static const char *
drop_rule(const char *element, const char *attr, const char **kind)
{
	*kind = "bottleneck";
	if (strstr(element, "iptables") != NULL && strcmp(attr, "pkts") == 0 &&
	    (strstr(element, "drop") || strstr(element, "DROP")))
		return "policy drop (firewall rule)";
	if ((strstr(element, ":tc:") != NULL || strncmp(element, "tc:", 3) == 0) &&
	    strcmp(attr, "dropped_pkts") == 0)
		return "egress bandwidth (queue discipline)";
	if (strncmp(element, "backlog:", 8) == 0 && strcmp(attr, "dropped") == 0)
		return "outgoing bandwidth or pCPU backlog";
	if (strcmp(attr, "rx_dropped") == 0 || strcmp(attr, "tx_dropped") == 0) {
		if (strstr(element, "tap") || strstr(element, "tun") ||
		    strstr(element, "vnet"))
			return "VM (CPU or bandwidth)";
		return strcmp(attr, "rx_dropped") == 0 ?
		    "incoming bandwidth (NIC)" : "outgoing bandwidth (NIC)";
	}
	return NULL;
}

/* Is the element a VM's device, whose drops are Table 1's TUN rows? */
static int
is_vm(const struct elem *e)
{
	const char *kind, *res = drop_rule(e->name, e->attr, &kind);

	return res != NULL && strstr(res, "VM") != NULL;
}

static int
counters(struct vnd_table *t, const char *path, int *rank, char *errbuf)
{
	struct tsv c;
	struct elem *e = NULL, *ne;
	size_t ne_n = 0, i, j;
	int ce, ca, cv, ntap = 0, r = -1;
	long long vmmax = 0;
	const char *kind;
	char ev[512], sent[768];

	if (tsv_read(&c, path, errbuf) < 0)
		return -1;
	ce = col(&c, "element");
	ca = col(&c, "attr");
	cv = col(&c, "value");
	if (ce < 0 || ca < 0 || cv < 0) {
		snprintf(errbuf, VND_ERRBUF_SIZE,
		    "'%s': no element, attr, value columns", path);
		goto out;
	}
	for (i = 0; i < c.n; i++) {
		const char *el = get(&c.rows[i], ce), *at = get(&c.rows[i], ca);
		char key[256];
		long long v;

		if (drop_rule(el, at, &kind) == NULL)
			continue;
		v = atoll(get(&c.rows[i], cv));
		snprintf(key, sizeof(key), "%.255s", el);
		for (j = 0; j < ne_n; j++)
			if (strcmp(e[j].name, key) == 0 && strcmp(e[j].attr, at) == 0)
				break;
		if (j == ne_n) {
			if ((ne = realloc(e, (ne_n + 1) * sizeof(*ne))) == NULL) {
				snprintf(errbuf, VND_ERRBUF_SIZE, "out of memory");
				goto out;
			}
			e = ne;
			memset(&e[ne_n], 0, sizeof(e[ne_n]));
			snprintf(e[ne_n].name, sizeof(e[ne_n].name), "%s", key);
			snprintf(e[ne_n].attr, sizeof(e[ne_n].attr), "%s", at);
			e[ne_n].first = v;
			ne_n++;
		}
		e[j].last = v;
		e[j].seen++;
	}
	/* one snapshot: counters read once, since the element began */
	for (j = 0; j < ne_n; j++) {
		e[j].loss = e[j].seen > 1 ? e[j].last - e[j].first : e[j].last;
		if (is_vm(&e[j]) && e[j].loss > vmmax)
			vmmax = e[j].loss;
	}
	/*
	 * Contention is loss spread over several VMs: those that lost at least
	 * a tenth of what the worst one lost. An idle VM's stray drop (a
	 * router solicitation nobody read) does not make the worst one's loss
	 * a contention.
	 */
	for (j = 0; j < ne_n; j++)
		if (is_vm(&e[j]) && e[j].loss > 0 && e[j].loss * 10 >= vmmax)
			ntap++;
	/* Algorithm 1: sorted by loss */
	for (i = 0; i < ne_n; i++)
		for (j = i + 1; j < ne_n; j++)
			if (e[j].loss > e[i].loss) {
				struct elem x = e[i];

				e[i] = e[j];
				e[j] = x;
			}
	for (i = 0; i < ne_n; i++) {
		const char *res;

		if (e[i].loss <= 0)
			continue;
		res = drop_rule(e[i].name, e[i].attr, &kind);
		if (is_vm(&e[i]) && ntap > 1 && e[i].loss * 10 >= vmmax) {
			res = "CPU or memory bandwidth (contention among VMs)";
			kind = "contention";
		}
		snprintf(ev, sizeof(ev), "%s %s: %lld packet%s dropped over %d "
		    "snapshot%s", e[i].name, e[i].attr, e[i].loss,
		    e[i].loss == 1 ? "" : "s", e[i].seen, e[i].seen == 1 ? "" : "s");
		snprintf(sent, sizeof(sent), "%s dropped %lld packet%s: %s",
		    e[i].name, e[i].loss, e[i].loss == 1 ? "" : "s", res);
		if (cause_row(t, ++*rank, e[i].name, "drops", res, kind,
		    e[i].loss, ev, sent, errbuf) < 0)
			goto out;
	}
	r = 0;
out:
	free(e);
	tsv_free(&c);
	return r;
}

/* The connection row of tcpstate's table for a point, its client's data. */
static const struct row *
link_of(const struct tsv *s, const char *point)
{
	int cp = col(s, "point"), cs = col(s, "sender"), cb = col(s, "data_bytes");
	const struct row *best = NULL;
	size_t i;

	/* the connection of that link that carried the most of the client's data */
	for (i = 0; i < s->n; i++)
		if (strcmp(get(&s->rows[i], cp), point) == 0 &&
		    strcmp(get(&s->rows[i], cs), "client") == 0 &&
		    (best == NULL || atoll(get(&s->rows[i], cb)) >
		    atoll(get(best, cb))))
			best = &s->rows[i];
	return best;
}

/*
 * PerfSight's own element statistics for a middlebox (Algorithm 2, lines
 * 8-17): over the recording, more time in input than its bytes take at the
 * element's capacity is ReadBlocked, likewise output and WriteBlocked.
 * Returns 1 with the state set, 0 when the counters hold no such element.
 */
static int
element_state(const struct tsv *c, const char *el, int *rb, int *wb,
    char *why, size_t len)
{
	static const char *const attrs[] = { "in_bytes", "in_time_ns",
	    "out_bytes", "out_time_ns", "capacity_bps" };
	double first[5], last[5];
	int seen[5] = { 0 }, ce, ca, cv, k;
	size_t i;

	ce = col(c, "element");
	ca = col(c, "attr");
	cv = col(c, "value");
	for (i = 0; i < c->n; i++) {
		if (strcmp(get(&c->rows[i], ce), el) != 0)
			continue;
		for (k = 0; k < 5; k++)
			if (strcmp(get(&c->rows[i], ca), attrs[k]) == 0) {
				last[k] = atof(get(&c->rows[i], cv));
				if (!seen[k]++)
					first[k] = last[k];
			}
	}
	if (!seen[4] || last[4] <= 0 || (!seen[0] && !seen[2]))
		return 0;
	/* seconds the bytes take at capacity, against the seconds spent */
	if (seen[0] && seen[1] && (last[1] - first[1]) / 1e9 >
	    (last[0] - first[0]) * 8 / last[4]) {
		*rb = 1;
		snprintf(why, len, "input %.3f s for %.0f bytes", (last[1] -
		    first[1]) / 1e9, last[0] - first[0]);
	}
	if (seen[2] && seen[3] && (last[3] - first[3]) / 1e9 >
	    (last[2] - first[2]) * 8 / last[4]) {
		*wb = 1;
		*rb = 0;
		snprintf(why, len, "output %.3f s for %.0f bytes", (last[3] -
		    first[3]) / 1e9, last[2] - first[2]);
	}
	return 1;
}

static int
chain(struct vnd_table *t, const char *chainpath, const char *statepath,
    const char *countpath, int *rank, char *errbuf)
{
	struct tsv ch, st, cn;
	int ce, ci, co, csr = -1, crr = -1, n, i, k, r = -1;
	int *rb = NULL, *wb = NULL, *cand = NULL;
	char ev[1024], sent[768], why[256];

	memset(&st, 0, sizeof(st));
	memset(&cn, 0, sizeof(cn));
	if (chain_read(&ch, chainpath, errbuf) < 0)
		return -1;
	if ((statepath != NULL && tsv_read(&st, statepath, errbuf) < 0) ||
	    (countpath != NULL && tsv_read(&cn, countpath, errbuf) < 0)) {
		tsv_free(&ch);
		tsv_free(&st);
		return -1;
	}
	ce = col(&ch, "element");
	ci = col(&ch, "in_point");
	co = col(&ch, "out_point");
	if (statepath != NULL) {
		csr = col(&st, "sender_limited_ratio");
		crr = col(&st, "receiver_limited_ratio");
	}
	if (ce < 0 || ci < 0 || co < 0) {
		snprintf(errbuf, VND_ERRBUF_SIZE,
		    "'%s': no element, in_point, out_point columns", chainpath);
		goto out;
	}
	if (statepath != NULL && (csr < 0 || crr < 0 || col(&st, "point") < 0)) {
		snprintf(errbuf, VND_ERRBUF_SIZE,
		    "'%s': not vnd-tcpstate's connections table", statepath);
		goto out;
	}
	n = (int)ch.n;
	if ((rb = calloc((size_t)n + 1, sizeof(int))) == NULL ||
	    (wb = calloc((size_t)n + 1, sizeof(int))) == NULL ||
	    (cand = calloc((size_t)n + 1, sizeof(int))) == NULL) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "out of memory");
		goto out;
	}
	/* each element's state: its own statistics, or its two connections */
	for (i = 0; i < n; i++) {
		const struct row *in, *out;

		cand[i] = 1;
		if (countpath != NULL && element_state(&cn, get(&ch.rows[i], ce),
		    &rb[i], &wb[i], why, sizeof(why)))
			continue;
		if (statepath == NULL)
			continue;
		in = link_of(&st, get(&ch.rows[i], ci));
		out = link_of(&st, get(&ch.rows[i], co));
		if (out != NULL && atof(get(out, crr)) >= WRITE_BLOCKED)
			wb[i] = 1;
		else if (in != NULL && atof(get(in, csr)) >= READ_BLOCKED &&
		    atof(get(in, crr)) < WRITE_BLOCKED)
			rb[i] = 1;
	}
	/* Algorithm 2: blocked elements clear their side of the chain */
	for (i = 0; i < n; i++) {
		if (rb[i])
			for (k = i; k < n; k++)
				cand[k] = 0;
		if (wb[i])
			for (k = 0; k <= i; k++)
				cand[k] = 0;
	}
	for (i = 0; i < n; i++) {
		const char *el = get(&ch.rows[i], ce);
		const char *what;

		if (!cand[i])
			continue;
		/* what it did wrong: it read too slowly, or wrote too slowly */
		if (i + 1 < n && rb[i + 1] && i > 0 && wb[i - 1])
			what = "slow: its predecessors could not write to it and "
			    "its successors waited for its data";
		else if (i + 1 < n && rb[i + 1])
			what = "underloaded: it did not send fast enough, its "
			    "successors waited for data";
		else if (i > 0 && wb[i - 1])
			what = "overloaded: it did not read fast enough, its "
			    "predecessors could not write";
		else
			what = "neither blocked reading nor writing while its "
			    "neighbours were";
		k = snprintf(ev, sizeof(ev), "states:");
		for (int j = 0; j < n && k < (int)sizeof(ev) - 64; j++)
			k += snprintf(ev + k, sizeof(ev) - (size_t)k, " %s=%s",
			    get(&ch.rows[j], ce), rb[j] ? "ReadBlocked" :
			    wb[j] ? "WriteBlocked" : "-");
		snprintf(sent, sizeof(sent), "%s is the root cause in the chain: "
		    "%s", el, what);
		if (cause_row(t, ++*rank, el, "chain", strncmp(what, "under",
		    5) == 0 ? "sending (source)" : strncmp(what, "over", 4) == 0 ?
		    "receiving (sink)" : strncmp(what, "slow", 4) == 0 ?
		    "processing (relay)" : "-", "root_cause", -1, ev, sent,
		    errbuf) < 0)
			goto out;
	}
	r = 0;
out:
	free(rb);
	free(wb);
	free(cand);
	tsv_free(&ch);
	tsv_free(&st);
	tsv_free(&cn);
	return r;
}

static const struct option longopts[] = {
	{ "chain", required_argument, NULL, 'C' },
	{ "counters", required_argument, NULL, 'c' },
	{ "help", no_argument, NULL, 'h' },
	{ "hops", required_argument, NULL, 'P' },
	{ "no-header", no_argument, NULL, 'H' },
	{ "output", required_argument, NULL, 'o' },
	{ "state", required_argument, NULL, 's' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static void
usage(FILE *fp)
{
	fprintf(fp,
"usage: vnd-rootcause [-HV] [-o file.db] [-c counters.tsv]\n"
"                     [--chain chain.tsv [-s tcpstate.tsv]] [--hops hops.tsv]\n"
"  -c, --counters FILE   element counter snapshots (ts_ns element attr value):\n"
"                        drops by element, and the resource they point at\n"
"      --chain FILE      the chain of middleboxes, in order: element,\n"
"                        in_point, out_point (the captures on its two sides);\n"
"                        or ELEMENT=IN/OUT,... ('-' for no point)\n"
"                        with -c, elements with in/out bytes, in/out time and\n"
"                        capacity (PerfSight's statistics) use those\n"
"      --hops FILE       vnd-hoploss's hops table: the hop where loss and\n"
"                        delay rise (VND 5.1.1), named after the chain's\n"
"                        element between its points\n"
"  -s, --state FILE      vnd-tcpstate's connections table of those captures\n"
"                        ('-': standard input)\n"
"  -H, --no-header       omit the TSV header line\n"
"  -h, --help            this help\n"
"  -o, --output FILE     write SQLite database FILE (table causes)\n"
"  -V, --version         print the version\n");
}

int
main(int argc, char **argv)
{
	char errbuf[VND_ERRBUF_SIZE];
	const char *cpath = NULL, *chpath = NULL, *spath = NULL, *output = NULL;
	const char *hpath = NULL;
	struct vnd_sink *sink = NULL;
	struct vnd_table *t;
	int ch, header = 1, rank = 0;

	while ((ch = getopt_long(argc, argv, "c:hHo:s:V", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			cpath = optarg;
			break;
		case 'C':
			chpath = optarg;
			break;
		case 'h':
			usage(stdout);
			return VND_EXIT_OK;
		case 'H':
			header = 0;
			break;
		case 'P':
			hpath = optarg;
			break;
		case 'o':
			output = strcmp(optarg, "-") == 0 ? NULL : optarg;
			break;
		case 's':
			spath = optarg;
			break;
		case 'V':
			printf("vnd-rootcause %s\n", VND_VERSION);
			return VND_EXIT_OK;
		default:
			usage(stderr);
			return VND_EXIT_USAGE;
		}
	}
	if (optind != argc || (cpath == NULL && chpath == NULL &&
	    hpath == NULL) || (chpath != NULL && spath == NULL &&
	    cpath == NULL && hpath == NULL) || (spath != NULL && chpath == NULL)) {
		warnx("counters (-c), hops (--hops), or a chain (--chain) with its "
		    "connections (-s) or its elements' statistics (-c)");
		usage(stderr);
		return VND_EXIT_USAGE;
	}
	if (chpath != NULL && chain_inline(chpath)) {
		struct tsv x;

		if (chain_read(&x, chpath, errbuf) < 0) {
			warnx("%s", errbuf);
			usage(stderr);
			return VND_EXIT_USAGE;
		}
		tsv_free(&x);
	}
	if ((output ? vnd_sink_sqlite(&sink, output, errbuf) :
	    vnd_sink_tsv(&sink, stdout, header, errbuf)) < 0)
		errx(VND_EXIT_FAIL, "'%s': %s", output ? output : "stdout", errbuf);
	if ((t = vnd_sink_table(sink, "causes", out_cols,
	    (int)(sizeof(out_cols) / sizeof(out_cols[0])), errbuf)) == NULL ||
	    (chpath != NULL && (spath != NULL || cpath != NULL) &&
	    chain(t, chpath, spath, cpath, &rank, errbuf) < 0) ||
	    (hpath != NULL && hops(t, hpath, chpath, &rank, errbuf) < 0) ||
	    (cpath != NULL && counters(t, cpath, &rank, errbuf) < 0)) {
		warnx("%s", errbuf);
		vnd_sink_close(sink, output == NULL, errbuf);
		return VND_EXIT_FAIL;
	}
	if (vnd_sink_close(sink, 1, errbuf) < 0)
		errx(VND_EXIT_FAIL, "'%s': %s", output ? output : "stdout", errbuf);
	return VND_EXIT_OK;
}
