/* vnd_proc.c: tools that run the other vnd programs: where those are, what a failed one said. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vnd_proc.h"

void
vnd_proc_bindir(char *buf, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", buf, len - 1);
	char *sl;

	buf[n > 0 ? n : 0] = '\0';
	if ((sl = strrchr(buf, '/')) != NULL)
		*sl = '\0';
}

void
vnd_proc_last_line(const char *path, char *buf, size_t len)
{
	FILE *fp = fopen(path, "r");
	char line[512];

	buf[0] = '\0';
	while (fp != NULL && fgets(line, sizeof(line), fp) != NULL)
		if (line[0] != '\n')
			snprintf(buf, len, "%s", strtok(line, "\n"));
	if (fp != NULL)
		fclose(fp);
}
