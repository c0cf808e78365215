-- 80_events.sql — agent desktop events (docs/agent-events.md): the functions
-- that now NOTIFY omni_agent_<agent_id> through omni._notify_agent, and the
-- omni_sentiment_alert payload without queue and score.  Final bodies as in
-- sql/src/ (CREATE OR REPLACE keeps owners, grants and comments).

-- 40_presence.sql

CREATE OR REPLACE FUNCTION omni.logout(agent_id bigint) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    o record;
BEGIN
    PERFORM omni._authorize_agent(agent_id, 'log out agent ' || agent_id, true);
    -- Pending offers go back to the queue (conversation locks before the agent lock).
    FOR o IN SELECT f.id, f.conversation_id FROM omni.offer f
              WHERE f.agent_id = logout.agent_id AND f.state = 'pending' ORDER BY f.conversation_id
    LOOP
        PERFORM omni._end_offer(o.id, 'rescinded', 'agent logged out');
    END LOOP;
    PERFORM omni._lock_agent(agent_id);
    UPDATE omni.agent_state s SET logged_in = false WHERE s.agent_id = logout.agent_id;
    PERFORM omni._set_presence(agent_id, 'Offline', 'logout', true);
    PERFORM omni._log_agent('logout', agent_id);
    PERFORM omni._notify_agent(agent_id, 'logged_out') WHERE NOT omni._is_agent(agent_id);
END $$;

CREATE OR REPLACE FUNCTION omni.set_presence(agent_id bigint, presence text) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    p omni.presence;
    by_what text;
BEGIN
    PERFORM omni._authorize_agent(agent_id, 'set the presence of agent ' || agent_id, true);
    SELECT * INTO p FROM omni.presence WHERE name = set_presence.presence;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'presence "%" does not exist', presence
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'See omni.presence for the presences that exist.';
    END IF;
    IF p.system_only THEN
        RAISE EXCEPTION 'presence "%" is set only by the system', presence
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Choose another presence, e.g. Available.';
    END IF;
    IF NOT (SELECT logged_in FROM omni.agent_state s WHERE s.agent_id = set_presence.agent_id) THEN
        IF NOT EXISTS (SELECT 1 FROM omni.agent WHERE id = agent_id) THEN
            RAISE EXCEPTION 'agent % does not exist', agent_id USING ERRCODE = 'invalid_parameter_value';
        END IF;
        IF p.base_status <> 'offline' THEN
            RAISE EXCEPTION 'agent % is not logged in', agent_id
                USING ERRCODE = 'object_not_in_prerequisite_state', HINT = 'Call omni.login first.';
        END IF;
    END IF;
    by_what := CASE WHEN omni._is_agent(agent_id) THEN 'agent'
                    WHEN omni._is_admin() THEN 'admin' ELSE 'supervisor' END;
    PERFORM omni._set_presence(agent_id, p.name, by_what, true);
    PERFORM omni._notify_agent(agent_id, 'presence_changed', jsonb_build_object('presence', p.name))
      WHERE by_what <> 'agent';
END $$;

-- 45_sentiment.sql

CREATE OR REPLACE FUNCTION omni._score_customer_message(message_id bigint) RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    m          omni.message;
    c          omni.conversation;
    q          omni.queue;
    ev         jsonb;
    conv_score real;
    max_sev    integer;
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

    -- The conversation: recency-weighted mean of its latest six scored
    -- customer messages (weights 6, 5, ... 1, newest first); profanity in
    -- the window caps it like a profane message.
    SELECT sum(w.sentiment_score * (7 - w.rn)) / sum(7 - w.rn), max(w.sev)
      INTO conv_score, max_sev
      FROM (SELECT mm.sentiment_score,
                   coalesce((mm.evidence ->> 'severity')::integer, CASE WHEN mm.profane THEN 2 ELSE 0 END) AS sev,
                   row_number() OVER (ORDER BY mm.id DESC) AS rn
              FROM omni.message mm
             WHERE mm.conversation_id = c.id AND mm.sender = 'customer'
               AND mm.sentiment_score IS NOT NULL
             ORDER BY mm.id DESC
             LIMIT 6) w;
    IF max_sev >= 3 THEN
        conv_score := least(conv_score,
            (SELECT min_score FROM omni.sentiment_threshold WHERE level = 'negative') - 0.01);
    ELSIF max_sev >= 1 THEN
        conv_score := least(conv_score,
            (SELECT min_score FROM omni.sentiment_threshold WHERE level = 'slightly_negative') - 0.01);
    END IF;
    conv_score := greatest(-1, least(1, conv_score));
    new_level := omni.sentiment_level(conv_score);

    UPDATE omni.conversation SET sentiment = new_level, sentiment_score = conv_score WHERE id = c.id;

    IF new_level IS DISTINCT FROM c.sentiment THEN
        alert := c.queue IS NOT NULL
                 AND new_level <= q.sentiment_alert_level
                 AND c.sentiment > q.sentiment_alert_level;
        INSERT INTO omni.sentiment_history (conversation_id, at, level, score, previous_level, message_id, alerted)
        VALUES (c.id, omni.now(), new_level, conv_score, c.sentiment, message_id, alert);
        IF alert THEN
            -- Ids and levels only (SPEC §3): anyone may LISTEN; the queue, score
            -- and text are read through row-level security.
            PERFORM pg_notify('omni_sentiment_alert', json_build_object(
                'conversation_id', c.id, 'level', new_level, 'previous_level', c.sentiment,
                'message_id', message_id, 'agent_id', c.agent_id)::text);
        END IF;
    END IF;
END
$$;

-- 50_conversation.sql

CREATE OR REPLACE FUNCTION omni._end_offer(offer_id bigint, outcome omni.offer_state, why text DEFAULT NULL) RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    o omni.offer;
    c omni.conversation;
    w omni.workstream;
BEGIN
    SELECT * INTO o FROM omni.offer WHERE id = offer_id;
    c := omni._lock_conversation(o.conversation_id);
    SELECT * INTO o FROM omni.offer WHERE id = offer_id FOR UPDATE;
    IF o.state <> 'pending' THEN
        RAISE EXCEPTION 'offer % is %; cannot %', o.id, o.state,
            CASE outcome WHEN 'rejected' THEN 'reject' WHEN 'expired' THEN 'expire' ELSE 'rescind' END
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    UPDATE omni.offer SET state = outcome, decided_at = omni.now(), reason = why WHERE id = o.id;
    IF (SELECT agent_id FROM omni.capacity_hold WHERE conversation_id = c.id) = o.agent_id THEN
        PERFORM omni._release_capacity(c.id);
    END IF;
    PERFORM omni._log('offer_' || outcome::text, c, agent => o.agent_id, offer => o.id, from_state => c.state,
                      detail => CASE WHEN why IS NULL THEN '{}' ELSE jsonb_build_object('reason', why) END);
    PERFORM omni._notify_agent(o.agent_id, 'offer_' || outcome::text,
                               jsonb_build_object('offer_id', o.id, 'conversation_id', c.id));
    IF outcome = 'expired' THEN
        w := omni._workstream(c.workstream);
        IF w.block_on_missed THEN
            PERFORM omni._set_presence(o.agent_id, 'Inactive', 'system', true);
            PERFORM omni._notify_agent(o.agent_id, 'presence_changed', jsonb_build_object('presence', 'Inactive'));
        END IF;
    END IF;
    PERFORM omni._wake_router();
END $$;

CREATE OR REPLACE FUNCTION omni.accept(offer_id bigint) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    o omni.offer;
    c omni.conversation;
    ns omni.conversation_state;
    t timestamptz := omni.now();
BEGIN
    o := omni._pending_offer_for_caller(offer_id, 'accept');
    c := omni._lock_conversation(o.conversation_id);
    ns := omni._next_state(c, 'accept');
    PERFORM omni._lock_agent(o.agent_id);
    UPDATE omni.offer SET state = 'accepted', decided_at = t WHERE id = o.id;
    UPDATE omni.capacity_hold SET kind = 'work', since = t WHERE conversation_id = c.id;
    UPDATE omni.conversation
       SET state = ns, agent_id = o.agent_id, last_agent_id = o.agent_id, accepted_at = t, last_activity_at = t
     WHERE id = c.id RETURNING * INTO c;
    PERFORM omni._log('accepted', c, offer => o.id, from_state => 'open',
                      detail => jsonb_build_object('wait_s', extract(epoch FROM t - c.queued_at)));
    PERFORM omni._notify_agent(o.agent_id, 'offer_accepted',
                               jsonb_build_object('offer_id', o.id, 'conversation_id', c.id));
    PERFORM omni._follow_load(o.agent_id);
    RETURN c.id;
END $$;

CREATE OR REPLACE FUNCTION omni.pick(agent_id bigint, conversation_id bigint) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    c omni.conversation;
    ns omni.conversation_state;
    refusal text;
    t timestamptz := omni.now();
BEGIN
    PERFORM omni._authorize_agent(agent_id, 'pick work for agent ' || agent_id, false);
    c := omni._lock_conversation(conversation_id);
    ns := omni._next_state(c, 'pick');
    IF EXISTS (SELECT 1 FROM omni.offer f WHERE f.conversation_id = c.id AND f.state = 'pending') THEN
        RAISE EXCEPTION 'conversation % is being offered to another agent', c.id
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    PERFORM omni._lock_agent(agent_id);
    refusal := omni._eligibility_refusal(agent_id, c);
    IF refusal IS NOT NULL THEN
        RAISE EXCEPTION 'agent % cannot pick conversation %', agent_id, c.id
            USING ERRCODE = 'object_not_in_prerequisite_state', DETAIL = refusal || '.';
    END IF;
    PERFORM omni._hold_capacity(agent_id, c, 'work');
    UPDATE omni.agent_state s SET last_assigned_at = t WHERE s.agent_id = pick.agent_id;
    UPDATE omni.conversation
       SET state = ns, agent_id = pick.agent_id, last_agent_id = pick.agent_id, accepted_at = t, last_activity_at = t
     WHERE id = c.id RETURNING * INTO c;
    PERFORM omni._log('picked', c, from_state => 'open',
                      detail => jsonb_build_object('wait_s', extract(epoch FROM t - c.queued_at)));
    PERFORM omni._notify_agent(agent_id, 'conversation_assigned', jsonb_build_object('conversation_id', c.id));
    PERFORM omni._follow_load(agent_id);
END $$;

CREATE OR REPLACE FUNCTION omni.post_message(conversation_id bigint, sender omni.sender, body text,
                                  agent_id bigint DEFAULT NULL) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    c omni.conversation;
    mid bigint;
    t timestamptz := omni.now();
BEGIN
    IF body IS NULL THEN
        RAISE EXCEPTION 'message body must not be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF octet_length(body) > 1048576 THEN
        RAISE EXCEPTION 'message body is % bytes; the limit is 1 MiB', octet_length(body)
            USING ERRCODE = 'string_data_right_truncation';
    END IF;
    IF sender IS NULL THEN
        RAISE EXCEPTION 'sender must not be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF (sender = 'agent') <> (agent_id IS NOT NULL) THEN
        RAISE EXCEPTION 'agent_id must be given for agent messages and only for them'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF sender = 'agent' THEN
        PERFORM omni._authorize_agent(agent_id, 'post messages as agent ' || agent_id, false);
    ELSIF NOT omni._is_service() THEN
        PERFORM omni._deny('post ' || sender::text || ' messages');
    END IF;
    c := omni._lock_conversation(conversation_id);
    IF c.state = 'closed' THEN
        RAISE EXCEPTION 'conversation % is closed; cannot post message', c.id
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    IF sender = 'agent' AND (c.agent_id IS DISTINCT FROM post_message.agent_id OR c.state NOT IN ('active', 'wrap_up')) THEN
        RAISE EXCEPTION 'agent % does not hold conversation % (%); cannot post message', agent_id, c.id, c.state
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    IF sender = 'bot' AND NOT (c.state = 'active' AND c.agent_id IS NULL) THEN
        RAISE EXCEPTION 'conversation % is % and not served by a bot; cannot post bot message', c.id, c.state
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    INSERT INTO omni.message (conversation_id, sender, agent_id, body, created_at)
    VALUES (c.id, sender, agent_id, body, t) RETURNING id INTO mid;
    UPDATE omni.conversation SET last_activity_at = t WHERE id = c.id;
    IF sender = 'agent' AND c.first_response_at IS NULL THEN
        UPDATE omni.conversation SET first_response_at = t WHERE id = c.id RETURNING * INTO c;
        PERFORM omni._log('first_response', c, from_state => c.state,
                          detail => jsonb_build_object('message_id', mid));
    END IF;
    IF sender = 'customer' THEN
        IF c.state = 'waiting' THEN      -- the customer replied: back to the queue
            PERFORM omni._requeue(c, 'customer_reply', 'requeued', c.queue);
        END IF;
        PERFORM omni._score_customer_message(mid);
        -- Its agent (unless the reply took a waiting conversation back to the queue) and its monitors.
        PERFORM omni._notify_agent(r.a, 'customer_message', jsonb_build_object('conversation_id', c.id, 'message_id', mid))
           FROM (SELECT c.agent_id WHERE c.state <> 'waiting'
                 UNION SELECT p.agent_id FROM omni.conversation_participant p
                        WHERE p.conversation_id = c.id AND p.left_at IS NULL) r(a)
          ORDER BY r.a;
    END IF;
    RETURN mid;
END $$;

CREATE OR REPLACE FUNCTION omni._requeue(c omni.conversation, op text, kind text, to_queue text,
                              detail jsonb DEFAULT '{}') RETURNS omni.conversation
    LANGUAGE plpgsql AS $$
DECLARE
    ns omni.conversation_state := omni._next_state(c, op);
    from_state omni.conversation_state := c.state;
    from_queue text := c.queue;
    o bigint;
    t timestamptz := omni.now();
BEGIN
    SELECT id INTO o FROM omni.offer WHERE conversation_id = c.id AND state = 'pending';
    IF o IS NOT NULL THEN
        PERFORM omni._end_offer(o, 'rescinded', kind);
    END IF;
    PERFORM omni._release_capacity(c.id);
    PERFORM omni._notify_agent(c.agent_id, CASE kind WHEN 'transferred' THEN 'conversation_transferred_out'
                                                     ELSE 'conversation_requeued' END,
                               jsonb_build_object('conversation_id', c.id));
    UPDATE omni.conversation
       SET state = ns, agent_id = NULL, queue = to_queue, queued_at = t, last_activity_at = t,
           transfer_count = transfer_count + CASE WHEN kind IN ('transferred') THEN 1 ELSE 0 END
     WHERE id = c.id RETURNING * INTO c;
    PERFORM omni._log(kind, c, agent => NULL, from_state => from_state,
                      detail => detail || jsonb_build_object('from_queue', from_queue, 'to_queue', to_queue));
    PERFORM omni._wake_router();
    RETURN c;
END $$;

CREATE OR REPLACE FUNCTION omni._close(c omni.conversation, op text, kind text, reason text,
                            detail jsonb DEFAULT '{}') RETURNS omni.conversation
    LANGUAGE plpgsql AS $$
DECLARE
    ns omni.conversation_state := omni._next_state(c, op);
    from_state omni.conversation_state := c.state;
    o bigint;
    t timestamptz := omni.now();
BEGIN
    SELECT id INTO o FROM omni.offer WHERE conversation_id = c.id AND state = 'pending';
    IF o IS NOT NULL THEN
        PERFORM omni._end_offer(o, 'rescinded', reason);
    END IF;
    PERFORM omni._release_capacity(c.id);
    UPDATE omni.conversation_participant SET left_at = t WHERE conversation_id = c.id AND left_at IS NULL;
    UPDATE omni.conversation
       SET state = ns, closed_at = t, close_reason = reason, last_activity_at = t
     WHERE id = c.id RETURNING * INTO c;
    PERFORM omni._log(kind, c, from_state => from_state, detail => detail || jsonb_build_object('reason', reason));
    PERFORM omni._notify_agent(c.agent_id, CASE kind WHEN 'force_closed' THEN 'conversation_force_closed'
                                                     ELSE 'conversation_closed' END,
                               jsonb_build_object('conversation_id', c.id));
    RETURN c;
END $$;

CREATE OR REPLACE FUNCTION omni.end_conversation(id bigint) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    c omni.conversation := omni._lock_conversation(id);
    ns omni.conversation_state;
    t timestamptz := omni.now();
BEGIN
    PERFORM omni._authorize_handling(c, 'end');
    ns := omni._next_state(c, 'end');
    UPDATE omni.conversation SET state = ns, wrap_up_at = t, last_activity_at = t
     WHERE conversation.id = c.id RETURNING * INTO c;
    IF NOT (SELECT wrap_up_holds_capacity FROM omni.workstream WHERE name = c.workstream) THEN
        PERFORM omni._release_capacity(c.id);
    END IF;
    PERFORM omni._log('ended', c, from_state => 'active');
    PERFORM omni._notify_agent(c.agent_id, 'conversation_ended', jsonb_build_object('conversation_id', c.id));
END $$;

CREATE OR REPLACE FUNCTION omni.abandon(id bigint) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    c omni.conversation := omni._lock_conversation(id);
    offered boolean;
    t timestamptz := omni.now();
BEGIN
    IF NOT omni._is_service() THEN
        PERFORM omni._deny('abandon conversation ' || c.id);
    END IF;
    IF omni._served_by(c) = 'agent' THEN
        -- The customer left while talking to an agent: the agent wraps up.
        UPDATE omni.conversation SET state = omni._next_state(c, 'customer_left'), wrap_up_at = t,
               last_activity_at = t
         WHERE conversation.id = c.id RETURNING * INTO c;
        IF NOT (SELECT wrap_up_holds_capacity FROM omni.workstream WHERE name = c.workstream) THEN
            PERFORM omni._release_capacity(c.id);
        END IF;
        PERFORM omni._log('customer_left', c, from_state => 'active');
        PERFORM omni._notify_agent(c.agent_id, 'customer_left', jsonb_build_object('conversation_id', c.id));
        RETURN;
    END IF;
    offered := EXISTS (SELECT 1 FROM omni.offer WHERE conversation_id = c.id AND created_at >= c.queued_at);
    PERFORM omni._close(c, CASE omni._served_by(c) WHEN 'bot' THEN 'bot_abandon' ELSE 'abandon' END,
                        'abandoned', 'abandoned',
                        jsonb_build_object('offered', offered,
                                           'wait_s', extract(epoch FROM t - coalesce(c.queued_at, c.created_at))));
END $$;

CREATE OR REPLACE FUNCTION omni.set_waiting(id bigint) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    c omni.conversation := omni._lock_conversation(id);
    ns omni.conversation_state;
BEGIN
    PERFORM omni._authorize_handling(c, 'park');
    ns := omni._next_state(c, 'set_waiting');
    UPDATE omni.conversation SET state = ns, last_activity_at = omni.now()
     WHERE conversation.id = c.id RETURNING * INTO c;
    PERFORM omni._release_capacity(c.id);
    PERFORM omni._log('waiting', c, from_state => 'active');
    PERFORM omni._notify_agent(c.agent_id, 'conversation_waiting', jsonb_build_object('conversation_id', c.id));
END $$;

CREATE OR REPLACE FUNCTION omni.resume(id bigint) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    c omni.conversation := omni._lock_conversation(id);
    ns omni.conversation_state;
BEGIN
    PERFORM omni._authorize_handling(c, 'resume');
    ns := omni._next_state(c, 'resume');
    PERFORM omni._lock_agent(c.agent_id);
    PERFORM omni._hold_capacity(c.agent_id, c, 'work');
    UPDATE omni.conversation SET state = ns, last_activity_at = omni.now()
     WHERE conversation.id = c.id RETURNING * INTO c;
    PERFORM omni._log('resumed', c, from_state => 'waiting');
    PERFORM omni._notify_agent(c.agent_id, 'conversation_resumed', jsonb_build_object('conversation_id', c.id));
    PERFORM omni._follow_load(c.agent_id);
END $$;

CREATE OR REPLACE FUNCTION omni.transfer_to_agent(id bigint, agent_id bigint) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    c omni.conversation := omni._lock_conversation(id);
    ns omni.conversation_state;
    from_agent bigint := c.agent_id;
    t timestamptz := omni.now();
BEGIN
    PERFORM omni._authorize_handling(c, 'transfer');
    ns := omni._next_state(c, 'transfer_to_agent');
    IF agent_id = c.agent_id THEN
        RAISE EXCEPTION 'conversation % is already with agent %', c.id, agent_id
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM omni._lock_agent(agent_id);
    IF NOT (SELECT logged_in FROM omni.agent_state s WHERE s.agent_id = transfer_to_agent.agent_id) THEN
        RAISE EXCEPTION 'agent % is not logged in; cannot receive conversation %', agent_id, c.id
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    PERFORM omni._release_capacity(c.id);
    PERFORM omni._hold_capacity(agent_id, c, 'work');
    UPDATE omni.agent_state s SET last_assigned_at = t WHERE s.agent_id = transfer_to_agent.agent_id;
    UPDATE omni.conversation
       SET state = ns, agent_id = transfer_to_agent.agent_id, last_agent_id = transfer_to_agent.agent_id,
           accepted_at = t, transfer_count = transfer_count + 1, last_activity_at = t
     WHERE conversation.id = c.id RETURNING * INTO c;
    PERFORM omni._log('transferred_to_agent', c, from_state => 'active',
                      detail => jsonb_build_object('from_agent', from_agent));
    PERFORM omni._notify_agent(from_agent, 'conversation_transferred_out', jsonb_build_object('conversation_id', c.id));
    PERFORM omni._notify_agent(agent_id, 'conversation_transferred_in', jsonb_build_object('conversation_id', c.id));
    PERFORM omni._follow_load(agent_id);
END $$;

-- 60_supervisor.sql

CREATE OR REPLACE FUNCTION omni.assign(conversation_id bigint, agent_id bigint, override_capacity boolean DEFAULT false)
    RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    c omni.conversation := omni._lock_conversation(conversation_id);
    ns omni.conversation_state;
    o bigint;
    total integer;
    before_units integer;
    refusal text;
    t timestamptz := omni.now();
BEGIN
    PERFORM omni._authorize_supervision(c, 'assign');
    ns := omni._next_state(c, 'assign');
    IF NOT EXISTS (SELECT 1 FROM omni.agent a WHERE a.id = assign.agent_id) THEN
        RAISE EXCEPTION 'agent % does not exist', agent_id USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT id INTO o FROM omni.offer f WHERE f.conversation_id = c.id AND f.state = 'pending';
    IF o IS NOT NULL THEN
        PERFORM omni._end_offer(o, 'rescinded', 'assigned by supervisor');
    END IF;
    PERFORM omni._lock_agent(agent_id);
    IF NOT (SELECT logged_in FROM omni.agent_state s WHERE s.agent_id = assign.agent_id) THEN
        RAISE EXCEPTION 'agent % is not logged in; cannot be assigned conversation %', agent_id, c.id
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    SELECT capacity_units INTO total FROM omni.agent a WHERE a.id = assign.agent_id;
    before_units := omni._used_units(agent_id);
    refusal := omni._capacity_refusal(agent_id, c);
    PERFORM omni._hold_capacity(agent_id, c, 'work', override_capacity);
    UPDATE omni.agent_state s SET last_assigned_at = t WHERE s.agent_id = assign.agent_id;
    UPDATE omni.conversation
       SET state = ns, agent_id = assign.agent_id, last_agent_id = assign.agent_id, accepted_at = t, last_activity_at = t
     WHERE id = c.id RETURNING * INTO c;
    PERFORM omni._log('assigned', c, from_state => 'open',
                      detail => jsonb_build_object('wait_s', extract(epoch FROM t - c.queued_at),
                                                   'override_capacity', refusal IS NOT NULL AND override_capacity,
                                                   'refusal', refusal,
                                                   'units_before', before_units,
                                                   'units_after', omni._used_units(agent_id),
                                                   'capacity_units', total));
    PERFORM omni._notify_agent(agent_id, 'conversation_assigned', jsonb_build_object('conversation_id', c.id));
    PERFORM omni._follow_load(agent_id);
END $$;

CREATE OR REPLACE FUNCTION omni.monitor(conversation_id bigint, agent_id bigint) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    c omni.conversation := omni._lock_conversation(conversation_id);
BEGIN
    PERFORM omni._authorize_supervision(c, 'monitor');
    IF NOT (omni._is_agent(agent_id) OR omni._is_admin()) THEN
        PERFORM omni._deny('monitor as agent ' || agent_id, 'A supervisor monitors under its own agent record.');
    END IF;
    PERFORM omni._next_state(c, 'monitor');
    IF EXISTS (SELECT 1 FROM omni.conversation_participant p
                WHERE p.conversation_id = c.id AND p.agent_id = monitor.agent_id AND left_at IS NULL) THEN
        RAISE EXCEPTION 'agent % already monitors conversation %', agent_id, c.id
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    INSERT INTO omni.conversation_participant (conversation_id, agent_id, role, joined_at)
    VALUES (c.id, agent_id, 'monitor', omni.now());
    PERFORM omni._log('monitored', c, agent => agent_id, from_state => c.state);
    PERFORM omni._notify_agent(c.agent_id, 'monitor_joined',
                               jsonb_build_object('conversation_id', c.id, 'monitor_agent_id', agent_id));
END $$;
