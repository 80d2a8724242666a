/* vnd.h: what every vnd program shares: exit statuses, version, buffer sizes. */
#ifndef VND_H
#define VND_H

#include <stdint.h>

#define VND_VERSION	"0.1.0"

/* Exit statuses of every tool, documented in each man page's EXIT STATUS. */
#define VND_EXIT_OK	0	/* success */
#define VND_EXIT_FAIL	1	/* I/O, bad data, SQLite */
#define VND_EXIT_USAGE	2	/* bad command line */
#define VND_EXIT_FOUND	3	/* vnd-check: a threshold was crossed */

/* Time: every timestamp and duration is int64 nanoseconds. */
#define VND_NS_PER_US	INT64_C(1000)
#define VND_NS_PER_MS	INT64_C(1000000)
#define VND_NS_PER_SEC	INT64_C(1000000000)

/* How long a packet may take to cross a hop or an element, by default (-w). */
#define VND_WINDOW_NS	(2 * VND_NS_PER_SEC)

/* The number of elements of an array. */
#define VND_NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* Library functions that can fail take a buffer of this size for the reason. */
#define VND_ERRBUF_SIZE	256

/* SQLite artifacts: PRAGMA application_id ('vnd1') and user_version. */
#define VND_SQLITE_APPID	0x766e6431
#define VND_SQLITE_VERSION	1

#endif
