#!/usr/bin/env bash
# bench/sentiment_bench.sh [ROWS] — scores ROWS (default 1,000,000) realistic
# customer messages of about 100 characters through SQL in one backend
# (SELECT omni.sentiment(body) FROM ...) and prints messages per second per
# core, for an English (ASCII) corpus and a ten-language corpus, and the
# backend's memory before and after.  Runs by hand, never in the test suite:
#   cd /work/wt-sentiment && /work/bin/omni-ns sentiment bash bench/sentiment_bench.sh
# Uses a throwaway cluster (test/cluster.sh) on port ${BENCH_PORT:-54418}.
cd "$(dirname "$0")/.." || exit 1
. test/cluster.sh
set +e
ROWS=${1:-1000000}
build_and_install "-O2" >/dev/null 2>&1 || make -s install >/dev/null
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
CREATE TEMP TABLE t (what text, secs float8, rss_kb bigint);
CREATE FUNCTION rss() RETURNS bigint LANGUAGE sql AS $$
  SELECT (regexp_match(pg_read_file('/proc/' || pg_backend_pid() || '/status'), 'VmRSS:\s+(\d+)'))[1]::bigint $$;
SELECT omni.sentiment('warm up the lexicon cache');
DO $$
DECLARE t0 timestamptz; n bigint;
BEGIN
  INSERT INTO t VALUES ('rss before', 0, rss());
  t0 := clock_timestamp(); PERFORM count(length(body)) FROM msgs_en;
  INSERT INTO t VALUES ('scan only (en)', extract(epoch FROM clock_timestamp() - t0), rss());
  t0 := clock_timestamp(); PERFORM count((omni.sentiment(body)).level) FROM msgs_en;
  INSERT INTO t VALUES ('sentiment (en)', extract(epoch FROM clock_timestamp() - t0), rss());
  t0 := clock_timestamp(); PERFORM count(length(body)) FROM msgs_mix;
  INSERT INTO t VALUES ('scan only (mix)', extract(epoch FROM clock_timestamp() - t0), rss());
  t0 := clock_timestamp(); PERFORM count((omni.sentiment(body)).level) FROM msgs_mix;
  INSERT INTO t VALUES ('sentiment (10 languages)', extract(epoch FROM clock_timestamp() - t0), rss());
  t0 := clock_timestamp(); PERFORM count((omni.sentiment(body)).level) FROM msgs_mix;
  INSERT INTO t VALUES ('sentiment (10 languages, again)', extract(epoch FROM clock_timestamp() - t0), rss());
END $$;
SELECT format('%-34s %8s s  %10s msg/s/core  RSS %s kB', what, round(secs::numeric, 2),
              CASE WHEN secs > 0 THEN to_char((SELECT count(*) FROM msgs_en) / secs, 'FM9,999,999') ELSE '' END, rss_kb)
  FROM t;
SQL
stop_cluster
