#!/usr/bin/env bash
# test/tap/run.sh — the TAP tests (test/tap/t/*.pl) with PostgreSQL's own
# PostgreSQL::Test::Cluster (from postgresql-server-dev-15), e.g. standby and
# failover.  Uses the server of $PG_CONFIG (binaries through PATH, as the
# framework expects) and ports OMNI_TAP_PORT .. +5 (unset: free ones the
# framework picks).  The
# server refuses to run as root: as root the tests run as the postgres user in
# a temp dir it owns.  Output: prove's, ending "Result: PASS" or "FAIL".
set -euo pipefail
cd "$(dirname "$0")/../.."
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
bindir=$("$PG_CONFIG" --bindir)
perl_lib=$(dirname "$(dirname "$("$PG_CONFIG" --pgxs)")")/test/perl
[ -f "$perl_lib/PostgreSQL/Test/Cluster.pm" ] || { echo "no PostgreSQL::Test::Cluster in $perl_lib"; exit 1; }
work=$(mktemp -d /tmp/omni-tap.XXXXXX)
trap 'rm -rf "$work"' EXIT
cp -r test/tap/t "$work/t"
cp -r test/tap/lib "$work/lib"
run=()
if [ "$(id -u)" = 0 ]; then
	chown -R postgres:postgres "$work"
	run=(runuser -u postgres --)
fi
cd "$work"
"${run[@]}" env PATH="$bindir:$PATH" PERL5LIB="$work/lib:$perl_lib" TESTDIR="$work" PG_REGRESS="$(dirname "$perl_lib")/regress/pg_regress" \
	OMNI_TAP_PORT="${OMNI_TAP_PORT:-}" prove ${PROVE_FLAGS:-} t/*.pl || {
	rc=$?
	for f in "$work"/tmp_check/log/*; do echo "==== $f"; tail -40 "$f"; done
	exit $rc
}
