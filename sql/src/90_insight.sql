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
    conversation_id  bigint NOT NULL,
    seq              integer NOT NULL CHECK (seq > 0),
    speaker          omni.sender NOT NULL CHECK (speaker IN ('agent', 'customer')),
    agent_id         bigint,
    queue            text,
    start_ms         integer NOT NULL CHECK (start_ms >= 0),
    end_ms           integer NOT NULL CHECK (end_ms >= start_ms),
    body             text NOT NULL,
    language         text,
    sentiment        omni.sentiment_level,
    sentiment_score  real CHECK (sentiment_score BETWEEN -1 AND 1),
    profanity        smallint CHECK (profanity BETWEEN 0 AND 3),
    message_id       bigint,
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
    conversation_id  bigint NOT NULL,
    segment_id       bigint NOT NULL,
    term_id          bigint,
    term             text NOT NULL,
    kind             omni.term_kind NOT NULL,
    speaker          omni.sender NOT NULL,
    agent_id         bigint,
    queue            text,
    at               timestamptz NOT NULL,
    sentiment        omni.sentiment_level,
    sentiment_score  real
);
CREATE INDEX term_mention_conversation_idx ON omni.term_mention (conversation_id);
CREATE INDEX term_mention_agent_idx ON omni.term_mention (agent_id, at);
COMMENT ON TABLE omni.term_mention IS 'Every match of a tracked term in a transcript, with the sentiment of the segment it was said in.';
COMMENT ON COLUMN omni.term_mention.id IS 'Mention id.';
COMMENT ON COLUMN omni.term_mention.conversation_id IS 'Conversation.';
COMMENT ON COLUMN omni.term_mention.segment_id IS 'Segment it was said in.';
COMMENT ON COLUMN omni.term_mention.term_id IS 'The tracked term (it may have been deleted since; term keeps its text).';
COMMENT ON COLUMN omni.term_mention.term IS 'The term as tracked when matched.';
COMMENT ON COLUMN omni.term_mention.kind IS 'keyword or competitor.';
COMMENT ON COLUMN omni.term_mention.speaker IS 'Who said it: agent or customer.';
COMMENT ON COLUMN omni.term_mention.agent_id IS 'Seller of the call.';
COMMENT ON COLUMN omni.term_mention.queue IS 'Queue of the call.';
COMMENT ON COLUMN omni.term_mention.at IS 'When it was said: call start plus the segment''s start_ms.';
COMMENT ON COLUMN omni.term_mention.sentiment IS 'Sentiment of the segment (customer segments; NULL when the agent said it).';
COMMENT ON COLUMN omni.term_mention.sentiment_score IS 'Score of the segment.';

-- Per call and term: what the seller and team pages sum (a page reads one
-- row per term and call instead of every mention).
CREATE TABLE omni.call_term (
    conversation_id  bigint NOT NULL,
    term_id          bigint,
    term             text NOT NULL,
    kind             omni.term_kind NOT NULL,
    agent_id         bigint,
    queue            text,
    started_at       timestamptz NOT NULL,
    mentions         integer NOT NULL,
    by_customer      integer NOT NULL,
    by_agent         integer NOT NULL,
    sentiment_sum    double precision NOT NULL,
    sentiment_count  integer NOT NULL,
    PRIMARY KEY (conversation_id, term, kind)
);
CREATE INDEX call_term_agent_idx ON omni.call_term (agent_id, started_at);
CREATE INDEX call_term_started_idx ON omni.call_term (started_at);
COMMENT ON TABLE omni.call_term IS 'Mentions of each tracked term in each call, summed (the seller and team pages read these).';
COMMENT ON COLUMN omni.call_term.conversation_id IS 'Conversation.';
COMMENT ON COLUMN omni.call_term.term_id IS 'The tracked term (it may have been deleted since).';
COMMENT ON COLUMN omni.call_term.term IS 'The term as tracked when matched.';
COMMENT ON COLUMN omni.call_term.kind IS 'keyword or competitor.';
COMMENT ON COLUMN omni.call_term.agent_id IS 'Seller of the call.';
COMMENT ON COLUMN omni.call_term.queue IS 'Queue of the call.';
COMMENT ON COLUMN omni.call_term.started_at IS 'Start of the call (omni.call_insight.started_at); page windows use it.';
COMMENT ON COLUMN omni.call_term.mentions IS 'Mentions in the call.';
COMMENT ON COLUMN omni.call_term.by_customer IS 'Of those, said by the customer.';
COMMENT ON COLUMN omni.call_term.by_agent IS 'Of those, said by the agent.';
COMMENT ON COLUMN omni.call_term.sentiment_sum IS 'Sum of the sentiment scores of the customer segments it was said in.';
COMMENT ON COLUMN omni.call_term.sentiment_count IS 'Number of scores in sentiment_sum.';

CREATE TABLE omni.action_item (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    conversation_id  bigint NOT NULL,
    segment_id       bigint NOT NULL,
    agent_id         bigint,
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

    -- Derived rows carry no per-row foreign keys (a load writes hundreds per
    -- call); this function and omni._analyze_call keep them consistent under
    -- the conversation's row lock.  Comments stay on the call.
    DELETE FROM omni.term_mention WHERE conversation_id = c.id;
    DELETE FROM omni.call_term WHERE conversation_id = c.id;
    DELETE FROM omni.action_item WHERE conversation_id = c.id;
    UPDATE omni.coaching_comment SET segment_id = NULL WHERE conversation_id = c.id AND segment_id IS NOT NULL;
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
    DELETE FROM omni.call_term WHERE conversation_id = conv;
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
     WHERE h.kind = 'action' AND h.speaker = 'agent'
     ORDER BY h.segment_id, h.seg, p.id;

    INSERT INTO omni.call_term (conversation_id, term_id, term, kind, agent_id, queue, started_at, mentions,
                                by_customer, by_agent, sentiment_sum, sentiment_count)
    SELECT conv, min(tm.term_id), tm.term, tm.kind, coalesce(c.agent_id, c.last_agent_id), c.queue, t0, count(*),
           count(*) FILTER (WHERE tm.speaker = 'customer'), count(*) FILTER (WHERE tm.speaker = 'agent'),
           coalesce(sum(tm.sentiment_score), 0), count(tm.sentiment_score)
      FROM omni.term_mention tm WHERE tm.conversation_id = conv
     GROUP BY tm.term, tm.kind;

    INSERT INTO omni.call_insight AS ci
    SELECT conv, coalesce(c.agent_id, c.last_agent_id), c.queue, c.channel, t0, lang, cardinality(bodies),
           m.duration_s, m.agent_talk_s, m.customer_talk_s, m.talk_to_listen_ratio, m.agent_talk_share, m.switches,
           m.avg_pause_ms, m.longest_customer_monologue_s, m.agent_words, m.agent_words_per_minute, m.interruptions,
           m.agent_interruptions, m.silence_s, sent.level, sent.score,
           (SELECT coalesce(sum(ct.mentions), 0) FROM omni.call_term ct WHERE ct.conversation_id = conv AND ct.kind = 'keyword'),
           (SELECT coalesce(sum(ct.mentions), 0) FROM omni.call_term ct WHERE ct.conversation_id = conv AND ct.kind = 'competitor'),
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
    -- a connector loads the calls it created (docs/security.md)
    PERFORM omni._authorize_service(c, 'load the transcript of');
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
    c     omni.conversation;
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
        c := omni._lock_conversation(t.id);
        PERFORM omni._authorize_service(c, 'load the transcript of');
        total := total + omni._store_transcript(c, t.segments);
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
        -- messages are stored in time order, so the i-th segment is the i-th message;
        -- closing a conversation never fails because of its insight
        BEGIN
            PERFORM omni._store_transcript(NEW, segs, ids);
            PERFORM omni._analyze_call(NEW.id);
        EXCEPTION WHEN OTHERS THEN
            RAISE WARNING 'no conversation insight for conversation %: %', NEW.id, SQLERRM;
        END;
    END IF;
    RETURN NULL;
END $$;
COMMENT ON FUNCTION omni._transcript_from_messages() IS
    'Trigger: a closing chat, SMS, e-mail or social conversation gets its messages as transcript and its insight.';
-- OF closed_at, not OF state: every close sets closed_at (CHECK
-- conversation_state_rules: closed exactly when closed_at is set), and the
-- accept and the end, which change the state, then do not read and plan
-- this WHEN clause (docs/design.md, "Hot tables").  (Not gated on
-- message_count: messages loaded by other means than omni.post_message, a
-- migration say, still become the transcript.)  A conversation without an
-- agent or customer message has no transcript: the WHEN clause asks the
-- message index (a C probe), so such a close does not start the trigger's
-- SECURITY DEFINER function.
CREATE FUNCTION omni._has_transcript_messages(conversation_id bigint) RETURNS boolean
    LANGUAGE c STABLE STRICT AS 'MODULE_PATHNAME', 'omni_has_transcript_messages';
COMMENT ON FUNCTION omni._has_transcript_messages(bigint) IS
    'Whether the conversation has an agent or customer message (what becomes its transcript): the WHEN clause of trigger insight_on_close.';
REVOKE ALL ON FUNCTION omni._has_transcript_messages(bigint) FROM PUBLIC;   -- created after 70_security.sql
CREATE TRIGGER insight_on_close AFTER UPDATE OF closed_at ON omni.conversation
    FOR EACH ROW WHEN (NEW.state = 'closed' AND OLD.state <> 'closed' AND NEW.channel <> 'voice'
                       AND omni._has_transcript_messages(NEW.id))
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
    FOREACH t IN ARRAY ARRAY['transcript_segment', 'call_insight', 'term_mention', 'call_term', 'action_item'] LOOP
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
SELECT pg_catalog.pg_extension_config_dump('omni.call_term', '');
SELECT pg_catalog.pg_extension_config_dump('omni.action_item', '');
SELECT pg_catalog.pg_extension_config_dump('omni.action_phrase_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('omni.transcript_segment_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('omni.term_mention_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('omni.action_item_id_seq', '');
