-- insight.sql — per-call conversation figures (SPEC §8) from hand-built
-- transcripts whose answers are worked out in the comments; the call's
-- sentiment follows the conversation rule; tracked terms across languages
-- and inflections; action items; bad transcripts change nothing.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS omnichannel CASCADE;
CREATE EXTENSION omnichannel;
SELECT omni.pause_workers();   -- installcheck: this database's workers stay out of the way
SET omnichannel.mock_now = '2026-03-02 09:00:00+00';

INSERT INTO omni.agent (id, name) VALUES (801, 'ins Ana'), (802, 'ins Bo');
INSERT INTO omni.queue (name) VALUES ('ins_sales'), ('ins_other');
INSERT INTO omni.workstream (name, channel, default_queue) VALUES ('ins_voice', 'voice', 'ins_sales'),
       ('ins_chat', 'chat', 'ins_sales');
INSERT INTO omni.customer (name) VALUES ('ins customer');
CREATE FUNCTION pg_temp.call(a bigint, ctx jsonb DEFAULT '{}', q text DEFAULT 'ins_sales',
                             ws text DEFAULT 'ins_voice') RETURNS bigint LANGUAGE sql AS $$
    INSERT INTO omni.conversation (workstream, channel, queue, customer, customer_id, context, state, agent_id,
                                   created_at, accepted_at, closed_at, last_activity_at)
    SELECT ws, (SELECT channel FROM omni.workstream WHERE name = ws), q, 'ins customer', id, ctx, 'closed', a,
           '2026-03-02 08:00+00', '2026-03-02 08:00:10+00', '2026-03-02 08:30+00', '2026-03-02 08:30+00'
      FROM omni.customer WHERE name = 'ins customer' RETURNING id $$;
CREATE FUNCTION pg_temp.figures(c bigint) RETURNS TABLE (k text, v text) LANGUAGE sql AS $$
    SELECT j.key, j.value::text FROM omni.call_insight ci,
           jsonb_each(to_jsonb(ci) - 'conversation_id' - 'computed_at' - 'started_at' - 'sentiment' - 'sentiment_score'
                      - 'agent_id' - 'queue' - 'channel') j
     WHERE ci.conversation_id = c ORDER BY j.key $$;

INSERT INTO omni.tracked_term (term, kind, language) VALUES
    ('refund', 'keyword', NULL), ('Acme Telecom', 'competitor', NULL), ('cancel subscription', 'keyword', 'en'),
    ('reembolso', 'keyword', 'es'), ('Señal Móvil', 'competitor', NULL);
INSERT INTO omni.tracked_term (term, kind, queue) VALUES ('upgrade', 'keyword', 'ins_other');

-- figures_of_a_call_with_overlap_and_silence
--  1 agent     0- 4000  10 words
--  2 customer  4500-10000 \ one customer run: 4500..12000 = 7.5 s monologue
--  3 customer 10000-12000 /
--  4 agent    11000-15000  13 words; starts before the customer's 12000: interruption (by the agent)
--  5 customer 20000-23000  gap 15000..20000 = 5 s of silence (> 3 s)
--  6 agent    23500-25000  3 words; pause 23000 -> 23500 = 500 ms (4 after 3 is -1000: not a pause)
-- agent talk 4 + 4 + 1.5 = 9.5 s, customer 7.5 + 3 = 10.5 s; ratio 0.904762, share 0.475;
-- switches 4; words 26 -> 26 / (9.5/60) = 164.2105 wpm; duration 25 s.
SELECT pg_temp.call(801) AS a \gset
SELECT omni.load_transcript(:a, '[
  {"speaker": "agent", "start_ms": 0, "end_ms": 4000, "body": "Hello, thanks for calling. How can I help you today?"},
  {"speaker": "customer", "start_ms": 4500, "end_ms": 10000, "body": "I want refunds for my order; the product arrived broken. Acme Telecom was better."},
  {"speaker": "customer", "start_ms": 10000, "end_ms": 12000, "body": "It is really bad."},
  {"speaker": "agent", "start_ms": 11000, "end_ms": 15000, "body": "I am sorry to hear that. I will send you a new one."},
  {"speaker": "customer", "start_ms": 20000, "end_ms": 23000, "body": "Great, thank you! No need to cancel my subscription then."},
  {"speaker": "agent", "start_ms": 23500, "end_ms": 25000, "body": "You are welcome."}]') AS segments;
SELECT * FROM pg_temp.figures(:a);
SELECT seq, speaker, start_ms, sentiment IS NOT NULL AS scored, language FROM omni.transcript_segment
 WHERE conversation_id = :a ORDER BY seq;

-- the_call_sentiment_is_the_conversation_rule: the same customer texts posted
-- as chat messages give the conversation the same score and level (messages keep
-- the score of omni.sentiment_evidence, rounded to 4 decimals)
SELECT pg_temp.call(NULL, '{"language": "en"}', 'ins_sales', 'ins_chat') AS chat \gset
UPDATE omni.conversation SET state = 'active', closed_at = NULL, bot = true WHERE id = :chat;
INSERT INTO omni.message (conversation_id, sender, body, created_at)
SELECT :chat, 'customer', body, now() FROM omni.transcript_segment WHERE conversation_id = :a AND speaker = 'customer' ORDER BY seq;
SELECT omni._score_customer_message(id) FROM omni.message WHERE conversation_id = :chat ORDER BY id;
SELECT ci.sentiment = c.sentiment AS same_level, abs(ci.sentiment_score - c.sentiment_score) < 1e-4 AS same_score,
       ci.sentiment
  FROM omni.call_insight ci, omni.conversation c WHERE ci.conversation_id = :a AND c.id = :chat;

-- mentions: inflected (refunds), phrase (Acme Telecom), phrase with a word between is not the phrase
-- ("cancel my subscription"), competitor with the sentiment of its segment
SELECT term, kind, speaker, at, sentiment IS NOT NULL AS has_sentiment FROM omni.term_mention
 WHERE conversation_id = :a ORDER BY id;
SELECT keyword_mentions, competitor_mentions, action_items FROM omni.call_insight WHERE conversation_id = :a;
-- action_item: the agent's "I will send you"
SELECT a.action, a.phrase, s.seq FROM omni.action_item a JOIN omni.transcript_segment s ON s.id = a.segment_id
 WHERE a.conversation_id = :a;

-- single_speaker_call: the customer never speaks
--  agent 0-3000 "Hello?" (1 word), agent 8000-9000 (3 words); silence 3000..8000 = 5 s
SELECT pg_temp.call(801) AS b \gset
SELECT omni.load_transcript(:b, '[{"speaker": "agent", "start_ms": 8000, "end_ms": 9000, "body": "Hello, anyone there?"},
                                  {"speaker": "agent", "start_ms": 0, "end_ms": 3000, "body": "Hello?"}]');
SELECT * FROM pg_temp.figures(:b);
SELECT sentiment, sentiment_score FROM omni.call_insight WHERE conversation_id = :b;

-- empty_call: a row with nothing said
SELECT pg_temp.call(801) AS e \gset
SELECT omni.load_transcript(:e, '[]');
SELECT * FROM pg_temp.figures(:e);

-- customer_only_call: leading silence counts from 0 ms; the agent never speaks
SELECT pg_temp.call(802) AS d \gset
SELECT omni.load_transcript(:d, '[{"speaker": "customer", "start_ms": 4000, "end_ms": 6000, "body": "Hello, is this the refund line?"}]');
SELECT k, v FROM pg_temp.figures(:d) WHERE k IN ('agent_talk_share', 'talk_to_listen_ratio', 'agent_words_per_minute',
       'silence_s', 'longest_customer_monologue_s', 'switches', 'avg_pause_ms');

-- nested_agent_segments_and_a_customer_interruption
--  a 0-5000, a 1000-3000 (inside: agent talk is the union 0..6000 = 6 s with the next),
--  c 2000-4000 starts before the agent's previous segment (1000-3000) ended: interruption by the customer,
--  a 4500-6000: pause 500 ms, no interruption.
SELECT pg_temp.call(802) AS n \gset
SELECT omni.load_transcript(:n, '[{"speaker": "agent", "start_ms": 0, "end_ms": 5000, "body": "one two three"},
  {"speaker": "agent", "start_ms": 1000, "end_ms": 3000, "body": "four"},
  {"speaker": "customer", "start_ms": 2000, "end_ms": 4000, "body": "wait"},
  {"speaker": "agent", "start_ms": 4500, "end_ms": 6000, "body": "five six"}]');
SELECT k, v FROM pg_temp.figures(:n) WHERE k IN ('agent_talk_s', 'customer_talk_s', 'switches', 'avg_pause_ms',
       'interruptions', 'agent_interruptions', 'agent_words', 'agent_words_per_minute');

-- mentions_in_spanish: accents folded (senal movil), inflection (reembolsos), the Spanish-only term;
-- the English-only phrase is not looked for in a Spanish call
SELECT pg_temp.call(802, '{"language": "es"}') AS es \gset
SELECT omni.load_transcript(:es, '[{"speaker": "customer", "start_ms": 0, "end_ms": 3000,
   "body": "Quiero dos REEMBOLSOS, en SENAL MOVIL me trataron mejor. Cancel subscription!"},
  {"speaker": "agent", "start_ms": 3000, "end_ms": 6000, "body": "Lo siento mucho, le envío el formulario del reembolso."}]');
SELECT term, kind, speaker FROM omni.term_mention WHERE conversation_id = :es ORDER BY id;
SELECT action, phrase FROM omni.action_item WHERE conversation_id = :es;
-- mentions_in_german_and_french: stems meet (Kündigungen / Kündigung, garanties / garantie),
-- umlauts folded (Verträge finds Vertrag); a French-only term is not looked for in German
INSERT INTO omni.tracked_term (term, kind, language) VALUES ('Vertrag', 'keyword', NULL), ('Kündigung', 'keyword', 'de'),
       ('garantie', 'keyword', 'fr');
SELECT pg_temp.call(802, '{"language": "de"}') AS de \gset
SELECT omni.load_transcript(:de, '[{"speaker": "customer", "start_ms": 0, "end_ms": 3000,
   "body": "Ich möchte die Kündigungen beider VERTRÄGE, die Garantie ist mir egal."}]');
SELECT term, speaker FROM omni.term_mention WHERE conversation_id = :de ORDER BY id;
SELECT pg_temp.call(802, '{"language": "fr"}') AS fr \gset
SELECT omni.load_transcript(:fr, '[{"speaker": "customer", "start_ms": 0, "end_ms": 3000,
   "body": "Les garanties de mon contrat? Je veux une Kündigung."}]');
SELECT term, speaker FROM omni.term_mention WHERE conversation_id = :fr ORDER BY id;
-- per-queue terms: "upgrade" is tracked for ins_other only
SELECT pg_temp.call(802, '{}', 'ins_other') AS other \gset
SELECT omni.load_transcript(:other, '[{"speaker": "customer", "start_ms": 0, "end_ms": 1000, "body": "I want an upgrade, upgrading now"}]');
SELECT term, count(*) FROM omni.term_mention WHERE conversation_id IN (:other, :a) AND term = 'upgrade' GROUP BY term;

-- a new term is matched at once by the next load (the backend's index follows the table)
INSERT INTO omni.tracked_term (term, kind) VALUES ('broken', 'keyword');
SELECT omni.refresh_call_insight(:a);
SELECT term FROM omni.term_mention WHERE conversation_id = :a AND term = 'broken';

-- bulk_load: two calls at once, all or nothing
SELECT pg_temp.call(801) AS b1 \gset
SELECT pg_temp.call(801) AS b2 \gset
SELECT omni.load_transcripts(jsonb_build_array(
   jsonb_build_object('conversation_id', :b1, 'segments', '[{"speaker": "agent", "start_ms": 0, "end_ms": 1000, "body": "hi"}]'::jsonb),
   jsonb_build_object('conversation_id', :b2, 'segments', '[{"speaker": "customer", "start_ms": 0, "end_ms": 1000, "body": "hi"},
                                                            {"speaker": "agent", "start_ms": 1000, "end_ms": 2000, "body": "hello"}]'::jsonb)));
SELECT conversation_id = :b1 AS first, segments FROM omni.call_insight WHERE conversation_id IN (:b1, :b2) ORDER BY 1 DESC;
\set VERBOSITY terse
SELECT omni.load_transcripts(jsonb_build_array(
   jsonb_build_object('conversation_id', :b1, 'segments', '[]'::jsonb),
   jsonb_build_object('conversation_id', :b2, 'segments', '[{"speaker": "bot", "start_ms": 0, "end_ms": 1, "body": "x"}]'::jsonb)));
SELECT conversation_id = :b1 AS first, segments FROM omni.call_insight WHERE conversation_id IN (:b1, :b2) ORDER BY 1 DESC;

-- bad_transcripts_are_refused_and_change_nothing
SELECT omni.load_transcript(:a, '{"speaker": "agent"}');
SELECT omni.load_transcript(:a, NULL);
SELECT omni.load_transcript(:a, '[1]');
SELECT omni.load_transcript(:a, '[{"speaker": "Agent", "start_ms": 0, "end_ms": 1, "body": "x"}]');
SELECT omni.load_transcript(:a, '[{"speaker": "agent", "start_ms": "0", "end_ms": 1, "body": "x"}]');
SELECT omni.load_transcript(:a, '[{"speaker": "agent", "start_ms": -1, "end_ms": 1, "body": "x"}]');
SELECT omni.load_transcript(:a, '[{"speaker": "agent", "start_ms": 1.5, "end_ms": 2, "body": "x"}]');
SELECT omni.load_transcript(:a, '[{"speaker": "agent", "start_ms": 0, "end_ms": 1, "body": "x"},
                                  {"speaker": "agent", "start_ms": 5, "end_ms": 4, "body": "x"}]');
SELECT omni.load_transcript(:a, '[{"speaker": "agent", "start_ms": 0, "end_ms": 3000000000, "body": "x"}]');
SELECT omni.load_transcript(:a, '[{"speaker": "agent", "start_ms": 0, "end_ms": 1, "body": null}]');
SELECT omni.load_transcript(:a, jsonb_build_array(jsonb_build_object('speaker', 'agent', 'start_ms', 0, 'end_ms', 1,
                                                                     'body', repeat('x', 1048577))));
SELECT omni.load_transcript(:a, (SELECT jsonb_agg(jsonb_build_object('speaker', 'agent', 'start_ms', i, 'end_ms', i, 'body', 'x'))
                                   FROM generate_series(1, 10001) i));
SELECT omni.load_transcript(999999, '[]');
SELECT count(*) AS segments_kept, (SELECT segments FROM omni.call_insight WHERE conversation_id = :a) AS insight_kept
  FROM omni.transcript_segment WHERE conversation_id = :a;

-- chat_messages_become_the_transcript_when_the_conversation_closes
SELECT omni.force_close(:chat);
SELECT channel, segments, customer_talk_s, sentiment IS NOT NULL AS has_sentiment FROM omni.call_insight WHERE conversation_id = :chat;
SELECT count(*) = count(message_id) AS every_segment_is_a_message FROM omni.transcript_segment WHERE conversation_id = :chat;
