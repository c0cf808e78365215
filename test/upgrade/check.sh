#!/usr/bin/env bash
# test/upgrade/check.sh — against a running server (PGHOST/PGPORT set):
#  1. installs the previous release (0.1.0 SQL) and runs a working contact
#     center on it with the current library (test/backup/scenario.sql: route,
#     offers, messages, tick, refresh_kpis): the library serves the old SQL;
#  2. saves every row and sequence (snapshot.sql), runs ALTER EXTENSION
#     UPDATE and checks every row and sequence survived (survived.sql);
#  3. work goes on in the updated database (after.sql);
#  4. compares every extension object with a fresh install of the current
#     version (catalog.sql).
# Prints "upgrade: same objects" or the differing lines; exit status 0 if all pass.
set -u
cd "$(dirname "$0")/../.."
FROM=${1:-0.1.0}
psql() { PGOPTIONS="-c client_min_messages=warning" command psql -X -q -v ON_ERROR_STOP=1 "$@"; }
for db in omni_up_fresh omni_up_old; do psql -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null; psql -d postgres -c "CREATE DATABASE $db" >/dev/null; done
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
rc=0
# the scenarios call omni.route()/tick() themselves: the workers stay out of these databases
for db in omni_up_fresh omni_up_old; do psql -d $db -f test/pause_workers.sql >/dev/null || exit 1; done
psql -d omni_up_fresh -c "SET client_min_messages = warning; CREATE EXTENSION omnichannel" || exit 1
psql -d omni_up_old -c "SET client_min_messages = warning; CREATE EXTENSION omnichannel VERSION '$FROM'" || exit 1
if psql -d omni_up_old -f test/backup/scenario.sql >"$out/scenario.out" 2>&1; then
	echo "upgrade: $FROM SQL with the current library: scenario ran (route, offers, messages, tick, refresh_kpis)"
else
	echo "upgrade: scenario failed on $FROM:"; cat "$out/scenario.out"; exit 1
fi
psql -d omni_up_old -f test/upgrade/snapshot.sql >/dev/null || exit 1
psql -d omni_up_old -c "SET client_min_messages = warning; ALTER EXTENSION omnichannel UPDATE" || exit 1
psql -d omni_up_old -f test/upgrade/survived.sql >"$out/survived.txt" || rc=1
cat "$out/survived.txt"
grep -q ', 0 problems$' "$out/survived.txt" || rc=1
psql -d omni_up_old -c 'DROP SCHEMA upgrade_before CASCADE' >/dev/null
if ! psql -d omni_up_old -f test/upgrade/after.sql >"$out/after.out" 2>&1; then
	echo "upgrade: work does not go on after the update:"; cat "$out/after.out"; rc=1
else
	tail -1 "$out/after.out"
fi
psql -d omni_up_fresh -f test/upgrade/catalog.sql >"$out/fresh.txt"
psql -d omni_up_old -f test/upgrade/catalog.sql >"$out/upgraded.txt"
if diff -u "$out/fresh.txt" "$out/upgraded.txt" >"$out/diff.txt"; then
	echo "upgrade: same objects ($(wc -l <"$out/fresh.txt") lines)"
else
	echo "upgrade: objects differ (- fresh, + upgraded from $FROM):"; cat "$out/diff.txt"; rc=1
fi
for db in omni_up_fresh omni_up_old; do psql -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null; done
exit $rc
