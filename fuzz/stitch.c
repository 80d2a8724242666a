/* stitch.c: libFuzzer harness over vnd-stitch's parsers (HTTP, AMQP, oslo JSON) and vnd_reasm. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "vnd_cols.h"
#include "vnd_reasm.h"
#include "vnd_table.h"
#include "../cmd/stitch/stitch.h"

/*
 * The first byte picks the target: HTTP or AMQP streams, or TCP segments
 * for vnd_reasm feeding the parser its first bytes choose, or (bit 2) the
 * JSON scanner against jansson. Then a script: each step a byte (bit 7
 * the direction, bit 6 a gap, the rest a length), then that many bytes of
 * stream. Every message found is stitched, transactions closed on a short
 * window as the script goes, and the tables written to /dev/null.
 */

static struct vs_ctx ctx;
static struct vnd_flowkey key;
static void *par[2];
static int proto;

static int
feed(int dir, const uint8_t *p, size_t n, int64_t ts)
{
	if (proto)
		return vs_amqp_feed(par[dir], p, n, ts);
	return vs_http_feed(par[dir], par[!dir], p, n, 1000, ts);
}

static int
on_bytes(void *arg, int dir, const uint8_t *p, size_t n, int64_t ts)
{
	(void)arg;
	return feed(dir, p, n, ts);
}

/* Segments of 6-byte headers (seq offset 16 bits, ack offset 16, flags, length) and data. */
static void
segments(const uint8_t *d, size_t n)
{
	struct vnd_reasm ra;
	struct vnd_pkt pk;
	size_t i = 0;
	int k;

	vnd_reasm_init(&ra, 4096, on_bytes, NULL);
	while (i + 6 <= n) {
		memset(&pk, 0, sizeof(pk));
		pk.seq = 0xfffff000u + (uint32_t)(d[i] << 8 | d[i + 1]);
		pk.ack = 0xfffff000u + (uint32_t)(d[i + 2] << 8 | d[i + 3]);
		pk.tcp_flags = d[i + 4] & (VND_TH_SYN | VND_TH_ACK | VND_TH_FIN | VND_TH_RST);
		pk.payload_bytes = d[i + 5];
		pk.ts_ns = (int64_t)i;
		i += 6;
		pk.payload_cap = (uint32_t)(n - i < pk.payload_bytes ? n - i : pk.payload_bytes);
		pk.payload = d + i;
		i += pk.payload_cap;
		if (vnd_reasm_add(&ra, d[i - 1 - pk.payload_cap] & 0x80 ? 1 : 0, &pk) < 0)
			break;
	}
	for (k = 0; k < 2; k++)
		vnd_reasm_end(&ra, k);
	vnd_reasm_free(&ra);
}

static void
script(const uint8_t *d, size_t n)
{
	size_t i = 0, len;

	while (i < n) {
		int dir = d[i] >> 7, gap = (d[i] >> 6) & 1;

		len = (size_t)(d[i] & 0x3f) * 8 + 1;
		i++;
		if (gap) {
			if (feed(dir, NULL, len, (int64_t)i) < 0)
				return;
			continue;
		}
		if (len > n - i)
			len = n - i;
		if (feed(dir, d + i, len, (int64_t)i) < 0)
			return;
		i += len;
		if (vs_flush(&ctx, (int64_t)i, INT64_MAX, 0) < 0)
			return;
	}
}

static FILE *out;
static struct vnd_sink *sink;

/* The tables of closed transactions go to /dev/null (a TSV sink holds one table). */
static void
tables_open(int which)
{
	char err[VND_ERRBUF_SIZE];

	if ((out = fopen("/dev/null", "w")) == NULL ||
	    vnd_sink_tsv(&sink, out, 1, err) < 0) {
		sink = NULL;
		return;
	}
	ctx.t[which] = which == 0 ? vnd_sink_table(sink, "messages",
	    VND_COLS(messages), err) : vnd_sink_table(sink, "faults",
	    VND_COLS(faults), err);
}

static void
tables_close(void)
{
	char err[VND_ERRBUF_SIZE];

	vs_flush(&ctx, 0, INT64_MAX, 1);
	if (sink != NULL)
		vnd_sink_close(sink, 1, err);
	if (out != NULL)
		fclose(out);
	sink = NULL;
	out = NULL;
}

/* The scanner's answer, when it has one, is jansson's. */
static void
json_same(const uint8_t *d, size_t n)
{
	static const char *const keys[] = { "a", "method", "oslo.message", "" };
	struct vs_jval v[4];
	json_t *o, *x;
	char buf[4096 + 16];
	size_t i, k;

	if (n > sizeof(buf) - 16 || vs_json_members((const char *)d, n, keys, 4, v) != 0)
		return;
	o = json_loadb((const char *)d, n, 0, NULL);
	if (o == NULL || !json_is_object(o))
		abort();
	for (i = 0; i < 4; i++) {
		x = json_object_get(o, keys[i]);
		if ((x == NULL) != (v[i].type == VS_JSON_ABSENT) ||
		    (json_is_string(x) != 0) != (v[i].type == VS_JSON_STRING))
			abort();
		if (!json_is_string(x))
			continue;
		k = vs_json_unescape(&v[i], buf);
		if (k != json_string_length(x) ||
		    memcmp(buf, json_string_value(x), k) != 0)
			abort();
	}
	json_decref(o);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vs_side sd = { &ctx, &key, 1, 0 };
	int k;

	if (size < 1)
		return 0;
	if (data[0] & 4) {
		json_same(data + 1, size - 1);
		return 0;
	}
	memset(&ctx, 0, sizeof(ctx));
	memset(&key, 0, sizeof(key));
	key.ver = 4;
	key.dport = 8080;
	ctx.window = 64;	/* the script's clock: its bytes */
	proto = data[0] & 1;
	tables_open(data[0] & 8 ? 2 : 0);
	for (k = 0; k < 2; k++) {
		sd.dir = k;
		par[k] = proto ? (void *)vs_amqp_new(&sd) : (void *)vs_http_new(&sd);
	}
	if (data[0] & 2)
		segments(data + 1, size - 1);
	else
		script(data + 1, size - 1);
	for (k = 0; k < 2; k++)
		if (!proto)
			vs_http_feed(par[k], par[!k], NULL, 0, 0, 0);
	tables_close();
	for (k = 0; k < 2; k++)
		proto ? vs_amqp_free(par[k]) : vs_http_free(par[k]);
	vs_ctx_free(&ctx);
	vs_oslo_free();
	return 0;
}
