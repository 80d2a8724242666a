/* config.c: libFuzzer harness over VND's two configurations: parse (vnd_conf) and collection (vnd-capture). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vnd.h"
#include "vnd_conf.h"
#include "../cmd/capture/collect.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char errbuf[VND_ERRBUF_SIZE], *text;
	struct vnd_conf *conf;
	struct coll c;

	if (size < 1 || (text = malloc(size)) == NULL)
		return 0;
	/* the first byte picks the configuration; the rest is its text */
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	if (data[0] & 1) {
		if (coll_parse(&c, text, errbuf) == 0)
			coll_free(&c);
	} else if (vnd_conf_parse(&conf, text, errbuf) == 0)
		vnd_conf_free(conf);
	free(text);
	return 0;
}
