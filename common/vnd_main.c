/* vnd_main.c: every tool's main(), which runs the tool's vnd_tool (as git's common-main.c). */
#include "vnd_cli.h"

int
main(int argc, char **argv)
{
	return vnd_cli_main(&vnd_tool, argc, argv);
}
