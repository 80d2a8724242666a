/* input.c: libFuzzer harness over the input layer, the decoder and the table reader: bytes as a file. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "vnd.h"
#include "vnd_input.h"
#include "vnd_pkt.h"
#include "vnd_pktsrc.h"

/*
 * The input layer opens files by name (libwandio, libtrace), so each input
 * goes through a file in /dev/shm; the decoder runs on every frame read.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	char errbuf[VND_ERRBUF_SIZE];
	struct vnd_pktsrc src;
	struct vnd_pkt pk;
	FILE *fp;
	int n = 0;

	if (path[0] == '\0')
		snprintf(path, sizeof(path), "/dev/shm/vnd-fuzz-%d", (int)getpid());
	if ((fp = fopen(path, "wb")) == NULL)
		return 0;
	fwrite(data, 1, size, fp);
	fclose(fp);
	/* a capture (decoded frame by frame) or a packets table (parsed row by row) */
	if (vnd_pktsrc_open(&src, path, NULL, errbuf) == 0) {
		while (n++ < 100000 && vnd_pktsrc_next(&src, &pk))
			(void)vnd_pktsrc_point(&src);
		vnd_pktsrc_close(&src);
		vnd_pktsrc_free(&src);
	}
	unlink(path);
	return 0;
}
