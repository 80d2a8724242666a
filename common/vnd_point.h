/* vnd_point.h: capture points named on the command line: NAME=file, or after the file. */
#ifndef VND_POINT_H
#define VND_POINT_H

/* The point name of a file: its base name less capture and compression suffixes. */
char	*vnd_point_name(const char *path);

/*
 * A NAME=file operand, unless a file of that whole name exists: arg is cut
 * at the '=' in place. *name is NULL when the operand is a plain file.
 */
void	 vnd_point_split(char *arg, const char **name, const char **path);

/* Is a point name usable (non-empty, no control characters)? */
int	 vnd_point_valid(const char *name);

/* The command line, quoted for a shell, for an artifact's meta table. */
char	*vnd_command_line(int argc, char **argv);

#endif
