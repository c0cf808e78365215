#!/usr/bin/env bash
# bench/routing_latency.sh — live latency with the whole agent loop (issue 8):
# the routing worker on, KPI refresh at its default interval; a client
# enqueues at RATE/s for SECONDS s, LISTENs on omni_offer, accepts each offer,
# ends and closes each conversation HOLD s later (bench/routing_latency.c).
# Prints the achieved rate and p50/p90/p99/p99.9/max of enqueue-commit ->
# offer NOTIFY at each rate of RATES, with the load average before and after
# (the machine may be shared).  Run as root from the repository:
#   bash bench/routing_latency.sh   (RATES="200 1000" SECONDS_LAT=60 HOLD=2 BENCH_PORT=54341 NO_BUILD=1
#                                    KPI_INTERVAL=15s: omnichannel.kpi_refresh_interval
#                                    ENQUEUERS=4 ACCEPTORS=4 FINISHERS=4: client connections;
#                                    TIMELINE=1: p50 and max per second of the run (TIMELINE=50: per 50 ms);
#                                    DURABLE=1: fsync and synchronous_commit on, as in production;
#                                    EXTRA_CONF="...": more postgresql.conf lines;
#                                    EXTRA_SQL=file: run after the set-up (what-ifs);
#                                    WARMUP=s: run s seconds more first, reported apart;
#                                    PREPARED=1: prepare the calls once per connection, as drivers
#                                    that cache statements do (default: sent as text, simple query
#                                    protocol, as node-postgres sends an unnamed query);
#                                    AS_AGENTS=0: accept, end and close as postgres instead of
#                                    as each agent's own role, as an app with a service login would;
#                                    CPU_SPLIT=0: do not print the CPU per conversation by process
#                                    kind, read from /proc over the middle of the measured part;
#                                    MESSAGES=k: k customer messages, each answered by the agent,
#                                    before each end (posted by the finishers: raise FINISHERS);
#                                    DESKTOPS=n: n more connections, one per agent, each idle and
#                                    LISTENing on omni_agent_<id> as an agent desktop does
#                                    (bench/desktops.c; max_connections is raised to fit);
#                                    GATEWAY=1: those channels LISTENed on one connection instead,
#                                    as a desktop gateway does;
#                                    CALLS=n: track functions and statements (pg_stat_statements,
#                                    which costs CPU of its own) and print the n costliest of each,
#                                    per conversation, as the load really calls them)
# Never part of the test suite (it measures time).
cd "$(dirname "$0")/.."
. test/cluster.sh
set +e
RATES=${RATES:-"200 1000"}; SECONDS_LAT=${SECONDS_LAT:-60}; HOLD=${HOLD:-2}
# the agents' calls are made as each agent's own role (the desktops of
# examples/agent_desktop.py connect that way), unless AS_AGENTS=0
export AS_AGENTS=${AS_AGENTS:-1}
AS_AGENTS_SETUP=; [ "$AS_AGENTS" != 0 ] && AS_AGENTS_SETUP="-v agent_roles=1"
AGENTS=${AGENTS:-1000}; QUEUES=${QUEUES:-50}
bench_build || exit 1
log "cluster (worker on)"
CLUSTER_EXTRA_CONF="omnichannel.kpi_refresh_interval = '${KPI_INTERVAL:-15s}'
max_wal_size = 4GB
checkpoint_timeout = 30min${DESKTOPS:+
max_connections = $((DESKTOPS + 100))}${DURABLE:+
fsync = on
synchronous_commit = on}${CALLS:+
track_functions = all
shared_preload_libraries = 'omnichannel, pg_stat_statements'
pg_stat_statements.track = all}${EXTRA_CONF:+
$EXTRA_CONF}" start_cluster "${BENCH_PORT:-54341}"
gcc -O2 -o "$RUN/routing_latency" bench/routing_latency.c -I"$($PG_CONFIG --includedir)" -lpq -lpthread || exit 1
[ -n "${DESKTOPS:-}" ] && { gcc -O2 -o "$RUN/desktops" bench/desktops.c -I"$($PG_CONFIG --includedir)" -lpq || exit 1; }
P() { psql -X -q -v ON_ERROR_STOP=1 -d bench "$@"; }
# cpu_snapshot CLIENT_PID: "pid|user+system ticks|title" of every server
# process and of the load generator
cpu_snapshot() {
	# one process reads everything at once: a shell loop forking per process
	# took seconds on a saturated machine, so the per-process windows and
	# the machine's no longer matched
	python3 - "$1" "$RUN/data" <<'PY'
import os, pwd, subprocess, sys, time
postgres_uid = pwd.getpwnam('postgres').pw_uid
def stat(pid):
    with open(f'/proc/{pid}/stat') as f:
        s = f.read()
    return s[s.rindex(')') + 2:].split()   # fields from 3 (state) on
# conversations enqueued so far: the window's work, whatever rate was achieved
r = subprocess.run(['psql', '-X', '-At', '-d', 'bench', '-c', 'SELECT coalesce(max(id), 0) FROM omni.conversation'],
                   capture_output=True, text=True)
out = [f"time|{time.monotonic()}|clock", f"time|{r.stdout.strip() or 0}|conversations"]
# the client's connections by role (application_name bench_enqueuer, ...)
r = subprocess.run(['psql', '-X', '-At', '-F', '|', '-d', 'bench', '-c',
                    "SELECT pid, application_name FROM pg_stat_activity WHERE application_name LIKE 'bench\\_%'"],
                   capture_output=True, text=True)
apps = dict(line.split('|', 1) for line in r.stdout.split('\n') if '|' in line)
pids = [p for p in os.listdir('/proc') if p.isdigit()]
for p in pids:
    try:
        if os.stat(f'/proc/{p}').st_uid != postgres_uid and p != sys.argv[1]:
            continue
        f = stat(p)
        with open(f'/proc/{p}/cmdline', 'rb') as c:
            title = c.read().replace(b'\0', b' ').decode(errors='replace').strip()
    except (OSError, ValueError, KeyError):
        continue    # ended between the listing and the reads
    if not title:
        continue
    if p in apps:
        title += ' ' + apps[p]
    # user and system ticks apart: "pid|user+system|user|title"
    out.append(f"{p}|{int(f[11]) + int(f[12])}|{int(f[11])}|{title}")
    # the postmaster's children that ended (connections closed, autovacuum
    # workers): their CPU is added to its cutime and cstime when they are
    # reaped.  This cluster's postmaster only (another may run on the machine).
    if '/bin/postgres ' in title + ' ' and sys.argv[2] in title:
        out.append(f"ended|{int(f[13]) + int(f[14])}|ended children")
with open('/proc/stat') as f:
    for line in f:
        if line.startswith('cpu '):
            v = line.split()
            # the whole machine: busy ticks (all but idle and iowait) and steal
            out.append(f"machine|{int(v[1]) + int(v[2]) + int(v[3]) + int(v[6]) + int(v[7])}|busy")
            out.append(f"machine|{int(v[8])}|steal")
print('\n'.join(out))
PY
}
# cpu_split BEFORE AFTER RATE: CPU seconds and ms per conversation
# by process kind (client backends, router, KPI worker, WAL writer, ...)
cpu_split() {
	python3 - "$@" "$(getconf CLK_TCK)" <<'PY'
import collections, re, sys
before, after, rate, hz = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
def read(f):
    d = {}
    for line in open(f):
        if line.startswith(('machine|', 'ended|', 'time|')):
            continue
        pid, ticks, user, title = line.rstrip('\n').split('|', 3)
        d[pid] = (int(ticks), title, int(user))
    return d
def read_machine(f):
    return {line.split('|')[2].strip(): float(line.split('|')[1]) for line in open(f)
            if line.startswith(('machine|', 'ended|', 'time|'))}
ma, mb = read_machine(before), read_machine(after)
# the window is the time between the two snapshots (each takes a moment)
secs = mb['clock'] - ma['clock']
a, b = read(before), read(after)
kinds = collections.Counter()
user = collections.Counter()
for pid, (ticks, title, uticks) in b.items():
    if pid == 'machine':
        continue
    if 'routing_latency' in title:
        kind = 'load generator (client)'
    elif 'router for' in title:
        kind = 'router'
    elif 'kpi for' in title:
        kind = 'KPI worker'
    elif re.match(r'postgres: \S+ bench ', title):
        role = re.search(r' bench_(\w+)$', title)
        kind = f'backends: {role.group(1)}s' if role else 'client backends'
    elif 'walwriter' in title:
        kind = 'WAL writer'
    else:
        kind = 'other server processes'
    kinds[kind] += (ticks - a.get(pid, (0, '', 0))[0]) / hz
    user[kind] += (uticks - a.get(pid, (0, '', 0))[2]) / hz
# connections that closed inside the window: what they used in it, as client
# backends (the postmaster reaped their whole CPU; their part before the
# window was in the first snapshot)
ended_before = sum(v[0] for pid, v in a.items() if pid not in b)
kinds['backends that ended'] += (mb.get('ended children', 0) - ma.get('ended children', 0) - ended_before) / hz
n = mb['conversations'] - ma['conversations']
if n <= 0:
    n = rate * secs
print(f"CPU over {secs:.1f} s ({n:.0f} conversations enqueued in it, {n / secs:.0f}/s; asked {rate:.0f}/s):")
for kind, cpu in kinds.most_common():
    sys_share = f" ({100 * (cpu - user[kind]) / cpu:.0f} % in the kernel)" if cpu > 0 and kind in user else ""
    print(f"  {kind:26s} {cpu:7.2f} s  {1000 * cpu / n:6.2f} ms per conversation{sys_share}")
total = sum(kinds.values())
server = total - kinds['load generator (client)']
print(f"  {'all':26s} {total:7.2f} s  {1000 * total / n:6.2f} ms per conversation "
      f"(server {1000 * server / n:.2f} ms; {total / secs:.2f} of the machine's cores)")
print(f"  the whole machine was busy {(mb['busy'] - ma['busy']) / hz / secs:.2f} cores on average "
      f"(steal {(mb['steal'] - ma['steal']) / hz / secs:.2f}): more than 'all' means other work ran")
PY
}
for rate in $RATES; do
	psql -X -q -d postgres -c 'DROP DATABASE IF EXISTS bench' -c 'CREATE DATABASE bench'
	P -v agents="$AGENTS" -v queues="$QUEUES" ${AS_AGENTS_SETUP} -f bench/routing_setup.sql >/dev/null || exit 1
	# EXTRA_SQL=file: run after the set-up (what-if experiments on a benchmark copy)
	[ -n "${EXTRA_SQL:-}" ] && { P -f "$EXTRA_SQL" >/dev/null || exit 1; }
	[ -n "${CALLS:-}" ] && P -c 'CREATE EXTENSION pg_stat_statements' -c 'SELECT pg_stat_reset(), pg_stat_statements_reset()' >/dev/null
	sleep 2		# the launcher starts the database's worker
	desktops=
	if [ -n "${DESKTOPS:-}" ]; then
		ulimit -n $((DESKTOPS + 1024))
		"$RUN/desktops" "host=$PGHOST port=$PGPORT dbname=bench user=postgres" \
			"$(P -At -c 'SELECT min(id) FROM omni.agent')" "$DESKTOPS" >"$RUN/desktops.out" 2>&1 &
		desktops=$!
		until grep -q listening "$RUN/desktops.out" 2>/dev/null; do
			kill -0 "$desktops" 2>/dev/null || { cat "$RUN/desktops.out" >&2; exit 1; }
			sleep 0.5
		done
		log "$(head -1 "$RUN/desktops.out")"
	fi
	log "latency at $rate/s for ${SECONDS_LAT}s, hold ${HOLD}s, calls $([ "${PREPARED:-0}" != 0 ] && echo prepared || echo "sent as text")"
	log "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
	"$RUN/routing_latency" "host=$PGHOST port=$PGPORT dbname=bench user=postgres" "$rate" "$SECONDS_LAT" "$HOLD" \
		"${ENQUEUERS:-4}" "${ACCEPTORS:-4}" "${FINISHERS:-4}" &
	client=$!
	if [ "${CPU_SPLIT:-1}" != 0 ] && [ "$SECONDS_LAT" -ge 10 ]; then
		# CPU per conversation by process kind, over the middle of the
		# measured part (from 2 s after the warm-up to 3 s before the end)
		sleep "$(awk -v w="${WARMUP:-0}" 'BEGIN { print w + 2 }')"
		cpu_snapshot "$client" >"$RUN/cpu0"
		# (the snapshots take a moment on a saturated machine: end 3 s early,
		# while the enqueuers' connections are still open)
		sleep $((SECONDS_LAT - 5))
		cpu_snapshot "$client" >"$RUN/cpu1"
		cpu_split "$RUN/cpu0" "$RUN/cpu1" "$rate"; [ -n "${KEEP_SNAPSHOTS:-}" ] && cp "$RUN/cpu0" "$RUN/cpu1" "$KEEP_SNAPSHOTS"
	fi
	wait "$client"
	if [ -n "$desktops" ]; then
		kill -TERM "$desktops"; wait "$desktops"
		tail -1 "$RUN/desktops.out"
	fi
	log "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
	P -At -c "SELECT 'worker: cycles=' || cycles || ' offers=' || offers || ' wakeups=' || wakeups || ' kpi_refreshes=' || kpi_refreshes || ' errors=' || errors FROM omni.worker_status"
	# presence follows load: each change writes four rows, so how often the
	# load makes an agent change presence weighs on the cost per conversation
	P -At -c "SELECT 'presence changes per conversation: ' || round(count(*) FILTER (WHERE kind = 'presence')::numeric
	                 / greatest(count(*) FILTER (WHERE kind = 'enqueued'), 1), 2) FROM omni.event"
	# open_with_eligible_agent holds only at rest: wait (up to 60 s) until the
	# router has offered every open conversation, then check
	for _ in $(seq 600); do
		drained=$(P -At -c "SELECT count(*) FROM omni.conversation c
		                     WHERE c.state = 'open' AND NOT omni._has_pending_offer(c.id)")
		[ "$drained" = 0 ] && break
		sleep 0.1
	done
	log "open conversations without an offer after the run: $drained"
	P -At -c "SELECT 'invariant violations: ' || coalesce(string_agg(invariant || ' ' || n, ', '), 'none')
	            FROM (SELECT invariant, count(*) AS n FROM omni.routing_invariant_violations() GROUP BY 1) v"
	if [ -n "${CALLS:-}" ]; then
		# per enqueued conversation, over the whole run (the workers included)
		n=$((rate * SECONDS_LAT))
		P -c "SELECT funcname AS function, round(calls / $n.0, 2) AS per_conv,
		             round((total_time / $n)::numeric, 4) AS ms_per_conv, round((self_time / $n)::numeric, 4) AS self_ms_per_conv
		        FROM pg_stat_user_functions WHERE schemaname = 'omni'
		       ORDER BY total_time DESC LIMIT ${CALLS}"
		P -c "SELECT round(sum(calls) / $n.0, 2) AS per_conv, round((sum(total_exec_time) / $n)::numeric, 4) AS ms_per_conv,
		             toplevel AS top, left(regexp_replace(query, '\\s+', ' ', 'g'), 100) AS statement
		        FROM pg_stat_statements GROUP BY query, toplevel ORDER BY sum(total_exec_time) DESC LIMIT ${CALLS}"
	fi
done
stop_cluster
trap - EXIT
