/* vnd.h: what every vnd program shares: exit statuses, version, buffer sizes. */
#ifndef VND_H
#define VND_H

#define VND_VERSION	"0.1.0"

/* Exit statuses of every tool, documented in each man page's EXIT STATUS. */
#define VND_EXIT_OK	0	/* success */
#define VND_EXIT_FAIL	1	/* I/O, bad data, SQLite */
#define VND_EXIT_USAGE	2	/* bad command line */

/* Library functions that can fail take a buffer of this size for the reason. */
#define VND_ERRBUF_SIZE	256

/* SQLite artifacts: PRAGMA application_id ('vnd1') and user_version. */
#define VND_SQLITE_APPID	0x766e6431
#define VND_SQLITE_VERSION	1

#endif
