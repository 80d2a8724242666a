/* optspec-check.c: what vnd_optspec reads off a help text, printed for tests/04-frame.bats. */
#include <stdio.h>
#include <stdlib.h>

#include "vnd.h"
#include "vnd_optspec.h"

/* usage: optspec-check HELPFILE LONGONLY SKIP */
int
main(int argc, char **argv)
{
	static char help[8192];
	struct vnd_optspec spec = { 0 };
	char errbuf[VND_ERRBUF_SIZE];
	size_t n;
	FILE *fp;
	int i;

	if (argc != 4 || (fp = fopen(argv[1], "r")) == NULL)
		return 2;
	n = fread(help, 1, sizeof(help) - 1, fp);
	help[n] = '\0';
	fclose(fp);
	if (vnd_optspec_read(&spec, help, argv[2], argv[3], errbuf) < 0) {
		printf("error: %s\n", errbuf);
		return 1;
	}
	printf("optstring %s\n", spec.so);
	for (i = 0; spec.lo[i].name != NULL; i++)
		printf("--%s %s -> %c\n", spec.lo[i].name,
		    spec.lo[i].has_arg ? "ARG" : "-", spec.lo[i].val);
	return 0;
}
