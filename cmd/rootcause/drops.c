/* drops.c: PerfSight's Algorithm 1: the elements that dropped packets, ranked, and the resource each drop points at. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vnd.h"
#include "vnd_grow.h"
#include "rootcause.h"

/*
 * From counter snapshots (<ts_ns, element, attr, value>, as vnd-capture
 * --counters writes them): the packets each element dropped over the
 * recording, sorted, and its Table 1 rule: where a packet is dropped says
 * which resource ran short. Loss spread over several VMs' TUN/TAP devices
 * is contention; at one VM's, that VM is the bottleneck.
 */

/* An element's drops: the first and last value of each drop counter. */
struct elem {
	char		 name[256];
	char		 attr[64];	/* the counter that dropped most */
	long long	 first, last, loss;
	int		 seen;
};

struct elems {
	struct elem	*e;
	size_t		 n, cap;
	long long	 vmmax;		/* the most a VM's device lost */
	int		 nvm;		/* VMs that lost a tenth of that or more */
};

static const char *const need[] = { "element", "attr", "value" };

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

/* The element and counter of a row, added when new; NULL: out of memory. */
static struct elem *
elem_of(struct elems *es, const char *name, const char *attr)
{
	struct elem *ne;
	char key[256];
	size_t j;

	snprintf(key, sizeof(key), "%.255s", name);
	for (j = 0; j < es->n; j++)
		if (strcmp(es->e[j].name, key) == 0 &&
		    strcmp(es->e[j].attr, attr) == 0)
			return &es->e[j];
	if ((ne = vnd_grow(es->e, &es->cap, es->n, sizeof(*ne), 16)) == NULL)
		return NULL;
	es->e = ne;
	ne = &es->e[es->n++];
	memset(ne, 0, sizeof(*ne));
	snprintf(ne->name, sizeof(ne->name), "%s", key);
	snprintf(ne->attr, sizeof(ne->attr), "%s", attr);
	return ne;
}

/* Every drop counter's loss over the snapshots; the VMs' worst. */
static int
collect(struct elems *es, const struct tsv *c)
{
	int ce = col(c, "element"), ca = col(c, "attr"), cv = col(c, "value");
	const char *kind;
	struct elem *e;
	size_t i, j;

	for (i = 0; i < c->n; i++) {
		const char *el = get(&c->rows[i], ce), *at = get(&c->rows[i], ca);
		long long v;

		if (drop_rule(el, at, &kind) == NULL)
			continue;
		v = atoll(get(&c->rows[i], cv));
		if ((e = elem_of(es, el, at)) == NULL)
			return -1;
		if (e->seen++ == 0)
			e->first = v;
		e->last = v;
	}
	/* one snapshot: counters read once, since the element began */
	for (j = 0; j < es->n; j++) {
		e = &es->e[j];
		e->loss = e->seen > 1 ? e->last - e->first : e->last;
		if (is_vm(e) && e->loss > es->vmmax)
			es->vmmax = e->loss;
	}
	/*
	 * Contention is loss spread over several VMs: those that lost at least
	 * a tenth of what the worst one lost. An idle VM's stray drop (a
	 * router solicitation nobody read) does not make the worst one's loss
	 * a contention.
	 */
	for (j = 0; j < es->n; j++)
		if (is_vm(&es->e[j]) && es->e[j].loss > 0 &&
		    es->e[j].loss * 10 >= es->vmmax)
			es->nvm++;
	return 0;
}

/* Algorithm 1: sorted by loss, the most first. */
static void
sort_loss(struct elems *es)
{
	size_t i, j;

	for (i = 0; i < es->n; i++)
		for (j = i + 1; j < es->n; j++)
			if (es->e[j].loss > es->e[i].loss) {
				struct elem x = es->e[i];

				es->e[i] = es->e[j];
				es->e[j] = x;
			}
}

static int
put_elem(struct causes *out, const struct elems *es, const struct elem *e)
{
	char ev[512], sent[768];
	const char *kind, *res = drop_rule(e->name, e->attr, &kind);
	const char *s = e->loss == 1 ? "" : "s";

	if (is_vm(e) && es->nvm > 1 && e->loss * 10 >= es->vmmax) {
		res = "CPU or memory bandwidth (contention among VMs)";
		kind = "contention";
	}
	snprintf(ev, sizeof(ev), "%s %s: %lld packet%s dropped over %d "
	    "snapshot%s", e->name, e->attr, e->loss, s, e->seen,
	    e->seen == 1 ? "" : "s");
	snprintf(sent, sizeof(sent), "%s dropped %lld packet%s: %s", e->name,
	    e->loss, s, res);
	return cause_row(out, e->name, "drops", res, kind, e->loss, ev, sent);
}

int
drops_check(const struct tsv *c, char *errbuf)
{
	return tsv_need(c, need, VND_NELEM(need), NULL, errbuf);
}

int
drops(struct causes *out, const struct tsv *c)
{
	struct elems es;
	size_t i;
	int r = -1;

	memset(&es, 0, sizeof(es));
	if (collect(&es, c) < 0) {
		snprintf(out->err, VND_ERRBUF_SIZE, "out of memory");
		goto out;
	}
	sort_loss(&es);
	for (i = 0; i < es.n; i++)
		if (es.e[i].loss > 0 && put_elem(out, &es, &es.e[i]) < 0)
			goto out;
	r = 0;
out:
	free(es.e);
	return r;
}
