/* vnd_meta.c: every artifact can be rebuilt from its inputs and the command that made it. */
#include "vnd.h"
#include "vnd_meta.h"

static const struct vnd_colspec cols[] = {
	{ "point", VND_TEXT }, { "file", VND_TEXT }, { "format", VND_TEXT },
	{ "packets", VND_INT }, { "offset_ns", VND_INT },
	{ "offset_how", VND_TEXT }, { "tool", VND_TEXT },
	{ "version", VND_TEXT }, { "command", VND_TEXT },
};

int
vnd_meta_write(struct vnd_sink *sink, const char *tool, const char *command,
    const struct vnd_meta_point *p, int n, char *errbuf)
{
	struct vnd_table *t;
	int i;

	if ((t = vnd_sink_table(sink, "meta", cols,
	    (int)(sizeof(cols) / sizeof(cols[0])), errbuf)) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		vnd_put_str(t, p[i].name);
		vnd_put_str(t, p[i].file);
		vnd_put_str(t, p[i].format);
		vnd_put_int(t, (int64_t)p[i].packets);
		vnd_put_int(t, p[i].offset_ns);
		vnd_put_str(t, p[i].offset_how);
		vnd_put_str(t, tool);
		vnd_put_str(t, VND_VERSION);
		vnd_put_str(t, command);
		if (vnd_row_end(t, errbuf) < 0)
			return -1;
	}
	return 0;
}
