/* monitor.c: MOZART's monitors simulated on the recordings. */
#include "vnd_cli.h"
#include "select.h"

const struct vnd_colspec mon_cols[] = {
	{ "point", VND_TEXT },
};
const int nmon_cols = VND_NELEM(mon_cols);

int
monitor(struct sel *s, struct vnd_table *t, char *err)
{
	(void)s;
	(void)t;
	(void)err;
	return VND_RUN_OK;
}
