/* decode.c: libFuzzer harness over the decoder: a link type, then one frame. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vnd_decode.h"

/* Link types worth reaching: the first input byte picks one. */
static const int linktypes[] = {
	0, 1, 9, 10, 12, 50, 51, 101, 104, 105, 108, 113, 123, 127, 192, 228,
	229, 239, 258, 276,
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vnd_pkt pk;
	uint8_t *copy;

	if (size < 1)
		return 0;
	memset(&pk, 0, sizeof(pk));
	pk.wire_bytes = pk.cap_bytes = (uint32_t)(size - 1);
	/* an exact-size copy, so ASan sees any read past the frame */
	if ((copy = malloc(size - 1 ? size - 1 : 1)) == NULL)
		return 0;
	memcpy(copy, data + 1, size - 1);
	vnd_decode(&pk, linktypes[data[0] % (sizeof(linktypes) / sizeof(linktypes[0]))],
	    copy, (uint32_t)(size - 1));
	/* a cut frame too: the snap-length paths */
	pk.wire_bytes += 100;
	vnd_decode(&pk, linktypes[data[0] % (sizeof(linktypes) / sizeof(linktypes[0]))],
	    copy, (uint32_t)(size - 1));
	free(copy);
	return 0;
}
