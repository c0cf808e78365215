-- routing_profiles: capacity profiles are enforced wherever work is given to
-- an agent, and presence follows every capacity source (issue 11, defects 2
-- and 6; docs/routing.md "Capacity profiles").
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS omnichannel CASCADE;
CREATE EXTENSION omnichannel;
SELECT omni.pause_workers();   -- installcheck: this database's workers stay out of the way
RESET client_min_messages;
\set VERBOSITY terse
SET omnichannel.mock_now = '2021-03-01 09:00:00+00';

CREATE FUNCTION pg_temp.id(n text) RETURNS bigint LANGUAGE sql AS $$ SELECT id FROM omni.agent WHERE name = n $$;
CREATE FUNCTION pg_temp.conv(who text) RETURNS bigint LANGUAGE sql AS $$
    SELECT id FROM omni.conversation WHERE customer = who $$;
CREATE FUNCTION pg_temp.offers(who text) RETURNS bigint LANGUAGE sql AS $$
    SELECT count(*) FROM omni.offer o WHERE o.agent_id = pg_temp.id(who) $$;
CREATE FUNCTION pg_temp.finish(c bigint) RETURNS void LANGUAGE sql AS $$
    SELECT omni.end_conversation(c); SELECT omni.close_conversation(c) $$;

-- E-mail: 0 units, profile "mail_day" of 2 items per day (end_of_day) or
-- "mail_now" of 2 items at once (immediate).
INSERT INTO omni.capacity_profile (name, max_items, reset)
VALUES ('mail_day', 2, 'end_of_day'), ('mail_now', 2, 'immediate');
INSERT INTO omni.queue (name) VALUES ('mq'), ('nq');
INSERT INTO omni.workstream (name, channel, default_queue, capacity_units, capacity_profile)
VALUES ('mail', 'email', 'mq', 0, 'mail_day'), ('mail2', 'email', 'nq', 0, 'mail_now');
INSERT INTO omni.agent (name) VALUES ('dora'), ('ivan');
INSERT INTO omni.queue_member (queue, agent_id) VALUES ('mq', pg_temp.id('dora')), ('nq', pg_temp.id('ivan'));
INSERT INTO omni.agent_capacity_profile (agent_id, profile)
VALUES (pg_temp.id('dora'), 'mail_day'), (pg_temp.id('ivan'), 'mail_now');
SELECT count(omni.login(id)) AS logged_in FROM omni.agent;

-- case: end_of_day_profile_limits_the_router_to_max_items_per_day
-- three e-mails at once: the router offers two (pending offers count).
SELECT count(omni.enqueue('mail', 'm' || g)) FROM generate_series(1, 3) g;
SELECT omni.route() AS offers;
SELECT pg_temp.offers('dora') AS offers_to_dora;
SELECT x.reason, x.detail FROM omni.explain_routing(pg_temp.conv('m3')) x;
SELECT * FROM omni.routing_invariant_violations();
-- the same set-up with reset immediate also gives two
SELECT count(omni.enqueue('mail2', 'n' || g)) FROM generate_series(1, 3) g;
SELECT omni.route() AS offers;
SELECT pg_temp.offers('ivan') AS offers_to_ivan;

-- case: end_of_day_items_are_counted_when_taken_and_stay_counted_after_close
SELECT omni.accept(o.id) = o.conversation_id AS accepted FROM omni.offer o
 WHERE o.agent_id = pg_temp.id('dora') AND o.state = 'pending' ORDER BY o.id;
SELECT profile, day, items FROM omni.capacity_profile_use ORDER BY agent_id, profile, day;
SELECT pg_temp.finish(pg_temp.conv('m1')), pg_temp.finish(pg_temp.conv('m2'));
SELECT count(*) AS holds_left FROM omni.capacity_hold WHERE agent_id = pg_temp.id('dora');
-- nothing held, but both of today's items are used: m3 stays queued
SELECT omni.route() AS offers;
SELECT x.reason, x.detail FROM omni.explain_routing(pg_temp.conv('m3')) x;
-- the immediate profile frees its slot when the item is released
SELECT omni.accept(o.id) = o.conversation_id AS accepted FROM omni.offer o
 WHERE o.agent_id = pg_temp.id('ivan') AND o.state = 'pending' ORDER BY o.id LIMIT 1;
SELECT pg_temp.finish(c.id) FROM omni.conversation c WHERE c.agent_id = pg_temp.id('ivan') AND c.state = 'active';
SELECT omni.route() AS offers;
SELECT count(*) FILTER (WHERE state = 'pending') AS ivan_pending FROM omni.offer WHERE agent_id = pg_temp.id('ivan');
SELECT * FROM omni.routing_invariant_violations();
-- ivan's e-mails are done
SELECT count(omni.accept(o.id)) FROM omni.offer o WHERE o.agent_id = pg_temp.id('ivan') AND o.state = 'pending';
SELECT pg_temp.finish(c.id) FROM omni.conversation c WHERE c.agent_id = pg_temp.id('ivan') AND c.state = 'active';
SELECT count(*) AS ivan_holds FROM omni.capacity_hold WHERE agent_id = pg_temp.id('ivan');

-- case: end_of_day_profile_refuses_pick_assign_offer_and_transfer
INSERT INTO omni.agent (name) VALUES ('sup');
SELECT omni.login(pg_temp.id('sup'));
-- a manual offer goes through the same definition
SELECT omni._make_offer(pg_temp.conv('m3'), pg_temp.id('dora'));
UPDATE omni.workstream SET mode = 'pick' WHERE name = 'mail';
SELECT omni.pick(pg_temp.id('dora'), pg_temp.conv('m3'));
UPDATE omni.workstream SET mode = 'push' WHERE name = 'mail';
-- a supervisor may override, and it is audited as such
SELECT omni.assign(pg_temp.conv('m3'), pg_temp.id('dora'));
SELECT omni.assign(pg_temp.conv('m3'), pg_temp.id('dora'), override_capacity => true);
SELECT items FROM omni.capacity_profile_use WHERE agent_id = pg_temp.id('dora');
-- a transfer to her counts too: nobody else has the profile, so give it to sup
INSERT INTO omni.agent_capacity_profile (agent_id, profile) VALUES (pg_temp.id('sup'), 'mail_day');
SELECT omni.transfer_to_agent(pg_temp.conv('m3'), pg_temp.id('sup'));
SELECT a.name, u.items FROM omni.capacity_profile_use u JOIN omni.agent a ON a.id = u.agent_id ORDER BY 1;
SELECT omni.transfer_to_agent(pg_temp.conv('m3'), pg_temp.id('dora'));
-- 3 of 2 today for dora: the supervisor's override, not a violation, all day long
SELECT * FROM omni.routing_invariant_violations();

-- case: end_of_day_profile_resets_at_midnight_utc
SET omnichannel.mock_now = '2021-03-01 23:59:59+00';
SELECT count(omni.enqueue('mail', 'm' || g)) FROM generate_series(4, 6) g;
SELECT omni.route() AS offers_before_midnight;
SET omnichannel.mock_now = '2021-03-02 00:00:00+00';
SELECT omni.route() AS offers_after_midnight;
SELECT c.customer FROM omni.offer o JOIN omni.conversation c ON c.id = o.conversation_id
 WHERE o.state = 'pending' AND o.agent_id = pg_temp.id('dora') ORDER BY 1;
-- a parked conversation of hers comes back without counting again
SELECT omni.accept(o.id) = o.conversation_id AS accepted FROM omni.offer o
 WHERE o.agent_id = pg_temp.id('dora') AND o.state = 'pending' ORDER BY o.id;
SELECT omni.set_waiting(pg_temp.conv('m4'));
SELECT omni.resume(pg_temp.conv('m4'));
SELECT day, items FROM omni.capacity_profile_use WHERE agent_id = pg_temp.id('dora') ORDER BY day;
SELECT * FROM omni.routing_invariant_violations();
-- the next day, the two items she took yesterday and still holds do not count: m6 is offered
SET omnichannel.mock_now = '2021-03-03 08:00:00+00';
SELECT omni.route() AS offers;
SELECT c.customer FROM omni.offer o JOIN omni.conversation c ON c.id = o.conversation_id
 WHERE o.state = 'pending' AND o.agent_id = pg_temp.id('dora') ORDER BY 1;
SELECT omni.accept(o.id) = o.conversation_id AS accepted FROM omni.offer o
 WHERE o.agent_id = pg_temp.id('dora') AND o.state = 'pending';
SELECT day, items FROM omni.capacity_profile_use WHERE agent_id = pg_temp.id('dora') ORDER BY day;
SELECT * FROM omni.routing_invariant_violations();

-- case: presence_follows_a_capacity_profile_of_zero_unit_work
-- Voice: 0 units, profile "voice" of 1 item.  On its one allowed call the
-- agent is Busy (its units are free, so not Do not disturb); when the units
-- are exhausted too it is Do not disturb; a blocking profile exhausted is
-- Do not disturb whatever the units.
SET omnichannel.mock_now = '2021-03-03 09:00:00+00';
INSERT INTO omni.capacity_profile (name, max_items) VALUES ('voice', 1);
INSERT INTO omni.capacity_profile (name, max_items, blocking) VALUES ('escalation', 1, true);
INSERT INTO omni.queue (name) VALUES ('vq'), ('cq'), ('eq'), ('xq');
INSERT INTO omni.workstream (name, channel, default_queue, capacity_units, capacity_profile)
VALUES ('voice', 'voice', 'vq', 0, 'voice'), ('esc', 'voice', 'eq', 0, 'escalation');
INSERT INTO omni.workstream (name, channel, default_queue, capacity_units)
VALUES ('chat', 'chat', 'cq', 50), ('other', 'chat', 'xq', 10);
INSERT INTO omni.agent (name) VALUES ('vera'), ('eli');
INSERT INTO omni.queue_member (queue, agent_id)
VALUES ('vq', pg_temp.id('vera')), ('cq', pg_temp.id('vera')), ('eq', pg_temp.id('eli')), ('xq', pg_temp.id('eli'));
INSERT INTO omni.agent_capacity_profile (agent_id, profile)
VALUES (pg_temp.id('vera'), 'voice'), (pg_temp.id('eli'), 'escalation');
SELECT omni.login(pg_temp.id('vera')), omni.login(pg_temp.id('eli'));
SELECT omni.enqueue('voice', 'call1');
SELECT omni.route() AS offers;
SELECT presence FROM omni.agent_state WHERE agent_id = pg_temp.id('vera');   -- offered: Busy
SELECT omni.accept(o.id) = o.conversation_id AS accepted FROM omni.offer o
 WHERE o.agent_id = pg_temp.id('vera') AND o.state = 'pending';
SELECT presence FROM omni.agent_state WHERE agent_id = pg_temp.id('vera');   -- on the call: Busy
-- two chats of 50 units exhaust her units while the voice profile is full: DND
SELECT count(omni.enqueue('chat', 'chat' || g)) FROM generate_series(1, 2) g;
SELECT omni.route() AS offers;
SELECT presence FROM omni.agent_state WHERE agent_id = pg_temp.id('vera');   -- units and profile full: DND
-- the call ends: units full but the voice profile free again: Busy
SELECT pg_temp.finish(pg_temp.conv('call1'));
SELECT presence FROM omni.agent_state WHERE agent_id = pg_temp.id('vera');
-- eli's blocking profile: on its one escalation he is DND with free units
SELECT omni.enqueue('esc', 'esc1');
SELECT omni.assign(pg_temp.conv('esc1'), pg_temp.id('eli'));
SELECT presence FROM omni.agent_state WHERE agent_id = pg_temp.id('eli');
SELECT omni.enqueue('other', 'x1');
SELECT omni.route() AS offers;
SELECT x.reason, x.detail FROM omni.explain_routing(pg_temp.conv('x1')) x;
SELECT pg_temp.finish(pg_temp.conv('esc1'));
SELECT presence FROM omni.agent_state WHERE agent_id = pg_temp.id('eli');
SELECT omni.route() AS offers;   -- x1 to eli now
-- the presence history of both
SELECT a.name, string_agg(h.presence, ' > ' ORDER BY h.started_at, h.id) AS presences
  FROM omni.presence_history h JOIN omni.agent a ON a.id = h.agent_id
 WHERE a.name IN ('vera', 'eli') GROUP BY 1 ORDER BY 1;
SELECT * FROM omni.routing_invariant_violations();

-- case: router_and_sql_agree_on_end_of_day_profiles
-- 12 queues, each with one e-mail and its own 1..3 agents whose day is
-- partly used (0..2 of 2 items of "pd" taken today, some with a per-agent
-- limit, some also with a blocking end_of_day profile "pb" of 1 item, 0 or 1
-- taken).  Before the cycle omni.explain_routing (the SQL definition) says
-- who is eligible; the router offers each e-mail to one of them, or to nobody
-- when nobody is.
SET omnichannel.mock_now = '2021-03-04 10:00:00+00';
INSERT INTO omni.capacity_profile (name, max_items, reset) VALUES ('pd', 2, 'end_of_day');
INSERT INTO omni.capacity_profile (name, max_items, reset, blocking) VALUES ('pb', 1, 'end_of_day', true);
DO $$
DECLARE
    a bigint;
BEGIN
    FOR q IN 1..12 LOOP
        INSERT INTO omni.queue (name) VALUES ('pq' || q);
        INSERT INTO omni.workstream (name, channel, default_queue, capacity_units, capacity_profile)
        VALUES ('pw' || q, 'email', 'pq' || q, 0, 'pd');
        FOR i IN 1..1 + q % 3 LOOP
            INSERT INTO omni.agent (name) VALUES ('pa' || q || '_' || i) RETURNING id INTO a;
            INSERT INTO omni.queue_member (queue, agent_id) VALUES ('pq' || q, a);
            INSERT INTO omni.agent_capacity_profile (agent_id, profile, max_items)
            VALUES (a, 'pd', CASE WHEN (q + i) % 5 = 0 THEN 3 END);
            INSERT INTO omni.capacity_profile_use (agent_id, profile, day, items)
            VALUES (a, 'pd', '2021-03-04', (q + i) % 3), (a, 'pd', '2021-03-03', 2);
            IF (q * i) % 4 = 0 THEN
                INSERT INTO omni.agent_capacity_profile (agent_id, profile) VALUES (a, 'pb');
                INSERT INTO omni.capacity_profile_use (agent_id, profile, day, items)
                VALUES (a, 'pb', '2021-03-04', (q + i) % 2);
            END IF;
            PERFORM omni.login(a);
        END LOOP;
        PERFORM omni.enqueue('pw' || q, 'p' || q);
    END LOOP;
END $$;
CREATE TEMP TABLE agreement AS
SELECT c.id AS conversation_id, c.customer,
       ARRAY(SELECT x.agent_id FROM omni.explain_routing(c.id) x WHERE x.eligible ORDER BY 1) AS eligible,
       NULL::bigint AS offered_to
  FROM omni.conversation c WHERE c.customer LIKE 'p%' AND c.state = 'open';
-- why members were not eligible, before the cycle (each reason that profiles give)
SELECT x.reason, count(*) FROM agreement g CROSS JOIN LATERAL omni.explain_routing(g.conversation_id) x
 GROUP BY 1 ORDER BY 1;
SELECT omni.route() AS offers;
UPDATE agreement g SET offered_to = o.agent_id
  FROM omni.offer o WHERE o.conversation_id = g.conversation_id AND o.state = 'pending';
-- varied enough: some offered, some with nobody eligible, some with a choice
SELECT count(*) AS decisions, count(offered_to) AS offered,
       count(*) FILTER (WHERE cardinality(eligible) = 0) AS nobody_eligible,
       count(*) FILTER (WHERE cardinality(eligible) > 1) AS several_eligible
  FROM agreement;
-- every disagreement (none expected)
SELECT customer, eligible, offered_to FROM agreement
 WHERE (offered_to IS NOT NULL AND NOT offered_to = ANY (eligible))
    OR ((offered_to IS NULL) <> (cardinality(eligible) = 0))
 ORDER BY 1;
-- (the offers of the presence case above have expired meanwhile; this world only)
SELECT v.* FROM omni.routing_invariant_violations() v
 WHERE v.agent_id IN (SELECT id FROM omni.agent WHERE name LIKE 'pa%');
