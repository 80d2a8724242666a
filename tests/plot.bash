# plot.bash: what the picture tests share (vnd-plot's and vnd-report's): the path's
# points, checking an SVG and a page as a person would look at them.

PATHPTS="client r1in r1out r2in r2out server"
# Rendered pictures stay here for a reviewer (not committed: tests/shots/.gitignore).
SHOTS="${VND_SHOTS:-$TOP/tests/shots}"

setup() {
	need_cmd gnuplot
	need_cmd xmllint
}

# png_ok PNG W H MIN: the picture is W x H and has more than MIN colours
# (a blank one has one)
png_ok() {
	read -r w h colours < <(python3 "$TOP/tests/pngcheck.py" "$1")
	echo "$1: ${w}x$h, $colours colours"
	[ "$w" -eq "$2" ]
	[ "$h" -eq "$3" ]
	[ "$colours" -gt "$4" ]
}

# svg_ok FILE NAME [W H]: valid XML, rendered to $SHOTS/NAME.png at the
# size asked, not blank
svg_ok() {
	xmllint --noout "$1"
	need_cmd rsvg-convert
	mkdir -p "$SHOTS"
	rsvg-convert -o "$SHOTS/$2.png" "$1"
	png_ok "$SHOTS/$2.png" "${3:-1000}" "${4:-560}" 20
}

# marks PREFIX FILE [IDPREFIX]: the points drawn in the series whose key
# starts with PREFIX (gnuplot puts a series' key entry and its marks in one
# group; the key's own sample mark is one of them); IDPREFIX: the report's
# prefix of gnuplot's ids
marks() {
	local n
	n=$(xmllint --xpath "count(//*[local-name()='g'][starts-with(@id,'${3:-}gnuplot_plot_')][.//*[local-name()='text'][starts-with(normalize-space(.),'$1')]]//*[local-name()='use'])" "$2")
	echo $((n - 1))
}

# shot HTML NAME W H: a screenshot by headless Chromium into $SHOTS/NAME.png;
# the page rendered: the size asked, not blank, no console message
shot() {
	need_cmd chromium
	mkdir -p "$SHOTS"
	rm -f "$SHOTS/$2.png"
	timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
	    --enable-logging=stderr --v=0 --window-size="$3,$4" \
	    --screenshot="$SHOTS/$2.png" "file://$1" 2>"$BATS_TEST_TMPDIR/chromium.log" || true
	png_ok "$SHOTS/$2.png" "$3" "$4" 100
	run ! grep -E ':CONSOLE\(|Uncaught|Failed to load' "$BATS_TEST_TMPDIR/chromium.log"
}
