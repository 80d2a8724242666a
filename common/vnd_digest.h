/* vnd_digest.h: a file's size and SHA-256, how vnd-parse --append knows a capture it loaded. */
#ifndef VND_DIGEST_H
#define VND_DIGEST_H

#include <stdint.h>

/* Hex SHA-256 with its NUL. */
#define VND_SHA256_HEX	65

/*
 * The size in bytes and the SHA-256 (lowercase hex, as sha256sum(1) prints
 * it) of the file at path, read as it is on disk (a compressed capture's
 * compressed bytes). 0, or -1 with errbuf.
 */
int	 vnd_digest_file(const char *path, uint64_t *bytes,
	    char hex[VND_SHA256_HEX], char *errbuf);

#endif
