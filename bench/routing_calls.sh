#!/usr/bin/env bash
# bench/routing_calls.sh — server time of each call of a conversation's
# whole loop, one session, no contention (issue 8): N times enqueue,
# omni.route() (one offer), accept, end, close on the 1,000-agent set-up
# (bench/routing_setup.sql) with the workers off; prints each call's mean
# time from pg_stat_user_functions, their sum, the loop's wall time per
# conversation and the statements run inside the calls (pg_stat_statements).  Run as root from the repository:
#   bash bench/routing_calls.sh     (N=400 BENCH_PORT=54342 NO_BUILD=1; TOP=30: the costliest
#                                    functions and statements inside the calls; CYCLE=1: the
#                                    router's statements per cycle; EXTRA_SQL=file: run after
#                                    the set-up, e.g. a VACUUM: statistics of empty tables)
# Never part of the test suite (it measures time).
cd "$(dirname "$0")/.."
. test/cluster.sh
set +e
N=${N:-400}
bench_build || exit 1
CLUSTER_EXTRA_CONF="omnichannel.enable_workers = off
track_functions = all
shared_preload_libraries = 'omnichannel, pg_stat_statements'
pg_stat_statements.track = all
pg_stat_statements.track_planning = on" start_cluster "${BENCH_PORT:-54342}"
P() { psql -X -q -v ON_ERROR_STOP=1 -d bench "$@"; }
psql -X -q -d postgres -c 'CREATE DATABASE bench'
P -c 'CREATE EXTENSION pg_stat_statements'
P -v agents=1000 -v queues=50 -f bench/routing_setup.sql >/dev/null || exit 1
# EXTRA_SQL=file: run after the set-up (what-if experiments on a benchmark copy)
[ -n "${EXTRA_SQL:-}" ] && { P -f "$EXTRA_SQL" >/dev/null || exit 1; }
python3 - "$N" > "$RUN/loop.sql" <<'PY'
import sys
print("\\set QUIET on\n\\set ON_ERROR_STOP 1")
for i in range(int(sys.argv[1])):
    print(f"SELECT omni.enqueue('bench_chat', 'p{i}', jsonb_build_object('q', {1 + i % 50}, 'skilled', {'true' if i % 2 else 'false'})) AS conv \\gset")
    print("SELECT omni.route() \\g /dev/null")
    print("SELECT id AS offer FROM omni.offer WHERE conversation_id = :conv AND state = 'pending' \\gset")
    print("SELECT omni.accept(:offer) \\g /dev/null")
    print("SELECT omni.end_conversation(:conv) \\g /dev/null")
    print("SELECT omni.close_conversation(:conv) \\g /dev/null")
PY
if [ -n "${CYCLE:-}" ]; then
	# the routing cycle's own statements: DEBUG2 around each omni.route()
	sed -i 's|^SELECT omni.route() .*|SET client_min_messages = debug2;\n&\nRESET client_min_messages;|' "$RUN/loop.sql"
fi
P -c "SELECT pg_stat_reset(), pg_stat_statements_reset()" >/dev/null
log "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
t0=$(date +%s%N)
P -f "$RUN/loop.sql" 2>"$RUN/loop.err" >/dev/null || { cat "$RUN/loop.err"; exit 1; }
t1=$(date +%s%N)
log "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
P -c "SELECT funcname AS call, calls, round((total_time / calls)::numeric, 3) AS ms_per_call
        FROM pg_stat_user_functions
       WHERE schemaname = 'omni' AND funcname IN ('enqueue', 'route', 'accept', 'end_conversation', 'close_conversation')
       ORDER BY array_position(ARRAY['enqueue', 'route', 'accept', 'end_conversation', 'close_conversation'], funcname::text)"
P -At -c "SELECT 'sum of the five calls: ' || round(sum(total_time / calls)::numeric, 2) || ' ms per conversation'
            FROM pg_stat_user_functions
           WHERE schemaname = 'omni' AND funcname IN ('enqueue', 'route', 'accept', 'end_conversation', 'close_conversation')"
echo "loop wall time: $(( (t1 - t0) / N / 1000 )) us per conversation ($N conversations, one session)"
# statements run inside the calls (PL/pgSQL, foreign-key checks, the router's
# SPI): a count that does not depend on the machine's speed
P -At -c "SELECT 'statements inside the calls: ' || round(sum(calls) / $N.0, 1) || ' per conversation'
            FROM pg_stat_statements WHERE NOT toplevel"
# statements inside the calls planned again and again (a custom plan at
# most calls): each plan costs about as much as running the statement
P -c "SELECT round(plans / $N.0, 2) AS plans_per_conv, round(calls / $N.0, 2) AS calls_per_conv,
             round((total_plan_time / $N)::numeric, 4) AS plan_ms_per_conv, left(query, 100) AS statement
        FROM pg_stat_statements WHERE NOT toplevel AND plans > calls / 10 AND calls >= $N / 2
       ORDER BY total_plan_time DESC LIMIT 10"
# rows read by whole-table scans inside the calls, per conversation: a
# number that grows with the tables is a cost that grows with history
P -c "SELECT relname AS table, round(seq_scan / $N.0, 2) AS seq_scans_per_conv,
             round(seq_tup_read / $N.0, 1) AS rows_per_conv, n_live_tup AS rows_now
        FROM pg_stat_user_tables WHERE schemaname = 'omni' AND seq_tup_read > 0
       ORDER BY seq_tup_read DESC LIMIT 10"
if [ -n "${CYCLE:-}" ]; then
	# microseconds per cycle in each prepared statement of the router (src/routing/statements.c);
	# WRITE includes the nested WRITE_PRESENCE (presence follows load)
	grep -o 'statement us.*' "$RUN/loop.err" | python3 -c '
import sys, collections
names = ("SKILLS QUEUES WORKSTREAMS RULES PRESENCES LOCK_CONVS LOAD_CONVS LOCK_AGENTS LOAD_AGENTS LOAD_AGENTS_BY_ID "
         "MEMBERS MEMBERS_BY_AGENT AGENT_SKILLS PROFILES DECLINES WRITE WRITE_PRESENCE LOCK_CONVS_V1 LOAD_CONVS_V1 "
         "WRITE_V1 FOLLOW_V1").split()
tot = collections.Counter(); n = 0
for line in sys.stdin:
    n += 1
    for p in line.split()[2:]:
        i, v = p.split(":"); tot[int(i)] += int(v)
print(f"router statements over {n} cycles (us per cycle):")
for i, v in sorted(tot.items(), key=lambda x: -x[1]):
    if v:
        print(f"  {names[i] if i < len(names) else i:20s} {v / max(n, 1):8.1f}")'
fi
if [ -n "${TOP:-}" ]; then
	# every function run inside the calls (helpers, triggers), per conversation
	P -c "SELECT funcname AS function, round(calls / $N.0, 2) AS per_conv,
	             round((total_time / $N)::numeric, 4) AS ms_per_conv, round((self_time / $N)::numeric, 4) AS self_ms_per_conv
	        FROM pg_stat_user_functions
	       WHERE schemaname = 'omni' AND funcname NOT IN ('enqueue', 'route', 'accept', 'end_conversation', 'close_conversation')
	       ORDER BY total_time DESC LIMIT ${TOP}"
	# the statements inside the calls that cost the most, per conversation
	P -c "SELECT round(sum(calls) / $N.0, 2) AS per_conv, round((sum(total_exec_time) / $N)::numeric, 4) AS ms_per_conv,
	             left(regexp_replace(query, '\\s+', ' ', 'g'), 110) AS statement
	        FROM pg_stat_statements WHERE NOT toplevel
	       GROUP BY query ORDER BY ${TOP_ORDER:-sum(total_exec_time)} DESC LIMIT ${TOP}"
fi
stop_cluster
trap - EXIT
