/* vnd_event.c: the events flows are selected by, one definition each. */
#include <stdlib.h>
#include <string.h>

#include "vnd_event.h"

static const char *const names[VND_E_N] = {
	"loss", "reset", "zero-window", "slow", "elephant", "scan", "unanswered",
};

/* vnd_tcpconn's event kinds and the events they show */
static const struct {
	const char	*kind;
	int		 e;
} tcp_kinds[] = {
	{ "retx_fast", VND_E_LOSS }, { "retx_timeout", VND_E_LOSS },
	{ "retx_lost_upstream", VND_E_LOSS }, { "rst", VND_E_RESET },
	{ "zero_window", VND_E_ZERO_WINDOW },
};

const char *
vnd_event_name(int e)
{
	return e >= 0 && e < VND_E_N ? names[e] : "-";
}

int
vnd_event_lookup(const char *name)
{
	int e;

	for (e = 0; e < VND_E_N; e++)
		if (strcmp(name, names[e]) == 0)
			return e;
	return -1;
}

int
vnd_event_of_tcp(const char *kind)
{
	size_t i;

	for (i = 0; i < VND_NELEM(tcp_kinds); i++)
		if (strcmp(kind, tcp_kinds[i].kind) == 0)
			return tcp_kinds[i].e;
	return -1;
}

uint64_t
vnd_event_bytes(const struct vnd_tcpconn *c)
{
	return c->d[0].bytes + c->d[1].bytes;
}

int
vnd_event_unanswered(const struct vnd_tcpconn *c)
{
	return c->syn && !c->synack;
}

int64_t
vnd_event_rtt(const struct vnd_tcpconn *c)
{
	return c->hs_rtt;
}

int
vnd_event_slow(const struct vnd_tcpconn *c, const struct vnd_event_conf *conf)
{
	return c->hs_rtt > conf->slow_ns;
}
