/* append.h: what a database vnd-parse --append adds to already holds. */
#ifndef APPEND_H
#define APPEND_H

#include <stddef.h>
#include <stdint.h>

/*
 * Was a file of this size and SHA-256 loaded already? 1 with the name it
 * was loaded as in file, 0 if not (or the database has no meta table yet),
 * -1 with errbuf.
 */
int	 append_loaded(void *db, uint64_t bytes, const char *sha256, char *file,
	    size_t len, char *errbuf);

/* The last frame number the point's rows have (0: none), -1 with errbuf. */
int64_t	 append_last_frame(void *db, const char *point, char *errbuf);

#endif
