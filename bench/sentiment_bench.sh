#!/usr/bin/env bash
# bench/sentiment_bench.sh [ROWS] — scores ROWS (default 1,000,000) realistic
# customer messages of about 100 characters through SQL in one backend
# (SELECT omni.sentiment(body) FROM ...) and prints messages per second per
# core, for an English (ASCII) corpus and a ten-language corpus, and the
# backend's memory before and after.  Wall clock and the backend's own CPU
# time (/proc/<pid>/stat: less sensitive to other processes on a shared
# machine) are both printed.  The extension is built the way a user builds
# it: the server's CFLAGS (Debian: -O2), no assertion checks (the test suite
# builds with -DUSE_ASSERT_CHECKING).  Runs by hand, never in the test suite:
#   cd /work/wt-sentiment && /work/bin/omni-ns sentiment bash bench/sentiment_bench.sh
# Uses a throwaway cluster (test/cluster.sh) on port ${BENCH_PORT:-54418}.
cd "$(dirname "$0")/.." || exit 1
. test/cluster.sh
set +e
ROWS=${1:-1000000}
make -s clean >/dev/null 2>&1
make -s -j2 PG_CFLAGS= >/dev/null && make -s install >/dev/null || exit 1
echo "build: $("$PG_CONFIG" --cflags | grep -o -- '-O[0-9s]*' | tail -1), no assertion checks"
CLUSTER_EXTRA_CONF="omnichannel.enable_workers = off
max_parallel_workers_per_gather = 0
jit = off" start_cluster "${BENCH_PORT:-54418}"
psql -X -q -d postgres <<SQL
CREATE EXTENSION omnichannel;
CREATE TABLE dev (lang text, gold text, body text);
\copy dev FROM PROGRAM 'for l in ar da de en es fr gl it ko pt; do grep -v "^#" bench/sentiment-dev/\$l.tsv | sed "s/^/\$l\t/"; done' WITH (FORMAT text)
CREATE TABLE d AS SELECT lang, row_number() OVER (PARTITION BY lang ORDER BY body) - 1 AS i, body FROM dev;
-- two sentences of one language and an order number: about 100 characters
CREATE TABLE msgs_en AS
SELECT a.body || ' ' || b.body || ' #' || g AS body
  FROM generate_series(1, $ROWS) g
  JOIN d a ON a.lang = 'en' AND a.i = g % 36
  JOIN d b ON b.lang = 'en' AND b.i = (g / 36) % 36;
CREATE TABLE msgs_mix AS
SELECT a.body || ' ' || b.body || ' #' || g AS body
  FROM generate_series(1, $ROWS) g
  JOIN d a ON a.lang = (ARRAY['ar','da','de','en','es','fr','gl','it','ko','pt'])[1 + g % 10] AND a.i = (g / 10) % 30
  JOIN d b ON b.lang = a.lang AND b.i = (g / 300) % 30;
VACUUM ANALYZE msgs_en; VACUUM ANALYZE msgs_mix;
SQL
psql -X -d postgres -At <<'SQL'
SELECT 'rows: ' || count(*) || ', mean characters: ' || round(avg(length(body))) FROM msgs_en;
SELECT 'rows: ' || count(*) || ', mean characters: ' || round(avg(length(body))) || ' (ten languages)' FROM msgs_mix;
CREATE TEMP TABLE t (what text, secs float8, rss_kb bigint, cpu float8, anon_kb bigint);
-- VmRSS counts the shared buffers this backend touched (the scans); RssAnon is
-- its private memory (the engine's tables, lexicon, models, per-call memory)
CREATE FUNCTION rss(what text DEFAULT 'VmRSS') RETURNS bigint LANGUAGE sql AS $$
  SELECT (regexp_match(pg_read_file('/proc/' || pg_backend_pid() || '/status'), what || ':\s+(\d+)'))[1]::bigint $$;
-- the backend's user + system CPU seconds (fields 14 and 15 of /proc/<pid>/stat, in
-- USER_HZ = 1/100 s on Linux)
CREATE FUNCTION cpu() RETURNS float8 LANGUAGE sql AS $$
  SELECT (f[12]::bigint + f[13]::bigint) / 100.0
    FROM (SELECT string_to_array(split_part(pg_read_file('/proc/' || pg_backend_pid() || '/stat'), ') ', 2), ' ') f) s $$;
SELECT omni.sentiment('warm up the lexicon cache');
DO $$
DECLARE t0 timestamptz; c0 float8;
BEGIN
  INSERT INTO t VALUES ('rss before', 0, rss(), 0, rss('RssAnon'));
  t0 := clock_timestamp(); c0 := cpu(); PERFORM count(length(body)) FROM msgs_en;
  INSERT INTO t VALUES ('scan only (en)', extract(epoch FROM clock_timestamp() - t0), rss(), cpu() - c0, rss('RssAnon'));
  t0 := clock_timestamp(); c0 := cpu(); PERFORM count((omni.sentiment(body)).level) FROM msgs_en;
  INSERT INTO t VALUES ('sentiment (en)', extract(epoch FROM clock_timestamp() - t0), rss(), cpu() - c0, rss('RssAnon'));
  t0 := clock_timestamp(); c0 := cpu(); PERFORM count(length(body)) FROM msgs_mix;
  INSERT INTO t VALUES ('scan only (mix)', extract(epoch FROM clock_timestamp() - t0), rss(), cpu() - c0, rss('RssAnon'));
  t0 := clock_timestamp(); c0 := cpu(); PERFORM count((omni.sentiment(body)).level) FROM msgs_mix;
  INSERT INTO t VALUES ('sentiment (10 languages)', extract(epoch FROM clock_timestamp() - t0), rss(), cpu() - c0, rss('RssAnon'));
  t0 := clock_timestamp(); c0 := cpu(); PERFORM count((omni.sentiment(body)).level) FROM msgs_mix;
  INSERT INTO t VALUES ('sentiment (10 languages, again)', extract(epoch FROM clock_timestamp() - t0), rss(), cpu() - c0, rss('RssAnon'));
END $$;
SELECT format('%-34s %7s s %10s msg/s   CPU %6s s %10s msg/CPU-s   RSS %s kB (private %s kB)', what,
              round(secs::numeric, 2),
              CASE WHEN secs > 0 THEN to_char((SELECT count(*) FROM msgs_en) / secs, 'FM9,999,999') ELSE '' END,
              round(cpu::numeric, 2),
              CASE WHEN cpu > 0 THEN to_char((SELECT count(*) FROM msgs_en) / cpu, 'FM9,999,999') ELSE '' END,
              rss_kb, anon_kb)
  FROM t;
SELECT 'load average: ' || pg_read_file('/proc/loadavg');
SQL
stop_cluster
