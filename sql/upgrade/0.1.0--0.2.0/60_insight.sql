-- 60_insight.sql — 0.1.0 -> 0.2.0: conversation intelligence (issue 12).
-- The conversation sentiment rule moves into omni._sentiment_of_latest
-- (shared by conversations and calls; 45_sentiment.sql), then everything of
-- sql/src/90_insight.sql and sql/src/91_insight_kpi.sql, which are new in
-- 0.2.0 (this part is their concatenation; keep them in step).  The
-- built-in action phrases follow in 61_insight_actions.sql.

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

CREATE OR REPLACE FUNCTION omni._score_customer_message(message_id bigint) RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    m          omni.message;
    c          omni.conversation;
    q          omni.queue;
    ev         jsonb;
    conv_score real;
    new_level  omni.sentiment_level;
    alert      boolean := false;
BEGIN
    SELECT * INTO m FROM omni.message WHERE id = message_id;
    IF NOT FOUND OR m.sender <> 'customer' THEN
        RETURN;
    END IF;
    SELECT * INTO c FROM omni.conversation WHERE id = m.conversation_id FOR UPDATE;
    IF c.queue IS NOT NULL THEN
        SELECT * INTO q FROM omni.queue WHERE name = c.queue;
        IF NOT q.sentiment_enabled THEN
            RETURN;
        END IF;
    END IF;

    -- The message: a language given in the conversation context wins over detection.
    ev := omni.sentiment_evidence(m.body, c.context ->> 'language');
    UPDATE omni.message
       SET language = ev ->> 'language',
           sentiment = (ev ->> 'level')::omni.sentiment_level,
           sentiment_score = (ev ->> 'score')::real,
           profane = (ev ->> 'profane')::boolean,
           evidence = ev
     WHERE id = message_id;

    -- The conversation: the rule of omni._sentiment_of_latest over its
    -- scored customer messages, newest first.
    SELECT r.score, r.level INTO conv_score, new_level
      FROM (SELECT array_agg(w.sentiment_score ORDER BY w.id DESC) AS scores,
                   array_agg(w.sev ORDER BY w.id DESC) AS sevs
              FROM (SELECT mm.id, mm.sentiment_score,
                           coalesce((mm.evidence ->> 'severity')::integer, CASE WHEN mm.profane THEN 2 ELSE 0 END) AS sev
                      FROM omni.message mm
                     WHERE mm.conversation_id = c.id AND mm.sender = 'customer'
                       AND mm.sentiment_score IS NOT NULL
                     ORDER BY mm.id DESC
                     LIMIT 6) w) a
     CROSS JOIN LATERAL omni._sentiment_of_latest(a.scores, a.sevs) r;

    UPDATE omni.conversation SET sentiment = new_level, sentiment_score = conv_score WHERE id = c.id;

    IF new_level IS DISTINCT FROM c.sentiment THEN
        alert := c.queue IS NOT NULL
                 AND new_level <= q.sentiment_alert_level
                 AND c.sentiment > q.sentiment_alert_level;
        INSERT INTO omni.sentiment_history (conversation_id, at, level, score, previous_level, message_id, alerted)
        VALUES (c.id, omni.now(), new_level, conv_score, c.sentiment, message_id, alert);
        IF alert THEN
            PERFORM pg_notify('omni_sentiment_alert', json_build_object(
                'conversation_id', c.id, 'queue', c.queue, 'level', new_level,
                'previous_level', c.sentiment, 'score', round(conv_score::numeric, 4),
                'message_id', message_id, 'agent_id', c.agent_id)::text);
        END IF;
    END IF;
END
$$;
COMMENT ON FUNCTION omni._score_customer_message(bigint) IS
    'Scores a stored customer message (queue NULL or sentiment_enabled), stores its sentiment and evidence, recomputes the conversation''s sentiment over its latest six customer messages, records level changes and NOTIFYs omni_sentiment_alert on a drop to the queue''s alert level (called by omni.post_message).';
REVOKE ALL ON FUNCTION omni._score_customer_message(bigint) FROM PUBLIC;

-- 90_insight.sql — conversation intelligence, part 1: transcripts, per-call
-- insight, tracked terms and action items (SPEC §8,
-- docs/conversation-intelligence.md).  Part 2 (91_insight_kpi.sql) has the
-- seller and team figures and coaching comments.
--
-- One path: omni.load_transcript / omni.load_transcripts (voice, from a
-- transcription service) and the close of a chat, SMS or e-mail
-- conversation (its messages) both store segments with
-- omni._store_transcript and compute the call's insight once with
-- omni._analyze_call.  Reads never recompute.

CREATE TYPE omni.term_kind AS ENUM ('keyword', 'competitor');
COMMENT ON TYPE omni.term_kind IS 'Tracked term kinds: keyword (products, topics) or competitor.';

--- Transcripts ---------------------------------------------------------------------

CREATE TABLE omni.transcript_segment (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    conversation_id  bigint NOT NULL REFERENCES omni.conversation (id),
    seq              integer NOT NULL CHECK (seq > 0),
    speaker          omni.sender NOT NULL CHECK (speaker IN ('agent', 'customer')),
    agent_id         bigint REFERENCES omni.agent (id),
    queue            text,
    start_ms         integer NOT NULL CHECK (start_ms >= 0),
    end_ms           integer NOT NULL CHECK (end_ms >= start_ms),
    body             text NOT NULL,
    language         text,
    sentiment        omni.sentiment_level,
    sentiment_score  real CHECK (sentiment_score BETWEEN -1 AND 1),
    profanity        smallint CHECK (profanity BETWEEN 0 AND 3),
    message_id       bigint REFERENCES omni.message (id),
    UNIQUE (conversation_id, seq),
    CHECK ((speaker = 'customer') = (sentiment_score IS NOT NULL))
);
COMMENT ON TABLE omni.transcript_segment IS
    'What was said in a conversation and when: call transcripts (omni.load_transcript) and, for chat, SMS and e-mail, the messages; customer segments carry their sentiment.';
COMMENT ON COLUMN omni.transcript_segment.id IS 'Segment id.';
COMMENT ON COLUMN omni.transcript_segment.conversation_id IS 'Conversation (call) the segment belongs to.';
COMMENT ON COLUMN omni.transcript_segment.seq IS 'Position in the call: segments ordered by start_ms, end_ms, then input order.';
COMMENT ON COLUMN omni.transcript_segment.speaker IS 'agent or customer.';
COMMENT ON COLUMN omni.transcript_segment.agent_id IS 'The seller of the call (its agent, or last agent); row-level security shows an agent its own calls.';
COMMENT ON COLUMN omni.transcript_segment.queue IS 'Queue of the call when loaded; row-level security shows a supervisor its queues.';
COMMENT ON COLUMN omni.transcript_segment.start_ms IS 'Start, in milliseconds from the start of the call.';
COMMENT ON COLUMN omni.transcript_segment.end_ms IS 'End, in milliseconds from the start of the call (>= start_ms).';
COMMENT ON COLUMN omni.transcript_segment.body IS 'What was said (at most 1 MiB, the message limit).';
COMMENT ON COLUMN omni.transcript_segment.language IS 'Language of the call (conversation context "language", else detected from the transcript; "und" when unknown).';
COMMENT ON COLUMN omni.transcript_segment.sentiment IS 'Sentiment level of a customer segment (NULL for agent segments).';
COMMENT ON COLUMN omni.transcript_segment.sentiment_score IS 'Sentiment score in [-1, 1] of a customer segment.';
COMMENT ON COLUMN omni.transcript_segment.profanity IS 'Highest profanity severity in a customer segment (0 none, 1..3).';
COMMENT ON COLUMN omni.transcript_segment.message_id IS 'The message this segment comes from (chat, SMS, e-mail); NULL for calls.';
CREATE INDEX transcript_segment_message_idx ON omni.transcript_segment (message_id) WHERE message_id IS NOT NULL;

CREATE TABLE omni.call_insight (
    conversation_id               bigint PRIMARY KEY REFERENCES omni.conversation (id),
    agent_id                      bigint REFERENCES omni.agent (id),
    queue                         text,
    channel                       text NOT NULL,
    started_at                    timestamptz NOT NULL,
    language                      text NOT NULL,
    segments                      integer NOT NULL,
    duration_s                    double precision NOT NULL,
    agent_talk_s                  double precision NOT NULL,
    customer_talk_s               double precision NOT NULL,
    talk_to_listen_ratio          double precision,
    agent_talk_share              double precision,
    switches                      integer NOT NULL,
    avg_pause_ms                  double precision,
    longest_customer_monologue_s  double precision NOT NULL,
    agent_words                   bigint NOT NULL,
    agent_words_per_minute        double precision,
    interruptions                 integer NOT NULL,
    agent_interruptions           integer NOT NULL,
    silence_s                     double precision NOT NULL,
    sentiment                     omni.sentiment_level,
    sentiment_score               real,
    keyword_mentions              integer NOT NULL,
    competitor_mentions           integer NOT NULL,
    action_items                  integer NOT NULL,
    computed_at                   timestamptz NOT NULL
);
CREATE INDEX call_insight_agent_idx ON omni.call_insight (agent_id, started_at);
CREATE INDEX call_insight_queue_idx ON omni.call_insight (queue, started_at);
COMMENT ON TABLE omni.call_insight IS
    'One row per conversation with a transcript: its conversation-style figures, computed once when the transcript is stored (definitions in docs/conversation-intelligence.md).';
COMMENT ON COLUMN omni.call_insight.conversation_id IS 'Conversation (call).';
COMMENT ON COLUMN omni.call_insight.agent_id IS 'The seller: the conversation''s agent, else its last agent.';
COMMENT ON COLUMN omni.call_insight.queue IS 'Queue of the call.';
COMMENT ON COLUMN omni.call_insight.channel IS 'Channel (voice for calls; chat, sms, email ... for message transcripts).';
COMMENT ON COLUMN omni.call_insight.started_at IS 'When the seller took the call (accepted_at, else created_at); windows of seller_kpi use it.';
COMMENT ON COLUMN omni.call_insight.language IS 'Language the transcript was tokenized and stemmed in ("und" when unknown).';
COMMENT ON COLUMN omni.call_insight.segments IS 'Number of transcript segments.';
COMMENT ON COLUMN omni.call_insight.duration_s IS 'Seconds from the call''s start (0 ms) to the latest segment end.';
COMMENT ON COLUMN omni.call_insight.agent_talk_s IS 'Seconds the agent spoke: union of its segments'' intervals.';
COMMENT ON COLUMN omni.call_insight.customer_talk_s IS 'Seconds the customer spoke: union of its segments'' intervals.';
COMMENT ON COLUMN omni.call_insight.talk_to_listen_ratio IS 'agent_talk_s / customer_talk_s; NULL when the customer never spoke.';
COMMENT ON COLUMN omni.call_insight.agent_talk_share IS 'agent_talk_s / (agent_talk_s + customer_talk_s); NULL when nobody spoke.';
COMMENT ON COLUMN omni.call_insight.switches IS 'Changes of speaker between consecutive segments.';
COMMENT ON COLUMN omni.call_insight.avg_pause_ms IS 'Mean gap between the end of a customer segment and the start of the next (agent) segment, over gaps >= 0; NULL when none.';
COMMENT ON COLUMN omni.call_insight.longest_customer_monologue_s IS 'Longest run of consecutive customer segments, first start to last end, in seconds.';
COMMENT ON COLUMN omni.call_insight.agent_words IS 'Words the agent said (ICU word boundaries, the sentiment tokenizer).';
COMMENT ON COLUMN omni.call_insight.agent_words_per_minute IS 'agent_words / agent talk minutes; NULL when the agent never spoke.';
COMMENT ON COLUMN omni.call_insight.interruptions IS 'Segments that start before the other speaker''s previous segment ended.';
COMMENT ON COLUMN omni.call_insight.agent_interruptions IS 'Of those, segments of the agent (the agent cut the customer off).';
COMMENT ON COLUMN omni.call_insight.silence_s IS 'Total of the gaps longer than 3 s in which nobody speaks (from the call''s start).';
COMMENT ON COLUMN omni.call_insight.sentiment IS 'Customer sentiment of the call, by the rule of a conversation''s sentiment over its customer segments; NULL when the customer never spoke.';
COMMENT ON COLUMN omni.call_insight.sentiment_score IS 'Score behind sentiment, in [-1, 1].';
COMMENT ON COLUMN omni.call_insight.keyword_mentions IS 'Mentions of tracked keywords (omni.term_mention).';
COMMENT ON COLUMN omni.call_insight.competitor_mentions IS 'Mentions of tracked competitors.';
COMMENT ON COLUMN omni.call_insight.action_items IS 'Agent segments with a commitment (omni.action_item).';
COMMENT ON COLUMN omni.call_insight.computed_at IS 'When these figures were computed.';

--- Tracked terms and action phrases -------------------------------------------------

CREATE TABLE omni.tracked_term (
    id          bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    term        text NOT NULL CHECK (btrim(term) <> '' AND length(term) <= 200),
    kind        omni.term_kind NOT NULL DEFAULT 'keyword',
    queue       text REFERENCES omni.queue (name) ON UPDATE CASCADE ON DELETE CASCADE,
    language    text CHECK (language ~ '^[a-z]{2,3}$'),
    created_by  name NOT NULL DEFAULT current_user,
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE NULLS NOT DISTINCT (term, kind, queue, language)
);
COMMENT ON TABLE omni.tracked_term IS
    'Keywords and competitors to find in transcripts: org-wide (admins) or per queue (admins, and supervisors for their queues); matched case- and form-insensitively, phrases word by word, inflected forms through the lexicon stemming rules.';
COMMENT ON COLUMN omni.tracked_term.id IS 'Term id.';
COMMENT ON COLUMN omni.tracked_term.term IS 'A word or a phrase of up to 16 words.';
COMMENT ON COLUMN omni.tracked_term.kind IS 'keyword or competitor.';
COMMENT ON COLUMN omni.tracked_term.queue IS 'Only calls of this queue; NULL: every queue.';
COMMENT ON COLUMN omni.tracked_term.language IS 'Only calls in this language (ISO 639); NULL: any language.';
COMMENT ON COLUMN omni.tracked_term.created_by IS 'Role that added the term.';
COMMENT ON COLUMN omni.tracked_term.created_at IS 'When it was added.';

CREATE TABLE omni.action_phrase (
    id        bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    language  text NOT NULL CHECK (language ~ '^[a-z]{2,3}$'),
    action    text NOT NULL CHECK (action IN ('call', 'email', 'meeting', 'send', 'follow_up', 'task')),
    phrase    text NOT NULL CHECK (btrim(phrase) <> ''),
    builtin   boolean NOT NULL DEFAULT false,
    UNIQUE (language, phrase, builtin)
);
COMMENT ON TABLE omni.action_phrase IS
    'Phrases by which a seller commits to something ("I will send you", "let me follow up"), per language; built-in rows come from data/actions/*.tsv, admins add their own.';
COMMENT ON COLUMN omni.action_phrase.id IS 'Phrase id.';
COMMENT ON COLUMN omni.action_phrase.language IS 'ISO 639 code of the calls it applies to.';
COMMENT ON COLUMN omni.action_phrase.action IS 'What is promised: call, email, meeting, send, follow_up or task.';
COMMENT ON COLUMN omni.action_phrase.phrase IS 'The phrase, matched like a tracked term.';
COMMENT ON COLUMN omni.action_phrase.builtin IS 'true: shipped with the extension; false: added by an admin.';

-- The term index of each backend is rebuilt when these tables change (the
-- same relcache invalidation as the sentiment lexicons).
CREATE TRIGGER tracked_term_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON omni.tracked_term
    FOR EACH STATEMENT EXECUTE FUNCTION omni._sentiment_lexicon_changed();
CREATE TRIGGER action_phrase_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON omni.action_phrase
    FOR EACH STATEMENT EXECUTE FUNCTION omni._sentiment_lexicon_changed();

CREATE TABLE omni.term_mention (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    conversation_id  bigint NOT NULL REFERENCES omni.conversation (id),
    segment_id       bigint NOT NULL REFERENCES omni.transcript_segment (id) ON DELETE CASCADE,
    term_id          bigint REFERENCES omni.tracked_term (id) ON DELETE SET NULL,
    term             text NOT NULL,
    kind             omni.term_kind NOT NULL,
    speaker          omni.sender NOT NULL,
    agent_id         bigint REFERENCES omni.agent (id),
    queue            text,
    at               timestamptz NOT NULL,
    sentiment        omni.sentiment_level,
    sentiment_score  real
);
CREATE INDEX term_mention_conversation_idx ON omni.term_mention (conversation_id);
CREATE INDEX term_mention_agent_idx ON omni.term_mention (agent_id, at);
CREATE INDEX term_mention_queue_idx ON omni.term_mention (queue, at);
COMMENT ON TABLE omni.term_mention IS 'Every match of a tracked term in a transcript, with the sentiment of the segment it was said in.';
COMMENT ON COLUMN omni.term_mention.id IS 'Mention id.';
COMMENT ON COLUMN omni.term_mention.conversation_id IS 'Conversation.';
COMMENT ON COLUMN omni.term_mention.segment_id IS 'Segment it was said in.';
COMMENT ON COLUMN omni.term_mention.term_id IS 'The tracked term (NULL once the term is deleted).';
COMMENT ON COLUMN omni.term_mention.term IS 'The term as tracked when matched.';
COMMENT ON COLUMN omni.term_mention.kind IS 'keyword or competitor.';
COMMENT ON COLUMN omni.term_mention.speaker IS 'Who said it: agent or customer.';
COMMENT ON COLUMN omni.term_mention.agent_id IS 'Seller of the call.';
COMMENT ON COLUMN omni.term_mention.queue IS 'Queue of the call.';
COMMENT ON COLUMN omni.term_mention.at IS 'When it was said: call start plus the segment''s start_ms.';
COMMENT ON COLUMN omni.term_mention.sentiment IS 'Sentiment of the segment (customer segments; NULL when the agent said it).';
COMMENT ON COLUMN omni.term_mention.sentiment_score IS 'Score of the segment.';

CREATE TABLE omni.action_item (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    conversation_id  bigint NOT NULL REFERENCES omni.conversation (id),
    segment_id       bigint NOT NULL REFERENCES omni.transcript_segment (id) ON DELETE CASCADE,
    agent_id         bigint REFERENCES omni.agent (id),
    queue            text,
    action           text NOT NULL,
    phrase           text NOT NULL,
    at               timestamptz NOT NULL
);
CREATE INDEX action_item_conversation_idx ON omni.action_item (conversation_id);
COMMENT ON TABLE omni.action_item IS 'Agent segments in which the seller commits to something (an action phrase of the call''s language).';
COMMENT ON COLUMN omni.action_item.id IS 'Action item id.';
COMMENT ON COLUMN omni.action_item.conversation_id IS 'Conversation.';
COMMENT ON COLUMN omni.action_item.segment_id IS 'The agent segment.';
COMMENT ON COLUMN omni.action_item.agent_id IS 'Seller of the call.';
COMMENT ON COLUMN omni.action_item.queue IS 'Queue of the call.';
COMMENT ON COLUMN omni.action_item.action IS 'What was promised (call, email, meeting, send, follow_up, task; the first phrase found).';
COMMENT ON COLUMN omni.action_item.phrase IS 'The phrase found.';
COMMENT ON COLUMN omni.action_item.at IS 'When it was said.';

--- Engine functions (src/insight/) ---------------------------------------------------

CREATE FUNCTION omni._call_metrics(agent boolean[], start_ms integer[], end_ms integer[], body text[],
    OUT duration_s double precision, OUT agent_talk_s double precision, OUT customer_talk_s double precision,
    OUT talk_to_listen_ratio double precision, OUT agent_talk_share double precision, OUT switches integer,
    OUT avg_pause_ms double precision, OUT longest_customer_monologue_s double precision,
    OUT agent_words bigint, OUT agent_words_per_minute double precision, OUT interruptions integer,
    OUT agent_interruptions integer, OUT silence_s double precision)
    LANGUAGE c STABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'omni_call_metrics';
COMMENT ON FUNCTION omni._call_metrics(boolean[], integer[], integer[], text[]) IS
    'The time and word figures of one call from its segments in start order (src/insight/metrics.c).';

CREATE FUNCTION omni._match_terms(body text[], lang text, queue text)
    RETURNS TABLE (seg integer, kind text, ref_id bigint, word integer)
    LANGUAGE c STABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'omni_match_terms';
COMMENT ON FUNCTION omni._match_terms(text[], text, text) IS
    'Tracked terms (kind keyword / competitor) and action phrases (kind action) found in each body of a call of that language and queue (src/insight/terms.c).';
REVOKE ALL ON FUNCTION omni._call_metrics(boolean[], integer[], integer[], text[]),
    omni._match_terms(text[], text, text) FROM PUBLIC;

--- The one path: store, then analyze --------------------------------------------------

-- Limits of a transcript (docs/conversation-intelligence.md).
CREATE FUNCTION omni._transcript_max_segments() RETURNS integer
    LANGUAGE sql IMMUTABLE AS $$ SELECT 10000 $$;
COMMENT ON FUNCTION omni._transcript_max_segments() IS 'Most segments one transcript may have (10,000).';

-- Validates segments (a JSON array) and replaces the conversation's
-- transcript.  Bad input raises before anything changes.
CREATE FUNCTION omni._store_transcript(c omni.conversation, segments jsonb, message_ids bigint[] DEFAULT NULL)
    RETURNS integer
    LANGUAGE plpgsql AS $$
DECLARE
    bad   record;
    n     integer;
    lang  text;
BEGIN
    IF segments IS NULL OR jsonb_typeof(segments) <> 'array' THEN
        RAISE EXCEPTION 'transcript segments must be a JSON array'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Give [{"speaker": "agent"|"customer", "start_ms": 0, "end_ms": 1200, "body": "..."}, ...].';
    END IF;
    n := jsonb_array_length(segments);
    IF n > omni._transcript_max_segments() THEN
        RAISE EXCEPTION 'transcript of conversation % has % segments; the limit is %', c.id, n, omni._transcript_max_segments()
            USING ERRCODE = 'program_limit_exceeded', HINT = 'Merge short segments of the same speaker.';
    END IF;
    SELECT e.i, p.problem INTO bad
      FROM jsonb_array_elements(segments) WITH ORDINALITY e(v, i)
      CROSS JOIN LATERAL (SELECT CASE
            WHEN jsonb_typeof(e.v) <> 'object' THEN 'is not a JSON object'
            WHEN jsonb_typeof(e.v -> 'speaker') IS DISTINCT FROM 'string'
                 OR e.v ->> 'speaker' NOT IN ('agent', 'customer') THEN 'speaker must be "agent" or "customer"'
            WHEN jsonb_typeof(e.v -> 'start_ms') IS DISTINCT FROM 'number'
                 OR jsonb_typeof(e.v -> 'end_ms') IS DISTINCT FROM 'number' THEN 'start_ms and end_ms must be numbers'
            WHEN (e.v ->> 'start_ms')::numeric NOT BETWEEN 0 AND 2147483647
                 OR (e.v ->> 'end_ms')::numeric NOT BETWEEN 0 AND 2147483647
                 OR (e.v ->> 'start_ms')::numeric % 1 <> 0 OR (e.v ->> 'end_ms')::numeric % 1 <> 0
                THEN 'start_ms and end_ms must be whole milliseconds between 0 and 2147483647'
            WHEN (e.v ->> 'start_ms')::numeric > (e.v ->> 'end_ms')::numeric THEN 'start_ms must not be after end_ms'
            WHEN jsonb_typeof(e.v -> 'body') IS DISTINCT FROM 'string' THEN 'body must be a string'
            WHEN octet_length(e.v ->> 'body') > 1048576 THEN 'body is longer than 1 MiB, the message limit'
            END AS problem) p
     WHERE p.problem IS NOT NULL
     ORDER BY e.i LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'transcript segment % of conversation %: %', bad.i, c.id, bad.problem
            USING ERRCODE = 'invalid_parameter_value';
    END IF;

    -- The call's language: given in the conversation context, else detected
    -- from what the customer (else anyone) said.
    lang := coalesce(nullif(c.context ->> 'language', ''),
                     omni.detect_language(coalesce(
                        (SELECT left(string_agg(e.v ->> 'body', ' '), 4000)
                           FROM jsonb_array_elements(segments) e(v) WHERE e.v ->> 'speaker' = 'customer'),
                        (SELECT left(string_agg(e.v ->> 'body', ' '), 4000)
                           FROM jsonb_array_elements(segments) e(v)), '')));

    DELETE FROM omni.term_mention WHERE conversation_id = c.id;
    DELETE FROM omni.action_item WHERE conversation_id = c.id;
    DELETE FROM omni.transcript_segment WHERE conversation_id = c.id;
    INSERT INTO omni.transcript_segment (conversation_id, seq, speaker, agent_id, queue, start_ms, end_ms, body,
                                         language, sentiment, sentiment_score, profanity, message_id)
    SELECT c.id, s.seq, s.speaker, coalesce(c.agent_id, c.last_agent_id), c.queue, s.start_ms, s.end_ms, s.body, lang,
           (x.r).level, (x.r).score,
           -- the profanity severity comes with the evidence, asked for only when profane
           CASE WHEN (x.r).profane THEN coalesce((omni.sentiment_evidence(s.body, nullif(lang, 'und')) ->> 'severity')::smallint, 2)
                WHEN s.speaker = 'customer' THEN 0 END,
           message_ids[s.i]
      FROM (SELECT (e.v ->> 'speaker')::omni.sender AS speaker, (e.v ->> 'start_ms')::integer AS start_ms,
                   (e.v ->> 'end_ms')::integer AS end_ms, e.v ->> 'body' AS body, e.i,
                   row_number() OVER (ORDER BY (e.v ->> 'start_ms')::integer, (e.v ->> 'end_ms')::integer, e.i)::integer AS seq
              FROM jsonb_array_elements(segments) WITH ORDINALITY e(v, i)) s
      LEFT JOIN LATERAL (SELECT omni.sentiment(s.body, nullif(lang, 'und')) AS r
                          WHERE s.speaker = 'customer') x ON true;
    RETURN n;
END $$;
COMMENT ON FUNCTION omni._store_transcript(omni.conversation, jsonb, bigint[]) IS
    'Validates a transcript (JSON array of {speaker, start_ms, end_ms, body}), replaces the conversation''s segments, scores customer segments for sentiment.';

-- Computes the insight of one conversation from its stored segments.
CREATE FUNCTION omni._analyze_call(conv bigint) RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    c      omni.conversation;
    m      record;
    sent   record;
    lang   text;
    bodies text[];
    agents boolean[];
    starts integer[];
    ends   integer[];
    t0     timestamptz;
BEGIN
    SELECT * INTO c FROM omni.conversation WHERE id = conv;
    t0 := coalesce(c.accepted_at, c.created_at);
    SELECT coalesce(array_agg(s.body ORDER BY s.seq), '{}'), min(s.language),
           coalesce(array_agg(s.speaker = 'agent' ORDER BY s.seq), '{}'),
           coalesce(array_agg(s.start_ms ORDER BY s.seq), '{}'), coalesce(array_agg(s.end_ms ORDER BY s.seq), '{}')
      INTO bodies, lang, agents, starts, ends
      FROM omni.transcript_segment s WHERE s.conversation_id = conv;
    lang := coalesce(lang, nullif(c.context ->> 'language', ''), 'und');

    SELECT * INTO m FROM omni._call_metrics(agents, starts, ends, bodies);

    -- The call's sentiment: the rule of a conversation's sentiment, over its
    -- customer segments, latest first.
    SELECT * INTO sent FROM omni._sentiment_of_latest(
        ARRAY(SELECT s.sentiment_score FROM omni.transcript_segment s
               WHERE s.conversation_id = conv AND s.speaker = 'customer' ORDER BY s.seq DESC LIMIT 6),
        ARRAY(SELECT s.profanity::integer FROM omni.transcript_segment s
               WHERE s.conversation_id = conv AND s.speaker = 'customer' ORDER BY s.seq DESC LIMIT 6));

    DELETE FROM omni.term_mention WHERE conversation_id = conv;
    DELETE FROM omni.action_item WHERE conversation_id = conv;
    WITH hits AS MATERIALIZED (
        SELECT h.seg, h.word, h.kind, h.ref_id, s.id AS segment_id, s.speaker, s.start_ms, s.sentiment, s.sentiment_score
          FROM omni._match_terms(bodies, lang, c.queue) h
          JOIN omni.transcript_segment s ON s.conversation_id = conv AND s.seq = h.seg),
    terms AS (
        INSERT INTO omni.term_mention (conversation_id, segment_id, term_id, term, kind, speaker, agent_id, queue, at,
                                       sentiment, sentiment_score)
        SELECT conv, h.segment_id, t.id, t.term, t.kind, h.speaker, coalesce(c.agent_id, c.last_agent_id), c.queue,
               t0 + h.start_ms * interval '1 millisecond', h.sentiment, h.sentiment_score
          FROM hits h JOIN omni.tracked_term t ON t.id = h.ref_id
         WHERE h.kind <> 'action'
         ORDER BY h.seg, h.word, t.id
        RETURNING 1)
    INSERT INTO omni.action_item (conversation_id, segment_id, agent_id, queue, action, phrase, at)
    SELECT DISTINCT ON (h.segment_id) conv, h.segment_id, coalesce(c.agent_id, c.last_agent_id), c.queue,
           p.action, p.phrase, t0 + h.start_ms * interval '1 millisecond'
      FROM hits h JOIN omni.action_phrase p ON p.id = h.ref_id
     WHERE h.kind = 'action' AND h.speaker = 'agent' AND (SELECT count(*) FROM terms) >= 0
     ORDER BY h.segment_id, h.seg, p.id;

    INSERT INTO omni.call_insight AS ci
    SELECT conv, coalesce(c.agent_id, c.last_agent_id), c.queue, c.channel, t0, lang, cardinality(bodies),
           m.duration_s, m.agent_talk_s, m.customer_talk_s, m.talk_to_listen_ratio, m.agent_talk_share, m.switches,
           m.avg_pause_ms, m.longest_customer_monologue_s, m.agent_words, m.agent_words_per_minute, m.interruptions,
           m.agent_interruptions, m.silence_s, sent.level, sent.score,
           (SELECT count(*) FROM omni.term_mention tm WHERE tm.conversation_id = conv AND tm.kind = 'keyword'),
           (SELECT count(*) FROM omni.term_mention tm WHERE tm.conversation_id = conv AND tm.kind = 'competitor'),
           (SELECT count(*) FROM omni.action_item a WHERE a.conversation_id = conv),
           omni.now()
    ON CONFLICT (conversation_id) DO UPDATE
       SET (agent_id, queue, channel, started_at, language, segments, duration_s, agent_talk_s, customer_talk_s,
            talk_to_listen_ratio, agent_talk_share, switches, avg_pause_ms, longest_customer_monologue_s, agent_words,
            agent_words_per_minute, interruptions, agent_interruptions, silence_s, sentiment, sentiment_score,
            keyword_mentions, competitor_mentions, action_items, computed_at)
         = (EXCLUDED.agent_id, EXCLUDED.queue, EXCLUDED.channel, EXCLUDED.started_at, EXCLUDED.language,
            EXCLUDED.segments, EXCLUDED.duration_s, EXCLUDED.agent_talk_s, EXCLUDED.customer_talk_s,
            EXCLUDED.talk_to_listen_ratio, EXCLUDED.agent_talk_share, EXCLUDED.switches, EXCLUDED.avg_pause_ms,
            EXCLUDED.longest_customer_monologue_s, EXCLUDED.agent_words, EXCLUDED.agent_words_per_minute,
            EXCLUDED.interruptions, EXCLUDED.agent_interruptions, EXCLUDED.silence_s, EXCLUDED.sentiment,
            EXCLUDED.sentiment_score, EXCLUDED.keyword_mentions, EXCLUDED.competitor_mentions, EXCLUDED.action_items,
            EXCLUDED.computed_at);
END $$;
COMMENT ON FUNCTION omni._analyze_call(bigint) IS
    'Computes a conversation''s insight once from its stored segments: figures (C), sentiment (the conversation rule), term mentions and action items.';

--- Public loading functions ---------------------------------------------------------------

CREATE FUNCTION omni.load_transcript(conversation_id bigint, segments jsonb) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    c omni.conversation;
    n integer;
BEGIN
    IF NOT omni._is_service() THEN
        PERFORM omni._deny('load transcripts', 'Only channel services (omnichannel_service) and admins load transcripts.');
    END IF;
    c := omni._lock_conversation(conversation_id);
    n := omni._store_transcript(c, segments);
    PERFORM omni._analyze_call(c.id);
    RETURN n;
END $$;
COMMENT ON FUNCTION omni.load_transcript(bigint, jsonb) IS
    'Replaces a call''s transcript with a JSON array of {speaker: agent|customer, start_ms, end_ms, body} (at most 10,000 segments, bodies up to 1 MiB), scores customer segments and computes the call''s insight; returns the number of segments. Services and admins.';

CREATE FUNCTION omni.load_transcripts(calls jsonb) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    t     record;
    total integer := 0;
BEGIN
    IF NOT omni._is_service() THEN
        PERFORM omni._deny('load transcripts', 'Only channel services (omnichannel_service) and admins load transcripts.');
    END IF;
    IF calls IS NULL OR jsonb_typeof(calls) <> 'array' THEN
        RAISE EXCEPTION 'calls must be a JSON array of {"conversation_id": ..., "segments": [...]}'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF EXISTS (SELECT 1 FROM jsonb_array_elements(calls) e(v)
                WHERE jsonb_typeof(e.v) <> 'object' OR jsonb_typeof(e.v -> 'conversation_id') IS DISTINCT FROM 'number') THEN
        RAISE EXCEPTION 'every element of calls needs a numeric conversation_id'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF (SELECT count(*) <> count(DISTINCT e.v -> 'conversation_id') FROM jsonb_array_elements(calls) e(v)) THEN
        RAISE EXCEPTION 'a conversation appears twice in calls' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- in id order, so concurrent bulk loads lock conversations in the same order
    FOR t IN SELECT (e.v ->> 'conversation_id')::bigint AS id, e.v -> 'segments' AS segments
               FROM jsonb_array_elements(calls) e(v) ORDER BY 1
    LOOP
        total := total + omni._store_transcript(omni._lock_conversation(t.id), t.segments);
        PERFORM omni._analyze_call(t.id);
    END LOOP;
    RETURN total;
END $$;
COMMENT ON FUNCTION omni.load_transcripts(jsonb) IS
    'Bulk omni.load_transcript: a JSON array of {conversation_id, segments}; all or nothing; returns the total number of segments.';

CREATE FUNCTION omni.refresh_call_insight(conversation_id bigint) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
BEGIN
    IF NOT omni._is_admin() THEN
        PERFORM omni._deny('refresh call insight');
    END IF;
    PERFORM omni._lock_conversation(conversation_id);
    IF NOT EXISTS (SELECT 1 FROM omni.call_insight ci WHERE ci.conversation_id = refresh_call_insight.conversation_id) THEN
        RAISE EXCEPTION 'conversation % has no transcript', conversation_id USING ERRCODE = 'no_data_found';
    END IF;
    PERFORM omni._analyze_call(conversation_id);
END $$;
COMMENT ON FUNCTION omni.refresh_call_insight(bigint) IS
    'Recomputes a call''s insight from its stored transcript (after tracked terms or action phrases changed). Admins.';

-- Chat, SMS, e-mail: when such a conversation closes, its agent and
-- customer messages become its transcript (times from the messages,
-- each an instant: start_ms = end_ms).
CREATE FUNCTION omni._transcript_from_messages() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    segs jsonb;
    ids  bigint[];
BEGIN
    SELECT coalesce(jsonb_agg(jsonb_build_object(
               'speaker', m.sender,
               'start_ms', greatest(0, least(2147483647, floor(extract(epoch FROM m.created_at - NEW.created_at) * 1000)))::integer,
               'end_ms', greatest(0, least(2147483647, floor(extract(epoch FROM m.created_at - NEW.created_at) * 1000)))::integer,
               'body', m.body) ORDER BY m.id), '[]'),
           coalesce(array_agg(m.id ORDER BY m.id), '{}')
      INTO segs, ids
      FROM (SELECT * FROM omni.message mm
             WHERE mm.conversation_id = NEW.id AND mm.sender IN ('agent', 'customer')
             ORDER BY mm.id LIMIT omni._transcript_max_segments()) m;
    IF jsonb_array_length(segs) > 0 THEN
        -- messages are stored in time order, so the i-th segment is the i-th message
        PERFORM omni._store_transcript(NEW, segs, ids);
        PERFORM omni._analyze_call(NEW.id);
    END IF;
    RETURN NULL;
END $$;
COMMENT ON FUNCTION omni._transcript_from_messages() IS
    'Trigger: a closing chat, SMS, e-mail or social conversation gets its messages as transcript and its insight.';
CREATE TRIGGER insight_on_close AFTER UPDATE OF state ON omni.conversation
    FOR EACH ROW WHEN (NEW.state = 'closed' AND OLD.state <> 'closed' AND NEW.channel <> 'voice')
    EXECUTE FUNCTION omni._transcript_from_messages();

--- Privileges and row-level security -------------------------------------------------------

REVOKE ALL ON FUNCTION omni.load_transcript(bigint, jsonb), omni.load_transcripts(jsonb),
    omni.refresh_call_insight(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION omni.load_transcript(bigint, jsonb), omni.load_transcripts(jsonb)
    TO omnichannel_service, omnichannel_admin;
GRANT EXECUTE ON FUNCTION omni.refresh_call_insight(bigint) TO omnichannel_admin;

-- Calls: the seller sees its own, a supervisor its queues, admins and services all.
DO $insight_rls$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['transcript_segment', 'call_insight', 'term_mention', 'action_item'] LOOP
        EXECUTE format('REVOKE ALL ON omni.%I FROM PUBLIC', t);
        EXECUTE format('GRANT SELECT ON omni.%I TO omnichannel_agent, omnichannel_supervisor, omnichannel_service, omnichannel_admin', t);
        EXECUTE format('ALTER TABLE omni.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY staff_all ON omni.%I FOR SELECT USING (omni._sees_everything())', t);
        EXECUTE format('CREATE POLICY agent_own ON omni.%I FOR SELECT TO omnichannel_agent USING (agent_id = omni.current_agent_id())', t);
        EXECUTE format('CREATE POLICY supervisor_queues ON omni.%I FOR SELECT TO omnichannel_supervisor USING (queue IN (SELECT omni.supervised_queues()))', t);
    END LOOP;
END
$insight_rls$;

-- Terms: everyone reads; admins write any, supervisors the terms of their queues.
REVOKE ALL ON omni.tracked_term, omni.action_phrase FROM PUBLIC;
GRANT SELECT ON omni.tracked_term, omni.action_phrase
    TO omnichannel_agent, omnichannel_supervisor, omnichannel_service, omnichannel_admin;
GRANT INSERT, UPDATE, DELETE ON omni.tracked_term TO omnichannel_admin, omnichannel_supervisor;
GRANT INSERT, UPDATE, DELETE ON omni.action_phrase TO omnichannel_admin;
GRANT USAGE ON SEQUENCE omni.tracked_term_id_seq TO omnichannel_admin, omnichannel_supervisor;
GRANT USAGE ON SEQUENCE omni.action_phrase_id_seq TO omnichannel_admin;
ALTER TABLE omni.tracked_term ENABLE ROW LEVEL SECURITY;
CREATE POLICY read_all ON omni.tracked_term FOR SELECT USING (true);
CREATE POLICY admin_write ON omni.tracked_term FOR ALL TO omnichannel_admin USING (true) WITH CHECK (true);
CREATE POLICY supervisor_insert ON omni.tracked_term FOR INSERT TO omnichannel_supervisor
    WITH CHECK (queue IN (SELECT omni.supervised_queues()));
CREATE POLICY supervisor_update ON omni.tracked_term FOR UPDATE TO omnichannel_supervisor
    USING (queue IN (SELECT omni.supervised_queues())) WITH CHECK (queue IN (SELECT omni.supervised_queues()));
CREATE POLICY supervisor_delete ON omni.tracked_term FOR DELETE TO omnichannel_supervisor
    USING (queue IN (SELECT omni.supervised_queues()));

-- Admin-entered rows survive pg_dump; built-in phrases come back with CREATE EXTENSION.
SELECT pg_catalog.pg_extension_config_dump('omni.tracked_term', '');
SELECT pg_catalog.pg_extension_config_dump('omni.tracked_term_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('omni.action_phrase', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('omni.transcript_segment', '');
SELECT pg_catalog.pg_extension_config_dump('omni.call_insight', '');
SELECT pg_catalog.pg_extension_config_dump('omni.term_mention', '');
SELECT pg_catalog.pg_extension_config_dump('omni.action_item', '');

-- 91_insight_kpi.sql — conversation intelligence, part 2: seller figures
-- over a window with the previous window beside them, sentiment per day,
-- mentions, the team view for managers, and coaching comments (SPEC §8,
-- docs/conversation-intelligence.md).  Everything reads omni.call_insight
-- and omni.term_mention, computed once at load; nothing recomputes a call.

--- Who may read what -------------------------------------------------------------

-- Insight of agent a as the caller may read it: NULL = every queue (the
-- agent itself, admins, services), else the queues the caller supervises
-- (supervisors of one of the agent's queues); anyone else is refused.
CREATE FUNCTION omni._insight_scope(a bigint) RETURNS text[]
    LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF a IS NULL OR NOT EXISTS (SELECT 1 FROM omni.agent WHERE id = a) THEN
        IF omni._is_service() THEN
            RAISE EXCEPTION 'agent % does not exist', a USING ERRCODE = 'invalid_parameter_value';
        END IF;
        PERFORM omni._deny('read the insight of agent ' || coalesce(a::text, 'NULL'));
    END IF;
    IF omni._is_agent(a) OR omni._is_service() THEN
        RETURN NULL;
    END IF;
    IF omni._supervises_agent(a) THEN
        RETURN ARRAY(SELECT DISTINCT s.queue FROM omni.queue_supervisor s
                      WHERE pg_has_role(omni.caller(), s.db_role, 'MEMBER'));
    END IF;
    PERFORM omni._deny('read the insight of agent ' || a,
                       format('Role "%s" is neither agent %s nor a supervisor of its queues.', omni._caller_name(), a));
END $$;
COMMENT ON FUNCTION omni._insight_scope(bigint) IS
    'Queues whose calls of agent a the caller may read (NULL: all); raises insufficient_privilege for anyone but the agent, its supervisors, services and admins.';

--- Seller figures --------------------------------------------------------------------

CREATE FUNCTION omni._seller_figures(a bigint, t_from timestamptz, t_to timestamptz, queues text[],
    OUT calls integer, OUT avg_duration_s double precision, OUT avg_agent_talk_s double precision,
    OUT avg_customer_talk_s double precision, OUT avg_talk_to_listen_ratio double precision,
    OUT avg_agent_talk_share double precision, OUT avg_switches double precision, OUT avg_pause_ms double precision,
    OUT avg_longest_customer_monologue_s double precision, OUT avg_agent_words_per_minute double precision,
    OUT avg_interruptions double precision, OUT avg_agent_interruptions double precision,
    OUT avg_silence_s double precision, OUT avg_sentiment_score double precision,
    OUT positive_share double precision, OUT neutral_share double precision, OUT negative_share double precision,
    OUT keyword_mentions bigint, OUT competitor_mentions bigint, OUT action_items bigint)
    LANGUAGE sql STABLE AS $$
    SELECT count(*)::integer, avg(duration_s), avg(agent_talk_s), avg(customer_talk_s), avg(talk_to_listen_ratio),
           avg(agent_talk_share), avg(switches), avg(avg_pause_ms), avg(longest_customer_monologue_s),
           avg(agent_words_per_minute), avg(interruptions), avg(agent_interruptions), avg(silence_s),
           avg(sentiment_score),
           avg((sentiment > 'neutral')::integer) FILTER (WHERE sentiment IS NOT NULL),
           avg((sentiment = 'neutral')::integer) FILTER (WHERE sentiment IS NOT NULL),
           avg((sentiment < 'neutral')::integer) FILTER (WHERE sentiment IS NOT NULL),
           coalesce(sum(keyword_mentions), 0), coalesce(sum(competitor_mentions), 0), coalesce(sum(action_items), 0)
      FROM omni.call_insight
     WHERE agent_id = a AND started_at >= t_from AND started_at < t_to
       AND (queues IS NULL OR queue = ANY (queues))
$$;
COMMENT ON FUNCTION omni._seller_figures(bigint, timestamptz, timestamptz, text[]) IS
    'A seller''s figures over [t_from, t_to): per-call figures averaged over its calls (NULL figures of a call left out), sentiment shares over calls with a sentiment, sums of mentions and action items.';

CREATE FUNCTION omni.seller_kpi(agent_id bigint, "from" timestamptz, "to" timestamptz)
    RETURNS TABLE (figure text, value double precision, previous double precision, change double precision)
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    queues text[] := omni._insight_scope(agent_id);
BEGIN
    PERFORM omni._kpi_check_window("from", "to");
    RETURN QUERY
    SELECT f.figure, f.value, f.previous, f.value - f.previous
      FROM omni._seller_figures(agent_id, "from", "to", queues) n,
           omni._seller_figures(agent_id, "from" - ("to" - "from"), "from", queues) p,
           LATERAL (VALUES
             (1, 'calls', n.calls::double precision, p.calls::double precision),
             (2, 'avg_duration_s', n.avg_duration_s, p.avg_duration_s),
             (3, 'avg_agent_talk_s', n.avg_agent_talk_s, p.avg_agent_talk_s),
             (4, 'avg_customer_talk_s', n.avg_customer_talk_s, p.avg_customer_talk_s),
             (5, 'talk_to_listen_ratio', n.avg_talk_to_listen_ratio, p.avg_talk_to_listen_ratio),
             (6, 'agent_talk_share', n.avg_agent_talk_share, p.avg_agent_talk_share),
             (7, 'switches', n.avg_switches, p.avg_switches),
             (8, 'avg_pause_ms', n.avg_pause_ms, p.avg_pause_ms),
             (9, 'longest_customer_monologue_s', n.avg_longest_customer_monologue_s, p.avg_longest_customer_monologue_s),
             (10, 'agent_words_per_minute', n.avg_agent_words_per_minute, p.avg_agent_words_per_minute),
             (11, 'interruptions', n.avg_interruptions, p.avg_interruptions),
             (12, 'agent_interruptions', n.avg_agent_interruptions, p.avg_agent_interruptions),
             (13, 'silence_s', n.avg_silence_s, p.avg_silence_s),
             (14, 'sentiment_score', n.avg_sentiment_score, p.avg_sentiment_score),
             (15, 'positive_share', n.positive_share, p.positive_share),
             (16, 'neutral_share', n.neutral_share, p.neutral_share),
             (17, 'negative_share', n.negative_share, p.negative_share),
             (18, 'keyword_mentions', n.keyword_mentions::double precision, p.keyword_mentions::double precision),
             (19, 'competitor_mentions', n.competitor_mentions::double precision, p.competitor_mentions::double precision),
             (20, 'action_items', n.action_items::double precision, p.action_items::double precision)
           ) f(ord, figure, value, previous)
     ORDER BY f.ord;
END $$;
COMMENT ON FUNCTION omni.seller_kpi(bigint, timestamptz, timestamptz) IS
    'A seller''s conversation figures over calls started in [from, to): call count, each per-call figure averaged, sentiment shares (positive / neutral / negative), mentions and action items; each with its value over the previous window of the same length and the change. The agent itself, supervisors (calls of their queues) and admins.';

CREATE FUNCTION omni.seller_sentiment_trend(agent_id bigint, "from" timestamptz, "to" timestamptz)
    RETURNS TABLE (day date, calls integer, positive integer, neutral integer, negative integer,
                   avg_sentiment_score double precision)
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    queues text[] := omni._insight_scope(agent_id);
BEGIN
    PERFORM omni._kpi_check_window("from", "to");
    RETURN QUERY
    SELECT d.day::date, count(ci.conversation_id)::integer,
           count(*) FILTER (WHERE ci.sentiment > 'neutral')::integer,
           count(*) FILTER (WHERE ci.sentiment = 'neutral')::integer,
           count(*) FILTER (WHERE ci.sentiment < 'neutral')::integer,
           avg(ci.sentiment_score)
      FROM generate_series(date_trunc('day', "from"), "to" - interval '1 microsecond', interval '1 day') d(day)
      LEFT JOIN omni.call_insight ci
        ON ci.agent_id = seller_sentiment_trend.agent_id
       AND ci.started_at >= greatest(d.day, "from") AND ci.started_at < least(d.day + interval '1 day', "to")
       AND (queues IS NULL OR ci.queue = ANY (queues))
     GROUP BY d.day ORDER BY d.day;
END $$;
COMMENT ON FUNCTION omni.seller_sentiment_trend(bigint, timestamptz, timestamptz) IS
    'A seller''s customer sentiment per day (days of the session time zone, every day of the window): calls, positive / neutral / negative calls and the mean score.';

CREATE FUNCTION omni.seller_mentions(agent_id bigint, "from" timestamptz, "to" timestamptz)
    RETURNS TABLE (term text, kind omni.term_kind, mentions integer, calls integer, by_customer integer,
                   by_agent integer, avg_sentiment_score double precision)
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    queues text[] := omni._insight_scope(agent_id);
BEGIN
    PERFORM omni._kpi_check_window("from", "to");
    RETURN QUERY
    SELECT m.term, m.kind, count(*)::integer, count(DISTINCT m.conversation_id)::integer,
           count(*) FILTER (WHERE m.speaker = 'customer')::integer,
           count(*) FILTER (WHERE m.speaker = 'agent')::integer,
           avg(m.sentiment_score)
      FROM omni.term_mention m
     WHERE m.agent_id = seller_mentions.agent_id AND m.at >= "from" AND m.at < "to"
       AND (queues IS NULL OR m.queue = ANY (queues))
     GROUP BY m.term, m.kind
     ORDER BY count(*) DESC, m.term;
END $$;
COMMENT ON FUNCTION omni.seller_mentions(bigint, timestamptz, timestamptz) IS
    'Tracked keywords and competitors said in a seller''s calls in [from, to), most frequent first: mentions, calls, said by the customer / the agent, mean sentiment of the customer segments they were said in.';

--- Team view ----------------------------------------------------------------------------

CREATE FUNCTION omni.team_insight("from" timestamptz, "to" timestamptz, queue text DEFAULT NULL)
    RETURNS TABLE (agent_id bigint, name text, calls integer, avg_sentiment_score double precision,
                   positive_share double precision, negative_share double precision,
                   talk_to_listen_ratio double precision, agent_talk_share double precision,
                   switches double precision, avg_pause_ms double precision,
                   longest_customer_monologue_s double precision, agent_words_per_minute double precision,
                   agent_interruptions double precision,
                   team_sentiment_score double precision, team_agent_talk_share double precision,
                   team_agent_interruptions double precision,
                   needs_coaching boolean, leads boolean, reasons text[])
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    queues text[];
BEGIN
    PERFORM omni._kpi_check_window("from", "to");
    IF omni._is_service() THEN
        queues := CASE WHEN queue IS NULL THEN NULL ELSE ARRAY[queue] END;
    ELSE
        queues := ARRAY(SELECT DISTINCT s.queue FROM omni.queue_supervisor s
                         WHERE pg_has_role(omni.caller(), s.db_role, 'MEMBER')
                           AND (team_insight.queue IS NULL OR s.queue = team_insight.queue));
        IF cardinality(queues) = 0 THEN
            PERFORM omni._deny('read the team insight',
                               format('Role "%s" supervises no queue%s.', omni._caller_name(),
                                      coalesce(' named ' || team_insight.queue, '')));
        END IF;
    END IF;
    RETURN QUERY
    WITH sellers AS (
        SELECT a.id, a.name FROM omni.agent a
         WHERE a.id IN (SELECT m.agent_id FROM omni.queue_member m WHERE queues IS NULL OR m.queue = ANY (queues))
            OR (queues IS NULL AND a.id IN (SELECT ci.agent_id FROM omni.call_insight ci
                                             WHERE ci.started_at >= "from" AND ci.started_at < "to"))),
    per AS (
        SELECT s.id, s.name, f.*
          FROM sellers s CROSS JOIN LATERAL omni._seller_figures(s.id, "from", "to", queues) f),
    team AS (
        SELECT avg(p.avg_sentiment_score) AS sent, avg(p.avg_agent_talk_share) AS share,
               avg(p.avg_agent_interruptions) AS intr
          FROM per p WHERE p.calls >= omni._team_min_calls()),
    judged AS (
        SELECT p.*, t.sent AS t_sent, t.share AS t_share, t.intr AS t_intr,
               array_remove(ARRAY[
                   CASE WHEN p.avg_sentiment_score <= t.sent - 0.2 THEN 'low customer sentiment' END,
                   CASE WHEN p.avg_agent_talk_share >= 0.65 OR p.avg_agent_talk_share >= t.share + 0.15
                        THEN 'talks more than listens' END,
                   CASE WHEN p.avg_agent_interruptions >= 1 AND p.avg_agent_interruptions >= 2 * t.intr
                        THEN 'interrupts the customer' END], NULL) AS why
          FROM per p CROSS JOIN team t)
    SELECT j.id, j.name, j.calls, j.avg_sentiment_score, j.positive_share, j.negative_share,
           j.avg_talk_to_listen_ratio, j.avg_agent_talk_share, j.avg_switches, j.avg_pause_ms,
           j.avg_longest_customer_monologue_s, j.avg_agent_words_per_minute, j.avg_agent_interruptions,
           j.t_sent, j.t_share, j.t_intr,
           j.calls >= omni._team_min_calls() AND cardinality(j.why) > 0,
           j.calls >= omni._team_min_calls() AND cardinality(j.why) = 0
             AND j.avg_sentiment_score >= j.t_sent + 0.1
             AND j.avg_sentiment_score = (SELECT max(k.avg_sentiment_score) FROM judged k
                                           WHERE k.calls >= omni._team_min_calls() AND cardinality(k.why) = 0),
           CASE WHEN j.calls >= omni._team_min_calls() THEN j.why ELSE ARRAY['fewer calls than ' || omni._team_min_calls()] END
      FROM judged j
     ORDER BY j.avg_sentiment_score DESC NULLS LAST, j.id;
END $$;
COMMENT ON FUNCTION omni.team_insight(timestamptz, timestamptz, text) IS
    'Managers'' team page: every seller of the caller''s queues (admins: all sellers, or one queue) side by side over [from, to) with the team average (mean of the sellers'' averages); needs_coaching and leads by the rule in docs/conversation-intelligence.md, reasons listing what was found.';

CREATE FUNCTION omni._team_min_calls() RETURNS integer
    LANGUAGE sql IMMUTABLE AS $$ SELECT 3 $$;
COMMENT ON FUNCTION omni._team_min_calls() IS 'Calls a seller needs in the window to be judged by the team view (3).';

--- Coaching comments ----------------------------------------------------------------------

CREATE TABLE omni.coaching_comment (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    conversation_id  bigint NOT NULL REFERENCES omni.conversation (id),
    segment_id       bigint REFERENCES omni.transcript_segment (id) ON DELETE SET NULL,
    author           name NOT NULL,
    body             text NOT NULL CHECK (btrim(body) <> '' AND length(body) <= 4000),
    created_at       timestamptz NOT NULL,
    agent_id         bigint REFERENCES omni.agent (id),
    queue            text
);
CREATE INDEX coaching_comment_conversation_idx ON omni.coaching_comment (conversation_id);
COMMENT ON TABLE omni.coaching_comment IS
    'Comments of supervisors and admins on a segment of a call''s transcript, shared with the seller.';
COMMENT ON COLUMN omni.coaching_comment.id IS 'Comment id.';
COMMENT ON COLUMN omni.coaching_comment.conversation_id IS 'Conversation (call).';
COMMENT ON COLUMN omni.coaching_comment.segment_id IS 'Segment commented on; NULL once the transcript was replaced (the comment stays on the call).';
COMMENT ON COLUMN omni.coaching_comment.author IS 'Role that wrote it.';
COMMENT ON COLUMN omni.coaching_comment.body IS 'The comment (1 to 4000 characters).';
COMMENT ON COLUMN omni.coaching_comment.created_at IS 'When it was written (omni.now()).';
COMMENT ON COLUMN omni.coaching_comment.agent_id IS 'Seller of the call, who sees the comment.';
COMMENT ON COLUMN omni.coaching_comment.queue IS 'Queue of the call; its supervisors see the comment.';

CREATE FUNCTION omni.add_coaching_comment(segment_id bigint, body text) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    s   omni.transcript_segment;
    cid bigint;
BEGIN
    SELECT * INTO s FROM omni.transcript_segment t WHERE t.id = add_coaching_comment.segment_id;
    -- the same refusal whether the segment exists or not: no probing
    IF NOT FOUND AND NOT omni._is_admin() OR FOUND AND NOT (omni._is_admin() OR omni._supervises_queue(s.queue)) THEN
        PERFORM omni._deny('comment on segment ' || coalesce(segment_id::text, 'NULL'),
                           'Only supervisors of the call''s queue and admins comment on its transcript.');
    END IF;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'transcript segment % does not exist', segment_id USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF body IS NULL OR btrim(body) = '' OR length(body) > 4000 THEN
        RAISE EXCEPTION 'a coaching comment needs 1 to 4000 characters' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    INSERT INTO omni.coaching_comment (conversation_id, segment_id, author, body, created_at, agent_id, queue)
    VALUES (s.conversation_id, s.id, omni._caller_name(), body, omni.now(), s.agent_id, s.queue)
    RETURNING id INTO cid;
    IF s.agent_id IS NOT NULL THEN
        PERFORM omni._notify_agent(s.agent_id, 'coaching_comment',
                                   jsonb_build_object('comment_id', cid, 'conversation_id', s.conversation_id,
                                                      'segment_id', s.id));
    END IF;
    RETURN cid;
END $$;
COMMENT ON FUNCTION omni.add_coaching_comment(bigint, text) IS
    'A supervisor of the call''s queue (or an admin) comments on a transcript segment; the seller is notified on its channel; returns the comment id.';

--- Privileges -------------------------------------------------------------------------------

REVOKE ALL ON omni.coaching_comment FROM PUBLIC;
GRANT SELECT ON omni.coaching_comment TO omnichannel_agent, omnichannel_supervisor, omnichannel_service, omnichannel_admin;
ALTER TABLE omni.coaching_comment ENABLE ROW LEVEL SECURITY;
CREATE POLICY staff_all ON omni.coaching_comment FOR SELECT USING (omni._sees_everything());
CREATE POLICY agent_own ON omni.coaching_comment FOR SELECT TO omnichannel_agent
    USING (agent_id = omni.current_agent_id());
CREATE POLICY supervisor_queues ON omni.coaching_comment FOR SELECT TO omnichannel_supervisor
    USING (queue IN (SELECT omni.supervised_queues()));
SELECT pg_catalog.pg_extension_config_dump('omni.coaching_comment', '');

REVOKE ALL ON FUNCTION omni.seller_kpi(bigint, timestamptz, timestamptz),
    omni.seller_sentiment_trend(bigint, timestamptz, timestamptz),
    omni.seller_mentions(bigint, timestamptz, timestamptz),
    omni.team_insight(timestamptz, timestamptz, text),
    omni.add_coaching_comment(bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION omni.seller_kpi(bigint, timestamptz, timestamptz),
    omni.seller_sentiment_trend(bigint, timestamptz, timestamptz),
    omni.seller_mentions(bigint, timestamptz, timestamptz)
    TO omnichannel_agent, omnichannel_supervisor, omnichannel_service, omnichannel_admin;
GRANT EXECUTE ON FUNCTION omni.team_insight(timestamptz, timestamptz, text)
    TO omnichannel_supervisor, omnichannel_service, omnichannel_admin;
GRANT EXECUTE ON FUNCTION omni.add_coaching_comment(bigint, text) TO omnichannel_supervisor, omnichannel_admin;

-- Internal helpers: for the functions above only.
REVOKE ALL ON FUNCTION omni._store_transcript(omni.conversation, jsonb, bigint[]), omni._analyze_call(bigint),
    omni._transcript_max_segments(), omni._transcript_from_messages(), omni._insight_scope(bigint),
    omni._seller_figures(bigint, timestamptz, timestamptz, text[]), omni._team_min_calls() FROM PUBLIC;
