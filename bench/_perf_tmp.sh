cd "$(dirname "$0")/.."
. test/cluster.sh
set +e
N=${N:-1500}
CLUSTER_EXTRA_CONF="omnichannel.enable_workers = off" start_cluster 54342
P() { psql -X -q -v ON_ERROR_STOP=1 -d bench "$@"; }
psql -X -q -d postgres -c 'CREATE DATABASE bench'
P -v agents=1000 -v queues=50 -f bench/routing_setup.sql >/dev/null || exit 1
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
perf record -F 2000 -g -o /tmp/perf.data -a -- sleep 1000 >/dev/null 2>&1 &
PP=$!
sleep 1
P -f "$RUN/loop.sql" >/dev/null
kill -INT $PP; wait $PP
stop_cluster
