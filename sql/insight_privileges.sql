-- insight_privileges.sql — who reads and writes conversation intelligence,
-- tried as attacks: an agent reads only its own calls, a supervisor only its
-- queues' calls, comments only on those; transcripts are loaded by services
-- and admins; tracked terms are admin lists, per-queue lists for supervisors.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS omnichannel CASCADE;
CREATE EXTENSION omnichannel;
SELECT omni.pause_workers();   -- installcheck: this database's workers stay out of the way
RESET client_min_messages;
\set VERBOSITY terse
SET omnichannel.mock_now = '2026-03-02 09:00:00+00';
SET TimeZone = 'UTC';
DO $$ DECLARE r text; BEGIN
    FOREACH r IN ARRAY ARRAY['regress_ins_ann', 'regress_ins_bob', 'regress_ins_sup1', 'regress_ins_sup2',
                             'regress_ins_admin', 'regress_ins_service', 'regress_ins_outsider'] LOOP
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN EXECUTE format('DROP ROLE %I', r); END IF;
    END LOOP; END $$;
CREATE ROLE regress_ins_ann LOGIN IN ROLE omnichannel_agent;
CREATE ROLE regress_ins_bob LOGIN IN ROLE omnichannel_agent;
CREATE ROLE regress_ins_sup1 LOGIN IN ROLE omnichannel_supervisor;
CREATE ROLE regress_ins_sup2 LOGIN IN ROLE omnichannel_supervisor;
CREATE ROLE regress_ins_admin LOGIN IN ROLE omnichannel_admin;
CREATE ROLE regress_ins_service LOGIN IN ROLE omnichannel_service;
CREATE ROLE regress_ins_outsider;

SET ROLE regress_ins_admin;
INSERT INTO omni.queue (name) VALUES ('iq1'), ('iq2');
INSERT INTO omni.queue_supervisor (queue, db_role) VALUES ('iq1', 'regress_ins_sup1'), ('iq2', 'regress_ins_sup2');
INSERT INTO omni.workstream (name, channel, default_queue) VALUES ('ivoice', 'voice', 'iq1');
INSERT INTO omni.agent (id, name, db_role) VALUES (1, 'ann', 'regress_ins_ann'), (2, 'bob', 'regress_ins_bob');
INSERT INTO omni.queue_member (queue, agent_id) VALUES ('iq1', 1), ('iq1', 2), ('iq2', 1);
INSERT INTO omni.tracked_term (term, kind) VALUES ('price', 'keyword');
RESET ROLE;
INSERT INTO omni.customer (name) VALUES ('ic');
-- calls: 1 = ann in iq1, 2 = bob in iq1, 3 = ann in iq2
INSERT INTO omni.conversation (workstream, channel, queue, customer, customer_id, state, agent_id,
                               created_at, accepted_at, closed_at, last_activity_at, created_by)
SELECT 'ivoice', 'voice', q, 'ic', (SELECT id FROM omni.customer), 'closed', a,
       '2026-03-01 10:00+00', '2026-03-01 10:00+00', '2026-03-01 10:10+00', '2026-03-01 10:10+00',
       'regress_ins_service'   -- the connector that created the calls loads their transcripts
  FROM (VALUES (1, 'iq1'), (2, 'iq1'), (1, 'iq2')) v(a, q);
\set t '[{"speaker": "agent", "start_ms": 0, "end_ms": 2000, "body": "I will send you the price list."}, {"speaker": "customer", "start_ms": 2000, "end_ms": 4000, "body": "The price is too high."}]'

-- loading_transcripts: services and admins only
SET ROLE regress_ins_ann;
SELECT omni.load_transcript(1, :'t');
SELECT omni.load_transcripts('[]');
SET ROLE regress_ins_sup1;
SELECT omni.load_transcript(1, :'t');
SET ROLE regress_ins_outsider;
SELECT omni.load_transcript(1, :'t');
SET ROLE regress_ins_service;
SELECT omni.load_transcript(1, :'t'), omni.load_transcript(2, :'t');
SET ROLE regress_ins_admin;
SELECT omni.load_transcript(3, :'t');
SELECT omni.refresh_call_insight(3);
SET ROLE regress_ins_service;
SELECT omni.refresh_call_insight(3);

-- writing_the_tables_directly_is_refused_even_for_admins
SET ROLE regress_ins_admin;
UPDATE omni.call_insight SET sentiment_score = 1;
DELETE FROM omni.transcript_segment;
INSERT INTO omni.coaching_comment (conversation_id, author, body, created_at) VALUES (1, 'x', 'x', now());

-- the seller (agent 1) listens on its desktop channel
RESET ROLE;
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS dblink;
RESET client_min_messages;
SELECT dblink_connect('ins_listener', format('host=%s port=%s dbname=%s',
       split_part(current_setting('unix_socket_directories'), ',', 1), current_setting('port'), current_database()));
SELECT dblink_exec('ins_listener', 'LISTEN omni_agent_1');

-- coaching_comments: supervisors of the call's queue and admins
SET ROLE regress_ins_sup1;
SELECT omni.add_coaching_comment((SELECT min(id) FROM omni.transcript_segment WHERE conversation_id = 1), 'Ask about the budget first.') AS sup1_on_ann;
SELECT omni.add_coaching_comment((SELECT min(id) FROM omni.transcript_segment WHERE conversation_id = 2), 'Good price framing.') AS sup1_on_bob;
-- a segment of another queue, and one that does not exist: the same refusal
SET ROLE regress_ins_admin;
SELECT min(id) AS seg3 FROM omni.transcript_segment WHERE conversation_id = 3 \gset
SET ROLE regress_ins_sup1;
SELECT omni.add_coaching_comment(:seg3, 'not my queue');
SELECT omni.add_coaching_comment(999999, 'probing');
SELECT omni.add_coaching_comment((SELECT min(id) FROM omni.transcript_segment WHERE conversation_id = 1), '   ');
SET ROLE regress_ins_ann;
SELECT omni.add_coaching_comment((SELECT min(id) FROM omni.transcript_segment WHERE conversation_id = 1), 'praising myself');
SET ROLE regress_ins_service;
SELECT omni.add_coaching_comment(:seg3, 'services do not coach');
SET ROLE regress_ins_admin;
SELECT omni.add_coaching_comment(:seg3, 'Admin note.') AS admin_on_ann_iq2;
SELECT omni.add_coaching_comment(999999, 'x');

-- the seller was told of the two comments on its calls (ids and kinds only)
RESET ROLE;
SELECT x FROM dblink('ins_listener', 'SELECT 1') AS t(x int);  -- a round trip delivers pending notifications
SELECT notify_name, extra::jsonb - 'comment_id' - 'segment_id' AS payload, extra::jsonb ? 'comment_id' AS has_comment_id
  FROM dblink_get_notify('ins_listener');
SELECT dblink_disconnect('ins_listener');

-- reading: each role sees its rows (calls / segments / mentions / action items / comments)
CREATE FUNCTION pg_temp.seen() RETURNS TABLE (who name, calls text, segments bigint, mentions bigint, actions bigint, comments text)
    LANGUAGE sql AS $$
    SELECT current_user,
           (SELECT string_agg(conversation_id::text, ',' ORDER BY conversation_id) FROM omni.call_insight),
           (SELECT count(*) FROM omni.transcript_segment), (SELECT count(*) FROM omni.term_mention),
           (SELECT count(*) FROM omni.action_item),
           (SELECT string_agg(body, ' | ' ORDER BY id) FROM omni.coaching_comment) $$;
RESET ROLE;
SET ROLE regress_ins_ann;      SELECT * FROM pg_temp.seen();
SET ROLE regress_ins_bob;      SELECT * FROM pg_temp.seen();
SET ROLE regress_ins_sup1;     SELECT * FROM pg_temp.seen();
SET ROLE regress_ins_sup2;     SELECT * FROM pg_temp.seen();
SET ROLE regress_ins_admin;    SELECT * FROM pg_temp.seen();
SET ROLE regress_ins_service;  SELECT * FROM pg_temp.seen();
SET ROLE regress_ins_outsider;
SELECT count(*) FROM omni.call_insight;
SELECT count(*) FROM omni.coaching_comment;

-- seller_pages: the seller itself, its supervisors (their queues' calls only), admins
SET ROLE regress_ins_ann;
SELECT value AS ann_own_calls FROM omni.seller_kpi(1, '2026-03-01', '2026-03-02') WHERE figure = 'calls';
SELECT omni.seller_kpi(2, '2026-03-01', '2026-03-02');
SELECT * FROM omni.seller_sentiment_trend(2, '2026-03-01', '2026-03-02');
SELECT * FROM omni.seller_mentions(2, '2026-03-01', '2026-03-02');
SELECT * FROM omni.team_insight('2026-03-01', '2026-03-02');
SET ROLE regress_ins_sup1;
SELECT value AS sup1_sees_ann_calls FROM omni.seller_kpi(1, '2026-03-01', '2026-03-02') WHERE figure = 'calls';
SELECT sum(calls) AS sup1_trend_calls FROM omni.seller_sentiment_trend(1, '2026-03-01', '2026-03-02');
SELECT term, mentions FROM omni.seller_mentions(1, '2026-03-01', '2026-03-02');
SELECT name, calls FROM omni.team_insight('2026-03-01', '2026-03-02') ORDER BY name;
SELECT name, calls FROM omni.team_insight('2026-03-01', '2026-03-02', 'iq2');
SET ROLE regress_ins_sup2;
SELECT value AS sup2_sees_ann_calls FROM omni.seller_kpi(1, '2026-03-01', '2026-03-02') WHERE figure = 'calls';
SELECT omni.seller_kpi(2, '2026-03-01', '2026-03-02');
SELECT name, calls FROM omni.team_insight('2026-03-01', '2026-03-02') ORDER BY name;
SET ROLE regress_ins_admin;
SELECT name, calls FROM omni.team_insight('2026-03-01', '2026-03-02') ORDER BY name;
SET ROLE regress_ins_outsider;
SELECT omni.seller_kpi(1, '2026-03-01', '2026-03-02');
-- top_customer_terms counts only the calls the caller may read
SET ROLE regress_ins_bob;
SELECT term, mentions, calls FROM omni.top_customer_terms('2026-03-01', '2026-03-02');
SET ROLE regress_ins_sup2;
SELECT term, mentions, calls FROM omni.top_customer_terms('2026-03-01', '2026-03-02');
SET ROLE regress_ins_admin;
SELECT term, mentions, calls FROM omni.top_customer_terms('2026-03-01', '2026-03-02');

-- tracked_terms: admins any; supervisors their queues' terms only; agents none
SET ROLE regress_ins_ann;
INSERT INTO omni.tracked_term (term) VALUES ('agent term');
SELECT count(*) AS ann_reads_terms FROM omni.tracked_term;
SET ROLE regress_ins_sup1;
INSERT INTO omni.tracked_term (term, kind, queue) VALUES ('RivalCo', 'competitor', 'iq1');
INSERT INTO omni.tracked_term (term, kind, queue) VALUES ('RivalCo', 'competitor', 'iq2');
INSERT INTO omni.tracked_term (term, kind) VALUES ('org wide by a supervisor', 'keyword');
UPDATE omni.tracked_term SET queue = 'iq1' WHERE term = 'price';
DELETE FROM omni.tracked_term WHERE term = 'price';
UPDATE omni.tracked_term SET queue = 'iq2' WHERE term = 'RivalCo';
SET ROLE regress_ins_admin;
SELECT term, kind, queue, created_by FROM omni.tracked_term ORDER BY id;
INSERT INTO omni.action_phrase (language, action, phrase) VALUES ('en', 'call', 'i shall ring you');
SET ROLE regress_ins_sup1;
INSERT INTO omni.action_phrase (language, action, phrase) VALUES ('en', 'call', 'i shall phone you');
RESET ROLE;
