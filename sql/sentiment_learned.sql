-- sentiment_learned.sql — the learned layer over the lexicon rules
-- (docs/sentiment.md, "Learned layer"): shipped models, mode setting,
-- evidence of the model, admin control, Catalan and Basque.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS omnichannel CASCADE;
CREATE EXTENSION omnichannel;
SELECT omni.pause_workers();   -- installcheck: this database's workers stay out of the way
RESET client_min_messages;
CREATE FUNCTION pg_temp.s(body text) RETURNS text LANGUAGE sql AS $$
    SELECT (r).level || ' ' || (r).language || CASE WHEN (r).profane THEN ' profane' ELSE '' END
      FROM (SELECT omni.sentiment(body) r) x $$;
CREATE FUNCTION pg_temp.ev(body text) RETURNS jsonb LANGUAGE sql AS $$
    SELECT omni.sentiment_evidence(body) $$;

-- shipped_models: one per language with training data, "mul" for the rest, 48 KiB each
SELECT language, octet_length(model) AS bytes, builtin, trained_on IS NOT NULL AS documented
  FROM omni.sentiment_model ORDER BY language;

-- clear_cut_messages_keep_their_levels (learned layer on, the default)
SELECT body, pg_temp.s(body) FROM unnest(ARRAY[
    'Thanks so much, the agent was great and fixed it in minutes!',
    'This is the worst service ever, I want my money back',
    'What time do you open on Saturday?',
    'Muchas gracias, todo perfecto',
    'Servicio pésimo, llevo una semana esperando',
    'Das war wirklich hervorragend, danke!',
    'C''est une honte, toujours pas de remboursement']) body;

-- catalan_and_basque: detected and scored with their own lexicons
SELECT body, omni.detect_language(body) AS detected, pg_temp.s(body) FROM unnest(ARRAY[
    'Moltes gràcies, el servei ha estat excel·lent',
    'Estic molt decebut, el paquet ha arribat trencat',
    'Quan arribarà la meva comanda?',
    'Eskerrik asko, zerbitzu bikaina izan da',
    'Oso txarra, bi aste daramatzat itxaroten',
    'Zer ordutan irekitzen duzue?',
    'Moitas grazas, xa funciona todo perfectamente',
    'Estou moi anoxado, o pedido non chegou']) body;

-- evidence_shows_the_model: mode, model, probabilities, strongest features first
SELECT e ->> 'mode' AS mode, e -> 'model' ->> 'language' AS model,
       round(((e -> 'model' -> 'probabilities' ->> 'negative')::numeric
            + (e -> 'model' -> 'probabilities' ->> 'neutral')::numeric
            + (e -> 'model' -> 'probabilities' ->> 'positive')::numeric), 2) AS probability_sum,
       (e -> 'model' -> 'probabilities' ->> 'negative')::real > 0.5 AS mostly_negative,
       jsonb_array_length(e -> 'model' -> 'features') BETWEEN 1 AND 6 AS bounded,
       (SELECT bool_and(abs((f ->> 'weight')::real) <= abs((p ->> 'weight')::real))
          FROM jsonb_array_elements(e -> 'model' -> 'features') WITH ORDINALITY a(f, i)
          JOIN jsonb_array_elements(e -> 'model' -> 'features') WITH ORDINALITY b(p, j) ON j = i - 1) AS strongest_first,
       (SELECT bool_and(f ->> 'kind' IN ('word', 'bigram', 'rules'))
          FROM jsonb_array_elements(e -> 'model' -> 'features') f) AS kinds,
       (SELECT (f ->> 'weight')::real < 0 FROM jsonb_array_elements(e -> 'model' -> 'features') f
         WHERE f ->> 'kind' = 'rules') AS rules_push_negative,
       (e ->> 'rule_score')::real < 0 AS rules_negative,
       jsonb_array_length(e -> 'terms') >= 1 AS lexicon_terms_still_listed
  FROM pg_temp.ev('Still no refund after two weeks, useless service') e;
-- a word the lexicon does not know can carry the decision: its feature is listed
SELECT e -> 'model' -> 'features' @> '[{"feature": "waiting", "kind": "word"}]' AS waiting_is_a_feature
  FROM pg_temp.ev('I have been waiting two weeks for my refund, useless service') e;
-- languages without their own model use the shared one
SELECT pg_temp.ev('Tak for hjælpen, alt virker nu') -> 'model' ->> 'language' AS danish_uses,
       pg_temp.ev('Eskerrik asko, dena ondo') -> 'model' ->> 'language' AS basque_uses;
-- nothing to read: rules' neutral 0, no model
SELECT (omni.sentiment('')).score AS empty_score, pg_temp.ev('') -> 'model' AS empty_model;

-- mode_setting: rules only, learned only, both (default); bad values refused
SELECT pg_temp.ev('not bad at all') ->> 'mode' AS default_mode;
INSERT INTO omni.sentiment_config VALUES ('mode', 'rules');
SELECT e ->> 'mode' AS mode, e -> 'model' AS model, (e ->> 'score')::real = (e ->> 'rule_score')::real AS score_is_rules
  FROM pg_temp.ev('I have been waiting two weeks for my refund') e;
UPDATE omni.sentiment_config SET value = 'learned' WHERE name = 'mode';
SELECT e ->> 'mode' AS mode, e -> 'model' ->> 'language' AS model,
       NOT (e -> 'model' -> 'features') @> '[{"kind": "rules"}]' AS no_rule_feature
  FROM pg_temp.ev('I have been waiting two weeks for my refund') e;
UPDATE omni.sentiment_config SET value = 'sometimes' WHERE name = 'mode';
INSERT INTO omni.sentiment_config VALUES ('speed', 'fast');
DELETE FROM omni.sentiment_config;
SELECT pg_temp.ev('not bad at all') ->> 'mode' AS back_to_both;
-- a transaction that rolls back leaves the mode alone
BEGIN;
INSERT INTO omni.sentiment_config VALUES ('mode', 'rules');
SELECT pg_temp.ev('great') ->> 'mode' AS inside;
ROLLBACK;
SELECT pg_temp.ev('great') ->> 'mode' AS after_rollback;

-- admin_lexicon_rows_override_the_model: a message with an admin term is scored by the rules
SELECT e ->> 'admin_override' AS admin_override, e ->> 'mode' AS mode
  FROM pg_temp.ev('I want a refund') e;
INSERT INTO omni.lexicon (language, term, valence, domain) VALUES ('en', 'refund', 0, 'billing');
SELECT e ->> 'admin_override' AS admin_override, e ->> 'mode' AS mode, e ->> 'level' AS level, e -> 'model' AS model
  FROM pg_temp.ev('I want a refund') e;
SELECT pg_temp.ev('I want to cancel') ->> 'mode' AS other_messages_keep_both;
DELETE FROM omni.lexicon WHERE NOT builtin;

-- admin_models: an admin row replaces the built-in model of its language; bad bytes are refused
INSERT INTO omni.sentiment_model (language, model) VALUES ('ca', '\x00010203');
INSERT INTO omni.sentiment_model (language, model) VALUES ('ca', '\x4f534d310e0b0000');
SELECT pg_temp.ev('Moltes gràcies') -> 'model' ->> 'language' AS truncated_model_ignored;
DELETE FROM omni.sentiment_model WHERE NOT builtin;
INSERT INTO omni.sentiment_model (language, model, trained_on)
    SELECT 'ca', model, 'test: a copy of the shared model' FROM omni.sentiment_model WHERE language = 'mul';
SELECT pg_temp.ev('Moltes gràcies') -> 'model' ->> 'language' AS catalan_model_used;
DELETE FROM omni.sentiment_model WHERE NOT builtin;
SELECT pg_temp.ev('Moltes gràcies') -> 'model' ->> 'language' AS back_to_shared;

-- privileges: everyone reads the model and settings, only admins change them
CREATE ROLE learned_reader;
GRANT USAGE ON SCHEMA omni TO learned_reader;
SET ROLE learned_reader;
SELECT count(*) > 0 AS reader_sees_models FROM omni.sentiment_model;
INSERT INTO omni.sentiment_config VALUES ('mode', 'rules');
DELETE FROM omni.sentiment_model;
RESET ROLE;
CREATE ROLE learned_admin IN ROLE omnichannel_admin;
GRANT USAGE ON SCHEMA omni TO learned_admin;
SET ROLE learned_admin;
INSERT INTO omni.sentiment_config VALUES ('mode', 'rules');
DELETE FROM omni.sentiment_config;
RESET ROLE;
REVOKE USAGE ON SCHEMA omni FROM learned_admin, learned_reader;
DROP ROLE learned_admin;
DROP ROLE learned_reader;
