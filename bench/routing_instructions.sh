#!/usr/bin/env bash
# bench/routing_instructions.sh — machine instructions per conversation of
# the whole loop (enqueue, omni.route() with one offer, accept, end, close)
# on the 1,000-agent set-up, counted by valgrind in a single-user backend.
# Unlike time, the count does not move with the machine's speed (this one
# drifts by +-15 % between runs), so changes of a few per cent show.
# Two runs, of N1 and N2 conversations, each on a copy of the same set-up:
# (count(N2) - count(N1)) / (N2 - N1) leaves out start-up and set-up.
# The calls run as the bootstrap superuser (no roles switched, no client
# protocol): the server's own work per conversation, not what a client
# adds.  omni.route() runs without its agent cache here (a single-user
# backend has no launcher, hence no shared ring of changed agents): it
# reads the queue's members at every cycle, as a server without
# shared_preload_libraries would; PROFILE prints its share apart.  Dead
# rows are never vacuumed, so the count drifts up slowly with N.
# Run as root from the repository:
#   bash bench/routing_instructions.sh   (N1=50 N2=250 NO_BUILD=1;
#       PROFILE=n: the n functions with the most instructions, inclusive,
#       from callgrind over the N2 run (PROFILE_OUT=file keeps its output
#       for callgrind_annotate); MESSAGES=k: k customer messages, each
#       answered by the agent, between the accept and the end; STALE=1:
#       statistics of the empty tables
#       (VACUUM after the set-up); EXTRA_SQL=file: run after the set-up)
# Never part of the test suite (it measures cost).
cd "$(dirname "$0")/.."
. test/cluster.sh
set +e
N1=${N1:-50}; N2=${N2:-250}
bench_build || exit 1
command -v valgrind >/dev/null || { apt-get install -y -q valgrind >/dev/null || exit 1; }
CLUSTER_EXTRA_CONF="omnichannel.enable_workers = off
autovacuum = off" start_cluster "${BENCH_PORT:-54343}"
P() { psql -X -q -v ON_ERROR_STOP=1 -d bench "$@"; }
psql -X -q -d postgres -c 'CREATE DATABASE bench'
P -v agents=1000 -v queues=50 -f bench/routing_setup.sql >/dev/null || exit 1
[ -n "${EXTRA_SQL:-}" ] && { P -f "$EXTRA_SQL" >/dev/null || exit 1; }
# STALE=1: VACUUM the tables while they are empty, as an autovacuum right
# after set-up would: plans made afterwards believe them empty
[ -n "${STALE:-}" ] && P -c 'VACUUM'
P -c 'CHECKPOINT'
as_pg $PGBIN/pg_ctl -D "$RUN/data" -m fast -w stop >/dev/null
# loop N: one statement per line (single-user mode ends a statement at a newline)
loop() {
	python3 - "$1" <<'PY'
import os, sys
last = "(SELECT max(id) FROM omni.conversation)"
messages = int(os.environ.get("MESSAGES", "0"))
for i in range(int(sys.argv[1])):
    print(f"SELECT omni.enqueue('bench_chat', 'p{i}', jsonb_build_object('q', {1 + i % 50}, 'skilled', {'true' if i % 2 else 'false'}))")
    print("SELECT omni.route()")
    print(f"SELECT omni.accept((SELECT id FROM omni.offer WHERE conversation_id = {last} AND state = 'pending'))")
    for k in range(messages):
        print(f"SELECT omni.post_message({last}, 'customer', 'Hello, my parcel {i}-{k} has not arrived yet and I am getting worried about it')")
        print(f"SELECT omni.post_message({last}, 'agent', 'Thank you for waiting, let me check the status of parcel {i}-{k} for you right now', (SELECT agent_id FROM omni.conversation WHERE id = {last}))")
    print(f"SELECT omni.end_conversation({last})")
    print(f"SELECT omni.close_conversation({last})")
PY
}
# count N TOOL...: instructions of a single-user backend running the loop of N
count() {
	local n=$1; shift
	rm -rf "$RUN/copy"; cp -a "$RUN/data" "$RUN/copy"
	loop "$n" >"$RUN/loop$n.sql"
	chown -R postgres:postgres "$RUN"
	as_pg valgrind "$@" $PGBIN/postgres --single -D "$RUN/copy" -c omnichannel.enable_workers=off bench \
		<"$RUN/loop$n.sql" >"$RUN/out$n.txt" 2>"$RUN/vg$n.txt"
	# a single-user backend reports errors on stderr, with valgrind's output
	if grep -q 'ERROR' "$RUN/out$n.txt" "$RUN/vg$n.txt"; then grep -h -m3 'ERROR' "$RUN/out$n.txt" "$RUN/vg$n.txt" >&2; return 1; fi
}
log "valgrind: $N1 conversations"
count "$N1" --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null || exit 1
i1=$(grep -o 'I *refs: *[0-9,]*' "$RUN/vg$N1.txt" | tr -dc 0-9)
log "valgrind: $N2 conversations"
if [ -n "${PROFILE:-}" ]; then
	count "$N2" --tool=callgrind --callgrind-out-file="$RUN/callgrind.out" || exit 1
	i2=$(grep -o 'Collected : [0-9]*' "$RUN/vg$N2.txt" | tr -dc 0-9)
else
	count "$N2" --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null || exit 1
	i2=$(grep -o 'I *refs: *[0-9,]*' "$RUN/vg$N2.txt" | tr -dc 0-9)
fi
echo "instructions per conversation: $(( (i2 - i1) / (N2 - N1) )) ($N1 and $N2 conversations: $i1 and $i2)"
if [ -n "${PROFILE:-}" ]; then
	route=$(callgrind_annotate --inclusive=yes "$RUN/callgrind.out" 2>/dev/null |
		awk '/cycle.c:omni_route /{ c = $1; gsub(",", "", c); print c; exit }')
	echo "of which omni.route(): $(( ${route:-0} / N2 )) per conversation (the $N2 run, start-up included)"
	# inclusive counts, per conversation of the N2 run (start-up included)
	callgrind_annotate --inclusive=yes "$RUN/callgrind.out" 2>/dev/null |
		awk -v n="$N2" -v top="$PROFILE" '/^ *[0-9,]+ .*:/ && k < top {
			c = $1; gsub(",", "", c); sub(/^ *[0-9,]+ *(\([^)]*\))? */, ""); printf "%12d  %s\n", c / n, $0; k++ }'
fi
[ -n "${PROFILE:-}" ] && [ -n "${PROFILE_OUT:-}" ] && cp "$RUN/callgrind.out" "$PROFILE_OUT"
stop_cluster
trap - EXIT
