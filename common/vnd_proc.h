/* vnd_proc.h: tools that run the other vnd programs: where those are, what a failed one said. */
#ifndef VND_PROC_H
#define VND_PROC_H

#include <stddef.h>

/* The directory of the running program ("" if unknown): the other tools are beside it. */
void	 vnd_proc_bindir(char *buf, size_t len);

/* The last non-empty line of the file at path ("" if none), without its newline. */
void	 vnd_proc_last_line(const char *path, char *buf, size_t len);

#endif
