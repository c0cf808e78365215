-- insight_contract: SPEC §8's public names exist with the promised shapes,
-- row-level security is on, and every table is registered for pg_dump.
\set ON_ERROR_STOP 1
\set QUIET 1
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS omnichannel CASCADE;
CREATE EXTENSION omnichannel;
SELECT plan(67);

SELECT has_table('omni', t, 'table omni.' || t) FROM unnest(ARRAY['transcript_segment', 'call_insight',
       'tracked_term', 'term_mention', 'coaching_comment', 'action_phrase', 'action_item', 'call_term']) t;
SELECT has_column('omni', 'transcript_segment', c, 'transcript_segment.' || c) FROM unnest(ARRAY['id',
       'conversation_id', 'speaker', 'agent_id', 'start_ms', 'end_ms', 'body', 'language', 'sentiment',
       'sentiment_score']) c;
SELECT col_type_is('omni', 'transcript_segment', 'speaker', 'omni.sender', 'speaker is omni.sender');
SELECT has_column('omni', 'call_insight', c, 'call_insight.' || c) FROM unnest(ARRAY['conversation_id', 'agent_id', 'channel', 'started_at', 'duration_s', 'agent_talk_s', 'customer_talk_s',
             'talk_to_listen_ratio', 'agent_talk_share', 'switches', 'avg_pause_ms', 'longest_customer_monologue_s',
             'agent_words_per_minute', 'interruptions', 'silence_s', 'sentiment', 'sentiment_score',
             'keyword_mentions', 'competitor_mentions']) c;
SELECT has_column('omni', 'tracked_term', c, 'tracked_term.' || c) FROM unnest(ARRAY['id', 'term', 'kind', 'queue', 'language']) c;
SELECT has_column('omni', 'term_mention', c, 'term_mention.' || c) FROM unnest(ARRAY['conversation_id', 'segment_id', 'term_id', 'term', 'kind', 'speaker', 'agent_id', 'at', 'sentiment']) c;
SELECT has_column('omni', 'coaching_comment', c, 'coaching_comment.' || c) FROM unnest(ARRAY['id', 'conversation_id', 'segment_id', 'author', 'body', 'created_at']) c;
SELECT enum_has_labels('omni', 'term_kind', ARRAY['keyword', 'competitor']);
SELECT function_returns('omni', 'load_transcript', ARRAY['bigint', 'jsonb'], 'integer');
SELECT function_returns('omni', 'load_transcripts', ARRAY['jsonb'], 'integer');
SELECT has_function('omni', 'seller_kpi', ARRAY['bigint', 'timestamp with time zone', 'timestamp with time zone']);
SELECT has_function('omni', 'seller_sentiment_trend', ARRAY['bigint', 'timestamp with time zone', 'timestamp with time zone']);
SELECT function_returns('omni', 'add_coaching_comment', ARRAY['bigint', 'text'], 'bigint');
SELECT is((SELECT count(*)::int FROM pg_class WHERE relnamespace = 'omni'::regnamespace AND relrowsecurity
             AND relname IN ('transcript_segment', 'call_insight', 'term_mention', 'call_term', 'action_item',
                             'coaching_comment', 'tracked_term')), 7, 'row-level security on every insight table');
SELECT is(ARRAY(SELECT c.relname::text FROM pg_class c
                 WHERE c.relnamespace = 'omni'::regnamespace AND c.relkind = 'r'
                   AND c.relname IN ('transcript_segment', 'call_insight', 'tracked_term', 'term_mention', 'call_term',
                                     'coaching_comment', 'action_phrase', 'action_item')
                   AND c.oid NOT IN (SELECT unnest(extconfig) FROM pg_extension WHERE extname = 'omnichannel')
                 ORDER BY 1), ARRAY[]::text[], 'every insight table is registered with pg_extension_config_dump');
SELECT ok((SELECT count(DISTINCT language) FROM omni.action_phrase WHERE builtin)
          >= (SELECT count(DISTINCT language) FROM omni.lexicon WHERE builtin AND language <> 'mul'),
          'built-in action phrases for every language with a built-in lexicon');

SELECT * FROM finish();
ROLLBACK;
