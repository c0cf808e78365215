-- security_matrix: the attack matrix of issue 10 (role x action x expected
-- SQLSTATE), listed in docs/security.md.  Each row runs the action as that
-- role; 'ok' means it succeeded.
\set ON_ERROR_STOP 1
BEGIN;
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS omnichannel;
SELECT plan(83);

CREATE ROLE sec_ann LOGIN IN ROLE omnichannel_agent;
CREATE ROLE sec_bob LOGIN IN ROLE omnichannel_agent;
CREATE ROLE sec_carl LOGIN IN ROLE omnichannel_agent;
CREATE ROLE sec_sup LOGIN IN ROLE omnichannel_supervisor;
CREATE ROLE sec_admin LOGIN IN ROLE omnichannel_admin;
CREATE ROLE sec_svc LOGIN IN ROLE omnichannel_service;
CREATE ROLE sec_svc2 LOGIN IN ROLE omnichannel_service;
CREATE ROLE sec_out LOGIN;
CREATE ROLE sec_nologin IN ROLE omnichannel_agent;

-- Run a statement as a role: 'ok' or the SQLSTATE it failed with.
CREATE FUNCTION pg_temp.try(r text, q text) RETURNS text
    LANGUAGE plpgsql AS $$
DECLARE
    result text := 'ok';
BEGIN
    EXECUTE format('SET LOCAL ROLE %I', r);
    BEGIN
        EXECUTE q;
    EXCEPTION WHEN OTHERS THEN
        result := SQLSTATE;
    END;
    RESET ROLE;
    RETURN result;
END $$;
-- The same, with the whole error text (message, detail, hint).
CREATE FUNCTION pg_temp.err(r text, q text) RETURNS text
    LANGUAGE plpgsql AS $$
DECLARE
    result text := 'ok';
    m text; d text; h text;
BEGIN
    EXECUTE format('SET LOCAL ROLE %I', r);
    BEGIN
        EXECUTE q;
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS m = MESSAGE_TEXT, d = PG_EXCEPTION_DETAIL, h = PG_EXCEPTION_HINT;
        result := SQLSTATE || ': ' || m || ' / ' || coalesce(d, '') || ' / ' || coalesce(h, '');
    END;
    RESET ROLE;
    RETURN result;
END $$;
-- The value of a scalar query as a role.
CREATE FUNCTION pg_temp.val(r text, q text) RETURNS text
    LANGUAGE plpgsql AS $$
DECLARE
    v text;
BEGIN
    EXECUTE format('SET LOCAL ROLE %I', r);
    EXECUTE q INTO v;
    RESET ROLE;
    RETURN v;
END $$;

-- Configuration: ann and bob in sec_qa, carl in sec_qc only; sec_sup supervises sec_qa.
INSERT INTO omni.queue (name) VALUES ('sec_qa'), ('sec_qc');
INSERT INTO omni.queue_supervisor (queue, db_role) VALUES ('sec_qa', 'sec_sup');
INSERT INTO omni.workstream (name, channel, default_queue) VALUES ('sec_chat', 'chat', 'sec_qa');
INSERT INTO omni.agent (id, name, db_role) VALUES (9101, 'sec ann', 'sec_ann'), (9102, 'sec bob', 'sec_bob'),
                                                  (9103, 'sec carl', 'sec_carl');
INSERT INTO omni.queue_member (queue, agent_id) VALUES ('sec_qa', 9101), ('sec_qa', 9102), ('sec_qc', 9103);
SELECT omni.login(9101), omni.login(9102), omni.login(9103);

-- Four customers.  The first has the id its conversation will get, as in the
-- repro of finding 1 (a policy comparing c.customer_id = c.id shows all).
SELECT coalesce(pg_sequence_last_value(pg_get_serial_sequence('omni.conversation', 'id')), 0) + 1 AS next_conv \gset
INSERT INTO omni.customer (id, created_at) VALUES (:next_conv, now());
SELECT setval(pg_get_serial_sequence('omni.customer', 'id'),
              greatest(:next_conv, coalesce(pg_sequence_last_value(pg_get_serial_sequence('omni.customer', 'id')), 1)) + 10);
INSERT INTO omni.customer_identity (channel, address, customer_id, created_at) VALUES ('chat', 'sec-cust-1', :next_conv, now());
SELECT pg_temp.val('sec_svc', $$SELECT omni.enqueue('sec_chat', 'sec-cust-1')$$) AS c1 \gset
SELECT pg_temp.val('sec_svc', $$SELECT omni.enqueue('sec_chat', 'sec-cust-2')$$) AS c2 \gset
SELECT pg_temp.val('sec_svc', $$SELECT omni.enqueue('sec_chat', 'sec-cust-3')$$) AS c3 \gset
SELECT pg_temp.val('sec_svc', $$SELECT omni.enqueue('sec_chat', 'sec-cust-4')$$) AS c4 \gset
SELECT is(:c1::bigint, :next_conv::bigint, 'setup: conversation 1 has the id of its customer');
SELECT omni.assign(:c1, 9101), omni.assign(:c2, 9101), omni.assign(:c3, 9102);
SELECT omni.post_message(:c3, 'agent', 'bob here', 9102);

-- Finding 1: customers follow the conversations a role sees.
SELECT is(pg_temp.val('sec_ann', 'SELECT count(*) FROM omni.customer'), '2', 'F1 agent sees the customers of its 2 conversations, not all');
SELECT is(pg_temp.val('sec_ann', 'SELECT count(*) FROM omni.customer_identity'), '2', 'F1 agent sees its customers'' identities only');
SELECT is(pg_temp.val('sec_bob', 'SELECT count(*) FROM omni.customer'), '1', 'F1 another agent sees its 1 customer');
SELECT is(pg_temp.val('sec_sup', 'SELECT count(*) FROM omni.customer'), '4', 'F1 supervisors see customers');

-- Finding 6: agents' refusals tell what they may do, not who holds what.
SELECT is(pg_temp.try('sec_ann', format('SELECT omni.end_conversation(%s)', :c3)), '42501', 'F6 agent cannot end a colleague''s conversation');
SELECT unalike(pg_temp.err('sec_ann', format('SELECT omni.end_conversation(%s)', :c3)), '%9102%', 'F6 ... and is not told who holds it');
SELECT is(pg_temp.try('sec_ann', format('SELECT omni.pick(9101, %s)', :c3)), '55000', 'F6 pick of a colleague''s conversation is refused');
SELECT alike(pg_temp.err('sec_ann', format('SELECT omni.pick(9101, %s)', :c3)), '55000: conversation % is not available to agent 9101 to pick / %',
            'F6 ... with a neutral message');
SELECT unalike(pg_temp.err('sec_ann', format('SELECT omni.pick(9101, %s)', :c3)), '%active%', 'F6 ... that does not reveal its state');
SELECT unalike(pg_temp.err('sec_ann', format($$SELECT omni.post_message(%s, 'agent', 'hi', 9101)$$, :c3)), '%active%',
              'F6 posting to a colleague''s conversation does not reveal its state');
SELECT omni._make_offer(:c4, 9101) AS o4 \gset
SELECT alike(pg_temp.err('sec_ann', format('SELECT omni.pick(9101, %s)', :c4)), '55000: %accept the offer%',
            'F6 pick of a conversation offered to oneself says to accept it');
SELECT unalike(pg_temp.err('sec_ann', format('SELECT omni.pick(9101, %s)', :c4)), '%another agent%',
              'F6 ... and never that it is offered to another agent');
SELECT alike(pg_temp.err('sec_bob', format('SELECT omni.pick(9102, %s)', :c4)), '55000: conversation % is not available%',
            'F6 pick of a conversation offered to a colleague is a neutral refusal');
SELECT is(pg_temp.try('sec_bob', format('SELECT omni.accept(%s)', :o4)), '42501', 'holds: agent cannot accept another''s offer');
SELECT unalike(pg_temp.err('sec_bob', format('SELECT omni.accept(%s)', :o4)), '%9101%', 'F6 ... and is not told whose offer it is');

-- Finding 3: supervisors direct work only to agents of their queues.
SELECT is(pg_temp.try('sec_sup', format('SELECT omni.assign(%s, 9103, true)', :c4)), '42501',
          'F3 supervisor cannot assign (with override) to an agent outside its queues');
SELECT is(pg_temp.try('sec_sup', format('SELECT omni.transfer_to_agent(%s, 9103)', :c3)), '42501',
          'F3 supervisor cannot transfer to an agent outside its queues');
SELECT is(pg_temp.try('sec_ann', format('SELECT omni.transfer_to_agent(%s, 9103)', :c1)), '42501',
          'F3 agent cannot transfer to a non-member of the conversation''s queue');
SELECT omni.set_presence(9102, 'Away');
SELECT is(pg_temp.try('sec_ann', format('SELECT omni.transfer_to_agent(%s, 9102)', :c1)), '55000',
          'F3 transfer_to_agent refuses an Away agent');
SELECT omni.set_presence(9102, 'Available');
UPDATE omni.agent SET capacity_units = 10 WHERE id = 9102;   -- bob is full (he holds one 10-unit chat)
SELECT alike(pg_temp.err('sec_ann', format('SELECT omni.transfer_to_agent(%s, 9102)', :c1)), '55000: agent 9102 has no room%',
             'F6 transfer to a full colleague is refused');
SELECT unalike(pg_temp.err('sec_ann', format('SELECT omni.transfer_to_agent(%s, 9102)', :c1)), '%units%',
               'F6 ... without telling the colleague''s load');
SELECT alike(pg_temp.err('sec_sup', format('SELECT omni.transfer_to_agent(%s, 9102)', :c1)), '%units%',
             'F6 ... which its supervisor is told');
UPDATE omni.agent SET capacity_units = 100 WHERE id = 9102;
SELECT is(pg_temp.try('sec_sup', format('SELECT omni.assign(%s, 9101, true)', :c4)), 'ok',
          'F3 supervisor assigns (override_capacity) within its queues');
SELECT is(pg_temp.try('sec_sup', 'SELECT omni.set_presence(9103, ''Away'')'), '42501',
          'holds: supervisor cannot set the presence of an agent outside its queues');
SELECT is(pg_temp.try('sec_admin', format('SELECT omni.transfer_to_agent(%s, 9103)', :c2)), 'ok',
          'F3 admins direct work anywhere');

-- Finding 4: only a person's login role acts as an agent or a supervisor.
SELECT is(pg_temp.try('sec_admin', $$INSERT INTO omni.queue_supervisor VALUES ('sec_qc', 'omnichannel_agent')$$), '0P000',
          'F4 a group role cannot be made a supervisor');
SELECT is(pg_temp.try('sec_admin', $$INSERT INTO omni.agent (name, db_role) VALUES ('grp', 'omnichannel_agent')$$), '0P000',
          'F4 a group role cannot be an agent');
SELECT is(pg_temp.try('sec_admin', $$INSERT INTO omni.agent (name, db_role) VALUES ('nl', 'sec_nologin')$$), '0P000',
          'F4 a NOLOGIN role cannot be an agent');
SELECT is(pg_temp.try('sec_admin', $$INSERT INTO omni.queue_supervisor VALUES ('sec_qc', 'sec_nologin')$$), '0P000',
          'F4 a NOLOGIN role cannot be a supervisor');
SELECT is(pg_temp.try('sec_admin', $$UPDATE omni.agent SET db_role = 'omnichannel_supervisor' WHERE id = 9103$$), '0P000',
          'F4 an agent cannot be re-pointed at a group role');
SELECT is(pg_temp.try('sec_admin', $$INSERT INTO omni.agent (name, db_role) VALUES ('gh', 'sec_no_such_role')$$), '42704',
          'F4 a missing role is refused');
GRANT sec_sup TO sec_bob;
SELECT is(pg_temp.try('sec_sup', 'SELECT omni.set_presence(9101, ''Away'')'), '42501',
          'F4 a supervisor role that gained members stops counting (fail closed)');
SELECT is(pg_temp.try('sec_bob', 'SELECT omni.set_presence(9101, ''Away'')'), '42501',
          'F4 a member of a supervisor role is not that supervisor');
REVOKE sec_sup FROM sec_bob;
SELECT is(pg_temp.try('sec_sup', 'SELECT omni.set_presence(9101, ''Away'')'), 'ok', 'F4 the supervisor acts again');
SELECT omni.set_presence(9101, 'Available');

-- Finding 7: agent_timeline for agents (own), supervisors (their agents), admins.
SELECT is(pg_temp.try('sec_ann', 'SELECT count(*) FROM omni.agent_timeline'), 'ok', 'F7 agents read the timeline view');
SELECT is(pg_temp.val('sec_ann', 'SELECT count(DISTINCT agent_id) FROM omni.agent_timeline'), '1', 'F7 ... of themselves only');
SELECT is(pg_temp.try('sec_ann', 'SELECT count(*) FROM omni.agent_timeline(9101)'), 'ok', 'F7 agents read their own timeline');
SELECT is(pg_temp.try('sec_ann', 'SELECT count(*) FROM omni.agent_timeline(9102)'), '42501', 'F7 ... not a colleague''s');
SELECT is(pg_temp.try('sec_sup', 'SELECT count(*) FROM omni.agent_timeline(9101)'), 'ok', 'F7 supervisors read their agents'' timelines');
SELECT is(pg_temp.try('sec_sup', 'SELECT count(*) FROM omni.agent_timeline(9103)'), '42501', 'F7 ... not others''');
SELECT is(pg_temp.try('sec_admin', 'SELECT count(*) FROM omni.agent_timeline'), 'ok', 'F7 admins read the view');
SELECT is(pg_temp.try('sec_admin', 'SELECT count(*) FROM omni.agent_timeline(9103)'), 'ok', 'F7 admins read any timeline');

-- Finding 8: limits (docs/security.md, "Limits").
SELECT is(pg_temp.try('sec_svc', $$SELECT omni.enqueue('sec_chat', 'big', jsonb_build_object('x', repeat('a', 70000)))$$), '22001',
          'F8 a context over 64 kB is refused');
SELECT is(pg_temp.try('sec_svc', format($$SELECT omni.enqueue('sec_chat', 'deep', '{"a":%s1%s}')$$,
                                        repeat('[', 5000), repeat(']', 5000))), '54000',
          'F8 a 5000-level nested context is refused');
SELECT is(pg_temp.try('sec_svc', format($$SELECT omni.enqueue('sec_chat', 'deep33', '{"a":%s1%s}')$$,
                                        repeat('[', 32), repeat(']', 32))), '54000',
          'F8 a context nested deeper than max_context_depth (32) is refused');
SELECT is(pg_temp.try('sec_svc', format($$SELECT omni.enqueue('sec_chat', 'deep32', '{"a":%s1%s}')$$,
                                        repeat('[', 31), repeat(']', 31))), 'ok',
          'F8 a context at max_context_depth is accepted');
SELECT is(pg_temp.try('sec_svc', $$SELECT omni.enqueue('sec_chat', repeat('x', 9600))$$), '22001',
          'F8 a 9.6 kB customer address is refused clearly (not 54000)');
SELECT is(pg_temp.try('sec_svc', $$SELECT omni.enqueue('sec_chat', repeat('x', 513))$$), '22001',
          'F8 an address over max_address_bytes (512) is refused');
SELECT pg_temp.val('sec_svc', $$SELECT omni.start_with_bot('sec_chat', 'sec-bot-1')$$) AS cb \gset
SELECT is(pg_temp.try('sec_svc', format($$SELECT omni.escalate(%s, jsonb_build_object('x', repeat('a', 70000)))$$, :cb)), '22001',
          'F8 escalate refuses an oversized context too');
SELECT alike(pg_temp.err('sec_svc', format('SELECT omni.escalate(%s)', :c1)), '55000: conversation % is active with an agent; cannot escalate%',
             'F9 a connector escalating an agent-held conversation is not told which agent holds it');
SELECT is(pg_temp.try('sec_svc', $$SET omnichannel.max_context_bytes = 100000000$$), '42501',
          'F8 services cannot raise a limit');
SELECT is(pg_temp.try('sec_svc', format($$SELECT omni.post_message(%s, 'customer', repeat('a', 1048577))$$, :c1)), '22001',
          'holds: a message body over 1 MiB is refused');
SELECT is(pg_temp.try('sec_svc', format($$SELECT omni.post_message(%s, 'customer', '')$$, :c1)), '22023',
          'empty message body is refused');
SELECT is(pg_temp.try('sec_svc', format($$SELECT omni.post_message(%s, 'customer', NULL)$$, :c1)), '22004',
          'NULL message body is refused');
SELECT set_config('omnichannel.max_messages_per_conversation', '1', true);
SELECT is(pg_temp.try('sec_svc', format($$SELECT omni.post_message(%s, 'customer', 'one')$$, :c1)), 'ok', 'F8 messages up to the limit');
SELECT is(pg_temp.try('sec_svc', format($$SELECT omni.post_message(%s, 'customer', 'two')$$, :c1)), '54000',
          'F8 a message beyond max_messages_per_conversation is refused');
RESET omnichannel.max_messages_per_conversation;
SELECT omni.refresh_kpis();
SELECT is(pg_temp.val('sec_sup', 'SELECT omni.refresh_kpis() IS NULL'), 'true',
          'F8 a supervisor''s refresh within kpi_refresh_min_interval of the last is skipped');
SELECT is(pg_temp.val('sec_admin', 'SELECT omni.refresh_kpis() IS NULL'), 'false', 'F8 admins always refresh');
SELECT set_config('omnichannel.mock_now', (now() + interval '5 seconds')::text, true);
SELECT is(pg_temp.val('sec_sup', 'SELECT omni.refresh_kpis() IS NULL'), 'false',
          'F8 a supervisor refreshes once the interval has passed');
SELECT set_config('omnichannel.mock_now', '', true);

-- Finding 9: connectors see and act on their own conversations only.
SELECT is(pg_temp.val('sec_svc', 'SELECT count(*) FROM omni.conversation WHERE customer LIKE ''sec-%'''), '5',
          'F9 a connector sees the conversations it created');
SELECT is(pg_temp.val('sec_svc2', 'SELECT count(*) FROM omni.conversation'), '0', 'F9 ... another connector sees none of them');
SELECT is(pg_temp.val('sec_svc2', 'SELECT count(*) FROM omni.message'), '0', 'F9 ... nor their messages');
SELECT is(pg_temp.val('sec_svc2', 'SELECT count(*) FROM omni.customer'), '0', 'F9 ... nor their customers');
SELECT is(pg_temp.val('sec_svc', format('SELECT count(*) FROM omni.message WHERE conversation_id = %s', :c3)), '1',
          'F9 a connector reads its conversations'' messages');
SELECT is(pg_temp.try('sec_svc2', format('SELECT omni.abandon(%s)', :c4)), '42501', 'F9 a connector cannot abandon another''s conversation');
SELECT is(pg_temp.try('sec_svc2', format($$SELECT omni.post_message(%s, 'customer', 'spoof')$$, :c3)), '42501',
          'F9 a connector cannot post to another''s conversation');
SELECT is(pg_temp.try('sec_svc2', format($$SELECT omni.link_customer(%s, 'email', 'x@example.com')$$, :next_conv)), '42501',
          'F9 a connector cannot link another''s customer');
SELECT is(pg_temp.try('sec_svc', 'SELECT count(*) FROM omni.presence_history'), '42501', 'F9 connectors do not read presence history');
SELECT is(pg_temp.try('sec_svc', 'SELECT count(*) FROM omni.event'), '42501', 'F9 connectors do not read the event log');
SELECT is(pg_temp.try('sec_svc', 'SELECT count(*) FROM omni.agent'), '42501', 'F9 connectors do not read the staff list');
SELECT is(pg_temp.try('sec_svc', 'SELECT omni.login(9101)'), '42501', 'F9 connectors do not act for agents');
SELECT is(pg_temp.try('sec_svc', format('SELECT omni.abandon(%s)', :c3)), 'ok', 'F9 a connector abandons its own conversation');

-- NULL agent ids are a clear 22004.
SELECT is(pg_temp.try('sec_ann', 'SELECT omni.login(NULL)'), '22004', 'login(NULL) is 22004');
SELECT is(pg_temp.try('sec_ann', 'SELECT omni.set_presence(NULL, ''Away'')'), '22004', 'set_presence(NULL, ...) is 22004');
SELECT pg_temp.val('sec_svc', $$SELECT omni.enqueue('sec_chat', 'sec-cust-5')$$) AS c5 \gset
SELECT is(pg_temp.try('sec_sup', format('SELECT omni.assign(%s, NULL)', :c5)), '22004', 'assign(conversation, NULL) is 22004');

-- Attacks that already held.
SELECT is(pg_temp.try('sec_ann', $$SELECT omni.set_presence(9102, 'Away')$$), '42501', 'holds: agent cannot set a colleague''s presence');
SELECT is(pg_temp.try('sec_ann', format($$SELECT omni.post_message(%s, 'customer', 'spoof')$$, :c1)), '42501',
          'holds: agent cannot post as the customer');
SELECT is(pg_temp.try('sec_ann', $$SET omnichannel.mock_now = '2030-01-01 00:00+00'$$), '42501', 'holds: agents cannot move the clock');
SELECT is(pg_temp.try('sec_out', 'SELECT count(*) FROM omni.conversation'), '42501', 'holds: outsiders read nothing');
SELECT is(pg_temp.try('sec_ann', 'UPDATE omni.conversation SET agent_id = 9101'), '42501', 'holds: no direct writes');
-- A temp table shadowing omni.conversation does not reach a definer function.
SET LOCAL ROLE sec_ann;
CREATE TEMP TABLE conversation (id bigint, state text, agent_id bigint);
RESET ROLE;
SELECT is(pg_temp.try('sec_ann', format('SELECT omni.end_conversation(%s)', :c1)), 'ok', 'holds: temp objects do not hijack (ann ends her own)');
SELECT is((SELECT state::text FROM omni.conversation WHERE id = :c1), 'wrap_up', 'holds: ... and the real conversation changed');

SELECT * FROM finish();
ROLLBACK;
