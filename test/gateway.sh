#!/usr/bin/env bash
# test/gateway.sh — against a running server (PGHOST/PGPORT set, as an admin):
# runs the example desktop gateway (examples/desktop_gateway.py) as a role
# with no privilege in a new database, connects two fake desktops to it (one
# per agent) and checks that each gets its own agent's notifications and no
# other's, that the gateway survives the loss of its database connection
# (the desktops are told to resync, later events still arrive) and that it
# refuses a desktop that does not name its agent.
# Prints "gateway: ok" or what went wrong; exit status 0 when ok.
set -u
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-/usr/bin/python3}
DB=omni_gateway
ROLE=omni_gateway_role
out=$(mktemp -d)
chmod 755 "$out"
psql() { PGOPTIONS="-c client_min_messages=warning" command psql -X -q -v ON_ERROR_STOP=1 "$@"; }
q() { psql -d $DB -At -c "$1"; }
fail() {
	echo "gateway: FAILED: $*"
	for f in gateway desktop1 desktop2 stranger; do echo "--- $f:"; cat "$out/$f.log" 2>/dev/null; done
	exit 1
}
# wait_for FILE TEXT: wait (at most 30 s) until FILE has a line with TEXT
wait_for() {
	local i
	for i in $(seq 150); do
		grep -qF -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.2
	done
	fail "waited for [$2] in $(basename "$1")"
}
cleanup() {
	for p in ${pids:-}; do kill "$p" 2>/dev/null; done
	psql -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "DROP ROLE IF EXISTS $ROLE" >/dev/null 2>&1
	rm -rf "$out"
}
trap cleanup EXIT

psql -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "DROP ROLE IF EXISTS $ROLE" >/dev/null || exit 1
psql -d postgres -c "CREATE DATABASE $DB" -c "CREATE ROLE $ROLE LOGIN" >/dev/null || exit 1
psql -d $DB >/dev/null <<SQL || exit 1
CREATE EXTENSION omnichannel;
SELECT omni.pause_workers();    -- the script routes itself
INSERT INTO omni.queue (name) VALUES ('support');
INSERT INTO omni.workstream (name, channel, default_queue) VALUES ('chat', 'chat', 'support');
INSERT INTO omni.agent (name, capacity_units) VALUES ('ann', 100), ('bob', 100);
INSERT INTO omni.queue_member (queue, agent_id) VALUES ('support', 1);
SELECT omni.login(1), omni.login(2);
SQL

# desktop NAME LINE: a fake desktop that sends LINE and writes what it gets to NAME.log
desktop() {
	"$PYTHON" -u - "$port" "$2" >"$out/$1.log" 2>&1 <<'PY' &
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(sys.argv[2].encode() + b"\n")
f = s.makefile("rb")
for line in f:
    print(line.decode().rstrip("\n"))
print("closed")
PY
	pids="$pids $!"
}

pids=
"$PYTHON" -u examples/desktop_gateway.py --dsn "dbname=$DB user=$ROLE host=$PGHOST port=$PGPORT" --port 0 \
	>"$out/gateway.log" 2>&1 &
pids="$!"
wait_for "$out/gateway.log" "gateway on"
port=$(sed -n 's/^gateway on 127.0.0.1:\([0-9]*\)$/\1/p' "$out/gateway.log")
[ -n "$port" ] || fail "no port"

desktop desktop1 '{"agent_id": 1}'
desktop desktop2 '{"agent_id": 2}'
desktop stranger 'hello'
wait_for "$out/desktop1.log" '{"kind": "subscribed", "agent_id": 1}'
wait_for "$out/desktop2.log" '{"kind": "subscribed", "agent_id": 2}'
wait_for "$out/stranger.log" '"kind": "error"'
wait_for "$out/stranger.log" 'closed'

# 1. A supervisor assigns a conversation to agent 1; the router offers it another.
c1=$(q "SELECT c.id FROM (SELECT omni.enqueue('chat', 'gw-customer-1') AS id) c, LATERAL omni.assign(c.id, 1)")
c2=$(q "SELECT omni.enqueue('chat', 'gw-customer-2')")
q "SELECT omni.route()" >/dev/null
o2=$(q "SELECT id FROM omni.offer WHERE conversation_id = $c2")
wait_for "$out/desktop1.log" "{\"kind\": \"conversation_assigned\", \"agent_id\": 1, \"conversation_id\": $c1}"
wait_for "$out/desktop1.log" "{\"kind\": \"offer_made\", \"agent_id\": 1, \"offer_id\": $o2, \"conversation_id\": $c2}"

# 2. The gateway loses its database connection: it reconnects, LISTENs again
#    and tells its desktops to read their state; later events still arrive.
q "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'omni_desktop_gateway'" >/dev/null
wait_for "$out/desktop1.log" '{"kind": "resync"}'
wait_for "$out/desktop2.log" '{"kind": "resync"}'
c3=$(q "SELECT c.id FROM (SELECT omni.enqueue('chat', 'gw-customer-3') AS id) c, LATERAL omni.assign(c.id, 2)")
wait_for "$out/desktop2.log" "{\"kind\": \"conversation_assigned\", \"agent_id\": 2, \"conversation_id\": $c3}"

# 3. Each desktop got its own agent's events only.
grep -q '"agent_id": 2' "$out/desktop1.log" && fail "desktop 1 got agent 2's events"
grep -q '"agent_id": 1' "$out/desktop2.log" && fail "desktop 2 got agent 1's events"
grep -q '"conversation_id"' "$out/stranger.log" && fail "a desktop that named no agent got events"
[ "$(grep -c '"kind": "conversation_assigned"' "$out/desktop1.log")" = 1 ] || fail "desktop 1: not exactly one assignment"
echo "gateway: ok"
cat "$out/desktop1.log" "$out/desktop2.log"
