/* json.c: the few top-level members of a JSON object, read in one pass without building it. */
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "stitch.h"

/*
 * oslo.messaging's bodies are read for a handful of keys: building the
 * whole document as a tree (jansson) cost four fifths of vnd-stitch's time.
 * This scanner walks the text once (RFC 8259's grammar, every byte of it
 * checked) and notes where the members asked for lie. It answers only for
 * what it is sure jansson reads the same way: plain ASCII, no \u escape,
 * integers of at most 18 digits, no exponent, nesting at most VS_JSON_DEPTH.
 * Anything else, valid or not, is VS_JSON_UNSURE and the caller asks
 * jansson, which then decides (so the verdict on odd input is jansson's).
 * A key given twice: its last value counts, as in jansson.
 */

#define VS_JSON_DEPTH	32

struct scan {
	const unsigned char *p, *end;
	int		 depth;
};

/* Bytes that end a run of plain string bytes: '"', '\\', controls, non-ASCII. */
static unsigned char stop[256];
/* What an escape's letter stands for; 0: not an escape (or \u: unsure) */
static const char unesc[256] = {
	['"'] = '"', ['\\'] = '\\', ['/'] = '/', ['b'] = '\b', ['f'] = '\f',
	['n'] = '\n', ['r'] = '\r', ['t'] = '\t'
};

static void
stop_init(void)
{
	int c;

	if (stop['"'])
		return;
	for (c = 0; c < 256; c++)
		stop[c] = c < 0x20 || c >= 0x80 || c == '"' || c == '\\';
}

/* Past the plain bytes at p: 16 at a time where SSE2 is (every x86-64). */
static const unsigned char *
plain(const unsigned char *p, const unsigned char *end)
{
#ifdef __SSE2__
	const __m128i q = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\'),
	    ctl = _mm_set1_epi8(0x1f);
	__m128i x, m;
	int mask;

	for (; end - p >= 16; p += 16) {
		x = _mm_loadu_si128((const __m128i *)(const void *)p);
		/* '"', '\\', at most 0x1f (max(x, 0x1f) == 0x1f); the high bit */
		m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, q),
		    _mm_cmpeq_epi8(x, bs)), _mm_cmpeq_epi8(_mm_max_epu8(x, ctl),
		    ctl));
		if ((mask = _mm_movemask_epi8(m) | _mm_movemask_epi8(x)) != 0)
			return p + __builtin_ctz((unsigned)mask);
	}
#endif
	while (p < end && !stop[*p])
		p++;
	return p;
}

static void
ws(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\n' ||
	    *s->p == '\r' || *s->p == '\t'))
		s->p++;
}

/* A string at s->p ('"'): past its end quote; *esc set if it has escapes. */
static int
string(struct scan *s, int *esc)
{
	s->p++;
	*esc = 0;
	for (;;) {
		s->p = plain(s->p, s->end);
		if (s->p >= s->end)
			return -1;
		if (*s->p == '"') {
			s->p++;
			return 0;
		}
		if (*s->p != '\\' || s->p + 1 >= s->end || !unesc[s->p[1]])
			return -1;	/* a control, non-ASCII, \u or a bad escape */
		*esc = 1;
		s->p += 2;
	}
}

static int
digits(struct scan *s)
{
	const unsigned char *a = s->p;

	while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
		s->p++;
	return (int)(s->p - a);
}

/* An integer of at most 18 digits, or one with a fraction; no exponent. */
static int
number(struct scan *s)
{
	const unsigned char *a;
	int n;

	if (*s->p == '-')
		s->p++;
	a = s->p;
	if ((n = digits(s)) == 0 || n > 18 || (*a == '0' && n > 1))
		return -1;
	if (s->p < s->end && *s->p == '.') {
		s->p++;
		if (digits(s) == 0)
			return -1;
	}
	if (s->p < s->end && (*s->p == 'e' || *s->p == 'E'))
		return -1;
	return 0;
}

static int
literal(struct scan *s, const char *w, size_t n)
{
	if ((size_t)(s->end - s->p) < n || memcmp(s->p, w, n) != 0)
		return -1;
	s->p += n;
	return 0;
}

static int value(struct scan *, struct vs_jval *);

/* Into the container at s->p: 1 when it closes at once, 0 to read it, -1 too deep. */
static int
enter(struct scan *s, int close)
{
	if (++s->depth > VS_JSON_DEPTH)
		return -1;
	s->p++;
	ws(s);
	if (s->p < s->end && *s->p == close) {
		s->p++;
		s->depth--;
		return 1;
	}
	return 0;
}

/* After an element: 1 at the container's close, 0 after a comma, -1 else. */
static int
next(struct scan *s, int close)
{
	ws(s);
	if (s->p >= s->end)
		return -1;
	if (*s->p == close) {
		s->p++;
		s->depth--;
		return 1;
	}
	return *s->p++ == ',' ? 0 : -1;
}

static int
array(struct scan *s)
{
	int k;

	if ((k = enter(s, ']')) != 0)
		return k < 0 ? -1 : 0;
	do
		if (value(s, NULL) < 0)
			return -1;
	while ((k = next(s, ']')) == 0);
	return k < 0 ? -1 : 0;
}

static int object(struct scan *, const char *const *, int, struct vs_jval *);

/* A value at s->p (after white space), noted in v if v is not NULL. */
static int
value(struct scan *s, struct vs_jval *v)
{
	const unsigned char *a;
	int esc = 0, t = VS_JSON_OTHER, ret;

	ws(s);
	if (s->p >= s->end)
		return -1;
	a = s->p;
	switch (*s->p) {
	case '"':
		ret = string(s, &esc);
		t = VS_JSON_STRING;
		break;
	case '{':
		ret = object(s, NULL, 0, NULL);
		break;
	case '[':
		ret = array(s);
		break;
	case 't':
		ret = literal(s, "true", 4);
		break;
	case 'f':
		ret = literal(s, "false", 5);
		break;
	case 'n':
		ret = literal(s, "null", 4);
		break;
	default:
		ret = (*s->p == '-' || (*s->p >= '0' && *s->p <= '9')) ?
		    number(s) : -1;
	}
	if (ret == 0 && v != NULL)
		*v = (struct vs_jval){ t, esc, (const char *)a + (t ==
		    VS_JSON_STRING), (size_t)(s->p - a) - (t == VS_JSON_STRING ?
		    2 : 0) };
	return ret;
}

/* Which of keys[0..nk) is the string s->p[a..b) (unescaped: none)? */
static int
which(const char *const *keys, int nk, const unsigned char *a, size_t n,
    int esc)
{
	int i;

	for (i = 0; !esc && i < nk; i++)
		if (strlen(keys[i]) == n && memcmp(keys[i], a, n) == 0)
			return i;
	return -1;
}

/* A member "key": value, noted in out[] when its key is one of keys[]. */
static int
member(struct scan *s, const char *const *keys, int nk, struct vs_jval *out)
{
	const unsigned char *k;
	int esc, i;

	ws(s);
	if (s->p >= s->end || *s->p != '"')
		return -1;
	k = s->p + 1;
	if (string(s, &esc) < 0)
		return -1;
	i = which(keys, nk, k, (size_t)(s->p - 1 - k), esc);
	ws(s);
	if (s->p >= s->end || *s->p++ != ':')
		return -1;
	return value(s, i >= 0 ? &out[i] : NULL);
}

static int
object(struct scan *s, const char *const *keys, int nk, struct vs_jval *out)
{
	int k;

	if ((k = enter(s, '}')) != 0)
		return k < 0 ? -1 : 0;
	do
		if (member(s, keys, nk, out) < 0)
			return -1;
	while ((k = next(s, '}')) == 0);
	return k < 0 ? -1 : 0;
}

int
vs_json_members(const char *p, size_t n, const char *const *keys, int nk,
    struct vs_jval *out)
{
	struct scan s = { (const unsigned char *)p, (const unsigned char *)p + n,
	    0 };
	int i;

	stop_init();
	for (i = 0; i < nk; i++)
		out[i] = (struct vs_jval){ VS_JSON_ABSENT, 0, NULL, 0 };
	ws(&s);
	if (s.p >= s.end || *s.p != '{' || object(&s, keys, nk, out) < 0)
		return VS_JSON_UNSURE;
	ws(&s);
	return s.p == s.end ? 0 : VS_JSON_UNSURE;
}

size_t
vs_json_unescape(const struct vs_jval *v, char *dst)
{
	const char *p = v->p, *end = v->p + v->n, *e;
	char *d = dst;
#ifdef __SSE2__
	const __m128i bs = _mm_set1_epi8('\\');
	__m128i x;
	int mask;
#endif

	if (!v->esc) {
		memcpy(dst, p, v->n);
		return v->n;
	}
#ifdef __SSE2__
	/* 16 bytes at a time, stored whole (dst has 16 bytes to spare) */
	while (end - p >= 16) {
		x = _mm_loadu_si128((const __m128i *)(const void *)p);
		_mm_storeu_si128((__m128i *)(void *)d, x);
		if ((mask = _mm_movemask_epi8(_mm_cmpeq_epi8(x, bs))) == 0) {
			p += 16;
			d += 16;
			continue;
		}
		mask = __builtin_ctz((unsigned)mask);
		d += mask;
		*d++ = unesc[(unsigned char)p[mask + 1]];
		p += mask + 2;
	}
#endif
	while (p < end) {
		if ((e = memchr(p, '\\', (size_t)(end - p))) == NULL)
			e = end;
		memcpy(d, p, (size_t)(e - p));
		d += e - p;
		if (e == end)
			break;
		*d++ = unesc[(unsigned char)e[1]];
		p = e + 2;
	}
	return (size_t)(d - dst);
}
