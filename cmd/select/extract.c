/* extract.c: pass 2: at every point, the records of the picked flows, copied as they were. */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "vnd_cli.h"
#include "vnd_grow.h"
#include "vnd_match.h"
#include "select.h"

/*
 * A picked flow is found at another point by its 5-tuple when nothing
 * rewrote it, or through NAT and L4 load balancers by the fingerprint of one
 * of its first packets (vnd_match_key: the packet's own fields that no NAT
 * rewrites, as vnd-correlate matches them); from then on by its 5-tuple
 * there, either way round. Its packets are taken within its time at the
 * selector, widened by the reorder window at other points (their clocks and
 * the path's delay), and narrowed by --before and --after around the time it
 * was first selected.
 */

/*
 * The output file of a point, opened at its first frame (its link type),
 * written through a buffer of OUT_BUF bytes: stdio's own, of the file
 * system's block (4 KiB), made 40,000 write(2) calls of the bench trace's
 * elephant at two points, a sixth of vnd-select's time.
 */
#define OUT_BUF	(1 << 20)

struct out {
	pcap_t		*dead;
	pcap_dumper_t	*d;
	char		*buf;		/* the file's buffer, OUT_BUF bytes */
	int		 linktype;
	int		 nano;
	uint64_t	 other_link;	/* records of another link type, left out */
};

static void
fp_add(struct sel *s, uint64_t key, size_t conn)
{
	size_t j;

	for (j = key & (s->fpcap - 1); s->fp[j] && s->fp[j] != key;
	    j = (j + 1) & (s->fpcap - 1))
		;
	s->fp[j] = key;
	s->fpconn[j] = (uint32_t)conn;
}

static long
fp_find(const struct sel *s, uint64_t key)
{
	size_t j;

	for (j = key & (s->fpcap - 1); s->fp[j]; j = (j + 1) & (s->fpcap - 1))
		if (s->fp[j] == key)
			return s->fpconn[j];
	return -1;
}

static const struct vnd_flowkey *
img_key(void *arg, size_t i)
{
	return &((struct sel *)arg)->img[i].k;
}

static int
img_add(struct sel *s, const struct vnd_flowkey *k, size_t conn)
{
	struct image *ni;

	if ((ni = vnd_grow(s->img, &s->capimg, s->nimg, sizeof(*ni),
	    64)) == NULL)
		return -1;
	s->img = ni;
	s->img[s->nimg].k = *k;
	s->img[s->nimg].conn = conn;
	s->ft.key = img_key;
	s->ft.arg = s;
	if (vnd_flowtab_add(&s->ft, s->nimg) < 0)
		return -1;
	s->nimg++;
	return 0;
}

/* The picked flows at the selector, and their fingerprints for the others. */
int
index_picks(struct sel *s)
{
	const struct info *in;
	size_t i, n = 0;
	int k;

	for (i = 0; i < nflows(s); i++)
		if (info_of(s, i)->picked)
			n += (size_t)info_of(s, i)->nkeys;
	for (s->fpcap = 64; s->fpcap < 2 * n; s->fpcap *= 2)
		;
	s->stop_ts = INT64_MIN;
	if ((s->fp = calloc(s->fpcap, sizeof(*s->fp))) == NULL ||
	    (s->fpconn = calloc(s->fpcap, sizeof(*s->fpconn))) == NULL)
		return -1;
	for (i = 0; i < nflows(s); i++) {
		in = info_of(s, i);
		if (!in->picked)
			continue;
		if (img_add(s, flow_key(s, i), i) < 0)
			return -1;
		if (window_hi(s, i, 0) > s->stop_ts)
			s->stop_ts = window_hi(s, i, 0);
		s->pts[s->at].flows++;
		for (k = 0; k < in->nkeys; k++)
			fp_add(s, in->key[k], i);
	}
	return 0;
}

/* The picked connection pk belongs to at point p, -1 for none. */
long
conn_at(struct sel *s, struct point *p, const struct vnd_pkt *pk)
{
	struct vnd_flowkey k;
	uint64_t key;
	long i, conn;
	int dir;

	if ((i = vnd_flowtab_find(&s->ft, pk, p->name, &dir)) >= 0)
		return (long)s->img[i].conn;
	if (p == &s->pts[s->at])
		return -1;
	if ((i = vnd_flowtab_find(&s->ft, pk, s->pts[s->at].name, &dir)) >= 0)
		conn = (long)s->img[i].conn;
	else if (vnd_match_key(pk, &key) < 0 || (conn = fp_find(s, key)) < 0)
		return -1;
	vnd_flowkey_init(&k, pk, p->name, &dir);
	if (img_add(s, &k, (size_t)conn) < 0) {
		snprintf(s->err, sizeof(s->err), "out of memory");
		s->failed = 1;
		return -1;
	}
	p->flows++;
	return conn;
}

int64_t
window_lo(const struct sel *s, size_t conn, int here)
{
	int64_t lo = flow_first(s, conn) - (here ? 0 : VND_WINDOW_NS);

	if (s->before >= 0 && flow_sel_ts(s, conn) - s->before > lo)
		lo = flow_sel_ts(s, conn) - s->before;
	return lo;
}

int64_t
window_hi(const struct sel *s, size_t conn, int here)
{
	int64_t hi = flow_last(s, conn) + (here ? 0 : VND_WINDOW_NS);

	if (s->after >= 0 && flow_sel_ts(s, conn) + s->after < hi)
		hi = flow_sel_ts(s, conn) + s->after;
	return hi;
}

static int
out_open(struct sel *s, struct point *p, struct out *o, int linktype)
{
	FILE *fp;

	o->linktype = linktype;
	/* a microsecond pcap stays one: its time stamps are copied, not made */
	o->nano = strcmp(p->format, "pcap") != 0;
	if ((o->dead = pcap_open_dead_with_tstamp_precision(linktype, 262144,
	    o->nano ? PCAP_TSTAMP_PRECISION_NANO :
	    PCAP_TSTAMP_PRECISION_MICRO)) == NULL ||
	    (o->buf = malloc(OUT_BUF)) == NULL) {
		snprintf(s->err, sizeof(s->err), "'%.100s': out of memory",
		    p->file);
		return -1;
	}
	/* as pcap_dump_open() would, with our buffer */
	if ((fp = fopen(p->file, "wb")) == NULL) {
		snprintf(s->err, sizeof(s->err), "'%.100s': %.100s: %.40s",
		    p->file, p->file, strerror(errno));
		return -1;
	}
	setvbuf(fp, o->buf, _IOFBF, OUT_BUF);
	if ((o->d = pcap_dump_fopen(o->dead, fp)) == NULL) {
		snprintf(s->err, sizeof(s->err), "'%.100s': %.140s", p->file,
		    pcap_geterr(o->dead));
		fclose(fp);
		return -1;
	}
	return 0;
}

static void
out_write(struct out *o, const struct vnd_frame *f)
{
	struct pcap_pkthdr h;
	int64_t sub = f->ts_ns % VND_NS_PER_SEC;

	h.ts.tv_sec = (time_t)(f->ts_ns / VND_NS_PER_SEC);
	h.ts.tv_usec = (suseconds_t)(o->nano ? sub : sub / VND_NS_PER_US);
	h.caplen = f->caplen;
	h.len = f->wirelen;
	pcap_dump((u_char *)o->d, &h, f->data);
}

static int
see2(struct sel *s, struct point *p, const struct vnd_frame *f,
    const struct vnd_pkt *pk)
{
	struct out *o = (struct out *)s->pass + (p - s->pts);
	int here = p == &s->pts[s->at];
	long conn;

	if (s->dir != NULL && o->d == NULL && out_open(s, p, o, f->linktype) < 0)
		return -1;
	/* past the last selected flow's window, and the reorder window again */
	if (s->stop_ts == INT64_MIN || pk->ts_ns - VND_WINDOW_NS > s->stop_ts)
		return 1;
	if (here && s->late_elephants)
		(void)see_bytes(s, p, f, pk);
	if (!VND_ISSET(pk, VND_COL_SRC_IP) || (conn = conn_at(s, p, pk)) < 0 ||
	    pk->ts_ns < window_lo(s, (size_t)conn, here) ||
	    pk->ts_ns > window_hi(s, (size_t)conn, here))
		return s->failed ? -1 : 0;
	if (s->dir == NULL)
		return 0;
	if (f->linktype != o->linktype) {
		o->other_link++;
		return 0;
	}
	out_write(o, f);
	p->out_pkts++;
	p->out_bytes += f->caplen;
	return 0;
}

static int
out_close(struct sel *s, struct point *p, struct out *o)
{
	int ret = 0;

	if (o->d != NULL && pcap_dump_flush(o->d) < 0) {
		snprintf(s->err, sizeof(s->err), "'%.100s': %s", p->file,
		    strerror(errno ? errno : EIO));
		ret = -1;
	}
	if (o->d != NULL)
		pcap_dump_close(o->d);
	if (o->dead != NULL)
		pcap_close(o->dead);
	free(o->buf);		/* after the file it buffered is closed */
	o->d = NULL;
	o->dead = NULL;
	o->buf = NULL;
	return ret;
}

static int
file_names(struct sel *s)
{
	int i;

	if (mkdir(s->dir, 0777) < 0 && errno != EEXIST) {
		snprintf(s->err, sizeof(s->err), "'%.100s': %s", s->dir,
		    strerror(errno));
		return -1;
	}
	for (i = 0; i < s->npts; i++)
		if (asprintf(&s->pts[i].file, "%s/%s.pcap", s->dir,
		    s->pts[i].name) < 0) {
			s->pts[i].file = NULL;
			snprintf(s->err, sizeof(s->err), "out of memory");
			return -1;
		}
	return 0;
}

int
extract(struct sel *s, char *err)
{
	struct out *outs;
	int i, st, status = VND_RUN_OK;

	if (index_picks(s) < 0) {
		snprintf(err, VND_ERRBUF_SIZE, "out of memory");
		return VND_RUN_ABORT;
	}
	if (s->dir != NULL && file_names(s) < 0) {
		snprintf(err, VND_ERRBUF_SIZE, "%s", s->err);
		return VND_RUN_ABORT;
	}
	if ((outs = calloc(s->npts > 0 ? (size_t)s->npts : 1,
	    sizeof(*outs))) == NULL) {
		snprintf(err, VND_ERRBUF_SIZE, "out of memory");
		return VND_RUN_ABORT;
	}
	s->pass = outs;
	for (i = 0; i < s->npts && status >= 0; i++) {
		st = read_point(s, &s->pts[i], see2, err);
		if (out_close(s, &s->pts[i], &outs[i]) < 0 && st >= 0) {
			snprintf(err, VND_ERRBUF_SIZE, "%s", s->err);
			st = VND_RUN_ABORT;
		}
		if (st != VND_RUN_OK)
			status = st;
	}
	free(outs);
	s->pass = NULL;
	return status;
}

static const struct vnd_colspec man_cols[] = {
	{ "point", VND_TEXT }, { "capture", VND_TEXT }, { "file", VND_TEXT },
	{ "format", VND_TEXT }, { "packets", VND_INT },
	{ "selected_flows", VND_INT }, { "out_pkts", VND_INT },
	{ "out_bytes", VND_INT },
};

/* DIR/manifest.tsv: a row per point, what it held and what was kept. */
int
put_manifest(struct sel *s, char *err)
{
	struct vnd_sink *sink = NULL;
	struct vnd_table *t;
	char *path;
	FILE *fp;
	int i, ret = -1;

	if (asprintf(&path, "%s/manifest.tsv", s->dir) < 0) {
		snprintf(err, VND_ERRBUF_SIZE, "out of memory");
		return -1;
	}
	if ((fp = fopen(path, "w")) == NULL) {
		snprintf(err, VND_ERRBUF_SIZE, "'%.100s': %s", path,
		    strerror(errno));
		free(path);
		return -1;
	}
	if (vnd_sink_tsv(&sink, fp, 1, err) < 0 || (t = vnd_sink_table(sink,
	    "manifest", man_cols, VND_NELEM(man_cols), err)) == NULL)
		goto out;
	for (i = 0; i < s->npts; i++) {
		const struct point *p = &s->pts[i];

		vnd_put_str(t, p->name);
		vnd_put_str(t, p->path);
		vnd_put_str(t, p->file);
		vnd_put_str(t, p->format);
		vnd_put_int(t, (int64_t)p->packets);
		vnd_put_int(t, p->flows);
		vnd_put_int(t, (int64_t)p->out_pkts);
		vnd_put_int(t, (int64_t)p->out_bytes);
		if (vnd_row_end(t, err) < 0)
			goto out;
	}
	ret = 0;
out:
	if (sink != NULL && vnd_sink_close(sink, ret == 0, err) < 0)
		ret = -1;
	if (fclose(fp) != 0 && ret == 0) {
		snprintf(err, VND_ERRBUF_SIZE, "'%.100s': write error", path);
		ret = -1;
	}
	free(path);
	return ret;
}
