#!/usr/bin/env bash
# test/upgrade/check.sh — against a running server (PGHOST/PGPORT set):
# installs the previous release, updates it to the current version and
# compares every extension object with a fresh install of the current version.
# Prints "upgrade: same objects" or the differing lines; exit status 0 if same.
set -u
cd "$(dirname "$0")/../.."
FROM=${1:-0.1.0}
psql() { PGOPTIONS="-c client_min_messages=warning" command psql -X -q -v ON_ERROR_STOP=1 "$@"; }
for db in omni_up_fresh omni_up_old; do psql -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null; psql -d postgres -c "CREATE DATABASE $db" >/dev/null; done
psql -d omni_up_fresh -c "SET client_min_messages = warning; CREATE EXTENSION omnichannel" || exit 1
psql -d omni_up_old -c "SET client_min_messages = warning; CREATE EXTENSION omnichannel VERSION '$FROM'" || exit 1
psql -d omni_up_old -c "SET client_min_messages = warning; ALTER EXTENSION omnichannel UPDATE" || exit 1
out=$(mktemp -d)
psql -d omni_up_fresh -f test/upgrade/catalog.sql >"$out/fresh.txt"
psql -d omni_up_old -f test/upgrade/catalog.sql >"$out/upgraded.txt"
if diff -u "$out/fresh.txt" "$out/upgraded.txt" >"$out/diff.txt"; then
	echo "upgrade: same objects ($(wc -l <"$out/fresh.txt") lines)"; rc=0
else
	echo "upgrade: objects differ (- fresh, + upgraded from $FROM):"; cat "$out/diff.txt"; rc=1
fi
for db in omni_up_fresh omni_up_old; do psql -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null; done
rm -rf "$out"
exit $rc
