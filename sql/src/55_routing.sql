-- 55_routing.sql — the unified routing engine (SPEC §2, §3, §5; docs/routing.md):
-- custom assignment rules, overflow and operating hours, percentage split,
-- the assignment cycle omni.route() (C, src/routing/), the time-driven
-- omni.tick(), the decision log, the wake-up at commit and the worker status.

-- Custom assignment rules ---------------------------------------------------------

-- Order-by keys of a custom assignment rule: each item is one of
--   proficiency | proficiency:<skill> | free_capacity | idle_time | least_active
--   | round_robin | skill_count | attribute:<name>
-- optionally followed by " asc" or " desc" (each key has a natural default).
CREATE FUNCTION omni._valid_order_by(keys text[]) RETURNS boolean
    LANGUAGE sql IMMUTABLE AS $$
    SELECT keys IS NOT NULL AND array_position(keys, NULL) IS NULL AND cardinality(keys) <= 8
       AND NOT EXISTS (
        SELECT 1 FROM unnest(keys) k
         WHERE k !~ '^(proficiency(:[^ ]+)?|free_capacity|idle_time|least_active|round_robin|skill_count|attribute:[A-Za-z0-9_.-]+)( (asc|desc))?$')
$$;
COMMENT ON FUNCTION omni._valid_order_by(text[]) IS 'Whether a text[] is a valid list of custom assignment order-by keys.';

-- A custom rule condition is a jsonpath predicate on the agent document; it
-- may refer to the conversation as $conversation.
CREATE FUNCTION omni._is_agent_predicate(p jsonpath) RETURNS boolean
    LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    PERFORM jsonb_path_match('{}'::jsonb, p, '{"conversation": {}}'::jsonb, false);
    RETURN true;
EXCEPTION WHEN singleton_sql_json_item_required OR sql_json_scalar_required
          OR invalid_parameter_value OR data_exception OR undefined_object THEN
    RETURN false;
END $$;
COMMENT ON FUNCTION omni._is_agent_predicate(jsonpath) IS
    'Whether a jsonpath is a predicate usable as a custom assignment rule condition ($conversation may be referenced).';

CREATE TABLE omni.assignment_rule (
    queue        text NOT NULL REFERENCES omni.queue (name) ON UPDATE CASCADE ON DELETE CASCADE,
    position     integer NOT NULL CHECK (position >= 0),
    condition    jsonpath CHECK (condition IS NULL OR omni._is_agent_predicate(condition)),
    order_by     text[] NOT NULL DEFAULT '{}' CHECK (omni._valid_order_by(order_by)),
    description  text,
    PRIMARY KEY (queue, position)
);
COMMENT ON TABLE omni.assignment_rule IS
    'Custom assignment rules of queues whose assignment_method is custom: in position order, the first rule whose condition matches at least one eligible agent chooses among those agents by its order-by keys.';
COMMENT ON COLUMN omni.assignment_rule.queue IS 'Queue (assignment_method custom).';
COMMENT ON COLUMN omni.assignment_rule.position IS 'Evaluation order, smallest first.';
COMMENT ON COLUMN omni.assignment_rule.condition IS
    'SQL/JSON path predicate on the agent document {id, name, attributes, presence, base_status, used_units, free_units, capacity_units, skills: {skill: proficiency}}; $conversation is {id, priority, required_skills, context, queue, workstream, channel}. NULL matches every eligible agent.';
COMMENT ON COLUMN omni.assignment_rule.order_by IS
    'Order-by keys, best first: proficiency[:skill] (desc), free_capacity (desc), idle_time (longest idle first), least_active (longest since release first), round_robin (earliest in this queue first), skill_count (desc), attribute:<name> (numeric, asc by default); each may end in " asc" or " desc". Ties go round robin, then agent id.';
COMMENT ON COLUMN omni.assignment_rule.description IS 'Free description.';

-- Overflow and operating hours ----------------------------------------------------

CREATE TABLE omni.queue_overflow (
    queue         text NOT NULL REFERENCES omni.queue (name) ON UPDATE CASCADE ON DELETE CASCADE,
    position      integer NOT NULL DEFAULT 0 CHECK (position >= 0),
    condition     text NOT NULL CHECK (condition IN ('queue_length', 'outside_hours', 'wait_time')),
    max_waiting   integer CHECK (max_waiting >= 0),
    max_wait      interval CHECK (max_wait > interval '0'),
    action        text NOT NULL CHECK (action IN ('transfer', 'close')),
    target_queue  text REFERENCES omni.queue (name) ON UPDATE CASCADE,
    close_reason  text NOT NULL DEFAULT 'overflow' CHECK (btrim(close_reason) <> ''),
    description   text,
    PRIMARY KEY (queue, position),
    CONSTRAINT queue_length_needs_max_waiting CHECK ((condition = 'queue_length') = (max_waiting IS NOT NULL)),
    CONSTRAINT wait_time_needs_max_wait CHECK ((condition = 'wait_time') = (max_wait IS NOT NULL)),
    CONSTRAINT transfer_needs_target CHECK ((action = 'transfer') = (target_queue IS NOT NULL)),
    CONSTRAINT target_differs CHECK (target_queue IS DISTINCT FROM queue)
);
CREATE INDEX queue_overflow_target_idx ON omni.queue_overflow (target_queue);
COMMENT ON TABLE omni.queue_overflow IS
    'Overflow rules of a queue. Before queueing (queue_length, outside_hours) they are checked when a conversation enters the queue; while queued (wait_time) by omni.tick(). The first rule (by position) that holds acts: transfer to target_queue or close with close_reason.';
COMMENT ON COLUMN omni.queue_overflow.queue IS 'Queue the rule protects.';
COMMENT ON COLUMN omni.queue_overflow.position IS 'Evaluation order, smallest first.';
COMMENT ON COLUMN omni.queue_overflow.condition IS
    'queue_length: max_waiting or more open conversations already wait; outside_hours: the queue is closed (omni.queue_hours, in the queue''s time zone); wait_time: the conversation waited longer than max_wait.';
COMMENT ON COLUMN omni.queue_overflow.max_waiting IS 'queue_length: overflow when this many conversations already wait.';
COMMENT ON COLUMN omni.queue_overflow.max_wait IS 'wait_time: overflow once a conversation waited this long in the queue.';
COMMENT ON COLUMN omni.queue_overflow.action IS 'transfer (to target_queue) or close (with close_reason).';
COMMENT ON COLUMN omni.queue_overflow.target_queue IS 'Queue to transfer to (action transfer).';
COMMENT ON COLUMN omni.queue_overflow.close_reason IS 'close_reason of conversations closed by the rule (default overflow).';
COMMENT ON COLUMN omni.queue_overflow.description IS 'Free description.';

CREATE TABLE omni.queue_hours (
    queue   text NOT NULL REFERENCES omni.queue (name) ON UPDATE CASCADE ON DELETE CASCADE,
    isodow  integer NOT NULL CHECK (isodow BETWEEN 1 AND 7),
    opens   time NOT NULL,
    closes  time NOT NULL,
    PRIMARY KEY (queue, isodow, opens),
    CHECK (closes > opens)
);
COMMENT ON TABLE omni.queue_hours IS
    'Operating hours of a queue in its time zone (omni.queue.time_zone). A queue without rows is always open.';
COMMENT ON COLUMN omni.queue_hours.queue IS 'Queue.';
COMMENT ON COLUMN omni.queue_hours.isodow IS 'Day of the week, 1 = Monday .. 7 = Sunday.';
COMMENT ON COLUMN omni.queue_hours.opens IS 'Opening time (local).';
COMMENT ON COLUMN omni.queue_hours.closes IS 'Closing time (local, exclusive; 24:00 for midnight).';

CREATE FUNCTION omni.queue_is_open(queue text, at timestamptz DEFAULT omni.now()) RETURNS boolean
    LANGUAGE sql STABLE AS $$
    SELECT NOT EXISTS (SELECT 1 FROM omni.queue_hours h WHERE h.queue = queue_is_open.queue)
        OR EXISTS (SELECT 1 FROM omni.queue q JOIN omni.queue_hours h ON h.queue = q.name
                    WHERE q.name = queue_is_open.queue
                      AND h.isodow = extract(isodow FROM (at AT TIME ZONE q.time_zone))
                      AND (at AT TIME ZONE q.time_zone)::time >= h.opens
                      AND ((at AT TIME ZONE q.time_zone)::time < h.closes OR h.closes = '24:00'))
$$;
COMMENT ON FUNCTION omni.queue_is_open(text, timestamptz) IS
    'Whether the queue is within its operating hours at that time (in its own time zone); always true without hours.';

-- Percentage split of a route rule ------------------------------------------------

CREATE TABLE omni.route_rule_split (
    workstream  text NOT NULL,
    position    integer NOT NULL,
    queue       text NOT NULL REFERENCES omni.queue (name) ON UPDATE CASCADE,
    percent     integer NOT NULL CHECK (percent BETWEEN 1 AND 100),
    PRIMARY KEY (workstream, position, queue),
    FOREIGN KEY (workstream, position) REFERENCES omni.route_rule (workstream, position)
        ON UPDATE CASCADE ON DELETE CASCADE
);
COMMENT ON TABLE omni.route_rule_split IS
    'Percentage split of a route rule: a conversation the rule matches goes to one of up to five queues in these proportions (they must total 100). The rule''s own queue is then only a fallback.';
COMMENT ON COLUMN omni.route_rule_split.workstream IS 'Workstream of the route rule.';
COMMENT ON COLUMN omni.route_rule_split.position IS 'Position of the route rule.';
COMMENT ON COLUMN omni.route_rule_split.queue IS 'One of the queues.';
COMMENT ON COLUMN omni.route_rule_split.percent IS 'Share of the rule''s conversations, 1..100.';

-- Checked at commit so an admin can rewrite a split in several statements:
-- every change (insert, update, delete) re-checks the rule it touched, so a
-- rule's split is at exactly 100 percent when the transaction commits or the
-- commit fails.  Deleting every row of a rule removes its split (the rule's
-- own queue takes all its conversations again).
CREATE FUNCTION omni._check_route_rule_split() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT s.workstream, s.position, count(*) AS n, sum(s.percent) AS total
               FROM omni.route_rule_split s
              WHERE (s.workstream, s.position) = (NEW.workstream, NEW.position)
                 OR (s.workstream, s.position) = (OLD.workstream, OLD.position)
              GROUP BY 1, 2
    LOOP
        IF r.n > 5 THEN
            RAISE EXCEPTION 'route rule % of workstream "%" is split across % queues; at most 5 are allowed',
                r.position, r.workstream, r.n USING ERRCODE = 'check_violation',
                HINT = 'Merge the shares of some queues so that at most five remain.';
        END IF;
        IF r.total <> 100 THEN
            RAISE EXCEPTION 'the split of route rule % of workstream "%" totals % percent; it must total 100',
                r.position, r.workstream, r.total USING ERRCODE = 'check_violation',
                DETAIL = 'Checked when the transaction commits, after every insert, update or delete of omni.route_rule_split.',
                HINT = 'Change the shares in the same transaction so they add up to 100, or delete every row of the rule to remove its split.';
        END IF;
    END LOOP;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER check_split AFTER INSERT OR UPDATE OR DELETE ON omni.route_rule_split
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION omni._check_route_rule_split();
COMMENT ON FUNCTION omni._check_route_rule_split() IS
    'Constraint trigger (at commit, after any insert, update or delete): a route rule is split across at most five queues totalling 100 percent, or not split at all.';

-- Applied when a conversation first gets a queue (omni.enqueue, omni.escalate):
-- the route rule that chose it is found again and, if split, a queue is
-- chosen by a low-discrepancy sequence on the conversation id (61 is coprime
-- to 100, so any 100 consecutive ids hit every percentile exactly once).
CREATE FUNCTION omni._apply_route_split() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    rule_position integer;
    bucket integer;
    s record;
    acc integer := 0;
BEGIN
    IF NEW.state <> 'open' OR NEW.queue IS NULL OR NOT omni._has_route_split(NEW.workstream) THEN
        RETURN NEW;
    END IF;
    SELECT rr.position INTO rule_position FROM omni.route_rule rr
     WHERE rr.workstream = NEW.workstream AND jsonb_path_match(NEW.context, rr.condition, silent => true)
     ORDER BY rr.position LIMIT 1;
    IF rule_position IS NULL THEN
        RETURN NEW;
    END IF;
    bucket := (NEW.id * 61) % 100;
    FOR s IN SELECT queue, percent FROM omni.route_rule_split
              WHERE workstream = NEW.workstream AND position = rule_position ORDER BY queue
    LOOP
        acc := acc + s.percent;
        IF bucket < acc THEN
            NEW.queue := s.queue;
            RETURN NEW;
        END IF;
    END LOOP;
    RETURN NEW;
END $$;
-- Whether the workstream has a split route rule, the queue a before-queueing
-- overflow rule (C index probes, src/trigger_gates.c): the WHEN clauses of
-- the triggers below ask them, so that an enqueue with neither (most) calls
-- no trigger function (docs/design.md, "Hot tables").
CREATE FUNCTION omni._has_route_split(workstream text) RETURNS boolean
    LANGUAGE c STABLE STRICT AS 'MODULE_PATHNAME', 'omni_has_route_split';
COMMENT ON FUNCTION omni._has_route_split(text) IS
    'Whether a route rule of the workstream is split (omni.route_rule_split): the WHEN clause of trigger apply_route_split.';
CREATE FUNCTION omni._has_prequeue_overflow(queue text) RETURNS boolean
    LANGUAGE c STABLE STRICT AS 'MODULE_PATHNAME', 'omni_has_prequeue_overflow';
COMMENT ON FUNCTION omni._has_prequeue_overflow(text) IS
    'Whether the queue has a before-queueing overflow rule (queue_length, outside_hours): the WHEN clauses of the prequeue_overflow triggers.';
CREATE TRIGGER apply_route_split BEFORE INSERT ON omni.conversation
    FOR EACH ROW WHEN (NOT omni._restoring() AND omni._has_route_split(NEW.workstream))
    EXECUTE FUNCTION omni._apply_route_split();
CREATE TRIGGER apply_route_split_on_escalate BEFORE UPDATE OF queue ON omni.conversation
    FOR EACH ROW WHEN (OLD.queue IS NULL AND NEW.queue IS NOT NULL)
    EXECUTE FUNCTION omni._apply_route_split();
COMMENT ON FUNCTION omni._apply_route_split() IS
    'Trigger: when a conversation first gets a queue from a split route rule, picks one of the split''s queues in its proportions.';

-- Overflow before queueing --------------------------------------------------------

-- The first before-queueing overflow rule of the conversation's queue that
-- holds now, or NULL.
CREATE FUNCTION omni._prequeue_rule(c omni.conversation) RETURNS omni.queue_overflow
    LANGUAGE plpgsql STABLE AS $$
DECLARE
    r omni.queue_overflow;
    waiting bigint;
BEGIN
    FOR r IN SELECT * FROM omni.queue_overflow
              WHERE queue = c.queue AND condition IN ('queue_length', 'outside_hours') ORDER BY position
    LOOP
        IF r.condition = 'outside_hours' THEN   -- in the queue's own time zone
            IF NOT omni.queue_is_open(c.queue, omni.now()) THEN
                RETURN r;
            END IF;
        ELSE
            -- those ahead of it in the queue when it arrived
            SELECT count(*) INTO waiting FROM omni.conversation
             WHERE state = 'open' AND queue = c.queue
               AND (queued_at < c.queued_at OR (queued_at = c.queued_at AND id < c.id));
            IF waiting >= r.max_waiting THEN
                RETURN r;
            END IF;
        END IF;
    END LOOP;
    RETURN NULL;
END $$;
COMMENT ON FUNCTION omni._prequeue_rule(omni.conversation) IS
    'The first before-queueing overflow rule (queue_length, outside_hours) of the conversation''s queue that holds now, or NULL.';

-- Apply an overflow rule to a locked open conversation.
CREATE FUNCTION omni._overflow(c omni.conversation, r omni.queue_overflow, detail jsonb) RETURNS void
    LANGUAGE plpgsql AS $$
BEGIN
    detail := detail || jsonb_build_object('rule_queue', r.queue, 'rule_position', r.position,
                                           'condition', r.condition);
    IF r.action = 'transfer' THEN
        PERFORM omni._requeue(c, 'overflow_transfer', 'overflow_transferred', r.target_queue, detail);
    ELSE
        PERFORM omni._close(c, 'overflow_close', 'overflow_closed', r.close_reason, detail);
    END IF;
END $$;
COMMENT ON FUNCTION omni._overflow(omni.conversation, omni.queue_overflow, jsonb) IS
    'Carries out an overflow rule on an open conversation: transfer to the target queue or close with the rule''s reason.';

-- Runs at commit of the transaction that put a conversation into a queue, so
-- the 'enqueued' (or 'transferred', 'requeued', 'escalated') event comes
-- first and nothing can route the conversation before the check.  A
-- conversation that just arrived by an overflow transfer is accepted by its
-- new queue unconditionally (no ping-pong between two full queues).
CREATE FUNCTION omni._prequeue_overflow() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    c omni.conversation;
    r omni.queue_overflow;
BEGIN
    IF NOT coalesce(omni._has_prequeue_overflow(NEW.queue), false) THEN
        RETURN NULL;
    END IF;
    SELECT * INTO c FROM omni.conversation WHERE id = NEW.id FOR UPDATE;
    IF c.state <> 'open' OR c.queue IS DISTINCT FROM NEW.queue
       OR EXISTS (SELECT 1 FROM omni.offer WHERE conversation_id = c.id AND state = 'pending')
       OR (SELECT kind FROM omni.event WHERE conversation_id = c.id ORDER BY id DESC LIMIT 1) = 'overflow_transferred' THEN
        RETURN NULL;
    END IF;
    r := omni._prequeue_rule(c);
    IF r.queue IS NOT NULL THEN
        PERFORM omni._overflow(c, r, jsonb_build_object('stage', 'before_queueing'));
    END IF;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER prequeue_overflow AFTER INSERT ON omni.conversation
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (NEW.state = 'open' AND NOT omni._restoring() AND omni._has_prequeue_overflow(NEW.queue))
    EXECUTE FUNCTION omni._prequeue_overflow();
-- OF queue, queued_at, not OF state: a conversation that enters a queue
-- (escalate, and omni._requeue: transfer, customer reply, overflow) starts
-- its queue clock again, so every such update sets queued_at; the accept,
-- the end and the close then do not read and plan this WHEN clause
-- (docs/design.md, "Hot tables").
CREATE CONSTRAINT TRIGGER prequeue_overflow_on_move AFTER UPDATE OF queue, queued_at ON omni.conversation
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (NEW.state = 'open' AND (OLD.state <> 'open' OR OLD.queue IS DISTINCT FROM NEW.queue)
          AND omni._has_prequeue_overflow(NEW.queue))
    EXECUTE FUNCTION omni._prequeue_overflow();
COMMENT ON FUNCTION omni._prequeue_overflow() IS
    'Constraint trigger (at commit of the transaction that queued a conversation): applies the queue''s before-queueing overflow rules.';

-- Round-robin rotation -----------------------------------------------------------

CREATE TABLE omni.queue_rotation (
    queue             text NOT NULL REFERENCES omni.queue (name) ON UPDATE CASCADE ON DELETE CASCADE,
    agent_id          bigint NOT NULL REFERENCES omni.agent (id) ON DELETE CASCADE,
    last_assigned_at  timestamptz NOT NULL,
    PRIMARY KEY (queue, agent_id)
);
COMMENT ON TABLE omni.queue_rotation IS
    'Per-queue round-robin rotation, written by the router: when each agent was last offered work from the queue (an agent never offered ranks by queue_member.added_at).';
COMMENT ON COLUMN omni.queue_rotation.queue IS 'Queue.';
COMMENT ON COLUMN omni.queue_rotation.agent_id IS 'Agent.';
COMMENT ON COLUMN omni.queue_rotation.last_assigned_at IS 'Last offer from this queue (strictly increasing per cycle, so ties never happen).';

-- Routing configuration cache (src/routing/config.c) ----------------------------------

-- Each backend keeps the routing configuration (skills, queues, custom rules,
-- push workstreams, presences) in memory; a change to these tables invalidates every
-- backend's copy when it commits (relcache invalidation), so the next cycle
-- reads it again and an idle cycle reads no configuration at all.
CREATE FUNCTION omni._routing_config_changed() RETURNS trigger
    LANGUAGE c AS 'MODULE_PATHNAME', 'omni_routing_config_changed';
COMMENT ON FUNCTION omni._routing_config_changed() IS
    'Statement trigger on the routing configuration tables: invalidates every backend''s cached routing configuration at commit.';
CREATE TRIGGER routing_config_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON omni.skill
    FOR EACH STATEMENT EXECUTE FUNCTION omni._routing_config_changed();
CREATE TRIGGER routing_config_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON omni.queue
    FOR EACH STATEMENT EXECUTE FUNCTION omni._routing_config_changed();
CREATE TRIGGER routing_config_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON omni.workstream
    FOR EACH STATEMENT EXECUTE FUNCTION omni._routing_config_changed();
CREATE TRIGGER routing_config_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON omni.assignment_rule
    FOR EACH STATEMENT EXECUTE FUNCTION omni._routing_config_changed();
-- presences (names and bases): the router maps each agent's presence from its copy
CREATE TRIGGER routing_config_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON omni.presence
    FOR EACH STATEMENT EXECUTE FUNCTION omni._routing_config_changed();

-- The routers' agent cache (src/routing/agent_cache.c): the agents' configuration
-- invalidates it like the rest of the configuration; their runtime rows are
-- noted per agent and read again by the next cycle after the change commits.
CREATE TRIGGER routing_config_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON omni.agent
    FOR EACH STATEMENT EXECUTE FUNCTION omni._routing_config_changed();
CREATE TRIGGER routing_config_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON omni.agent_skill
    FOR EACH STATEMENT EXECUTE FUNCTION omni._routing_config_changed();
CREATE TRIGGER routing_config_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON omni.queue_member
    FOR EACH STATEMENT EXECUTE FUNCTION omni._routing_config_changed();
CREATE TRIGGER routing_config_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON omni.agent_capacity_profile
    FOR EACH STATEMENT EXECUTE FUNCTION omni._routing_config_changed();
CREATE TRIGGER routing_config_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON omni.capacity_profile
    FOR EACH STATEMENT EXECUTE FUNCTION omni._routing_config_changed();
CREATE FUNCTION omni._agents_changed() RETURNS trigger
    LANGUAGE c AS 'MODULE_PATHNAME', 'omni_agents_changed';
COMMENT ON FUNCTION omni._agents_changed() IS
    'Row trigger on the agents'' runtime tables (and TRUNCATE trigger): the routers read the agents changed again once the transaction commits.  Argument ''hold'' (omni.capacity_hold): an update is noted only when it changes the hold''s agent, units or profile, or its kind when it has a profile.';
CREATE TRIGGER agents_changed AFTER INSERT OR UPDATE OR DELETE ON omni.agent_state
    FOR EACH ROW EXECUTE FUNCTION omni._agents_changed();
-- 'hold': an update of a hold is noted only when it changes what the routers
-- read of it (its agent, units and profile; its kind when a profile counts
-- it).  The accept turns an offer's hold into work: without a profile the
-- agent is not read again.  In the C function, not a WHEN clause, which
-- PostgreSQL would read from its stored text at every statement.
CREATE TRIGGER agents_changed AFTER INSERT OR UPDATE OR DELETE ON omni.capacity_hold
    FOR EACH ROW EXECUTE FUNCTION omni._agents_changed('hold');
CREATE TRIGGER agents_changed AFTER INSERT OR UPDATE OR DELETE ON omni.queue_rotation
    FOR EACH ROW EXECUTE FUNCTION omni._agents_changed();
CREATE TRIGGER agents_changed AFTER INSERT OR UPDATE OR DELETE ON omni.capacity_profile_use
    FOR EACH ROW EXECUTE FUNCTION omni._agents_changed();
CREATE TRIGGER agents_truncated AFTER TRUNCATE ON omni.agent_state
    FOR EACH STATEMENT EXECUTE FUNCTION omni._agents_changed();
CREATE TRIGGER agents_truncated AFTER TRUNCATE ON omni.capacity_hold
    FOR EACH STATEMENT EXECUTE FUNCTION omni._agents_changed();
CREATE TRIGGER agents_truncated AFTER TRUNCATE ON omni.queue_rotation
    FOR EACH STATEMENT EXECUTE FUNCTION omni._agents_changed();
CREATE TRIGGER agents_truncated AFTER TRUNCATE ON omni.capacity_profile_use
    FOR EACH STATEMENT EXECUTE FUNCTION omni._agents_changed();
CREATE FUNCTION omni._agent_cache_reads() RETURNS bigint
    LANGUAGE c VOLATILE AS 'MODULE_PATHNAME', 'omni_agent_cache_reads';
COMMENT ON FUNCTION omni._agent_cache_reads() IS
    'How many times this backend read every agent into its routing cache (tests: a cycle after a change reads only the agents changed).';

CREATE FUNCTION omni._routing_cache_loads() RETURNS bigint
    LANGUAGE c VOLATILE AS 'MODULE_PATHNAME', 'omni_routing_cache_loads';
COMMENT ON FUNCTION omni._routing_cache_loads() IS
    'How many times this backend has read the routing configuration (tests: an idle cycle reads none).';
CREATE FUNCTION omni._agents_noted() RETURNS integer
    LANGUAGE c VOLATILE AS 'MODULE_PATHNAME', 'omni_agents_noted';
COMMENT ON FUNCTION omni._agents_noted() IS
    'How many agents this transaction has noted as changed so far, -1 when every agent is (tests: which changes make the routers read an agent again).';
REVOKE ALL ON FUNCTION omni._routing_config_changed(), omni._routing_cache_loads(),
    omni._agents_changed(), omni._agent_cache_reads(), omni._agents_noted() FROM PUBLIC;

CREATE FUNCTION omni._has_pending_offer(conversation_id bigint) RETURNS boolean
    LANGUAGE c STABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'omni_has_pending_offer';
COMMENT ON FUNCTION omni._has_pending_offer(bigint) IS
    'Whether the conversation has a pending offer: one probe of offer_one_pending_idx from C, so the routing cycle''s candidate scan costs the same whatever the planner statistics say.';
REVOKE ALL ON FUNCTION omni._has_pending_offer(bigint) FROM PUBLIC;

-- The candidate scan of a routing cycle walks this index in queue order and
-- stops after a batch; ties on queued_at (a burst enqueued in one
-- transaction) are broken by id without a sort.  It is the one index of
-- open conversations in queue order (0.5.0 dropped conversation_open_idx, the
-- same columns without id: every enqueue and state change paid for both).
CREATE INDEX conversation_route_idx ON omni.conversation (queue, priority, queued_at, id) WHERE state = 'open';

-- The assignment cycle ------------------------------------------------------------

CREATE FUNCTION omni.route() RETURNS integer
    LANGUAGE c VOLATILE SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp SET jit = off
    AS 'MODULE_PATHNAME', 'omni_route';
COMMENT ON FUNCTION omni.route() IS
    'Runs one assignment cycle in the caller''s transaction (READ COMMITTED) and returns how many offers it made. The background worker calls it whenever work may be assignable.';

CREATE FUNCTION omni._wake_router() RETURNS void
    LANGUAGE c VOLATILE
    AS 'MODULE_PATHNAME', 'omni_wake_router';
COMMENT ON FUNCTION omni._wake_router() IS
    'Asks the routing worker of this database to run a cycle right after this transaction commits (a commit callback sets its latch).';

CREATE FUNCTION omni._wake_launcher() RETURNS void
    LANGUAGE c VOLATILE
    AS 'MODULE_PATHNAME', 'omni_wake_launcher';
COMMENT ON FUNCTION omni._wake_launcher() IS
    'Asks the worker launcher to look for databases with the extension right after this transaction commits (CREATE EXTENSION calls it).';

-- Wake the router when configuration changes can make work assignable.
CREATE FUNCTION omni._wake_router_trigger() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
BEGIN
    PERFORM omni._wake_router();
    RETURN NULL;
END $$;
DO $wake$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['queue', 'queue_member', 'agent', 'agent_skill', 'agent_capacity_profile',
                             'capacity_profile', 'workstream', 'assignment_rule']
    LOOP
        EXECUTE format('CREATE TRIGGER wake_router AFTER INSERT OR UPDATE OR DELETE ON omni.%I
                        FOR EACH STATEMENT EXECUTE FUNCTION omni._wake_router_trigger()', t);
    END LOOP;
END
$wake$;
COMMENT ON FUNCTION omni._wake_router_trigger() IS
    'Statement trigger on configuration tables: wakes the router at commit, since a configuration change may make work assignable.';

-- Time-driven work ----------------------------------------------------------------

CREATE FUNCTION omni.tick() RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    t timestamptz := omni.now();
    batch constant integer := 1000;
    n integer := 0;
    r record;
    c omni.conversation;
BEGIN
    -- 1. Expired offers: a decline; the conversation keeps its place.
    FOR r IN SELECT o.id FROM omni.offer o JOIN omni.conversation cv ON cv.id = o.conversation_id
              WHERE o.state = 'pending' AND o.expires_at <= t
              ORDER BY o.expires_at, o.id LIMIT batch
              FOR UPDATE OF cv SKIP LOCKED
    LOOP
        PERFORM omni._end_offer(r.id, 'expired');
        n := n + 1;
    END LOOP;
    -- 2. Overflow while queued: waited longer than the queue's limit.
    FOR r IN SELECT cv.id, ov AS rule
               FROM omni.queue_overflow ov
               JOIN omni.conversation cv ON cv.queue = ov.queue AND cv.state = 'open'
                                        AND cv.queued_at + ov.max_wait <= t
              WHERE ov.condition = 'wait_time'
                AND NOT EXISTS (SELECT 1 FROM omni.offer o WHERE o.conversation_id = cv.id AND o.state = 'pending')
                AND ov.position = (SELECT min(o2.position) FROM omni.queue_overflow o2
                                    WHERE o2.queue = ov.queue AND o2.condition = 'wait_time'
                                      AND cv.queued_at + o2.max_wait <= t)
              ORDER BY cv.queued_at, cv.id LIMIT batch
              FOR UPDATE OF cv SKIP LOCKED
    LOOP
        SELECT * INTO c FROM omni.conversation WHERE id = r.id;
        PERFORM omni._overflow(c, r.rule, jsonb_build_object('stage', 'while_queued',
                                                             'waited_s', extract(epoch FROM t - c.queued_at)));
        n := n + 1;
    END LOOP;
    -- 3. Auto-close by state (the workstream's limits).
    FOR r IN SELECT cv.id FROM omni.conversation cv JOIN omni.workstream w ON w.name = cv.workstream
              WHERE (cv.state = 'open' AND w.auto_close_open IS NOT NULL AND cv.queued_at + w.auto_close_open <= t
                     AND NOT EXISTS (SELECT 1 FROM omni.offer o WHERE o.conversation_id = cv.id AND o.state = 'pending'))
                 OR (cv.state = 'waiting' AND cv.last_activity_at + w.auto_close_waiting <= t)
                 OR (cv.state = 'wrap_up' AND cv.wrap_up_at + w.auto_close_wrap_up <= t)
              ORDER BY cv.id LIMIT batch
              FOR UPDATE OF cv SKIP LOCKED
    LOOP
        SELECT * INTO c FROM omni.conversation WHERE id = r.id;
        PERFORM omni._close(c, 'auto_close', 'auto_closed', 'auto_closed',
                            jsonb_build_object('idle_s', extract(epoch FROM t - c.last_activity_at)));
        n := n + 1;
    END LOOP;
    RETURN n;
END $$;
COMMENT ON FUNCTION omni.tick() IS
    'Does the time-driven work as of omni.now(): expires pending offers (a decline; Inactive when block_on_missed), applies wait-time overflow and auto-closes conversations by state. Returns how many items it handled (at most 1000 of each kind per call).';

CREATE FUNCTION omni.next_deadline() RETURNS timestamptz
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
    SELECT min(d) FROM (
        SELECT min(expires_at) AS d FROM omni.offer WHERE state = 'pending'
        UNION ALL
        SELECT min(cv.queued_at + ov.max_wait) FROM omni.queue_overflow ov
          JOIN omni.conversation cv ON cv.queue = ov.queue AND cv.state = 'open'
         WHERE ov.condition = 'wait_time'
        UNION ALL
        SELECT min(CASE cv.state WHEN 'open' THEN cv.queued_at + w.auto_close_open
                                 WHEN 'waiting' THEN cv.last_activity_at + w.auto_close_waiting
                                 WHEN 'wrap_up' THEN cv.wrap_up_at + w.auto_close_wrap_up END)
          FROM omni.conversation cv JOIN omni.workstream w ON w.name = cv.workstream
         WHERE cv.state IN ('open', 'waiting', 'wrap_up')
    ) s
$$;
COMMENT ON FUNCTION omni.next_deadline() IS
    'When omni.tick() next has work: the earliest pending offer expiry, wait-time overflow or auto-close (NULL: none). The worker sleeps until then.';

-- Invariants ----------------------------------------------------------------------

CREATE FUNCTION omni.routing_invariant_violations(
    OUT invariant text, OUT conversation_id bigint, OUT agent_id bigint, OUT detail text)
    RETURNS SETOF record
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
    -- the open conversations without a pending offer, first: invariant 6
    -- weighs each against every member of its queue, so on a busy server
    -- (thousands open, nearly all offered) the check costs what is waiting,
    -- not every open conversation times every member
    WITH unoffered AS MATERIALIZED (
        SELECT c AS conv FROM omni.conversation c
         WHERE c.state = 'open' AND NOT omni._has_pending_offer(c.id))
    -- 1. at most one live offer per conversation
    SELECT 'two_live_offers', o.conversation_id, NULL::bigint, count(*) || ' pending offers'
      FROM omni.offer o WHERE o.state = 'pending' GROUP BY o.conversation_id HAVING count(*) > 1
    UNION ALL
    -- 2. a pending offer only for an open conversation, never one already with an agent
    SELECT 'offer_for_assigned', o.conversation_id, o.agent_id, 'conversation is ' || c.state
      FROM omni.offer o JOIN omni.conversation c ON c.id = o.conversation_id
     WHERE o.state = 'pending' AND (c.state <> 'open' OR c.agent_id IS NOT NULL)
    UNION ALL
    -- 3. capacity is held by the conversation's own agent (or its offered agent)
    SELECT 'hold_mismatch', h.conversation_id, h.agent_id,
           format('held by %s, conversation %s with %s', h.agent_id, c.state, coalesce(c.agent_id::text, 'no agent'))
      FROM omni.capacity_hold h JOIN omni.conversation c ON c.id = h.conversation_id
     WHERE (h.kind = 'work' AND (c.agent_id IS DISTINCT FROM h.agent_id OR c.state NOT IN ('active', 'wrap_up')))
        OR (h.kind = 'offer' AND NOT EXISTS (SELECT 1 FROM omni.offer o WHERE o.conversation_id = h.conversation_id
                                                AND o.state = 'pending' AND o.agent_id = h.agent_id))
    UNION ALL
    -- 4. no agent over capacity unless a supervisor override is recorded
    SELECT 'over_capacity', NULL, a.id, format('%s of %s units', sum(h.units), a.capacity_units)
      FROM omni.agent a JOIN omni.capacity_hold h ON h.agent_id = a.id
     GROUP BY a.id, a.capacity_units
    HAVING sum(h.units) > a.capacity_units AND NOT bool_or(h.override)
    UNION ALL
    -- (items per omni._profile_items: held now, or taken today for end_of_day;
    -- a supervisor's override counts while held, or for end_of_day all day)
    SELECT 'over_profile', NULL, acp.agent_id,
           format('%s of %s items of %s%s', k.n, coalesce(acp.max_items, cp.max_items), cp.name,
                  CASE WHEN cp.reset = 'end_of_day' THEN ' today' ELSE '' END)
      FROM omni.agent_capacity_profile acp JOIN omni.capacity_profile cp ON cp.name = acp.profile
     CROSS JOIN LATERAL (SELECT omni._profile_items(acp.agent_id, cp.name, cp.reset) AS n) k
     WHERE k.n > coalesce(acp.max_items, cp.max_items)
       AND NOT EXISTS (SELECT 1 FROM omni.capacity_hold h
                        WHERE h.agent_id = acp.agent_id AND h.profile = cp.name AND h.override)
       AND NOT (cp.reset = 'end_of_day' AND EXISTS (
                SELECT 1 FROM omni.event e
                 WHERE e.agent_id = acp.agent_id AND e.kind = 'assigned'
                   AND e.at >= (omni.now() AT TIME ZONE 'UTC')::date::timestamp AT TIME ZONE 'UTC'
                   AND (e.detail ->> 'override_capacity')::boolean))
    UNION ALL
    -- 5. no expired offer left pending
    SELECT 'expired_offer_pending', o.conversation_id, o.agent_id, 'expired at ' || o.expires_at
      FROM omni.offer o WHERE o.state = 'pending' AND o.expires_at <= omni.now()
    UNION ALL
    -- 6. no open push conversation left while an eligible agent has room
    SELECT 'open_with_eligible_agent', (u.conv).id, m.agent_id,
           'queue ' || (u.conv).queue || CASE WHEN q.assignment_method = 'custom'
                                              THEN ' (custom: no assignment rule matches the agent, or it is being routed)'
                                              ELSE '' END
      FROM unoffered u
      JOIN omni.workstream w ON w.name = (u.conv).workstream AND w.mode = 'push'
      JOIN omni.queue q ON q.name = (u.conv).queue
      JOIN omni.queue_member m ON m.queue = (u.conv).queue
     WHERE omni._eligibility_refusal(m.agent_id, u.conv) IS NULL
$$;
COMMENT ON FUNCTION omni.routing_invariant_violations() IS
    'Rows that break a routing invariant (empty when all hold): two live offers, an offer for an assigned conversation, capacity held by the wrong agent, an agent over capacity or over a profile without a supervisor override, an expired offer still pending, an open conversation while an eligible agent has room (call omni.route() first; in a custom queue this also lists agents no assignment rule matches, whose work stays queued by design).';

-- Decision log -------------------------------------------------------------------

-- Why each offer went to its agent, with the colleagues it was compared with
-- (the runner-up's id and key values, custom-rule attribute values, how many
-- were eligible): routing data about other agents, so it is kept apart from
-- the agent's own 'offered' event and only the queue's supervisors and
-- admins read it (issue 10, finding 2).  Written by omni._write_offers.
CREATE TABLE omni.offer_decision (
    offer_id         bigint PRIMARY KEY,
    conversation_id  bigint NOT NULL,
    agent_id         bigint NOT NULL,
    queue            text NOT NULL,
    at               timestamptz NOT NULL,
    detail           jsonb NOT NULL
);
COMMENT ON TABLE omni.offer_decision IS
    'The routing decision behind each offer the router made (read it through omni.routing_decision): supervisors of the queue and admins only, since it compares the chosen agent with its colleagues.';
COMMENT ON COLUMN omni.offer_decision.offer_id IS 'Offer (omni.offer.id).';
COMMENT ON COLUMN omni.offer_decision.conversation_id IS 'Conversation offered.';
COMMENT ON COLUMN omni.offer_decision.agent_id IS 'Agent chosen.';
COMMENT ON COLUMN omni.offer_decision.queue IS 'Queue the conversation was in.';
COMMENT ON COLUMN omni.offer_decision.at IS 'When the offer was made.';
COMMENT ON COLUMN omni.offer_decision.detail IS
    '{method, skill_match, eligible, rule, order_by, key, runner_up: {agent_id, key}, cycle}.';
SELECT pg_catalog.pg_extension_config_dump('omni.offer_decision', '');
ALTER TABLE omni.offer_decision ENABLE ROW LEVEL SECURITY;
CREATE POLICY admin_all ON omni.offer_decision FOR SELECT TO omnichannel_admin USING (true);
CREATE POLICY reporting_all ON omni.offer_decision FOR SELECT TO omnichannel_reporting USING (true);
CREATE POLICY supervisor_queues ON omni.offer_decision FOR SELECT TO omnichannel_supervisor
    USING (EXISTS (SELECT 1 FROM omni.queue_supervisor s
                    WHERE s.queue = offer_decision.queue AND pg_has_role(current_user, s.db_role, 'MEMBER')));

CREATE VIEW omni.routing_decision WITH (security_invoker = true) AS
SELECT d.offer_id,
       d.conversation_id,
       d.agent_id,
       d.queue,
       d.at,
       d.detail ->> 'method' AS method,
       d.detail ->> 'skill_match' AS skill_match,
       (d.detail ->> 'rule')::integer AS rule_position,
       (d.detail ->> 'eligible')::integer AS eligible_count,
       ARRAY(SELECT jsonb_array_elements_text(d.detail -> 'order_by')) AS order_by,
       d.detail -> 'key' AS chosen_key,
       (d.detail #>> '{runner_up,agent_id}')::bigint AS runner_up_agent_id,
       d.detail #> '{runner_up,key}' AS runner_up_key,
       (d.detail ->> 'cycle')::bigint AS cycle
  FROM omni.offer_decision d;
COMMENT ON VIEW omni.routing_decision IS
    'Why each offer the router made went to its agent: the assignment method, the key values compared for the chosen agent and the runner-up, and how many agents were eligible (omni.offer_decision; supervisors of the queue and admins).';
COMMENT ON COLUMN omni.routing_decision.offer_id IS 'Offer.';
COMMENT ON COLUMN omni.routing_decision.conversation_id IS 'Conversation offered.';
COMMENT ON COLUMN omni.routing_decision.agent_id IS 'Agent chosen.';
COMMENT ON COLUMN omni.routing_decision.queue IS 'Queue the conversation was in.';
COMMENT ON COLUMN omni.routing_decision.at IS 'When the offer was made.';
COMMENT ON COLUMN omni.routing_decision.method IS 'highest_capacity, round_robin, least_active or custom.';
COMMENT ON COLUMN omni.routing_decision.skill_match IS 'exact or closest (the workstream''s).';
COMMENT ON COLUMN omni.routing_decision.rule_position IS 'Custom method: position of the assignment rule that matched.';
COMMENT ON COLUMN omni.routing_decision.eligible_count IS 'Agents eligible for the conversation at that moment (NULL when omnichannel.route_count_eligible is off).';
COMMENT ON COLUMN omni.routing_decision.order_by IS 'Names of the key values in the order they were compared (smaller/better first; the agent id breaks the last tie).';
COMMENT ON COLUMN omni.routing_decision.chosen_key IS 'Key values of the chosen agent (by name; see order_by for the comparison order).';
COMMENT ON COLUMN omni.routing_decision.runner_up_agent_id IS 'Next best eligible agent (NULL when there was none).';
COMMENT ON COLUMN omni.routing_decision.runner_up_key IS 'Key values of the runner-up.';
COMMENT ON COLUMN omni.routing_decision.cycle IS 'Number of the routing cycle in the backend that made the offer.';

-- Privileges -------------------------------------------------------------------------

REVOKE ALL ON omni.assignment_rule, omni.queue_overflow, omni.queue_hours, omni.route_rule_split,
              omni.queue_rotation FROM PUBLIC;
GRANT SELECT ON omni.assignment_rule, omni.queue_overflow, omni.queue_hours, omni.route_rule_split,
                omni.queue_rotation
    TO omnichannel_agent, omnichannel_supervisor, omnichannel_service, omnichannel_admin;
GRANT INSERT, UPDATE, DELETE ON omni.assignment_rule, omni.queue_overflow, omni.queue_hours,
                                omni.route_rule_split TO omnichannel_admin;
REVOKE ALL ON omni.routing_decision, omni.offer_decision FROM PUBLIC;
GRANT SELECT ON omni.routing_decision, omni.offer_decision TO omnichannel_supervisor, omnichannel_admin;
GRANT SELECT ON omni.routing_decision, omni.offer_decision TO omnichannel_reporting;

REVOKE ALL ON FUNCTION omni._write_offers(bigint[], bigint[], text[], timestamptz[], integer[], text[], text[],
                                           timestamptz[], jsonb[], jsonb[], bigint[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION omni.route(), omni.tick(), omni.next_deadline(),
                       omni._wake_router(), omni._wake_launcher() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION omni.route(), omni.tick(), omni.next_deadline() TO omnichannel_admin;
REVOKE ALL ON FUNCTION omni.routing_invariant_violations() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION omni.routing_invariant_violations() TO omnichannel_supervisor, omnichannel_admin;
-- CHECK constraints run as the admin who writes the row.
GRANT EXECUTE ON FUNCTION omni._is_agent_predicate(jsonpath), omni._valid_order_by(text[]) TO omnichannel_admin;
GRANT EXECUTE ON FUNCTION omni.queue_is_open(text, timestamptz)
    TO omnichannel_agent, omnichannel_supervisor, omnichannel_service, omnichannel_admin;

-- A new CREATE EXTENSION is picked up by the launcher at once.
SELECT omni._wake_launcher();
