-- test/pgtap/sentiment.sql — the public face of the sentiment engine:
-- functions, tables, privileges and documentation comments.
CREATE EXTENSION IF NOT EXISTS omnichannel;
CREATE EXTENSION IF NOT EXISTS pgtap;
BEGIN;
SELECT plan(20);
SELECT has_function('omni', 'sentiment', ARRAY['text', 'text'], 'omni.sentiment(body, lang) exists');
SELECT function_returns('omni', 'sentiment', ARRAY['text', 'text'], 'omni.sentiment_result', 'it returns omni.sentiment_result');
SELECT has_function('omni', 'sentiment_level', ARRAY['real'], 'omni.sentiment_level(score) exists');
SELECT has_function('omni', 'detect_language', ARRAY['text'], 'omni.detect_language(body) exists');
SELECT has_function('omni', 'sentiment_evidence', ARRAY['text', 'text'], 'omni.sentiment_evidence exists');
SELECT has_table('omni', 'lexicon', 'omni.lexicon exists');
SELECT has_table('omni', 'profanity', 'omni.profanity exists');
SELECT has_table('omni', 'sentiment_history', 'omni.sentiment_history exists');
SELECT function_privs_are('omni', 'sentiment', ARRAY['text', 'text'], 'public', ARRAY['EXECUTE'], 'PUBLIC may score');
SELECT table_privs_are('omni', 'lexicon', 'omnichannel_admin', ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE'], 'admins write the lexicon');
SELECT table_privs_are('omni', 'lexicon', 'public', ARRAY['SELECT'], 'everyone reads the lexicon');
SELECT is((SELECT count(DISTINCT language)::int FROM omni.lexicon WHERE builtin AND language <> 'mul'), 12, 'twelve languages ship');
SELECT ok((SELECT array_agg(language ORDER BY language) FROM (SELECT DISTINCT language FROM omni.lexicon WHERE builtin) l)
          @> ARRAY['ca', 'eu'], 'Catalan and Basque have lexicons');
SELECT has_table('omni', 'sentiment_model', 'omni.sentiment_model exists');
SELECT has_table('omni', 'sentiment_config', 'omni.sentiment_config exists');
SELECT table_privs_are('omni', 'sentiment_model', 'omnichannel_admin', ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE'], 'admins install models');
SELECT table_privs_are('omni', 'sentiment_config', 'public', ARRAY['SELECT'], 'everyone reads the sentiment settings');
SELECT is((SELECT count(*)::int FROM omni.sentiment_model WHERE builtin AND octet_length(model) = 49356), 9,
          'nine built-in models of 49,356 bytes (eight languages and the shared one)');
SELECT is_empty($$SELECT c.relname, a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                  JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname = 'omni' AND c.relname IN ('lexicon', 'lexicon_rule', 'profanity', 'sentiment_threshold', 'sentiment_history',
                                                            'sentiment_model', 'sentiment_config')
                   AND a.attnum > 0 AND NOT a.attisdropped AND col_description(c.oid, a.attnum) IS NULL$$,
                'every sentiment column has a comment');
SELECT cmp_ok((omni.sentiment('not good')).score, '<', 0::real, '"not good" scores negative');
SELECT * FROM finish();
ROLLBACK;
