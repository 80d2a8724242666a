/* vnd_src.h: the bytes of a file or of standard input, with gzip, bzip2, xz or zstd undone. */
#ifndef VND_SRC_H
#define VND_SRC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct vnd_src;

/* Open path ("-" is standard input). Compression is recognised by content. */
int	 vnd_src_open(struct vnd_src **, const char *path, char *errbuf);

/* Read up to len bytes; returns the count, 0 at the end, -1 on error. */
ssize_t	 vnd_src_read(struct vnd_src *, void *buf, size_t len, char *errbuf);

/* "gzip", "bzip2", "xz", "zstd", "lzo", or "" for none. */
const char *vnd_src_compression(const struct vnd_src *);

/* A plain (uncompressed) regular file: its size in bytes; -1 for others. */
int64_t	 vnd_src_size(const struct vnd_src *);

/* Of such a file: its descriptor (to map it); -1 for others. */
int	 vnd_src_fd(const struct vnd_src *);

/* Of such a file: read on from byte off. */
int	 vnd_src_seek(struct vnd_src *, uint64_t off, char *errbuf);

void	 vnd_src_close(struct vnd_src *);

#endif
