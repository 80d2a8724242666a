# vnd_cols.awk: vnd-tables(5), the tables' contract, into common/vnd_cols.h: each table's columns as C.
#
# A table is an ".Sh NAME TABLE" section (vnd_cols_name, lower case, '_'
# for a space); its columns, in order, its ".It Va name Pq TYPE" lines. A
# section with another kind of ".It Va" line (names listed together, a
# counter's attributes) gets no array rather than a wrong one; so does
# what follows an ".Ss" inside a section.

function flush(	i) {
	if (name != "" && n > 0 && !odd) {
		printf "\nstatic const struct vnd_colspec vnd_cols_%s[] = {\n", name
		for (i = 0; i < n; i++)
			printf "\t{ \"%s\", %s },\n", col[i], type[i]
		print "};"
	}
	name = ""
	n = odd = 0
}

BEGIN {
	t["INTEGER"] = "VND_INT"; t["REAL"] = "VND_REAL"; t["TEXT"] = "VND_TEXT"
	print "/* vnd_cols.h: made by common/vnd_cols.awk of man/vnd-tables.5; edit those. */"
	print "#ifndef VND_COLS_H"
	print "#define VND_COLS_H"
	print ""
	print "#include \"vnd_table.h\""
	print ""
	print "/* Table t's columns and their number, as vnd_cli_table() takes them. */"
	print "#define VND_COLS(t)\tvnd_cols_##t, \\"
	print "\t    (int)(sizeof(vnd_cols_##t) / sizeof(vnd_cols_##t[0]))"
}

/^\.S[hs] / {
	flush()
}

/^\.Sh .* TABLE$/ {
	name = tolower(substr($0, 5, length($0) - 10))
	gsub(/[ -]/, "_", name)
}

/^\.It Va / && name != "" {
	if ($0 ~ /^\.It Va [a-z_0-9]+ Pq (INTEGER|REAL|TEXT)([ ,]|$)/) {
		col[n] = $3
		type[n++] = t[$5 ~ /,$/ ? substr($5, 1, length($5) - 1) : $5]
	} else
		odd = 1
}

END {
	flush()
	print ""
	print "#endif"
}
