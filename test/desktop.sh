#!/usr/bin/env bash
# test/desktop.sh — against a running server (PGHOST/PGPORT set, as an admin):
# runs the example agent desktop (examples/agent_desktop.py) as an agent's
# login role in a new database while this script plays the customer and the
# supervisor: one conversation is assigned by a supervisor, one is routed
# and offered.  The desktop must accept, show the customer's messages (read
# through row-level security), answer, end and close both, then log out.
# Prints "desktop: ok" or what went wrong; exit status 0 when ok.
set -u
cd "$(dirname "$0")/.."
# Debian's python3 with Debian's python3-psycopg2 (ensure_packages in test/cluster.sh)
PYTHON=${PYTHON:-/usr/bin/python3}
DB=omni_desktop
ROLE=omni_desktop_ann
out=$(mktemp -d)
psql() { PGOPTIONS="-c client_min_messages=warning" command psql -X -q -v ON_ERROR_STOP=1 "$@"; }
q() { psql -d $DB -At -c "$1"; }
fail() { echo "desktop: FAILED: $*"; echo "--- desktop output:"; cat "$out/desktop.log"; exit 1; }
# wait_for QUERY VALUE: poll (at most 30 s) until QUERY returns VALUE
wait_for() {
	local i
	for i in $(seq 150); do
		[ "$(q "$1")" = "$2" ] && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.2
	done
	fail "waited for [$1] = $2, got $(q "$1")"
}
cleanup() {
	[ -n "${pid:-}" ] && kill "$pid" 2>/dev/null
	psql -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "DROP ROLE IF EXISTS $ROLE" >/dev/null 2>&1
	rm -rf "$out"
}
trap cleanup EXIT

psql -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "DROP ROLE IF EXISTS $ROLE" >/dev/null || exit 1
psql -d postgres -c "CREATE DATABASE $DB" >/dev/null || exit 1
psql -d $DB >/dev/null <<SQL || exit 1
CREATE EXTENSION omnichannel;   -- creates the group roles if this is the cluster's first
SELECT omni.pause_workers();    -- the script routes (step 2); a router would offer c1 before step 1 assigns it
CREATE ROLE $ROLE LOGIN IN ROLE omnichannel_agent;
INSERT INTO omni.queue (name) VALUES ('support');
INSERT INTO omni.workstream (name, channel, default_queue) VALUES ('chat', 'chat', 'support');
INSERT INTO omni.agent (name, capacity_units, db_role) VALUES ('ann', 100, '$ROLE');
INSERT INTO omni.queue_member (queue, agent_id) VALUES ('support', 1);
SQL

"$PYTHON" examples/agent_desktop.py --dsn "dbname=$DB user=$ROLE" --conversations 2 --timeout 60 --resync 1 \
	>"$out/desktop.log" 2>&1 &
pid=$!
wait_for "SELECT logged_in FROM omni.agent_state WHERE agent_id = 1" t

# 1. A supervisor assigns a conversation: conversation_assigned.
#    Enqueued and assigned in one transaction: the worker (woken at commit) cannot offer it first.
c1=$(q "SELECT c.id FROM (SELECT omni.enqueue('chat', 'desktop-customer-1') AS id) c, LATERAL omni.assign(c.id, 1)")
q "SELECT omni.post_message($c1, 'customer', 'Hello, my parcel 4711 is late')" >/dev/null
wait_for "SELECT count(*) FROM omni.message WHERE conversation_id = $c1 AND sender = 'agent'" 1
q "SELECT omni.post_message($c1, 'customer', 'Thanks, bye')" >/dev/null
wait_for "SELECT state FROM omni.conversation WHERE id = $c1" closed

# 2. The router offers one: the desktop accepts it (on offer_made; its resync
#    finds the pending offer too, should the event come before it LISTENs).
c2=$(q "SELECT omni.enqueue('chat', 'desktop-customer-2')")
q "SELECT omni.route()" >/dev/null   # offers it (this database's workers are paused)
wait_for "SELECT state FROM omni.conversation WHERE id = $c2" active
q "SELECT omni.post_message($c2, 'customer', 'Can I change my address? bye')" >/dev/null
wait_for "SELECT state FROM omni.conversation WHERE id = $c2" closed

wait "$pid"; rc=$?; pid=
[ $rc -eq 0 ] || fail "desktop exited with $rc"
for line in "event conversation_assigned {\"agent_id\": 1, \"conversation_id\": $c1}" \
	"[conversation $c1] customer: Hello, my parcel 4711 is late" \
	"[conversation $c1] agent: Let me check that for you." \
	"[conversation $c1] closed" \
	"[conversation $c2] customer: Can I change my address? bye" \
	"[conversation $c2] closed" \
	"agent 1 logged out after 2 conversation(s)"; do
	grep -qF -- "$line" "$out/desktop.log" || fail "missing: $line"
done
[ "$(q "SELECT logged_in FROM omni.agent_state WHERE agent_id = 1")" = f ] || fail "still logged in"
echo "desktop: ok"
cat "$out/desktop.log"
