#!/usr/bin/env bats
# The history reads as a changelog: subjects of at most 72 characters (git's own rule).
bats_require_minimum_version 1.5.0
load helpers

# The first commit that follows the rule; the ones before it are history.
RULE_FROM=eee1732

@test "history: every commit subject since the rule is at most 72 characters" {
	git -C "$TOP" rev-parse --git-dir >/dev/null 2>&1 || skip "not a git checkout"
	git -C "$TOP" cat-file -e "$RULE_FROM^{commit}" 2>/dev/null || skip "shallow clone"
	git -C "$TOP" log --format=%s "$RULE_FROM^..HEAD" >"$BATS_TEST_TMPDIR/subjects"
	awk 'length($0) > 72 { print; n++ } END { exit n > 0 }' "$BATS_TEST_TMPDIR/subjects"
}

@test "history: a subject is followed by a blank line before its body" {
	git -C "$TOP" rev-parse --git-dir >/dev/null 2>&1 || skip "not a git checkout"
	git -C "$TOP" cat-file -e "$RULE_FROM^{commit}" 2>/dev/null || skip "shallow clone"
	git -C "$TOP" log --format='%H' "$RULE_FROM^..HEAD" >"$BATS_TEST_TMPDIR/commits"
	while read -r c; do
		second=$(git -C "$TOP" cat-file commit "$c" | sed '1,/^$/d' | sed -n 2p)
		[ -z "$second" ]
	done <"$BATS_TEST_TMPDIR/commits"
}
