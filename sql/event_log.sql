-- event_log: omni._log and omni._log_agent, the one way to append an event
-- (src/event_log.c).  They insert the row directly into omni.event as the
-- extension ships it; a table with triggers or an extra column, or a caller
-- that row-level security or missing privileges apply to, gets a prepared
-- INSERT with every rule of one.  This test shows the rows are the same
-- either way and that the INSERT's rules hold when they must.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS omnichannel CASCADE;
CREATE EXTENSION omnichannel;
SELECT omni.pause_workers();   -- installcheck: this database's workers stay out of the way
RESET client_min_messages;
\set VERBOSITY terse
SET omnichannel.mock_now = '2026-03-02 09:00:00+00';

INSERT INTO omni.queue (name) VALUES ('sales');
INSERT INTO omni.workstream (name, channel, default_queue) VALUES ('chat', 'chat', 'sales');
INSERT INTO omni.agent (name, capacity_units) VALUES ('ann', 10);
INSERT INTO omni.queue_member (queue, agent_id) SELECT 'sales', id FROM omni.agent;
SELECT count(omni.login(id)) AS logged_in FROM omni.agent;

-- case: events_of_the_loop
-- enqueue, accept, end and close each append one event through omni._log:
-- every column filled from the conversation as it is after the change
SELECT omni.enqueue('chat', 'c1') AS c1 \gset
SELECT omni.route() AS offers;
SELECT omni.accept((SELECT id FROM omni.offer WHERE conversation_id = :c1));
SELECT omni.end_conversation(:c1);
SELECT omni.close_conversation(:c1);
SELECT e.kind, e.at, e.conversation_id = :c1 AS this_conversation, a.name AS agent, e.offer_id IS NOT NULL AS offer,
       e.queue, e.channel, e.from_state, e.to_state, e.actor, e.detail
  FROM omni.event e LEFT JOIN omni.agent a ON a.id = e.agent_id
 WHERE e.conversation_id = :c1 ORDER BY e.id;
-- ids come from the table's identity, which the set-based writers (the
-- router's offered event, presence changes) share
SELECT count(*) = count(DISTINCT id) AND max(id) = (SELECT last_value FROM omni.event_id_seq)
       AND max(id) = count(*) AS ids_from_the_identity
  FROM omni.event;

-- case: agent_events
SELECT omni.set_presence((SELECT id FROM omni.agent), 'Away');
SELECT omni._log_agent('test_marker', (SELECT id FROM omni.agent), NULL);
SELECT kind, conversation_id, a.name AS agent, actor, detail
  FROM omni.event e JOIN omni.agent a ON a.id = e.agent_id
 WHERE e.kind = 'test_marker';

-- case: the_insert_rules_hold
-- a NULL kind breaks the NOT NULL of kind, as the INSERT would; nothing is appended
SELECT count(*) AS events_before FROM omni.event \gset
SELECT omni._log(NULL, c) FROM omni.conversation c WHERE id = :c1;
SELECT omni._log_agent(NULL, 1);
SELECT count(*) - :events_before AS appended FROM omni.event;
-- an unknown conversation row (NULL) gives an event of no conversation
SELECT omni._log('test_no_conversation', NULL::omni.conversation, agent => NULL);
SELECT kind, conversation_id, agent_id, queue, to_state, detail FROM omni.event WHERE kind = 'test_no_conversation';

-- case: triggers_and_extra_columns
-- a DBA's row and statement triggers and a column with a default: the row
-- then goes through the INSERT, so each fires and the default is computed
CREATE TABLE public.event_audit (what text, n bigint);
CREATE FUNCTION public.event_row_audit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.detail := NEW.detail || '{"audited": true}';
    INSERT INTO public.event_audit VALUES ('row ' || NEW.kind, NULL);
    RETURN NEW;
END $$;
CREATE FUNCTION public.event_statement_audit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO public.event_audit SELECT 'statement', count(*) FROM new_rows;
    RETURN NULL;
END $$;
CREATE TRIGGER audit_row BEFORE INSERT ON omni.event FOR EACH ROW EXECUTE FUNCTION public.event_row_audit();
CREATE TRIGGER audit_statement AFTER INSERT ON omni.event REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION public.event_statement_audit();
ALTER TABLE omni.event ADD COLUMN site text NOT NULL DEFAULT 'paris';
SELECT omni.enqueue('chat', 'c2') AS c2 \gset
SELECT kind, detail, site FROM omni.event WHERE conversation_id = :c2 ORDER BY id;
SELECT what, n FROM public.event_audit ORDER BY what;
-- gone again: the direct insert resumes and its rows look the same
DROP TRIGGER audit_row ON omni.event;
DROP TRIGGER audit_statement ON omni.event;
ALTER TABLE omni.event DROP COLUMN site;
TRUNCATE public.event_audit;
SELECT omni.abandon(:c2);
SELECT kind, from_state, to_state, detail FROM omni.event WHERE conversation_id = :c2 ORDER BY id;
SELECT count(*) AS audited FROM public.event_audit;

-- case: a_missing_column_is_refused_every_time
-- omni.event without one of its columns: each call is refused (42703), the
-- second as the first (the backend does not keep the half-read table), and
-- once the column is back the events go in again
ALTER TABLE omni.event RENAME COLUMN actor TO actor_renamed;
SELECT omni._log_agent('test_missing', 1);
SELECT omni._log_agent('test_missing', 1);
ALTER TABLE omni.event RENAME COLUMN actor_renamed TO actor;
SELECT omni._log_agent('test_back', 1);
SELECT kind, count(*) FROM omni.event WHERE kind IN ('test_missing', 'test_back') GROUP BY kind;

-- case: privileges_and_policies
-- a role allowed to call omni._log but not to insert into omni.event is
-- refused as the INSERT would refuse it; one with INSERT but under
-- row-level security (omni.event has policies for reading only) is refused
-- by the policy
CREATE ROLE event_log_caller;
GRANT USAGE ON SCHEMA omni TO event_log_caller;
GRANT EXECUTE ON FUNCTION omni._log_agent(text, bigint, jsonb) TO event_log_caller;
SET ROLE event_log_caller;
SELECT omni._log_agent('test_denied', 1);
RESET ROLE;
GRANT INSERT ON omni.event TO event_log_caller;
GRANT USAGE ON SEQUENCE omni.event_id_seq TO event_log_caller;
SET ROLE event_log_caller;
SELECT omni._log_agent('test_denied', 1);
RESET ROLE;
SELECT count(*) AS denied_appended FROM omni.event WHERE kind = 'test_denied';
REVOKE ALL ON omni.event FROM event_log_caller;
REVOKE ALL ON SEQUENCE omni.event_id_seq FROM event_log_caller;
REVOKE ALL ON FUNCTION omni._log_agent(text, bigint, jsonb) FROM event_log_caller;
REVOKE ALL ON SCHEMA omni FROM event_log_caller;
DROP ROLE event_log_caller;

DROP TABLE public.event_audit;
DROP FUNCTION public.event_row_audit(), public.event_statement_audit();
