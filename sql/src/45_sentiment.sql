-- 45_sentiment.sql — real-time customer sentiment (SPEC §4, docs/sentiment.md).
--
-- Lexicons are data: the built-in rows come from data/lexicon/*.tsv (loaded
-- by the generated part "lexicon data" at CREATE EXTENSION); admins add rows
-- of their own (builtin = false), which override built-in rows of the same
-- language, term and kind.  The C engine (src/sentiment/) caches the tables
-- per backend; a statement trigger invalidates every backend's cache.

--- Lexicon tables ---------------------------------------------------------------

CREATE TABLE omni.lexicon (
    language  text NOT NULL CHECK (language ~ '^[a-z]{2,3}$'),
    term      text NOT NULL CHECK (btrim(term) <> ''),
    valence   real NOT NULL CHECK (valence BETWEEN -4 AND 4),
    builtin   boolean NOT NULL DEFAULT false,
    domain    text,
    PRIMARY KEY (language, term, builtin)
);
COMMENT ON TABLE omni.lexicon IS
    'Sentiment words and phrases per language with their valence; admins add domain terms ("refund", "still waiting") that override built-in ones.';
COMMENT ON COLUMN omni.lexicon.language IS
    'ISO 639 code (en, da, gl, ko, ar, es, fr, de, it, pt, ...); "mul" for emoji, emoticons and chat slang of every language.';
COMMENT ON COLUMN omni.lexicon.term IS
    'A word, a phrase of up to six words ("cancel my account") or an emoticon/emoji; matched after NFKC, case folding and, for single words, stemming.';
COMMENT ON COLUMN omni.lexicon.valence IS
    'From -4 (extremely negative) to 4 (extremely positive), the VADER scale; 0 neutralizes a built-in word.';
COMMENT ON COLUMN omni.lexicon.builtin IS 'true: shipped with the extension; false (default): added by an admin, wins over built-in.';
COMMENT ON COLUMN omni.lexicon.domain IS 'Free label for admin entries (e.g. "billing"); informational.';

CREATE TABLE omni.lexicon_rule (
    language  text NOT NULL CHECK (language ~ '^[a-z]{2,3}$'),
    term      text NOT NULL CHECK (btrim(term) <> ''),
    kind      text NOT NULL CHECK (kind IN ('negator', 'negator_post', 'intensifier', 'diminisher',
                                            'contrast', 'contrast_suffix', 'stopword', 'suffix', 'prefix')),
    weight    real CHECK (weight IS NULL OR weight BETWEEN 0 AND 2),
    builtin   boolean NOT NULL DEFAULT false,
    PRIMARY KEY (language, term, kind, builtin)
);
COMMENT ON TABLE omni.lexicon_rule IS
    'Words that change other words (negators, intensifiers, diminishers, contrast words), stop words for language detection, and the affixes stemming strips.';
COMMENT ON COLUMN omni.lexicon_rule.language IS 'ISO 639 code.';
COMMENT ON COLUMN omni.lexicon_rule.term IS 'The word, phrase or affix.';
COMMENT ON COLUMN omni.lexicon_rule.kind IS
    'negator (flips the next three words), negator_post (flips the previous word: Korean 않다), intensifier, diminisher, contrast ("but": before x0.5, after x1.5), contrast_suffix (Korean -지만), stopword (language evidence), suffix / prefix (stripped when stemming).';
COMMENT ON COLUMN omni.lexicon_rule.weight IS 'Intensifier / diminisher amount added to / taken from |valence| (default 0.293); unused for other kinds.';
COMMENT ON COLUMN omni.lexicon_rule.builtin IS 'true: shipped; false: added by an admin.';

CREATE TABLE omni.profanity (
    language  text NOT NULL CHECK (language ~ '^[a-z]{2,3}$'),
    term      text NOT NULL CHECK (btrim(term) <> ''),
    severity  smallint NOT NULL DEFAULT 2 CHECK (severity BETWEEN 1 AND 3),
    builtin   boolean NOT NULL DEFAULT false,
    PRIMARY KEY (language, term, builtin)
);
COMMENT ON TABLE omni.profanity IS
    'Profanity per language.  A profane message is at most negative, one with severity 3 very_negative; obfuscated spellings (f*ck, f.u.c.k, sh1t, fuuuck) are caught.';
COMMENT ON COLUMN omni.profanity.language IS 'ISO 639 code.';
COMMENT ON COLUMN omni.profanity.term IS 'The profane word (inflected forms are found by stemming).';
COMMENT ON COLUMN omni.profanity.severity IS '1 mild, 2 strong (message at most negative), 3 severe: slurs, threats (very_negative).';
COMMENT ON COLUMN omni.profanity.builtin IS 'true: shipped; false: added by an admin.';

CREATE TABLE omni.sentiment_threshold (
    level      omni.sentiment_level PRIMARY KEY,
    min_score  real NOT NULL CHECK (min_score BETWEEN -1 AND 1)
);
COMMENT ON TABLE omni.sentiment_threshold IS
    'Lowest score of each sentiment level (very_negative starts at -1); admins may move the boundaries, which must increase with the level.';
COMMENT ON COLUMN omni.sentiment_threshold.level IS 'Sentiment level.';
COMMENT ON COLUMN omni.sentiment_threshold.min_score IS 'A score at or above this (and below the next level''s) has this level.';
INSERT INTO omni.sentiment_threshold VALUES
    ('very_negative', -1), ('negative', -0.55), ('slightly_negative', -0.25), ('neutral', -0.05),
    ('slightly_positive', 0.05), ('positive', 0.25), ('very_positive', 0.55);

CREATE FUNCTION omni._sentiment_threshold_check() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT count(*) FROM omni.sentiment_threshold) <> 7 THEN
        RAISE EXCEPTION 'omni.sentiment_threshold must keep one row per sentiment level'
            USING ERRCODE = 'check_violation';
    END IF;
    IF EXISTS (SELECT 1 FROM omni.sentiment_threshold WHERE level = 'very_negative' AND min_score <> -1) THEN
        RAISE EXCEPTION 'very_negative must start at -1'
            USING ERRCODE = 'check_violation';
    END IF;
    IF EXISTS (SELECT 1 FROM (SELECT min_score, lag(min_score) OVER (ORDER BY level) AS prev
                              FROM omni.sentiment_threshold) t
               WHERE min_score <= prev) THEN
        RAISE EXCEPTION 'sentiment thresholds must increase from very_negative to very_positive'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION omni._sentiment_threshold_check() IS
    'Rejects threshold tables that are incomplete or not increasing.';
CREATE CONSTRAINT TRIGGER sentiment_threshold_check
    AFTER INSERT OR UPDATE OR DELETE ON omni.sentiment_threshold
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION omni._sentiment_threshold_check();

-- Learned layer (docs/sentiment.md, "Learned layer"): one model per language
-- with training data plus the shared model "mul"; the built-in rows come from
-- data/model/*.osm (generated part "model data").
CREATE TABLE omni.sentiment_model (
    language    text NOT NULL CHECK (language ~ '^[a-z]{2,3}$'),
    model       bytea NOT NULL CHECK (substr(model, 1, 4) = '\x4f534d31'::bytea),
    builtin     boolean NOT NULL DEFAULT false,
    trained_on  text,
    PRIMARY KEY (language, builtin)
);
COMMENT ON TABLE omni.sentiment_model IS
    'Learned sentiment models (hashed n-gram logistic regression stacked on the lexicon rules), one per language with training data and "mul" for the others; an admin row replaces the built-in model of its language.';
COMMENT ON COLUMN omni.sentiment_model.language IS 'ISO 639 code of the messages the model scores; "mul": shared model for languages without one.';
COMMENT ON COLUMN omni.sentiment_model.model IS 'The weights in the OSM1 format written by tools/sentiment-train (header, stacker, int8 hashed weights).';
COMMENT ON COLUMN omni.sentiment_model.builtin IS 'true: shipped with the extension; false: installed by an admin, wins over built-in.';
COMMENT ON COLUMN omni.sentiment_model.trained_on IS 'What the model was trained on (data sets, sizes), informational.';

CREATE TABLE omni.sentiment_config (
    name   text PRIMARY KEY CHECK (name IN ('mode')),
    value  text NOT NULL,
    CHECK (name <> 'mode' OR value IN ('both', 'rules', 'learned'))
);
COMMENT ON TABLE omni.sentiment_config IS
    'Sentiment settings for the database (admins insert or update rows; an absent row means the default).';
COMMENT ON COLUMN omni.sentiment_config.name IS
    'mode: what scores messages: both (default: the learned layer over the lexicon rules), rules (lexicon and rules only), learned (the n-gram model alone).';
COMMENT ON COLUMN omni.sentiment_config.value IS 'The setting''s value.';

-- Cache invalidation: any change to a lexicon table drops every backend's cache.
CREATE FUNCTION omni._sentiment_lexicon_changed() RETURNS trigger
    LANGUAGE c AS 'MODULE_PATHNAME', 'omni_sentiment_lexicon_changed';
COMMENT ON FUNCTION omni._sentiment_lexicon_changed() IS
    'Statement trigger: invalidates the per-backend sentiment lexicon cache (relcache invalidation).';
CREATE TRIGGER lexicon_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON omni.lexicon
    FOR EACH STATEMENT EXECUTE FUNCTION omni._sentiment_lexicon_changed();
CREATE TRIGGER lexicon_rule_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON omni.lexicon_rule
    FOR EACH STATEMENT EXECUTE FUNCTION omni._sentiment_lexicon_changed();
CREATE TRIGGER profanity_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON omni.profanity
    FOR EACH STATEMENT EXECUTE FUNCTION omni._sentiment_lexicon_changed();
CREATE TRIGGER sentiment_threshold_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON omni.sentiment_threshold
    FOR EACH STATEMENT EXECUTE FUNCTION omni._sentiment_lexicon_changed();

CREATE TRIGGER sentiment_model_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON omni.sentiment_model
    FOR EACH STATEMENT EXECUTE FUNCTION omni._sentiment_lexicon_changed();
CREATE TRIGGER sentiment_config_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON omni.sentiment_config
    FOR EACH STATEMENT EXECUTE FUNCTION omni._sentiment_lexicon_changed();

-- What pg_dump saves of these tables: sql/src/95_backup.sql.

GRANT SELECT ON omni.lexicon, omni.lexicon_rule, omni.profanity, omni.sentiment_threshold,
    omni.sentiment_model, omni.sentiment_config TO PUBLIC;
GRANT INSERT, UPDATE, DELETE ON omni.lexicon, omni.lexicon_rule, omni.profanity,
    omni.sentiment_model, omni.sentiment_config TO omnichannel_admin;
GRANT UPDATE ON omni.sentiment_threshold TO omnichannel_admin;

--- Scoring functions ------------------------------------------------------------

CREATE FUNCTION omni.sentiment(body text, lang text DEFAULT NULL) RETURNS omni.sentiment_result
    LANGUAGE c STABLE PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'omni_sentiment';
COMMENT ON FUNCTION omni.sentiment(text, text) IS
    'Sentiment of a message: score in [-1,1], one of seven levels, language (detected when lang is NULL), profanity flag; the learned layer over the lexicon rules decides unless omni.sentiment_config says otherwise.';

CREATE FUNCTION omni.sentiment_evidence(body text, lang text DEFAULT NULL) RETURNS jsonb
    LANGUAGE c STABLE PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'omni_sentiment_evidence';
COMMENT ON FUNCTION omni.sentiment_evidence(text, text) IS
    'omni.sentiment() with its reasons: matched terms with valence, weight and rules (negated, intensified, caps, contrast, stem, emoji, profanity ...), languages used, punctuation, and the learned layer (mode, model, class probabilities, strongest features).';

CREATE FUNCTION omni.detect_language(body text) RETURNS text
    LANGUAGE c STABLE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'omni_detect_language';
COMMENT ON FUNCTION omni.detect_language(text) IS
    'Language of a message: script first (Hangul ko, Arabic ar ...), then stop-word and lexicon evidence among languages of that script; "und" when unknown.';

CREATE FUNCTION omni.sentiment_level(score real) RETURNS omni.sentiment_level
    LANGUAGE c STABLE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'omni_sentiment_level';
COMMENT ON FUNCTION omni.sentiment_level(real) IS
    'The level of a score under the thresholds in omni.sentiment_threshold.';

GRANT EXECUTE ON FUNCTION omni.sentiment(text, text), omni.sentiment_evidence(text, text),
    omni.detect_language(text), omni.sentiment_level(real) TO PUBLIC;

--- Conversation sentiment -------------------------------------------------------

CREATE TABLE omni.sentiment_history (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    conversation_id  bigint NOT NULL REFERENCES omni.conversation (id),
    at               timestamptz NOT NULL,
    level            omni.sentiment_level NOT NULL,
    score            real NOT NULL,
    previous_level   omni.sentiment_level NOT NULL,
    message_id       bigint NOT NULL REFERENCES omni.message (id),
    alerted          boolean NOT NULL DEFAULT false
);
CREATE INDEX sentiment_history_conversation_idx ON omni.sentiment_history (conversation_id, at);
COMMENT ON TABLE omni.sentiment_history IS
    'Sentiment over time: one row each time a conversation''s sentiment level changes.';
COMMENT ON COLUMN omni.sentiment_history.id IS 'Row id (increasing).';
COMMENT ON COLUMN omni.sentiment_history.conversation_id IS 'Conversation.';
COMMENT ON COLUMN omni.sentiment_history.at IS 'When the level changed (omni.now()).';
COMMENT ON COLUMN omni.sentiment_history.level IS 'The new level.';
COMMENT ON COLUMN omni.sentiment_history.score IS 'The conversation score behind it.';
COMMENT ON COLUMN omni.sentiment_history.previous_level IS 'The level before.';
COMMENT ON COLUMN omni.sentiment_history.message_id IS 'The customer message whose scoring changed the level.';
COMMENT ON COLUMN omni.sentiment_history.alerted IS 'true when this change sent omni_sentiment_alert.';
GRANT SELECT ON omni.sentiment_history TO omnichannel_admin;

-- The sentiment of a conversation (and of a call, 90_insight.sql) from the
-- scores of its customer messages or segments, newest first: the
-- recency-weighted mean of the latest six (weights 6, 5, ... 1); profanity
-- in the window caps it like a profane message (severity 3: below negative,
-- 1-2: below slightly_negative).  NULL when there is no score.
CREATE FUNCTION omni._sentiment_of_latest(scores real[], severities integer[],
                                          OUT score real, OUT level omni.sentiment_level)
    LANGUAGE plpgsql STABLE AS $$
DECLARE
    max_sev integer;
BEGIN
    SELECT sum(x.sc * (7 - x.n)) / sum(7 - x.n), max(x.sv)
      INTO score, max_sev
      FROM unnest(scores, severities) WITH ORDINALITY x(sc, sv, n)
     WHERE x.n <= 6 AND x.sc IS NOT NULL;
    IF score IS NULL THEN
        RETURN;
    END IF;
    IF max_sev >= 3 THEN
        score := least(score,
            (SELECT min_score FROM omni.sentiment_threshold WHERE sentiment_threshold.level = 'negative') - 0.01);
    ELSIF max_sev >= 1 THEN
        score := least(score,
            (SELECT min_score FROM omni.sentiment_threshold WHERE sentiment_threshold.level = 'slightly_negative') - 0.01);
    END IF;
    score := greatest(-1, least(1, score));
    level := omni.sentiment_level(score);
END
$$;
COMMENT ON FUNCTION omni._sentiment_of_latest(real[], integer[]) IS
    'The sentiment rule of a conversation (and a call): recency-weighted mean of the latest six customer scores, newest first, capped by profanity.';
REVOKE ALL ON FUNCTION omni._sentiment_of_latest(real[], integer[]) FROM PUBLIC;

-- The conversation's sentiment: the rule of omni._sentiment_of_latest over
-- its scored customer messages, newest first.  PL/pgSQL, not SQL: called
-- from a statement, a SQL function would be planned again at every call.
CREATE FUNCTION omni._conversation_sentiment(conversation_id bigint, OUT score real, OUT level omni.sentiment_level)
    LANGUAGE plpgsql STABLE AS $$
BEGIN
    SELECT r.score, r.level INTO score, level
      FROM (SELECT array_agg(w.sentiment_score ORDER BY w.id DESC) AS scores,
                   array_agg(w.sev ORDER BY w.id DESC) AS sevs
              FROM (SELECT mm.id, mm.sentiment_score,
                           coalesce((mm.evidence ->> 'severity')::integer, CASE WHEN mm.profane THEN 2 ELSE 0 END) AS sev
                      FROM omni.message mm
                     WHERE mm.conversation_id = _conversation_sentiment.conversation_id AND mm.sender = 'customer'
                       AND mm.sentiment_score IS NOT NULL
                     ORDER BY mm.id DESC
                     LIMIT 6) w) a
     CROSS JOIN LATERAL omni._sentiment_of_latest(a.scores, a.sevs) r;
END
$$;
COMMENT ON FUNCTION omni._conversation_sentiment(bigint) IS
    'The conversation''s sentiment score and level over its latest six scored customer messages (omni._sentiment_of_latest).';
REVOKE ALL ON FUNCTION omni._conversation_sentiment(bigint) FROM PUBLIC;

-- A conversation's level changed from previous to level (c: the conversation
-- as it is now, q: its queue): the history row and, on a drop to the queue's
-- alert level, the alert.
CREATE FUNCTION omni._sentiment_changed(c omni.conversation, q omni.queue, previous omni.sentiment_level,
                                        level omni.sentiment_level, score real, message_id bigint) RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    alert boolean := c.queue IS NOT NULL AND level <= q.sentiment_alert_level AND previous > q.sentiment_alert_level;
BEGIN
    INSERT INTO omni.sentiment_history (conversation_id, at, level, score, previous_level, message_id, alerted)
    VALUES (c.id, omni.now(), level, score, previous, message_id, alert);
    IF alert THEN
        -- Ids and levels only (SPEC §3): anyone may LISTEN; the queue, score
        -- and text are read through row-level security.
        PERFORM pg_notify('omni_sentiment_alert', json_build_object(
            'conversation_id', c.id, 'level', level, 'previous_level', previous,
            'message_id', message_id, 'agent_id', c.agent_id)::text);
    END IF;
END
$$;
COMMENT ON FUNCTION omni._sentiment_changed(omni.conversation, omni.queue, omni.sentiment_level, omni.sentiment_level, real, bigint) IS
    'Records a change of a conversation''s sentiment level (omni.sentiment_history) and NOTIFYs omni_sentiment_alert on a drop to its queue''s alert level.';
REVOKE ALL ON FUNCTION omni._sentiment_changed(omni.conversation, omni.queue, omni.sentiment_level, omni.sentiment_level, real, bigint) FROM PUBLIC;

-- The evidence of a customer message of conversation c (in queue q, NULL
-- without a queue), or NULL when c is not scored: a conversation is scored
-- without a queue (a bot serves it) or in a queue with sentiment_enabled.
-- A language given in the conversation context wins over detection.  The one
-- rule omni.post_message and omni._score_customer_message apply.
CREATE FUNCTION omni._customer_message_evidence(c omni.conversation, q omni.queue, body text) RETURNS jsonb
    LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN c.queue IS NULL OR q.sentiment_enabled
                THEN omni.sentiment_evidence(body, c.context ->> 'language') END
$$;
COMMENT ON FUNCTION omni._customer_message_evidence(omni.conversation, omni.queue, text) IS
    'The sentiment evidence of a customer message of the conversation, or NULL when its queue does not score sentiment (scored without a queue or with sentiment_enabled; a language in the context wins over detection).';
REVOKE ALL ON FUNCTION omni._customer_message_evidence(omni.conversation, omni.queue, text) FROM PUBLIC;

-- Scores a customer message stored without its sentiment (omni.post_message
-- scores its message before storing it, with the same four functions).
CREATE FUNCTION omni._score_customer_message(message_id bigint) RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    m          omni.message;
    c          omni.conversation;
    q          omni.queue;
    ev         jsonb;
    conv_score real;
    new_level  omni.sentiment_level;
BEGIN
    SELECT * INTO m FROM omni.message WHERE id = message_id;
    IF NOT FOUND OR m.sender <> 'customer' THEN
        RETURN;
    END IF;
    SELECT * INTO c FROM omni.conversation WHERE id = m.conversation_id FOR UPDATE;
    IF c.queue IS NOT NULL THEN
        SELECT * INTO q FROM omni.queue WHERE name = c.queue;
    END IF;
    ev := omni._customer_message_evidence(c, q, m.body);
    IF ev IS NULL THEN
        RETURN;
    END IF;
    UPDATE omni.message
       SET language = ev ->> 'language',
           sentiment = (ev ->> 'level')::omni.sentiment_level,
           sentiment_score = (ev ->> 'score')::real,
           profane = (ev ->> 'profane')::boolean,
           evidence = ev
     WHERE id = message_id;

    SELECT s.score, s.level INTO conv_score, new_level FROM omni._conversation_sentiment(c.id) s;
    UPDATE omni.conversation SET sentiment = new_level, sentiment_score = conv_score WHERE id = c.id;
    IF new_level IS DISTINCT FROM c.sentiment THEN
        PERFORM omni._sentiment_changed(c, q, c.sentiment, new_level, conv_score, message_id);
    END IF;
END
$$;
COMMENT ON FUNCTION omni._score_customer_message(bigint) IS
    'Scores a stored customer message (queue NULL or sentiment_enabled), stores its sentiment and evidence, recomputes the conversation''s sentiment over its latest six customer messages, records level changes and NOTIFYs omni_sentiment_alert on a drop to the queue''s alert level (omni.post_message scores its message before storing it, the same way).';
REVOKE ALL ON FUNCTION omni._score_customer_message(bigint) FROM PUBLIC;

CREATE VIEW omni.sentiment_over_time AS
SELECT h.conversation_id, c.queue, c.customer, h.at, h.previous_level, h.level, h.score, h.message_id, h.alerted
  FROM omni.sentiment_history h
  JOIN omni.conversation c ON c.id = h.conversation_id;
COMMENT ON VIEW omni.sentiment_over_time IS 'Sentiment level changes of each conversation, with its queue and customer.';
COMMENT ON COLUMN omni.sentiment_over_time.conversation_id IS 'Conversation.';
COMMENT ON COLUMN omni.sentiment_over_time.queue IS 'Its current queue (NULL while served by a bot).';
COMMENT ON COLUMN omni.sentiment_over_time.customer IS 'Customer.';
COMMENT ON COLUMN omni.sentiment_over_time.at IS 'When the level changed.';
COMMENT ON COLUMN omni.sentiment_over_time.previous_level IS 'Level before.';
COMMENT ON COLUMN omni.sentiment_over_time.level IS 'Level after.';
COMMENT ON COLUMN omni.sentiment_over_time.score IS 'Conversation score after.';
COMMENT ON COLUMN omni.sentiment_over_time.message_id IS 'Customer message that caused the change.';
COMMENT ON COLUMN omni.sentiment_over_time.alerted IS 'Whether an alert was sent.';
GRANT SELECT ON omni.sentiment_over_time TO omnichannel_admin;
