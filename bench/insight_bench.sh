#!/usr/bin/env bash
# bench/insight_bench.sh — conversation intelligence at scale (issue 12).
#
#   bench/insight_bench.sh [CALLS [SEGMENTS [LOADED]]]
#     CALLS     calls in the history (default 100000), over 180 days
#     SEGMENTS  segments per call (default 200, alternating speakers)
#     LOADED    calls loaded through omni.load_transcripts and timed
#               (default CALLS; half of the sentences mention tracked terms); the other CALLS - LOADED calls get copies of
#               the loaded calls' insight and mention rows (set-based), so the
#               page queries run against CALLS calls even when loading all of
#               them would take too long on this machine.
#
# Needs a running cluster with omnichannel installed (PGHOST/PGPORT/PGUSER
# set).  Recreates database omni_ibench.  Prints: load rate (segments/s and
# calls/s, all work included: validation, storage, sentiment of customer
# segments, figures, term matching), the insight computation alone per call
# (omni.refresh_call_insight on 500 loaded calls), and, as a supervisor, a
# seller's page over 90 days (seller_kpi + seller_sentiment_trend +
# seller_mentions + the call list) and the team page (team_insight, 10
# sellers), best of 5, before and after ANALYZE.
set -euo pipefail
CALLS=${1:-100000}
SEGS=${2:-200}
LOADED=${3:-$CALLS}
BATCH=50
NOW='2026-06-30 12:00:00+00'
q() { psql -X -q -v ON_ERROR_STOP=1 -d omni_ibench "$@"; }
ms() { # ms ROLE SQL: best of 5, in ms
	q -At <<SQL
SET omnichannel.mock_now = '$NOW';
SET ROLE $1;
CREATE TEMP TABLE t (ms double precision);
DO \$\$ DECLARE s timestamptz; i int; r record; BEGIN
  FOR i IN 1..5 LOOP s := clock_timestamp(); $2
    INSERT INTO t VALUES (extract(epoch FROM clock_timestamp() - s) * 1000); END LOOP; END \$\$;
SELECT round(min(ms)::numeric, 2) FROM t;
SQL
}
psql -X -q -d postgres -c 'DROP DATABASE IF EXISTS omni_ibench' -c 'CREATE DATABASE omni_ibench'
q <<SQL >/dev/null
SET client_min_messages = warning;
CREATE EXTENSION omnichannel;
DO \$\$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'bench_manager') THEN
    CREATE ROLE bench_manager IN ROLE omnichannel_supervisor; END IF; END \$\$;
INSERT INTO omni.queue (name) SELECT 'sales' || g FROM generate_series(1, 5) g;
INSERT INTO omni.queue_supervisor VALUES ('sales1', 'bench_manager');
INSERT INTO omni.workstream (name, channel, default_queue) VALUES ('calls', 'voice', 'sales1');
INSERT INTO omni.agent (id, name) SELECT g, 'seller' || g FROM generate_series(1, 50) g;
INSERT INTO omni.queue_member (queue, agent_id) SELECT 'sales' || (1 + (g - 1) / 10), g FROM generate_series(1, 50) g;
INSERT INTO omni.customer (name) SELECT 'c' || g FROM generate_series(1, 1000) g;
-- 200 tracked terms (matching cost does not depend on how many)
INSERT INTO omni.tracked_term (term, kind)
SELECT w || CASE WHEN g > 1 THEN ' ' || g ELSE '' END, 'keyword'
  FROM unnest(ARRAY['price', 'discount', 'contract', 'refund', 'upgrade', 'delivery', 'invoice', 'warranty',
                    'installation', 'renewal']) w, generate_series(1, 18) g;
INSERT INTO omni.tracked_term (term, kind)
SELECT 'Rival' || g || ' Telecom', 'competitor' FROM generate_series(1, 20) g;
INSERT INTO omni.tracked_term (term, kind) VALUES ('Acme', 'competitor');
-- CALLS closed calls over the 180 days before NOW, seller = 1 + id % 50
INSERT INTO omni.conversation (id, workstream, channel, queue, customer, customer_id, context, state, agent_id,
                               last_agent_id, created_at, accepted_at, closed_at, last_activity_at)
OVERRIDING SYSTEM VALUE
SELECT g, 'calls', 'voice', 'sales' || (1 + (g % 50) / 10), 'c', 1 + g % 1000, '{"language": "en"}', 'closed',
       1 + g % 50, 1 + g % 50, t, t, t + interval '10 min', t + interval '10 min'
  FROM generate_series(1, $CALLS) g,
       LATERAL (SELECT timestamptz '$NOW' - (g::double precision / $CALLS) * interval '180 days' AS t) x;
SELECT setval(pg_get_serial_sequence('omni.conversation', 'id'), $CALLS);
-- Transcripts to load (not timed): alternating speakers, ~6 s turns, gaps,
-- some overlaps; sentences from a small sales vocabulary.
CREATE UNLOGGED TABLE bench_sentence (i int PRIMARY KEY, agent text, customer text);
INSERT INTO bench_sentence VALUES
 (0, 'Thanks for calling, how can I help you today?', 'Hi, I am calling about the price of the new plan.'),
 (1, 'I can offer a discount if you sign the contract this week.', 'That sounds good, but Acme offered me a better deal.'),
 (2, 'I will send you the details by email right after this call.', 'The delivery was late last time and I was not happy.'),
 (3, 'Let me check the invoice and the warranty for you.', 'Great, thank you, that is really helpful.'),
 (4, 'Our installation team can come on Monday morning.', 'I am still waiting for the refund, this is frustrating.'),
 (5, 'The upgrade includes faster internet and free support.', 'Okay, what about the renewal of my contract?'),
 (6, 'I understand, I will follow up with our billing team.', 'Rival3 Telecom is cheaper, why should I stay?'),
 (7, 'Absolutely, you keep your number and your warranty.', 'Perfect, I love that, please go ahead.'),
 (8, 'Could you tell me a bit more about how you use it at home?', 'Mostly streaming in the evening and some work calls.'),
 (9, 'That makes sense, many families have the same needs.', 'Yes, and my kids play online games a lot.'),
 (10, 'So speed in the evening matters most for you.', 'Exactly, it gets slow around eight.'),
 (11, 'We can fix that, our network was extended last month.', 'Really? I did not know that.'),
 (12, 'Is there anything else you would like to know?', 'No, I think that covers everything.'),
 (13, 'Wonderful, it was a pleasure talking to you.', 'Thanks, have a nice day.'),
 (14, 'One moment please while I look at your account.', 'Sure, take your time.'),
 (15, 'I see two lines on your account, is that right?', 'Yes, one for me and one for my wife.');
CREATE UNLOGGED TABLE bench_transcript (id bigint PRIMARY KEY, segments jsonb);
SQL
echo "generating $LOADED transcripts of $SEGS segments (not timed)..."
for ((lo = 1; lo <= LOADED; lo += 5000)); do
	hi=$((lo + 4999)); ((hi > LOADED)) && hi=$LOADED
	q <<SQL
INSERT INTO bench_transcript
SELECT c, jsonb_agg(jsonb_build_object('speaker', CASE WHEN s % 2 = 0 THEN 'agent' ELSE 'customer' END,
                                       'start_ms', s * 6000 + (c * s) % 700,
                                       'end_ms', s * 6000 + 5200 + (c + s) % 1500,
                                       'body', CASE WHEN s % 2 = 0 THEN b.agent ELSE b.customer END) ORDER BY s)
  FROM generate_series($lo, $hi) c CROSS JOIN generate_series(0, $SEGS - 1) s
  JOIN bench_sentence b ON b.i = (c + s * 7) % 16
 GROUP BY c;
SQL
done
q -c 'VACUUM ANALYZE bench_transcript'
echo "loading ($BATCH calls per transaction, one session)..."
START=$(date +%s.%N)
for ((lo = 1; lo <= LOADED; lo += BATCH)); do
	hi=$((lo + BATCH - 1)); ((hi > LOADED)) && hi=$LOADED
	echo "SELECT omni.load_transcripts((SELECT jsonb_agg(jsonb_build_object('conversation_id', id, 'segments', segments))
	        FROM bench_transcript WHERE id BETWEEN $lo AND $hi));"
done | q >/dev/null
END=$(date +%s.%N)
secs=$(echo "$END - $START" | bc -l)
printf 'load: %d calls x %d segments in %.1f s = %.0f segments/s, %.1f calls/s\n' "$LOADED" "$SEGS" "$secs" \
	"$(echo "$LOADED * $SEGS / $secs" | bc -l)" "$(echo "$LOADED / $secs" | bc -l)"
n=$((LOADED < 500 ? LOADED : 500))
t=$(q -At -c "SELECT extract(epoch FROM clock_timestamp() - now()) FROM (SELECT count(omni.refresh_call_insight(id)) FROM generate_series(1, $n) id) x")
printf 'insight computation alone (figures + sentiment rule + %d-term matching): %.2f ms per call of %d segments\n' \
	"$(q -At -c 'SELECT count(*) FROM omni.tracked_term')" "$(echo "$t * 1000 / $n" | bc -l)" "$SEGS"
if ((LOADED < CALLS)); then
	echo "copying insight and mentions of the $LOADED loaded calls to the other $((CALLS - LOADED)) calls (set-based)..."
	q <<SQL
INSERT INTO omni.call_insight
SELECT c.id, c.agent_id, c.queue, ci.channel, c.accepted_at, ci.language, ci.segments, ci.duration_s, ci.agent_talk_s,
       ci.customer_talk_s, ci.talk_to_listen_ratio, ci.agent_talk_share, ci.switches, ci.avg_pause_ms,
       ci.longest_customer_monologue_s, ci.agent_words, ci.agent_words_per_minute, ci.interruptions,
       ci.agent_interruptions, ci.silence_s, ci.sentiment, ci.sentiment_score, ci.keyword_mentions,
       ci.competitor_mentions, ci.action_items, ci.computed_at
  FROM omni.conversation c JOIN omni.call_insight ci ON ci.conversation_id = 1 + (c.id - 1) % $LOADED
 WHERE c.id > $LOADED;
INSERT INTO omni.term_mention (conversation_id, segment_id, term_id, term, kind, speaker, agent_id, queue, at,
                               sentiment, sentiment_score)
SELECT c.id, m.segment_id, m.term_id, m.term, m.kind, m.speaker, c.agent_id, c.queue,
       c.accepted_at + (m.at - src.accepted_at), m.sentiment, m.sentiment_score
  FROM omni.conversation c
  JOIN omni.conversation src ON src.id = 1 + (c.id - 1) % $LOADED
  JOIN omni.term_mention m ON m.conversation_id = src.id
 WHERE c.id > $LOADED;
INSERT INTO omni.call_term
SELECT c.id, t.term_id, t.term, t.kind, c.agent_id, c.queue, c.accepted_at, t.mentions, t.by_customer, t.by_agent,
       t.sentiment_sum, t.sentiment_count
  FROM omni.conversation c JOIN omni.call_term t ON t.conversation_id = 1 + (c.id - 1) % $LOADED
 WHERE c.id > $LOADED;
SQL
fi
q -At -c "SELECT format('history: %s calls with insight, %s segments stored, %s mentions, %s action items',
          (SELECT count(*) FROM omni.call_insight), (SELECT count(*) FROM omni.transcript_segment),
          (SELECT count(*) FROM omni.term_mention), (SELECT count(*) FROM omni.action_item))"
q -c "GRANT SELECT ON omni.call_insight TO bench_manager" >/dev/null
FROM="timestamptz '$NOW' - interval '90 days'"
KPI="PERFORM * FROM omni.seller_kpi(3, $FROM, '$NOW');"
TREND="PERFORM * FROM omni.seller_sentiment_trend(3, $FROM, '$NOW');"
MENTIONS="PERFORM * FROM omni.seller_mentions(3, $FROM, '$NOW');"
LIST="PERFORM * FROM omni.call_insight WHERE agent_id = 3 AND started_at >= $FROM AND started_at < '$NOW'
        ORDER BY started_at DESC LIMIT 50;"
SELLER="$KPI $TREND $MENTIONS $LIST"
TEAM="PERFORM * FROM omni.team_insight($FROM, '$NOW');"
calls3=$(q -At -c "SELECT count(*) FROM omni.call_insight WHERE agent_id = 3 AND started_at >= $FROM AND started_at < '$NOW'")
pages() {
	printf 'seller page, 90 days (%s calls of the seller), as its supervisor, %s: %s ms (seller_kpi %s, trend %s, mentions %s, call list %s)\n' \
		"$calls3" "$1" "$(ms bench_manager "$SELLER")" "$(ms bench_manager "$KPI")" "$(ms bench_manager "$TREND")" \
		"$(ms bench_manager "$MENTIONS")" "$(ms bench_manager "$LIST")"
	printf 'team page, 90 days (10 sellers), as the supervisor, %s: %s ms\n' "$1" "$(ms bench_manager "$TEAM")"
}
pages "no ANALYZE"
q -c 'ANALYZE'
pages "after ANALYZE"
