#!/usr/bin/env bash
# test/backup/check.sh — against a running server (PGHOST/PGPORT set, the
# library installed): builds a working contact center (scenario.sql), dumps it
# with pg_dump -Fc, restores it into a new database (pg_restore must exit 0)
# and compares every table and sequence of the extension (tables.sql: a table
# pg_dump does not save is a failure); then the same work goes on in both
# (continue.sql: routing, ticks, KPI refresh) and they must still be equal.
# Prints "backup: same data" or the differences; exit status 0 if same.
set -u
cd "$(dirname "$0")/../.."
BIN=$("${PG_CONFIG:-pg_config}" --bindir)
psql() { PGOPTIONS="-c client_min_messages=warning" command psql -X -q -v ON_ERROR_STOP=1 "$@"; }
SRC=omni_bk_src DST=omni_bk_restored
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for db in $SRC $DST; do psql -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null; done
psql -d postgres -c "CREATE DATABASE $SRC" >/dev/null || exit 1
# the scenarios call omni.route()/tick() themselves: the workers stay out of these databases
psql -d $SRC -f test/pause_workers.sql >/dev/null || exit 1
psql -d $SRC -c "CREATE EXTENSION omnichannel" >/dev/null || exit 1
psql -d $SRC -f test/backup/scenario.sql >"$out/scenario.out" 2>&1 || { echo "backup: scenario failed"; cat "$out/scenario.out"; exit 1; }
"$BIN/pg_dump" -Fc -d $SRC -f "$out/db.dump" || { echo "backup: pg_dump failed"; exit 1; }
psql -d postgres -c "CREATE DATABASE $DST" >/dev/null || exit 1
psql -d $DST -f test/pause_workers.sql >/dev/null || exit 1
"$BIN/pg_restore" -d $DST "$out/db.dump" 2>"$out/restore.err"; rc=$?
if [ $rc -ne 0 ] || [ -s "$out/restore.err" ]; then
	echo "backup: pg_restore exited $rc"; cat "$out/restore.err"; exit 1
fi
fail=0
compare() { # compare STEP
	psql -d $SRC -f test/backup/tables.sql >"$out/src.txt" && psql -d $DST -f test/backup/tables.sql >"$out/dst.txt" || { fail=1; return; }
	if grep -q '^NOT DUMPED' "$out/src.txt"; then
		echo "backup ($1): tables or sequences pg_dump does not save:"; grep '^NOT DUMPED' "$out/src.txt"; fail=1
	fi
	if ! diff -u "$out/src.txt" "$out/dst.txt"; then echo "backup ($1): data differ (- original, + restored)"; fail=1; fi
	echo "backup ($1): $(grep -c '^table' "$out/src.txt") tables, $(grep -c '^seq' "$out/src.txt") sequences compared"
}
compare restored
# Work goes on: the same calls in both must give the same answers and rows.
psql -d $SRC -f test/backup/continue.sql >"$out/src.cont" 2>&1 || fail=1
psql -d $DST -f test/backup/continue.sql >"$out/dst.cont" 2>&1 || fail=1
grep -q 'invariant_violations' "$out/dst.cont" || { cat "$out/dst.cont"; fail=1; }
diff -u "$out/src.cont" "$out/dst.cont" || { echo "backup (continued): answers differ"; fail=1; }
compare continued
for db in $SRC $DST; do psql -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null; done
[ $fail -eq 0 ] && echo "backup: same data" || echo "backup: FAILED"
exit $fail
