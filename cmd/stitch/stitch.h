/* stitch.h: vnd-stitch's parts: connections, the messages they carry, transactions. */
#ifndef STITCH_H
#define STITCH_H

#include <stddef.h>
#include <stdint.h>

#include "vnd.h"
#include "vnd_flowtab.h"
#include "vnd_reasm.h"
#include "vnd_table.h"

enum vs_proto { VS_NONE, VS_HTTP, VS_AMQP, VS_OTHER };
enum vs_kind { VS_REQUEST, VS_RESPONSE, VS_CALL, VS_CAST, VS_REPLY, VS_MESSAGE };

/* Text fields of a message, each NULL or owned by it. */
enum vs_field {
	VS_METHOD, VS_TARGET, VS_EXCHANGE, VS_AMQP_METHOD, VS_FAILURE,
	VS_REQ_ID, VS_GREQ_ID, VS_MSG_ID, VS_REPLY_Q, VS_UNIQUE_ID, VS_UUIDS,
	VS_AUTH, VS_NFIELDS
};

#define VS_MSG_TXT	384	/* bytes of fields kept in a message itself */

/*
 * One HTTP request or response, or one AMQP message (RPC call, cast,
 * reply). What stitching reads at every window comes first, in one cache
 * line or two: it walks every message held.
 */
struct vs_msg {
	size_t		 uf;		/* union-find parent (an index) */
	uint64_t	 id;		/* 1-based, in the order they ended */
	int64_t		 ts, end_ts;	/* first and last byte seen */
	uint64_t	 same;		/* hash of where it was sent: the same message
					   seen at two points */
	uint64_t	 answers;	/* the request or call answered, 0 */
	uint64_t	 reply;		/* the response or reply to it, 0 */
	int64_t		 reply_end;	/* a request's: its response's end_ts */
	uint64_t	 txn;
	const struct vs_msg *ask;	/* in a batch: the message answered, or NULL */
	int		 kind;		/* VS_x */
	int		 failed;	/* VS_FAIL_x */
	int		 status;	/* HTTP status, 0 */
	int		 proto;		/* VS_HTTP, VS_AMQP */
	uint64_t	 conn;		/* the connection's number */
	struct vnd_flowkey key;		/* the connection's, from its client (a
					   copy: the connection may be gone) */
	int		 dir;		/* 0: from the client */
	uint64_t	 body_bytes;
	uint64_t	 gap_bytes;	/* bytes of it never seen */
	char		*f[VS_NFIELDS];
	uint32_t	 flen[VS_NFIELDS];	/* their strlen() */
	unsigned	 heap;		/* bit f: f[f] is malloc'd, not in txt */
	size_t		 used;		/* bytes of txt taken */
	char		 txt[VS_MSG_TXT];	/* the fields, most often (last:
					   not cleared) */
};

enum { VS_OK, VS_FAIL_STATUS, VS_FAIL_RPC, VS_FAIL_NOREPLY };

/* Messages, by id. */
struct vs_msgs {
	struct vs_msg	**v;
	size_t		 n, cap;
};

/* What the parsers counted that they could not read. */
struct vs_errors {
	uint64_t	 http_errors;	/* HTTP that is not HTTP */
	const char	*http_last;	/* the last one's name */
	uint64_t	 amqp_errors;	/* bytes on an AMQP connection that are not frames */
	const char	*amqp_last;
	uint64_t	 json_errors;	/* AMQP bodies that are not oslo's JSON */
	uint64_t	 lost_msgs;	/* cut by a gap */
};

/* A transaction: the messages one operation sent, and how it ended. */
struct vs_txn {
	uint64_t	 id;		/* 1-based, by its first message's time */
	size_t		 root;		/* its first request's index */
	int64_t		 ts, end_ts;
	size_t		 nmsgs, first;	/* its messages: order[first..+nmsgs) */
	size_t		 fault;		/* the root-cause message's index, or SIZE_MAX */
};

struct vs_ids;

/* How many were held at once: what the run's memory follows. */
struct vs_held {
	size_t		 msgs, txns;	/* most at once */
	uint64_t	 batches;	/* written before the input's end */
};

/* The run's shared state the parsers write into. */
struct vs_ctx {
	struct vs_msgs	 msgs;		/* held, not written yet: by id */
	uint64_t	 last_id;	/* messages so far */
	/* the batch being written: whole transactions, by id */
	struct vs_msgs	 batch;
	struct vs_txn	*txns;
	size_t		 ntxn;
	size_t		*order;		/* batch indexes by transaction, then time */
	uint64_t	 txn_base;	/* transactions written before it */
	int64_t		 window;	/* -w: quiet this long, a transaction is
					   written (0: at the end) */
	int64_t		 reply_wait;	/* --reply-wait: as window, for one
					   with a request or call unanswered */
	struct vnd_table *t[3];		/* messages, transactions, faults, or NULL */
	int		 sink_failed;	/* a table could not be written */
	struct vs_held	 held;
	struct vs_ids	*ids;		/* txn.c's tables, kept between windows */
	struct vs_errors err;
	uint8_t		 key[16];	/* the secrets' hash key */
	char		 last_tok[256];	/* the last secret hashed (one user's token */
	size_t		 last_n;	/* in every message), and its hash */
	char		 last_h[16];
	int		 keep_secrets;	/* --no-hash: secrets in clear */
	char		 errbuf[VND_ERRBUF_SIZE];
};

/* One direction of a connection, as its parser knows it. */
struct vs_side {
	struct vs_ctx	*ctx;
	const struct vnd_flowkey *key;	/* the connection's */
	uint64_t	 conn;		/* its number */
	int		 dir;		/* 0: from its client */
};

/* A parser's state of size bytes, zeroed but for sd, its first member. */
void	*vs_side_new(size_t size, const struct vs_side *sd);

/* A message being put together (the caller's until done or dropped). */
struct vs_msg *vs_msg_new(const struct vs_side *, int proto, int kind,
	    int64_t ts);
/* Set field f to n bytes of s (copied); -1: no memory. */
int	 vs_msg_set(struct vs_msg *, int f, const char *s, size_t n);
/* Whole: it gets its id and joins the run's (-1: no memory, m freed). */
int	 vs_msg_done(struct vs_ctx *, struct vs_msg *m);
void	 vs_msg_free(struct vs_msg *);
/* The message numbered id among ms (sorted by id), NULL: not there. */
struct vs_msg *vs_msg_find(const struct vs_msgs *ms, uint64_t id);
/* The ids of ms, in an array (the caller's to free), and id's index in it. */
uint64_t *vs_msg_ids(const struct vs_msgs *ms);
size_t	 vs_id_index(const uint64_t *ids, size_t n, uint64_t id);
const char *vs_kind_name(int);
/* The secret s, as a short keyed hash "h:0123456789ab" into buf[16]. */
void	 vs_secret(struct vs_ctx *, const char *s, size_t n, char *buf);
/* The UUIDs in s (8-4-4-4-12 hex, not a request id's "req-"), added to m's, comma-separated. */
int	 vs_uuids(struct vs_msg *m, const char *s, size_t n);
/* m's fields, kind and failure copied from c. */
int	 vs_msg_copy(struct vs_msg *m, const struct vs_msg *c);
/* m's fields emptied. */
void	 vs_msg_clear(struct vs_msg *m);

/* siphash.c: SipHash-2-4 (Aumasson and Bernstein), a keyed hash. */
uint64_t vs_siphash(const uint8_t key[16], const uint8_t *p, size_t n);

/* http.c: one direction of an HTTP/1.x connection. */
struct vs_http;
struct vs_http *vs_http_new(const struct vs_side *);
/* Bytes (p NULL: a gap), with the sequence number of the first. */
int	 vs_http_feed(struct vs_http *, struct vs_http *peer, const uint8_t *p,
	    size_t n, uint32_t seq, int64_t ts);
void	 vs_http_free(struct vs_http *);
/* The first byte's time of the message being read, INT64_MAX: none. */
int64_t	 vs_http_reading(const struct vs_http *);
/* Does a stream that starts with p look like HTTP (a request or a response)? */
int	 vs_http_looks(const uint8_t *p, size_t n);

/* amqp.c: one direction of an AMQP 0-9-1 connection. */
struct vs_amqp;
struct vs_amqp *vs_amqp_new(const struct vs_side *);
int	 vs_amqp_feed(struct vs_amqp *, const uint8_t *p, size_t n, int64_t ts);
void	 vs_amqp_free(struct vs_amqp *);
int64_t	 vs_amqp_reading(const struct vs_amqp *);
int	 vs_amqp_looks(const uint8_t *p, size_t n);

/* oslo.c: an AMQP message's body, oslo.messaging's envelope, into m. */
int	 vs_oslo_body(struct vs_ctx *, struct vs_msg *m, const uint8_t *p,
	    size_t n);
/* The bodies remembered (a publish's, for its deliver), forgotten. */
void	 vs_oslo_free(void);

/* json.c: the top-level members keys[0..nk) of the JSON object p[0..n) into out[]. */
enum { VS_JSON_ABSENT, VS_JSON_STRING, VS_JSON_OTHER };
#define VS_JSON_UNSURE	1	/* not read: ask a full parser */
struct vs_jval {
	int		 type;		/* VS_JSON_x */
	int		 esc;		/* a string with escapes */
	const char	*p;		/* the value's text, a string's without quotes */
	size_t		 n;
};
int	 vs_json_members(const char *p, size_t n, const char *const *keys,
	    int nk, struct vs_jval *out);
/* A string's value into dst (at least v->n + 16 bytes); its length. */
size_t	 vs_json_unescape(const struct vs_jval *v, char *dst);

/*
 * txn.c: the messages held stitched into transactions; those closed (no
 * message for the window, none being read that began before them; all
 * at the end) written to ctx->t[] and freed. Now: the input's time; low:
 * the first byte of the oldest message still being read.
 */
int	 vs_flush(struct vs_ctx *, int64_t now, int64_t low, int end);
void	 vs_ctx_free(struct vs_ctx *);
/* out.c: the batch's rows */
int	 vs_put_messages(struct vs_ctx *, struct vnd_table *, char *errbuf);
int	 vs_put_transactions(struct vs_ctx *, struct vnd_table *, char *errbuf);
int	 vs_put_faults(struct vs_ctx *, struct vnd_table *, char *errbuf);

#endif
