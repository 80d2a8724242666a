/* input.c: libFuzzer harness over the whole input layer and decoder: bytes as a capture file. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "vnd.h"
#include "vnd_input.h"
#include "vnd_pkt.h"

/*
 * The input layer opens files by name (libwandio, libtrace), so each input
 * goes through a file in /dev/shm; the decoder runs on every frame read.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	char errbuf[VND_ERRBUF_SIZE];
	struct vnd_input *in;
	struct vnd_frame f;
	struct vnd_pkt pk;
	FILE *fp;
	int n = 0;

	if (path[0] == '\0')
		snprintf(path, sizeof(path), "/dev/shm/vnd-fuzz-%d", (int)getpid());
	if ((fp = fopen(path, "wb")) == NULL)
		return 0;
	fwrite(data, 1, size, fp);
	fclose(fp);
	if (vnd_input_open(&in, path, NULL, errbuf) == 0) {
		while (n++ < 100000 && vnd_input_next(in, &f, errbuf) == VND_IN_FRAME) {
			pk.frame = (uint64_t)n;
			pk.ts_ns = f.ts_ns;
			pk.wire_bytes = f.wirelen;
			pk.cap_bytes = f.caplen;
			vnd_decode(&pk, f.linktype, f.data, f.caplen);
		}
		vnd_input_close(in);
	}
	unlink(path);
	return 0;
}
