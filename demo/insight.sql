-- demo/insight.sql — conversation intelligence: a small inside-sales team
-- (four sellers, one manager queue) with a day of transcribed calls, tracked
-- keywords and competitors.  Styles differ on purpose: Sofia listens,
-- Marco talks over his customers, Lena is balanced, Tom's customers are
-- unhappy.  demo/seller_page.sql prints what the manager sees.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
INSERT INTO omni.queue (name, priority, assignment_method) VALUES ('inside-sales', 60, 'round_robin');
INSERT INTO omni.workstream (name, channel, default_queue) VALUES ('sales-calls', 'voice', 'inside-sales');
INSERT INTO omni.agent (name) VALUES ('Sofia'), ('Marco'), ('Lena'), ('Tom');
INSERT INTO omni.customer (name) VALUES ('demo caller') RETURNING id AS demo_customer \gset
INSERT INTO omni.queue_member (queue, agent_id)
SELECT 'inside-sales', id FROM omni.agent WHERE name IN ('Sofia', 'Marco', 'Lena', 'Tom');
INSERT INTO omni.tracked_term (term, kind) VALUES
    ('price', 'keyword'), ('discount', 'keyword'), ('contract', 'keyword'), ('fiber', 'keyword'),
    ('Acme Telecom', 'competitor'), ('Skynet Mobile', 'competitor');

-- Eight calls per seller today, 40 minutes apart from 08:00.
CREATE TEMP TABLE demo_call AS
SELECT a.id AS agent_id, a.name, k,
       date_trunc('day', now()) + interval '8 hours' + (k * 40 + a.id % 7) * interval '1 minute' AS t
  FROM omni.agent a, generate_series(0, 7) k
 WHERE a.name IN ('Sofia', 'Marco', 'Lena', 'Tom');
WITH conv AS (
    INSERT INTO omni.conversation (workstream, channel, queue, customer, customer_id, context, state, agent_id,
                                   last_agent_id, created_at, accepted_at, closed_at, last_activity_at)
    SELECT 'sales-calls', 'voice', 'inside-sales', 'demo caller', :demo_customer,
           jsonb_build_object('language', 'en', 'demo_call', name || '/' || k), 'closed', agent_id, agent_id,
           t, t, t + interval '12 minutes', t + interval '12 minutes'
      FROM demo_call
    RETURNING id, agent_id, context ->> 'demo_call' AS tag)
SELECT count(*) AS calls FROM conv \gset

-- Transcripts: twelve turns, the style of each seller in the timing and words.
SELECT omni.load_transcripts(jsonb_agg(jsonb_build_object('conversation_id', c.id, 'segments', s.segments)))
       AS segments_loaded
  FROM omni.conversation c
  JOIN LATERAL (
    SELECT jsonb_agg(jsonb_build_object(
               'speaker', CASE WHEN turn % 2 = 0 THEN 'agent' ELSE 'customer' END,
               'start_ms', st, 'end_ms', st + len, 'body', body) ORDER BY turn) AS segments
      FROM (SELECT turn, body,
                   -- Marco: long turns that start before the customer is done
                   CASE split_part(c.context ->> 'demo_call', '/', 1)
                        WHEN 'Marco' THEN turn * 9000 - CASE WHEN turn % 2 = 0 AND turn > 0 THEN 7000 ELSE 0 END
                        WHEN 'Sofia' THEN turn * 7000 + CASE WHEN turn % 2 = 0 THEN 600 ELSE 0 END
                        ELSE turn * 8000 + CASE WHEN turn = 6 THEN 4000 ELSE 300 END END AS st,
                   CASE split_part(c.context ->> 'demo_call', '/', 1)
                        WHEN 'Marco' THEN CASE WHEN turn % 2 = 0 THEN 8500 ELSE 3000 END
                        WHEN 'Sofia' THEN CASE WHEN turn % 2 = 0 THEN 3000 ELSE 6000 END
                        ELSE 5000 END AS len
              FROM (SELECT turn, CASE
                      WHEN turn % 2 = 0 THEN (ARRAY[
                        'Thanks for calling, how can I help you today?',
                        'Could you tell me how you use the internet at home?',
                        'Our fiber plan is twice as fast for the same price.',
                        'I can offer a discount if you sign the contract this month.',
                        'I understand. Let me check what we can do about that.',
                        'I will send you the offer by email right after this call.'])[turn / 2 + 1]
                      WHEN split_part(c.context ->> 'demo_call', '/', 1) = 'Tom' THEN (ARRAY[
                        'My connection keeps dropping, this is really frustrating.',
                        'Honestly the service has been terrible for weeks.',
                        'Acme Telecom offered me a better price.',
                        'I am not happy, I want to cancel the contract.',
                        'Fine, but I am still annoyed.',
                        'Whatever, send it.'])[turn / 2 + 1]
                      ELSE (ARRAY[
                        'Hi, I am calling about upgrading my plan.',
                        'We stream a lot and work from home, it is great when it works.',
                        'That sounds good. Skynet Mobile is cheaper though.',
                        'A discount would be great, thank you.',
                        'Perfect, I really appreciate your help.',
                        'Wonderful, thanks a lot!'])[turn / 2 + 1] END AS body
                      FROM generate_series(0, 11) turn) x) y
  ) s ON true
 WHERE c.workstream = 'sales-calls';

-- The manager of the team.
DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'demo_sales_manager') THEN
        CREATE ROLE demo_sales_manager LOGIN IN ROLE omnichannel_supervisor;
    END IF;
END $$;
INSERT INTO omni.queue_supervisor (queue, db_role) VALUES ('inside-sales', 'demo_sales_manager');
