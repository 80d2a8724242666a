#!/bin/sh
# check-options.sh BIN: check that every long option BIN --help prints is
# offered by the bash and zsh completions of BIN (completions/bash/NAME and
# completions/zsh/_NAME, next to this script); print the missing ones.
# Exit status: 0 all present, 1 some missing, 2 usage or BIN unusable.

set -u

if [ $# -ne 1 ]; then
	echo "usage: check-options.sh BIN" >&2
	exit 2
fi
bin=$1
name=${bin##*/}
dir=$(cd "$(dirname "$0")" && pwd) || exit 2
bash_file=$dir/bash/$name
zsh_file=$dir/zsh/_$name

if ! help=$("$bin" --help 2>&1); then
	echo "check-options.sh: '$bin --help' failed" >&2
	exit 2
fi
opts=$(printf '%s\n' "$help" | grep -oE -- '--[a-z0-9][a-z0-9-]*' | sort -u)
if [ -z "$opts" ]; then
	echo "check-options.sh: '$bin --help' shows no long option" >&2
	exit 2
fi

status=0
for f in "$bash_file" "$zsh_file"; do
	if [ ! -r "$f" ]; then
		echo "$name: no completion file $f"
		status=1
		continue
	fi
	for o in $opts; do
		# the option as a whole word: not a prefix of a longer one
		if ! grep -qE -- "(^|[^a-z0-9-])$o([^a-z0-9-]|\$)" "$f"; then
			echo "$name: $o missing from $f"
			status=1
		fi
	done
done
exit $status
