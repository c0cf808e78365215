-- lifecycle: every operation tried on a conversation in every state.
-- Allowed ones show the state they lead to; refused ones their SQLSTATE and
-- message, and the conversation is checked to be unchanged afterwards.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS omnichannel CASCADE;
CREATE EXTENSION omnichannel;
SELECT omni.pause_workers();   -- installcheck: this database's workers stay out of the way
RESET client_min_messages;
\set SHOW_CONTEXT never
SET omnichannel.mock_now = '2026-03-02 09:00:00+00';

INSERT INTO omni.queue (name) VALUES ('q1'), ('q2');
INSERT INTO omni.workstream (name, channel, default_queue) VALUES ('chat', 'chat', 'q1');
INSERT INTO omni.agent (name, capacity_units) VALUES ('ann', 100), ('bob', 100), ('sue', 100);
INSERT INTO omni.queue_member (queue, agent_id) VALUES ('q1', 1), ('q2', 1), ('q1', 2), ('q2', 2);
SELECT omni.login(1), omni.login(2), omni.login(3);

-- A conversation in each state, all handled by ann.
CREATE FUNCTION pg_temp.make(kind text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    c bigint;
BEGIN
    IF kind = 'bot' THEN
        RETURN omni.start_with_bot('chat', 'cust-' || kind);
    END IF;
    c := omni.enqueue('chat', 'cust-' || kind);
    IF kind = 'open' THEN RETURN c; END IF;
    PERFORM omni._make_offer(c, 1);
    IF kind = 'offered' THEN RETURN c; END IF;
    PERFORM omni.accept((SELECT max(id) FROM omni.offer WHERE conversation_id = c));
    IF kind = 'active' THEN RETURN c; END IF;
    IF kind = 'waiting' THEN PERFORM omni.set_waiting(c); RETURN c; END IF;
    PERFORM omni.end_conversation(c);
    IF kind = 'wrap_up' THEN RETURN c; END IF;
    PERFORM omni.close_conversation(c);
    RETURN c;
END $$;

CREATE TEMP TABLE fixture AS
SELECT k AS kind, pg_temp.make(k) AS conv
  FROM unnest(ARRAY['open', 'offered', 'active', 'bot', 'waiting', 'wrap_up', 'closed']) WITH ORDINALITY u(k, n)
 ORDER BY n;

-- Snapshot of everything an operation could change about a conversation.
CREATE FUNCTION pg_temp.snapshot(c bigint) RETURNS text LANGUAGE sql AS $$
    SELECT format('%s|%s|%s|%s|%s|%s', v.state, v.agent_id, v.queue,
                  (SELECT count(*) FROM omni.event WHERE conversation_id = c),
                  (SELECT string_agg(state::text, ',' ORDER BY id) FROM omni.offer WHERE conversation_id = c),
                  (SELECT count(*) FROM omni.capacity_hold WHERE conversation_id = c))
      FROM omni.conversation v WHERE v.id = c
$$;

CREATE FUNCTION pg_temp.attempt(c bigint, op text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    before text := pg_temp.snapshot(c);
    offer bigint := (SELECT max(id) FROM omni.offer WHERE conversation_id = c);
    result text;
BEGIN
    BEGIN
        EXECUTE replace(replace(op, '$c', c::text), '$o', coalesce(offer, 0)::text);
        SELECT '-> ' || state || coalesce(' (agent ' || agent_id || ')', '') || coalesce(' in ' || queue, '')
          INTO result FROM omni.conversation WHERE id = c;
        RAISE EXCEPTION 'undo' USING ERRCODE = 'OK000';   -- roll the attempt back
    EXCEPTION
        WHEN SQLSTATE 'OK000' THEN NULL;
        WHEN OTHERS THEN result := SQLSTATE || ': ' || SQLERRM;
    END;
    IF pg_temp.snapshot(c) <> before THEN
        result := result || '  !! CHANGED';
    END IF;
    RETURN result;
END $$;

SELECT f.kind AS state, o.op, pg_temp.attempt(f.conv, o.sql) AS outcome
  FROM fixture f
 CROSS JOIN (VALUES
    (1,  'accept',            'SELECT omni.accept($o)'),
    (2,  'reject',            'SELECT omni.reject($o)'),
    (3,  'pick',              'SELECT omni.pick(2, $c)'),
    (4,  'assign',            'SELECT omni.assign($c, 2)'),
    (5,  'escalate',          'SELECT omni.escalate($c)'),
    (6,  'end',               'SELECT omni.end_conversation($c)'),
    (7,  'close',             'SELECT omni.close_conversation($c)'),
    (8,  'abandon',           'SELECT omni.abandon($c)'),
    (9,  'set_waiting',       'SELECT omni.set_waiting($c)'),
    (10, 'resume',            'SELECT omni.resume($c)'),
    (11, 'transfer',          'SELECT omni.transfer($c, ''q2'')'),
    (12, 'transfer_to_agent', 'SELECT omni.transfer_to_agent($c, 2)'),
    (13, 'force_close',       'SELECT omni.force_close($c)'),
    (14, 'monitor',           'SELECT omni.monitor($c, 3)'),
    (15, 'customer message',  'SELECT omni.post_message($c, ''customer'', ''hello'')'),
    (16, 'agent message',     'SELECT omni.post_message($c, ''agent'', ''hi'', 1)'),
    (17, 'bot message',       'SELECT omni.post_message($c, ''bot'', ''beep'')')
 ) AS o(n, op, sql)
 ORDER BY f.conv, o.n;

-- Unknown ids are refused with 22023 and a clear message.
SELECT omni.end_conversation(999);
SELECT omni.accept(999);
SELECT omni.transfer((SELECT conv FROM fixture WHERE kind = 'active'), 'no-such-queue');
SELECT omni.enqueue('no-such-workstream', 'x');
SELECT omni.enqueue('chat', 'x', '[1,2]');
SELECT omni.enqueue('chat', '');
-- the other refusals of an address and a context (src/limits.c), nothing enqueued by any
SELECT count(*) AS conversations_before FROM omni.conversation \gset
SELECT omni.enqueue('chat', '   ');
SELECT omni.enqueue('chat', NULL);
SELECT omni.enqueue('chat', repeat('x', 513));
SELECT omni.enqueue('chat', 'x', NULL);
SELECT omni.enqueue('chat', 'x', '"text"');
SELECT omni.enqueue('chat', 'x', '7');
SELECT omni.enqueue('chat', 'x', 'null');
SELECT omni.enqueue('chat', 'x', jsonb_build_object('k', repeat('a', 65536)));
SELECT omni.enqueue('chat', 'x', (repeat('{"a":', 33) || '1' || repeat('}', 33))::jsonb);
SELECT count(*) - :conversations_before AS enqueued FROM omni.conversation;
-- at the limits exactly: accepted (a 512-byte address; 65,536 bytes of JSON text; 32 levels)
SELECT omni._check_address(repeat('x', 512)), omni._check_address(' x ');
SELECT omni._check_context(jsonb_build_object('k', repeat('a', 65536 - 9))),
       omni._check_context((repeat('{"a":', 32) || '1' || repeat('}', 32))::jsonb);
SELECT omni.post_message((SELECT conv FROM fixture WHERE kind = 'active'), 'agent', 'hi');
SELECT omni.post_message((SELECT conv FROM fixture WHERE kind = 'active'), 'customer', NULL);
SELECT omni.post_message((SELECT conv FROM fixture WHERE kind = 'active'), 'customer', repeat('x', 1048577));

-- The event log tells each fixture's story in order.
SELECT conversation_id, kind, agent_id, from_state, to_state
  FROM omni.event WHERE conversation_id IS NOT NULL ORDER BY id;
