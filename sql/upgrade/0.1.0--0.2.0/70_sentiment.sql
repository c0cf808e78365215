-- 70_sentiment.sql — sentiment 0.1.0 -> 0.2.0 (issue 13, docs/sentiment.md):
-- the learned layer's tables, its settings table, the new function comments.
-- The built-in lexicon and model rows follow in the generated part
-- 71_sentiment_data.sql (make), which replaces every built-in row.

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

CREATE TRIGGER sentiment_model_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON omni.sentiment_model
    FOR EACH STATEMENT EXECUTE FUNCTION omni._sentiment_lexicon_changed();
CREATE TRIGGER sentiment_config_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON omni.sentiment_config
    FOR EACH STATEMENT EXECUTE FUNCTION omni._sentiment_lexicon_changed();

SELECT pg_catalog.pg_extension_config_dump('omni.sentiment_model', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('omni.sentiment_config', '');

GRANT SELECT ON omni.sentiment_model, omni.sentiment_config TO PUBLIC;
GRANT INSERT, UPDATE, DELETE ON omni.sentiment_model, omni.sentiment_config TO omnichannel_admin;

COMMENT ON FUNCTION omni.sentiment(text, text) IS
    'Sentiment of a message: score in [-1,1], one of seven levels, language (detected when lang is NULL), profanity flag; the learned layer over the lexicon rules decides unless omni.sentiment_config says otherwise.';
COMMENT ON FUNCTION omni.sentiment_evidence(text, text) IS
    'omni.sentiment() with its reasons: matched terms with valence, weight and rules (negated, intensified, caps, contrast, stem, emoji, profanity ...), languages used, punctuation, and the learned layer (mode, model, class probabilities, strongest features).';
