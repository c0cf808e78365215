-- generated from sql/src/*.sql by make; do not edit
\echo Use "CREATE EXTENSION omnichannel" to load this file. \quit

-- ==== sql/src/00_types.sql ====
-- 00_types.sql — enums, group roles and the C primitives every other part uses.

DO $roles$
BEGIN
    -- Group roles are cluster-wide: create them only when absent, never drop them.
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'omnichannel_agent') THEN
        CREATE ROLE omnichannel_agent NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'omnichannel_supervisor') THEN
        CREATE ROLE omnichannel_supervisor NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'omnichannel_admin') THEN
        CREATE ROLE omnichannel_admin NOLOGIN;
    END IF;
    -- Channel connectors and bots: act for customers (enqueue, customer messages, abandon).
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'omnichannel_service') THEN
        CREATE ROLE omnichannel_service NOLOGIN;
    END IF;
END
$roles$;

CREATE TYPE omni.base_status AS ENUM ('available', 'busy', 'busy_dnd', 'away', 'offline');
COMMENT ON TYPE omni.base_status IS
    'The five base presence statuses; every presence, built-in or custom, maps to one.';

CREATE TYPE omni.conversation_state AS ENUM ('open', 'active', 'waiting', 'wrap_up', 'closed');
COMMENT ON TYPE omni.conversation_state IS
    'Conversation life cycle: open (queued, no agent), active (agent or bot engaged), waiting (parked, no capacity held), wrap_up, closed (final).';

CREATE TYPE omni.offer_state AS ENUM ('pending', 'accepted', 'rejected', 'expired', 'rescinded');
COMMENT ON TYPE omni.offer_state IS
    'Offer life cycle: pending, then accepted, rejected, expired (timed out) or rescinded (withdrawn by the system or a supervisor).';

CREATE TYPE omni.sentiment_level AS ENUM (
    'very_negative', 'negative', 'slightly_negative', 'neutral',
    'slightly_positive', 'positive', 'very_positive');
COMMENT ON TYPE omni.sentiment_level IS 'Seven ordered sentiment levels, very_negative < ... < very_positive.';

CREATE TYPE omni.sender AS ENUM ('customer', 'agent', 'bot', 'system');
COMMENT ON TYPE omni.sender IS 'Who wrote a message.';

CREATE TYPE omni.assignment_method AS ENUM ('highest_capacity', 'round_robin', 'least_active', 'custom');
COMMENT ON TYPE omni.assignment_method IS 'How a queue chooses among eligible agents.';

CREATE TYPE omni.work_mode AS ENUM ('push', 'pick');
COMMENT ON TYPE omni.work_mode IS 'push: the router offers work to agents; pick: agents take work from the queue.';

CREATE TYPE omni.skill_match AS ENUM ('exact', 'closest');
COMMENT ON TYPE omni.skill_match IS
    'exact: an agent needs every required skill at or above its proficiency; closest: best match first, anyone may get it.';

CREATE TYPE omni.sentiment_result AS (
    score     real,
    level     omni.sentiment_level,
    language  text,
    profane   boolean
);
COMMENT ON TYPE omni.sentiment_result IS 'Result of omni.sentiment(): score in [-1,1], level, language, profanity flag.';

CREATE FUNCTION omni.now() RETURNS timestamptz
    LANGUAGE c STABLE PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'omni_now_sql';
COMMENT ON FUNCTION omni.now() IS
    'The time omnichannel works with: the transaction start, or omnichannel.mock_now when a superuser set it (tests, replays).';

CREATE FUNCTION omni.caller() RETURNS regrole
    LANGUAGE c STABLE PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'omni_caller';
COMMENT ON FUNCTION omni.caller() IS
    'The role on whose behalf the current call runs (after SET ROLE, unaffected by SECURITY DEFINER).';

-- ==== sql/src/10_config.sql ====
-- 10_config.sql — configuration tables (admins write them; triggers reject nonsense).

-- Presence -------------------------------------------------------------------

CREATE TABLE omni.presence (
    name           text PRIMARY KEY CHECK (btrim(name) <> ''),
    base_status    omni.base_status NOT NULL,
    presence_text  text,
    description    text,
    system_only    boolean NOT NULL DEFAULT false,
    builtin        boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE omni.presence IS
    'Presences an agent can be in: the six built-ins and custom ones mapped to a base status.';
COMMENT ON COLUMN omni.presence.name IS 'Presence name shown to agents, e.g. ''Available'' or a custom ''Training''.';
COMMENT ON COLUMN omni.presence.base_status IS 'Base status routing looks at.';
COMMENT ON COLUMN omni.presence.presence_text IS 'Short text shown next to the agent''s name.';
COMMENT ON COLUMN omni.presence.description IS 'Free description for admins.';
COMMENT ON COLUMN omni.presence.system_only IS 'Set only by the system (Inactive); omni.set_presence refuses it.';
COMMENT ON COLUMN omni.presence.builtin IS 'One of the six built-in presences: cannot be edited or deleted.';

INSERT INTO omni.presence (name, base_status, presence_text, system_only, builtin) VALUES
    ('Available',  'available', 'Available',      false, true),
    ('Busy',       'busy',      'Busy',           false, true),
    ('Busy - DND', 'busy_dnd',  'Do not disturb', false, true),
    ('Away',       'away',      'Away',           false, true),
    ('Offline',    'offline',   'Offline',        false, true),
    ('Inactive',   'away',      'Inactive',       true,  true);

CREATE FUNCTION omni._protect_builtin_presence() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.builtin THEN
        RAISE EXCEPTION 'presence "%" is built in and cannot be %', OLD.name,
            CASE TG_OP WHEN 'UPDATE' THEN 'edited' ELSE 'deleted' END
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'Create a custom presence mapped to the same base status instead.';
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        IF NEW.builtin THEN
            RAISE EXCEPTION 'presence "%" cannot be marked built in', NEW.name
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF NEW.system_only THEN
            RAISE EXCEPTION 'custom presence "%" cannot be system only', NEW.name
                USING ERRCODE = 'invalid_parameter_value',
                      DETAIL = 'Only the built-in Inactive presence is set by the system.';
        END IF;
        RETURN NEW;
    END IF;
    RETURN OLD;
END $$;

CREATE TRIGGER protect_builtin BEFORE INSERT OR UPDATE OR DELETE ON omni.presence
    FOR EACH ROW EXECUTE FUNCTION omni._protect_builtin_presence();

-- Channels and skills --------------------------------------------------------

CREATE TABLE omni.channel (
    name         text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_]*$'),
    description  text
);
COMMENT ON TABLE omni.channel IS 'Channels conversations arrive on; seeded chat, sms, voice, email, social.';
COMMENT ON COLUMN omni.channel.name IS 'Channel name, lower case (e.g. ''whatsapp'').';
COMMENT ON COLUMN omni.channel.description IS 'Free description.';
INSERT INTO omni.channel (name, description) VALUES
    ('chat', 'Live chat on web or app'), ('sms', 'Text messages'), ('voice', 'Phone calls'),
    ('email', 'E-mail'), ('social', 'Social media messages');

CREATE TABLE omni.skill (
    name         text PRIMARY KEY CHECK (btrim(name) <> ''),
    description  text
);
COMMENT ON TABLE omni.skill IS 'Skills agents have and conversations may require.';
COMMENT ON COLUMN omni.skill.name IS 'Skill name, e.g. ''spanish'' or ''billing''.';
COMMENT ON COLUMN omni.skill.description IS 'Free description.';

-- Capacity profiles ----------------------------------------------------------

CREATE TABLE omni.capacity_profile (
    name       text PRIMARY KEY CHECK (btrim(name) <> ''),
    max_items  integer NOT NULL DEFAULT 1 CHECK (max_items >= 1),
    reset      text NOT NULL DEFAULT 'immediate' CHECK (reset IN ('immediate', 'end_of_day')),
    blocking   boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE omni.capacity_profile IS
    'Limits how many work items of one kind an agent holds at once (e.g. voice 1, chat 3).';
COMMENT ON COLUMN omni.capacity_profile.name IS 'Profile name.';
COMMENT ON COLUMN omni.capacity_profile.max_items IS 'Items an agent may hold at once under this profile (default 1).';
COMMENT ON COLUMN omni.capacity_profile.reset IS
    'immediate: a slot frees when the item is released; end_of_day: slots used count until midnight (agent time zone UTC).';
COMMENT ON COLUMN omni.capacity_profile.blocking IS
    'When the profile is exhausted the agent receives no work of any kind.';

-- Agents ---------------------------------------------------------------------

CREATE TABLE omni.agent (
    id                bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    name              text NOT NULL UNIQUE CHECK (btrim(name) <> ''),
    db_role           name UNIQUE,
    capacity_units    integer NOT NULL DEFAULT 100 CHECK (capacity_units >= 0),
    default_presence  text REFERENCES omni.presence (name) ON UPDATE CASCADE,
    attributes        jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(attributes) = 'object'),
    created_at        timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE omni.agent IS 'People (or bots acting as agents) who handle conversations.';
COMMENT ON COLUMN omni.agent.id IS 'Agent id used by every function.';
COMMENT ON COLUMN omni.agent.name IS 'Display name, unique.';
COMMENT ON COLUMN omni.agent.db_role IS
    'Database role that acts as this agent; row-level security shows that role only its own work.';
COMMENT ON COLUMN omni.agent.capacity_units IS 'Total capacity units (default 100); each workstream item consumes its capacity_units.';
COMMENT ON COLUMN omni.agent.default_presence IS 'Presence applied at login (NULL: Available). System-only presences are refused.';
COMMENT ON COLUMN omni.agent.attributes IS 'Free attributes (jsonb object) that custom assignment rules may order by.';
COMMENT ON COLUMN omni.agent.created_at IS 'When the agent was created.';

CREATE FUNCTION omni._check_agent() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.db_role IS NOT NULL AND NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = NEW.db_role) THEN
        RAISE EXCEPTION 'role "%" does not exist', NEW.db_role
            USING ERRCODE = 'undefined_object',
                  HINT = 'Create the role first, then grant it omnichannel_agent.';
    END IF;
    IF NEW.default_presence IS NOT NULL
       AND (SELECT system_only FROM omni.presence WHERE name = NEW.default_presence) THEN
        RAISE EXCEPTION 'presence "%" is set only by the system and cannot be a default', NEW.default_presence
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER check_agent BEFORE INSERT OR UPDATE ON omni.agent
    FOR EACH ROW EXECUTE FUNCTION omni._check_agent();

CREATE TABLE omni.agent_skill (
    agent_id     bigint NOT NULL REFERENCES omni.agent (id) ON DELETE CASCADE,
    skill        text NOT NULL REFERENCES omni.skill (name) ON UPDATE CASCADE,
    proficiency  integer NOT NULL DEFAULT 5 CHECK (proficiency BETWEEN 1 AND 10),
    PRIMARY KEY (agent_id, skill)
);
CREATE INDEX agent_skill_skill_idx ON omni.agent_skill (skill, proficiency);
COMMENT ON TABLE omni.agent_skill IS 'Skills of each agent with a proficiency from 1 to 10.';
COMMENT ON COLUMN omni.agent_skill.agent_id IS 'Agent.';
COMMENT ON COLUMN omni.agent_skill.skill IS 'Skill.';
COMMENT ON COLUMN omni.agent_skill.proficiency IS 'Proficiency 1 (novice) .. 10 (expert), default 5.';

CREATE TABLE omni.agent_capacity_profile (
    agent_id   bigint NOT NULL REFERENCES omni.agent (id) ON DELETE CASCADE,
    profile    text NOT NULL REFERENCES omni.capacity_profile (name) ON UPDATE CASCADE ON DELETE CASCADE,
    max_items  integer CHECK (max_items >= 0),
    PRIMARY KEY (agent_id, profile)
);
COMMENT ON TABLE omni.agent_capacity_profile IS
    'Capacity profiles an agent has; an agent without a workstream''s profile cannot take that work.';
COMMENT ON COLUMN omni.agent_capacity_profile.agent_id IS 'Agent.';
COMMENT ON COLUMN omni.agent_capacity_profile.profile IS 'Capacity profile.';
COMMENT ON COLUMN omni.agent_capacity_profile.max_items IS 'Per-agent override of the profile''s max_items (NULL: the profile''s).';

-- Queues ---------------------------------------------------------------------

CREATE TABLE omni.queue (
    name                      text PRIMARY KEY CHECK (btrim(name) <> ''),
    assignment_method         omni.assignment_method NOT NULL DEFAULT 'highest_capacity',
    priority                  integer NOT NULL DEFAULT 100,
    sentiment_enabled         boolean NOT NULL DEFAULT true,
    sentiment_alert_level     omni.sentiment_level NOT NULL DEFAULT 'negative'
        CHECK (sentiment_alert_level IN ('slightly_negative', 'negative', 'very_negative')),
    service_level_threshold   interval NOT NULL DEFAULT '20 seconds' CHECK (service_level_threshold > interval '0'),
    short_abandon_threshold   interval NOT NULL DEFAULT '5 seconds' CHECK (short_abandon_threshold >= interval '0'),
    time_zone                 text NOT NULL DEFAULT 'UTC'
        CHECK ((timestamptz '2000-01-01 00:00+00' AT TIME ZONE time_zone) IS NOT NULL),
    description               text,
    created_at                timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE omni.queue IS 'Queues hold conversations until an agent takes them.';
COMMENT ON COLUMN omni.queue.name IS 'Queue name.';
COMMENT ON COLUMN omni.queue.assignment_method IS 'highest_capacity (default), round_robin, least_active or custom.';
COMMENT ON COLUMN omni.queue.priority IS 'Smaller is served first when an agent belongs to several queues (default 100).';
COMMENT ON COLUMN omni.queue.sentiment_enabled IS 'Score customer messages of this queue''s conversations (default true).';
COMMENT ON COLUMN omni.queue.sentiment_alert_level IS
    'NOTIFY omni_sentiment_alert when a conversation drops to this level or below (default negative).';
COMMENT ON COLUMN omni.queue.service_level_threshold IS 'Answer within this time to meet the service level (default 20 s).';
COMMENT ON COLUMN omni.queue.short_abandon_threshold IS 'Abandons sooner than this are not counted as abandoned (default 5 s).';
COMMENT ON COLUMN omni.queue.time_zone IS
    'Time zone of the queue''s operating hours (omni.queue_hours), e.g. ''Europe/Madrid'' (default UTC).';
COMMENT ON COLUMN omni.queue.description IS 'Free description.';
COMMENT ON COLUMN omni.queue.created_at IS 'When the queue was created.';

CREATE TABLE omni.queue_member (
    queue     text NOT NULL REFERENCES omni.queue (name) ON UPDATE CASCADE ON DELETE CASCADE,
    agent_id  bigint NOT NULL REFERENCES omni.agent (id) ON DELETE CASCADE,
    added_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (queue, agent_id)
);
CREATE INDEX queue_member_agent_idx ON omni.queue_member (agent_id);
COMMENT ON TABLE omni.queue_member IS 'Which agents serve which queues.';
COMMENT ON COLUMN omni.queue_member.queue IS 'Queue.';
COMMENT ON COLUMN omni.queue_member.agent_id IS 'Agent.';
COMMENT ON COLUMN omni.queue_member.added_at IS 'When the agent joined the queue (round robin starts from it).';

CREATE TABLE omni.queue_supervisor (
    queue    text NOT NULL REFERENCES omni.queue (name) ON UPDATE CASCADE ON DELETE CASCADE,
    db_role  name NOT NULL,
    PRIMARY KEY (queue, db_role)
);
CREATE INDEX queue_supervisor_role_idx ON omni.queue_supervisor (db_role);
COMMENT ON TABLE omni.queue_supervisor IS
    'Which supervisor roles oversee which queues: they see and act on those queues'' work.';
COMMENT ON COLUMN omni.queue_supervisor.queue IS 'Queue.';
COMMENT ON COLUMN omni.queue_supervisor.db_role IS 'Database role of the supervisor (member of omnichannel_supervisor).';

CREATE FUNCTION omni._check_queue_supervisor() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = NEW.db_role) THEN
        RAISE EXCEPTION 'role "%" does not exist', NEW.db_role USING ERRCODE = 'undefined_object';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER check_queue_supervisor BEFORE INSERT OR UPDATE ON omni.queue_supervisor
    FOR EACH ROW EXECUTE FUNCTION omni._check_queue_supervisor();

-- Workstreams ----------------------------------------------------------------

CREATE TABLE omni.workstream (
    name                     text PRIMARY KEY CHECK (btrim(name) <> ''),
    channel                  text NOT NULL REFERENCES omni.channel (name) ON UPDATE CASCADE,
    mode                     omni.work_mode NOT NULL DEFAULT 'push',
    capacity_units           integer NOT NULL DEFAULT 10 CHECK (capacity_units >= 0),
    capacity_profile         text REFERENCES omni.capacity_profile (name) ON UPDATE CASCADE,
    allowed_presences        omni.base_status[] NOT NULL DEFAULT '{available,busy}'
        CHECK (cardinality(allowed_presences) > 0 AND array_position(allowed_presences, NULL) IS NULL
               AND NOT ('offline' = ANY (allowed_presences))),
    offer_timeout            interval NOT NULL DEFAULT '120 seconds'
        CHECK (offer_timeout > interval '0' AND offer_timeout <= interval '1 day'),
    block_on_missed          boolean NOT NULL DEFAULT true,
    max_declines             integer NOT NULL DEFAULT 3 CHECK (max_declines BETWEEN 1 AND 5),
    default_queue            text NOT NULL REFERENCES omni.queue (name) ON UPDATE CASCADE,
    skill_match              omni.skill_match NOT NULL DEFAULT 'exact',
    wrap_up_holds_capacity   boolean NOT NULL DEFAULT true,
    auto_close_open          interval CHECK (auto_close_open > interval '0'),
    auto_close_waiting       interval NOT NULL DEFAULT '1 day' CHECK (auto_close_waiting > interval '0'),
    auto_close_wrap_up       interval NOT NULL DEFAULT '15 minutes' CHECK (auto_close_wrap_up > interval '0'),
    description              text,
    CHECK (mode = 'push' OR channel <> 'voice')
);
CREATE INDEX workstream_default_queue_idx ON omni.workstream (default_queue);
COMMENT ON TABLE omni.workstream IS
    'How work of one kind arrives: its channel, push or pick, capacity it consumes, offer rules and default queue.';
COMMENT ON COLUMN omni.workstream.name IS 'Workstream name (used by omni.enqueue).';
COMMENT ON COLUMN omni.workstream.channel IS 'Channel of its conversations.';
COMMENT ON COLUMN omni.workstream.mode IS 'push (offers, default) or pick (agents take work). Voice is push only.';
COMMENT ON COLUMN omni.workstream.capacity_units IS 'Capacity units one conversation holds (default 10).';
COMMENT ON COLUMN omni.workstream.capacity_profile IS 'Capacity profile one conversation counts against (NULL: none).';
COMMENT ON COLUMN omni.workstream.allowed_presences IS
    'Base statuses an agent may be in to receive this work (default available and busy; never offline).';
COMMENT ON COLUMN omni.workstream.offer_timeout IS 'A push offer expires after this (default 120 s, at most 1 day).';
COMMENT ON COLUMN omni.workstream.block_on_missed IS 'An expired offer sets the agent Inactive (default true).';
COMMENT ON COLUMN omni.workstream.max_declines IS
    'After this many rejects or expiries (1..5, default 3) an agent is never offered that conversation again.';
COMMENT ON COLUMN omni.workstream.default_queue IS 'Queue used when no route rule matches.';
COMMENT ON COLUMN omni.workstream.skill_match IS 'exact (default) or closest skill matching.';
COMMENT ON COLUMN omni.workstream.wrap_up_holds_capacity IS 'Whether a conversation in wrap_up keeps the agent''s capacity (default true).';
COMMENT ON COLUMN omni.workstream.auto_close_open IS 'Close an open conversation that waited this long (NULL, the default: never).';
COMMENT ON COLUMN omni.workstream.auto_close_waiting IS 'Close a waiting conversation inactive this long (default 1 day).';
COMMENT ON COLUMN omni.workstream.auto_close_wrap_up IS 'Close a conversation left in wrap_up this long (default 15 min).';
COMMENT ON COLUMN omni.workstream.description IS 'Free description.';

CREATE FUNCTION omni._check_workstream() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.channel IS DISTINCT FROM OLD.channel
       AND EXISTS (SELECT 1 FROM omni.conversation WHERE workstream = OLD.name) THEN
        RAISE EXCEPTION 'workstream "%" already has conversations; its channel cannot change', OLD.name
            USING ERRCODE = 'object_in_use',
                  HINT = 'Create a new workstream for the other channel.';
    END IF;
    RETURN NEW;
END $$;

-- Rules ----------------------------------------------------------------------

-- A rule condition must be a jsonpath predicate (the kind jsonb_path_match accepts).
CREATE FUNCTION omni._is_predicate(p jsonpath) RETURNS boolean
    LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    PERFORM jsonb_path_match('{}'::jsonb, p);
    RETURN true;
EXCEPTION WHEN singleton_sql_json_item_required OR sql_json_scalar_required
          OR invalid_parameter_value OR data_exception THEN
    RETURN false;
END $$;
COMMENT ON FUNCTION omni._is_predicate(jsonpath) IS 'Whether a jsonpath is a predicate usable as a rule condition.';

CREATE TABLE omni.route_rule (
    workstream  text NOT NULL REFERENCES omni.workstream (name) ON UPDATE CASCADE ON DELETE CASCADE,
    position    integer NOT NULL CHECK (position >= 0),
    condition   jsonpath NOT NULL CHECK (omni._is_predicate(condition)),
    queue       text NOT NULL REFERENCES omni.queue (name) ON UPDATE CASCADE,
    description text,
    PRIMARY KEY (workstream, position)
);
CREATE INDEX route_rule_queue_idx ON omni.route_rule (queue);
COMMENT ON TABLE omni.route_rule IS
    'Route-to-queue rules: the first rule (by position) whose condition matches the conversation context picks the queue.';
COMMENT ON COLUMN omni.route_rule.workstream IS 'Workstream the rule belongs to.';
COMMENT ON COLUMN omni.route_rule.position IS 'Evaluation order, smallest first.';
COMMENT ON COLUMN omni.route_rule.condition IS 'SQL/JSON path predicate on the context, e.g. ''$.lang == "es"''.';
COMMENT ON COLUMN omni.route_rule.queue IS 'Queue the conversation goes to when the condition matches.';
COMMENT ON COLUMN omni.route_rule.description IS 'Free description.';

CREATE FUNCTION omni._valid_required_skills(s jsonb) RETURNS boolean
    LANGUAGE sql STABLE AS $$
    SELECT jsonb_typeof(s) = 'object'
       AND NOT EXISTS (SELECT 1 FROM jsonb_each(s) e
                        WHERE jsonb_typeof(e.value) <> 'number'
                           OR (e.value)::numeric NOT IN (1,2,3,4,5,6,7,8,9,10))
$$;
COMMENT ON FUNCTION omni._valid_required_skills(jsonb) IS
    'Whether a jsonb is a {"skill": min_proficiency 1..10} object.';

CREATE TABLE omni.classify_rule (
    workstream       text NOT NULL REFERENCES omni.workstream (name) ON UPDATE CASCADE ON DELETE CASCADE,
    position         integer NOT NULL CHECK (position >= 0),
    condition        jsonpath NOT NULL CHECK (omni._is_predicate(condition)),
    priority         integer,
    required_skills  jsonb NOT NULL DEFAULT '{}' CHECK (omni._valid_required_skills(required_skills)),
    description      text,
    PRIMARY KEY (workstream, position)
);
COMMENT ON TABLE omni.classify_rule IS
    'Classification before routing: every matching rule (in position order) sets the priority and adds required skills.';
COMMENT ON COLUMN omni.classify_rule.workstream IS 'Workstream the rule belongs to.';
COMMENT ON COLUMN omni.classify_rule.position IS 'Evaluation order; a later matching rule overrides an earlier priority.';
COMMENT ON COLUMN omni.classify_rule.condition IS 'SQL/JSON path predicate on the context.';
COMMENT ON COLUMN omni.classify_rule.priority IS 'Conversation priority to set (smaller is served first; NULL: leave it).';
COMMENT ON COLUMN omni.classify_rule.required_skills IS
    'Skills to require, {"skill": min proficiency 1..10}; the highest minimum wins when rules overlap.';
COMMENT ON COLUMN omni.classify_rule.description IS 'Free description.';

CREATE FUNCTION omni._check_required_skills_exist() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    missing text;
BEGIN
    IF jsonb_typeof(NEW.required_skills) IS DISTINCT FROM 'object' THEN
        RETURN NEW;     -- the CHECK constraint reports it
    END IF;
    SELECT k INTO missing FROM jsonb_object_keys(NEW.required_skills) k
     WHERE NOT EXISTS (SELECT 1 FROM omni.skill WHERE name = k) LIMIT 1;
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'skill "%" does not exist', missing
            USING ERRCODE = 'foreign_key_violation', HINT = 'Add it to omni.skill first.';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER check_required_skills BEFORE INSERT OR UPDATE ON omni.classify_rule
    FOR EACH ROW EXECUTE FUNCTION omni._check_required_skills_exist();

-- ==== sql/src/20_runtime.sql ====
-- 20_runtime.sql — runtime tables: written only by omnichannel's functions.

CREATE TRIGGER check_workstream BEFORE UPDATE ON omni.workstream
    FOR EACH ROW EXECUTE FUNCTION omni._check_workstream();

-- Customers ------------------------------------------------------------------

CREATE TABLE omni.customer (
    id          bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    name        text,
    created_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE omni.customer IS 'Customers; one customer may be known on several channels.';
COMMENT ON COLUMN omni.customer.id IS 'Customer id.';
COMMENT ON COLUMN omni.customer.name IS 'Display name, if known.';
COMMENT ON COLUMN omni.customer.created_at IS 'When the customer was first seen.';

CREATE TABLE omni.customer_identity (
    channel      text NOT NULL REFERENCES omni.channel (name) ON UPDATE CASCADE,
    address      text NOT NULL CHECK (btrim(address) <> ''),
    customer_id  bigint NOT NULL REFERENCES omni.customer (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (channel, address)
);
CREATE INDEX customer_identity_customer_idx ON omni.customer_identity (customer_id);
COMMENT ON TABLE omni.customer_identity IS
    'A customer''s address on a channel (chat visitor id, phone number, e-mail ...); links conversations across channels.';
COMMENT ON COLUMN omni.customer_identity.channel IS 'Channel.';
COMMENT ON COLUMN omni.customer_identity.address IS 'Address on that channel, as given to omni.enqueue.';
COMMENT ON COLUMN omni.customer_identity.customer_id IS 'The customer it belongs to.';
COMMENT ON COLUMN omni.customer_identity.created_at IS 'When the address was first seen.';

-- Agents at run time -----------------------------------------------------------

CREATE TABLE omni.agent_state (
    agent_id          bigint PRIMARY KEY REFERENCES omni.agent (id) ON DELETE CASCADE,
    presence          text NOT NULL DEFAULT 'Offline' REFERENCES omni.presence (name) ON UPDATE CASCADE,
    chosen_presence   text NOT NULL DEFAULT 'Offline' REFERENCES omni.presence (name) ON UPDATE CASCADE,
    presence_since    timestamptz NOT NULL DEFAULT now(),
    logged_in         boolean NOT NULL DEFAULT false,
    last_assigned_at  timestamptz,
    last_released_at  timestamptz
);
CREATE INDEX agent_state_presence_idx ON omni.agent_state (presence);
COMMENT ON TABLE omni.agent_state IS 'Each agent''s current presence and routing clocks; the row is locked while the agent''s load changes.';
COMMENT ON COLUMN omni.agent_state.agent_id IS 'Agent.';
COMMENT ON COLUMN omni.agent_state.presence IS 'Effective presence (what routing and supervisors see).';
COMMENT ON COLUMN omni.agent_state.chosen_presence IS 'Presence last chosen by the agent, login or the system; load-following starts from it.';
COMMENT ON COLUMN omni.agent_state.presence_since IS 'When the effective presence last changed.';
COMMENT ON COLUMN omni.agent_state.logged_in IS 'Between omni.login and omni.logout.';
COMMENT ON COLUMN omni.agent_state.last_assigned_at IS 'Last time work was assigned (round robin).';
COMMENT ON COLUMN omni.agent_state.last_released_at IS 'Last time the agent released capacity (least active).';

CREATE TABLE omni.presence_history (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agent_id    bigint NOT NULL REFERENCES omni.agent (id) ON DELETE CASCADE,
    presence    text NOT NULL,
    base_status omni.base_status NOT NULL,
    started_at  timestamptz NOT NULL,
    ended_at    timestamptz,
    set_by      text NOT NULL CHECK (set_by IN ('agent', 'supervisor', 'admin', 'login', 'logout', 'load', 'system')),
    actor       name NOT NULL DEFAULT current_user,
    CHECK (ended_at IS NULL OR ended_at >= started_at)
);
CREATE UNIQUE INDEX presence_history_open_idx ON omni.presence_history (agent_id) WHERE ended_at IS NULL;
CREATE INDEX presence_history_agent_time_idx ON omni.presence_history (agent_id, started_at);
CREATE INDEX presence_history_ended_idx ON omni.presence_history (ended_at);
COMMENT ON TABLE omni.presence_history IS 'Every presence an agent was in, with start and end (NULL while current).';
COMMENT ON COLUMN omni.presence_history.id IS 'Row id.';
COMMENT ON COLUMN omni.presence_history.agent_id IS 'Agent.';
COMMENT ON COLUMN omni.presence_history.presence IS 'Presence name.';
COMMENT ON COLUMN omni.presence_history.base_status IS 'Its base status at the time.';
COMMENT ON COLUMN omni.presence_history.started_at IS 'Start of the interval.';
COMMENT ON COLUMN omni.presence_history.ended_at IS 'End of the interval (NULL: still current).';
COMMENT ON COLUMN omni.presence_history.set_by IS 'What caused it: agent, supervisor, admin, login, logout, load (presence follows load) or system (e.g. Inactive).';
COMMENT ON COLUMN omni.presence_history.actor IS 'Role that made the call.';

-- Conversations ----------------------------------------------------------------

CREATE TABLE omni.conversation (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workstream         text NOT NULL REFERENCES omni.workstream (name) ON UPDATE CASCADE,
    channel            text NOT NULL REFERENCES omni.channel (name) ON UPDATE CASCADE,
    queue              text REFERENCES omni.queue (name) ON UPDATE CASCADE,
    customer           text NOT NULL,
    customer_id        bigint NOT NULL REFERENCES omni.customer (id),
    context            jsonb NOT NULL DEFAULT '{}',
    state              omni.conversation_state NOT NULL,
    priority           integer NOT NULL DEFAULT 100,
    required_skills    jsonb NOT NULL DEFAULT '{}',
    agent_id           bigint REFERENCES omni.agent (id),
    last_agent_id      bigint REFERENCES omni.agent (id),
    bot                boolean NOT NULL DEFAULT false,
    escalated          boolean NOT NULL DEFAULT false,
    sentiment          omni.sentiment_level NOT NULL DEFAULT 'neutral',
    sentiment_score    real NOT NULL DEFAULT 0,
    transfer_count     integer NOT NULL DEFAULT 0,
    created_at         timestamptz NOT NULL,
    queued_at          timestamptz,
    accepted_at        timestamptz,
    first_response_at  timestamptz,
    wrap_up_at         timestamptz,
    closed_at          timestamptz,
    close_reason       text,
    last_activity_at   timestamptz NOT NULL,
    CHECK ((state = 'closed') = (closed_at IS NOT NULL)),
    CHECK (state <> 'open' OR (agent_id IS NULL AND queue IS NOT NULL AND queued_at IS NOT NULL)),
    CHECK (state NOT IN ('waiting', 'wrap_up') OR agent_id IS NOT NULL),
    CHECK (state <> 'active' OR agent_id IS NOT NULL OR bot)
);
CREATE INDEX conversation_open_idx ON omni.conversation (queue, priority, queued_at) WHERE state = 'open';
CREATE INDEX conversation_agent_idx ON omni.conversation (agent_id) WHERE state <> 'closed';
CREATE INDEX conversation_live_idx ON omni.conversation (state) WHERE state <> 'closed';
CREATE INDEX conversation_customer_idx ON omni.conversation (customer_id, created_at);
CREATE INDEX conversation_created_idx ON omni.conversation (created_at);
CREATE INDEX conversation_workstream_idx ON omni.conversation (workstream) WHERE state <> 'closed';
COMMENT ON TABLE omni.conversation IS
    'Conversations (work items) on every channel. Read it freely; only omnichannel''s functions change it.';
COMMENT ON COLUMN omni.conversation.id IS 'Conversation id.';
COMMENT ON COLUMN omni.conversation.workstream IS 'Workstream it arrived on.';
COMMENT ON COLUMN omni.conversation.channel IS 'Channel (the workstream''s).';
COMMENT ON COLUMN omni.conversation.queue IS 'Current queue (NULL only while a bot serves it before escalation).';
COMMENT ON COLUMN omni.conversation.customer IS 'Customer address as given to omni.enqueue.';
COMMENT ON COLUMN omni.conversation.customer_id IS 'Customer, linked across channels.';
COMMENT ON COLUMN omni.conversation.context IS 'Context jsonb that classification and route rules match on.';
COMMENT ON COLUMN omni.conversation.state IS 'open, active, waiting, wrap_up or closed.';
COMMENT ON COLUMN omni.conversation.priority IS 'Priority within the queue, smaller first (default 100; classification rules set it).';
COMMENT ON COLUMN omni.conversation.required_skills IS 'Skills required, {"skill": min proficiency}, from classification.';
COMMENT ON COLUMN omni.conversation.agent_id IS 'Agent who holds it (active, waiting, wrap_up).';
COMMENT ON COLUMN omni.conversation.last_agent_id IS 'Last agent who held it (kept after transfers and requeues).';
COMMENT ON COLUMN omni.conversation.bot IS 'Started with a bot (omni.start_with_bot).';
COMMENT ON COLUMN omni.conversation.escalated IS 'Escalated from a bot to humans.';
COMMENT ON COLUMN omni.conversation.sentiment IS 'Sentiment of the latest six customer messages (neutral before the first).';
COMMENT ON COLUMN omni.conversation.sentiment_score IS 'Score in [-1, 1] behind sentiment.';
COMMENT ON COLUMN omni.conversation.transfer_count IS 'Transfers to a queue or an agent.';
COMMENT ON COLUMN omni.conversation.created_at IS 'When it was created.';
COMMENT ON COLUMN omni.conversation.queued_at IS 'When it (last) entered its queue; kept while a declined offer returns it to its place.';
COMMENT ON COLUMN omni.conversation.accepted_at IS 'When an agent last accepted, picked or was assigned it.';
COMMENT ON COLUMN omni.conversation.first_response_at IS 'First agent message.';
COMMENT ON COLUMN omni.conversation.wrap_up_at IS 'When wrap-up started.';
COMMENT ON COLUMN omni.conversation.closed_at IS 'When it closed.';
COMMENT ON COLUMN omni.conversation.close_reason IS 'completed, abandoned, force_closed, bot_resolved, auto_closed, overflow ...';
COMMENT ON COLUMN omni.conversation.last_activity_at IS 'Last state change or message.';

CREATE TABLE omni.conversation_participant (
    conversation_id  bigint NOT NULL REFERENCES omni.conversation (id),
    agent_id         bigint NOT NULL REFERENCES omni.agent (id),
    role             text NOT NULL CHECK (role IN ('monitor')),
    joined_at        timestamptz NOT NULL,
    left_at          timestamptz,
    PRIMARY KEY (conversation_id, agent_id, joined_at)
);
CREATE INDEX conversation_participant_agent_idx ON omni.conversation_participant (agent_id) WHERE left_at IS NULL;
COMMENT ON TABLE omni.conversation_participant IS 'People other than the handling agent on a conversation (supervisors monitoring).';
COMMENT ON COLUMN omni.conversation_participant.conversation_id IS 'Conversation.';
COMMENT ON COLUMN omni.conversation_participant.agent_id IS 'Participant (an agent record of the supervisor).';
COMMENT ON COLUMN omni.conversation_participant.role IS 'monitor: silent, sees the conversation, holds no capacity.';
COMMENT ON COLUMN omni.conversation_participant.joined_at IS 'When the participant joined.';
COMMENT ON COLUMN omni.conversation_participant.left_at IS 'When the participant left (the conversation closed).';

-- Offers and capacity ---------------------------------------------------------

CREATE TABLE omni.offer (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    conversation_id  bigint NOT NULL REFERENCES omni.conversation (id),
    agent_id         bigint NOT NULL REFERENCES omni.agent (id),
    queue            text NOT NULL,
    state            omni.offer_state NOT NULL DEFAULT 'pending',
    created_at       timestamptz NOT NULL,
    expires_at       timestamptz NOT NULL,
    decided_at       timestamptz,
    reason           text,
    CHECK ((state = 'pending') = (decided_at IS NULL)),
    CHECK (expires_at > created_at)
);
CREATE UNIQUE INDEX offer_one_pending_idx ON omni.offer (conversation_id) WHERE state = 'pending';
CREATE INDEX offer_pending_expiry_idx ON omni.offer (expires_at) WHERE state = 'pending';
CREATE INDEX offer_agent_idx ON omni.offer (agent_id, created_at);
CREATE INDEX offer_conversation_idx ON omni.offer (conversation_id, agent_id);
COMMENT ON TABLE omni.offer IS 'Offers of a conversation to an agent (push mode); at most one pending per conversation.';
COMMENT ON COLUMN omni.offer.id IS 'Offer id (omni.accept / omni.reject take it).';
COMMENT ON COLUMN omni.offer.conversation_id IS 'Conversation offered.';
COMMENT ON COLUMN omni.offer.agent_id IS 'Agent it is offered to.';
COMMENT ON COLUMN omni.offer.queue IS 'Queue the conversation was in when offered.';
COMMENT ON COLUMN omni.offer.state IS 'pending, accepted, rejected, expired or rescinded.';
COMMENT ON COLUMN omni.offer.created_at IS 'When the offer was made.';
COMMENT ON COLUMN omni.offer.expires_at IS 'When a pending offer expires.';
COMMENT ON COLUMN omni.offer.decided_at IS 'When it stopped being pending.';
COMMENT ON COLUMN omni.offer.reason IS 'Why it was rescinded, when it was.';

CREATE TABLE omni.capacity_hold (
    conversation_id  bigint PRIMARY KEY REFERENCES omni.conversation (id),
    agent_id         bigint NOT NULL REFERENCES omni.agent (id),
    units            integer NOT NULL CHECK (units >= 0),
    profile          text,
    since            timestamptz NOT NULL,
    kind             text NOT NULL CHECK (kind IN ('offer', 'work')),
    override         boolean NOT NULL DEFAULT false
);
CREATE INDEX capacity_hold_agent_idx ON omni.capacity_hold (agent_id);
COMMENT ON TABLE omni.capacity_hold IS
    'Capacity each conversation holds on one agent (a pending offer or the work itself); an agent''s load is the sum of its rows.';
COMMENT ON COLUMN omni.capacity_hold.conversation_id IS 'Conversation holding the capacity (at most one agent at a time).';
COMMENT ON COLUMN omni.capacity_hold.agent_id IS 'Agent whose capacity is held.';
COMMENT ON COLUMN omni.capacity_hold.units IS 'Units held (the workstream''s capacity_units).';
COMMENT ON COLUMN omni.capacity_hold.profile IS 'Capacity profile counted (the workstream''s), if any.';
COMMENT ON COLUMN omni.capacity_hold.since IS 'When the hold started.';
COMMENT ON COLUMN omni.capacity_hold.kind IS 'offer (pending push offer) or work (active or wrap-up).';
COMMENT ON COLUMN omni.capacity_hold.override IS 'Taken over capacity by a supervisor''s omni.assign(..., override_capacity => true).';

CREATE TABLE omni.capacity_profile_use (
    agent_id  bigint NOT NULL REFERENCES omni.agent (id) ON DELETE CASCADE,
    profile   text NOT NULL,
    day       date NOT NULL,
    items     integer NOT NULL DEFAULT 0 CHECK (items >= 0),
    PRIMARY KEY (agent_id, profile, day)
);
COMMENT ON TABLE omni.capacity_profile_use IS
    'Items taken per agent, profile and day, for profiles whose slots reset at end of day.';
COMMENT ON COLUMN omni.capacity_profile_use.agent_id IS 'Agent.';
COMMENT ON COLUMN omni.capacity_profile_use.profile IS 'Capacity profile with reset = end_of_day.';
COMMENT ON COLUMN omni.capacity_profile_use.day IS 'Day (UTC).';
COMMENT ON COLUMN omni.capacity_profile_use.items IS 'Items taken that day.';

-- Messages ----------------------------------------------------------------------

CREATE TABLE omni.message (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    conversation_id  bigint NOT NULL REFERENCES omni.conversation (id),
    sender           omni.sender NOT NULL,
    agent_id         bigint REFERENCES omni.agent (id),
    body             text NOT NULL,
    created_at       timestamptz NOT NULL,
    language         text,
    sentiment        omni.sentiment_level,
    sentiment_score  real CHECK (sentiment_score BETWEEN -1 AND 1),
    profane          boolean,
    evidence         jsonb,
    CHECK ((sender = 'agent') = (agent_id IS NOT NULL))
);
CREATE INDEX message_conversation_idx ON omni.message (conversation_id, id);
CREATE INDEX message_customer_idx ON omni.message (conversation_id, id DESC) WHERE sender = 'customer';
COMMENT ON TABLE omni.message IS 'Messages of a conversation; customer messages carry their sentiment.';
COMMENT ON COLUMN omni.message.id IS 'Message id (increasing in posting order).';
COMMENT ON COLUMN omni.message.conversation_id IS 'Conversation.';
COMMENT ON COLUMN omni.message.sender IS 'customer, agent, bot or system.';
COMMENT ON COLUMN omni.message.agent_id IS 'Agent who wrote it (sender agent only).';
COMMENT ON COLUMN omni.message.body IS 'Text.';
COMMENT ON COLUMN omni.message.created_at IS 'When it was posted.';
COMMENT ON COLUMN omni.message.language IS 'Language detected or given (customer messages).';
COMMENT ON COLUMN omni.message.sentiment IS 'Sentiment level of this message (customer messages of sentiment-enabled queues).';
COMMENT ON COLUMN omni.message.sentiment_score IS 'Score in [-1, 1].';
COMMENT ON COLUMN omni.message.profane IS 'Profanity found.';
COMMENT ON COLUMN omni.message.evidence IS 'Terms, negations and rules that produced the score.';

-- Event log -------------------------------------------------------------------

CREATE TABLE omni.event (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at               timestamptz NOT NULL,
    kind             text NOT NULL,
    conversation_id  bigint,
    agent_id         bigint,
    offer_id         bigint,
    queue            text,
    channel          text,
    from_state       omni.conversation_state,
    to_state         omni.conversation_state,
    actor            name NOT NULL,
    detail           jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX event_at_idx ON omni.event (at);
CREATE INDEX event_conversation_idx ON omni.event (conversation_id, id) WHERE conversation_id IS NOT NULL;
CREATE INDEX event_agent_idx ON omni.event (agent_id, at) WHERE agent_id IS NOT NULL;
COMMENT ON TABLE omni.event IS
    'Append-only log of every state change: the single source for KPIs, audits and replays. Kinds are listed in docs/sql-reference.md.';
COMMENT ON COLUMN omni.event.id IS 'Event id, increasing in commit-independent insertion order.';
COMMENT ON COLUMN omni.event.at IS 'When it happened (omni.now()).';
COMMENT ON COLUMN omni.event.kind IS 'What happened, e.g. enqueued, offered, accepted, transferred, closed, presence.';
COMMENT ON COLUMN omni.event.conversation_id IS 'Conversation concerned, if any.';
COMMENT ON COLUMN omni.event.agent_id IS 'Agent concerned, if any.';
COMMENT ON COLUMN omni.event.offer_id IS 'Offer concerned, if any.';
COMMENT ON COLUMN omni.event.queue IS 'Queue of the conversation at the time.';
COMMENT ON COLUMN omni.event.channel IS 'Channel of the conversation.';
COMMENT ON COLUMN omni.event.from_state IS 'Conversation state before.';
COMMENT ON COLUMN omni.event.to_state IS 'Conversation state after.';
COMMENT ON COLUMN omni.event.actor IS 'Role that called the function.';
COMMENT ON COLUMN omni.event.detail IS 'Kind-specific details (e.g. before/after capacity of an override).';

-- Queues, workstreams and agents with live work cannot be deleted ------------------

CREATE FUNCTION omni._refuse_delete_in_use() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
BEGIN
    IF TG_TABLE_NAME = 'queue' THEN
        SELECT count(*) INTO n FROM omni.conversation WHERE queue = OLD.name AND state <> 'closed';
    ELSIF TG_TABLE_NAME = 'workstream' THEN
        SELECT count(*) INTO n FROM omni.conversation WHERE workstream = OLD.name AND state <> 'closed';
    ELSE
        SELECT count(*) INTO n FROM omni.conversation WHERE agent_id = OLD.id AND state <> 'closed';
    END IF;
    IF n > 0 THEN
        RAISE EXCEPTION '% "%" still has % open conversation(s)', TG_TABLE_NAME,
            CASE TG_TABLE_NAME WHEN 'agent' THEN OLD.name ELSE OLD.name END, n
            USING ERRCODE = 'object_in_use',
                  HINT = 'Close or transfer its conversations first.';
    END IF;
    RETURN OLD;
END $$;

CREATE TRIGGER refuse_delete_in_use BEFORE DELETE ON omni.queue
    FOR EACH ROW EXECUTE FUNCTION omni._refuse_delete_in_use();
CREATE TRIGGER refuse_delete_in_use BEFORE DELETE ON omni.workstream
    FOR EACH ROW EXECUTE FUNCTION omni._refuse_delete_in_use();
CREATE TRIGGER refuse_delete_in_use BEFORE DELETE ON omni.agent
    FOR EACH ROW EXECUTE FUNCTION omni._refuse_delete_in_use();

-- A new agent gets its runtime row at once, so every function can lock it.
CREATE FUNCTION omni._agent_state_row() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO omni.agent_state (agent_id, presence_since) VALUES (NEW.id, omni.now());
    RETURN NEW;
END $$;
CREATE TRIGGER agent_state_row AFTER INSERT ON omni.agent
    FOR EACH ROW EXECUTE FUNCTION omni._agent_state_row();

-- ==== sql/src/30_core.sql ====
-- 30_core.sql — the shared helpers every runtime function uses:
-- who is calling, the event log, the conversation state machine, agent
-- locking, capacity and presence-follows-load.  One way to do each thing.

-- Who is calling --------------------------------------------------------------

CREATE FUNCTION omni._caller_name() RETURNS name
    LANGUAGE sql STABLE AS $$ SELECT omni.caller()::text::name $$;

CREATE FUNCTION omni._is_admin() RETURNS boolean
    LANGUAGE sql STABLE AS $$
    SELECT r.rolsuper OR pg_has_role(r.oid, 'omnichannel_admin', 'MEMBER')
      FROM pg_roles r WHERE r.oid = omni.caller()
$$;
COMMENT ON FUNCTION omni._is_admin() IS 'Whether the caller is a superuser or an omnichannel admin.';

CREATE FUNCTION omni._is_service() RETURNS boolean
    LANGUAGE sql STABLE AS $$
    SELECT omni._is_admin() OR pg_has_role(omni.caller(), 'omnichannel_service', 'MEMBER')
$$;
COMMENT ON FUNCTION omni._is_service() IS
    'Whether the caller may act for customers and bots (channel connectors): omnichannel_service members and admins.';

CREATE FUNCTION omni._supervises_queue(q text) RETURNS boolean
    LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM omni.queue_supervisor s
                    WHERE s.queue = q AND pg_has_role(omni.caller(), s.db_role, 'MEMBER'))
$$;
COMMENT ON FUNCTION omni._supervises_queue(text) IS 'Whether the caller supervises the queue.';

CREATE FUNCTION omni._supervises_agent(a bigint) RETURNS boolean
    LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM omni.queue_member m JOIN omni.queue_supervisor s USING (queue)
                    WHERE m.agent_id = a AND pg_has_role(omni.caller(), s.db_role, 'MEMBER'))
$$;
COMMENT ON FUNCTION omni._supervises_agent(bigint) IS 'Whether the caller supervises a queue the agent belongs to.';

CREATE FUNCTION omni._is_agent(a bigint) RETURNS boolean
    LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM omni.agent WHERE id = a AND db_role = omni._caller_name())
$$;
COMMENT ON FUNCTION omni._is_agent(bigint) IS 'Whether the caller is the database role of that agent.';

-- For row-level security: the agent the current role acts as (NULL if none).
CREATE FUNCTION omni.current_agent_id() RETURNS bigint
    LANGUAGE sql STABLE AS $$ SELECT id FROM omni.agent WHERE db_role = current_user $$;
COMMENT ON FUNCTION omni.current_agent_id() IS 'Agent whose db_role is the current role, or NULL.';

CREATE FUNCTION omni._deny(what text, detail text DEFAULT NULL) RETURNS void
    LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'permission denied to %', what
        USING ERRCODE = 'insufficient_privilege',
              DETAIL = coalesce(detail, format('Role "%s" may not do this.', omni._caller_name()));
END $$;

-- Authorization for acting on an agent: the agent itself, admins, and (when
-- supervisors_too) supervisors of one of the agent's queues.
CREATE FUNCTION omni._authorize_agent(a bigint, what text, supervisors_too boolean) RETURNS void
    LANGUAGE plpgsql AS $$
BEGIN
    IF omni._is_agent(a) OR omni._is_admin() OR (supervisors_too AND omni._supervises_agent(a)) THEN
        RETURN;
    END IF;
    PERFORM omni._deny(what, format('Role "%s" does not act for agent %s.', omni._caller_name(), a));
END $$;

-- Event log -------------------------------------------------------------------

-- The one way to append to omni.event.
CREATE FUNCTION omni._log(kind text, c omni.conversation, agent bigint DEFAULT NULL,
                          offer bigint DEFAULT NULL, from_state omni.conversation_state DEFAULT NULL,
                          detail jsonb DEFAULT '{}') RETURNS void
    LANGUAGE sql AS $$
    INSERT INTO omni.event (at, kind, conversation_id, agent_id, offer_id, queue, channel,
                            from_state, to_state, actor, detail)
    VALUES (omni.now(), kind, c.id, coalesce(agent, c.agent_id), offer, c.queue, c.channel,
            from_state, c.state, omni._caller_name(), coalesce(detail, '{}'))
$$;

CREATE FUNCTION omni._log_agent(kind text, agent bigint, detail jsonb DEFAULT '{}') RETURNS void
    LANGUAGE sql AS $$
    INSERT INTO omni.event (at, kind, agent_id, actor, detail)
    VALUES (omni.now(), kind, agent, omni._caller_name(), coalesce(detail, '{}'))
$$;

-- Conversation state machine ---------------------------------------------------

CREATE TABLE omni.conversation_transition (
    operation   text NOT NULL,
    from_state  omni.conversation_state NOT NULL,
    served_by   text NOT NULL DEFAULT 'any' CHECK (served_by IN ('any', 'agent', 'bot')),
    to_state    omni.conversation_state NOT NULL,
    PRIMARY KEY (operation, from_state, served_by)
);
COMMENT ON TABLE omni.conversation_transition IS
    'The conversation state machine: which operation may move a conversation from which state to which. Every function checks it.';
COMMENT ON COLUMN omni.conversation_transition.operation IS 'Operation name (accept, end, transfer ...).';
COMMENT ON COLUMN omni.conversation_transition.from_state IS 'State the operation is allowed from.';
COMMENT ON COLUMN omni.conversation_transition.served_by IS
    'For active conversations: whether the row applies to one served by an agent, by a bot, or either (any).';
COMMENT ON COLUMN omni.conversation_transition.to_state IS 'Resulting state.';

INSERT INTO omni.conversation_transition (operation, from_state, served_by, to_state) VALUES
    ('offer',             'open',    'any',   'open'),
    ('accept',            'open',    'any',   'active'),
    ('pick',              'open',    'any',   'active'),
    ('assign',            'open',    'any',   'active'),
    ('escalate',          'active',  'bot',   'open'),
    ('bot_close',         'active',  'bot',   'closed'),
    ('bot_abandon',       'active',  'bot',   'closed'),
    ('end',               'active',  'agent', 'wrap_up'),
    ('customer_left',     'active',  'agent', 'wrap_up'),
    ('set_waiting',       'active',  'agent', 'waiting'),
    ('transfer',          'active',  'agent', 'open'),
    ('transfer',          'open',    'any',   'open'),
    ('transfer_to_agent', 'active',  'agent', 'active'),
    ('close',             'wrap_up', 'any',   'closed'),
    ('abandon',           'open',    'any',   'closed'),
    ('abandon',           'waiting', 'any',   'closed'),
    ('resume',            'waiting', 'any',   'active'),
    ('customer_reply',    'waiting', 'any',   'open'),
    ('monitor',           'open',    'any',   'open'),
    ('monitor',           'active',  'any',   'active'),
    ('monitor',           'waiting', 'any',   'waiting'),
    ('monitor',           'wrap_up', 'any',   'wrap_up'),
    ('force_close',       'open',    'any',   'closed'),
    ('force_close',       'active',  'any',   'closed'),
    ('force_close',       'waiting', 'any',   'closed'),
    ('force_close',       'wrap_up', 'any',   'closed'),
    ('auto_close',        'open',    'any',   'closed'),
    ('auto_close',        'waiting', 'any',   'closed'),
    ('auto_close',        'wrap_up', 'any',   'closed'),
    ('overflow_close',    'open',    'any',   'closed'),
    ('overflow_transfer', 'open',    'any',   'open');

-- Lock a conversation for a state change; unknown ids are an error.
CREATE FUNCTION omni._lock_conversation(conv bigint) RETURNS omni.conversation
    LANGUAGE plpgsql AS $$
DECLARE
    c omni.conversation;
BEGIN
    SELECT * INTO c FROM omni.conversation WHERE id = conv FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'conversation % does not exist', conv USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN c;
END $$;

-- Who serves an active conversation ('agent' or 'bot'); 'any' otherwise.
CREATE FUNCTION omni._served_by(c omni.conversation) RETURNS text
    LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN c.state <> 'active' THEN 'any' WHEN c.agent_id IS NULL THEN 'bot' ELSE 'agent' END
$$;

-- The state an operation leads to from the conversation's current state, or
-- an error naming the conversation, its state and the operation.
CREATE FUNCTION omni._next_state(c omni.conversation, op text) RETURNS omni.conversation_state
    LANGUAGE plpgsql STABLE AS $$
DECLARE
    s omni.conversation_state;
    by_whom text := omni._served_by(c);
BEGIN
    SELECT to_state INTO s FROM omni.conversation_transition
     WHERE operation = op AND from_state = c.state AND served_by IN ('any', by_whom);
    IF NOT FOUND THEN
        RAISE EXCEPTION 'conversation % is %; cannot %', c.id,
            CASE by_whom WHEN 'bot' THEN 'active with a bot' WHEN 'agent' THEN 'active with agent ' || c.agent_id
                         ELSE c.state::text END,
            replace(op, '_', ' ')
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = format('Operation %s is allowed from: %s.', op,
                                  coalesce((SELECT string_agg(from_state::text
                                                   || CASE served_by WHEN 'any' THEN '' ELSE ' (' || served_by || ')' END,
                                                   ', ' ORDER BY from_state, served_by)
                                              FROM omni.conversation_transition WHERE operation = op), 'nowhere'));
    END IF;
    RETURN s;
END $$;

-- Agents: locking, capacity, presence -------------------------------------------

-- Lock an agent's runtime row: every change to its load or presence goes
-- through this lock, so two sessions can never push it over capacity.
CREATE FUNCTION omni._lock_agent(a bigint) RETURNS omni.agent_state
    LANGUAGE plpgsql AS $$
DECLARE
    s omni.agent_state;
BEGIN
    SELECT * INTO s FROM omni.agent_state WHERE agent_id = a FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'agent % does not exist', a USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN s;
END $$;

-- Units an agent holds now.
CREATE FUNCTION omni._used_units(a bigint) RETURNS integer
    LANGUAGE sql STABLE AS $$
    SELECT coalesce(sum(units), 0)::integer FROM omni.capacity_hold WHERE agent_id = a
$$;

-- Why agent a cannot take conversation c now, as far as capacity goes
-- (NULL when it can).  Checks units and the workstream's capacity profile.
CREATE FUNCTION omni._capacity_refusal(a bigint, c omni.conversation) RETURNS text
    LANGUAGE plpgsql STABLE AS $$
DECLARE
    w omni.workstream;
    total integer;
    used integer;
    held integer;
    p record;
BEGIN
    SELECT * INTO w FROM omni.workstream WHERE name = c.workstream;
    SELECT capacity_units INTO total FROM omni.agent WHERE id = a;
    used := omni._used_units(a);
    IF used + w.capacity_units > total THEN
        RETURN format('agent %s has %s of %s capacity units free; the conversation needs %s',
                      a, greatest(total - used, 0), total, w.capacity_units);
    END IF;
    -- A blocking profile that is exhausted stops all work.
    FOR p IN
        SELECT cp.name, cp.reset, coalesce(acp.max_items, cp.max_items) AS lim
          FROM omni.agent_capacity_profile acp JOIN omni.capacity_profile cp ON cp.name = acp.profile
         WHERE acp.agent_id = a AND (cp.blocking OR cp.name = w.capacity_profile)
    LOOP
        IF p.reset = 'end_of_day' THEN
            SELECT coalesce(sum(items), 0) INTO held FROM omni.capacity_profile_use
             WHERE agent_id = a AND profile = p.name AND day = (omni.now() AT TIME ZONE 'UTC')::date;
        ELSE
            SELECT count(*) INTO held FROM omni.capacity_hold WHERE agent_id = a AND profile = p.name;
        END IF;
        IF held >= p.lim THEN
            RETURN format('agent %s holds %s of %s items of capacity profile "%s"%s', a, held, p.lim, p.name,
                          CASE WHEN p.name <> coalesce(w.capacity_profile, '') THEN ' (blocking)' ELSE '' END);
        END IF;
    END LOOP;
    IF w.capacity_profile IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM omni.agent_capacity_profile WHERE agent_id = a AND profile = w.capacity_profile) THEN
        RETURN format('agent %s does not have capacity profile "%s"', a, w.capacity_profile);
    END IF;
    RETURN NULL;
END $$;

-- Hold capacity on agent a for conversation c (the agent row must be locked).
-- Raises unless there is room or override is set.
CREATE FUNCTION omni._hold_capacity(a bigint, c omni.conversation, hold_kind text,
                                    override boolean DEFAULT false) RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    w omni.workstream;
    refusal text;
BEGIN
    SELECT * INTO w FROM omni.workstream WHERE name = c.workstream;
    refusal := omni._capacity_refusal(a, c);
    IF refusal IS NOT NULL AND NOT override THEN
        RAISE EXCEPTION 'agent % has no room for conversation %', a, c.id
            USING ERRCODE = 'object_not_in_prerequisite_state', DETAIL = refusal || '.',
                  HINT = 'A supervisor may use omni.assign(conversation, agent, override_capacity => true).';
    END IF;
    INSERT INTO omni.capacity_hold (conversation_id, agent_id, units, profile, since, kind, override)
    VALUES (c.id, a, w.capacity_units, w.capacity_profile, omni.now(), hold_kind, override AND refusal IS NOT NULL)
    ON CONFLICT (conversation_id) DO UPDATE
       SET agent_id = EXCLUDED.agent_id, units = EXCLUDED.units, profile = EXCLUDED.profile,
           since = EXCLUDED.since, kind = EXCLUDED.kind, override = EXCLUDED.override;
    IF hold_kind = 'work' AND w.capacity_profile IS NOT NULL
       AND (SELECT reset FROM omni.capacity_profile WHERE name = w.capacity_profile) = 'end_of_day' THEN
        INSERT INTO omni.capacity_profile_use AS u (agent_id, profile, day, items)
        VALUES (a, w.capacity_profile, (omni.now() AT TIME ZONE 'UTC')::date, 1)
        ON CONFLICT (agent_id, profile, day) DO UPDATE SET items = u.items + 1;
    END IF;
END $$;

-- Release whatever capacity conversation conv holds; returns the agent it was on.
CREATE FUNCTION omni._release_capacity(conv bigint) RETURNS bigint
    LANGUAGE plpgsql AS $$
DECLARE
    a bigint;
BEGIN
    DELETE FROM omni.capacity_hold WHERE conversation_id = conv RETURNING agent_id INTO a;
    IF a IS NOT NULL THEN
        PERFORM omni._lock_agent(a);
        UPDATE omni.agent_state SET last_released_at = omni.now() WHERE agent_id = a;
        PERFORM omni._follow_load(a);
        PERFORM omni._wake_router();    -- freed capacity may make work assignable
    END IF;
    RETURN a;
END $$;

-- Write a presence change: close the open history row, open a new one.
CREATE FUNCTION omni._set_presence(a bigint, p text, by_what text, chosen boolean) RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    s omni.agent_state;
    t timestamptz := omni.now();
BEGIN
    s := omni._lock_agent(a);
    IF chosen THEN
        UPDATE omni.agent_state SET chosen_presence = p WHERE agent_id = a;
    END IF;
    IF s.presence = p AND EXISTS (SELECT 1 FROM omni.presence_history WHERE agent_id = a AND ended_at IS NULL) THEN
        RETURN;
    END IF;
    UPDATE omni.presence_history SET ended_at = greatest(t, started_at) WHERE agent_id = a AND ended_at IS NULL;
    INSERT INTO omni.presence_history (agent_id, presence, base_status, started_at, set_by, actor)
    SELECT a, p, base_status, t, by_what, omni._caller_name() FROM omni.presence WHERE name = p;
    UPDATE omni.agent_state SET presence = p, presence_since = t WHERE agent_id = a;
    PERFORM omni._log_agent('presence', a, jsonb_build_object('from', s.presence, 'to', p, 'set_by', by_what));
    PERFORM omni._wake_router();
END $$;

-- Presence follows load: when the chosen presence is Available- or Busy-based,
-- a full agent shows Busy - DND, a partly loaded one Busy, a free one its
-- chosen presence if Available-based, else Available.  Away, Offline, DND
-- and system presences chosen by hand are left alone.
CREATE FUNCTION omni._follow_load(a bigint) RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    s omni.agent_state;
    chosen_base omni.base_status;
    total integer;
    used integer;
    target text;
BEGIN
    s := omni._lock_agent(a);
    IF NOT s.logged_in THEN
        RETURN;
    END IF;
    SELECT base_status INTO chosen_base FROM omni.presence
     WHERE name = s.chosen_presence AND NOT system_only;
    IF chosen_base IS NULL OR chosen_base NOT IN ('available', 'busy') THEN
        RETURN;
    END IF;
    SELECT capacity_units INTO total FROM omni.agent WHERE id = a;
    used := omni._used_units(a);
    target := CASE
        WHEN used >= total OR omni._profile_blocked(a) THEN 'Busy - DND'
        WHEN used > 0 THEN CASE WHEN chosen_base = 'busy' THEN s.chosen_presence ELSE 'Busy' END
        WHEN chosen_base = 'available' THEN s.chosen_presence
        ELSE 'Available' END;
    IF target <> s.presence THEN
        PERFORM omni._set_presence(a, target, 'load', false);
    END IF;
END $$;
COMMENT ON FUNCTION omni._follow_load(bigint) IS
    'Recomputes an agent''s presence from its load (presence follows load); routing calls it after every capacity change.';

-- Whether a blocking capacity profile of the agent is exhausted.
CREATE FUNCTION omni._profile_blocked(a bigint) RETURNS boolean
    LANGUAGE sql STABLE AS $$
    SELECT EXISTS (
        SELECT 1 FROM omni.agent_capacity_profile acp
          JOIN omni.capacity_profile cp ON cp.name = acp.profile
         WHERE acp.agent_id = a AND cp.blocking
           AND (SELECT count(*) FROM omni.capacity_hold h WHERE h.agent_id = a AND h.profile = cp.name)
               >= coalesce(acp.max_items, cp.max_items))
$$;

-- omni._wake_router() is defined by the router (55_routing.sql).

-- ==== sql/src/40_presence.sql ====
-- 40_presence.sql — login, logout and set_presence.

CREATE FUNCTION omni.login(agent_id bigint) RETURNS text
    LANGUAGE plpgsql AS $$
DECLARE
    p text;
BEGIN
    PERFORM omni._authorize_agent(agent_id, 'log in agent ' || agent_id, false);
    PERFORM omni._lock_agent(agent_id);
    SELECT coalesce(a.default_presence, 'Available') INTO p FROM omni.agent a WHERE a.id = login.agent_id;
    UPDATE omni.agent_state s SET logged_in = true WHERE s.agent_id = login.agent_id;
    PERFORM omni._set_presence(agent_id, p, 'login', true);
    PERFORM omni._log_agent('login', agent_id, jsonb_build_object('presence', p));
    -- An agent who logs in with work still held (e.g. after a crash) shows its load.
    PERFORM omni._follow_load(agent_id);
    RETURN (SELECT presence FROM omni.agent_state s WHERE s.agent_id = login.agent_id);
END $$;
COMMENT ON FUNCTION omni.login(bigint) IS
    'Logs an agent in with its default presence (else Available), adjusted to its load; returns the presence.';

CREATE FUNCTION omni.logout(agent_id bigint) RETURNS void
    LANGUAGE plpgsql AS $$
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
END $$;
COMMENT ON FUNCTION omni.logout(bigint) IS
    'Logs an agent out: Offline, pending offers rescinded. Conversations it holds stay with it.';

CREATE FUNCTION omni.set_presence(agent_id bigint, presence text) RETURNS void
    LANGUAGE plpgsql AS $$
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
END $$;
COMMENT ON FUNCTION omni.set_presence(bigint, text) IS
    'Sets an agent''s presence (the agent, its supervisors or admins). System-only presences such as Inactive are refused.';

-- ==== sql/src/45_sentiment.sql ====
-- 45_sentiment.sql — real-time customer sentiment (SPEC §4, docs/sentiment.md).
--
-- Lexicons are data: the built-in rows come from data/lexicon/*.tsv (loaded
-- by the generated part "lexicon data" at CREATE EXTENSION); admins add rows
-- of their own (builtin = false), which override built-in rows of the same
-- language, term and kind.  The C engine (src/sentiment/) caches the tables
-- per backend; a statement trigger invalidates every backend's cache.

--- Lexicon tables ---------------------------------------------------------------

CREATE TABLE omni.lexicon (
    language  text NOT NULL CHECK (language ~ '^[a-z]{2,3}$'),
    term      text NOT NULL CHECK (btrim(term) <> ''),
    valence   real NOT NULL CHECK (valence BETWEEN -4 AND 4),
    builtin   boolean NOT NULL DEFAULT false,
    domain    text,
    PRIMARY KEY (language, term, builtin)
);
COMMENT ON TABLE omni.lexicon IS
    'Sentiment words and phrases per language with their valence; admins add domain terms ("refund", "still waiting") that override built-in ones.';
COMMENT ON COLUMN omni.lexicon.language IS
    'ISO 639 code (en, da, gl, ko, ar, es, fr, de, it, pt, ...); "mul" for emoji, emoticons and chat slang of every language.';
COMMENT ON COLUMN omni.lexicon.term IS
    'A word, a phrase of up to six words ("cancel my account") or an emoticon/emoji; matched after NFKC, case folding and, for single words, stemming.';
COMMENT ON COLUMN omni.lexicon.valence IS
    'From -4 (extremely negative) to 4 (extremely positive), the VADER scale; 0 neutralizes a built-in word.';
COMMENT ON COLUMN omni.lexicon.builtin IS 'true: shipped with the extension; false (default): added by an admin, wins over built-in.';
COMMENT ON COLUMN omni.lexicon.domain IS 'Free label for admin entries (e.g. "billing"); informational.';

CREATE TABLE omni.lexicon_rule (
    language  text NOT NULL CHECK (language ~ '^[a-z]{2,3}$'),
    term      text NOT NULL CHECK (btrim(term) <> ''),
    kind      text NOT NULL CHECK (kind IN ('negator', 'negator_post', 'intensifier', 'diminisher',
                                            'contrast', 'contrast_suffix', 'stopword', 'suffix', 'prefix')),
    weight    real CHECK (weight IS NULL OR weight BETWEEN 0 AND 2),
    builtin   boolean NOT NULL DEFAULT false,
    PRIMARY KEY (language, term, kind, builtin)
);
COMMENT ON TABLE omni.lexicon_rule IS
    'Words that change other words (negators, intensifiers, diminishers, contrast words), stop words for language detection, and the affixes stemming strips.';
COMMENT ON COLUMN omni.lexicon_rule.language IS 'ISO 639 code.';
COMMENT ON COLUMN omni.lexicon_rule.term IS 'The word, phrase or affix.';
COMMENT ON COLUMN omni.lexicon_rule.kind IS
    'negator (flips the next three words), negator_post (flips the previous word: Korean 않다), intensifier, diminisher, contrast ("but": before x0.5, after x1.5), contrast_suffix (Korean -지만), stopword (language evidence), suffix / prefix (stripped when stemming).';
COMMENT ON COLUMN omni.lexicon_rule.weight IS 'Intensifier / diminisher amount added to / taken from |valence| (default 0.293); unused for other kinds.';
COMMENT ON COLUMN omni.lexicon_rule.builtin IS 'true: shipped; false: added by an admin.';

CREATE TABLE omni.profanity (
    language  text NOT NULL CHECK (language ~ '^[a-z]{2,3}$'),
    term      text NOT NULL CHECK (btrim(term) <> ''),
    severity  smallint NOT NULL DEFAULT 2 CHECK (severity BETWEEN 1 AND 3),
    builtin   boolean NOT NULL DEFAULT false,
    PRIMARY KEY (language, term, builtin)
);
COMMENT ON TABLE omni.profanity IS
    'Profanity per language.  A profane message is at most negative, one with severity 3 very_negative; obfuscated spellings (f*ck, f.u.c.k, sh1t, fuuuck) are caught.';
COMMENT ON COLUMN omni.profanity.language IS 'ISO 639 code.';
COMMENT ON COLUMN omni.profanity.term IS 'The profane word (inflected forms are found by stemming).';
COMMENT ON COLUMN omni.profanity.severity IS '1 mild, 2 strong (message at most negative), 3 severe: slurs, threats (very_negative).';
COMMENT ON COLUMN omni.profanity.builtin IS 'true: shipped; false: added by an admin.';

CREATE TABLE omni.sentiment_threshold (
    level      omni.sentiment_level PRIMARY KEY,
    min_score  real NOT NULL CHECK (min_score BETWEEN -1 AND 1)
);
COMMENT ON TABLE omni.sentiment_threshold IS
    'Lowest score of each sentiment level (very_negative starts at -1); admins may move the boundaries, which must increase with the level.';
COMMENT ON COLUMN omni.sentiment_threshold.level IS 'Sentiment level.';
COMMENT ON COLUMN omni.sentiment_threshold.min_score IS 'A score at or above this (and below the next level''s) has this level.';
INSERT INTO omni.sentiment_threshold VALUES
    ('very_negative', -1), ('negative', -0.55), ('slightly_negative', -0.25), ('neutral', -0.05),
    ('slightly_positive', 0.05), ('positive', 0.25), ('very_positive', 0.55);

CREATE FUNCTION omni._sentiment_threshold_check() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT count(*) FROM omni.sentiment_threshold) <> 7 THEN
        RAISE EXCEPTION 'omni.sentiment_threshold must keep one row per sentiment level'
            USING ERRCODE = 'check_violation';
    END IF;
    IF EXISTS (SELECT 1 FROM omni.sentiment_threshold WHERE level = 'very_negative' AND min_score <> -1) THEN
        RAISE EXCEPTION 'very_negative must start at -1'
            USING ERRCODE = 'check_violation';
    END IF;
    IF EXISTS (SELECT 1 FROM (SELECT min_score, lag(min_score) OVER (ORDER BY level) AS prev
                              FROM omni.sentiment_threshold) t
               WHERE min_score <= prev) THEN
        RAISE EXCEPTION 'sentiment thresholds must increase from very_negative to very_positive'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION omni._sentiment_threshold_check() IS
    'Rejects threshold tables that are incomplete or not increasing.';
CREATE CONSTRAINT TRIGGER sentiment_threshold_check
    AFTER INSERT OR UPDATE OR DELETE ON omni.sentiment_threshold
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION omni._sentiment_threshold_check();

-- Cache invalidation: any change to a lexicon table drops every backend's cache.
CREATE FUNCTION omni._sentiment_lexicon_changed() RETURNS trigger
    LANGUAGE c AS 'MODULE_PATHNAME', 'omni_sentiment_lexicon_changed';
COMMENT ON FUNCTION omni._sentiment_lexicon_changed() IS
    'Statement trigger: invalidates the per-backend sentiment lexicon cache (relcache invalidation).';
CREATE TRIGGER lexicon_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON omni.lexicon
    FOR EACH STATEMENT EXECUTE FUNCTION omni._sentiment_lexicon_changed();
CREATE TRIGGER lexicon_rule_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON omni.lexicon_rule
    FOR EACH STATEMENT EXECUTE FUNCTION omni._sentiment_lexicon_changed();
CREATE TRIGGER profanity_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON omni.profanity
    FOR EACH STATEMENT EXECUTE FUNCTION omni._sentiment_lexicon_changed();
CREATE TRIGGER sentiment_threshold_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON omni.sentiment_threshold
    FOR EACH STATEMENT EXECUTE FUNCTION omni._sentiment_lexicon_changed();

-- Admin entries survive pg_dump; built-in rows come back with CREATE EXTENSION.
SELECT pg_catalog.pg_extension_config_dump('omni.lexicon', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('omni.lexicon_rule', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('omni.profanity', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('omni.sentiment_threshold', '');

GRANT SELECT ON omni.lexicon, omni.lexicon_rule, omni.profanity, omni.sentiment_threshold TO PUBLIC;
GRANT INSERT, UPDATE, DELETE ON omni.lexicon, omni.lexicon_rule, omni.profanity TO omnichannel_admin;
GRANT UPDATE ON omni.sentiment_threshold TO omnichannel_admin;

--- Scoring functions ------------------------------------------------------------

CREATE FUNCTION omni.sentiment(body text, lang text DEFAULT NULL) RETURNS omni.sentiment_result
    LANGUAGE c STABLE PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'omni_sentiment';
COMMENT ON FUNCTION omni.sentiment(text, text) IS
    'Sentiment of a message: score in [-1,1], one of seven levels, language (detected when lang is NULL), profanity flag.';

CREATE FUNCTION omni.sentiment_evidence(body text, lang text DEFAULT NULL) RETURNS jsonb
    LANGUAGE c STABLE PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'omni_sentiment_evidence';
COMMENT ON FUNCTION omni.sentiment_evidence(text, text) IS
    'omni.sentiment() with its reasons: matched terms with valence, weight and rules (negated, intensified, caps, contrast, stem, emoji, profanity ...), languages used, punctuation.';

CREATE FUNCTION omni.detect_language(body text) RETURNS text
    LANGUAGE c STABLE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'omni_detect_language';
COMMENT ON FUNCTION omni.detect_language(text) IS
    'Language of a message: script first (Hangul ko, Arabic ar ...), then stop-word and lexicon evidence among languages of that script; "und" when unknown.';

CREATE FUNCTION omni.sentiment_level(score real) RETURNS omni.sentiment_level
    LANGUAGE c STABLE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'omni_sentiment_level';
COMMENT ON FUNCTION omni.sentiment_level(real) IS
    'The level of a score under the thresholds in omni.sentiment_threshold.';

GRANT EXECUTE ON FUNCTION omni.sentiment(text, text), omni.sentiment_evidence(text, text),
    omni.detect_language(text), omni.sentiment_level(real) TO PUBLIC;

--- Conversation sentiment -------------------------------------------------------

CREATE TABLE omni.sentiment_history (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    conversation_id  bigint NOT NULL REFERENCES omni.conversation (id),
    at               timestamptz NOT NULL,
    level            omni.sentiment_level NOT NULL,
    score            real NOT NULL,
    previous_level   omni.sentiment_level NOT NULL,
    message_id       bigint NOT NULL REFERENCES omni.message (id),
    alerted          boolean NOT NULL DEFAULT false
);
CREATE INDEX sentiment_history_conversation_idx ON omni.sentiment_history (conversation_id, at);
COMMENT ON TABLE omni.sentiment_history IS
    'Sentiment over time: one row each time a conversation''s sentiment level changes.';
COMMENT ON COLUMN omni.sentiment_history.id IS 'Row id (increasing).';
COMMENT ON COLUMN omni.sentiment_history.conversation_id IS 'Conversation.';
COMMENT ON COLUMN omni.sentiment_history.at IS 'When the level changed (omni.now()).';
COMMENT ON COLUMN omni.sentiment_history.level IS 'The new level.';
COMMENT ON COLUMN omni.sentiment_history.score IS 'The conversation score behind it.';
COMMENT ON COLUMN omni.sentiment_history.previous_level IS 'The level before.';
COMMENT ON COLUMN omni.sentiment_history.message_id IS 'The customer message whose scoring changed the level.';
COMMENT ON COLUMN omni.sentiment_history.alerted IS 'true when this change sent omni_sentiment_alert.';
GRANT SELECT ON omni.sentiment_history TO omnichannel_admin;

CREATE FUNCTION omni._score_customer_message(message_id bigint) RETURNS void
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

CREATE VIEW omni.sentiment_over_time AS
SELECT h.conversation_id, c.queue, c.customer, h.at, h.previous_level, h.level, h.score, h.message_id, h.alerted
  FROM omni.sentiment_history h
  JOIN omni.conversation c ON c.id = h.conversation_id;
COMMENT ON VIEW omni.sentiment_over_time IS 'Sentiment level changes of each conversation, with its queue and customer.';
COMMENT ON COLUMN omni.sentiment_over_time.conversation_id IS 'Conversation.';
COMMENT ON COLUMN omni.sentiment_over_time.queue IS 'Its current queue (NULL while served by a bot).';
COMMENT ON COLUMN omni.sentiment_over_time.customer IS 'Customer.';
COMMENT ON COLUMN omni.sentiment_over_time.at IS 'When the level changed.';
COMMENT ON COLUMN omni.sentiment_over_time.previous_level IS 'Level before.';
COMMENT ON COLUMN omni.sentiment_over_time.level IS 'Level after.';
COMMENT ON COLUMN omni.sentiment_over_time.score IS 'Conversation score after.';
COMMENT ON COLUMN omni.sentiment_over_time.message_id IS 'Customer message that caused the change.';
COMMENT ON COLUMN omni.sentiment_over_time.alerted IS 'Whether an alert was sent.';
GRANT SELECT ON omni.sentiment_over_time TO omnichannel_admin;

-- ==== sql/src/50_conversation.sql ====
-- 50_conversation.sql — the conversation life cycle (SPEC §3, §5) except
-- the assignment algorithm itself, which lives in the router.

-- Customers --------------------------------------------------------------------

-- The customer known at this address on this channel, created when new.
CREATE FUNCTION omni._customer_for(ch text, address text) RETURNS bigint
    LANGUAGE plpgsql AS $$
DECLARE
    cid bigint;
BEGIN
    IF address IS NULL OR btrim(address) = '' THEN
        RAISE EXCEPTION 'customer address must not be empty' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT customer_id INTO cid FROM omni.customer_identity WHERE channel = ch AND customer_identity.address = _customer_for.address;
    IF cid IS NULL THEN
        INSERT INTO omni.customer (name, created_at) VALUES (NULL, omni.now()) RETURNING id INTO cid;
        INSERT INTO omni.customer_identity (channel, address, customer_id, created_at)
        VALUES (ch, address, cid, omni.now())
        ON CONFLICT ON CONSTRAINT customer_identity_pkey DO NOTHING;
        IF NOT FOUND THEN   -- another session created it first: use theirs
            DELETE FROM omni.customer WHERE id = cid;
            SELECT customer_id INTO cid FROM omni.customer_identity
             WHERE channel = ch AND customer_identity.address = _customer_for.address;
        END IF;
    END IF;
    RETURN cid;
END $$;

CREATE FUNCTION omni.link_customer(customer_id bigint, channel text, address text) RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    old bigint;
BEGIN
    IF NOT omni._is_service() THEN
        PERFORM omni._deny('link customer identities');
    END IF;
    IF NOT EXISTS (SELECT 1 FROM omni.customer WHERE id = customer_id) THEN
        RAISE EXCEPTION 'customer % does not exist', customer_id USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM omni.channel WHERE name = link_customer.channel) THEN
        RAISE EXCEPTION 'channel "%" does not exist', channel USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT i.customer_id INTO old FROM omni.customer_identity i
     WHERE i.channel = link_customer.channel AND i.address = link_customer.address FOR UPDATE;
    IF old IS NULL THEN
        INSERT INTO omni.customer_identity (channel, address, customer_id, created_at)
        VALUES (channel, address, customer_id, omni.now());
    ELSIF old <> customer_id THEN
        -- The address was a separate customer so far: merge its conversations.
        UPDATE omni.customer_identity i SET customer_id = link_customer.customer_id WHERE i.customer_id = old;
        UPDATE omni.conversation c SET customer_id = link_customer.customer_id WHERE c.customer_id = old;
        DELETE FROM omni.customer WHERE id = old;
    END IF;
    INSERT INTO omni.event (at, kind, actor, detail)
    VALUES (omni.now(), 'customer_linked', omni._caller_name(),
            jsonb_build_object('customer_id', customer_id, 'channel', channel, 'address', address,
                               'merged', CASE WHEN old <> customer_id THEN old END));
END $$;
COMMENT ON FUNCTION omni.link_customer(bigint, text, text) IS
    'Links a channel address to a customer (merging the customer that address had), so conversations across channels belong together.';

-- Classification and route-to-queue ----------------------------------------------

-- Classify a context on a workstream: every matching classify rule sets the
-- priority and adds required skills; the first matching route rule picks the
-- queue, else the workstream's default queue.
CREATE FUNCTION omni._classify(ws omni.workstream, ctx jsonb,
                               OUT priority integer, OUT required_skills jsonb, OUT queue text)
    LANGUAGE plpgsql STABLE AS $$
DECLARE
    r omni.classify_rule;
BEGIN
    priority := 100;
    required_skills := '{}';
    FOR r IN SELECT * FROM omni.classify_rule WHERE workstream = ws.name ORDER BY position LOOP
        IF jsonb_path_match(ctx, r.condition, silent => true) THEN
            priority := coalesce(r.priority, priority);
            SELECT coalesce(jsonb_object_agg(k, m), '{}') INTO required_skills
              FROM (SELECT k, max(v::numeric)::integer AS m
                      FROM (SELECT * FROM jsonb_each_text(required_skills)
                            UNION ALL SELECT * FROM jsonb_each_text(r.required_skills)) s(k, v)
                     GROUP BY k) t;
        END IF;
    END LOOP;
    SELECT rr.queue INTO queue FROM omni.route_rule rr
     WHERE rr.workstream = ws.name AND jsonb_path_match(ctx, rr.condition, silent => true)
     ORDER BY rr.position LIMIT 1;
    queue := coalesce(queue, ws.default_queue);
END $$;

CREATE FUNCTION omni._workstream(name text) RETURNS omni.workstream
    LANGUAGE plpgsql STABLE AS $$
DECLARE
    w omni.workstream;
BEGIN
    SELECT * INTO w FROM omni.workstream WHERE workstream.name = _workstream.name;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'workstream "%" does not exist', name USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN w;
END $$;

CREATE FUNCTION omni._check_context(ctx jsonb) RETURNS void
    LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    IF ctx IS NULL OR jsonb_typeof(ctx) <> 'object' THEN
        RAISE EXCEPTION 'context must be a JSON object' USING ERRCODE = 'invalid_parameter_value',
            DETAIL = format('Got %s.', coalesce(jsonb_typeof(ctx), 'NULL'));
    END IF;
END $$;

-- Arrival --------------------------------------------------------------------------

CREATE FUNCTION omni.enqueue(workstream text, customer text, context jsonb DEFAULT '{}') RETURNS bigint
    LANGUAGE plpgsql AS $$
DECLARE
    w omni.workstream;
    cl record;
    c omni.conversation;
    t timestamptz := omni.now();
BEGIN
    IF NOT omni._is_service() THEN
        PERFORM omni._deny('enqueue conversations');
    END IF;
    w := omni._workstream(workstream);
    PERFORM omni._check_context(context);
    cl := omni._classify(w, context);
    INSERT INTO omni.conversation (workstream, channel, queue, customer, customer_id, context, state,
                                   priority, required_skills, created_at, queued_at, last_activity_at)
    VALUES (w.name, w.channel, cl.queue, customer, omni._customer_for(w.channel, customer), context, 'open',
            cl.priority, cl.required_skills, t, t, t)
    RETURNING * INTO c;
    PERFORM omni._log('enqueued', c, detail => jsonb_build_object('priority', cl.priority,
                                                                   'required_skills', cl.required_skills));
    PERFORM omni._wake_router();
    RETURN c.id;
END $$;
COMMENT ON FUNCTION omni.enqueue(text, text, jsonb) IS
    'Creates an open conversation from a customer on a workstream: classified, routed to a queue, then offered by the router. Returns its id.';

CREATE FUNCTION omni.start_with_bot(workstream text, customer text, context jsonb DEFAULT '{}') RETURNS bigint
    LANGUAGE plpgsql AS $$
DECLARE
    w omni.workstream;
    c omni.conversation;
    t timestamptz := omni.now();
BEGIN
    IF NOT omni._is_service() THEN
        PERFORM omni._deny('start bot conversations');
    END IF;
    w := omni._workstream(workstream);
    PERFORM omni._check_context(context);
    INSERT INTO omni.conversation (workstream, channel, queue, customer, customer_id, context, state, bot,
                                   created_at, last_activity_at)
    VALUES (w.name, w.channel, NULL, customer, omni._customer_for(w.channel, customer), context, 'active', true, t, t)
    RETURNING * INTO c;
    PERFORM omni._log('bot_started', c);
    RETURN c.id;
END $$;
COMMENT ON FUNCTION omni.start_with_bot(text, text, jsonb) IS
    'Creates a conversation served by a bot (active, no agent). omni.escalate hands it to humans.';

CREATE FUNCTION omni.escalate(conversation_id bigint, context jsonb DEFAULT NULL) RETURNS text
    LANGUAGE plpgsql AS $$
DECLARE
    c omni.conversation;
    w omni.workstream;
    cl record;
    ns omni.conversation_state;
    t timestamptz := omni.now();
BEGIN
    IF NOT omni._is_service() THEN
        PERFORM omni._deny('escalate conversations');
    END IF;
    c := omni._lock_conversation(conversation_id);
    ns := omni._next_state(c, 'escalate');
    IF context IS NOT NULL THEN
        PERFORM omni._check_context(context);
    END IF;
    w := omni._workstream(c.workstream);
    cl := omni._classify(w, c.context || coalesce(context, '{}'));
    UPDATE omni.conversation
       SET state = ns, escalated = true, queue = cl.queue, priority = cl.priority,
           required_skills = cl.required_skills, context = c.context || coalesce(escalate.context, '{}'),
           queued_at = t, last_activity_at = t
     WHERE id = c.id RETURNING * INTO c;
    PERFORM omni._log('escalated', c, from_state => 'active');
    PERFORM omni._wake_router();
    RETURN c.queue;
END $$;
COMMENT ON FUNCTION omni.escalate(bigint, jsonb) IS
    'Hands a bot conversation to humans: classified with its context (merged with the given one) and queued. Returns the queue.';

-- Eligibility ------------------------------------------------------------------------

-- Why agent a may not take conversation c now (NULL when it may): logged in,
-- presence allowed by the workstream, member of the queue, skills, declines
-- and capacity.  Shared by offers and pick; the router applies the same rules.
CREATE FUNCTION omni._eligibility_refusal(a bigint, c omni.conversation) RETURNS text
    LANGUAGE plpgsql STABLE AS $$
DECLARE
    w omni.workstream;
    s omni.agent_state;
    base omni.base_status;
    missing text;
    declines integer;
BEGIN
    SELECT * INTO w FROM omni.workstream WHERE name = c.workstream;
    SELECT * INTO s FROM omni.agent_state WHERE agent_id = a;
    IF NOT FOUND THEN
        RETURN format('agent %s does not exist', a);
    END IF;
    IF NOT s.logged_in THEN
        RETURN format('agent %s is not logged in', a);
    END IF;
    SELECT base_status INTO base FROM omni.presence WHERE name = s.presence;
    IF NOT base = ANY (w.allowed_presences) THEN
        RETURN format('agent %s is %s (%s); workstream "%s" allows %s', a, s.presence, base, w.name,
                      array_to_string(w.allowed_presences, ', '));
    END IF;
    IF NOT EXISTS (SELECT 1 FROM omni.queue_member WHERE queue = c.queue AND agent_id = a) THEN
        RETURN format('agent %s is not a member of queue "%s"', a, c.queue);
    END IF;
    IF w.skill_match = 'exact' THEN
        SELECT k INTO missing FROM jsonb_each_text(c.required_skills) r(k, v)
         WHERE NOT EXISTS (SELECT 1 FROM omni.agent_skill sk
                            WHERE sk.agent_id = a AND sk.skill = r.k AND sk.proficiency >= r.v::integer)
         LIMIT 1;
        IF missing IS NOT NULL THEN
            RETURN format('agent %s lacks skill "%s" at proficiency %s', a, missing, c.required_skills ->> missing);
        END IF;
    END IF;
    SELECT count(*) INTO declines FROM omni.offer
     WHERE conversation_id = c.id AND agent_id = a AND state IN ('rejected', 'expired');
    IF declines >= w.max_declines THEN
        RETURN format('agent %s declined conversation %s %s times (max_declines %s)', a, c.id, declines, w.max_declines);
    END IF;
    RETURN omni._capacity_refusal(a, c);
END $$;
COMMENT ON FUNCTION omni._eligibility_refusal(bigint, omni.conversation) IS
    'Why an agent may not take a conversation now (NULL when it may).';

-- Offers ------------------------------------------------------------------------------

-- Offer conversation conv to agent a: the router's one way to make an offer.
-- Holds the agent's capacity until the offer ends.
CREATE FUNCTION omni._make_offer(conv bigint, a bigint, why jsonb DEFAULT '{}') RETURNS bigint
    LANGUAGE plpgsql AS $$
DECLARE
    c omni.conversation;
    w omni.workstream;
    refusal text;
    oid_ bigint;
    t timestamptz := omni.now();
    exp timestamptz;
BEGIN
    c := omni._lock_conversation(conv);
    PERFORM omni._next_state(c, 'offer');
    IF EXISTS (SELECT 1 FROM omni.offer WHERE conversation_id = c.id AND state = 'pending') THEN
        RAISE EXCEPTION 'conversation % already has a pending offer', c.id
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    w := omni._workstream(c.workstream);
    PERFORM omni._lock_agent(a);
    refusal := omni._eligibility_refusal(a, c);
    IF refusal IS NOT NULL THEN
        RAISE EXCEPTION 'agent % cannot be offered conversation %', a, c.id
            USING ERRCODE = 'object_not_in_prerequisite_state', DETAIL = refusal || '.';
    END IF;
    exp := t + w.offer_timeout;
    INSERT INTO omni.offer (conversation_id, agent_id, queue, created_at, expires_at)
    VALUES (c.id, a, c.queue, t, exp) RETURNING id INTO oid_;
    PERFORM omni._hold_capacity(a, c, 'offer');
    UPDATE omni.agent_state SET last_assigned_at = t WHERE agent_id = a;
    PERFORM omni._log('offered', c, agent => a, offer => oid_, from_state => c.state, detail => why);
    PERFORM pg_notify('omni_offer', json_build_object('offer_id', oid_, 'agent_id', a,
                                                      'conversation_id', c.id, 'expires_at', exp)::text);
    PERFORM omni._follow_load(a);
    RETURN oid_;
END $$;
COMMENT ON FUNCTION omni._make_offer(bigint, bigint, jsonb) IS
    'Offers an open conversation to an eligible agent (router use): holds capacity, logs, NOTIFY omni_offer.';

-- End a pending offer as rejected, expired or rescinded: capacity released,
-- the conversation keeps its place in the queue.  The conversation must be
-- locked before the agent, as everywhere.
CREATE FUNCTION omni._end_offer(offer_id bigint, outcome omni.offer_state, why text DEFAULT NULL) RETURNS void
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
    IF outcome = 'expired' THEN
        w := omni._workstream(c.workstream);
        IF w.block_on_missed THEN
            PERFORM omni._set_presence(o.agent_id, 'Inactive', 'system', true);
        END IF;
    END IF;
    PERFORM omni._wake_router();
END $$;

-- Lock and return an offer the caller may decide on.
CREATE FUNCTION omni._pending_offer_for_caller(offer_id bigint, verb text) RETURNS omni.offer
    LANGUAGE plpgsql AS $$
DECLARE
    o omni.offer;
BEGIN
    SELECT * INTO o FROM omni.offer WHERE id = offer_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'offer % does not exist', offer_id USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF NOT (omni._is_agent(o.agent_id) OR omni._is_admin()) THEN
        PERFORM omni._deny(verb || ' offer ' || offer_id,
                           format('Offer %s is for agent %s.', offer_id, o.agent_id));
    END IF;
    PERFORM omni._lock_conversation(o.conversation_id);
    SELECT * INTO o FROM omni.offer WHERE id = offer_id FOR UPDATE;
    IF o.state <> 'pending' THEN
        RAISE EXCEPTION 'offer % is %; cannot %', o.id, o.state, verb
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    IF o.expires_at <= omni.now() THEN
        RAISE EXCEPTION 'offer % expired at %; cannot %', o.id, o.expires_at, verb
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    RETURN o;
END $$;

CREATE FUNCTION omni.accept(offer_id bigint) RETURNS bigint
    LANGUAGE plpgsql AS $$
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
    PERFORM omni._follow_load(o.agent_id);
    RETURN c.id;
END $$;
COMMENT ON FUNCTION omni.accept(bigint) IS
    'The offered agent accepts: the conversation becomes active with that agent. Returns the conversation id.';

CREATE FUNCTION omni.reject(offer_id bigint) RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    o omni.offer;
BEGIN
    o := omni._pending_offer_for_caller(offer_id, 'reject');
    PERFORM omni._end_offer(o.id, 'rejected');
END $$;
COMMENT ON FUNCTION omni.reject(bigint) IS
    'The offered agent declines: the conversation keeps its place in the queue and goes on to the next agent.';

CREATE FUNCTION omni.pick(agent_id bigint, conversation_id bigint) RETURNS void
    LANGUAGE plpgsql AS $$
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
    PERFORM omni._follow_load(agent_id);
END $$;
COMMENT ON FUNCTION omni.pick(bigint, bigint) IS
    'An agent takes an open conversation from its queue; eligibility and capacity are checked atomically.';

-- Messages ------------------------------------------------------------------------------

CREATE FUNCTION omni.post_message(conversation_id bigint, sender omni.sender, body text,
                                  agent_id bigint DEFAULT NULL) RETURNS bigint
    LANGUAGE plpgsql AS $$
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
    END IF;
    RETURN mid;
END $$;
COMMENT ON FUNCTION omni.post_message(bigint, omni.sender, text, bigint) IS
    'Stores a message. Customer messages are scored for sentiment and bring a waiting conversation back to its queue; the first agent message is the first response.';

-- Handling ---------------------------------------------------------------------------------

-- Authorization to handle a conversation: its agent, a supervisor of its
-- queue, or an admin.
CREATE FUNCTION omni._authorize_handling(c omni.conversation, what text) RETURNS void
    LANGUAGE plpgsql AS $$
BEGIN
    IF (c.agent_id IS NOT NULL AND omni._is_agent(c.agent_id)) OR omni._is_admin()
       OR (c.queue IS NOT NULL AND omni._supervises_queue(c.queue)) THEN
        RETURN;
    END IF;
    PERFORM omni._deny(what || ' conversation ' || c.id,
                       format('Conversation %s is held by %s.', c.id, coalesce('agent ' || c.agent_id, 'no agent')));
END $$;

-- Put a conversation (back) into a queue with no agent: releases capacity,
-- rescinds a pending offer, restarts the queue clock.
CREATE FUNCTION omni._requeue(c omni.conversation, op text, kind text, to_queue text,
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
    UPDATE omni.conversation
       SET state = ns, agent_id = NULL, queue = to_queue, queued_at = t, last_activity_at = t,
           transfer_count = transfer_count + CASE WHEN kind IN ('transferred') THEN 1 ELSE 0 END
     WHERE id = c.id RETURNING * INTO c;
    PERFORM omni._log(kind, c, agent => NULL, from_state => from_state,
                      detail => detail || jsonb_build_object('from_queue', from_queue, 'to_queue', to_queue));
    PERFORM omni._wake_router();
    RETURN c;
END $$;

-- Close a conversation: capacity released, pending offer rescinded,
-- monitors leave.  Every path to closed goes through here.
CREATE FUNCTION omni._close(c omni.conversation, op text, kind text, reason text,
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
    RETURN c;
END $$;

CREATE FUNCTION omni.end_conversation(id bigint) RETURNS void
    LANGUAGE plpgsql AS $$
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
END $$;
COMMENT ON FUNCTION omni.end_conversation(bigint) IS
    'The agent ends the conversation: active to wrap_up (capacity kept if the workstream says so).';

CREATE FUNCTION omni.close_conversation(id bigint) RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    c omni.conversation := omni._lock_conversation(id);
BEGIN
    IF omni._served_by(c) = 'bot' THEN     -- a bot resolved it
        IF NOT omni._is_service() THEN
            PERFORM omni._deny('close bot conversation ' || c.id);
        END IF;
        PERFORM omni._close(c, 'bot_close', 'closed', 'bot_resolved');
        RETURN;
    END IF;
    PERFORM omni._authorize_handling(c, 'close');
    PERFORM omni._close(c, 'close', 'closed', 'completed');
END $$;
COMMENT ON FUNCTION omni.close_conversation(bigint) IS
    'Closes a conversation in wrap_up (or one a bot resolved); capacity is released.';

CREATE FUNCTION omni.abandon(id bigint) RETURNS void
    LANGUAGE plpgsql AS $$
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
        RETURN;
    END IF;
    offered := EXISTS (SELECT 1 FROM omni.offer WHERE conversation_id = c.id AND created_at >= c.queued_at);
    PERFORM omni._close(c, CASE omni._served_by(c) WHEN 'bot' THEN 'bot_abandon' ELSE 'abandon' END,
                        'abandoned', 'abandoned',
                        jsonb_build_object('offered', offered,
                                           'wait_s', extract(epoch FROM t - coalesce(c.queued_at, c.created_at))));
END $$;
COMMENT ON FUNCTION omni.abandon(bigint) IS
    'The customer left: an open, waiting or bot conversation closes as abandoned; one with an agent goes to wrap_up.';

CREATE FUNCTION omni.set_waiting(id bigint) RETURNS void
    LANGUAGE plpgsql AS $$
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
END $$;
COMMENT ON FUNCTION omni.set_waiting(bigint) IS
    'Parks an active conversation (active to waiting): the agent keeps it but its capacity is released.';

CREATE FUNCTION omni.resume(id bigint) RETURNS void
    LANGUAGE plpgsql AS $$
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
    PERFORM omni._follow_load(c.agent_id);
END $$;
COMMENT ON FUNCTION omni.resume(bigint) IS
    'The agent revives a waiting conversation (waiting to active); needs free capacity.';

CREATE FUNCTION omni.transfer(id bigint, queue text) RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    c omni.conversation := omni._lock_conversation(id);
BEGIN
    PERFORM omni._authorize_handling(c, 'transfer');
    IF NOT EXISTS (SELECT 1 FROM omni.queue q WHERE q.name = transfer.queue) THEN
        RAISE EXCEPTION 'queue "%" does not exist', queue USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM omni._requeue(c, 'transfer', 'transferred', queue);
END $$;
COMMENT ON FUNCTION omni.transfer(bigint, text) IS
    'Moves a conversation to a queue (active to open, agent released; or an open one to another queue).';

CREATE FUNCTION omni.transfer_to_agent(id bigint, agent_id bigint) RETURNS void
    LANGUAGE plpgsql AS $$
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
    PERFORM omni._follow_load(agent_id);
END $$;
COMMENT ON FUNCTION omni.transfer_to_agent(bigint, bigint) IS
    'Hands an active conversation to another logged-in agent with free capacity (it stays active).';

-- ==== sql/src/55_routing.sql ====
-- 55_routing.sql — the unified routing engine (SPEC §2, §3, §5; docs/routing.md):
-- custom assignment rules, overflow and operating hours, percentage split,
-- the assignment cycle omni.route() (C, src/routing.c), the time-driven
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

-- Checked at commit so an admin can rewrite a split in several statements.
CREATE FUNCTION omni._check_route_rule_split() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT s.workstream, s.position, count(*) AS n, sum(s.percent) AS total
               FROM omni.route_rule_split s
              WHERE (s.workstream, s.position) = (NEW.workstream, NEW.position)
              GROUP BY 1, 2
    LOOP
        IF r.n > 5 THEN
            RAISE EXCEPTION 'route rule % of workstream "%" is split across % queues; at most 5 are allowed',
                r.position, r.workstream, r.n USING ERRCODE = 'check_violation';
        END IF;
        IF r.total <> 100 THEN
            RAISE EXCEPTION 'the split of route rule % of workstream "%" totals % percent; it must total 100',
                r.position, r.workstream, r.total USING ERRCODE = 'check_violation';
        END IF;
    END LOOP;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER check_split AFTER INSERT OR UPDATE ON omni.route_rule_split
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION omni._check_route_rule_split();
COMMENT ON FUNCTION omni._check_route_rule_split() IS
    'Constraint trigger (at commit): a route rule is split across at most five queues totalling 100 percent.';

-- Applied when a conversation first gets a queue (omni.enqueue, omni.escalate):
-- the route rule that chose it is found again and, if split, a queue is
-- chosen by a low-discrepancy sequence on the conversation id (61 is coprime
-- to 100, so any 100 consecutive ids hit every percentile exactly once).
CREATE FUNCTION omni._apply_route_split() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    rule_position integer;
    bucket integer;
    s record;
    acc integer := 0;
BEGIN
    IF NEW.state <> 'open' OR NEW.queue IS NULL
       OR NOT EXISTS (SELECT 1 FROM omni.route_rule_split WHERE workstream = NEW.workstream) THEN
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
CREATE TRIGGER apply_route_split BEFORE INSERT ON omni.conversation
    FOR EACH ROW EXECUTE FUNCTION omni._apply_route_split();
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
    LANGUAGE plpgsql AS $$
DECLARE
    c omni.conversation;
    r omni.queue_overflow;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM omni.queue_overflow
                    WHERE queue = NEW.queue AND condition IN ('queue_length', 'outside_hours')) THEN
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
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.state = 'open')
    EXECUTE FUNCTION omni._prequeue_overflow();
CREATE CONSTRAINT TRIGGER prequeue_overflow_on_move AFTER UPDATE OF queue, state ON omni.conversation
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (NEW.state = 'open' AND (OLD.state <> 'open' OR OLD.queue IS DISTINCT FROM NEW.queue))
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
    LANGUAGE plpgsql AS $$
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
    SELECT 'over_profile', NULL, acp.agent_id, format('%s of %s items of %s', count(*), coalesce(acp.max_items, cp.max_items), cp.name)
      FROM omni.agent_capacity_profile acp JOIN omni.capacity_profile cp ON cp.name = acp.profile
      JOIN omni.capacity_hold h ON h.agent_id = acp.agent_id AND h.profile = cp.name
     GROUP BY acp.agent_id, cp.name, acp.max_items, cp.max_items
    HAVING count(*) > coalesce(acp.max_items, cp.max_items) AND NOT bool_or(h.override)
    UNION ALL
    -- 5. no expired offer left pending
    SELECT 'expired_offer_pending', o.conversation_id, o.agent_id, 'expired at ' || o.expires_at
      FROM omni.offer o WHERE o.state = 'pending' AND o.expires_at <= omni.now()
    UNION ALL
    -- 6. no open push conversation left while an eligible agent has room
    SELECT 'open_with_eligible_agent', c.id, m.agent_id, 'queue ' || c.queue
      FROM omni.conversation c
      JOIN omni.workstream w ON w.name = c.workstream AND w.mode = 'push'
      JOIN omni.queue_member m ON m.queue = c.queue
     WHERE c.state = 'open'
       AND NOT EXISTS (SELECT 1 FROM omni.offer o WHERE o.conversation_id = c.id AND o.state = 'pending')
       AND omni._eligibility_refusal(m.agent_id, c) IS NULL
$$;
COMMENT ON FUNCTION omni.routing_invariant_violations() IS
    'Rows that break a routing invariant (empty when all hold): two live offers, an offer for an assigned conversation, capacity held by the wrong agent, an agent over capacity or over a profile without a supervisor override, an expired offer still pending, an open conversation while an eligible agent has room (call omni.route() first).';

-- Decision log -------------------------------------------------------------------

CREATE VIEW omni.routing_decision WITH (security_invoker = true) AS
SELECT e.offer_id,
       e.conversation_id,
       e.agent_id,
       e.queue,
       e.at,
       e.detail ->> 'method' AS method,
       e.detail ->> 'skill_match' AS skill_match,
       (e.detail ->> 'rule')::integer AS rule_position,
       (e.detail ->> 'eligible')::integer AS eligible_count,
       ARRAY(SELECT jsonb_array_elements_text(e.detail -> 'order_by')) AS order_by,
       e.detail -> 'key' AS chosen_key,
       (e.detail #>> '{runner_up,agent_id}')::bigint AS runner_up_agent_id,
       e.detail #> '{runner_up,key}' AS runner_up_key,
       (e.detail ->> 'cycle')::bigint AS cycle
  FROM omni.event e
 WHERE e.kind = 'offered';
COMMENT ON VIEW omni.routing_decision IS
    'Why each offer went to its agent: the assignment method, the key values compared for the chosen agent and the runner-up, and how many agents were eligible (from the detail of the ''offered'' events).';
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

-- Worker status ---------------------------------------------------------------------

CREATE FUNCTION omni._worker_status(
    OUT datid oid, OUT pid integer, OUT state text, OUT started_at timestamptz,
    OUT last_cycle_at timestamptz, OUT last_cycle_ms double precision, OUT last_cycle_offers integer,
    OUT cycles bigint, OUT offers bigint, OUT wakeups bigint, OUT ticks bigint, OUT tick_items bigint,
    OUT kpi_refreshes bigint, OUT errors bigint, OUT last_error text, OUT last_error_at timestamptz,
    OUT next_tick_at timestamptz, OUT launcher_pid integer)
    RETURNS SETOF record
    LANGUAGE c VOLATILE
    AS 'MODULE_PATHNAME', 'omni_worker_status';
COMMENT ON FUNCTION omni._worker_status() IS 'Shared-memory state of the routing workers of every database.';

CREATE VIEW omni.worker_status AS
SELECT d.datname AS database, s.pid, s.state, s.started_at, s.last_cycle_at, s.last_cycle_ms,
       s.last_cycle_offers, s.cycles, s.offers, s.wakeups, s.ticks, s.tick_items, s.kpi_refreshes,
       s.errors, s.last_error, s.last_error_at, s.next_tick_at, s.launcher_pid
  FROM omni._worker_status() s LEFT JOIN pg_database d ON d.oid = s.datid
 WHERE s.datid = (SELECT oid FROM pg_database WHERE datname = current_database());
COMMENT ON VIEW omni.worker_status IS
    'The routing worker of this database: its state (starting, running, idle, stopped, no_extension), last cycle and counters since it started. Empty when omnichannel is not in shared_preload_libraries.';
COMMENT ON COLUMN omni.worker_status.database IS 'Database.';
COMMENT ON COLUMN omni.worker_status.pid IS 'Process id of the worker (0 when not running); see pg_stat_activity.';
COMMENT ON COLUMN omni.worker_status.state IS 'starting, running, idle (omnichannel.enable_workers off), stopped, no_extension.';
COMMENT ON COLUMN omni.worker_status.started_at IS 'When the worker started.';
COMMENT ON COLUMN omni.worker_status.last_cycle_at IS 'When its last routing cycle ended.';
COMMENT ON COLUMN omni.worker_status.last_cycle_ms IS 'Duration of the last routing cycle in milliseconds.';
COMMENT ON COLUMN omni.worker_status.last_cycle_offers IS 'Offers made by the last cycle.';
COMMENT ON COLUMN omni.worker_status.cycles IS 'Routing cycles run.';
COMMENT ON COLUMN omni.worker_status.offers IS 'Offers made.';
COMMENT ON COLUMN omni.worker_status.wakeups IS 'Times a commit woke the worker.';
COMMENT ON COLUMN omni.worker_status.ticks IS 'omni.tick() runs.';
COMMENT ON COLUMN omni.worker_status.tick_items IS 'Items omni.tick() handled (expiries, overflows, auto-closes).';
COMMENT ON COLUMN omni.worker_status.kpi_refreshes IS 'omni.refresh_kpis() runs.';
COMMENT ON COLUMN omni.worker_status.errors IS 'Errors caught (logged; the worker carries on).';
COMMENT ON COLUMN omni.worker_status.last_error IS 'Message of the last error.';
COMMENT ON COLUMN omni.worker_status.last_error_at IS 'When the last error happened.';
COMMENT ON COLUMN omni.worker_status.next_tick_at IS 'When the worker will next run omni.tick().';
COMMENT ON COLUMN omni.worker_status.launcher_pid IS 'Process id of the launcher that starts the per-database workers.';

-- Privileges -------------------------------------------------------------------------

REVOKE ALL ON omni.assignment_rule, omni.queue_overflow, omni.queue_hours, omni.route_rule_split,
              omni.queue_rotation FROM PUBLIC;
GRANT SELECT ON omni.assignment_rule, omni.queue_overflow, omni.queue_hours, omni.route_rule_split,
                omni.queue_rotation
    TO omnichannel_agent, omnichannel_supervisor, omnichannel_service, omnichannel_admin;
GRANT INSERT, UPDATE, DELETE ON omni.assignment_rule, omni.queue_overflow, omni.queue_hours,
                                omni.route_rule_split TO omnichannel_admin;
REVOKE ALL ON omni.routing_decision, omni.worker_status FROM PUBLIC;
GRANT SELECT ON omni.routing_decision TO omnichannel_supervisor, omnichannel_admin;
GRANT SELECT ON omni.worker_status TO omnichannel_supervisor, omnichannel_admin;

REVOKE ALL ON FUNCTION omni.route(), omni.tick(), omni.next_deadline(), omni._worker_status(),
                       omni._wake_router(), omni._wake_launcher() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION omni.route(), omni.tick(), omni.next_deadline() TO omnichannel_admin;
REVOKE ALL ON FUNCTION omni.routing_invariant_violations() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION omni.routing_invariant_violations() TO omnichannel_supervisor, omnichannel_admin;
GRANT EXECUTE ON FUNCTION omni._worker_status() TO omnichannel_supervisor, omnichannel_admin;
-- CHECK constraints run as the admin who writes the row.
GRANT EXECUTE ON FUNCTION omni._is_agent_predicate(jsonpath), omni._valid_order_by(text[]) TO omnichannel_admin;
GRANT EXECUTE ON FUNCTION omni.queue_is_open(text, timestamptz)
    TO omnichannel_agent, omnichannel_supervisor, omnichannel_service, omnichannel_admin;
-- Configuration triggers run as the admin who edits; they only set a flag.
ALTER FUNCTION omni._wake_router_trigger() SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp;
-- Conversation triggers: the deferred overflow check fires at COMMIT, outside
-- the API's SECURITY DEFINER functions, i.e. as the calling role.
ALTER FUNCTION omni._prequeue_overflow() SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp;
ALTER FUNCTION omni._apply_route_split() SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp;

-- A new CREATE EXTENSION is picked up by the launcher at once.
SELECT omni._wake_launcher();

-- ==== sql/src/60_supervisor.sql ====
-- 60_supervisor.sql — supervisor actions: assign, force close, monitor.  All audited in omni.event.

CREATE FUNCTION omni._authorize_supervision(c omni.conversation, what text) RETURNS void
    LANGUAGE plpgsql AS $$
BEGIN
    IF omni._is_admin() OR (c.queue IS NOT NULL AND omni._supervises_queue(c.queue)) THEN
        RETURN;
    END IF;
    PERFORM omni._deny(what || ' conversation ' || c.id,
                       format('Role "%s" does not supervise queue "%s".', omni._caller_name(), coalesce(c.queue, '(none)')));
END $$;

CREATE FUNCTION omni.assign(conversation_id bigint, agent_id bigint, override_capacity boolean DEFAULT false)
    RETURNS void
    LANGUAGE plpgsql AS $$
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
    PERFORM omni._follow_load(agent_id);
END $$;
COMMENT ON FUNCTION omni.assign(bigint, bigint, boolean) IS
    'Supervisor assigns an open conversation to a logged-in agent (active at once). override_capacity lets it exceed capacity; audited with before/after units.';

CREATE FUNCTION omni.force_close(conversation_id bigint) RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    c omni.conversation := omni._lock_conversation(conversation_id);
BEGIN
    PERFORM omni._authorize_supervision(c, 'force close');
    PERFORM omni._close(c, 'force_close', 'force_closed', 'force_closed',
                        jsonb_build_object('agent_id', c.agent_id));
END $$;
COMMENT ON FUNCTION omni.force_close(bigint) IS
    'Supervisor closes a conversation in any state but closed; offers rescinded, capacity released.';

CREATE FUNCTION omni.monitor(conversation_id bigint, agent_id bigint) RETURNS void
    LANGUAGE plpgsql AS $$
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
END $$;
COMMENT ON FUNCTION omni.monitor(bigint, bigint) IS
    'Supervisor joins a conversation silently (sees it and its messages, holds no capacity); audited.';

-- ==== sql/src/70_security.sql ====
-- 70_security.sql — privileges and row-level security (SPEC §7).
--
-- Group roles: omnichannel_agent (its own work), omnichannel_supervisor (its
-- queues), omnichannel_admin (configuration, everything), and
-- omnichannel_service (channel connectors and bots acting for customers).
-- Runtime tables are written only by SECURITY DEFINER functions with a pinned
-- search_path; each of them checks that the caller may act for that agent,
-- conversation or queue.

-- Everyone may look into the schema (omni.sentiment() and the clock are for all);
-- tables and functions carry their own grants below.
GRANT USAGE ON SCHEMA omni TO PUBLIC;

-- Visibility helpers used by the policies (evaluated as the querying role).
CREATE FUNCTION omni._sees_everything() RETURNS boolean
    LANGUAGE sql STABLE AS $$
    SELECT pg_has_role(current_user, 'omnichannel_admin', 'MEMBER')
        OR pg_has_role(current_user, 'omnichannel_service', 'MEMBER')
$$;
COMMENT ON FUNCTION omni._sees_everything() IS 'Row-level security: admins and services see every row.';

CREATE FUNCTION omni.supervised_queues() RETURNS SETOF text
    LANGUAGE sql STABLE AS $$
    SELECT DISTINCT queue FROM omni.queue_supervisor WHERE pg_has_role(current_user, db_role, 'MEMBER')
$$;
COMMENT ON FUNCTION omni.supervised_queues() IS 'Queues the current role supervises.';

CREATE FUNCTION omni.supervised_agents() RETURNS SETOF bigint
    LANGUAGE sql STABLE AS $$
    SELECT DISTINCT m.agent_id FROM omni.queue_member m
     WHERE m.queue IN (SELECT omni.supervised_queues())
$$;
COMMENT ON FUNCTION omni.supervised_agents() IS 'Agents in the queues the current role supervises.';

-- Conversations the current role monitors.  SECURITY DEFINER so the
-- conversation policy need not read conversation_participant under its own
-- policy (which reads conversation: a cycle).
CREATE FUNCTION omni._monitored_conversations() RETURNS SETOF bigint
    LANGUAGE sql STABLE AS $$
    SELECT p.conversation_id FROM omni.conversation_participant p JOIN omni.agent a ON a.id = p.agent_id
     WHERE a.db_role = omni._caller_name() AND p.left_at IS NULL
$$;
COMMENT ON FUNCTION omni._monitored_conversations() IS 'Row-level security: conversations the calling role monitors.';

-- Configuration: everyone reads, admins write.
DO $grants$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['presence', 'channel', 'skill', 'capacity_profile', 'agent', 'agent_skill',
                             'agent_capacity_profile', 'queue', 'queue_member', 'queue_supervisor',
                             'workstream', 'route_rule', 'classify_rule', 'conversation_transition']
    LOOP
        EXECUTE format('REVOKE ALL ON omni.%I FROM PUBLIC', t);
        EXECUTE format('GRANT SELECT ON omni.%I TO omnichannel_agent, omnichannel_supervisor, omnichannel_service, omnichannel_admin', t);
        IF t <> 'conversation_transition' THEN
            EXECUTE format('GRANT INSERT, UPDATE, DELETE ON omni.%I TO omnichannel_admin', t);
        END IF;
    END LOOP;
END
$grants$;
GRANT USAGE ON SEQUENCE omni.agent_id_seq TO omnichannel_admin;

-- Runtime: read-only for everyone, rows filtered by policies.
DO $grants$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['customer', 'customer_identity', 'agent_state', 'presence_history', 'conversation',
                             'conversation_participant', 'offer', 'capacity_hold', 'capacity_profile_use',
                             'message', 'event']
    LOOP
        EXECUTE format('REVOKE ALL ON omni.%I FROM PUBLIC', t);
        EXECUTE format('GRANT SELECT ON omni.%I TO omnichannel_agent, omnichannel_supervisor, omnichannel_service, omnichannel_admin', t);
        IF t <> 'agent_state' THEN
            EXECUTE format('ALTER TABLE omni.%I ENABLE ROW LEVEL SECURITY', t);
            EXECUTE format('CREATE POLICY staff_all ON omni.%I FOR SELECT USING (omni._sees_everything())', t);
        END IF;
    END LOOP;
END
$grants$;

CREATE POLICY agent_own ON omni.conversation FOR SELECT TO omnichannel_agent USING (
    agent_id = omni.current_agent_id()
    OR id IN (SELECT o.conversation_id FROM omni.offer o
               WHERE o.agent_id = omni.current_agent_id() AND o.state = 'pending')
    OR id IN (SELECT omni._monitored_conversations())
    OR (state = 'open'
        AND queue IN (SELECT m.queue FROM omni.queue_member m WHERE m.agent_id = omni.current_agent_id())
        AND workstream IN (SELECT w.name FROM omni.workstream w WHERE w.mode = 'pick')));
CREATE POLICY supervisor_queues ON omni.conversation FOR SELECT TO omnichannel_supervisor
    USING (queue IN (SELECT omni.supervised_queues()));

CREATE POLICY agent_own ON omni.offer FOR SELECT TO omnichannel_agent
    USING (agent_id = omni.current_agent_id());
CREATE POLICY supervisor_queues ON omni.offer FOR SELECT TO omnichannel_supervisor
    USING (queue IN (SELECT omni.supervised_queues()));

-- Messages and participants follow the visibility of their conversation.
CREATE POLICY via_conversation ON omni.message FOR SELECT TO omnichannel_agent, omnichannel_supervisor
    USING (EXISTS (SELECT 1 FROM omni.conversation c WHERE c.id = conversation_id));
CREATE POLICY agent_own ON omni.conversation_participant FOR SELECT TO omnichannel_agent
    USING (agent_id = omni.current_agent_id());
CREATE POLICY supervisor_queues ON omni.conversation_participant FOR SELECT TO omnichannel_supervisor
    USING (conversation_id IN (SELECT c.id FROM omni.conversation c WHERE c.queue IN (SELECT omni.supervised_queues())));

CREATE POLICY agent_own ON omni.presence_history FOR SELECT TO omnichannel_agent
    USING (agent_id = omni.current_agent_id());
CREATE POLICY supervisor_agents ON omni.presence_history FOR SELECT TO omnichannel_supervisor
    USING (agent_id IN (SELECT omni.supervised_agents()));

CREATE POLICY agent_own ON omni.capacity_hold FOR SELECT TO omnichannel_agent
    USING (agent_id = omni.current_agent_id());
CREATE POLICY supervisor_agents ON omni.capacity_hold FOR SELECT TO omnichannel_supervisor
    USING (agent_id IN (SELECT omni.supervised_agents()));

CREATE POLICY agent_own ON omni.event FOR SELECT TO omnichannel_agent
    USING (agent_id = omni.current_agent_id());
CREATE POLICY supervisor_queues ON omni.event FOR SELECT TO omnichannel_supervisor
    USING (queue IN (SELECT omni.supervised_queues())
           OR (conversation_id IS NULL AND agent_id IN (SELECT omni.supervised_agents())));

CREATE POLICY supervisor_all ON omni.customer FOR SELECT TO omnichannel_supervisor USING (true);
CREATE POLICY supervisor_all ON omni.customer_identity FOR SELECT TO omnichannel_supervisor USING (true);
CREATE POLICY agent_customers ON omni.customer FOR SELECT TO omnichannel_agent
    USING (EXISTS (SELECT 1 FROM omni.conversation c WHERE c.customer_id = id));
CREATE POLICY agent_customers ON omni.customer_identity FOR SELECT TO omnichannel_agent
    USING (EXISTS (SELECT 1 FROM omni.conversation c WHERE c.customer_id = customer_identity.customer_id));

-- Functions: nothing for PUBLIC but the read-only helpers policies need;
-- the API is SECURITY DEFINER with a pinned search_path.
DO $functions$
DECLARE
    f regprocedure;
    api constant text[] := ARRAY['_monitored_conversations',
        -- agents (and the roles above them)
        'login', 'logout', 'set_presence', 'accept', 'reject', 'pick', 'post_message', 'end_conversation',
        'close_conversation', 'set_waiting', 'resume', 'transfer', 'transfer_to_agent',
        -- services
        'enqueue', 'start_with_bot', 'escalate', 'abandon', 'link_customer',
        -- supervisors
        'assign', 'force_close', 'monitor'];
    -- read-only helpers that policies and CHECK constraints call as the querying role
    public_helpers constant text[] := ARRAY['now', 'caller', 'current_agent_id', '_sees_everything',
                                            'supervised_queues', 'supervised_agents', '_monitored_conversations',
                                            '_is_predicate', '_valid_required_skills', '_caller_name',
                                            -- text scoring reads only lexicon data: for everyone
                                            'sentiment', 'sentiment_evidence', 'sentiment_level', 'detect_language'];
    definer_triggers constant text[] := ARRAY['_agent_state_row', '_refuse_delete_in_use', '_check_workstream',
                                              '_check_agent', '_check_queue_supervisor',
                                              '_check_required_skills_exist', '_protect_builtin_presence'];
BEGIN
    FOR f IN SELECT p.oid::regprocedure FROM pg_proc p WHERE p.pronamespace = 'omni'::regnamespace LOOP
        EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
    END LOOP;
    FOR f IN SELECT p.oid::regprocedure FROM pg_proc p
              WHERE p.pronamespace = 'omni'::regnamespace AND p.proname = ANY (api || definer_triggers) LOOP
        EXECUTE format('ALTER FUNCTION %s SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp', f);
    END LOOP;
    FOR f IN SELECT p.oid::regprocedure FROM pg_proc p
              WHERE p.pronamespace = 'omni'::regnamespace AND p.proname = ANY (public_helpers) LOOP
        EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO PUBLIC', f);
    END LOOP;
END
$functions$;

GRANT EXECUTE ON FUNCTION omni.login(bigint), omni.logout(bigint), omni.set_presence(bigint, text),
    omni.accept(bigint), omni.reject(bigint), omni.pick(bigint, bigint),
    omni.post_message(bigint, omni.sender, text, bigint), omni.end_conversation(bigint),
    omni.close_conversation(bigint), omni.set_waiting(bigint), omni.resume(bigint),
    omni.transfer(bigint, text), omni.transfer_to_agent(bigint, bigint)
    TO omnichannel_agent, omnichannel_supervisor, omnichannel_service, omnichannel_admin;
GRANT EXECUTE ON FUNCTION omni.enqueue(text, text, jsonb), omni.start_with_bot(text, text, jsonb),
    omni.escalate(bigint, jsonb), omni.abandon(bigint), omni.link_customer(bigint, text, text)
    TO omnichannel_service, omnichannel_admin;
GRANT EXECUTE ON FUNCTION omni.assign(bigint, bigint, boolean), omni.force_close(bigint),
    omni.monitor(bigint, bigint)
    TO omnichannel_supervisor, omnichannel_admin;

-- ==== sql/src/80_views.sql ====
-- 80_views.sql — real-time views for apps, supervisors and BI (SPEC §6).
--
-- Every view here is a plain view WITH (security_invoker = true): it reads
-- the runtime tables as the querying role, so their row-level security
-- applies (an agent sees its own work, a supervisor its queues, admins
-- everything).  Durations are computed against omni.now(), so the mock clock
-- drives them in tests.  Units are in column names (_s = seconds); docs/views.md
-- documents each view.

-- Which agents the querying role may see in agent-level views: its own
-- agent, the agents of the queues it supervises, or all for admins/services.
CREATE FUNCTION omni._sees_agent(a bigint) RETURNS boolean
    LANGUAGE sql STABLE AS $$
    SELECT omni._sees_everything() OR a = omni.current_agent_id()
        OR a IN (SELECT omni.supervised_agents())
$$;
COMMENT ON FUNCTION omni._sees_agent(bigint) IS
    'Views: whether the querying role may see this agent (itself, agents of its supervised queues, admins all).';

CREATE FUNCTION omni._sees_queue(q text) RETURNS boolean
    LANGUAGE sql STABLE AS $$
    SELECT omni._sees_everything() OR q IN (SELECT omni.supervised_queues())
        OR q IN (SELECT m.queue FROM omni.queue_member m WHERE m.agent_id = omni.current_agent_id())
$$;
COMMENT ON FUNCTION omni._sees_queue(text) IS
    'Views: whether the querying role may see this queue (member agents, its supervisors, admins).';

-- Agent status ----------------------------------------------------------------------

CREATE VIEW omni.agent_status WITH (security_invoker = true) AS
SELECT a.id AS agent_id,
       a.name,
       s.presence,
       p.base_status,
       s.presence_since AS since,
       extract(epoch FROM omni.now() - s.presence_since)::double precision AS in_presence_s,
       s.logged_in,
       a.capacity_units,
       coalesce(h.used_units, 0)::integer AS used_units,
       (a.capacity_units - coalesce(h.used_units, 0))::integer AS free_units,
       coalesce(w.active_items, 0)::integer AS active_items,
       coalesce(w.waiting_items, 0)::integer AS waiting_items,
       coalesce(w.wrap_up_items, 0)::integer AS wrap_up_items,
       coalesce(h.pending_offers, 0)::integer AS pending_offers,
       CASE WHEN a.capacity_units > 0 THEN coalesce(h.used_units, 0)::double precision / a.capacity_units END
           AS capacity_used_ratio,
       coalesce(h.over_capacity, false) AS over_capacity,
       (SELECT array_agg(m.queue ORDER BY m.queue) FROM omni.queue_member m WHERE m.agent_id = a.id) AS queues,
       s.last_assigned_at
  FROM omni.agent a
  JOIN omni.agent_state s ON s.agent_id = a.id
  JOIN omni.presence p ON p.name = s.presence
  LEFT JOIN LATERAL (
        SELECT sum(ch.units) AS used_units,
               count(*) FILTER (WHERE ch.kind = 'offer') AS pending_offers,
               bool_or(ch.override) AS over_capacity
          FROM omni.capacity_hold ch WHERE ch.agent_id = a.id) h ON true
  LEFT JOIN LATERAL (
        SELECT count(*) FILTER (WHERE c.state = 'active') AS active_items,
               count(*) FILTER (WHERE c.state = 'waiting') AS waiting_items,
               count(*) FILTER (WHERE c.state = 'wrap_up') AS wrap_up_items
          FROM omni.conversation c WHERE c.agent_id = a.id AND c.state <> 'closed') w ON true
 WHERE omni._sees_agent(a.id);
COMMENT ON VIEW omni.agent_status IS
    'Real time: one row per agent with presence, load and work in hand (agents see themselves, supervisors their queues'' agents).';
COMMENT ON COLUMN omni.agent_status.agent_id IS 'Agent id.';
COMMENT ON COLUMN omni.agent_status.name IS 'Agent name.';
COMMENT ON COLUMN omni.agent_status.presence IS 'Effective presence now.';
COMMENT ON COLUMN omni.agent_status.base_status IS 'Base status of that presence.';
COMMENT ON COLUMN omni.agent_status.since IS 'When the current presence started.';
COMMENT ON COLUMN omni.agent_status.in_presence_s IS 'Seconds in the current presence (status duration).';
COMMENT ON COLUMN omni.agent_status.logged_in IS 'Logged in now.';
COMMENT ON COLUMN omni.agent_status.capacity_units IS 'Total capacity units of the agent.';
COMMENT ON COLUMN omni.agent_status.used_units IS 'Units held now by work and pending offers.';
COMMENT ON COLUMN omni.agent_status.free_units IS 'capacity_units - used_units; negative when a supervisor over-assigned.';
COMMENT ON COLUMN omni.agent_status.active_items IS 'Conversations active with the agent.';
COMMENT ON COLUMN omni.agent_status.waiting_items IS 'Conversations the agent parked (waiting).';
COMMENT ON COLUMN omni.agent_status.wrap_up_items IS 'Conversations in wrap-up with the agent.';
COMMENT ON COLUMN omni.agent_status.pending_offers IS 'Offers waiting for the agent''s answer.';
COMMENT ON COLUMN omni.agent_status.capacity_used_ratio IS 'used_units / capacity_units (fraction, may exceed 1 on override; NULL when capacity is 0).';
COMMENT ON COLUMN omni.agent_status.over_capacity IS 'Holds work a supervisor assigned over capacity.';
COMMENT ON COLUMN omni.agent_status.queues IS 'Queues the agent belongs to.';
COMMENT ON COLUMN omni.agent_status.last_assigned_at IS 'Last time work was offered or assigned to the agent.';

-- Ongoing conversations ----------------------------------------------------------------

CREATE VIEW omni.ongoing_conversations WITH (security_invoker = true) AS
SELECT c.id AS conversation_id,
       c.workstream,
       c.channel,
       c.queue,
       c.state,
       c.agent_id,
       a.name AS agent_name,
       c.customer,
       c.customer_id,
       c.priority,
       c.bot,
       c.escalated,
       c.transfer_count,
       c.created_at,
       c.queued_at,
       c.accepted_at,
       c.first_response_at,
       c.wrap_up_at,
       CASE WHEN c.state = 'open' THEN extract(epoch FROM omni.now() - c.queued_at)
            WHEN c.accepted_at >= c.queued_at THEN extract(epoch FROM c.accepted_at - c.queued_at)
       END::double precision AS wait_s,
       CASE WHEN c.state IN ('active', 'waiting', 'wrap_up') AND c.accepted_at IS NOT NULL
            THEN extract(epoch FROM omni.now() - c.accepted_at) END::double precision AS handle_s,
       CASE WHEN c.state = 'wrap_up' THEN extract(epoch FROM omni.now() - c.wrap_up_at) END::double precision
           AS wrap_up_s,
       extract(epoch FROM omni.now() - c.created_at)::double precision AS age_s,
       c.sentiment,
       c.sentiment_score,
       o.id AS pending_offer_id,
       o.agent_id AS offered_agent_id
  FROM omni.conversation c
  LEFT JOIN omni.agent a ON a.id = c.agent_id
  LEFT JOIN omni.offer o ON o.conversation_id = c.id AND o.state = 'pending'
 WHERE c.state <> 'closed';
COMMENT ON VIEW omni.ongoing_conversations IS
    'Real time: every conversation not closed, with queue, channel, state, agent, wait and handle time and sentiment (row-level security applies).';
COMMENT ON COLUMN omni.ongoing_conversations.conversation_id IS 'Conversation id.';
COMMENT ON COLUMN omni.ongoing_conversations.workstream IS 'Workstream.';
COMMENT ON COLUMN omni.ongoing_conversations.channel IS 'Channel.';
COMMENT ON COLUMN omni.ongoing_conversations.queue IS 'Current queue (NULL while a bot serves it).';
COMMENT ON COLUMN omni.ongoing_conversations.state IS 'open, active, waiting or wrap_up.';
COMMENT ON COLUMN omni.ongoing_conversations.agent_id IS 'Agent holding it.';
COMMENT ON COLUMN omni.ongoing_conversations.agent_name IS 'Name of that agent.';
COMMENT ON COLUMN omni.ongoing_conversations.customer IS 'Customer address.';
COMMENT ON COLUMN omni.ongoing_conversations.customer_id IS 'Customer id (linked across channels).';
COMMENT ON COLUMN omni.ongoing_conversations.priority IS 'Priority (smaller first).';
COMMENT ON COLUMN omni.ongoing_conversations.bot IS 'Started with a bot.';
COMMENT ON COLUMN omni.ongoing_conversations.escalated IS 'Escalated from a bot.';
COMMENT ON COLUMN omni.ongoing_conversations.transfer_count IS 'Transfers so far.';
COMMENT ON COLUMN omni.ongoing_conversations.created_at IS 'Created.';
COMMENT ON COLUMN omni.ongoing_conversations.queued_at IS 'Entered its current queue.';
COMMENT ON COLUMN omni.ongoing_conversations.accepted_at IS 'Last accepted, picked or assigned.';
COMMENT ON COLUMN omni.ongoing_conversations.first_response_at IS 'First agent message.';
COMMENT ON COLUMN omni.ongoing_conversations.wrap_up_at IS 'Wrap-up started.';
COMMENT ON COLUMN omni.ongoing_conversations.wait_s IS
    'Seconds in the queue: so far when open, else from queue entry to acceptance of the current queue visit (NULL if not known).';
COMMENT ON COLUMN omni.ongoing_conversations.handle_s IS 'Seconds since the agent accepted it (active, waiting, wrap_up).';
COMMENT ON COLUMN omni.ongoing_conversations.wrap_up_s IS 'Seconds in wrap-up so far.';
COMMENT ON COLUMN omni.ongoing_conversations.age_s IS 'Seconds since it was created.';
COMMENT ON COLUMN omni.ongoing_conversations.sentiment IS 'Current sentiment level.';
COMMENT ON COLUMN omni.ongoing_conversations.sentiment_score IS 'Current sentiment score in [-1, 1].';
COMMENT ON COLUMN omni.ongoing_conversations.pending_offer_id IS 'Pending offer, if any.';
COMMENT ON COLUMN omni.ongoing_conversations.offered_agent_id IS 'Agent the pending offer is for.';

CREATE VIEW omni.ongoing_by_state WITH (security_invoker = true) AS
SELECT q.name AS queue,
       coalesce(x.open_count, 0)::integer AS open_count,
       coalesce(x.offered_count, 0)::integer AS offered_count,
       coalesce(x.active_count, 0)::integer AS active_count,
       coalesce(x.waiting_count, 0)::integer AS waiting_count,
       coalesce(x.wrap_up_count, 0)::integer AS wrap_up_count,
       coalesce(x.open_count + x.active_count + x.waiting_count + x.wrap_up_count, 0)::integer AS ongoing_count,
       x.longest_wait_s,
       x.oldest_queued_at,
       coalesce(x.over_service_level_count, 0)::integer AS over_service_level_count
  FROM omni.queue q
  LEFT JOIN LATERAL (
        SELECT count(*) FILTER (WHERE c.state = 'open') AS open_count,
               count(*) FILTER (WHERE c.state = 'open'
                                AND EXISTS (SELECT 1 FROM omni.offer o
                                             WHERE o.conversation_id = c.id AND o.state = 'pending')) AS offered_count,
               count(*) FILTER (WHERE c.state = 'active') AS active_count,
               count(*) FILTER (WHERE c.state = 'waiting') AS waiting_count,
               count(*) FILTER (WHERE c.state = 'wrap_up') AS wrap_up_count,
               max(extract(epoch FROM omni.now() - c.queued_at)) FILTER (WHERE c.state = 'open')::double precision
                   AS longest_wait_s,
               min(c.queued_at) FILTER (WHERE c.state = 'open') AS oldest_queued_at,
               count(*) FILTER (WHERE c.state = 'open' AND omni.now() - c.queued_at > q.service_level_threshold)
                   AS over_service_level_count
          FROM omni.conversation c
         WHERE c.queue = q.name AND c.state <> 'closed') x ON true
 WHERE omni._sees_queue(q.name);
COMMENT ON VIEW omni.ongoing_by_state IS
    'Real time: per queue, conversations open (queued), offered, active, waiting and in wrap-up, and the longest wait.';
COMMENT ON COLUMN omni.ongoing_by_state.queue IS 'Queue.';
COMMENT ON COLUMN omni.ongoing_by_state.open_count IS 'Open (queued, no agent), including those with a pending offer.';
COMMENT ON COLUMN omni.ongoing_by_state.offered_count IS 'Open with a pending offer (assigned, awaiting acceptance).';
COMMENT ON COLUMN omni.ongoing_by_state.active_count IS 'Active with an agent.';
COMMENT ON COLUMN omni.ongoing_by_state.waiting_count IS 'Parked (waiting).';
COMMENT ON COLUMN omni.ongoing_by_state.wrap_up_count IS 'In wrap-up.';
COMMENT ON COLUMN omni.ongoing_by_state.ongoing_count IS 'All not closed.';
COMMENT ON COLUMN omni.ongoing_by_state.longest_wait_s IS 'Seconds the longest-waiting open conversation has been queued (NULL: none waiting).';
COMMENT ON COLUMN omni.ongoing_by_state.oldest_queued_at IS 'Queue entry of the longest-waiting open conversation.';
COMMENT ON COLUMN omni.ongoing_by_state.over_service_level_count IS
    'Open conversations already waiting longer than the queue''s service_level_threshold.';

-- Customers ---------------------------------------------------------------------------

CREATE VIEW omni.customer_summary WITH (security_invoker = true) AS
SELECT c.customer_id,
       cu.name AS customer_name,
       c.id AS conversation_id,
       c.channel,
       c.workstream,
       c.customer AS address,
       c.queue,
       c.state,
       c.agent_id,
       c.last_agent_id,
       c.created_at,
       c.closed_at,
       c.close_reason,
       c.sentiment,
       c.sentiment_score,
       m.customer_messages,
       m.last_message_at,
       count(*) OVER w AS customer_conversations,
       count(*) FILTER (WHERE c.state <> 'closed') OVER w AS customer_open_conversations,
       avg(c.sentiment_score) OVER w AS customer_avg_sentiment_score
  FROM omni.conversation c
  LEFT JOIN omni.customer cu ON cu.id = c.customer_id
  LEFT JOIN LATERAL (SELECT count(*) FILTER (WHERE ms.sender = 'customer')::integer AS customer_messages,
                            max(ms.created_at) AS last_message_at
                       FROM omni.message ms WHERE ms.conversation_id = c.id) m ON true
WINDOW w AS (PARTITION BY c.customer_id);
COMMENT ON VIEW omni.customer_summary IS
    'A customer''s conversations across channels with their sentiment: one row per conversation, with customer-wide totals (filter on customer_id).';
COMMENT ON COLUMN omni.customer_summary.customer_id IS 'Customer (linked across channels).';
COMMENT ON COLUMN omni.customer_summary.customer_name IS 'Customer name, if known.';
COMMENT ON COLUMN omni.customer_summary.conversation_id IS 'Conversation.';
COMMENT ON COLUMN omni.customer_summary.channel IS 'Channel of the conversation.';
COMMENT ON COLUMN omni.customer_summary.workstream IS 'Workstream.';
COMMENT ON COLUMN omni.customer_summary.address IS 'Customer address on that channel.';
COMMENT ON COLUMN omni.customer_summary.queue IS 'Queue (last).';
COMMENT ON COLUMN omni.customer_summary.state IS 'State now.';
COMMENT ON COLUMN omni.customer_summary.agent_id IS 'Agent holding it now (or the last one if closed).';
COMMENT ON COLUMN omni.customer_summary.last_agent_id IS 'Last agent who held it.';
COMMENT ON COLUMN omni.customer_summary.created_at IS 'Created.';
COMMENT ON COLUMN omni.customer_summary.closed_at IS 'Closed (NULL: ongoing).';
COMMENT ON COLUMN omni.customer_summary.close_reason IS 'Why it closed.';
COMMENT ON COLUMN omni.customer_summary.sentiment IS 'Sentiment level (latest six customer messages; final when closed).';
COMMENT ON COLUMN omni.customer_summary.sentiment_score IS 'Sentiment score in [-1, 1].';
COMMENT ON COLUMN omni.customer_summary.customer_messages IS 'Messages the customer wrote in it.';
COMMENT ON COLUMN omni.customer_summary.last_message_at IS 'Last message of any sender.';
COMMENT ON COLUMN omni.customer_summary.customer_conversations IS 'Conversations of this customer visible to the reader.';
COMMENT ON COLUMN omni.customer_summary.customer_open_conversations IS 'Of those, not closed.';
COMMENT ON COLUMN omni.customer_summary.customer_avg_sentiment_score IS 'Mean sentiment score over them.';

-- The agent's own work -------------------------------------------------------------------

CREATE VIEW omni.my_work WITH (security_invoker = true) AS
SELECT x.category, c.id AS conversation_id, c.channel, c.workstream, c.queue, c.state, c.customer, c.priority,
       CASE WHEN c.state = 'open' THEN extract(epoch FROM omni.now() - c.queued_at) END::double precision AS wait_s,
       CASE WHEN x.category = 'ongoing' THEN extract(epoch FROM omni.now() - c.accepted_at) END::double precision
           AS handle_s,
       c.sentiment, c.sentiment_score, x.offer_id, x.offer_expires_at, c.created_at, c.closed_at
  FROM omni.conversation c
  CROSS JOIN LATERAL (
        SELECT 'ongoing'::text AS category, NULL::bigint AS offer_id, NULL::timestamptz AS offer_expires_at
         WHERE c.agent_id = omni.current_agent_id() AND c.state IN ('active', 'waiting', 'wrap_up')
        UNION ALL
        SELECT 'offered', o.id, o.expires_at FROM omni.offer o
         WHERE o.conversation_id = c.id AND o.state = 'pending' AND o.agent_id = omni.current_agent_id()
        UNION ALL
        SELECT 'available', NULL, NULL
         WHERE c.state = 'open'
           AND c.queue IN (SELECT m.queue FROM omni.queue_member m WHERE m.agent_id = omni.current_agent_id())
           AND c.workstream IN (SELECT w.name FROM omni.workstream w WHERE w.mode = 'pick')
           AND NOT EXISTS (SELECT 1 FROM omni.offer o WHERE o.conversation_id = c.id AND o.state = 'pending')
        UNION ALL
        SELECT 'closed_today', NULL, NULL
         WHERE c.state = 'closed' AND c.last_agent_id = omni.current_agent_id()
           AND c.closed_at >= date_trunc('day', omni.now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC') x
 WHERE omni.current_agent_id() IS NOT NULL;
COMMENT ON VIEW omni.my_work IS
    'The querying agent''s own work: ongoing (active, waiting, wrap-up), offered to it, available to pick in its queues, and closed today (UTC).';
COMMENT ON COLUMN omni.my_work.category IS 'ongoing, offered, available (pick mode, may be picked) or closed_today.';
COMMENT ON COLUMN omni.my_work.conversation_id IS 'Conversation.';
COMMENT ON COLUMN omni.my_work.channel IS 'Channel.';
COMMENT ON COLUMN omni.my_work.workstream IS 'Workstream.';
COMMENT ON COLUMN omni.my_work.queue IS 'Queue.';
COMMENT ON COLUMN omni.my_work.state IS 'State.';
COMMENT ON COLUMN omni.my_work.customer IS 'Customer address.';
COMMENT ON COLUMN omni.my_work.priority IS 'Priority (smaller first).';
COMMENT ON COLUMN omni.my_work.wait_s IS 'Seconds queued so far (open only).';
COMMENT ON COLUMN omni.my_work.handle_s IS 'Seconds since acceptance (ongoing only).';
COMMENT ON COLUMN omni.my_work.sentiment IS 'Sentiment level.';
COMMENT ON COLUMN omni.my_work.sentiment_score IS 'Sentiment score in [-1, 1].';
COMMENT ON COLUMN omni.my_work.offer_id IS 'The pending offer to accept or reject (offered only).';
COMMENT ON COLUMN omni.my_work.offer_expires_at IS 'When that offer expires.';
COMMENT ON COLUMN omni.my_work.created_at IS 'Created.';
COMMENT ON COLUMN omni.my_work.closed_at IS 'Closed (closed_today only).';

-- Supervisor work lists ----------------------------------------------------------------

CREATE VIEW omni.unassigned_work WITH (security_invoker = true) AS
SELECT c.id AS conversation_id, c.queue, c.channel, c.workstream, w.mode, c.priority, c.customer, c.escalated,
       c.transfer_count, c.queued_at,
       extract(epoch FROM omni.now() - c.queued_at)::double precision AS wait_s,
       omni.now() - c.queued_at > q.service_level_threshold AS over_service_level,
       (SELECT count(*) FROM omni.offer o WHERE o.conversation_id = c.id
           AND o.state IN ('rejected', 'expired') AND o.created_at >= c.queued_at)::integer AS declines,
       o.id AS pending_offer_id, o.agent_id AS offered_agent_id, c.required_skills, c.sentiment
  FROM omni.conversation c
  JOIN omni.queue q ON q.name = c.queue
  JOIN omni.workstream w ON w.name = c.workstream
  LEFT JOIN omni.offer o ON o.conversation_id = c.id AND o.state = 'pending'
 WHERE c.state = 'open';
COMMENT ON VIEW omni.unassigned_work IS
    'Supervisor: open conversations no agent holds yet, with wait, declines and any pending offer (a supervisor sees its queues).';
COMMENT ON COLUMN omni.unassigned_work.conversation_id IS 'Conversation (give it to omni.assign).';
COMMENT ON COLUMN omni.unassigned_work.queue IS 'Queue.';
COMMENT ON COLUMN omni.unassigned_work.channel IS 'Channel.';
COMMENT ON COLUMN omni.unassigned_work.workstream IS 'Workstream.';
COMMENT ON COLUMN omni.unassigned_work.mode IS 'push or pick.';
COMMENT ON COLUMN omni.unassigned_work.priority IS 'Priority (smaller first).';
COMMENT ON COLUMN omni.unassigned_work.customer IS 'Customer address.';
COMMENT ON COLUMN omni.unassigned_work.escalated IS 'Came from a bot.';
COMMENT ON COLUMN omni.unassigned_work.transfer_count IS 'Transfers so far.';
COMMENT ON COLUMN omni.unassigned_work.queued_at IS 'Queue entry.';
COMMENT ON COLUMN omni.unassigned_work.wait_s IS 'Seconds waiting so far.';
COMMENT ON COLUMN omni.unassigned_work.over_service_level IS 'Waiting longer than the queue''s service_level_threshold.';
COMMENT ON COLUMN omni.unassigned_work.declines IS 'Offers rejected or expired since it entered the queue.';
COMMENT ON COLUMN omni.unassigned_work.pending_offer_id IS 'Pending offer, if any.';
COMMENT ON COLUMN omni.unassigned_work.offered_agent_id IS 'Agent of the pending offer.';
COMMENT ON COLUMN omni.unassigned_work.required_skills IS 'Skills required.';
COMMENT ON COLUMN omni.unassigned_work.sentiment IS 'Sentiment level.';

CREATE VIEW omni.escalations WITH (security_invoker = true) AS
SELECT c.id AS conversation_id, c.queue, c.channel, c.state, c.agent_id,
       (c.escalated) AS bot_escalated,
       (q.sentiment_enabled AND c.sentiment <= q.sentiment_alert_level) AS sentiment_alert,
       c.sentiment, c.sentiment_score, c.transfer_count,
       (SELECT e.at FROM omni.event e WHERE e.conversation_id = c.id AND e.kind = 'escalated'
         ORDER BY e.id DESC LIMIT 1) AS escalated_at,
       CASE WHEN c.state = 'open' THEN extract(epoch FROM omni.now() - c.queued_at) END::double precision AS wait_s
  FROM omni.conversation c
  JOIN omni.queue q ON q.name = c.queue
 WHERE c.state <> 'closed'
   AND (c.escalated OR (q.sentiment_enabled AND c.sentiment <= q.sentiment_alert_level));
COMMENT ON VIEW omni.escalations IS
    'Supervisor: ongoing conversations escalated from a bot or at/below their queue''s sentiment alert level.';
COMMENT ON COLUMN omni.escalations.conversation_id IS 'Conversation.';
COMMENT ON COLUMN omni.escalations.queue IS 'Queue.';
COMMENT ON COLUMN omni.escalations.channel IS 'Channel.';
COMMENT ON COLUMN omni.escalations.state IS 'State.';
COMMENT ON COLUMN omni.escalations.agent_id IS 'Agent holding it.';
COMMENT ON COLUMN omni.escalations.bot_escalated IS 'Escalated from a bot to humans.';
COMMENT ON COLUMN omni.escalations.sentiment_alert IS 'Sentiment at or below the queue''s sentiment_alert_level.';
COMMENT ON COLUMN omni.escalations.sentiment IS 'Sentiment level.';
COMMENT ON COLUMN omni.escalations.sentiment_score IS 'Sentiment score in [-1, 1].';
COMMENT ON COLUMN omni.escalations.transfer_count IS 'Transfers so far.';
COMMENT ON COLUMN omni.escalations.escalated_at IS 'When it was (last) escalated from the bot.';
COMMENT ON COLUMN omni.escalations.wait_s IS 'Seconds waiting so far (open only).';

GRANT SELECT ON omni.agent_status, omni.ongoing_conversations, omni.ongoing_by_state, omni.customer_summary,
    omni.unassigned_work, omni.escalations TO omnichannel_supervisor, omnichannel_admin;
GRANT SELECT ON omni.agent_status, omni.my_work TO omnichannel_agent, omnichannel_supervisor, omnichannel_admin;
REVOKE ALL ON FUNCTION omni._sees_agent(bigint), omni._sees_queue(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION omni._sees_agent(bigint), omni._sees_queue(text)
    TO omnichannel_agent, omnichannel_supervisor, omnichannel_admin, omnichannel_service;

-- ==== sql/src/85_kpi.sql ====
-- 85_kpi.sql — supervisor KPIs (SPEC §6): facts from the event log, rollups
-- kept incrementally, the intraday materialized views, omni.kpi() for any
-- past window and omni.refresh_kpis().
--
-- One definition each.  omni._kpi_facts() turns events into additive facts
-- (measure, value) attributed to a time, a queue, a channel and an agent.
-- The rollups (omni.kpi_rollup, omni.kpi_presence_rollup) are those facts
-- summed per 5-minute bucket, added to as new events arrive; omni.kpi()
-- recomputes the same facts straight from the event log for any window.
-- omni._kpi_queue_rows() / omni._kpi_agent_rows() apply the formulas (the
-- only place a KPI is computed) to sums from either source, so the intraday
-- views and omni.kpi() cannot disagree.  docs/kpi.md states every formula.
--
-- Attribution: a conversation's visit to a queue (an "episode": from a queue
-- entry to the next queue entry or the close) is counted in the bucket of
-- its queue entry, whatever happens later (cohort attribution): abandon and
-- service-level rates stay within [0, 1] at window edges.  Time spent
-- (presence, capacity held) is split across the buckets it covers.
--
-- Why not triggers: KPIs maintained synchronously on the hot tables would
-- serialize writers (pg_ivm #33/#150); the worker calls omni.refresh_kpis()
-- every omnichannel.kpi_refresh_interval instead, which reads only the events
-- added since the last refresh.

-- Buckets and classification helpers ----------------------------------------------

CREATE FUNCTION omni._kpi_bucket(t timestamptz) RETURNS timestamptz
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT date_bin('5 minutes', t, timestamptz '2000-01-01 00:00:00+00')
$$;
COMMENT ON FUNCTION omni._kpi_bucket(timestamptz) IS 'KPI rollup bucket (5 minutes, UTC-aligned) containing a time.';

CREATE FUNCTION omni.kpi_window_start(at timestamptz DEFAULT omni.now()) RETURNS timestamptz
    LANGUAGE sql STABLE AS $$ SELECT omni._kpi_bucket(at) - interval '24 hours' $$;
COMMENT ON FUNCTION omni.kpi_window_start(timestamptz) IS
    'Start of the intraday window at a time: the start of its 5-minute bucket minus 24 hours.';

-- A queue entry: the event puts the conversation (back) into a queue.
CREATE FUNCTION omni._kpi_is_entry(kind text, from_state omni.conversation_state,
                                   to_state omni.conversation_state, detail jsonb) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT to_state = 'open' AND (from_state IS DISTINCT FROM 'open' OR detail ? 'to_queue')
       AND kind NOT LIKE 'offer%'
$$;
COMMENT ON FUNCTION omni._kpi_is_entry(text, omni.conversation_state, omni.conversation_state, jsonb) IS
    'KPI: whether an event is a queue entry (enqueued, escalated, transferred, requeued, overflow transfer ...).';

-- Events that change who holds a conversation or its state (offers and
-- monitoring do not; first_response changes nothing).
CREATE FUNCTION omni._kpi_is_state_event(kind text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT kind NOT LIKE 'offer%' AND kind NOT IN ('monitored', 'first_response', 'customer_linked')
$$;
COMMENT ON FUNCTION omni._kpi_is_state_event(text) IS
    'KPI: whether an event changes a conversation''s state or holder (used to cut time into segments).';

-- Wait-time histogram: 16 bins with these lower bounds (seconds).
CREATE FUNCTION omni._kpi_hist_bounds() RETURNS double precision[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT '{0,1,2,3,5,10,15,20,30,45,60,90,120,300,600,1800}'::double precision[]
$$;
COMMENT ON FUNCTION omni._kpi_hist_bounds() IS 'Lower bounds (s) of the 16 wait-time histogram bins; the last is open.';

CREATE FUNCTION omni._kpi_hist_bin(s double precision) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT 'wait_h' || lpad(greatest(1, width_bucket(s, omni._kpi_hist_bounds()))::text, 2, '0')
$$;
COMMENT ON FUNCTION omni._kpi_hist_bin(double precision) IS 'Name of the histogram column a wait time falls in.';

-- p-th percentile (0..1) from bin counts: linear interpolation inside the
-- bin that holds rank p*N; the open last bin answers its lower bound.
CREATE FUNCTION omni._kpi_percentile(counts double precision[], p double precision) RETURNS double precision
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    WITH b AS (
        SELECT i, c, sum(c) OVER (ORDER BY i) AS cum, (omni._kpi_hist_bounds())[i] AS lo,
               (omni._kpi_hist_bounds())[i + 1] AS hi
          FROM unnest(counts) WITH ORDINALITY u(c, i)),
    n AS (SELECT sum(c) AS total FROM b)
    SELECT CASE WHEN b.hi IS NULL THEN b.lo
                ELSE b.lo + (n.total * p - (b.cum - b.c)) / b.c * (b.hi - b.lo) END
      FROM b, n
     WHERE n.total > 0 AND b.c > 0 AND b.cum >= n.total * p
     ORDER BY b.i LIMIT 1
$$;
COMMENT ON FUNCTION omni._kpi_percentile(double precision[], double precision) IS
    'Percentile estimated from wait-time histogram counts (linear inside a bin); NULL when empty.';

-- Split [a, b) into the buckets it covers: (start of the piece, seconds).
CREATE FUNCTION omni._kpi_split(a timestamptz, b timestamptz, OUT piece_at timestamptz, OUT seconds double precision)
    RETURNS SETOF record
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT greatest(a, g), extract(epoch FROM least(b, g + interval '5 minutes') - greatest(a, g))::double precision
      FROM generate_series(omni._kpi_bucket(a), b, interval '5 minutes') g
     WHERE b > a AND least(b, g + interval '5 minutes') > greatest(a, g)
$$;
COMMENT ON FUNCTION omni._kpi_split(timestamptz, timestamptz) IS 'Cuts an interval at 5-minute bucket boundaries.';

-- Lookups the facts need, kept cheap: presence events per agent.
CREATE INDEX kpi_event_presence_idx ON omni.event (agent_id, id) WHERE kind = 'presence';

-- Rollups --------------------------------------------------------------------------

CREATE TABLE omni.kpi_rollup (
    bucket                 timestamptz NOT NULL,
    queue                  text NOT NULL,
    channel                text NOT NULL,
    agent_id               bigint NOT NULL,
    incoming               double precision NOT NULL DEFAULT 0,
    incoming_escalated     double precision NOT NULL DEFAULT 0,
    incoming_transferred   double precision NOT NULL DEFAULT 0,
    incoming_requeued      double precision NOT NULL DEFAULT 0,
    handled                double precision NOT NULL DEFAULT 0,
    handled_within_sl      double precision NOT NULL DEFAULT 0,
    answer_s               double precision NOT NULL DEFAULT 0,
    wait_h01 double precision NOT NULL DEFAULT 0, wait_h02 double precision NOT NULL DEFAULT 0,
    wait_h03 double precision NOT NULL DEFAULT 0, wait_h04 double precision NOT NULL DEFAULT 0,
    wait_h05 double precision NOT NULL DEFAULT 0, wait_h06 double precision NOT NULL DEFAULT 0,
    wait_h07 double precision NOT NULL DEFAULT 0, wait_h08 double precision NOT NULL DEFAULT 0,
    wait_h09 double precision NOT NULL DEFAULT 0, wait_h10 double precision NOT NULL DEFAULT 0,
    wait_h11 double precision NOT NULL DEFAULT 0, wait_h12 double precision NOT NULL DEFAULT 0,
    wait_h13 double precision NOT NULL DEFAULT 0, wait_h14 double precision NOT NULL DEFAULT 0,
    wait_h15 double precision NOT NULL DEFAULT 0, wait_h16 double precision NOT NULL DEFAULT 0,
    abandoned              double precision NOT NULL DEFAULT 0,
    abandoned_within_sl    double precision NOT NULL DEFAULT 0,
    abandoned_after_offer  double precision NOT NULL DEFAULT 0,
    abandon_s              double precision NOT NULL DEFAULT 0,
    short_abandoned        double precision NOT NULL DEFAULT 0,
    unanswered_other       double precision NOT NULL DEFAULT 0,
    handled_transferred    double precision NOT NULL DEFAULT 0,
    handle_n               double precision NOT NULL DEFAULT 0,
    handle_s               double precision NOT NULL DEFAULT 0,
    wrap_n                 double precision NOT NULL DEFAULT 0,
    wrap_s                 double precision NOT NULL DEFAULT 0,
    session_n              double precision NOT NULL DEFAULT 0,
    session_handle_s       double precision NOT NULL DEFAULT 0,
    session_wrap_n         double precision NOT NULL DEFAULT 0,
    session_wrap_s         double precision NOT NULL DEFAULT 0,
    first_response_n       double precision NOT NULL DEFAULT 0,
    first_response_s       double precision NOT NULL DEFAULT 0,
    offers                 double precision NOT NULL DEFAULT 0,
    offers_accepted        double precision NOT NULL DEFAULT 0,
    offers_rejected        double precision NOT NULL DEFAULT 0,
    offers_expired         double precision NOT NULL DEFAULT 0,
    offers_rescinded       double precision NOT NULL DEFAULT 0,
    sentiment_n            double precision NOT NULL DEFAULT 0,
    sentiment_score_s      double precision NOT NULL DEFAULT 0,
    s_very_negative        double precision NOT NULL DEFAULT 0,
    s_negative             double precision NOT NULL DEFAULT 0,
    s_slightly_negative    double precision NOT NULL DEFAULT 0,
    s_neutral              double precision NOT NULL DEFAULT 0,
    s_slightly_positive    double precision NOT NULL DEFAULT 0,
    s_positive             double precision NOT NULL DEFAULT 0,
    s_very_positive        double precision NOT NULL DEFAULT 0,
    held_unit_s            double precision NOT NULL DEFAULT 0,
    work_s                 double precision NOT NULL DEFAULT 0,
    PRIMARY KEY (bucket, queue, channel, agent_id)
);
COMMENT ON TABLE omni.kpi_rollup IS
    'KPI facts summed per 5-minute bucket, queue, channel and agent; maintained by omni.refresh_kpis() from new events only. Sums and counts (additive); formulas in docs/kpi.md.';
DO $c$
DECLARE
    d constant jsonb := jsonb_build_object(
        'bucket', 'Start of the 5-minute bucket the facts are attributed to (queue entry for queue visits; the time itself for durations).',
        'queue', 'Queue (empty string: none).',
        'channel', 'Channel (empty string: none).',
        'agent_id', 'Agent (0: not agent-specific).',
        'incoming', 'Queue entries.',
        'incoming_escalated', 'Queue entries by bot escalation.',
        'incoming_transferred', 'Queue entries by transfer or overflow from another queue or agent.',
        'incoming_requeued', 'Queue entries of parked conversations the customer replied to.',
        'handled', 'Queue visits accepted by an agent (accept, pick or supervisor assign).',
        'handled_within_sl', 'Of those, accepted within the queue''s service_level_threshold.',
        'answer_s', 'Sum of seconds from queue entry to acceptance over handled.',
        'abandoned', 'Customer left while queued, after the short-abandon threshold.',
        'abandoned_within_sl', 'Of those, left within the service_level_threshold.',
        'abandoned_after_offer', 'Of those, left after an offer had been made.',
        'abandon_s', 'Sum of seconds from queue entry to abandon over abandoned.',
        'short_abandoned', 'Customer left before the queue''s short_abandon_threshold (not counted as abandoned).',
        'unanswered_other', 'Queue visits ended otherwise before acceptance (transferred on, force-, auto- or overflow-closed).',
        'handled_transferred', 'Handled queue visits transferred at least once (to an agent or a queue).',
        'handle_n', 'Handled queue visits whose handling ended (closed or transferred away).',
        'handle_s', 'Sum of active plus wrap-up seconds over handle_n.',
        'wrap_n', 'Of handle_n, visits that had a wrap-up.',
        'wrap_s', 'Sum of wrap-up seconds over wrap_n.',
        'session_n', 'Agent sessions (an agent holding a queue visit) whose handling ended.',
        'session_handle_s', 'Sum of the agent''s active plus wrap-up seconds over session_n.',
        'session_wrap_n', 'Of session_n, sessions with a wrap-up.',
        'session_wrap_s', 'Sum of the agent''s wrap-up seconds.',
        'first_response_n', 'First agent responses.',
        'first_response_s', 'Sum of seconds from the conversation''s first queue entry to the first agent message.',
        'offers', 'Offers made (attributed to the offer''s creation).',
        'offers_accepted', 'Offers accepted.',
        'offers_rejected', 'Offers rejected.',
        'offers_expired', 'Offers that timed out.',
        'offers_rescinded', 'Offers withdrawn by the system or a supervisor.',
        'sentiment_n', 'Closed conversations counted for sentiment (their last queue visit).',
        'sentiment_score_s', 'Sum of their final sentiment scores.',
        'held_unit_s', 'Capacity unit-seconds held by work (active, wrap-up when it holds capacity).',
        'work_s', 'Seconds of work held (active or wrap-up) by the agent.');
    col text;
BEGIN
    FOR col IN SELECT attname FROM pg_attribute WHERE attrelid = 'omni.kpi_rollup'::regclass AND attnum > 0 LOOP
        EXECUTE format('COMMENT ON COLUMN omni.kpi_rollup.%I IS %L', col,
            coalesce(d ->> col,
                     CASE WHEN col LIKE 'wait_h%' THEN format('Handled visits whose wait fell in histogram bin %s (see docs/kpi.md).', substr(col, 7))
                          WHEN col LIKE 's\_%' THEN format('Closed conversations whose final sentiment was %s.', substr(col, 3)) END));
    END LOOP;
END
$c$;

CREATE TABLE omni.kpi_presence_rollup (
    bucket    timestamptz NOT NULL,
    agent_id  bigint NOT NULL,
    presence  text NOT NULL,
    seconds   double precision NOT NULL DEFAULT 0,
    PRIMARY KEY (bucket, agent_id, presence)
);
COMMENT ON TABLE omni.kpi_presence_rollup IS 'Seconds each agent spent in each presence, per 5-minute bucket (closed intervals).';
COMMENT ON COLUMN omni.kpi_presence_rollup.bucket IS 'Start of the 5-minute bucket.';
COMMENT ON COLUMN omni.kpi_presence_rollup.agent_id IS 'Agent.';
COMMENT ON COLUMN omni.kpi_presence_rollup.presence IS 'Presence name.';
COMMENT ON COLUMN omni.kpi_presence_rollup.seconds IS 'Seconds in that presence within the bucket.';

CREATE TABLE omni.kpi_state (
    singleton         boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    last_id           bigint NOT NULL DEFAULT 0,
    done_above        bigint[] NOT NULL DEFAULT '{}',
    gaps              bigint[] NOT NULL DEFAULT '{}',
    gap_horizons      xid8[] NOT NULL DEFAULT '{}',
    refreshed_at      timestamptz,
    events_processed  bigint NOT NULL DEFAULT 0,
    last_events       integer NOT NULL DEFAULT 0,
    last_duration_ms  double precision
);
INSERT INTO omni.kpi_state DEFAULT VALUES;
COMMENT ON TABLE omni.kpi_state IS
    'Where omni.refresh_kpis() is in the event log: events up to last_id (and done_above) are in the rollups; gaps are ids of transactions that had not committed.';
COMMENT ON COLUMN omni.kpi_state.singleton IS 'Always true: one row.';
COMMENT ON COLUMN omni.kpi_state.last_id IS 'Every event id up to this one is counted (or was rolled back).';
COMMENT ON COLUMN omni.kpi_state.done_above IS 'Event ids above last_id already counted (they committed before an older gap).';
COMMENT ON COLUMN omni.kpi_state.gaps IS 'Event ids above last_id not visible at the last refresh (in-flight or rolled back).';
COMMENT ON COLUMN omni.kpi_state.gap_horizons IS 'Per gap: once every transaction older than this has ended, an invisible gap was rolled back.';
COMMENT ON COLUMN omni.kpi_state.refreshed_at IS 'omni.now() of the last refresh.';
COMMENT ON COLUMN omni.kpi_state.events_processed IS 'Events counted since the extension was created.';
COMMENT ON COLUMN omni.kpi_state.last_events IS 'Events counted by the last refresh.';
COMMENT ON COLUMN omni.kpi_state.last_duration_ms IS 'Wall-clock duration of the last refresh (ms).';

-- Measure columns of omni.kpi_rollup, in order.
CREATE FUNCTION omni._kpi_measures() RETURNS text[]
    LANGUAGE sql STABLE AS $$
    SELECT array_agg(attname::text ORDER BY attnum) FROM pg_attribute
     WHERE attrelid = 'omni.kpi_rollup'::regclass AND attnum > 4 AND NOT attisdropped
$$;

-- Facts ------------------------------------------------------------------------------

-- The additive facts of events: those listed in ids (when not NULL) or else
-- every event in [t_from, t_to); facts attributed outside [t_from, t_to)
-- are dropped and durations are clipped to it.  Each fact is (attribution
-- time, queue, channel, agent, measure, value); measures are the columns of
-- omni.kpi_rollup.
CREATE FUNCTION omni._kpi_facts(ids bigint[], t_from timestamptz, t_to timestamptz)
    RETURNS TABLE (fact_at timestamptz, queue text, channel text, agent_id bigint, measure text, value double precision)
    LANGUAGE sql STABLE AS $$
WITH ev AS MATERIALIZED (
    SELECT e.* FROM omni.event e
     WHERE ids IS NOT NULL AND e.id = ANY (ids)
    UNION ALL
    SELECT e.* FROM omni.event e
     WHERE ids IS NULL AND e.at >= t_from AND e.at < t_to
),
cv AS MATERIALIZED (
    SELECT e.id, e.at, e.kind, e.conversation_id, e.agent_id, e.offer_id, e.queue, e.channel, e.from_state,
           e.to_state, e.detail,
           omni._kpi_is_entry(e.kind, e.from_state, e.to_state, e.detail) AS is_entry,
           en.id AS en_id, en.at AS en_at, en.queue AS en_queue, en.channel AS en_channel,
           ps.at AS ps_at, ps.to_state AS ps_state, ps.agent_id AS ps_agent, ps.queue AS ps_queue
      FROM ev e
      LEFT JOIN LATERAL (
            SELECT p.id, p.at, p.queue, p.channel FROM omni.event p
             WHERE p.conversation_id = e.conversation_id AND p.id < e.id
               AND omni._kpi_is_entry(p.kind, p.from_state, p.to_state, p.detail)
             ORDER BY p.id DESC LIMIT 1) en ON true
      LEFT JOIN LATERAL (
            SELECT p.at, p.to_state, p.agent_id, p.queue FROM omni.event p
             WHERE p.conversation_id = e.conversation_id AND p.id < e.id AND omni._kpi_is_state_event(p.kind)
             ORDER BY p.id DESC LIMIT 1) ps ON omni._kpi_is_state_event(e.kind)
     WHERE e.conversation_id IS NOT NULL
),
facts AS (
    -- Queue entries.
    SELECT cv.at, cv.queue, cv.channel, 0::bigint AS agent, m.measure, 1::double precision AS value
      FROM cv CROSS JOIN LATERAL (VALUES ('incoming'),
            (CASE WHEN cv.kind = 'escalated' THEN 'incoming_escalated'
                  WHEN cv.kind = 'requeued' THEN 'incoming_requeued'
                  WHEN cv.kind <> 'enqueued' THEN 'incoming_transferred' END)) m(measure)
     WHERE cv.is_entry AND m.measure IS NOT NULL
    UNION ALL
    -- Acceptance (accept, pick, supervisor assign): handled, speed to answer.
    SELECT cv.en_at, cv.en_queue, cv.en_channel, cv.agent_id, m.measure, m.value
      FROM cv JOIN omni.queue q ON q.name = cv.en_queue
     CROSS JOIN LATERAL (SELECT extract(epoch FROM cv.at - cv.en_at)::double precision AS w) w
     CROSS JOIN LATERAL (VALUES ('handled', 1), ('answer_s', w.w),
            ('handled_within_sl', (w.w <= extract(epoch FROM q.service_level_threshold))::integer),
            (omni._kpi_hist_bin(w.w), 1)) m(measure, value)
     WHERE cv.kind IN ('accepted', 'picked', 'assigned') AND cv.en_id IS NOT NULL
    UNION ALL
    -- The customer left while queued.
    SELECT cv.en_at, cv.en_queue, cv.en_channel, 0, m.measure, m.value
      FROM cv JOIN omni.queue q ON q.name = cv.en_queue
     CROSS JOIN LATERAL (SELECT extract(epoch FROM cv.at - cv.en_at)::double precision AS w,
                                cv.at - cv.en_at < q.short_abandon_threshold AS short) w
     CROSS JOIN LATERAL (VALUES
            (CASE WHEN w.short THEN 'short_abandoned' ELSE 'abandoned' END, 1),
            (CASE WHEN NOT w.short THEN 'abandon_s' END, w.w),
            (CASE WHEN NOT w.short THEN 'abandoned_within_sl' END,
             (w.w <= extract(epoch FROM q.service_level_threshold))::integer),
            (CASE WHEN NOT w.short THEN 'abandoned_after_offer' END,
             coalesce((cv.detail ->> 'offered')::boolean, false)::integer)) m(measure, value)
     WHERE cv.kind = 'abandoned' AND cv.from_state = 'open' AND cv.en_id IS NOT NULL AND m.measure IS NOT NULL
    UNION ALL
    -- A queue visit ended otherwise before acceptance.
    SELECT cv.en_at, cv.en_queue, cv.en_channel, 0, 'unanswered_other', 1
      FROM cv
     WHERE cv.from_state = 'open' AND cv.en_id IS NOT NULL
       AND ((cv.to_state = 'closed' AND cv.kind <> 'abandoned') OR cv.is_entry)
    UNION ALL
    -- First transfer of a handled queue visit (to an agent, or to a queue).
    SELECT cv.en_at, cv.en_queue, cv.en_channel, coalesce(cv.ps_agent, 0), 'handled_transferred', 1
      FROM cv
     WHERE cv.en_id IS NOT NULL
       AND (cv.kind = 'transferred_to_agent'
            OR (cv.is_entry AND cv.from_state IN ('active', 'waiting', 'wrap_up')
                AND cv.kind NOT IN ('requeued', 'escalated')))
       AND NOT EXISTS (SELECT 1 FROM omni.event p
                        WHERE p.conversation_id = cv.conversation_id AND p.id > cv.en_id AND p.id < cv.id
                          AND p.kind = 'transferred_to_agent')
    UNION ALL
    -- End of a queue visit: handle and wrap-up time, per visit and per agent.
    SELECT cv.en_at, cv.en_queue, cv.en_channel, x.agent, m.measure, m.value
      FROM cv
     CROSS JOIN LATERAL (
            SELECT s.agent_id AS agent,
                   sum(extract(epoch FROM s.next_at - s.at)) FILTER (WHERE s.to_state = 'active') AS active_s,
                   sum(extract(epoch FROM s.next_at - s.at)) FILTER (WHERE s.to_state = 'wrap_up') AS wrap_s
              FROM (SELECT p.at, p.to_state, p.agent_id, lead(p.at) OVER (ORDER BY p.id) AS next_at
                      FROM omni.event p
                     WHERE p.conversation_id = cv.conversation_id AND p.id >= cv.en_id AND p.id <= cv.id
                       AND omni._kpi_is_state_event(p.kind)) s
             WHERE s.to_state IN ('active', 'wrap_up') AND s.agent_id IS NOT NULL AND s.next_at IS NOT NULL
             GROUP BY ROLLUP (s.agent_id) HAVING count(*) > 0) x
     CROSS JOIN LATERAL (VALUES
            (CASE WHEN x.agent IS NULL THEN 'handle_n' ELSE 'session_n' END, 1::double precision),
            (CASE WHEN x.agent IS NULL THEN 'handle_s' ELSE 'session_handle_s' END,
             coalesce(x.active_s, 0) + coalesce(x.wrap_s, 0)),
            (CASE WHEN x.agent IS NULL THEN 'wrap_n' ELSE 'session_wrap_n' END, (x.wrap_s IS NOT NULL)::integer),
            (CASE WHEN x.agent IS NULL THEN 'wrap_s' ELSE 'session_wrap_s' END, coalesce(x.wrap_s, 0))) m(measure, value)
     WHERE cv.en_id IS NOT NULL AND (cv.is_entry OR cv.to_state = 'closed')
    UNION ALL
    -- First agent response, from the conversation's first queue entry.
    SELECT cv.en_at, cv.en_queue, cv.en_channel, cv.agent_id, m.measure, m.value
      FROM cv
     CROSS JOIN LATERAL (
            SELECT p.at FROM omni.event p
             WHERE p.conversation_id = cv.conversation_id AND p.id < cv.id
               AND omni._kpi_is_entry(p.kind, p.from_state, p.to_state, p.detail)
             ORDER BY p.id LIMIT 1) fe
     CROSS JOIN LATERAL (VALUES ('first_response_n', 1::double precision),
                                ('first_response_s', extract(epoch FROM cv.at - fe.at)::double precision)) m(measure, value)
     WHERE cv.kind = 'first_response' AND cv.en_id IS NOT NULL
    UNION ALL
    -- Offers and their outcomes, attributed to the offer's creation.
    SELECT o.created_at, o.queue, cv.channel, o.agent_id,
           CASE cv.kind WHEN 'offered' THEN 'offers' WHEN 'accepted' THEN 'offers_accepted'
                        WHEN 'offer_rejected' THEN 'offers_rejected' WHEN 'offer_expired' THEN 'offers_expired'
                        ELSE 'offers_rescinded' END, 1
      FROM cv JOIN omni.offer o ON o.id = cv.offer_id
     WHERE cv.kind IN ('offered', 'accepted', 'offer_rejected', 'offer_expired', 'offer_rescinded')
    UNION ALL
    -- Final sentiment of a closed conversation, on its last queue visit.
    SELECT cv.en_at, cv.en_queue, cv.en_channel, coalesce(cv.ps_agent, 0), m.measure, m.value
      FROM cv JOIN omni.conversation c ON c.id = cv.conversation_id
     CROSS JOIN LATERAL (VALUES ('sentiment_n', 1::double precision),
                                ('sentiment_score_s', c.sentiment_score::double precision),
                                ('s_' || c.sentiment::text, 1)) m(measure, value)
     WHERE cv.to_state = 'closed' AND cv.en_id IS NOT NULL
    UNION ALL
    -- Work held by an agent, split into buckets (utilization).
    SELECT sp.piece_at, cv.ps_queue, cv.channel, cv.ps_agent, m.measure, m.value
      FROM cv
      JOIN omni.conversation c ON c.id = cv.conversation_id
      JOIN omni.workstream w ON w.name = c.workstream
     CROSS JOIN LATERAL omni._kpi_split(greatest(cv.ps_at, t_from), least(cv.at, t_to)) sp
     CROSS JOIN LATERAL (VALUES ('work_s', sp.seconds),
            ('held_unit_s', CASE WHEN cv.ps_state = 'active' OR w.wrap_up_holds_capacity
                                 THEN sp.seconds * w.capacity_units ELSE 0 END)) m(measure, value)
     WHERE cv.ps_state IN ('active', 'wrap_up') AND cv.ps_agent IS NOT NULL
)
SELECT f.at, coalesce(f.queue, ''), coalesce(f.channel, ''), coalesce(f.agent, 0), f.measure, f.value
  FROM facts f(at, queue, channel, agent, measure, value)
 WHERE f.at >= t_from AND f.at < t_to
$$;
COMMENT ON FUNCTION omni._kpi_facts(bigint[], timestamptz, timestamptz) IS
    'KPI facts of events (ids, or all events in the window): the single definition of every counted quantity.';

-- Presence time: the interval a presence event closes, split into buckets.
CREATE FUNCTION omni._kpi_presence_facts(ids bigint[], t_from timestamptz, t_to timestamptz)
    RETURNS TABLE (fact_at timestamptz, agent_id bigint, presence text, seconds double precision)
    LANGUAGE sql STABLE AS $$
    SELECT sp.piece_at, e.agent_id, e.detail ->> 'from', sp.seconds
      FROM omni.event e
     CROSS JOIN LATERAL (SELECT p.at FROM omni.event p
                          WHERE p.agent_id = e.agent_id AND p.kind = 'presence' AND p.id < e.id
                          ORDER BY p.id DESC LIMIT 1) prev
     CROSS JOIN LATERAL omni._kpi_split(greatest(prev.at, t_from), least(e.at, t_to)) sp
     WHERE e.kind = 'presence'
       AND ((ids IS NOT NULL AND e.id = ANY (ids)) OR (ids IS NULL AND e.at >= t_from AND e.at < t_to))
$$;
COMMENT ON FUNCTION omni._kpi_presence_facts(bigint[], timestamptz, timestamptz) IS
    'Seconds in each presence closed by presence events, split into buckets and clipped to the window.';

-- What is still running at t_to (inclusive: counts events at exactly t_to as
-- done, as the rollups do): the presence each agent is in, and the work
-- each agent holds, clipped to [t_from, t_to).
CREATE FUNCTION omni._kpi_open_presence(t_from timestamptz, t_to timestamptz, inclusive boolean)
    RETURNS TABLE (agent_id bigint, presence text, seconds double precision)
    LANGUAGE sql STABLE AS $$
    SELECT a.id, p.detail ->> 'to', extract(epoch FROM t_to - greatest(p.at, t_from))::double precision
      FROM omni.agent a
     CROSS JOIN LATERAL (SELECT e.at, e.detail FROM omni.event e
                          WHERE e.agent_id = a.id AND e.kind = 'presence'
                            AND (e.at < t_to OR (inclusive AND e.at = t_to))
                          ORDER BY e.id DESC LIMIT 1) p
     WHERE t_to > greatest(p.at, t_from)
$$;
COMMENT ON FUNCTION omni._kpi_open_presence(timestamptz, timestamptz, boolean) IS
    'Seconds of each agent''s presence interval still open at the end of the window.';

CREATE FUNCTION omni._kpi_open_work(t_from timestamptz, t_to timestamptz, inclusive boolean)
    RETURNS TABLE (fact_at timestamptz, queue text, channel text, agent_id bigint, measure text, value double precision)
    LANGUAGE sql STABLE AS $$
    WITH cand AS (
        SELECT c.id FROM omni.conversation c WHERE c.state <> 'closed'
        UNION
        SELECT e.conversation_id FROM omni.event e
         WHERE e.at >= t_to AND e.conversation_id IS NOT NULL AND NOT inclusive
        UNION
        SELECT e.conversation_id FROM omni.event e
         WHERE e.at > t_to AND e.conversation_id IS NOT NULL AND inclusive
    )
    SELECT sp.piece_at, coalesce(p.queue, ''), coalesce(p.channel, ''), p.agent_id, m.measure, m.value
      FROM cand
      JOIN omni.conversation c ON c.id = cand.id
      JOIN omni.workstream w ON w.name = c.workstream
     CROSS JOIN LATERAL (SELECT e.at, e.to_state, e.agent_id, e.queue, e.channel FROM omni.event e
                          WHERE e.conversation_id = cand.id AND omni._kpi_is_state_event(e.kind)
                            AND (e.at < t_to OR (inclusive AND e.at = t_to))
                          ORDER BY e.id DESC LIMIT 1) p
     CROSS JOIN LATERAL omni._kpi_split(greatest(p.at, t_from), t_to) sp
     CROSS JOIN LATERAL (VALUES ('work_s', sp.seconds),
            ('held_unit_s', CASE WHEN p.to_state = 'active' OR w.wrap_up_holds_capacity
                                 THEN sp.seconds * w.capacity_units ELSE 0 END)) m(measure, value)
     WHERE p.to_state IN ('active', 'wrap_up') AND p.agent_id IS NOT NULL
$$;
COMMENT ON FUNCTION omni._kpi_open_work(timestamptz, timestamptz, boolean) IS
    'Work still held at the end of the window, split into buckets (capacity used so far).';

-- Queue visits that entered in [t_from, t_to) and are still waiting at t_to,
-- and how many of them longer than the queue's service-level threshold.
-- live: read the conversations as they are now (t_to is now); else replay
-- the event log.
CREATE FUNCTION omni._kpi_waiting(t_from timestamptz, t_to timestamptz, live boolean)
    RETURNS TABLE (queue text, channel text, waiting double precision, waiting_over_sl double precision)
    LANGUAGE sql STABLE AS $$
    SELECT x.queue, x.channel, count(*)::double precision,
           count(*) FILTER (WHERE t_to - x.entered > q.service_level_threshold)::double precision
      FROM (SELECT c.queue, c.channel, c.queued_at AS entered
              FROM omni.conversation c
             WHERE live AND c.state = 'open' AND c.queued_at >= t_from AND c.queued_at <= t_to
            UNION ALL
            SELECT e.queue, e.channel, e.at
              FROM omni.event e
             WHERE NOT live AND e.at >= t_from AND e.at < t_to
               AND omni._kpi_is_entry(e.kind, e.from_state, e.to_state, e.detail)
               AND NOT EXISTS (
                    SELECT 1 FROM omni.event n
                     WHERE n.conversation_id = e.conversation_id AND n.id > e.id AND n.at < t_to
                       AND (n.kind IN ('accepted', 'picked', 'assigned') OR n.to_state = 'closed'
                            OR omni._kpi_is_entry(n.kind, n.from_state, n.to_state, n.detail)))) x
      JOIN omni.queue q ON q.name = x.queue
     GROUP BY x.queue, x.channel
$$;
COMMENT ON FUNCTION omni._kpi_waiting(timestamptz, timestamptz, boolean) IS
    'Queue visits of the window still waiting at its end, and those waiting longer than the service-level threshold.';

-- Sums over a window, per queue, channel and agent: from the rollups plus
-- what is still running (from_rollup), or recomputed from the event log.
CREATE FUNCTION omni._kpi_sums(t_from timestamptz, t_to timestamptz, from_rollup boolean)
    RETURNS SETOF omni.kpi_rollup
    LANGUAGE plpgsql STABLE AS $$
DECLARE
    ms text[] := omni._kpi_measures();
    pivot text;
    total text;
BEGIN
    SELECT string_agg(format('coalesce(sum(value) FILTER (WHERE measure = %L), 0) AS %I', m, m), ', '),
           string_agg(format('sum(%I) AS %I', m, m), ', ')
      INTO pivot, total FROM unnest(ms) m;
    RETURN QUERY EXECUTE format($q$
        SELECT $1, queue, channel, agent_id, %1$s FROM (
            SELECT queue, channel, agent_id, %2$s FROM omni.kpi_rollup
             WHERE $3 AND bucket >= $1 AND bucket <= $2
             GROUP BY queue, channel, agent_id
            UNION ALL
            SELECT queue, channel, agent_id, %3$s FROM (
                SELECT * FROM omni._kpi_open_work($1, $2, $3)
                UNION ALL
                SELECT * FROM omni._kpi_facts(NULL, $1, $2) WHERE NOT $3) f
             GROUP BY queue, channel, agent_id) s
         GROUP BY queue, channel, agent_id$q$, total, total, pivot)
    USING t_from, t_to, from_rollup;
END $$;
COMMENT ON FUNCTION omni._kpi_sums(timestamptz, timestamptz, boolean) IS
    'KPI sums over a window per queue, channel and agent, from the rollups or straight from the event log.';

CREATE FUNCTION omni._kpi_presence_sums(t_from timestamptz, t_to timestamptz, from_rollup boolean)
    RETURNS TABLE (agent_id bigint, presence text, seconds double precision)
    LANGUAGE sql STABLE AS $$
    SELECT x.agent_id, x.presence, sum(x.seconds)
      FROM (SELECT r.agent_id, r.presence, r.seconds FROM omni.kpi_presence_rollup r
             WHERE from_rollup AND r.bucket >= t_from AND r.bucket <= t_to
            UNION ALL
            SELECT f.agent_id, f.presence, f.seconds FROM omni._kpi_presence_facts(NULL, t_from, t_to) f
             WHERE NOT from_rollup
            UNION ALL
            SELECT * FROM omni._kpi_open_presence(t_from, t_to, from_rollup)) x
     GROUP BY x.agent_id, x.presence
$$;
COMMENT ON FUNCTION omni._kpi_presence_sums(timestamptz, timestamptz, boolean) IS
    'Seconds per agent and presence over a window, from the rollups or from the event log.';

-- Formulas ----------------------------------------------------------------------------

CREATE FUNCTION omni._ratio(n double precision, d double precision) RETURNS double precision
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT CASE WHEN d > 0 THEN n / d END $$;
COMMENT ON FUNCTION omni._ratio(double precision, double precision) IS 'n / d, NULL when the denominator is empty.';

CREATE FUNCTION omni._kpi_queue_rows(t_from timestamptz, t_to timestamptz, from_rollup boolean)
    RETURNS TABLE (
        window_start timestamptz, window_end timestamptz, queue text, channel text,
        incoming bigint, incoming_escalated bigint, incoming_transferred bigint, incoming_requeued bigint,
        handled bigint, handled_within_sl bigint, abandoned bigint, abandoned_within_sl bigint,
        abandoned_after_offer bigint, abandoned_before_offer bigint, short_abandoned bigint,
        unanswered_other bigint, waiting_now bigint, waiting_over_sl bigint,
        abandon_rate double precision, avg_speed_to_answer_s double precision,
        p50_wait_s double precision, p90_wait_s double precision,
        service_level_threshold_s double precision, service_level double precision, service_level_2 double precision,
        avg_time_to_abandon_s double precision,
        avg_handle_time_s double precision, avg_wrap_up_time_s double precision,
        handled_transferred bigint, transfer_rate double precision,
        escalation_rate double precision, avg_first_response_s double precision,
        offers bigint, offers_accepted bigint, offers_rejected bigint, offers_expired bigint,
        reject_rate double precision, timeout_rate double precision,
        sentiment_count bigint, avg_sentiment_score double precision,
        sentiment_very_negative bigint, sentiment_negative bigint, sentiment_slightly_negative bigint,
        sentiment_neutral bigint, sentiment_slightly_positive bigint, sentiment_positive bigint,
        sentiment_very_positive bigint,
        online_agents bigint, conversations_per_online_agent double precision, fairness_cv double precision)
    LANGUAGE sql STABLE AS $$
WITH s AS MATERIALIZED (SELECT * FROM omni._kpi_sums(t_from, t_to, from_rollup)),
pres AS MATERIALIZED (SELECT * FROM omni._kpi_presence_sums(t_from, t_to, from_rollup)),
online AS (
    SELECT p.agent_id FROM pres p JOIN omni.presence pr ON pr.name = p.presence
     WHERE pr.base_status <> 'offline' GROUP BY p.agent_id HAVING sum(p.seconds) > 0),
w AS (SELECT * FROM omni._kpi_waiting(t_from, t_to, from_rollup)),
g AS (
    SELECT s.queue, s.channel,
           sum(s.incoming) AS incoming, sum(s.incoming_escalated) AS incoming_escalated,
           sum(s.incoming_transferred) AS incoming_transferred, sum(s.incoming_requeued) AS incoming_requeued,
           sum(s.handled) AS handled, sum(s.handled_within_sl) AS handled_within_sl, sum(s.answer_s) AS answer_s,
           ARRAY[sum(wait_h01), sum(wait_h02), sum(wait_h03), sum(wait_h04), sum(wait_h05), sum(wait_h06),
                 sum(wait_h07), sum(wait_h08), sum(wait_h09), sum(wait_h10), sum(wait_h11), sum(wait_h12),
                 sum(wait_h13), sum(wait_h14), sum(wait_h15), sum(wait_h16)] AS hist,
           sum(s.abandoned) AS abandoned, sum(s.abandoned_within_sl) AS abandoned_within_sl,
           sum(s.abandoned_after_offer) AS abandoned_after_offer, sum(s.abandon_s) AS abandon_s,
           sum(s.short_abandoned) AS short_abandoned, sum(s.unanswered_other) AS unanswered_other,
           sum(s.handled_transferred) AS handled_transferred,
           sum(s.handle_n) AS handle_n, sum(s.handle_s) AS handle_s, sum(s.wrap_n) AS wrap_n, sum(s.wrap_s) AS wrap_s,
           sum(s.first_response_n) AS first_response_n, sum(s.first_response_s) AS first_response_s,
           sum(s.offers) AS offers, sum(s.offers_accepted) AS offers_accepted,
           sum(s.offers_rejected) AS offers_rejected, sum(s.offers_expired) AS offers_expired,
           sum(s.sentiment_n) AS sentiment_n, sum(s.sentiment_score_s) AS sentiment_score_s,
           sum(s.s_very_negative) AS s_very_negative, sum(s.s_negative) AS s_negative,
           sum(s.s_slightly_negative) AS s_slightly_negative, sum(s.s_neutral) AS s_neutral,
           sum(s.s_slightly_positive) AS s_slightly_positive, sum(s.s_positive) AS s_positive,
           sum(s.s_very_positive) AS s_very_positive
      FROM s WHERE s.queue <> '' GROUP BY s.queue, s.channel),
-- Fairness: handled per 100 capacity units of each online member of the queue.
fair AS (
    SELECT k.queue, k.channel, count(*) AS online_agents,
           CASE WHEN avg(k.per_cap) > 0 THEN stddev_pop(k.per_cap) / avg(k.per_cap) END AS cv
      FROM (SELECT qc.queue, qc.channel, m.agent_id,
                   coalesce((SELECT sum(s.handled) FROM s WHERE s.queue = qc.queue AND s.channel = qc.channel
                                AND s.agent_id = m.agent_id), 0)
                   * 100.0 / nullif(a.capacity_units, 0) AS per_cap
              FROM (SELECT DISTINCT s.queue, s.channel FROM s WHERE s.queue <> '') qc
              JOIN omni.queue_member m ON m.queue = qc.queue
              JOIN omni.agent a ON a.id = m.agent_id
             WHERE m.agent_id IN (SELECT agent_id FROM online)) k
     GROUP BY k.queue, k.channel)
SELECT t_from, t_to, x.queue, x.channel,
       coalesce(g.incoming, 0)::bigint, coalesce(g.incoming_escalated, 0)::bigint,
       coalesce(g.incoming_transferred, 0)::bigint, coalesce(g.incoming_requeued, 0)::bigint,
       coalesce(g.handled, 0)::bigint, coalesce(g.handled_within_sl, 0)::bigint,
       coalesce(g.abandoned, 0)::bigint, coalesce(g.abandoned_within_sl, 0)::bigint,
       coalesce(g.abandoned_after_offer, 0)::bigint, coalesce(g.abandoned - g.abandoned_after_offer, 0)::bigint,
       coalesce(g.short_abandoned, 0)::bigint, coalesce(g.unanswered_other, 0)::bigint,
       coalesce(w.waiting, 0)::bigint, coalesce(w.waiting_over_sl, 0)::bigint,
       omni._ratio(g.abandoned, g.incoming),
       omni._ratio(g.answer_s, g.handled),
       omni._kpi_percentile(g.hist, 0.5), omni._kpi_percentile(g.hist, 0.9),
       extract(epoch FROM q.service_level_threshold)::double precision,
       omni._ratio(g.handled_within_sl,
                   coalesce(g.handled, 0) + coalesce(g.abandoned, 0) + coalesce(w.waiting_over_sl, 0)),
       omni._ratio(coalesce(g.handled_within_sl, 0) + coalesce(g.abandoned_within_sl, 0),
                   coalesce(g.handled, 0) + coalesce(g.abandoned, 0)),
       omni._ratio(g.abandon_s, g.abandoned),
       omni._ratio(g.handle_s, g.handle_n), omni._ratio(g.wrap_s, g.wrap_n),
       coalesce(g.handled_transferred, 0)::bigint, omni._ratio(g.handled_transferred, g.handled),
       omni._ratio(g.incoming_escalated, g.incoming), omni._ratio(g.first_response_s, g.first_response_n),
       coalesce(g.offers, 0)::bigint, coalesce(g.offers_accepted, 0)::bigint,
       coalesce(g.offers_rejected, 0)::bigint, coalesce(g.offers_expired, 0)::bigint,
       omni._ratio(g.offers_rejected, g.offers), omni._ratio(g.offers_expired, g.offers),
       coalesce(g.sentiment_n, 0)::bigint, omni._ratio(g.sentiment_score_s, g.sentiment_n),
       coalesce(g.s_very_negative, 0)::bigint, coalesce(g.s_negative, 0)::bigint,
       coalesce(g.s_slightly_negative, 0)::bigint, coalesce(g.s_neutral, 0)::bigint,
       coalesce(g.s_slightly_positive, 0)::bigint, coalesce(g.s_positive, 0)::bigint,
       coalesce(g.s_very_positive, 0)::bigint,
       coalesce(f.online_agents, 0)::bigint, omni._ratio(g.handled, f.online_agents), f.cv
  FROM (SELECT g.queue, g.channel FROM g UNION SELECT w.queue, w.channel FROM w) x
  JOIN omni.queue q ON q.name = x.queue
  LEFT JOIN g ON g.queue = x.queue AND g.channel = x.channel
  LEFT JOIN w ON w.queue = x.queue AND w.channel = x.channel
  LEFT JOIN fair f ON f.queue = x.queue AND f.channel = x.channel
$$;
COMMENT ON FUNCTION omni._kpi_queue_rows(timestamptz, timestamptz, boolean) IS
    'The queue KPI formulas (docs/kpi.md), applied to sums from the rollups or the event log.';

CREATE FUNCTION omni._kpi_agent_rows(t_from timestamptz, t_to timestamptz, from_rollup boolean)
    RETURNS TABLE (
        window_start timestamptz, window_end timestamptz, agent_id bigint, name text,
        offers bigint, offers_accepted bigint, offers_rejected bigint, offers_expired bigint, offers_rescinded bigint,
        accept_rate double precision, reject_rate double precision, timeout_rate double precision,
        handled bigint, avg_speed_to_answer_s double precision, handled_transferred bigint,
        transfer_rate double precision, sessions bigint, avg_handle_time_s double precision,
        avg_wrap_up_time_s double precision, first_responses bigint, avg_first_response_s double precision,
        sentiment_count bigint, avg_sentiment_score double precision,
        available_s double precision, busy_s double precision, busy_dnd_s double precision,
        away_s double precision, offline_s double precision, logged_in_s double precision,
        capacity_units integer, work_s double precision, held_unit_s double precision,
        utilization double precision)
    LANGUAGE sql STABLE AS $$
WITH s AS (
    SELECT s.agent_id, sum(s.offers) AS offers, sum(s.offers_accepted) AS offers_accepted,
           sum(s.offers_rejected) AS offers_rejected, sum(s.offers_expired) AS offers_expired,
           sum(s.offers_rescinded) AS offers_rescinded, sum(s.handled) AS handled, sum(s.answer_s) AS answer_s,
           sum(s.handled_transferred) AS handled_transferred, sum(s.session_n) AS session_n,
           sum(s.session_handle_s) AS session_handle_s, sum(s.session_wrap_n) AS session_wrap_n,
           sum(s.session_wrap_s) AS session_wrap_s, sum(s.first_response_n) AS first_response_n,
           sum(s.first_response_s) AS first_response_s, sum(s.sentiment_n) AS sentiment_n,
           sum(s.sentiment_score_s) AS sentiment_score_s, sum(s.work_s) AS work_s,
           sum(s.held_unit_s) AS held_unit_s
      FROM omni._kpi_sums(t_from, t_to, from_rollup) s WHERE s.agent_id <> 0 GROUP BY s.agent_id),
p AS (
    SELECT x.agent_id,
           sum(x.seconds) FILTER (WHERE pr.base_status = 'available') AS available_s,
           sum(x.seconds) FILTER (WHERE pr.base_status = 'busy') AS busy_s,
           sum(x.seconds) FILTER (WHERE pr.base_status = 'busy_dnd') AS busy_dnd_s,
           sum(x.seconds) FILTER (WHERE pr.base_status = 'away') AS away_s,
           sum(x.seconds) FILTER (WHERE pr.base_status = 'offline') AS offline_s,
           sum(x.seconds) FILTER (WHERE pr.base_status <> 'offline') AS logged_in_s
      FROM omni._kpi_presence_sums(t_from, t_to, from_rollup) x
      JOIN omni.presence pr ON pr.name = x.presence
     GROUP BY x.agent_id)
SELECT t_from, t_to, a.id, a.name,
       coalesce(s.offers, 0)::bigint, coalesce(s.offers_accepted, 0)::bigint, coalesce(s.offers_rejected, 0)::bigint,
       coalesce(s.offers_expired, 0)::bigint, coalesce(s.offers_rescinded, 0)::bigint,
       omni._ratio(s.offers_accepted, s.offers), omni._ratio(s.offers_rejected, s.offers),
       omni._ratio(s.offers_expired, s.offers),
       coalesce(s.handled, 0)::bigint, omni._ratio(s.answer_s, s.handled),
       coalesce(s.handled_transferred, 0)::bigint, omni._ratio(s.handled_transferred, s.handled),
       coalesce(s.session_n, 0)::bigint, omni._ratio(s.session_handle_s, s.session_n),
       omni._ratio(s.session_wrap_s, s.session_wrap_n),
       coalesce(s.first_response_n, 0)::bigint, omni._ratio(s.first_response_s, s.first_response_n),
       coalesce(s.sentiment_n, 0)::bigint, omni._ratio(s.sentiment_score_s, s.sentiment_n),
       coalesce(p.available_s, 0), coalesce(p.busy_s, 0), coalesce(p.busy_dnd_s, 0), coalesce(p.away_s, 0),
       coalesce(p.offline_s, 0), coalesce(p.logged_in_s, 0),
       a.capacity_units, coalesce(s.work_s, 0), coalesce(s.held_unit_s, 0),
       omni._ratio(coalesce(s.held_unit_s, 0), a.capacity_units * p.logged_in_s)
  FROM omni.agent a
  LEFT JOIN s ON s.agent_id = a.id
  LEFT JOIN p ON p.agent_id = a.id
$$;
COMMENT ON FUNCTION omni._kpi_agent_rows(timestamptz, timestamptz, boolean) IS
    'The agent KPI formulas (docs/kpi.md), applied to sums from the rollups or the event log.';

CREATE FUNCTION omni._kpi_presence_rows(t_from timestamptz, t_to timestamptz, from_rollup boolean)
    RETURNS TABLE (window_start timestamptz, window_end timestamptz, agent_id bigint, presence text,
                   base_status omni.base_status, seconds double precision, share double precision)
    LANGUAGE sql STABLE AS $$
    SELECT t_from, t_to, x.agent_id, x.presence, pr.base_status, x.seconds,
           omni._ratio(x.seconds, sum(x.seconds) OVER (PARTITION BY x.agent_id))
      FROM omni._kpi_presence_sums(t_from, t_to, from_rollup) x
      JOIN omni.presence pr ON pr.name = x.presence
$$;
COMMENT ON FUNCTION omni._kpi_presence_rows(timestamptz, timestamptz, boolean) IS
    'Seconds per agent and presence over a window, with the share of the agent''s tracked time.';

-- Intraday materialized views --------------------------------------------------------------

CREATE MATERIALIZED VIEW omni.intraday_queue_kpi AS
    SELECT * FROM omni._kpi_queue_rows(omni.kpi_window_start(omni.now()), omni.now(), true);
CREATE UNIQUE INDEX intraday_queue_kpi_key ON omni.intraday_queue_kpi (queue, channel);

CREATE MATERIALIZED VIEW omni.intraday_agent_kpi AS
    SELECT * FROM omni._kpi_agent_rows(omni.kpi_window_start(omni.now()), omni.now(), true);
CREATE UNIQUE INDEX intraday_agent_kpi_key ON omni.intraday_agent_kpi (agent_id);

CREATE MATERIALIZED VIEW omni.intraday_agent_presence AS
    SELECT * FROM omni._kpi_presence_rows(omni.kpi_window_start(omni.now()), omni.now(), true);
CREATE UNIQUE INDEX intraday_agent_presence_key ON omni.intraday_agent_presence (agent_id, presence);

-- Past windows ---------------------------------------------------------------------------

-- The one check of a requested window.
CREATE FUNCTION omni._kpi_check_window("from" timestamptz, "to" timestamptz) RETURNS void
    LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    IF "from" IS NULL OR "to" IS NULL OR "from" >= "to" THEN
        RAISE EXCEPTION 'KPI window [%, %) is empty', "from", "to"
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Give "from" before "to".';
    END IF;
END $$;

CREATE FUNCTION omni.kpi("from" timestamptz, "to" timestamptz) RETURNS SETOF omni.intraday_queue_kpi
    LANGUAGE plpgsql STABLE AS $$
BEGIN
    PERFORM omni._kpi_check_window("from", "to");
    RETURN QUERY SELECT * FROM omni._kpi_queue_rows("from", "to", false);
END $$;
COMMENT ON FUNCTION omni.kpi(timestamptz, timestamptz) IS
    'Queue KPIs (the columns of omni.intraday_queue_kpi) for any window [from, to), recomputed from the event log with today''s formulas and thresholds.';

CREATE FUNCTION omni.agent_kpi("from" timestamptz, "to" timestamptz) RETURNS SETOF omni.intraday_agent_kpi
    LANGUAGE plpgsql STABLE AS $$
BEGIN
    PERFORM omni._kpi_check_window("from", "to");
    RETURN QUERY SELECT * FROM omni._kpi_agent_rows("from", "to", false);
END $$;
COMMENT ON FUNCTION omni.agent_kpi(timestamptz, timestamptz) IS
    'Agent KPIs (the columns of omni.intraday_agent_kpi) for any window [from, to), recomputed from the event log.';

CREATE FUNCTION omni.agent_presence_kpi("from" timestamptz, "to" timestamptz) RETURNS SETOF omni.intraday_agent_presence
    LANGUAGE plpgsql STABLE AS $$
BEGIN
    PERFORM omni._kpi_check_window("from", "to");
    RETURN QUERY SELECT * FROM omni._kpi_presence_rows("from", "to", false);
END $$;
COMMENT ON FUNCTION omni.agent_presence_kpi(timestamptz, timestamptz) IS
    'Time per agent and presence for any window [from, to), from the event log.';

-- Refresh -------------------------------------------------------------------------------

CREATE FUNCTION omni._kpi_add(ids bigint[], t_from timestamptz, t_to timestamptz) RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    ms text[] := omni._kpi_measures();
    pivot text;
    upd text;
BEGIN
    SELECT string_agg(format('coalesce(sum(value) FILTER (WHERE measure = %L), 0)', m), ', '),
           string_agg(format('%I = r.%I + EXCLUDED.%I', m, m, m), ', ')
      INTO pivot, upd FROM unnest(ms) m;
    EXECUTE format($q$
        INSERT INTO omni.kpi_rollup AS r (bucket, queue, channel, agent_id, %s)
        SELECT omni._kpi_bucket(fact_at), queue, channel, agent_id, %s
          FROM omni._kpi_facts($1, $2, $3) GROUP BY 1, 2, 3, 4
        ON CONFLICT (bucket, queue, channel, agent_id) DO UPDATE SET %s$q$,
        (SELECT string_agg(format('%I', m), ', ') FROM unnest(ms) m), pivot, upd)
    USING ids, t_from, t_to;
    INSERT INTO omni.kpi_presence_rollup AS r (bucket, agent_id, presence, seconds)
    SELECT omni._kpi_bucket(fact_at), agent_id, presence, sum(seconds)
      FROM omni._kpi_presence_facts(ids, t_from, t_to) GROUP BY 1, 2, 3
    ON CONFLICT (bucket, agent_id, presence) DO UPDATE SET seconds = r.seconds + EXCLUDED.seconds;
END $$;
COMMENT ON FUNCTION omni._kpi_add(bigint[], timestamptz, timestamptz) IS 'Adds the facts of some events to the rollups.';

CREATE FUNCTION omni._kpi_refresh_views() RETURNS void
    LANGUAGE plpgsql AS $$
BEGIN
    REFRESH MATERIALIZED VIEW CONCURRENTLY omni.intraday_queue_kpi;
    REFRESH MATERIALIZED VIEW CONCURRENTLY omni.intraday_agent_kpi;
    REFRESH MATERIALIZED VIEW CONCURRENTLY omni.intraday_agent_presence;
END $$;

CREATE FUNCTION omni.refresh_kpis() RETURNS integer
    LANGUAGE plpgsql AS $$
DECLARE
    st omni.kpi_state;
    snap pg_snapshot;
    hi bigint;
    ids bigint[];
    seen bigint[];
    new_gaps bigint[];
    keep_gaps bigint[] := '{}';
    keep_horizons xid8[] := '{}';
    i integer;
    started timestamptz := clock_timestamp();
BEGIN
    -- One refresher at a time; the others return at once.
    IF NOT pg_try_advisory_xact_lock(hashtext('omnichannel.refresh_kpis')) THEN
        RETURN NULL;
    END IF;
    SELECT * INTO st FROM omni.kpi_state FOR UPDATE;
    -- One statement, one snapshot: the events visible now above last_id.
    SELECT pg_current_snapshot(), coalesce(max(e.id), st.last_id),
           coalesce(array_agg(e.id ORDER BY e.id), '{}')
      INTO snap, hi, seen
      FROM omni.event e WHERE e.id > st.last_id;
    hi := greatest(hi, st.last_id);
    ids := ARRAY(SELECT x FROM unnest(seen) x WHERE NOT x = ANY (st.done_above));
    -- Old gaps still invisible: keep while their writer may still commit.
    FOR i IN 1 .. coalesce(array_length(st.gaps, 1), 0) LOOP
        IF NOT st.gaps[i] = ANY (seen) AND pg_snapshot_xmin(snap) < st.gap_horizons[i] THEN
            keep_gaps := keep_gaps || st.gaps[i];
            keep_horizons := keep_horizons || st.gap_horizons[i];
        END IF;
    END LOOP;
    -- New gaps: ids below hi we have not seen, above what earlier refreshes knew.
    new_gaps := ARRAY(SELECT g FROM generate_series(greatest(st.last_id, coalesce(
                          (SELECT max(x) FROM unnest(st.done_above || st.gaps) x), st.last_id)) + 1, hi) g
                       WHERE NOT g = ANY (seen));
    keep_gaps := keep_gaps || new_gaps;
    keep_horizons := keep_horizons || array_fill(pg_snapshot_xmax(snap), ARRAY[coalesce(array_length(new_gaps, 1), 0)]);
    IF cardinality(ids) > 0 THEN
        PERFORM omni._kpi_add(ids, '-infinity', 'infinity');
    END IF;
    UPDATE omni.kpi_state
       SET last_id = coalesce((SELECT min(x) FROM unnest(keep_gaps) x) - 1, hi),
           done_above = ARRAY(SELECT x FROM unnest(st.done_above || ids) x
                               WHERE x >= (SELECT min(y) FROM unnest(keep_gaps) y) ORDER BY x),
           gaps = keep_gaps, gap_horizons = keep_horizons,
           refreshed_at = omni.now(), events_processed = events_processed + cardinality(ids),
           last_events = cardinality(ids);
    PERFORM omni._kpi_refresh_views();
    UPDATE omni.kpi_state SET last_duration_ms = extract(epoch FROM clock_timestamp() - started) * 1000;
    RETURN cardinality(ids);
END $$;
COMMENT ON FUNCTION omni.refresh_kpis() IS
    'Adds the events since the last refresh to the KPI rollups and refreshes the intraday views concurrently. Returns the events counted, or NULL when another refresh is running. The background worker calls it every omnichannel.kpi_refresh_interval.';

-- Recount the rollups from the event log from a time on (after a threshold
-- change, or to repair): buckets from then on are rebuilt.
CREATE FUNCTION omni.rebuild_kpis(since timestamptz) RETURNS bigint
    LANGUAGE plpgsql AS $$
DECLARE
    b timestamptz := omni._kpi_bucket(since);
    st omni.kpi_state;
    ids bigint[];
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('omnichannel.refresh_kpis'));
    SELECT * INTO st FROM omni.kpi_state FOR UPDATE;
    DELETE FROM omni.kpi_rollup WHERE bucket >= b;
    DELETE FROM omni.kpi_presence_rollup WHERE bucket >= b;
    -- Only the events already counted: the others come with the next refresh.
    ids := ARRAY(SELECT e.id FROM omni.event e
                  WHERE e.at >= b AND (e.id <= st.last_id OR e.id = ANY (st.done_above)));
    PERFORM omni._kpi_add(ids, b, 'infinity');
    PERFORM omni._kpi_refresh_views();
    RETURN cardinality(ids);
END $$;
COMMENT ON FUNCTION omni.rebuild_kpis(timestamptz) IS
    'Recounts the KPI rollups from a time on from the event log, with today''s thresholds (e.g. after changing a queue''s service_level_threshold). Returns the events recounted.';

-- Capacity-and-status timeline ---------------------------------------------------------

-- Interval rows per agent: a new row whenever the presence or the work held
-- changes.  Work segments come from the event log (as for utilization).
CREATE FUNCTION omni.agent_timeline(agent_id bigint, "from" timestamptz DEFAULT omni.now() - interval '12 hours',
                                    "to" timestamptz DEFAULT omni.now())
    RETURNS TABLE (agent_id bigint, started_at timestamptz, ended_at timestamptz, duration_s double precision,
                   presence text, base_status omni.base_status, capacity_units integer, used_units integer,
                   free_units integer, active_items integer, wrap_up_items integer)
    LANGUAGE sql STABLE AS $$
WITH seg AS (   -- work the agent held: [at, next state event)
    SELECT p.at AS s_at, coalesce(n.at, 'infinity') AS e_at, p.to_state,
           CASE WHEN p.to_state = 'active' OR w.wrap_up_holds_capacity THEN w.capacity_units ELSE 0 END AS units
      FROM omni.event p
      JOIN omni.conversation c ON c.id = p.conversation_id
      JOIN omni.workstream w ON w.name = c.workstream
      LEFT JOIN LATERAL (SELECT x.at FROM omni.event x
                          WHERE x.conversation_id = p.conversation_id AND x.id > p.id
                            AND omni._kpi_is_state_event(x.kind)
                          ORDER BY x.id LIMIT 1) n ON true
     WHERE p.agent_id = agent_timeline.agent_id AND p.conversation_id IS NOT NULL
       AND p.at < "to" AND p.at >= "from" - interval '7 days'
       AND omni._kpi_is_state_event(p.kind) AND p.to_state IN ('active', 'wrap_up')
       AND coalesce(n.at, 'infinity') > "from"),
pres AS (       -- presence intervals
    SELECT h.presence, h.base_status, h.started_at AS s_at, coalesce(h.ended_at, 'infinity') AS e_at
      FROM omni.presence_history h
     WHERE h.agent_id = agent_timeline.agent_id AND h.started_at < "to" AND coalesce(h.ended_at, 'infinity') > "from"),
cuts AS (
    SELECT DISTINCT t FROM (
        SELECT "from" AS t UNION ALL SELECT s_at FROM seg UNION ALL SELECT e_at FROM seg
        UNION ALL SELECT s_at FROM pres UNION ALL SELECT e_at FROM pres) x
     WHERE t >= "from" AND t < "to"),
iv AS (SELECT t AS s_at, coalesce(lead(t) OVER (ORDER BY t), "to") AS e_at FROM cuts)
SELECT agent_timeline.agent_id, iv.s_at, iv.e_at, extract(epoch FROM iv.e_at - iv.s_at)::double precision,
       p.presence, p.base_status, a.capacity_units,
       coalesce(sum(seg.units), 0)::integer, (a.capacity_units - coalesce(sum(seg.units), 0))::integer,
       count(seg.s_at) FILTER (WHERE seg.to_state = 'active')::integer,
       count(seg.s_at) FILTER (WHERE seg.to_state = 'wrap_up')::integer
  FROM iv
  JOIN omni.agent a ON a.id = agent_timeline.agent_id
  LEFT JOIN pres p ON p.s_at <= iv.s_at AND p.e_at > iv.s_at
  LEFT JOIN seg ON seg.s_at <= iv.s_at AND seg.e_at > iv.s_at
 WHERE iv.e_at > iv.s_at
 GROUP BY iv.s_at, iv.e_at, p.presence, p.base_status, a.capacity_units
 ORDER BY iv.s_at
$$;
COMMENT ON FUNCTION omni.agent_timeline(bigint, timestamptz, timestamptz) IS
    'Capacity-and-status timeline of an agent: one row per interval in which its presence and the work it holds stay the same (default: the last 12 hours).';

CREATE VIEW omni.agent_timeline WITH (security_invoker = true) AS
SELECT t.*
  FROM omni.agent a
 CROSS JOIN LATERAL omni.agent_timeline(a.id, omni.now() - interval '24 hours', omni.now()) t
 WHERE omni._sees_agent(a.id);
COMMENT ON VIEW omni.agent_timeline IS
    'Capacity-and-status timeline of the last 24 hours for every agent the reader may see (interval rows; free_units < 0 when over-assigned).';
COMMENT ON COLUMN omni.agent_timeline.agent_id IS 'Agent.';
COMMENT ON COLUMN omni.agent_timeline.started_at IS 'Start of the interval.';
COMMENT ON COLUMN omni.agent_timeline.ended_at IS 'End of the interval (now for the last one).';
COMMENT ON COLUMN omni.agent_timeline.duration_s IS 'Seconds.';
COMMENT ON COLUMN omni.agent_timeline.presence IS 'Presence during the interval (NULL before the first login).';
COMMENT ON COLUMN omni.agent_timeline.base_status IS 'Its base status.';
COMMENT ON COLUMN omni.agent_timeline.capacity_units IS 'Agent''s capacity units (today''s configuration).';
COMMENT ON COLUMN omni.agent_timeline.used_units IS 'Units held by work (active, and wrap-up when it holds capacity).';
COMMENT ON COLUMN omni.agent_timeline.free_units IS 'capacity_units - used_units (negative when over-assigned).';
COMMENT ON COLUMN omni.agent_timeline.active_items IS 'Conversations active with the agent.';
COMMENT ON COLUMN omni.agent_timeline.wrap_up_items IS 'Conversations in wrap-up with the agent.';

-- Comments on the intraday views (BI tools show them) ----------------------------------

COMMENT ON MATERIALIZED VIEW omni.intraday_queue_kpi IS
    'Queue KPIs of the last 24 hours (from the start of the current 5-minute bucket minus 24 h to now), one row per queue and channel; refreshed concurrently by omni.refresh_kpis(). Formulas in docs/kpi.md. Admins only; supervisors read omni.supervised_queue_kpi.';
COMMENT ON MATERIALIZED VIEW omni.intraday_agent_kpi IS
    'Agent KPIs of the last 24 hours, one row per agent; refreshed concurrently by omni.refresh_kpis(). Admins only; supervisors read omni.supervised_agent_kpi.';
COMMENT ON MATERIALIZED VIEW omni.intraday_agent_presence IS
    'Seconds per agent and presence over the last 24 hours, one row per agent and presence.';

CREATE FUNCTION omni._kpi_column_comments() RETURNS jsonb
    LANGUAGE sql IMMUTABLE AS $$
    SELECT '{
      "window_start": "Start of the window (inclusive).",
      "window_end": "End of the window (now for the intraday views).",
      "queue": "Queue.",
      "channel": "Channel.",
      "name": "Agent name.",
      "agent_id": "Agent.",
      "incoming": "Queue entries in the window (new, escalated, transferred in, requeued).",
      "incoming_escalated": "Of incoming, escalations from a bot.",
      "incoming_transferred": "Of incoming, transfers or overflow from another queue or agent.",
      "incoming_requeued": "Of incoming, parked conversations back after a customer reply.",
      "handled": "Queue visits of the window accepted by an agent (accept, pick, supervisor assign).",
      "handled_within_sl": "Of handled, accepted within the queue''s service_level_threshold.",
      "abandoned": "Queue visits of the window the customer left before acceptance, after the short-abandon threshold.",
      "abandoned_within_sl": "Of abandoned, left within the service_level_threshold.",
      "abandoned_after_offer": "Of abandoned, left after an offer had been made.",
      "abandoned_before_offer": "Of abandoned, left before any offer.",
      "short_abandoned": "Customer left before the short_abandon_threshold (excluded from abandoned).",
      "unanswered_other": "Queue visits ended unanswered otherwise (transferred on, force-, auto- or overflow-closed).",
      "waiting_now": "Queue visits of the window still waiting at window_end.",
      "waiting_over_sl": "Of waiting_now, waiting longer than the service_level_threshold.",
      "abandon_rate": "abandoned / incoming (fraction; NULL when no incoming).",
      "avg_speed_to_answer_s": "Mean seconds from queue entry to acceptance over handled.",
      "p50_wait_s": "Median seconds from queue entry to acceptance (histogram estimate).",
      "p90_wait_s": "90th percentile of seconds from queue entry to acceptance (histogram estimate).",
      "service_level_threshold_s": "The queue''s service_level_threshold in seconds (today''s).",
      "service_level": "handled_within_sl / (handled + abandoned + waiting_over_sl).",
      "service_level_2": "(handled_within_sl + abandoned_within_sl) / (handled + abandoned) (Asterisk SL2).",
      "avg_time_to_abandon_s": "Mean seconds from queue entry to abandon over abandoned.",
      "avg_handle_time_s": "Mean active plus wrap-up seconds over handled visits whose handling ended.",
      "avg_wrap_up_time_s": "Mean wrap-up seconds over handled visits that had a wrap-up.",
      "handled_transferred": "Handled visits transferred at least once (to an agent or a queue).",
      "transfer_rate": "handled_transferred / handled.",
      "escalation_rate": "incoming_escalated / incoming (share of the queue''s work that came from bots).",
      "avg_first_response_s": "Mean seconds from the conversation''s first queue entry to the first agent message.",
      "offers": "Offers made in the window.",
      "offers_accepted": "Of offers, accepted.",
      "offers_rejected": "Of offers, rejected.",
      "offers_expired": "Of offers, timed out.",
      "offers_rescinded": "Of offers, withdrawn by the system or a supervisor.",
      "accept_rate": "offers_accepted / offers.",
      "reject_rate": "offers_rejected / offers.",
      "timeout_rate": "offers_expired / offers.",
      "sentiment_count": "Closed conversations whose last queue visit is in the window (sentiment counted).",
      "avg_sentiment_score": "Mean final sentiment score in [-1, 1] over sentiment_count.",
      "sentiment_very_negative": "Of sentiment_count, ending very_negative.",
      "sentiment_negative": "Of sentiment_count, ending negative.",
      "sentiment_slightly_negative": "Of sentiment_count, ending slightly_negative.",
      "sentiment_neutral": "Of sentiment_count, ending neutral.",
      "sentiment_slightly_positive": "Of sentiment_count, ending slightly_positive.",
      "sentiment_positive": "Of sentiment_count, ending positive.",
      "sentiment_very_positive": "Of sentiment_count, ending very_positive.",
      "online_agents": "Queue members logged in (not Offline) at some time in the window.",
      "conversations_per_online_agent": "handled / online_agents.",
      "fairness_cv": "Coefficient of variation (stddev / mean) of handled per 100 capacity units across online_agents; 0 = perfectly even, NULL when nothing handled.",
      "avg_speed_to_answer_s_agent": "",
      "sessions": "The agent''s handling sessions that ended (closed or handed on).",
      "first_responses": "First responses the agent wrote.",
      "available_s": "Seconds in an Available-based presence.",
      "busy_s": "Seconds in a Busy-based presence.",
      "busy_dnd_s": "Seconds in a Busy - DND-based presence.",
      "away_s": "Seconds in an Away-based presence (incl. Inactive).",
      "offline_s": "Seconds Offline (after the agent''s first login).",
      "logged_in_s": "Seconds not Offline.",
      "capacity_units": "The agent''s capacity units (today''s).",
      "work_s": "Seconds holding work (active or wrap-up; concurrent items add up).",
      "held_unit_s": "Capacity unit-seconds held by work.",
      "utilization": "held_unit_s / (capacity_units * logged_in_s): capacity used over capacity available while logged in.",
      "presence": "Presence name.",
      "base_status": "Base status of the presence.",
      "seconds": "Seconds in that presence in the window.",
      "share": "seconds / all seconds tracked for the agent in the window."
    }'::jsonb
$$;

DO $c$
DECLARE
    r record;
    d jsonb := omni._kpi_column_comments();
BEGIN
    FOR r IN SELECT c.relname, a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
              WHERE c.oid IN ('omni.intraday_queue_kpi'::regclass, 'omni.intraday_agent_kpi'::regclass,
                              'omni.intraday_agent_presence'::regclass) AND a.attnum > 0 LOOP
        EXECUTE format('COMMENT ON COLUMN omni.%I.%I IS %L', r.relname, r.attname,
                       CASE WHEN r.relname = 'intraday_agent_kpi' AND r.attname = 'handled'
                                THEN 'Queue visits the agent accepted, picked or was assigned in the window.'
                            WHEN r.relname = 'intraday_agent_kpi' AND r.attname = 'avg_speed_to_answer_s'
                                THEN 'Mean seconds from queue entry to acceptance over the agent''s handled.'
                            WHEN r.relname = 'intraday_agent_kpi' AND r.attname = 'handled_transferred'
                                THEN 'Handled visits the agent transferred on (first transfer of the visit).'
                            WHEN r.relname = 'intraday_agent_kpi' AND r.attname = 'transfer_rate'
                                THEN 'handled_transferred / handled for the agent.'
                            WHEN r.relname = 'intraday_agent_kpi' AND r.attname = 'avg_handle_time_s'
                                THEN 'Mean active plus wrap-up seconds over the agent''s ended sessions.'
                            WHEN r.relname = 'intraday_agent_kpi' AND r.attname = 'avg_wrap_up_time_s'
                                THEN 'Mean wrap-up seconds over the agent''s sessions with a wrap-up.'
                            WHEN r.relname = 'intraday_agent_kpi' AND r.attname = 'avg_first_response_s'
                                THEN 'Mean seconds from first queue entry to the agent''s first message, over its first responses.'
                            WHEN r.relname = 'intraday_agent_kpi' AND r.attname = 'sentiment_count'
                                THEN 'Closed conversations the agent held last (sentiment counted).'
                            ELSE d ->> r.attname::text END);
    END LOOP;
END
$c$;

-- Supervisors read the intraday figures of their own queues and agents --------------------

CREATE VIEW omni.supervised_queue_kpi WITH (security_barrier = true) AS
SELECT k.* FROM omni.intraday_queue_kpi k
 WHERE omni._sees_everything() OR k.queue IN (SELECT omni.supervised_queues());
CREATE VIEW omni.supervised_agent_kpi WITH (security_barrier = true) AS
SELECT k.* FROM omni.intraday_agent_kpi k WHERE omni._sees_agent(k.agent_id);
CREATE VIEW omni.supervised_agent_presence WITH (security_barrier = true) AS
SELECT k.* FROM omni.intraday_agent_presence k WHERE omni._sees_agent(k.agent_id);
COMMENT ON VIEW omni.supervised_queue_kpi IS 'omni.intraday_queue_kpi limited to the queues the reader supervises (admins: all).';
COMMENT ON VIEW omni.supervised_agent_kpi IS 'omni.intraday_agent_kpi limited to the agents of the reader''s queues (an agent: itself).';
COMMENT ON VIEW omni.supervised_agent_presence IS 'omni.intraday_agent_presence limited like omni.supervised_agent_kpi.';
DO $c$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT v.relname AS view, src.relname AS src, a.attname
               FROM (VALUES ('supervised_queue_kpi', 'intraday_queue_kpi'), ('supervised_agent_kpi', 'intraday_agent_kpi'),
                            ('supervised_agent_presence', 'intraday_agent_presence')) m(v, s)
               JOIN pg_class v ON v.relname = m.v AND v.relnamespace = 'omni'::regnamespace
               JOIN pg_class src ON src.relname = m.s AND src.relnamespace = 'omni'::regnamespace
               JOIN pg_attribute a ON a.attrelid = v.oid AND a.attnum > 0 LOOP
        EXECUTE format('COMMENT ON COLUMN omni.%I.%I IS %L', r.view, r.attname,
                       col_description(format('omni.%I', r.src)::regclass,
                                       (SELECT attnum FROM pg_attribute WHERE attrelid = format('omni.%I', r.src)::regclass
                                           AND attname = r.attname)));
    END LOOP;
END
$c$;

-- Privileges ------------------------------------------------------------------------------

REVOKE ALL ON omni.kpi_rollup, omni.kpi_presence_rollup, omni.kpi_state FROM PUBLIC;
GRANT SELECT ON omni.kpi_rollup, omni.kpi_presence_rollup, omni.kpi_state TO omnichannel_admin;
REVOKE ALL ON omni.intraday_queue_kpi, omni.intraday_agent_kpi, omni.intraday_agent_presence FROM PUBLIC;
GRANT SELECT ON omni.intraday_queue_kpi, omni.intraday_agent_kpi, omni.intraday_agent_presence TO omnichannel_admin;
GRANT SELECT ON omni.supervised_queue_kpi, omni.supervised_agent_kpi, omni.supervised_agent_presence
    TO omnichannel_supervisor, omnichannel_admin;
GRANT SELECT ON omni.supervised_agent_kpi, omni.supervised_agent_presence TO omnichannel_agent;
GRANT SELECT ON omni.agent_timeline TO omnichannel_supervisor, omnichannel_admin, omnichannel_agent;

DO $f$
DECLARE
    f regprocedure;
BEGIN
    FOR f IN SELECT p.oid::regprocedure FROM pg_proc p
              WHERE p.pronamespace = 'omni'::regnamespace AND (p.proname LIKE '\_kpi%' OR p.proname = '_ratio'
                    OR p.proname IN ('kpi', 'agent_kpi', 'agent_presence_kpi', 'refresh_kpis', 'rebuild_kpis',
                                     'kpi_window_start', 'agent_timeline')) LOOP
        EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
    END LOOP;
END
$f$;
-- The refresh and the past-window functions read the whole log: they run as
-- the extension owner; callers are limited by the grants below.
ALTER FUNCTION omni.refresh_kpis() SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp;
ALTER FUNCTION omni.rebuild_kpis(timestamptz) SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp;
ALTER FUNCTION omni.kpi(timestamptz, timestamptz) SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp;
ALTER FUNCTION omni.agent_kpi(timestamptz, timestamptz) SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp;
ALTER FUNCTION omni.agent_presence_kpi(timestamptz, timestamptz)
    SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp;
GRANT EXECUTE ON FUNCTION omni.refresh_kpis() TO omnichannel_supervisor, omnichannel_admin;
GRANT EXECUTE ON FUNCTION omni.rebuild_kpis(timestamptz) TO omnichannel_admin;
GRANT EXECUTE ON FUNCTION omni.kpi(timestamptz, timestamptz), omni.agent_kpi(timestamptz, timestamptz),
    omni.agent_presence_kpi(timestamptz, timestamptz) TO omnichannel_admin;
GRANT EXECUTE ON FUNCTION omni.kpi_window_start(timestamptz)
    TO omnichannel_agent, omnichannel_supervisor, omnichannel_admin, omnichannel_service;
GRANT EXECUTE ON FUNCTION omni.agent_timeline(bigint, timestamptz, timestamptz)
    TO omnichannel_agent, omnichannel_supervisor, omnichannel_admin;

-- ==== data/lexicon/gen/lexicon_data.sql ====
-- generated from data/lexicon/*.tsv by make; do not edit
INSERT INTO omni.lexicon (language, term, valence, builtin) VALUES
('ar','جيد',1.9,true),
('ar','جيدة',1.9,true),
('ar','جيده',1.9,true),
('ar','ممتاز',3.0,true),
('ar','ممتازة',3.0,true),
('ar','رائع',3.0,true),
('ar','رائعة',3.0,true),
('ar','رائعه',3.0,true),
('ar','جميل',2.3,true),
('ar','جميلة',2.3,true),
('ar','حلو',2.0,true),
('ar','حلوة',2.0,true),
('ar','عظيم',2.9,true),
('ar','مذهل',2.8,true),
('ar','ممتع',2.2,true),
('ar','مثالي',2.9,true),
('ar','مثالية',2.9,true),
('ar','أفضل',2.2,true),
('ar','احسن',2.0,true),
('ar','أحسن',2.0,true),
('ar','شكرا',1.9,true),
('ar','شكراً',1.9,true),
('ar','شكرًا',1.9,true),
('ar','شكرا جزيلا',2.5,true),
('ar','مشكور',2.0,true),
('ar','مشكورين',2.0,true),
('ar','يعطيك العافية',2.2,true),
('ar','الله يعطيك العافية',2.4,true),
('ar','متشكر',1.9,true),
('ar','ممنون',2.0,true),
('ar','سعيد',2.6,true),
('ar','سعيدة',2.6,true),
('ar','مبسوط',2.4,true),
('ar','مبسوطة',2.4,true),
('ar','راضي',2.0,true),
('ar','راضية',2.0,true),
('ar','مسرور',2.4,true),
('ar','فرحان',2.5,true),
('ar','سريع',1.2,true),
('ar','سريعة',1.2,true),
('ar','بسرعة',1.0,true),
('ar','سهل',1.3,true),
('ar','سهلة',1.3,true),
('ar','لطيف',2.0,true),
('ar','لطيفة',2.0,true),
('ar','محترم',1.8,true),
('ar','محترمة',1.8,true),
('ar','محترف',1.6,true),
('ar','خدوم',2.0,true),
('ar','متعاون',1.8,true),
('ar','مفيد',1.6,true),
('ar','مفيدة',1.6,true),
('ar','أنصح',1.8,true),
('ar','انصح',1.8,true),
('ar','تم الحل',1.8,true),
('ar','حل',0.8,true),
('ar','تم',0.4,true),
('ar','يعمل',0.9,true),
('ar','شغال',1.0,true),
('ar','نجح',2.0,true),
('ar','نجاح',2.2,true),
('ar','أحب',2.6,true),
('ar','احب',2.6,true),
('ar','حب',2.4,true),
('ar','أعجبني',2.2,true),
('ar','اعجبني',2.2,true),
('ar','ممتن',2.3,true),
('ar','تمام',1.5,true),
('ar','طيب',1.2,true),
('ar','ماشي',0.6,true),
('ar','أوكي',0.6,true),
('ar','اوكي',0.6,true),
('ar','نعم',0.4,true),
('ar','ممتازين',3.0,true),
('ar','الف شكر',2.6,true),
('ar','ألف شكر',2.6,true),
('ar','بارك الله فيك',2.4,true),
('ar','جزاك الله خير',2.4,true),
('ar','الحمد لله',1.2,true),
('ar','ما شاء الله',1.8,true),
('ar','مشكلة محلولة',1.6,true),
('ar','دقيق',1.2,true),
('ar','نظيف',1.2,true),
('ar','مريح',1.6,true),
('ar','رخيص',0.6,true),
('ar','خدمة ممتازة',3.2,true),
('ar','روعة',3.0,true),
('ar','فنان',2.0,true),
('ar','يسلمو',2.0,true),
('ar','يسلموا',2.0,true),
('ar','سيء',-2.5,true),
('ar','سيئ',-2.5,true),
('ar','سيئة',-2.5,true),
('ar','سيئه',-2.5,true),
('ar','سئ',-2.5,true),
('ar','وحش',-2.3,true),
('ar','زفت',-2.8,true),
('ar','أسوأ',-3.3,true),
('ar','اسوأ',-3.3,true),
('ar','اسوء',-3.3,true),
('ar','سيئ جدا',-3.0,true),
('ar','فظيع',-3.1,true),
('ar','فظيعة',-3.1,true),
('ar','مقرف',-3.0,true),
('ar','مخيب',-2.4,true),
('ar','مخيبة',-2.4,true),
('ar','خيبة',-2.4,true),
('ar','محبط',-2.3,true),
('ar','حزين',-2.1,true),
('ar','زعلان',-2.3,true),
('ar','غاضب',-2.8,true),
('ar','غاضبة',-2.8,true),
('ar','زعل',-2.0,true),
('ar','متضايق',-2.1,true),
('ar','منزعج',-2.1,true),
('ar','مستاء',-2.4,true),
('ar','مستاءة',-2.4,true),
('ar','أكره',-3.0,true),
('ar','اكره',-3.0,true),
('ar','سخيف',-2.3,true),
('ar','سخيفة',-2.3,true),
('ar','بطيء',-1.6,true),
('ar','بطيئة',-1.6,true),
('ar','بطئ',-1.6,true),
('ar','متأخر',-1.6,true),
('ar','تأخير',-1.6,true),
('ar','تأخر',-1.5,true),
('ar','مكسور',-2.1,true),
('ar','تالف',-2.2,true),
('ar','معطل',-2.1,true),
('ar','عطل',-2.0,true),
('ar','خطأ',-1.7,true),
('ar','غلط',-1.8,true),
('ar','مشكلة',-1.7,true),
('ar','مشكله',-1.7,true),
('ar','مشاكل',-1.8,true),
('ar','ضايع',-1.6,true),
('ar','ضائع',-1.6,true),
('ar','مفقود',-1.6,true),
('ar','وقح',-2.6,true),
('ar','قليل الأدب',-2.7,true),
('ar','فاشل',-2.8,true),
('ar','فاشلة',-2.8,true),
('ar','فشل',-2.4,true),
('ar','غير مقبول',-2.9,true),
('ar','مهزلة',-2.8,true),
('ar','عيب',-2.2,true),
('ar','نصب',-3.0,true),
('ar','نصاب',-3.1,true),
('ar','احتيال',-3.1,true),
('ar','حرامي',-3.0,true),
('ar','حرامية',-3.0,true),
('ar','كذب',-2.4,true),
('ar','كذاب',-2.7,true),
('ar','شكوى',-1.8,true),
('ar','استرجاع',-0.8,true),
('ar','استرداد',-0.9,true),
('ar','إلغاء',-1.1,true),
('ar','الغاء',-1.1,true),
('ar','كارثة',-3.0,true),
('ar','كارثي',-3.0,true),
('ar','زبالة',-2.8,true),
('ar','غالي',-1.3,true),
('ar','غالية',-1.3,true),
('ar','للأسف',-1.6,true),
('ar','للاسف',-1.6,true),
('ar','مع الأسف',-1.6,true),
('ar','صعب',-1.5,true),
('ar','مستحيل',-1.9,true),
('ar','معقد',-1.3,true),
('ar','قلق',-1.7,true),
('ar','تعبان',-1.6,true),
('ar','تعبت',-1.8,true),
('ar','ملل',-1.6,true),
('ar','ممل',-1.8,true),
('ar','مزعج',-2.2,true),
('ar','لا يعمل',-2.0,true),
('ar','ما يشتغل',-2.0,true),
('ar','مش شغال',-2.0,true),
('ar','ما اشتغل',-2.0,true),
('ar','ما وصل',-1.9,true),
('ar','لم يصل',-1.9,true),
('ar','ما زلت أنتظر',-2.0,true),
('ar','مازلت انتظر',-2.0,true),
('ar','لسه مستني',-2.0,true),
('ar','بدون رد',-1.9,true),
('ar','لا أحد يرد',-2.2,true),
('ar','ما حد رد',-2.2,true),
('ar','ولا رد',-2.0,true),
('ar','حرام عليكم',-2.4,true),
('ar','خدمة سيئة',-3.0,true),
('ar','أسوأ خدمة',-3.4,true),
('ar','خربان',-2.2,true),
('ar','مستفز',-2.4,true),
('ar','تعب',-1.5,true),
('ar','ضعيف',-1.8,true),
('ar','ضعيفة',-1.8,true),
('ar','رديء',-2.6,true),
('ar','ردئ',-2.6,true),
('ar','نكد',-2.2,true),
('ar','خسارة',-2.1,true),
('ar','إهمال',-2.6,true),
('ar','اهمال',-2.6,true),
('ar','مهمل',-2.5,true);
INSERT INTO omni.lexicon_rule (language, term, kind, weight, builtin) VALUES
('ar','لا','negator',NULL,true),
('ar','لم','negator',NULL,true),
('ar','لن','negator',NULL,true),
('ar','ليس','negator',NULL,true),
('ar','ليست','negator',NULL,true),
('ar','ما','negator',NULL,true),
('ar','مش','negator',NULL,true),
('ar','مو','negator',NULL,true),
('ar','مب','negator',NULL,true),
('ar','غير','negator',NULL,true),
('ar','بدون','negator',NULL,true),
('ar','بلا','negator',NULL,true),
('ar','ولا','negator',NULL,true),
('ar','ابدا','negator',NULL,true),
('ar','أبدا','negator',NULL,true),
('ar','أبداً','negator',NULL,true),
('ar','مافي','negator',NULL,true),
('ar','ما في','negator',NULL,true),
('ar','لست','negator',NULL,true),
('ar','جدا','intensifier',0.293,true),
('ar','جداً','intensifier',0.293,true),
('ar','كتير','intensifier',0.3,true),
('ar','كثير','intensifier',0.25,true),
('ar','كثيرا','intensifier',0.25,true),
('ar','مرة','intensifier',0.3,true),
('ar','مره','intensifier',0.3,true),
('ar','واجد','intensifier',0.3,true),
('ar','وايد','intensifier',0.3,true),
('ar','للغاية','intensifier',0.35,true),
('ar','تماما','intensifier',0.3,true),
('ar','تماماً','intensifier',0.3,true),
('ar','حقا','intensifier',0.3,true),
('ar','فعلا','intensifier',0.3,true),
('ar','بجد','intensifier',0.3,true),
('ar','أكثر','intensifier',0.2,true),
('ar','اكثر','intensifier',0.2,true),
('ar','خالص','intensifier',0.3,true),
('ar','كتييير','intensifier',0.35,true),
('ar','جدًا','intensifier',0.293,true),
('ar','قليلا','diminisher',0.25,true),
('ar','شوية','diminisher',0.25,true),
('ar','شوي','diminisher',0.25,true),
('ar','نوعا ما','diminisher',0.25,true),
('ar','تقريبا','diminisher',0.2,true),
('ar','بعض','diminisher',0.15,true),
('ar','لكن','contrast',NULL,true),
('ar','ولكن','contrast',NULL,true),
('ar','بس','contrast',NULL,true),
('ar','لكنه','contrast',NULL,true),
('ar','لكنها','contrast',NULL,true),
('ar','إلا','contrast',NULL,true),
('ar','الا','contrast',NULL,true),
('ar','مع ذلك','contrast',NULL,true),
('ar','رغم','contrast',NULL,true),
('ar','بالرغم','contrast',NULL,true),
('ar','غير أن','contrast',NULL,true),
('ar','في','stopword',NULL,true),
('ar','من','stopword',NULL,true),
('ar','على','stopword',NULL,true),
('ar','إلى','stopword',NULL,true),
('ar','الى','stopword',NULL,true),
('ar','عن','stopword',NULL,true),
('ar','مع','stopword',NULL,true),
('ar','هذا','stopword',NULL,true),
('ar','هذه','stopword',NULL,true),
('ar','ذلك','stopword',NULL,true),
('ar','التي','stopword',NULL,true),
('ar','الذي','stopword',NULL,true),
('ar','هو','stopword',NULL,true),
('ar','هي','stopword',NULL,true),
('ar','أنا','stopword',NULL,true),
('ar','انا','stopword',NULL,true),
('ar','أنت','stopword',NULL,true),
('ar','انت','stopword',NULL,true),
('ar','نحن','stopword',NULL,true),
('ar','هم','stopword',NULL,true),
('ar','كان','stopword',NULL,true),
('ar','كانت','stopword',NULL,true),
('ar','يكون','stopword',NULL,true),
('ar','قد','stopword',NULL,true),
('ar','لقد','stopword',NULL,true),
('ar','كل','stopword',NULL,true),
('ar','أو','stopword',NULL,true),
('ar','او','stopword',NULL,true),
('ar','ثم','stopword',NULL,true),
('ar','حتى','stopword',NULL,true),
('ar','عند','stopword',NULL,true),
('ar','منذ','stopword',NULL,true),
('ar','هل','stopword',NULL,true),
('ar','كيف','stopword',NULL,true),
('ar','متى','stopword',NULL,true),
('ar','أين','stopword',NULL,true),
('ar','لماذا','stopword',NULL,true),
('ar','ليش','stopword',NULL,true),
('ar','شو','stopword',NULL,true),
('ar','ايش','stopword',NULL,true),
('ar','وش','stopword',NULL,true),
('ar','إيش','stopword',NULL,true),
('ar','الطلب','stopword',NULL,true),
('ar','طلبي','stopword',NULL,true),
('ar','مرحبا','stopword',NULL,true),
('ar','السلام','stopword',NULL,true),
('ar','عليكم','stopword',NULL,true),
('ar','يا','stopword',NULL,true),
('ar','و','stopword',NULL,true),
('ar','ف','stopword',NULL,true),
('ar','اللي','stopword',NULL,true),
('ar','هاد','stopword',NULL,true),
('ar','هذي','stopword',NULL,true),
('ar','عشان','stopword',NULL,true),
('ar','علشان','stopword',NULL,true),
('ar','لأن','stopword',NULL,true),
('ar','لان','stopword',NULL,true),
('ar','انه','stopword',NULL,true),
('ar','أنه','stopword',NULL,true),
('ar','وال','prefix',NULL,true),
('ar','بال','prefix',NULL,true),
('ar','فال','prefix',NULL,true),
('ar','كال','prefix',NULL,true),
('ar','لل','prefix',NULL,true),
('ar','ال','prefix',NULL,true),
('ar','و','prefix',NULL,true),
('ar','ف','prefix',NULL,true),
('ar','ب','prefix',NULL,true),
('ar','ل','prefix',NULL,true),
('ar','ك','prefix',NULL,true),
('ar','س','prefix',NULL,true),
('ar','ا','suffix',NULL,true),
('ar','ها','suffix',NULL,true),
('ar','هم','suffix',NULL,true),
('ar','هن','suffix',NULL,true),
('ar','كم','suffix',NULL,true),
('ar','كن','suffix',NULL,true),
('ar','نا','suffix',NULL,true),
('ar','ك','suffix',NULL,true),
('ar','ه','suffix',NULL,true),
('ar','ي','suffix',NULL,true),
('ar','ات','suffix',NULL,true),
('ar','ون','suffix',NULL,true),
('ar','ين','suffix',NULL,true),
('ar','ان','suffix',NULL,true),
('ar','تين','suffix',NULL,true),
('ar','وا','suffix',NULL,true),
('ar','ني','suffix',NULL,true),
('ar','تم','suffix',NULL,true),
('ar','ته','suffix',NULL,true),
('ar','تها','suffix',NULL,true),
('ar','كي','suffix',NULL,true);
INSERT INTO omni.profanity (language, term, severity, builtin) VALUES
('ar','كلب',2,true),
('ar','يا كلب',3,true),
('ar','حمار',2,true),
('ar','يا حمار',2,true),
('ar','حيوان',2,true),
('ar','يا حيوان',3,true),
('ar','غبي',2,true),
('ar','غبية',2,true),
('ar','أحمق',2,true),
('ar','احمق',2,true),
('ar','تافه',2,true),
('ar','منيك',3,true),
('ar','شرموطة',3,true),
('ar','شرموط',3,true),
('ar','قحبة',3,true),
('ar','عاهرة',3,true),
('ar','كس',3,true),
('ar','كسمك',3,true),
('ar','كس امك',3,true),
('ar','زق',2,true),
('ar','خرا',2,true),
('ar','خرة',2,true),
('ar','تفو',2,true),
('ar','يلعن',2,true),
('ar','يلعن ابوك',3,true),
('ar','الله يلعنك',3,true),
('ar','ابن الكلب',3,true),
('ar','ابن الحرام',3,true),
('ar','وسخ',2,true),
('ar','زبالة',2,true),
('ar','حقير',3,true),
('ar','حقيرة',3,true),
('ar','لعنة',2,true),
('ar','ملعون',2,true),
('ar','طز',1,true),
('ar','متخلف',2,true),
('ar','معفن',2,true);
INSERT INTO omni.lexicon (language, term, valence, builtin) VALUES
('da','god',1.9,true),
('da','godt',1.9,true),
('da','gode',1.9,true),
('da','rigtig god',2.6,true),
('da','rigtig godt',2.6,true),
('da','super',2.5,true),
('da','fantastisk',3.0,true),
('da','fremragende',3.1,true),
('da','fremragende service',3.2,true),
('da','glimrende',2.9,true),
('da','fin',1.4,true),
('da','fint',1.4,true),
('da','fine',1.4,true),
('da','flot',2.2,true),
('da','flotte',2.2,true),
('da','dejlig',2.4,true),
('da','dejligt',2.4,true),
('da','skøn',2.4,true),
('da','skønt',2.4,true),
('da','perfekt',3.0,true),
('da','genialt',2.8,true),
('da','genial',2.8,true),
('da','top',1.8,true),
('da','sej',1.8,true),
('da','sejt',1.8,true),
('da','glad',2.3,true),
('da','glade',2.3,true),
('da','lykkelig',2.6,true),
('da','tilfreds',2.0,true),
('da','tilfredse',2.0,true),
('da','taknemmelig',2.2,true),
('da','tak',1.8,true),
('da','mange tak',2.4,true),
('da','tusind tak',2.7,true),
('da','tak for hjælpen',2.4,true),
('da','hjælpsom',1.9,true),
('da','hjælpsomme',1.9,true),
('da','brugbar',1.5,true),
('da','hurtig',1.2,true),
('da','hurtigt',1.2,true),
('da','hurtige',1.2,true),
('da','nem',1.3,true),
('da','nemt',1.3,true),
('da','venlig',2.1,true),
('da','venlige',2.1,true),
('da','sød',2.0,true),
('da','søde',2.0,true),
('da','høflig',1.6,true),
('da','kompetent',1.8,true),
('da','professionel',1.4,true),
('da','effektiv',1.6,true),
('da','anbefale',1.6,true),
('da','anbefaler',1.8,true),
('da','kan anbefales',2.2,true),
('da','bedre',1.8,true),
('da','bedst',2.8,true),
('da','bedste',2.8,true),
('da','løst',1.6,true),
('da','ordnet',1.3,true),
('da','virker',1.1,true),
('da','fungerer',1.1,true),
('da','lykkedes',1.8,true),
('da','imponeret',2.3,true),
('da','imponerende',2.5,true),
('da','behagelig',1.9,true),
('da','fair',1.2,true),
('da','billig',0.6,true),
('da','billigt',0.6,true),
('da','rigtigt',0.6,true),
('da','korrekt',0.9,true),
('da','sjov',1.8,true),
('da','sjovt',1.8,true),
('da','ja',0.5,true),
('da','okay',0.5,true),
('da','alt godt',1.8,true),
('da','ingen problemer',1.5,true),
('da','intet problem',1.5,true),
('da','hjælp',0.6,true),
('da','hjulpet',1.6,true),
('da','pålidelig',1.6,true),
('da','til tiden',1.1,true),
('da','glæde',2.6,true),
('da','elsker',3.0,true),
('da','kan lide',1.8,true),
('da','lide',1.6,true),
('da','vildt godt',3.0,true),
('da','mega godt',3.0,true),
('da','kanon',2.5,true),
('da','herligt',2.6,true),
('da','tak skal du have',2.4,true),
('da','god service',2.6,true),
('da','dårlig',-2.5,true),
('da','dårligt',-2.5,true),
('da','dårlige',-2.5,true),
('da','rigtig dårlig',-3.0,true),
('da','elendig',-3.1,true),
('da','elendigt',-3.1,true),
('da','forfærdelig',-3.1,true),
('da','forfærdeligt',-3.1,true),
('da','frygtelig',-3.0,true),
('da','frygteligt',-3.0,true),
('da','katastrofe',-3.0,true),
('da','katastrofalt',-3.2,true),
('da','ringe',-2.2,true),
('da','værst',-3.3,true),
('da','værste',-3.3,true),
('da','værre',-2.4,true),
('da','skuffet',-2.4,true),
('da','skuffende',-2.5,true),
('da','skuffelse',-2.5,true),
('da','trist',-2.1,true),
('da','ked af det',-2.2,true),
('da','sur',-2.3,true),
('da','vred',-2.8,true),
('da','rasende',-3.2,true),
('da','irriteret',-2.1,true),
('da','irriterende',-2.2,true),
('da','frustreret',-2.4,true),
('da','frustrerende',-2.5,true),
('da','hader',-3.0,true),
('da','utilfreds',-2.3,true),
('da','ubrugelig',-2.4,true),
('da','ubrugeligt',-2.4,true),
('da','i stykker',-2.2,true),
('da','ødelagt',-2.3,true),
('da','defekt',-2.2,true),
('da','forkert',-2.0,true),
('da','forkerte',-2.0,true),
('da','fejl',-1.5,true),
('da','problem',-1.7,true),
('da','problemer',-1.7,true),
('da','langsom',-1.6,true),
('da','langsomt',-1.6,true),
('da','forsinket',-1.7,true),
('da','forsinkelse',-1.6,true),
('da','mistet',-1.6,true),
('da','væk',-0.8,true),
('da','uhøflig',-2.5,true),
('da','uforskammet',-2.9,true),
('da','inkompetent',-2.9,true),
('da','latterlig',-2.5,true),
('da','latterligt',-2.5,true),
('da','uacceptabelt',-2.9,true),
('da','uacceptabel',-2.9,true),
('da','skandale',-2.8,true),
('da','skandaløst',-2.9,true),
('da','svindel',-3.1,true),
('da','snyd',-2.8,true),
('da','snydt',-2.8,true),
('da','løgn',-2.4,true),
('da','løj',-2.5,true),
('da','klage',-1.8,true),
('da','refusion',-0.9,true),
('da','pengene tilbage',-1.6,true),
('da','opsige',-1.3,true),
('da','afmelde',-1.0,true),
('da','spild',-2.2,true),
('da','spild af tid',-2.6,true),
('da','skrald',-2.6,true),
('da','dyr',-1.3,true),
('da','dyrt',-1.3,true),
('da','for dyrt',-2.0,true),
('da','aldrig',-0.5,true),
('da','ingen',-0.5,true),
('da','intet',-0.5,true),
('da','ingenting',-0.6,true),
('da','desværre',-1.4,true),
('da','svært',-1.5,true),
('da','umuligt',-2.0,true),
('da','besværligt',-1.6,true),
('da','bekymret',-1.8,true),
('da','træt',-1.5,true),
('da','pinligt',-2.4,true),
('da','ignoreret',-2.0,true),
('da','venter stadig',-2.0,true),
('da','stadig ikke',-1.9,true),
('da','virker ikke',-2.1,true),
('da','intet svar',-2.0,true),
('da','aldrig igen',-2.4,true),
('da','uden svar',-1.9,true),
('da','håbløst',-2.5,true),
('da','håbløs',-2.5,true),
('da','noget lort',-3.0,true),
('da','elendig service',-3.3,true),
('da','dårlig service',-2.9,true),
('da','lang tid',-1.2,true),
('da','ventetid',-0.9,true);
INSERT INTO omni.lexicon_rule (language, term, kind, weight, builtin) VALUES
('da','ikke','negator',NULL,true),
('da','aldrig','negator',NULL,true),
('da','ingen','negator',NULL,true),
('da','intet','negator',NULL,true),
('da','ingenting','negator',NULL,true),
('da','uden','negator',NULL,true),
('da','hverken','negator',NULL,true),
('da','ej','negator',NULL,true),
('da','næppe','negator',NULL,true),
('da','ikke','negator_post',NULL,true),
('da','aldrig','negator_post',NULL,true),
('da','meget','intensifier',0.293,true),
('da','rigtig','intensifier',0.3,true),
('da','virkelig','intensifier',0.3,true),
('da','så','intensifier',0.25,true),
('da','totalt','intensifier',0.3,true),
('da','helt','intensifier',0.25,true),
('da','fuldstændig','intensifier',0.3,true),
('da','absolut','intensifier',0.35,true),
('da','ekstremt','intensifier',0.4,true),
('da','utrolig','intensifier',0.35,true),
('da','utroligt','intensifier',0.35,true),
('da','særlig','intensifier',0.25,true),
('da','særligt','intensifier',0.25,true),
('da','super','intensifier',0.3,true),
('da','mega','intensifier',0.3,true),
('da','vildt','intensifier',0.3,true),
('da','ret','intensifier',0.15,true),
('da','for','intensifier',0.2,true),
('da','enormt','intensifier',0.35,true),
('da','pisse','intensifier',0.35,true),
('da','mere','intensifier',0.2,true),
('da','lidt','diminisher',0.25,true),
('da','en smule','diminisher',0.25,true),
('da','smule','diminisher',0.25,true),
('da','næsten','diminisher',0.2,true),
('da','nogenlunde','diminisher',0.25,true),
('da','relativt','diminisher',0.2,true),
('da','knap','diminisher',0.3,true),
('da','men','contrast',NULL,true),
('da','dog','contrast',NULL,true),
('da','alligevel','contrast',NULL,true),
('da','selvom','contrast',NULL,true),
('da','derimod','contrast',NULL,true),
('da','imidlertid','contrast',NULL,true),
('da','og','stopword',NULL,true),
('da','eller','stopword',NULL,true),
('da','er','stopword',NULL,true),
('da','var','stopword',NULL,true),
('da','jeg','stopword',NULL,true),
('da','du','stopword',NULL,true),
('da','han','stopword',NULL,true),
('da','hun','stopword',NULL,true),
('da','det','stopword',NULL,true),
('da','den','stopword',NULL,true),
('da','de','stopword',NULL,true),
('da','vi','stopword',NULL,true),
('da','i','stopword',NULL,true),
('da','min','stopword',NULL,true),
('da','mit','stopword',NULL,true),
('da','mine','stopword',NULL,true),
('da','din','stopword',NULL,true),
('da','dit','stopword',NULL,true),
('da','jeres','stopword',NULL,true),
('da','at','stopword',NULL,true),
('da','af','stopword',NULL,true),
('da','med','stopword',NULL,true),
('da','til','stopword',NULL,true),
('da','for','stopword',NULL,true),
('da','på','stopword',NULL,true),
('da','om','stopword',NULL,true),
('da','fra','stopword',NULL,true),
('da','hvordan','stopword',NULL,true),
('da','hvornår','stopword',NULL,true),
('da','hvor','stopword',NULL,true),
('da','hvorfor','stopword',NULL,true),
('da','hej','stopword',NULL,true),
('da','bestilling','stopword',NULL,true),
('da','ordre','stopword',NULL,true),
('da','fordi','stopword',NULL,true),
('da','allerede','stopword',NULL,true),
('da','stadig','stopword',NULL,true),
('da','har','stopword',NULL,true),
('da','havde','stopword',NULL,true),
('da','blev','stopword',NULL,true),
('da','mig','stopword',NULL,true),
('da','os','stopword',NULL,true),
('da','jer','stopword',NULL,true),
('da','en','stopword',NULL,true),
('da','et','stopword',NULL,true),
('da','ikke','stopword',NULL,true),
('da','meget','stopword',NULL,true),
('da','men','stopword',NULL,true),
('da','konto','stopword',NULL,true),
('da','tak','stopword',NULL,true),
('da','venlig','stopword',NULL,true),
('da','hilsen','stopword',NULL,true),
('da','kan','stopword',NULL,true),
('da','skal','stopword',NULL,true),
('da','vil','stopword',NULL,true),
('da','også','stopword',NULL,true),
('da','nu','stopword',NULL,true),
('da','bare','stopword',NULL,true),
('da','e','suffix',NULL,true),
('da','er','suffix',NULL,true),
('da','ene','suffix',NULL,true),
('da','en','suffix',NULL,true),
('da','et','suffix',NULL,true),
('da','ede','suffix',NULL,true),
('da','te','suffix',NULL,true),
('da','t','suffix',NULL,true),
('da','s','suffix',NULL,true),
('da','es','suffix',NULL,true),
('da','ende','suffix',NULL,true),
('da','hed','suffix',NULL,true),
('da','heden','suffix',NULL,true),
('da','lig','suffix',NULL,true),
('da','lige','suffix',NULL,true),
('da','ligt','suffix',NULL,true),
('da','ning','suffix',NULL,true),
('da','ningen','suffix',NULL,true);
INSERT INTO omni.profanity (language, term, severity, builtin) VALUES
('da','lort',2,true),
('da','fuck',2,true),
('da','fucking',2,true),
('da','fanden',2,true),
('da','for fanden',2,true),
('da','satans',2,true),
('da','satan',1,true),
('da','pis',2,true),
('da','pisse',1,true),
('da','røv',2,true),
('da','røvhul',3,true),
('da','idiot',2,true),
('da','idioter',2,true),
('da','kraftedeme',2,true),
('da','helvede',1,true),
('da','fandme',2,true),
('da','luder',3,true),
('da','kælling',3,true),
('da','skid',2,true),
('da','skide',2,true),
('da','møgbutik',2,true),
('da','nar',2,true),
('da','klaphat',2,true),
('da','tåbe',2,true),
('da','spasser',3,true),
('da','kusse',3,true),
('da','pik',3,true),
('da','fisse',3,true);
INSERT INTO omni.lexicon (language, term, valence, builtin) VALUES
('de','gut',1.9,true),
('de','gute',1.9,true),
('de','guter',1.9,true),
('de','gutes',1.9,true),
('de','sehr gut',2.6,true),
('de','toll',2.6,true),
('de','tolle',2.6,true),
('de','super',2.5,true),
('de','klasse',2.6,true),
('de','prima',2.5,true),
('de','spitze',2.8,true),
('de','hervorragend',3.1,true),
('de','ausgezeichnet',3.1,true),
('de','exzellent',3.1,true),
('de','fantastisch',3.0,true),
('de','wunderbar',3.0,true),
('de','wundervoll',3.0,true),
('de','großartig',3.0,true),
('de','grossartig',3.0,true),
('de','perfekt',3.0,true),
('de','genial',2.8,true),
('de','top',1.8,true),
('de','cool',1.5,true),
('de','schön',2.2,true),
('de','schöne',2.2,true),
('de','froh',2.3,true),
('de','glücklich',2.6,true),
('de','zufrieden',2.0,true),
('de','dankbar',2.2,true),
('de','danke',1.9,true),
('de','vielen dank',2.4,true),
('de','danke schön',2.3,true),
('de','dankeschön',2.3,true),
('de','herzlichen dank',2.6,true),
('de','hilfreich',1.9,true),
('de','nützlich',1.6,true),
('de','schnell',1.2,true),
('de','schnelle',1.2,true),
('de','einfach',0.8,true),
('de','freundlich',2.1,true),
('de','freundliche',2.1,true),
('de','nett',1.8,true),
('de','höflich',1.6,true),
('de','kompetent',1.8,true),
('de','professionell',1.4,true),
('de','effizient',1.6,true),
('de','empfehlen',1.6,true),
('de','empfehlenswert',2.0,true),
('de','besser',1.8,true),
('de','beste',2.8,true),
('de','am besten',2.8,true),
('de','gelöst',1.6,true),
('de','erledigt',1.2,true),
('de','funktioniert',1.1,true),
('de','klappt',1.3,true),
('de','hat geklappt',1.6,true),
('de','erfolgreich',2.1,true),
('de','beeindruckend',2.5,true),
('de','angenehm',2.0,true),
('de','fair',1.2,true),
('de','günstig',1.0,true),
('de','richtig',0.6,true),
('de','korrekt',0.9,true),
('de','lustig',1.8,true),
('de','ja',0.5,true),
('de','okay',0.5,true),
('de','alles gut',1.8,true),
('de','alles klar',1.2,true),
('de','kein problem',1.5,true),
('de','keine probleme',1.5,true),
('de','hilfe',0.6,true),
('de','geholfen',1.6,true),
('de','zuverlässig',1.6,true),
('de','pünktlich',1.3,true),
('de','freue',2.0,true),
('de','freude',2.6,true),
('de','liebe',2.6,true),
('de','lieben',2.4,true),
('de','mag',1.5,true),
('de','gefällt',1.8,true),
('de','begeistert',2.9,true),
('de','bravo',2.4,true),
('de','spitzenmäßig',3.0,true),
('de','klasse service',2.8,true),
('de','vorbildlich',2.6,true),
('de','reibungslos',1.9,true),
('de','unkompliziert',1.7,true),
('de','schlecht',-2.5,true),
('de','schlechte',-2.5,true),
('de','schlechter',-2.5,true),
('de','sehr schlecht',-3.0,true),
('de','schrecklich',-3.1,true),
('de','furchtbar',-3.1,true),
('de','fürchterlich',-3.1,true),
('de','katastrophal',-3.2,true),
('de','katastrophe',-3.0,true),
('de','miserabel',-3.1,true),
('de','mies',-2.5,true),
('de','mangelhaft',-2.3,true),
('de','ungenügend',-2.3,true),
('de','schlimm',-2.4,true),
('de','schlimmste',-3.3,true),
('de','enttäuscht',-2.4,true),
('de','enttäuschend',-2.5,true),
('de','enttäuschung',-2.5,true),
('de','traurig',-2.1,true),
('de','ärgerlich',-2.2,true),
('de','verärgert',-2.5,true),
('de','wütend',-2.9,true),
('de','sauer',-2.4,true),
('de','genervt',-2.2,true),
('de','nervig',-2.1,true),
('de','frustriert',-2.4,true),
('de','frustrierend',-2.5,true),
('de','hasse',-3.0,true),
('de','unzufrieden',-2.3,true),
('de','nutzlos',-2.4,true),
('de','kaputt',-2.2,true),
('de','beschädigt',-2.0,true),
('de','defekt',-2.2,true),
('de','fehlerhaft',-2.1,true),
('de','falsch',-2.0,true),
('de','fehler',-1.4,true),
('de','problem',-1.7,true),
('de','probleme',-1.7,true),
('de','langsam',-1.6,true),
('de','verspätet',-1.6,true),
('de','verspätung',-1.6,true),
('de','verloren',-1.6,true),
('de','unhöflich',-2.5,true),
('de','frech',-2.2,true),
('de','inkompetent',-2.9,true),
('de','lächerlich',-2.5,true),
('de','inakzeptabel',-2.9,true),
('de','unverschämt',-2.9,true),
('de','unverschämtheit',-3.0,true),
('de','frechheit',-2.9,true),
('de','schande',-2.6,true),
('de','betrug',-3.1,true),
('de','betrüger',-3.2,true),
('de','abzocke',-3.0,true),
('de','lüge',-2.4,true),
('de','gelogen',-2.5,true),
('de','beschwerde',-1.8,true),
('de','reklamation',-1.6,true),
('de','erstattung',-0.8,true),
('de','rückerstattung',-0.9,true),
('de','kündigen',-1.4,true),
('de','kündigung',-1.3,true),
('de','desaster',-3.0,true),
('de','müll',-2.8,true),
('de','teuer',-1.3,true),
('de','zu teuer',-2.0,true),
('de','nie',-0.5,true),
('de','niemand',-0.8,true),
('de','nichts',-0.6,true),
('de','leider',-1.4,true),
('de','schwierig',-1.5,true),
('de','unmöglich',-2.0,true),
('de','kompliziert',-1.3,true),
('de','sorgen',-1.5,true),
('de','besorgt',-1.8,true),
('de','müde',-1.4,true),
('de','eklig',-2.8,true),
('de','peinlich',-2.4,true),
('de','skandal',-2.8,true),
('de','skandalös',-2.9,true),
('de','ignoriert',-2.0,true),
('de','warte immer noch',-2.0,true),
('de','warte seit',-1.4,true),
('de','immer noch nicht',-1.9,true),
('de','funktioniert nicht',-2.1,true),
('de','geht nicht',-1.8,true),
('de','keine antwort',-2.0,true),
('de','nie wieder',-2.4,true),
('de','ohne antwort',-1.9,true),
('de','zumutung',-2.8,true),
('de','ärger',-2.2,true),
('de','sinnlos',-2.2,true),
('de','unbrauchbar',-2.5,true),
('de','chaos',-2.2,true),
('de','schade',-1.5,true),
('de','ätzend',-2.6,true),
('de','grauenhaft',-3.1,true),
('de','dreist',-2.6,true),
('de','verarscht',-2.8,true),
('de','wartezeit',-0.8,true),
('de','ewig',-1.2,true);
INSERT INTO omni.lexicon_rule (language, term, kind, weight, builtin) VALUES
('de','nicht','negator',NULL,true),
('de','nie','negator',NULL,true),
('de','niemals','negator',NULL,true),
('de','kein','negator',NULL,true),
('de','keine','negator',NULL,true),
('de','keinen','negator',NULL,true),
('de','keinem','negator',NULL,true),
('de','keiner','negator',NULL,true),
('de','keines','negator',NULL,true),
('de','nichts','negator',NULL,true),
('de','ohne','negator',NULL,true),
('de','weder','negator',NULL,true),
('de','kaum','negator',NULL,true),
('de','nicht','negator_post',NULL,true),
('de','nie','negator_post',NULL,true),
('de','sehr','intensifier',0.293,true),
('de','wirklich','intensifier',0.3,true),
('de','echt','intensifier',0.3,true),
('de','so','intensifier',0.25,true),
('de','total','intensifier',0.3,true),
('de','völlig','intensifier',0.3,true),
('de','absolut','intensifier',0.35,true),
('de','extrem','intensifier',0.4,true),
('de','unglaublich','intensifier',0.35,true),
('de','besonders','intensifier',0.25,true),
('de','äußerst','intensifier',0.35,true),
('de','super','intensifier',0.3,true),
('de','mega','intensifier',0.3,true),
('de','richtig','intensifier',0.25,true),
('de','ziemlich','intensifier',0.15,true),
('de','zu','intensifier',0.2,true),
('de','ganz','intensifier',0.2,true),
('de','außerordentlich','intensifier',0.35,true),
('de','höchst','intensifier',0.35,true),
('de','voll','intensifier',0.25,true),
('de','mehr','intensifier',0.2,true),
('de','etwas','diminisher',0.25,true),
('de','ein bisschen','diminisher',0.25,true),
('de','bisschen','diminisher',0.25,true),
('de','leicht','diminisher',0.25,true),
('de','kaum','diminisher',0.3,true),
('de','fast','diminisher',0.2,true),
('de','eher','diminisher',0.15,true),
('de','relativ','diminisher',0.2,true),
('de','einigermaßen','diminisher',0.25,true),
('de','aber','contrast',NULL,true),
('de','jedoch','contrast',NULL,true),
('de','doch','contrast',NULL,true),
('de','trotzdem','contrast',NULL,true),
('de','allerdings','contrast',NULL,true),
('de','obwohl','contrast',NULL,true),
('de','sondern','contrast',NULL,true),
('de','alles','stopword',NULL,true),
('de','vielen','stopword',NULL,true),
('de','dank','stopword',NULL,true),
('de','viel','stopword',NULL,true),
('de','der','stopword',NULL,true),
('de','die','stopword',NULL,true),
('de','das','stopword',NULL,true),
('de','den','stopword',NULL,true),
('de','dem','stopword',NULL,true),
('de','des','stopword',NULL,true),
('de','ein','stopword',NULL,true),
('de','eine','stopword',NULL,true),
('de','einen','stopword',NULL,true),
('de','einem','stopword',NULL,true),
('de','und','stopword',NULL,true),
('de','oder','stopword',NULL,true),
('de','ist','stopword',NULL,true),
('de','sind','stopword',NULL,true),
('de','bin','stopword',NULL,true),
('de','war','stopword',NULL,true),
('de','ich','stopword',NULL,true),
('de','du','stopword',NULL,true),
('de','sie','stopword',NULL,true),
('de','er','stopword',NULL,true),
('de','es','stopword',NULL,true),
('de','wir','stopword',NULL,true),
('de','ihr','stopword',NULL,true),
('de','mein','stopword',NULL,true),
('de','meine','stopword',NULL,true),
('de','meinen','stopword',NULL,true),
('de','ihre','stopword',NULL,true),
('de','zu','stopword',NULL,true),
('de','von','stopword',NULL,true),
('de','mit','stopword',NULL,true),
('de','für','stopword',NULL,true),
('de','auf','stopword',NULL,true),
('de','im','stopword',NULL,true),
('de','in','stopword',NULL,true),
('de','an','stopword',NULL,true),
('de','bei','stopword',NULL,true),
('de','nach','stopword',NULL,true),
('de','wie','stopword',NULL,true),
('de','wann','stopword',NULL,true),
('de','wo','stopword',NULL,true),
('de','warum','stopword',NULL,true),
('de','hallo','stopword',NULL,true),
('de','bestellung','stopword',NULL,true),
('de','weil','stopword',NULL,true),
('de','schon','stopword',NULL,true),
('de','noch','stopword',NULL,true),
('de','auch','stopword',NULL,true),
('de','habe','stopword',NULL,true),
('de','hat','stopword',NULL,true),
('de','haben','stopword',NULL,true),
('de','wurde','stopword',NULL,true),
('de','mir','stopword',NULL,true),
('de','mich','stopword',NULL,true),
('de','uns','stopword',NULL,true),
('de','ihnen','stopword',NULL,true),
('de','dass','stopword',NULL,true),
('de','nicht','stopword',NULL,true),
('de','kein','stopword',NULL,true),
('de','keine','stopword',NULL,true),
('de','sehr','stopword',NULL,true),
('de','aber','stopword',NULL,true),
('de','konto','stopword',NULL,true),
('de','bitte','stopword',NULL,true),
('de','seit','stopword',NULL,true),
('de','immer','stopword',NULL,true),
('de','e','suffix',NULL,true),
('de','en','suffix',NULL,true),
('de','er','suffix',NULL,true),
('de','es','suffix',NULL,true),
('de','em','suffix',NULL,true),
('de','n','suffix',NULL,true),
('de','s','suffix',NULL,true),
('de','st','suffix',NULL,true),
('de','t','suffix',NULL,true),
('de','te','suffix',NULL,true),
('de','ten','suffix',NULL,true),
('de','et','suffix',NULL,true),
('de','ung','suffix',NULL,true),
('de','ungen','suffix',NULL,true),
('de','lich','suffix',NULL,true),
('de','keit','suffix',NULL,true),
('de','heit','suffix',NULL,true),
('de','ig','suffix',NULL,true),
('de','ige','suffix',NULL,true),
('de','igen','suffix',NULL,true),
('de','iger','suffix',NULL,true);
INSERT INTO omni.profanity (language, term, severity, builtin) VALUES
('de','scheiße',2,true),
('de','scheisse',2,true),
('de','scheiß',2,true),
('de','scheiss',2,true),
('de','verdammt',1,true),
('de','verdammte',2,true),
('de','arschloch',3,true),
('de','arsch',2,true),
('de','fick',3,true),
('de','ficken',3,true),
('de','fick dich',3,true),
('de','verpiss dich',3,true),
('de','wichser',3,true),
('de','hurensohn',3,true),
('de','hure',3,true),
('de','fotze',3,true),
('de','idiot',2,true),
('de','idioten',2,true),
('de','depp',2,true),
('de','trottel',2,true),
('de','vollidiot',3,true),
('de','blödmann',2,true),
('de','mist',1,true),
('de','kacke',2,true),
('de','drecks',2,true),
('de','dreck',1,true),
('de','schwachsinn',2,true),
('de','bescheuert',2,true),
('de','scheißladen',3,true),
('de','scheissladen',3,true),
('de','missgeburt',3,true),
('de','spast',3,true),
('de','behindert',2,true),
('de','leck mich',3,true);
INSERT INTO omni.lexicon (language, term, valence, builtin) VALUES
('en','good',1.9,true),
('en','great',3.1,true),
('en','excellent',3.2,true),
('en','amazing',2.9,true),
('en','awesome',3.1,true),
('en','fantastic',3.0,true),
('en','wonderful',3.0,true),
('en','perfect',3.0,true),
('en','brilliant',2.9,true),
('en','outstanding',3.0,true),
('en','superb',3.1,true),
('en','terrific',2.9,true),
('en','incredible',2.6,true),
('en','nice',1.8,true),
('en','fine',0.8,true),
('en','happy',2.7,true),
('en','glad',2.1,true),
('en','pleased',2.1,true),
('en','satisfied',1.9,true),
('en','delighted',3.0,true),
('en','thrilled',2.9,true),
('en','love',3.2,true),
('en','loved',2.9,true),
('en','loving',2.8,true),
('en','lovely',2.8,true),
('en','like',1.5,true),
('en','liked',1.5,true),
('en','likes',1.5,true),
('en','enjoy',2.2,true),
('en','enjoyed',2.2,true),
('en','thanks',1.9,true),
('en','thank',1.5,true),
('en','thankful',2.0,true),
('en','grateful',2.2,true),
('en','appreciate',2.0,true),
('en','appreciated',2.1,true),
('en','helpful',1.9,true),
('en','useful',1.6,true),
('en','quick',1.0,true),
('en','fast',1.1,true),
('en','quickly',1.0,true),
('en','easy',1.4,true),
('en','easier',1.2,true),
('en','smooth',1.3,true),
('en','friendly',2.2,true),
('en','kind',2.0,true),
('en','polite',1.6,true),
('en','patient',1.3,true),
('en','professional',1.4,true),
('en','efficient',1.6,true),
('en','reliable',1.6,true),
('en','recommend',1.6,true),
('en','recommended',1.6,true),
('en','best',3.0,true),
('en','better',1.9,true),
('en','beautiful',2.9,true),
('en','cool',1.3,true),
('en','solved',1.7,true),
('en','resolved',1.6,true),
('en','fixed',1.4,true),
('en','works',1.0,true),
('en','working',0.6,true),
('en','worked',1.1,true),
('en','success',2.2,true),
('en','successful',2.1,true),
('en','impressed',2.2,true),
('en','impressive',2.3,true),
('en','exceptional',2.8,true),
('en','positive',1.6,true),
('en','pleasant',2.2,true),
('en','pleasure',2.3,true),
('en','fair',1.2,true),
('en','reasonable',1.0,true),
('en','cheap',0.6,true),
('en','affordable',1.2,true),
('en','worth',1.2,true),
('en','worthwhile',1.6,true),
('en','correct',0.9,true),
('en','right',0.6,true),
('en','fun',2.3,true),
('en','favorite',2.0,true),
('en','favourite',2.0,true),
('en','relieved',1.7,true),
('en','relief',1.6,true),
('en','calm',1.2,true),
('en','safe',1.3,true),
('en','secure',1.2,true),
('en','clear',0.9,true),
('en','clean',1.2,true),
('en','fresh',1.1,true),
('en','welcome',1.8,true),
('en','congrats',2.4,true),
('en','congratulations',2.5,true),
('en','cheers',1.8,true),
('en','hooray',2.6,true),
('en','yes',0.7,true),
('en','yeah',0.6,true),
('en','sure',0.5,true),
('en','wow',1.8,true),
('en','excited',2.2,true),
('en','exciting',2.2,true),
('en','lifesaver',2.6,true),
('en','hero',2.3,true),
('en','legend',2.1,true),
('en','star',1.6,true),
('en','accurate',1.3,true),
('en','prompt',1.2,true),
('en','promptly',1.2,true),
('en','attentive',1.8,true),
('en','courteous',1.8,true),
('en','knowledgeable',1.6,true),
('en','generous',2.2,true),
('en','flawless',2.9,true),
('en','seamless',2.0,true),
('en','convenient',1.6,true),
('en','comfortable',1.6,true),
('en','satisfying',2.0,true),
('en','glorious',2.6,true),
('en','fabulous',3.0,true),
('en','marvelous',3.0,true),
('en','magnificent',3.0,true),
('en','stellar',2.8,true),
('en','phenomenal',3.0,true),
('en','wonderfully',3.0,true),
('en','happily',2.2,true),
('en','kindly',1.2,true),
('en','well',1.1,true),
('en','okay',0.5,true),
('en','alright',0.6,true),
('en','hope',1.2,true),
('en','hopefully',1.0,true),
('en','helped',1.6,true),
('en','support',0.6,true),
('en','trust',1.3,true),
('en','loyal',1.6,true),
('en','quality',0.8,true),
('en','pleasantly',2.0,true),
('en','improve',1.2,true),
('en','improved',1.6,true),
('en','improvement',1.4,true),
('en','gift',1.5,true),
('en','free',0.8,true),
('en','bonus',1.6,true),
('en','win',2.4,true),
('en','won',2.2,true),
('en','handy',1.3,true),
('en','smart',1.6,true),
('en','wise',1.6,true),
('en','cute',2.0,true),
('en','sweet',2.0,true),
('en','adore',2.9,true),
('en','awesomeness',3.0,true),
('en','rock',1.2,true),
('en','rocks',1.8,true),
('en','ace',1.8,true),
('en','neat',1.7,true),
('en','gorgeous',3.0,true),
('en','elegant',2.1,true),
('en','lucky',2.0,true),
('en','joy',2.8,true),
('en','hopeful',1.6,true),
('en','proud',2.0,true),
('en','fantastically',3.0,true),
('en','gladly',1.9,true),
('en','praise',2.2,true),
('en','cheerful',2.4,true),
('en','blessed',2.2,true),
('en','care',1.0,true),
('en','caring',2.0,true),
('en','supportive',2.0,true),
('en','responsive',1.5,true),
('en','valuable',2.0,true),
('en','eager',1.4,true),
('en','bless',1.8,true),
('en','bad',-2.5,true),
('en','terrible',-3.1,true),
('en','awful',-3.1,true),
('en','horrible',-3.2,true),
('en','horrendous',-3.3,true),
('en','worst',-3.4,true),
('en','worse',-2.3,true),
('en','poor',-2.1,true),
('en','poorly',-2.0,true),
('en','disappointed',-2.3,true),
('en','disappointing',-2.5,true),
('en','disappointment',-2.5,true),
('en','disappoint',-2.2,true),
('en','unhappy',-2.4,true),
('en','sad',-2.1,true),
('en','upset',-2.2,true),
('en','angry',-2.7,true),
('en','mad',-2.2,true),
('en','furious',-3.2,true),
('en','annoyed',-2.0,true),
('en','annoying',-2.2,true),
('en','frustrated',-2.4,true),
('en','frustrating',-2.5,true),
('en','frustration',-2.3,true),
('en','hate',-2.9,true),
('en','hated',-2.9,true),
('en','hates',-2.8,true),
('en','dislike',-1.8,true),
('en','useless',-2.4,true),
('en','pointless',-1.9,true),
('en','worthless',-2.6,true),
('en','broken',-2.1,true),
('en','broke',-1.6,true),
('en','damaged',-2.0,true),
('en','defective',-2.3,true),
('en','faulty',-2.2,true),
('en','wrong',-2.1,true),
('en','error',-1.4,true),
('en','errors',-1.4,true),
('en','fail',-2.2,true),
('en','failed',-2.2,true),
('en','failure',-2.5,true),
('en','fails',-2.1,true),
('en','problem',-1.7,true),
('en','problems',-1.7,true),
('en','issue',-1.2,true),
('en','issues',-1.2,true),
('en','slow',-1.6,true),
('en','slowly',-1.3,true),
('en','late',-1.5,true),
('en','delay',-1.5,true),
('en','delayed',-1.7,true),
('en','delays',-1.5,true),
('en','missing',-1.6,true),
('en','lost',-1.6,true),
('en','never',-0.5,true),
('en','rude',-2.6,true),
('en','unprofessional',-2.4,true),
('en','incompetent',-2.9,true),
('en','ridiculous',-2.5,true),
('en','unacceptable',-2.9,true),
('en','outrageous',-2.8,true),
('en','disgusting',-3.1,true),
('en','disgraceful',-3.0,true),
('en','pathetic',-2.9,true),
('en','shameful',-2.6,true),
('en','shame',-2.0,true),
('en','scam',-3.1,true),
('en','scammed',-3.1,true),
('en','fraud',-3.0,true),
('en','rip-off',-2.7,true),
('en','ripoff',-2.7,true),
('en','cheated',-2.8,true),
('en','lie',-2.2,true),
('en','lied',-2.5,true),
('en','lies',-2.3,true),
('en','liar',-2.8,true),
('en','misleading',-2.2,true),
('en','complaint',-1.8,true),
('en','complain',-1.7,true),
('en','complaining',-1.6,true),
('en','refund',-0.9,true),
('en','cancel',-1.1,true),
('en','cancelled',-1.3,true),
('en','canceled',-1.3,true),
('en','waste',-2.3,true),
('en','wasted',-2.4,true),
('en','wasting',-2.3,true),
('en','nightmare',-3.0,true),
('en','joke',-1.2,true),
('en','mess',-2.0,true),
('en','messed',-2.0,true),
('en','confusing',-1.6,true),
('en','confused',-1.5,true),
('en','difficult',-1.5,true),
('en','hard',-0.8,true),
('en','impossible',-1.9,true),
('en','expensive',-1.3,true),
('en','overpriced',-2.0,true),
('en','overcharged',-2.4,true),
('en','charged',-0.6,true),
('en','sorry',-0.6,true),
('en','unfortunately',-1.4,true),
('en','unfortunate',-1.6,true),
('en','unreliable',-2.2,true),
('en','unusable',-2.6,true),
('en','crash',-1.9,true),
('en','crashes',-1.9,true),
('en','crashed',-1.9,true),
('en','stuck',-1.6,true),
('en','bug',-1.3,true),
('en','bugs',-1.4,true),
('en','buggy',-2.0,true),
('en','garbage',-2.8,true),
('en','trash',-2.6,true),
('en','rubbish',-2.5,true),
('en','junk',-2.3,true),
('en','crap',-2.5,true),
('en','crappy',-2.6,true),
('en','sucks',-2.7,true),
('en','suck',-2.5,true),
('en','sucked',-2.5,true),
('en','stupid',-2.4,true),
('en','dumb',-2.2,true),
('en','idiot',-2.8,true),
('en','idiots',-2.8,true),
('en','ignored',-2.1,true),
('en','ignoring',-2.0,true),
('en','ignore',-1.5,true),
('en','nobody',-0.8,true),
('en','nothing',-0.6,true),
('en','worried',-1.8,true),
('en','worry',-1.5,true),
('en','concerned',-1.3,true),
('en','afraid',-1.8,true),
('en','scared',-2.0,true),
('en','fear',-2.0,true),
('en','hurt',-2.2,true),
('en','pain',-2.2,true),
('en','painful',-2.4,true),
('en','tired',-1.5,true),
('en','sick',-1.9,true),
('en','fed',-0.5,true),
('en','disaster',-3.0,true),
('en','disastrous',-3.0,true),
('en','catastrophe',-3.1,true),
('en','dreadful',-3.0,true),
('en','lousy',-2.5,true),
('en','mediocre',-1.4,true),
('en','inadequate',-1.9,true),
('en','insufficient',-1.6,true),
('en','unclear',-1.2,true),
('en','unavailable',-1.2,true),
('en','down',-0.8,true),
('en','dead',-2.0,true),
('en','nonsense',-2.2,true),
('en','absurd',-2.2,true),
('en','unbelievable',-1.0,true),
('en','hopeless',-2.5,true),
('en','helpless',-2.1,true),
('en','sucky',-2.4,true),
('en','terribly',-2.7,true),
('en','horribly',-2.8,true),
('en','badly',-2.3,true),
('en','shocking',-2.2,true),
('en','shocked',-1.9,true),
('en','appalling',-3.0,true),
('en','appalled',-2.8,true),
('en','offended',-2.2,true),
('en','offensive',-2.4,true),
('en','annoyance',-1.9,true),
('en','irritated',-2.0,true),
('en','irritating',-2.1,true),
('en','fuming',-3.0,true),
('en','livid',-3.2,true),
('en','disgusted',-3.0,true),
('en','dissatisfied',-2.3,true),
('en','unsatisfied',-2.1,true),
('en','regret',-1.9,true),
('en','regrets',-1.8,true),
('en','threat',-2.0,true),
('en','sue',-2.2,true),
('en','lawyer',-1.2,true),
('en','incorrect',-1.7,true),
('en','invalid',-1.3,true),
('en','denied',-1.8,true),
('en','declined',-1.4,true),
('en','rejected',-1.8,true),
('en','refused',-1.8,true),
('en','blocked',-1.4,true),
('en','fake',-2.3,true),
('en','careless',-2.0,true),
('en','negligent',-2.5,true),
('en','unhelpful',-2.3,true),
('en','clueless',-2.2,true),
('en','sloppy',-2.1,true),
('en','hassle',-1.8,true),
('en','inconvenient',-1.6,true),
('en','inconvenience',-1.6,true),
('en','terrifying',-2.7,true),
('en','angrier',-2.8,true),
('en','sadly',-1.7,true),
('en','cry',-2.0,true),
('en','crying',-2.1,true),
('en','tears',-1.8,true),
('en','yelling',-2.2,true),
('en','screaming',-2.3,true),
('en','rage',-3.0,true),
('en','hell',-2.0,true),
('en','ruined',-2.6,true),
('en','ruin',-2.4,true),
('en','destroyed',-2.6,true),
('en','leak',-1.4,true),
('en','leaking',-1.5,true),
('en','spam',-1.8,true),
('en','hack',-1.5,true),
('en','hacked',-2.2,true),
('en','stolen',-2.5,true),
('en','steal',-2.4,true),
('en','stealing',-2.6,true),
('en','unfair',-2.1,true),
('en','awkward',-1.2,true),
('en','poorest',-2.8,true),
('en','not bad',1.5,true),
('en','no problem',1.5,true),
('en','no problems',1.4,true),
('en','no worries',1.6,true),
('en','no issue',1.2,true),
('en','no issues',1.3,true),
('en','well done',2.4,true),
('en','thank you',2.0,true),
('en','thank you so much',2.8,true),
('en','thanks a lot',2.3,true),
('en','many thanks',2.3,true),
('en','much appreciated',2.3,true),
('en','works great',2.6,true),
('en','works perfectly',2.8,true),
('en','works now',1.6,true),
('en','working now',1.6,true),
('en','all good',1.8,true),
('en','looks good',1.7,true),
('en','sounds good',1.6,true),
('en','made my day',2.8,true),
('en','above and beyond',2.6,true),
('en','top notch',2.7,true),
('en','5 stars',2.5,true),
('en','five stars',2.5,true),
('en','one star',1.5,true),
('en','1 star',-2.0,true),
('en','still waiting',-1.8,true),
('en','still not',-1.0,true),
('en','cancel my account',-1.8,true),
('en','cancel my subscription',-1.4,true),
('en','close my account',-1.6,true),
('en','want my money back',-2.4,true),
('en','money back',-1.4,true),
('en','waste of time',-2.6,true),
('en','waste of money',-2.7,true),
('en','not working',-1.9,true),
('en','doesnt work',-2.0,true),
('en','never arrived',-2.2,true),
('en','never received',-2.1,true),
('en','not received',-1.8,true),
('en','no one',-0.9,true),
('en','no response',-1.9,true),
('en','no reply',-1.8,true),
('en','no answer',-1.6,true),
('en','on hold',-1.2,true),
('en','for hours',-1.2,true),
('en','for days',-1.3,true),
('en','for weeks',-1.5,true),
('en','again and again',-1.4,true),
('en','fed up',-2.4,true),
('en','sick of',-2.3,true),
('en','tired of',-2.0,true),
('en','had enough',-2.2,true),
('en','rip off',-2.7,true),
('en','let down',-2.1,true),
('en','let me down',-2.3,true),
('en','piece of junk',-2.8,true),
('en','charged twice',-2.3,true),
('en','double charged',-2.3,true),
('en','last time',-0.6,true),
('en','never again',-2.4,true),
('en','customer for years',0.5,true),
('en','look forward',1.4,true),
('en','looking forward',1.5,true),
('en','can''t wait',1.8,true),
('en','cant wait',1.8,true),
('en','so far so good',1.7,true),
('en','you guys rock',2.8,true),
('en','you rock',2.6,true),
('en','big help',2.2,true),
('en','very helpful',2.4,true),
('en','out of stock',-1.2,true),
('en','out of order',-1.6,true),
('en','wrong item',-2.0,true),
('en','wrong order',-2.0,true),
('en','no help',-2.2,true),
('en','not happy',-2.3,true),
('en','not satisfied',-2.2,true),
('en','not impressed',-2.0,true),
('en','kind of',0,true),
('en','sort of',0,true),
('en','how long',-0.8,true),
('en','what the hell',-2.6,true),
('en','at all',0,true),
('en','no way',-1.2,true),
('en','in stock',0.6,true),
('en','on time',1.0,true),
('en','as expected',0.8,true),
('en','good morning',0,true),
('en','good afternoon',0,true),
('en','good evening',0,true),
('en','good night',0.2,true),
('en','would like',0,true),
('en','i''d like',0,true),
('en','id like',0,true),
('en','looks like',0,true),
('en','seems like',0,true),
('en','feel like',0,true),
('en','can''t believe',0,true),
('en','cant believe',0,true),
('en','i can''t believe',0,true);
INSERT INTO omni.lexicon_rule (language, term, kind, weight, builtin) VALUES
('en','not','negator',NULL,true),
('en','no','negator',NULL,true),
('en','never','negator',NULL,true),
('en','none','negator',NULL,true),
('en','nobody','negator',NULL,true),
('en','nothing','negator',NULL,true),
('en','neither','negator',NULL,true),
('en','nor','negator',NULL,true),
('en','nowhere','negator',NULL,true),
('en','cannot','negator',NULL,true),
('en','can''t','negator',NULL,true),
('en','cant','negator',NULL,true),
('en','don''t','negator',NULL,true),
('en','dont','negator',NULL,true),
('en','doesn''t','negator',NULL,true),
('en','doesnt','negator',NULL,true),
('en','didn''t','negator',NULL,true),
('en','didnt','negator',NULL,true),
('en','isn''t','negator',NULL,true),
('en','isnt','negator',NULL,true),
('en','wasn''t','negator',NULL,true),
('en','wasnt','negator',NULL,true),
('en','aren''t','negator',NULL,true),
('en','arent','negator',NULL,true),
('en','weren''t','negator',NULL,true),
('en','werent','negator',NULL,true),
('en','won''t','negator',NULL,true),
('en','wont','negator',NULL,true),
('en','wouldn''t','negator',NULL,true),
('en','wouldnt','negator',NULL,true),
('en','shouldn''t','negator',NULL,true),
('en','shouldnt','negator',NULL,true),
('en','couldn''t','negator',NULL,true),
('en','couldnt','negator',NULL,true),
('en','haven''t','negator',NULL,true),
('en','havent','negator',NULL,true),
('en','hasn''t','negator',NULL,true),
('en','hasnt','negator',NULL,true),
('en','hadn''t','negator',NULL,true),
('en','hadnt','negator',NULL,true),
('en','ain''t','negator',NULL,true),
('en','aint','negator',NULL,true),
('en','without','negator',NULL,true),
('en','lack','negator',NULL,true),
('en','lacks','negator',NULL,true),
('en','lacking','negator',NULL,true),
('en','hardly','negator',NULL,true),
('en','barely','negator',NULL,true),
('en','rarely','negator',NULL,true),
('en','mustn''t','negator',NULL,true),
('en','needn''t','negator',NULL,true),
('en','very','intensifier',0.293,true),
('en','really','intensifier',0.293,true),
('en','so','intensifier',0.293,true),
('en','extremely','intensifier',0.4,true),
('en','incredibly','intensifier',0.35,true),
('en','absolutely','intensifier',0.35,true),
('en','totally','intensifier',0.3,true),
('en','completely','intensifier',0.3,true),
('en','utterly','intensifier',0.35,true),
('en','highly','intensifier',0.3,true),
('en','super','intensifier',0.3,true),
('en','too','intensifier',0.2,true),
('en','truly','intensifier',0.3,true),
('en','especially','intensifier',0.25,true),
('en','most','intensifier',0.25,true),
('en','more','intensifier',0.2,true),
('en','such','intensifier',0.25,true),
('en','quite','intensifier',0.15,true),
('en','pretty','intensifier',0.15,true),
('en','seriously','intensifier',0.3,true),
('en','deeply','intensifier',0.3,true),
('en','terribly','intensifier',0.35,true),
('en','awfully','intensifier',0.3,true),
('en','insanely','intensifier',0.35,true),
('en','ridiculously','intensifier',0.35,true),
('en','damn','intensifier',0.3,true),
('en','damned','intensifier',0.3,true),
('en','freaking','intensifier',0.35,true),
('en','fucking','intensifier',0.4,true),
('en','bloody','intensifier',0.3,true),
('en','way','intensifier',0.2,true),
('en','much','intensifier',0.2,true),
('en','hugely','intensifier',0.35,true),
('en','entirely','intensifier',0.3,true),
('en','exceptionally','intensifier',0.35,true),
('en','remarkably','intensifier',0.3,true),
('en','thoroughly','intensifier',0.3,true),
('en','particularly','intensifier',0.25,true),
('en','unbelievably','intensifier',0.35,true),
('en','amazingly','intensifier',0.3,true),
('en','extraordinarily','intensifier',0.35,true),
('en','majorly','intensifier',0.3,true),
('en','beyond','intensifier',0.2,true),
('en','real','intensifier',0.2,true),
('en','soooo','intensifier',0.35,true),
('en','slightly','diminisher',0.293,true),
('en','somewhat','diminisher',0.25,true),
('en','a bit','diminisher',0.25,true),
('en','a little','diminisher',0.25,true),
('en','little','diminisher',0.2,true),
('en','kinda','diminisher',0.25,true),
('en','kind of','diminisher',0.25,true),
('en','sort of','diminisher',0.25,true),
('en','sorta','diminisher',0.25,true),
('en','fairly','diminisher',0.2,true),
('en','barely','diminisher',0.3,true),
('en','hardly','diminisher',0.3,true),
('en','marginally','diminisher',0.3,true),
('en','partly','diminisher',0.2,true),
('en','occasionally','diminisher',0.2,true),
('en','almost','diminisher',0.2,true),
('en','mildly','diminisher',0.3,true),
('en','relatively','diminisher',0.2,true),
('en','rather','diminisher',0.15,true),
('en','reasonably','diminisher',0.15,true),
('en','but','contrast',NULL,true),
('en','however','contrast',NULL,true),
('en','although','contrast',NULL,true),
('en','though','contrast',NULL,true),
('en','yet','contrast',NULL,true),
('en','except','contrast',NULL,true),
('en','nevertheless','contrast',NULL,true),
('en','nonetheless','contrast',NULL,true),
('en','whereas','contrast',NULL,true),
('en','the','stopword',NULL,true),
('en','a','stopword',NULL,true),
('en','an','stopword',NULL,true),
('en','and','stopword',NULL,true),
('en','or','stopword',NULL,true),
('en','is','stopword',NULL,true),
('en','are','stopword',NULL,true),
('en','was','stopword',NULL,true),
('en','were','stopword',NULL,true),
('en','be','stopword',NULL,true),
('en','been','stopword',NULL,true),
('en','it','stopword',NULL,true),
('en','this','stopword',NULL,true),
('en','that','stopword',NULL,true),
('en','i','stopword',NULL,true),
('en','you','stopword',NULL,true),
('en','he','stopword',NULL,true),
('en','she','stopword',NULL,true),
('en','we','stopword',NULL,true),
('en','they','stopword',NULL,true),
('en','my','stopword',NULL,true),
('en','your','stopword',NULL,true),
('en','our','stopword',NULL,true),
('en','to','stopword',NULL,true),
('en','of','stopword',NULL,true),
('en','in','stopword',NULL,true),
('en','on','stopword',NULL,true),
('en','for','stopword',NULL,true),
('en','with','stopword',NULL,true),
('en','at','stopword',NULL,true),
('en','by','stopword',NULL,true),
('en','from','stopword',NULL,true),
('en','have','stopword',NULL,true),
('en','has','stopword',NULL,true),
('en','had','stopword',NULL,true),
('en','do','stopword',NULL,true),
('en','does','stopword',NULL,true),
('en','did','stopword',NULL,true),
('en','will','stopword',NULL,true),
('en','would','stopword',NULL,true),
('en','can','stopword',NULL,true),
('en','could','stopword',NULL,true),
('en','should','stopword',NULL,true),
('en','me','stopword',NULL,true),
('en','him','stopword',NULL,true),
('en','her','stopword',NULL,true),
('en','them','stopword',NULL,true),
('en','what','stopword',NULL,true),
('en','when','stopword',NULL,true),
('en','where','stopword',NULL,true),
('en','why','stopword',NULL,true),
('en','how','stopword',NULL,true),
('en','which','stopword',NULL,true),
('en','who','stopword',NULL,true),
('en','please','stopword',NULL,true),
('en','hi','stopword',NULL,true),
('en','hello','stopword',NULL,true),
('en','just','stopword',NULL,true),
('en','about','stopword',NULL,true),
('en','there','stopword',NULL,true),
('en','here','stopword',NULL,true),
('en','if','stopword',NULL,true),
('en','because','stopword',NULL,true),
('en','as','stopword',NULL,true),
('en','im','stopword',NULL,true),
('en','i''m','stopword',NULL,true),
('en','it''s','stopword',NULL,true),
('en','its','stopword',NULL,true),
('en','order','stopword',NULL,true),
('en','account','stopword',NULL,true),
('en','thanks','stopword',NULL,true),
('en','s','suffix',NULL,true),
('en','es','suffix',NULL,true),
('en','ed','suffix',NULL,true),
('en','d','suffix',NULL,true),
('en','ing','suffix',NULL,true),
('en','ly','suffix',NULL,true),
('en','e','suffix',NULL,true),
('en','er','suffix',NULL,true),
('en','est','suffix',NULL,true),
('en','ness','suffix',NULL,true),
('en','ment','suffix',NULL,true),
('en','ied','suffix',NULL,true),
('en','ies','suffix',NULL,true),
('en','y','suffix',NULL,true);
INSERT INTO omni.profanity (language, term, severity, builtin) VALUES
('en','fuck',2,true),
('en','fucking',2,true),
('en','fucked',2,true),
('en','fucker',3,true),
('en','motherfucker',3,true),
('en','shit',2,true),
('en','shitty',2,true),
('en','bullshit',2,true),
('en','asshole',3,true),
('en','ass',1,true),
('en','bitch',3,true),
('en','bastard',3,true),
('en','dick',2,true),
('en','dickhead',3,true),
('en','cunt',3,true),
('en','piss',1,true),
('en','pissed',2,true),
('en','cock',2,true),
('en','prick',3,true),
('en','twat',3,true),
('en','wanker',3,true),
('en','douche',2,true),
('en','douchebag',3,true),
('en','retard',3,true),
('en','retarded',3,true),
('en','slut',3,true),
('en','whore',3,true),
('en','fag',3,true),
('en','faggot',3,true),
('en','jackass',2,true),
('en','dumbass',2,true),
('en','damn',1,true),
('en','goddamn',2,true),
('en','crap',1,true),
('en','stfu',2,true),
('en','bollocks',2,true),
('en','arse',1,true),
('en','arsehole',3,true),
('en','screw you',2,true),
('en','kill yourself',3,true),
('en','go to hell',2,true);
INSERT INTO omni.lexicon (language, term, valence, builtin) VALUES
('es','bueno',1.9,true),
('es','buena',1.9,true),
('es','buenos',1.9,true),
('es','buenas',1.5,true),
('es','bien',1.6,true),
('es','genial',2.9,true),
('es','excelente',3.1,true),
('es','estupendo',2.9,true),
('es','fantástico',3.0,true),
('es','maravilloso',3.0,true),
('es','increíble',2.6,true),
('es','perfecto',3.0,true),
('es','perfecta',3.0,true),
('es','magnífico',3.0,true),
('es','brillante',2.7,true),
('es','espectacular',3.0,true),
('es','fenomenal',3.0,true),
('es','encantado',2.6,true),
('es','encantada',2.6,true),
('es','encanta',2.8,true),
('es','encantó',2.8,true),
('es','me encanta',3.0,true),
('es','gusta',1.6,true),
('es','gustó',1.7,true),
('es','me gusta',1.8,true),
('es','feliz',2.7,true),
('es','contento',2.3,true),
('es','contenta',2.3,true),
('es','satisfecho',2.0,true),
('es','satisfecha',2.0,true),
('es','agradecido',2.2,true),
('es','agradecida',2.2,true),
('es','gracias',1.9,true),
('es','muchas gracias',2.4,true),
('es','mil gracias',2.6,true),
('es','agradezco',2.0,true),
('es','útil',1.6,true),
('es','rápido',1.2,true),
('es','rápida',1.2,true),
('es','rápidamente',1.1,true),
('es','fácil',1.4,true),
('es','amable',2.1,true),
('es','amables',2.1,true),
('es','atento',1.8,true),
('es','atenta',1.8,true),
('es','profesional',1.4,true),
('es','eficiente',1.6,true),
('es','recomiendo',1.8,true),
('es','recomendable',1.8,true),
('es','mejor',1.9,true),
('es','lo mejor',2.8,true),
('es','bonito',2.2,true),
('es','bonita',2.2,true),
('es','resuelto',1.6,true),
('es','solucionado',1.7,true),
('es','funciona',1.1,true),
('es','funcionó',1.2,true),
('es','éxito',2.2,true),
('es','impresionante',2.7,true),
('es','agradable',2.0,true),
('es','justo',1.0,true),
('es','barato',0.6,true),
('es','vale',0.4,true),
('es','correcto',0.9,true),
('es','divertido',2.0,true),
('es','tranquilo',1.2,true),
('es','seguro',1.0,true),
('es','claro',0.6,true),
('es','bienvenido',1.6,true),
('es','felicidades',2.5,true),
('es','enhorabuena',2.5,true),
('es','sí',0.5,true),
('es','encantador',2.5,true),
('es','maravilla',2.9,true),
('es','crack',2.0,true),
('es','ideal',2.2,true),
('es','puntual',1.3,true),
('es','eficaz',1.5,true),
('es','encantadora',2.5,true),
('es','amor',2.8,true),
('es','adoro',2.9,true),
('es','alegre',2.3,true),
('es','alegría',2.6,true),
('es','gusto',1.6,true),
('es','ayuda',0.8,true),
('es','ayudó',1.5,true),
('es','útiles',1.6,true),
('es','gran',1.4,true),
('es','súper',2.0,true),
('es','chévere',2.3,true),
('es','chido',2.3,true),
('es','guay',2.3,true),
('es','de lujo',2.6,true),
('es','sin problema',1.5,true),
('es','sin problemas',1.5,true),
('es','todo bien',1.8,true),
('es','muy bien',2.4,true),
('es','mola',2.1,true),
('es','felicitar',2.2,true),
('es','recomendado',1.8,true),
('es','cómodo',1.5,true),
('es','limpio',1.2,true),
('es','calidad',0.8,true),
('es','confianza',1.4,true),
('es','confiable',1.6,true),
('es','malo',-2.5,true),
('es','mala',-2.5,true),
('es','malos',-2.5,true),
('es','malas',-2.5,true),
('es','mal',-2.2,true),
('es','pésimo',-3.4,true),
('es','pésima',-3.4,true),
('es','horrible',-3.2,true),
('es','terrible',-3.1,true),
('es','fatal',-3.0,true),
('es','peor',-2.5,true),
('es','lo peor',-3.4,true),
('es','decepcionado',-2.4,true),
('es','decepcionada',-2.4,true),
('es','decepción',-2.5,true),
('es','decepcionante',-2.5,true),
('es','triste',-2.1,true),
('es','enfadado',-2.6,true),
('es','enfadada',-2.6,true),
('es','enojado',-2.6,true),
('es','enojada',-2.6,true),
('es','molesto',-2.1,true),
('es','molesta',-2.1,true),
('es','furioso',-3.2,true),
('es','harto',-2.5,true),
('es','harta',-2.5,true),
('es','odio',-3.0,true),
('es','inútil',-2.4,true),
('es','inútiles',-2.4,true),
('es','roto',-2.1,true),
('es','rota',-2.1,true),
('es','dañado',-2.0,true),
('es','defectuoso',-2.3,true),
('es','equivocado',-2.0,true),
('es','error',-1.4,true),
('es','errores',-1.4,true),
('es','falla',-1.9,true),
('es','fallo',-1.8,true),
('es','falló',-2.0,true),
('es','problema',-1.7,true),
('es','problemas',-1.7,true),
('es','lento',-1.6,true),
('es','lenta',-1.6,true),
('es','tarde',-1.0,true),
('es','retraso',-1.6,true),
('es','retrasado',-1.6,true),
('es','perdido',-1.6,true),
('es','perdida',-1.6,true),
('es','grosero',-2.6,true),
('es','maleducado',-2.6,true),
('es','incompetente',-2.9,true),
('es','ridículo',-2.5,true),
('es','inaceptable',-2.9,true),
('es','vergüenza',-2.4,true),
('es','vergonzoso',-2.8,true),
('es','estafa',-3.1,true),
('es','estafadores',-3.2,true),
('es','fraude',-3.0,true),
('es','engaño',-2.7,true),
('es','mentira',-2.4,true),
('es','mentiras',-2.5,true),
('es','queja',-1.8,true),
('es','reclamación',-1.7,true),
('es','reembolso',-0.9,true),
('es','devolución',-0.8,true),
('es','cancelar',-1.1,true),
('es','desastre',-3.0,true),
('es','basura',-2.8,true),
('es','caro',-1.3,true),
('es','carísimo',-2.0,true),
('es','nunca',-0.5,true),
('es','nadie',-0.8,true),
('es','nada',-0.6,true),
('es','lamentablemente',-1.6,true),
('es','desgraciadamente',-1.7,true),
('es','difícil',-1.5,true),
('es','imposible',-1.9,true),
('es','complicado',-1.3,true),
('es','preocupado',-1.8,true),
('es','preocupada',-1.8,true),
('es','cansado',-1.6,true),
('es','cansada',-1.6,true),
('es','asco',-3.0,true),
('es','asqueroso',-3.0,true),
('es','patético',-2.9,true),
('es','penoso',-2.6,true),
('es','lamentable',-2.7,true),
('es','indignado',-2.8,true),
('es','indignada',-2.8,true),
('es','indignante',-2.9,true),
('es','abusivo',-2.6,true),
('es','abuso',-2.6,true),
('es','robo',-2.8,true),
('es','robaron',-2.8,true),
('es','ignoran',-2.1,true),
('es','ignorado',-2.0,true),
('es','espera',-0.6,true),
('es','esperando',-0.9,true),
('es','sigo esperando',-2.0,true),
('es','todavía espero',-1.9,true),
('es','no funciona',-2.0,true),
('es','no sirve',-2.3,true),
('es','tardan',-1.6,true),
('es','demora',-1.6,true),
('es','nefasto',-3.1,true),
('es','chapuza',-2.6,true),
('es','timo',-3.0,true),
('es','cutre',-2.2,true),
('es','lío',-1.8,true),
('es','frustrante',-2.5,true),
('es','frustrado',-2.4,true),
('es','insatisfecho',-2.3,true),
('es','nunca más',-2.4,true),
('es','tomadura de pelo',-2.7,true),
('es','una vergüenza',-2.8,true),
('es','dinero de vuelta',-1.5,true),
('es','quiero mi dinero',-2.2,true),
('es','mal servicio',-2.6,true),
('es','muy mal',-2.8,true),
('es','sin respuesta',-1.9,true),
('es','ninguna respuesta',-2.0,true);
INSERT INTO omni.lexicon_rule (language, term, kind, weight, builtin) VALUES
('es','no','negator',NULL,true),
('es','nunca','negator',NULL,true),
('es','jamás','negator',NULL,true),
('es','ni','negator',NULL,true),
('es','ningún','negator',NULL,true),
('es','ninguna','negator',NULL,true),
('es','ninguno','negator',NULL,true),
('es','tampoco','negator',NULL,true),
('es','sin','negator',NULL,true),
('es','nada','negator',NULL,true),
('es','nadie','negator',NULL,true),
('es','muy','intensifier',0.293,true),
('es','mucho','intensifier',0.25,true),
('es','muchísimo','intensifier',0.4,true),
('es','tan','intensifier',0.293,true),
('es','tanto','intensifier',0.25,true),
('es','super','intensifier',0.3,true),
('es','súper','intensifier',0.3,true),
('es','realmente','intensifier',0.3,true),
('es','totalmente','intensifier',0.3,true),
('es','completamente','intensifier',0.3,true),
('es','absolutamente','intensifier',0.35,true),
('es','extremadamente','intensifier',0.4,true),
('es','increíblemente','intensifier',0.35,true),
('es','demasiado','intensifier',0.3,true),
('es','bastante','intensifier',0.15,true),
('es','sumamente','intensifier',0.35,true),
('es','re','intensifier',0.3,true),
('es','tremendamente','intensifier',0.35,true),
('es','verdaderamente','intensifier',0.3,true),
('es','más','intensifier',0.2,true),
('es','poco','diminisher',0.3,true),
('es','un poco','diminisher',0.25,true),
('es','algo','diminisher',0.2,true),
('es','ligeramente','diminisher',0.3,true),
('es','casi','diminisher',0.2,true),
('es','apenas','diminisher',0.3,true),
('es','medio','diminisher',0.2,true),
('es','un tanto','diminisher',0.25,true),
('es','pero','contrast',NULL,true),
('es','sin embargo','contrast',NULL,true),
('es','aunque','contrast',NULL,true),
('es','no obstante','contrast',NULL,true),
('es','sino','contrast',NULL,true),
('es','el','stopword',NULL,true),
('es','la','stopword',NULL,true),
('es','los','stopword',NULL,true),
('es','las','stopword',NULL,true),
('es','un','stopword',NULL,true),
('es','una','stopword',NULL,true),
('es','y','stopword',NULL,true),
('es','o','stopword',NULL,true),
('es','que','stopword',NULL,true),
('es','de','stopword',NULL,true),
('es','del','stopword',NULL,true),
('es','en','stopword',NULL,true),
('es','es','stopword',NULL,true),
('es','son','stopword',NULL,true),
('es','está','stopword',NULL,true),
('es','están','stopword',NULL,true),
('es','estoy','stopword',NULL,true),
('es','por','stopword',NULL,true),
('es','para','stopword',NULL,true),
('es','con','stopword',NULL,true),
('es','mi','stopword',NULL,true),
('es','mis','stopword',NULL,true),
('es','su','stopword',NULL,true),
('es','sus','stopword',NULL,true),
('es','se','stopword',NULL,true),
('es','lo','stopword',NULL,true),
('es','le','stopword',NULL,true),
('es','les','stopword',NULL,true),
('es','me','stopword',NULL,true),
('es','te','stopword',NULL,true),
('es','nos','stopword',NULL,true),
('es','al','stopword',NULL,true),
('es','como','stopword',NULL,true),
('es','qué','stopword',NULL,true),
('es','cuando','stopword',NULL,true),
('es','donde','stopword',NULL,true),
('es','hola','stopword',NULL,true),
('es','pedido','stopword',NULL,true),
('es','porque','stopword',NULL,true),
('es','ya','stopword',NULL,true),
('es','hay','stopword',NULL,true),
('es','muy','stopword',NULL,true),
('es','pero','stopword',NULL,true),
('es','yo','stopword',NULL,true),
('es','usted','stopword',NULL,true),
('es','ustedes','stopword',NULL,true),
('es','este','stopword',NULL,true),
('es','esta','stopword',NULL,true),
('es','esto','stopword',NULL,true),
('es','fue','stopword',NULL,true),
('es','ha','stopword',NULL,true),
('es','han','stopword',NULL,true),
('es','he','stopword',NULL,true),
('es','sido','stopword',NULL,true),
('es','todo','stopword',NULL,true),
('es','también','stopword',NULL,true),
('es','aún','stopword',NULL,true),
('es','hasta','stopword',NULL,true),
('es','desde','stopword',NULL,true),
('es','cuenta','stopword',NULL,true),
('es','s','suffix',NULL,true),
('es','es','suffix',NULL,true),
('es','a','suffix',NULL,true),
('es','o','suffix',NULL,true),
('es','as','suffix',NULL,true),
('es','os','suffix',NULL,true),
('es','ísimo','suffix',NULL,true),
('es','ísima','suffix',NULL,true),
('es','ísimos','suffix',NULL,true),
('es','ísimas','suffix',NULL,true),
('es','mente','suffix',NULL,true),
('es','ado','suffix',NULL,true),
('es','ada','suffix',NULL,true),
('es','ados','suffix',NULL,true),
('es','adas','suffix',NULL,true),
('es','ido','suffix',NULL,true),
('es','ida','suffix',NULL,true),
('es','idos','suffix',NULL,true),
('es','idas','suffix',NULL,true),
('es','ar','suffix',NULL,true),
('es','er','suffix',NULL,true),
('es','ir','suffix',NULL,true),
('es','ando','suffix',NULL,true),
('es','iendo','suffix',NULL,true),
('es','amos','suffix',NULL,true),
('es','emos','suffix',NULL,true),
('es','imos','suffix',NULL,true),
('es','an','suffix',NULL,true),
('es','en','suffix',NULL,true),
('es','aron','suffix',NULL,true),
('es','ieron','suffix',NULL,true),
('es','ó','suffix',NULL,true),
('es','é','suffix',NULL,true),
('es','ía','suffix',NULL,true),
('es','ían','suffix',NULL,true),
('es','ción','suffix',NULL,true),
('es','ciones','suffix',NULL,true);
INSERT INTO omni.profanity (language, term, severity, builtin) VALUES
('es','mierda',2,true),
('es','joder',2,true),
('es','jodido',2,true),
('es','jodida',2,true),
('es','puta',3,true),
('es','puto',3,true),
('es','putada',2,true),
('es','hijo de puta',3,true),
('es','hijoputa',3,true),
('es','cabrón',3,true),
('es','cabrones',3,true),
('es','coño',2,true),
('es','gilipollas',3,true),
('es','pendejo',3,true),
('es','pendeja',3,true),
('es','carajo',2,true),
('es','chingada',3,true),
('es','chingar',2,true),
('es','pinche',2,true),
('es','culero',3,true),
('es','mamón',2,true),
('es','imbécil',3,true),
('es','idiota',2,true),
('es','estúpido',2,true),
('es','estúpida',2,true),
('es','subnormal',3,true),
('es','capullo',2,true),
('es','hostia',1,true),
('es','joda',2,true),
('es','maldito',1,true),
('es','maldita',1,true),
('es','me cago',2,true),
('es','vete a la mierda',3,true),
('es','tonto',1,true),
('es','boludo',2,true),
('es','pelotudo',3,true),
('es','concha',2,true),
('es','verga',3,true),
('es','culo',1,true);
INSERT INTO omni.lexicon (language, term, valence, builtin) VALUES
('fr','bon',1.9,true),
('fr','bonne',1.9,true),
('fr','bons',1.9,true),
('fr','bien',1.6,true),
('fr','très bien',2.4,true),
('fr','génial',2.9,true),
('fr','géniale',2.9,true),
('fr','excellent',3.1,true),
('fr','excellente',3.1,true),
('fr','super',2.3,true),
('fr','formidable',2.9,true),
('fr','fantastique',3.0,true),
('fr','merveilleux',3.0,true),
('fr','merveilleuse',3.0,true),
('fr','incroyable',2.6,true),
('fr','parfait',3.0,true),
('fr','parfaite',3.0,true),
('fr','magnifique',3.0,true),
('fr','superbe',2.9,true),
('fr','top',1.8,true),
('fr','ravi',2.6,true),
('fr','ravie',2.6,true),
('fr','adore',2.9,true),
('fr','j''adore',3.0,true),
('fr','aime',1.8,true),
('fr','j''aime',1.8,true),
('fr','content',2.2,true),
('fr','contente',2.2,true),
('fr','heureux',2.6,true),
('fr','heureuse',2.6,true),
('fr','satisfait',2.0,true),
('fr','satisfaite',2.0,true),
('fr','reconnaissant',2.2,true),
('fr','merci',1.9,true),
('fr','merci beaucoup',2.4,true),
('fr','mille mercis',2.6,true),
('fr','utile',1.6,true),
('fr','rapide',1.2,true),
('fr','rapidement',1.1,true),
('fr','facile',1.4,true),
('fr','simple',0.8,true),
('fr','sympa',2.0,true),
('fr','sympathique',2.0,true),
('fr','aimable',2.1,true),
('fr','gentil',2.0,true),
('fr','gentille',2.0,true),
('fr','agréable',2.0,true),
('fr','professionnel',1.4,true),
('fr','efficace',1.6,true),
('fr','recommande',1.8,true),
('fr','je recommande',2.0,true),
('fr','meilleur',1.9,true),
('fr','meilleure',1.9,true),
('fr','le meilleur',2.8,true),
('fr','beau',2.2,true),
('fr','belle',2.2,true),
('fr','résolu',1.6,true),
('fr','réglé',1.5,true),
('fr','fonctionne',1.1,true),
('fr','marche',0.6,true),
('fr','réussi',2.0,true),
('fr','impressionnant',2.6,true),
('fr','correct',0.9,true),
('fr','juste',0.6,true),
('fr','pas cher',1.2,true),
('fr','cool',1.5,true),
('fr','chouette',2.1,true),
('fr','nickel',2.3,true),
('fr','impeccable',2.8,true),
('fr','bravo',2.4,true),
('fr','félicitations',2.5,true),
('fr','oui',0.5,true),
('fr','d''accord',0.6,true),
('fr','aide',0.8,true),
('fr','aidé',1.6,true),
('fr','pas de problème',1.5,true),
('fr','pas de souci',1.5,true),
('fr','sans problème',1.5,true),
('fr','tout va bien',1.8,true),
('fr','qualité',0.8,true),
('fr','fiable',1.6,true),
('fr','ponctuel',1.3,true),
('fr','plaisir',2.2,true),
('fr','bonheur',2.8,true),
('fr','joie',2.7,true),
('fr','chaleureux',2.3,true),
('fr','efficacité',1.6,true),
('fr','rassuré',1.8,true),
('fr','enchanté',2.4,true),
('fr','top du top',3.0,true),
('fr','mauvais',-2.5,true),
('fr','mauvaise',-2.5,true),
('fr','mal',-2.0,true),
('fr','nul',-2.6,true),
('fr','nulle',-2.6,true),
('fr','horrible',-3.2,true),
('fr','terrible',-2.6,true),
('fr','affreux',-3.1,true),
('fr','affreuse',-3.1,true),
('fr','catastrophique',-3.2,true),
('fr','catastrophe',-3.0,true),
('fr','pire',-2.6,true),
('fr','le pire',-3.4,true),
('fr','déçu',-2.4,true),
('fr','déçue',-2.4,true),
('fr','décevant',-2.5,true),
('fr','déception',-2.5,true),
('fr','triste',-2.1,true),
('fr','fâché',-2.5,true),
('fr','fâchée',-2.5,true),
('fr','énervé',-2.5,true),
('fr','énervée',-2.5,true),
('fr','furieux',-3.2,true),
('fr','furieuse',-3.2,true),
('fr','en colère',-2.7,true),
('fr','colère',-2.5,true),
('fr','agacé',-2.0,true),
('fr','marre',-2.4,true),
('fr','j''en ai marre',-2.7,true),
('fr','déteste',-3.0,true),
('fr','inutile',-2.4,true),
('fr','cassé',-2.1,true),
('fr','cassée',-2.1,true),
('fr','abîmé',-2.0,true),
('fr','défectueux',-2.3,true),
('fr','erreur',-1.4,true),
('fr','erreurs',-1.4,true),
('fr','panne',-2.0,true),
('fr','problème',-1.7,true),
('fr','problèmes',-1.7,true),
('fr','souci',-1.4,true),
('fr','soucis',-1.4,true),
('fr','lent',-1.6,true),
('fr','lente',-1.6,true),
('fr','retard',-1.6,true),
('fr','en retard',-1.7,true),
('fr','perdu',-1.6,true),
('fr','perdue',-1.6,true),
('fr','impoli',-2.5,true),
('fr','grossier',-2.6,true),
('fr','incompétent',-2.9,true),
('fr','incompétents',-2.9,true),
('fr','ridicule',-2.5,true),
('fr','inacceptable',-2.9,true),
('fr','honte',-2.4,true),
('fr','honteux',-2.8,true),
('fr','arnaque',-3.1,true),
('fr','escroquerie',-3.1,true),
('fr','escrocs',-3.2,true),
('fr','fraude',-3.0,true),
('fr','mensonge',-2.4,true),
('fr','menteur',-2.8,true),
('fr','plainte',-1.8,true),
('fr','réclamation',-1.7,true),
('fr','remboursement',-0.9,true),
('fr','annuler',-1.1,true),
('fr','résilier',-1.4,true),
('fr','désastre',-3.0,true),
('fr','déchet',-2.4,true),
('fr','cher',-1.3,true),
('fr','trop cher',-2.0,true),
('fr','jamais',-0.5,true),
('fr','personne',-0.6,true),
('fr','malheureusement',-1.6,true),
('fr','difficile',-1.5,true),
('fr','impossible',-1.9,true),
('fr','compliqué',-1.3,true),
('fr','inquiet',-1.8,true),
('fr','inquiète',-1.8,true),
('fr','fatigué',-1.6,true),
('fr','dégoûté',-2.8,true),
('fr','dégoûtant',-3.0,true),
('fr','pathétique',-2.9,true),
('fr','lamentable',-2.7,true),
('fr','scandaleux',-2.9,true),
('fr','scandale',-2.8,true),
('fr','inadmissible',-2.9,true),
('fr','vol',-2.5,true),
('fr','volé',-2.6,true),
('fr','ignoré',-2.0,true),
('fr','attends',-0.5,true),
('fr','j''attends toujours',-2.0,true),
('fr','toujours rien',-1.9,true),
('fr','ne marche pas',-2.0,true),
('fr','ne fonctionne pas',-2.0,true),
('fr','frustrant',-2.5,true),
('fr','frustré',-2.4,true),
('fr','insatisfait',-2.3,true),
('fr','plus jamais',-2.4,true),
('fr','sans réponse',-1.9,true),
('fr','aucune réponse',-2.0,true),
('fr','n''importe quoi',-2.4,true),
('fr','pas terrible',-1.8,true),
('fr','galère',-2.2,true),
('fr','bordel',-2.0,true),
('fr','ras le bol',-2.6,true),
('fr','service client nul',-2.8,true),
('fr','délai',-0.9,true),
('fr','délais',-0.9,true),
('fr','sérieux',1.2,true),
('fr','pas sérieux',-2.2,true),
('fr','lenteur',-1.8,true),
('fr','mécontent',-2.4,true),
('fr','mécontente',-2.4,true);
INSERT INTO omni.lexicon_rule (language, term, kind, weight, builtin) VALUES
('fr','ne','negator',NULL,true),
('fr','n''','negator',NULL,true),
('fr','pas','negator',NULL,true),
('fr','non','negator',NULL,true),
('fr','jamais','negator',NULL,true),
('fr','aucun','negator',NULL,true),
('fr','aucune','negator',NULL,true),
('fr','rien','negator',NULL,true),
('fr','personne','negator',NULL,true),
('fr','sans','negator',NULL,true),
('fr','ni','negator',NULL,true),
('fr','plus','negator',NULL,true),
('fr','très','intensifier',0.293,true),
('fr','trop','intensifier',0.3,true),
('fr','vraiment','intensifier',0.3,true),
('fr','tellement','intensifier',0.3,true),
('fr','si','intensifier',0.25,true),
('fr','super','intensifier',0.3,true),
('fr','hyper','intensifier',0.3,true),
('fr','totalement','intensifier',0.3,true),
('fr','complètement','intensifier',0.3,true),
('fr','absolument','intensifier',0.35,true),
('fr','extrêmement','intensifier',0.4,true),
('fr','incroyablement','intensifier',0.35,true),
('fr','particulièrement','intensifier',0.25,true),
('fr','vachement','intensifier',0.3,true),
('fr','grave','intensifier',0.2,true),
('fr','assez','intensifier',0.15,true),
('fr','bien','intensifier',0.15,true),
('fr','franchement','intensifier',0.2,true),
('fr','carrément','intensifier',0.3,true),
('fr','tout à fait','intensifier',0.25,true),
('fr','plus','intensifier',0.2,true),
('fr','peu','diminisher',0.3,true),
('fr','un peu','diminisher',0.25,true),
('fr','légèrement','diminisher',0.3,true),
('fr','presque','diminisher',0.2,true),
('fr','plutôt','diminisher',0.15,true),
('fr','moyennement','diminisher',0.3,true),
('fr','à peine','diminisher',0.3,true),
('fr','mais','contrast',NULL,true),
('fr','cependant','contrast',NULL,true),
('fr','pourtant','contrast',NULL,true),
('fr','toutefois','contrast',NULL,true),
('fr','néanmoins','contrast',NULL,true),
('fr','quoique','contrast',NULL,true),
('fr','bien que','contrast',NULL,true),
('fr','le','stopword',NULL,true),
('fr','la','stopword',NULL,true),
('fr','les','stopword',NULL,true),
('fr','un','stopword',NULL,true),
('fr','une','stopword',NULL,true),
('fr','des','stopword',NULL,true),
('fr','et','stopword',NULL,true),
('fr','ou','stopword',NULL,true),
('fr','que','stopword',NULL,true),
('fr','qui','stopword',NULL,true),
('fr','de','stopword',NULL,true),
('fr','du','stopword',NULL,true),
('fr','en','stopword',NULL,true),
('fr','est','stopword',NULL,true),
('fr','sont','stopword',NULL,true),
('fr','suis','stopword',NULL,true),
('fr','je','stopword',NULL,true),
('fr','j''','stopword',NULL,true),
('fr','vous','stopword',NULL,true),
('fr','nous','stopword',NULL,true),
('fr','il','stopword',NULL,true),
('fr','elle','stopword',NULL,true),
('fr','ils','stopword',NULL,true),
('fr','on','stopword',NULL,true),
('fr','pour','stopword',NULL,true),
('fr','par','stopword',NULL,true),
('fr','avec','stopword',NULL,true),
('fr','mon','stopword',NULL,true),
('fr','ma','stopword',NULL,true),
('fr','mes','stopword',NULL,true),
('fr','votre','stopword',NULL,true),
('fr','vos','stopword',NULL,true),
('fr','notre','stopword',NULL,true),
('fr','ce','stopword',NULL,true),
('fr','cette','stopword',NULL,true),
('fr','ces','stopword',NULL,true),
('fr','c''est','stopword',NULL,true),
('fr','au','stopword',NULL,true),
('fr','aux','stopword',NULL,true),
('fr','dans','stopword',NULL,true),
('fr','sur','stopword',NULL,true),
('fr','comment','stopword',NULL,true),
('fr','quand','stopword',NULL,true),
('fr','où','stopword',NULL,true),
('fr','bonjour','stopword',NULL,true),
('fr','bonsoir','stopword',NULL,true),
('fr','commande','stopword',NULL,true),
('fr','parce','stopword',NULL,true),
('fr','déjà','stopword',NULL,true),
('fr','y','stopword',NULL,true),
('fr','a','stopword',NULL,true),
('fr','ai','stopword',NULL,true),
('fr','été','stopword',NULL,true),
('fr','fait','stopword',NULL,true),
('fr','tout','stopword',NULL,true),
('fr','aussi','stopword',NULL,true),
('fr','depuis','stopword',NULL,true),
('fr','compte','stopword',NULL,true),
('fr','merci','stopword',NULL,true),
('fr','pas','stopword',NULL,true),
('fr','ne','stopword',NULL,true),
('fr','avez','stopword',NULL,true),
('fr','avoir','stopword',NULL,true),
('fr','mais','stopword',NULL,true),
('fr','très','stopword',NULL,true),
('fr','toujours','stopword',NULL,true),
('fr','encore','stopword',NULL,true),
('fr','s','suffix',NULL,true),
('fr','x','suffix',NULL,true),
('fr','e','suffix',NULL,true),
('fr','es','suffix',NULL,true),
('fr','ée','suffix',NULL,true),
('fr','ées','suffix',NULL,true),
('fr','és','suffix',NULL,true),
('fr','é','suffix',NULL,true),
('fr','er','suffix',NULL,true),
('fr','ir','suffix',NULL,true),
('fr','ent','suffix',NULL,true),
('fr','ons','suffix',NULL,true),
('fr','ez','suffix',NULL,true),
('fr','ait','suffix',NULL,true),
('fr','aient','suffix',NULL,true),
('fr','ais','suffix',NULL,true),
('fr','ment','suffix',NULL,true),
('fr','ement','suffix',NULL,true),
('fr','euse','suffix',NULL,true),
('fr','euses','suffix',NULL,true),
('fr','eux','suffix',NULL,true),
('fr','ive','suffix',NULL,true),
('fr','ives','suffix',NULL,true),
('fr','if','suffix',NULL,true),
('fr','ifs','suffix',NULL,true),
('fr','ion','suffix',NULL,true),
('fr','ions','suffix',NULL,true),
('fr','ité','suffix',NULL,true),
('fr','ités','suffix',NULL,true),
('fr','ante','suffix',NULL,true),
('fr','ant','suffix',NULL,true),
('fr','ants','suffix',NULL,true),
('fr','antes','suffix',NULL,true);
INSERT INTO omni.profanity (language, term, severity, builtin) VALUES
('fr','merde',2,true),
('fr','putain',2,true),
('fr','bordel de merde',2,true),
('fr','connard',3,true),
('fr','connasse',3,true),
('fr','con',1,true),
('fr','conne',1,true),
('fr','salaud',3,true),
('fr','salope',3,true),
('fr','enculé',3,true),
('fr','enculés',3,true),
('fr','nique',3,true),
('fr','nique ta mère',3,true),
('fr','ta gueule',3,true),
('fr','ferme ta gueule',3,true),
('fr','fils de pute',3,true),
('fr','pute',3,true),
('fr','chier',2,true),
('fr','fait chier',2,true),
('fr','chiant',2,true),
('fr','chiante',2,true),
('fr','foutre',2,true),
('fr','fous-toi',2,true),
('fr','bâtard',3,true),
('fr','abruti',2,true),
('fr','crétin',2,true),
('fr','débile',2,true),
('fr','imbécile',2,true),
('fr','idiot',1,true),
('fr','emmerder',2,true),
('fr','emmerdeur',2,true),
('fr','bouffon',2,true),
('fr','pd',3,true),
('fr','tg',2,true),
('fr','fdp',3,true),
('fr','ptn',2,true);
INSERT INTO omni.lexicon (language, term, valence, builtin) VALUES
('gl','bo',1.9,true),
('gl','boa',1.9,true),
('gl','bos',1.9,true),
('gl','boas',1.6,true),
('gl','ben',1.5,true),
('gl','moi ben',2.4,true),
('gl','xenial',2.9,true),
('gl','excelente',3.1,true),
('gl','estupendo',2.9,true),
('gl','fantástico',3.0,true),
('gl','marabilloso',3.0,true),
('gl','marabillosa',3.0,true),
('gl','incrible',2.6,true),
('gl','perfecto',3.0,true),
('gl','perfecta',3.0,true),
('gl','encantado',2.6,true),
('gl','encantada',2.6,true),
('gl','encántame',3.0,true),
('gl','encanta',2.8,true),
('gl','gústame',1.8,true),
('gl','gustou',1.7,true),
('gl','gustoume',1.8,true),
('gl','feliz',2.7,true),
('gl','contento',2.3,true),
('gl','contenta',2.3,true),
('gl','satisfeito',2.0,true),
('gl','satisfeita',2.0,true),
('gl','agradecido',2.2,true),
('gl','agradecida',2.2,true),
('gl','grazas',1.9,true),
('gl','moitas grazas',2.4,true),
('gl','graciñas',2.2,true),
('gl','útil',1.6,true),
('gl','rápido',1.2,true),
('gl','rápida',1.2,true),
('gl','doado',1.4,true),
('gl','fácil',1.4,true),
('gl','amable',2.1,true),
('gl','atento',1.8,true),
('gl','atenta',1.8,true),
('gl','profesional',1.4,true),
('gl','eficiente',1.6,true),
('gl','recomendo',1.8,true),
('gl','recomendable',1.8,true),
('gl','mellor',1.9,true),
('gl','o mellor',2.8,true),
('gl','bonito',2.2,true),
('gl','bonita',2.2,true),
('gl','fermoso',2.4,true),
('gl','resolto',1.6,true),
('gl','solucionado',1.7,true),
('gl','funciona',1.1,true),
('gl','funcionou',1.3,true),
('gl','éxito',2.2,true),
('gl','impresionante',2.7,true),
('gl','agradable',2.0,true),
('gl','xusto',1.0,true),
('gl','barato',0.6,true),
('gl','correcto',0.9,true),
('gl','divertido',2.0,true),
('gl','tranquilo',1.2,true),
('gl','parabéns',2.5,true),
('gl','noraboa',2.5,true),
('gl','si',0.4,true),
('gl','alegría',2.6,true),
('gl','ledo',2.3,true),
('gl','leda',2.3,true),
('gl','axuda',0.8,true),
('gl','axudou',1.6,true),
('gl','sen problema',1.5,true),
('gl','sen problemas',1.5,true),
('gl','todo ben',1.8,true),
('gl','de luxo',2.6,true),
('gl','calidade',0.8,true),
('gl','puntual',1.3,true),
('gl','cómodo',1.5,true),
('gl','amor',2.8,true),
('gl','malo',-2.5,true),
('gl','mala',-2.5,true),
('gl','malos',-2.5,true),
('gl','mal',-2.2,true),
('gl','pésimo',-3.4,true),
('gl','pésima',-3.4,true),
('gl','horrible',-3.2,true),
('gl','terrible',-3.1,true),
('gl','fatal',-3.0,true),
('gl','peor',-2.5,true),
('gl','o peor',-3.4,true),
('gl','decepcionado',-2.4,true),
('gl','decepcionada',-2.4,true),
('gl','decepción',-2.5,true),
('gl','triste',-2.1,true),
('gl','anoxado',-2.4,true),
('gl','anoxada',-2.4,true),
('gl','enfadado',-2.6,true),
('gl','cabreado',-2.7,true),
('gl','cabreada',-2.7,true),
('gl','molesto',-2.1,true),
('gl','farto',-2.5,true),
('gl','farta',-2.5,true),
('gl','odio',-3.0,true),
('gl','inútil',-2.4,true),
('gl','roto',-2.1,true),
('gl','rota',-2.1,true),
('gl','estragado',-2.2,true),
('gl','defectuoso',-2.3,true),
('gl','erro',-1.4,true),
('gl','erros',-1.4,true),
('gl','falla',-1.9,true),
('gl','fallou',-2.0,true),
('gl','problema',-1.7,true),
('gl','problemas',-1.7,true),
('gl','lento',-1.6,true),
('gl','lenta',-1.6,true),
('gl','tarde',-1.0,true),
('gl','atraso',-1.6,true),
('gl','atrasado',-1.6,true),
('gl','perdido',-1.6,true),
('gl','perdida',-1.6,true),
('gl','maleducado',-2.6,true),
('gl','incompetente',-2.9,true),
('gl','ridículo',-2.5,true),
('gl','inaceptable',-2.9,true),
('gl','vergoña',-2.4,true),
('gl','vergoñento',-2.8,true),
('gl','estafa',-3.1,true),
('gl','fraude',-3.0,true),
('gl','mentira',-2.4,true),
('gl','queixa',-1.8,true),
('gl','reclamación',-1.7,true),
('gl','reembolso',-0.9,true),
('gl','devolución',-0.8,true),
('gl','cancelar',-1.1,true),
('gl','desastre',-3.0,true),
('gl','lixo',-2.8,true),
('gl','caro',-1.3,true),
('gl','nunca',-0.5,true),
('gl','ninguén',-0.8,true),
('gl','nada',-0.6,true),
('gl','desgraciadamente',-1.7,true),
('gl','difícil',-1.5,true),
('gl','imposible',-1.9,true),
('gl','complicado',-1.3,true),
('gl','preocupado',-1.8,true),
('gl','preocupada',-1.8,true),
('gl','canso',-1.6,true),
('gl','cansa',-1.6,true),
('gl','noxo',-3.0,true),
('gl','noxento',-3.0,true),
('gl','patético',-2.9,true),
('gl','lamentable',-2.7,true),
('gl','indignado',-2.8,true),
('gl','indignada',-2.8,true),
('gl','roubo',-2.8,true),
('gl','ignorado',-2.0,true),
('gl','agardando',-0.9,true),
('gl','sigo agardando',-2.0,true),
('gl','aínda agardo',-1.9,true),
('gl','non funciona',-2.0,true),
('gl','non serve',-2.3,true),
('gl','tardan',-1.6,true),
('gl','demora',-1.6,true),
('gl','frustrante',-2.5,true),
('gl','insatisfeito',-2.3,true),
('gl','nunca máis',-2.4,true),
('gl','sen resposta',-1.9,true),
('gl','mal servizo',-2.6,true),
('gl','moi mal',-2.8,true),
('gl','unha vergoña',-2.8,true);
INSERT INTO omni.lexicon_rule (language, term, kind, weight, builtin) VALUES
('gl','non','negator',NULL,true),
('gl','nunca','negator',NULL,true),
('gl','xamais','negator',NULL,true),
('gl','nin','negator',NULL,true),
('gl','ningún','negator',NULL,true),
('gl','ningunha','negator',NULL,true),
('gl','tampouco','negator',NULL,true),
('gl','sen','negator',NULL,true),
('gl','nada','negator',NULL,true),
('gl','ninguén','negator',NULL,true),
('gl','moi','intensifier',0.293,true),
('gl','moito','intensifier',0.25,true),
('gl','moitísimo','intensifier',0.4,true),
('gl','tan','intensifier',0.293,true),
('gl','super','intensifier',0.3,true),
('gl','realmente','intensifier',0.3,true),
('gl','totalmente','intensifier',0.3,true),
('gl','completamente','intensifier',0.3,true),
('gl','absolutamente','intensifier',0.35,true),
('gl','extremadamente','intensifier',0.4,true),
('gl','demasiado','intensifier',0.3,true),
('gl','bastante','intensifier',0.15,true),
('gl','ben','intensifier',0.2,true),
('gl','máis','intensifier',0.2,true),
('gl','pouco','diminisher',0.3,true),
('gl','un pouco','diminisher',0.25,true),
('gl','algo','diminisher',0.2,true),
('gl','lixeiramente','diminisher',0.3,true),
('gl','case','diminisher',0.2,true),
('gl','apenas','diminisher',0.3,true),
('gl','pero','contrast',NULL,true),
('gl','mais','contrast',NULL,true),
('gl','porén','contrast',NULL,true),
('gl','aínda que','contrast',NULL,true),
('gl','non obstante','contrast',NULL,true),
('gl','senón','contrast',NULL,true),
('gl','todo','stopword',NULL,true),
('gl','toda','stopword',NULL,true),
('gl','moitas','stopword',NULL,true),
('gl','moitos','stopword',NULL,true),
('gl','tódolos','stopword',NULL,true),
('gl','o','stopword',NULL,true),
('gl','a','stopword',NULL,true),
('gl','os','stopword',NULL,true),
('gl','as','stopword',NULL,true),
('gl','un','stopword',NULL,true),
('gl','unha','stopword',NULL,true),
('gl','e','stopword',NULL,true),
('gl','ou','stopword',NULL,true),
('gl','que','stopword',NULL,true),
('gl','de','stopword',NULL,true),
('gl','do','stopword',NULL,true),
('gl','da','stopword',NULL,true),
('gl','dos','stopword',NULL,true),
('gl','das','stopword',NULL,true),
('gl','en','stopword',NULL,true),
('gl','no','stopword',NULL,true),
('gl','na','stopword',NULL,true),
('gl','é','stopword',NULL,true),
('gl','son','stopword',NULL,true),
('gl','está','stopword',NULL,true),
('gl','están','stopword',NULL,true),
('gl','estou','stopword',NULL,true),
('gl','por','stopword',NULL,true),
('gl','para','stopword',NULL,true),
('gl','con','stopword',NULL,true),
('gl','co','stopword',NULL,true),
('gl','coa','stopword',NULL,true),
('gl','meu','stopword',NULL,true),
('gl','miña','stopword',NULL,true),
('gl','seu','stopword',NULL,true),
('gl','súa','stopword',NULL,true),
('gl','se','stopword',NULL,true),
('gl','me','stopword',NULL,true),
('gl','che','stopword',NULL,true),
('gl','nos','stopword',NULL,true),
('gl','ao','stopword',NULL,true),
('gl','como','stopword',NULL,true),
('gl','cando','stopword',NULL,true),
('gl','onde','stopword',NULL,true),
('gl','ola','stopword',NULL,true),
('gl','pedido','stopword',NULL,true),
('gl','porque','stopword',NULL,true),
('gl','xa','stopword',NULL,true),
('gl','hai','stopword',NULL,true),
('gl','eu','stopword',NULL,true),
('gl','vostede','stopword',NULL,true),
('gl','este','stopword',NULL,true),
('gl','esta','stopword',NULL,true),
('gl','isto','stopword',NULL,true),
('gl','iso','stopword',NULL,true),
('gl','foi','stopword',NULL,true),
('gl','ten','stopword',NULL,true),
('gl','teño','stopword',NULL,true),
('gl','aínda','stopword',NULL,true),
('gl','tamén','stopword',NULL,true),
('gl','ata','stopword',NULL,true),
('gl','dende','stopword',NULL,true),
('gl','conta','stopword',NULL,true),
('gl','moi','stopword',NULL,true),
('gl','grazas','stopword',NULL,true),
('gl','non','stopword',NULL,true),
('gl','s','suffix',NULL,true),
('gl','es','suffix',NULL,true),
('gl','a','suffix',NULL,true),
('gl','o','suffix',NULL,true),
('gl','as','suffix',NULL,true),
('gl','os','suffix',NULL,true),
('gl','ísimo','suffix',NULL,true),
('gl','ísima','suffix',NULL,true),
('gl','mente','suffix',NULL,true),
('gl','ado','suffix',NULL,true),
('gl','ada','suffix',NULL,true),
('gl','ados','suffix',NULL,true),
('gl','adas','suffix',NULL,true),
('gl','ido','suffix',NULL,true),
('gl','ida','suffix',NULL,true),
('gl','idos','suffix',NULL,true),
('gl','idas','suffix',NULL,true),
('gl','ar','suffix',NULL,true),
('gl','er','suffix',NULL,true),
('gl','ir','suffix',NULL,true),
('gl','ando','suffix',NULL,true),
('gl','endo','suffix',NULL,true),
('gl','indo','suffix',NULL,true),
('gl','amos','suffix',NULL,true),
('gl','emos','suffix',NULL,true),
('gl','imos','suffix',NULL,true),
('gl','an','suffix',NULL,true),
('gl','en','suffix',NULL,true),
('gl','aron','suffix',NULL,true),
('gl','eron','suffix',NULL,true),
('gl','ou','suffix',NULL,true),
('gl','ei','suffix',NULL,true),
('gl','ía','suffix',NULL,true),
('gl','ían','suffix',NULL,true),
('gl','ción','suffix',NULL,true),
('gl','cións','suffix',NULL,true),
('gl','iño','suffix',NULL,true),
('gl','iña','suffix',NULL,true);
INSERT INTO omni.profanity (language, term, severity, builtin) VALUES
('gl','merda',2,true),
('gl','carallo',2,true),
('gl','caralho',2,true),
('gl','cona',3,true),
('gl','puta',3,true),
('gl','fillo de puta',3,true),
('gl','fodido',2,true),
('gl','foder',2,true),
('gl','cabrón',3,true),
('gl','imbécil',3,true),
('gl','idiota',2,true),
('gl','estúpido',2,true),
('gl','parvo',1,true),
('gl','vai cagar',2,true),
('gl','me cago',2,true),
('gl','porra',2,true),
('gl','mamalón',2,true),
('gl','cagada',1,true);
INSERT INTO omni.lexicon (language, term, valence, builtin) VALUES
('it','buono',1.9,true),
('it','buona',1.9,true),
('it','buoni',1.9,true),
('it','buone',1.9,true),
('it','bene',1.6,true),
('it','molto bene',2.4,true),
('it','benissimo',2.9,true),
('it','ottimo',2.9,true),
('it','ottima',2.9,true),
('it','eccellente',3.1,true),
('it','fantastico',3.0,true),
('it','fantastica',3.0,true),
('it','meraviglioso',3.0,true),
('it','meravigliosa',3.0,true),
('it','incredibile',2.6,true),
('it','perfetto',3.0,true),
('it','perfetta',3.0,true),
('it','magnifico',3.0,true),
('it','splendido',2.9,true),
('it','stupendo',3.0,true),
('it','stupenda',3.0,true),
('it','geniale',2.8,true),
('it','super',2.3,true),
('it','top',1.8,true),
('it','contento',2.2,true),
('it','contenta',2.2,true),
('it','felice',2.7,true),
('it','soddisfatto',2.0,true),
('it','soddisfatta',2.0,true),
('it','grato',2.2,true),
('it','grata',2.2,true),
('it','grazie',1.9,true),
('it','grazie mille',2.6,true),
('it','molte grazie',2.4,true),
('it','utile',1.6,true),
('it','veloce',1.2,true),
('it','velocemente',1.1,true),
('it','rapido',1.2,true),
('it','rapida',1.2,true),
('it','facile',1.4,true),
('it','gentile',2.1,true),
('it','gentilissimo',2.6,true),
('it','gentilissima',2.6,true),
('it','cortese',1.9,true),
('it','simpatico',2.0,true),
('it','professionale',1.4,true),
('it','efficiente',1.6,true),
('it','consiglio',1.4,true),
('it','consigliato',1.8,true),
('it','migliore',1.9,true),
('it','il migliore',2.8,true),
('it','bello',2.2,true),
('it','bella',2.2,true),
('it','risolto',1.6,true),
('it','funziona',1.1,true),
('it','funzionato',1.2,true),
('it','successo',2.2,true),
('it','impressionante',2.6,true),
('it','piacevole',2.0,true),
('it','giusto',0.8,true),
('it','economico',0.8,true),
('it','corretto',0.9,true),
('it','divertente',2.0,true),
('it','tranquillo',1.2,true),
('it','bravo',2.2,true),
('it','bravi',2.2,true),
('it','brava',2.2,true),
('it','complimenti',2.5,true),
('it','sì',0.5,true),
('it','aiuto',0.6,true),
('it','aiutato',1.6,true),
('it','nessun problema',1.5,true),
('it','tutto bene',1.8,true),
('it','tutto ok',1.6,true),
('it','qualità',0.8,true),
('it','affidabile',1.6,true),
('it','puntuale',1.3,true),
('it','piacere',2.0,true),
('it','gioia',2.7,true),
('it','adoro',2.9,true),
('it','amo',2.9,true),
('it','mi piace',1.8,true),
('it','piace',1.6,true),
('it','piaciuto',1.8,true),
('it','mi è piaciuto',2.0,true),
('it','cordiale',1.9,true),
('it','disponibile',1.4,true),
('it','disponibilissimi',2.4,true),
('it','chiaro',0.8,true),
('it','evviva',2.5,true),
('it','cattivo',-2.5,true),
('it','cattiva',-2.5,true),
('it','male',-2.0,true),
('it','malissimo',-3.0,true),
('it','pessimo',-3.4,true),
('it','pessima',-3.4,true),
('it','orribile',-3.2,true),
('it','terribile',-3.1,true),
('it','schifo',-3.0,true),
('it','che schifo',-3.2,true),
('it','schifoso',-3.0,true),
('it','peggio',-2.4,true),
('it','peggiore',-2.5,true),
('it','il peggiore',-3.4,true),
('it','deluso',-2.4,true),
('it','delusa',-2.4,true),
('it','deludente',-2.5,true),
('it','delusione',-2.5,true),
('it','triste',-2.1,true),
('it','arrabbiato',-2.7,true),
('it','arrabbiata',-2.7,true),
('it','furioso',-3.2,true),
('it','furiosa',-3.2,true),
('it','infastidito',-2.0,true),
('it','irritato',-2.3,true),
('it','stufo',-2.4,true),
('it','stufa',-2.4,true),
('it','odio',-3.0,true),
('it','inutile',-2.4,true),
('it','rotto',-2.1,true),
('it','rotta',-2.1,true),
('it','danneggiato',-2.0,true),
('it','difettoso',-2.3,true),
('it','sbagliato',-2.0,true),
('it','sbagliata',-2.0,true),
('it','errore',-1.4,true),
('it','errori',-1.4,true),
('it','guasto',-2.0,true),
('it','problema',-1.7,true),
('it','problemi',-1.7,true),
('it','lento',-1.6,true),
('it','lenta',-1.6,true),
('it','ritardo',-1.6,true),
('it','in ritardo',-1.7,true),
('it','perso',-1.6,true),
('it','persa',-1.6,true),
('it','maleducato',-2.6,true),
('it','scortese',-2.4,true),
('it','incompetente',-2.9,true),
('it','incompetenti',-2.9,true),
('it','ridicolo',-2.5,true),
('it','inaccettabile',-2.9,true),
('it','vergogna',-2.4,true),
('it','vergognoso',-2.8,true),
('it','truffa',-3.1,true),
('it','truffatori',-3.2,true),
('it','frode',-3.0,true),
('it','bugia',-2.4,true),
('it','reclamo',-1.8,true),
('it','rimborso',-0.9,true),
('it','annullare',-1.1,true),
('it','disdire',-1.3,true),
('it','disastro',-3.0,true),
('it','spazzatura',-2.8,true),
('it','caro',-1.2,true),
('it','costoso',-1.3,true),
('it','mai',-0.5,true),
('it','nessuno',-0.8,true),
('it','niente',-0.6,true),
('it','purtroppo',-1.6,true),
('it','difficile',-1.5,true),
('it','impossibile',-1.9,true),
('it','complicato',-1.3,true),
('it','preoccupato',-1.8,true),
('it','preoccupata',-1.8,true),
('it','stanco',-1.6,true),
('it','stanca',-1.6,true),
('it','disgustoso',-3.0,true),
('it','patetico',-2.9,true),
('it','penoso',-2.6,true),
('it','scandaloso',-2.9,true),
('it','assurdo',-2.4,true),
('it','furto',-2.7,true),
('it','ignorato',-2.0,true),
('it','aspetto ancora',-2.0,true),
('it','sto ancora aspettando',-2.0,true),
('it','non funziona',-2.0,true),
('it','frustrante',-2.5,true),
('it','insoddisfatto',-2.3,true),
('it','insoddisfatta',-2.3,true),
('it','mai più',-2.4,true),
('it','nessuna risposta',-2.0,true),
('it','senza risposta',-1.9,true),
('it','una vergogna',-2.8,true),
('it','servizio pessimo',-3.2,true);
INSERT INTO omni.lexicon_rule (language, term, kind, weight, builtin) VALUES
('it','non','negator',NULL,true),
('it','mai','negator',NULL,true),
('it','nessun','negator',NULL,true),
('it','nessuno','negator',NULL,true),
('it','nessuna','negator',NULL,true),
('it','niente','negator',NULL,true),
('it','nulla','negator',NULL,true),
('it','senza','negator',NULL,true),
('it','né','negator',NULL,true),
('it','neanche','negator',NULL,true),
('it','nemmeno','negator',NULL,true),
('it','neppure','negator',NULL,true),
('it','molto','intensifier',0.293,true),
('it','tanto','intensifier',0.25,true),
('it','troppo','intensifier',0.3,true),
('it','davvero','intensifier',0.3,true),
('it','veramente','intensifier',0.3,true),
('it','proprio','intensifier',0.2,true),
('it','così','intensifier',0.25,true),
('it','super','intensifier',0.3,true),
('it','totalmente','intensifier',0.3,true),
('it','completamente','intensifier',0.3,true),
('it','assolutamente','intensifier',0.35,true),
('it','estremamente','intensifier',0.4,true),
('it','incredibilmente','intensifier',0.35,true),
('it','particolarmente','intensifier',0.25,true),
('it','parecchio','intensifier',0.2,true),
('it','piuttosto','intensifier',0.15,true),
('it','più','intensifier',0.2,true),
('it','poco','diminisher',0.3,true),
('it','un po''','diminisher',0.25,true),
('it','leggermente','diminisher',0.3,true),
('it','quasi','diminisher',0.2,true),
('it','abbastanza','diminisher',0.1,true),
('it','appena','diminisher',0.3,true),
('it','ma','contrast',NULL,true),
('it','però','contrast',NULL,true),
('it','tuttavia','contrast',NULL,true),
('it','eppure','contrast',NULL,true),
('it','anche se','contrast',NULL,true),
('it','sebbene','contrast',NULL,true),
('it','invece','contrast',NULL,true),
('it','il','stopword',NULL,true),
('it','lo','stopword',NULL,true),
('it','la','stopword',NULL,true),
('it','i','stopword',NULL,true),
('it','gli','stopword',NULL,true),
('it','le','stopword',NULL,true),
('it','un','stopword',NULL,true),
('it','uno','stopword',NULL,true),
('it','una','stopword',NULL,true),
('it','e','stopword',NULL,true),
('it','o','stopword',NULL,true),
('it','che','stopword',NULL,true),
('it','di','stopword',NULL,true),
('it','del','stopword',NULL,true),
('it','della','stopword',NULL,true),
('it','dei','stopword',NULL,true),
('it','in','stopword',NULL,true),
('it','nel','stopword',NULL,true),
('it','nella','stopword',NULL,true),
('it','è','stopword',NULL,true),
('it','sono','stopword',NULL,true),
('it','sto','stopword',NULL,true),
('it','sta','stopword',NULL,true),
('it','per','stopword',NULL,true),
('it','con','stopword',NULL,true),
('it','mio','stopword',NULL,true),
('it','mia','stopword',NULL,true),
('it','miei','stopword',NULL,true),
('it','suo','stopword',NULL,true),
('it','sua','stopword',NULL,true),
('it','si','stopword',NULL,true),
('it','mi','stopword',NULL,true),
('it','ti','stopword',NULL,true),
('it','ci','stopword',NULL,true),
('it','vi','stopword',NULL,true),
('it','al','stopword',NULL,true),
('it','alla','stopword',NULL,true),
('it','come','stopword',NULL,true),
('it','quando','stopword',NULL,true),
('it','dove','stopword',NULL,true),
('it','ciao','stopword',NULL,true),
('it','salve','stopword',NULL,true),
('it','buongiorno','stopword',NULL,true),
('it','ordine','stopword',NULL,true),
('it','perché','stopword',NULL,true),
('it','già','stopword',NULL,true),
('it','c''è','stopword',NULL,true),
('it','ho','stopword',NULL,true),
('it','ha','stopword',NULL,true),
('it','hanno','stopword',NULL,true),
('it','abbiamo','stopword',NULL,true),
('it','io','stopword',NULL,true),
('it','lei','stopword',NULL,true),
('it','voi','stopword',NULL,true),
('it','questo','stopword',NULL,true),
('it','questa','stopword',NULL,true),
('it','quello','stopword',NULL,true),
('it','stato','stopword',NULL,true),
('it','tutto','stopword',NULL,true),
('it','anche','stopword',NULL,true),
('it','ancora','stopword',NULL,true),
('it','da','stopword',NULL,true),
('it','dal','stopword',NULL,true),
('it','conto','stopword',NULL,true),
('it','grazie','stopword',NULL,true),
('it','non','stopword',NULL,true),
('it','molto','stopword',NULL,true),
('it','ma','stopword',NULL,true),
('it','i','suffix',NULL,true),
('it','e','suffix',NULL,true),
('it','a','suffix',NULL,true),
('it','o','suffix',NULL,true),
('it','issimo','suffix',NULL,true),
('it','issima','suffix',NULL,true),
('it','issimi','suffix',NULL,true),
('it','issime','suffix',NULL,true),
('it','mente','suffix',NULL,true),
('it','ato','suffix',NULL,true),
('it','ata','suffix',NULL,true),
('it','ati','suffix',NULL,true),
('it','ate','suffix',NULL,true),
('it','uto','suffix',NULL,true),
('it','uta','suffix',NULL,true),
('it','ito','suffix',NULL,true),
('it','ita','suffix',NULL,true),
('it','are','suffix',NULL,true),
('it','ere','suffix',NULL,true),
('it','ire','suffix',NULL,true),
('it','ando','suffix',NULL,true),
('it','endo','suffix',NULL,true),
('it','iamo','suffix',NULL,true),
('it','ano','suffix',NULL,true),
('it','ono','suffix',NULL,true),
('it','ava','suffix',NULL,true),
('it','avano','suffix',NULL,true),
('it','zione','suffix',NULL,true),
('it','zioni','suffix',NULL,true);
INSERT INTO omni.profanity (language, term, severity, builtin) VALUES
('it','cazzo',2,true),
('it','cazzata',2,true),
('it','cazzate',2,true),
('it','merda',2,true),
('it','vaffanculo',3,true),
('it','fanculo',3,true),
('it','stronzo',3,true),
('it','stronza',3,true),
('it','stronzata',2,true),
('it','puttana',3,true),
('it','troia',3,true),
('it','coglione',3,true),
('it','coglioni',2,true),
('it','minchia',2,true),
('it','porca puttana',3,true),
('it','porco dio',3,true),
('it','madonna',1,true),
('it','bastardo',3,true),
('it','figlio di puttana',3,true),
('it','testa di cazzo',3,true),
('it','idiota',2,true),
('it','imbecille',3,true),
('it','cretino',2,true),
('it','deficiente',3,true),
('it','scemo',1,true),
('it','incazzato',2,true),
('it','incazzata',2,true),
('it','fottuto',2,true),
('it','fottiti',3,true),
('it','sfigato',2,true),
('it','culo',1,true),
('it','palle',1,true),
('it','che cazzo',2,true);
INSERT INTO omni.lexicon (language, term, valence, builtin) VALUES
('ko','좋다',1.9,true),
('ko','좋아',1.9,true),
('ko','좋네',2.0,true),
('ko','좋은',1.9,true),
('ko','괜찮다',1.0,true),
('ko','괜찮아요',1.0,true),
('ko','괜찮습니다',1.0,true),
('ko','훌륭하다',3.0,true),
('ko','훌륭',3.0,true),
('ko','최고',3.0,true),
('ko','최고예요',3.0,true),
('ko','최고입니다',3.0,true),
('ko','완벽하다',3.0,true),
('ko','완벽',3.0,true),
('ko','멋지다',2.6,true),
('ko','멋있다',2.5,true),
('ko','대박',2.6,true),
('ko','짱',2.6,true),
('ko','감사',2.0,true),
('ko','감사하다',2.0,true),
('ko','감사합니다',2.0,true),
('ko','고맙다',2.0,true),
('ko','고마워요',2.0,true),
('ko','고맙습니다',2.0,true),
('ko','고마워',1.9,true),
('ko','만족',2.0,true),
('ko','만족하다',2.0,true),
('ko','만족스럽다',2.2,true),
('ko','행복하다',2.7,true),
('ko','행복',2.7,true),
('ko','기쁘다',2.6,true),
('ko','기뻐요',2.6,true),
('ko','친절하다',2.3,true),
('ko','친절',2.2,true),
('ko','빠르다',1.2,true),
('ko','빨리',0.8,true),
('ko','빠른',1.2,true),
('ko','신속하다',1.6,true),
('ko','신속',1.5,true),
('ko','편하다',1.5,true),
('ko','편리하다',1.6,true),
('ko','쉽다',1.3,true),
('ko','도움',1.3,true),
('ko','도움이 됐어요',2.0,true),
('ko','도움이 되었습니다',2.0,true),
('ko','해결',1.5,true),
('ko','해결됐어요',1.8,true),
('ko','해결되었습니다',1.8,true),
('ko','추천',1.8,true),
('ko','추천하다',1.8,true),
('ko','사랑',2.8,true),
('ko','사랑해요',3.0,true),
('ko','예쁘다',2.3,true),
('ko','맛있다',2.3,true),
('ko','좋아하다',2.0,true),
('ko','즐겁다',2.4,true),
('ko','기대',1.2,true),
('ko','다행',1.7,true),
('ko','다행이다',1.8,true),
('ko','안심',1.5,true),
('ko','믿음',1.4,true),
('ko','정확하다',1.2,true),
('ko','깔끔하다',1.7,true),
('ko','세심하다',1.9,true),
('ko','든든하다',1.9,true),
('ko','수고하셨습니다',1.6,true),
('ko','수고',1.2,true),
('ko','잘',1.0,true),
('ko','잘됐다',2.0,true),
('ko','성공',2.2,true),
('ko','문제없다',1.5,true),
('ko','문제없어요',1.5,true),
('ko','굿',1.8,true),
('ko','최상',2.8,true),
('ko','베스트',2.6,true),
('ko','훌륭한',3.0,true),
('ko','좋았다',1.9,true),
('ko','나쁘다',-2.5,true),
('ko','나빠요',-2.5,true),
('ko','나쁜',-2.5,true),
('ko','별로',-1.8,true),
('ko','최악',-3.4,true),
('ko','최악이다',-3.4,true),
('ko','형편없다',-3.0,true),
('ko','끔찍하다',-3.1,true),
('ko','엉망',-2.6,true),
('ko','엉망이다',-2.6,true),
('ko','실망',-2.4,true),
('ko','실망하다',-2.4,true),
('ko','실망스럽다',-2.5,true),
('ko','화나다',-2.7,true),
('ko','화가 나요',-2.7,true),
('ko','화가 납니다',-2.7,true),
('ko','짜증',-2.4,true),
('ko','짜증나다',-2.5,true),
('ko','짜증나요',-2.5,true),
('ko','답답하다',-2.2,true),
('ko','불만',-2.2,true),
('ko','불만족',-2.3,true),
('ko','불편하다',-1.8,true),
('ko','불편',-1.8,true),
('ko','느리다',-1.6,true),
('ko','늦다',-1.4,true),
('ko','늦게',-1.3,true),
('ko','지연',-1.5,true),
('ko','고장',-2.1,true),
('ko','고장나다',-2.2,true),
('ko','파손',-2.2,true),
('ko','불량',-2.3,true),
('ko','오류',-1.4,true),
('ko','에러',-1.4,true),
('ko','문제',-1.7,true),
('ko','잘못',-1.9,true),
('ko','틀리다',-1.6,true),
('ko','환불',-0.9,true),
('ko','취소',-1.0,true),
('ko','해지',-1.2,true),
('ko','사기',-3.1,true),
('ko','거짓말',-2.5,true),
('ko','무례하다',-2.6,true),
('ko','불친절하다',-2.6,true),
('ko','불친절',-2.5,true),
('ko','황당하다',-2.4,true),
('ko','어이없다',-2.5,true),
('ko','한심하다',-2.7,true),
('ko','창피하다',-2.2,true),
('ko','슬프다',-2.1,true),
('ko','싫다',-2.3,true),
('ko','싫어요',-2.3,true),
('ko','힘들다',-1.7,true),
('ko','어렵다',-1.4,true),
('ko','비싸다',-1.3,true),
('ko','걱정',-1.6,true),
('ko','걱정되다',-1.8,true),
('ko','피곤하다',-1.4,true),
('ko','쓰레기',-2.8,true),
('ko','엉터리',-2.6,true),
('ko','무책임',-2.6,true),
('ko','무책임하다',-2.6,true),
('ko','분노',-3.0,true),
('ko','열받다',-2.8,true),
('ko','미치겠다',-2.6,true),
('ko','아직도',-1.2,true),
('ko','계속 기다리고',-1.8,true),
('ko','기다리고 있어요',-1.0,true),
('ko','연락이 없어요',-1.9,true),
('ko','답이 없어요',-1.9,true),
('ko','소용없다',-2.2,true),
('ko','불가능',-1.9,true),
('ko','실수',-1.5,true),
('ko','손해',-2.0,true),
('ko','낭비',-2.2,true),
('ko','귀찮다',-1.8,true),
('ko','안타깝다',-1.7,true),
('ko','유감',-1.5,true),
('ko','항의',-1.9,true),
('ko','신고',-1.4,true),
('ko','아쉽다',-1.3,true),
('ko','아쉬워요',-1.3,true),
('ko','지겹다',-2.2,true),
('ko','형편없는',-3.0,true);
INSERT INTO omni.lexicon_rule (language, term, kind, weight, builtin) VALUES
('ko','안','negator',NULL,true),
('ko','못','negator',NULL,true),
('ko','아니','negator',NULL,true),
('ko','아니요','negator',NULL,true),
('ko','전혀','negator',NULL,true),
('ko','없이','negator',NULL,true),
('ko','않','negator_post',NULL,true),
('ko','않다','negator_post',NULL,true),
('ko','않아요','negator_post',NULL,true),
('ko','않습니다','negator_post',NULL,true),
('ko','않네요','negator_post',NULL,true),
('ko','않았어요','negator_post',NULL,true),
('ko','않고','negator_post',NULL,true),
('ko','못해요','negator_post',NULL,true),
('ko','못했어요','negator_post',NULL,true),
('ko','못하다','negator_post',NULL,true),
('ko','없다','negator_post',NULL,true),
('ko','없어요','negator_post',NULL,true),
('ko','없습니다','negator_post',NULL,true),
('ko','없네요','negator_post',NULL,true),
('ko','아니다','negator_post',NULL,true),
('ko','아니에요','negator_post',NULL,true),
('ko','아닙니다','negator_post',NULL,true),
('ko','너무','intensifier',0.3,true),
('ko','정말','intensifier',0.3,true),
('ko','진짜','intensifier',0.3,true),
('ko','아주','intensifier',0.293,true),
('ko','매우','intensifier',0.293,true),
('ko','완전','intensifier',0.35,true),
('ko','엄청','intensifier',0.35,true),
('ko','굉장히','intensifier',0.35,true),
('ko','몹시','intensifier',0.35,true),
('ko','대단히','intensifier',0.35,true),
('ko','참','intensifier',0.25,true),
('ko','되게','intensifier',0.3,true),
('ko','제일','intensifier',0.3,true),
('ko','가장','intensifier',0.3,true),
('ko','특히','intensifier',0.25,true),
('ko','훨씬','intensifier',0.25,true),
('ko','더','intensifier',0.2,true),
('ko','조금','diminisher',0.25,true),
('ko','좀','diminisher',0.2,true),
('ko','약간','diminisher',0.25,true),
('ko','다소','diminisher',0.25,true),
('ko','거의','diminisher',0.2,true),
('ko','그다지','diminisher',0.3,true),
('ko','하지만','contrast',NULL,true),
('ko','그런데','contrast',NULL,true),
('ko','근데','contrast',NULL,true),
('ko','그러나','contrast',NULL,true),
('ko','그래도','contrast',NULL,true),
('ko','그렇지만','contrast',NULL,true),
('ko','반면','contrast',NULL,true),
('ko','지만','contrast_suffix',NULL,true),
('ko','는데','contrast_suffix',NULL,true),
('ko','은데','contrast_suffix',NULL,true),
('ko','저','stopword',NULL,true),
('ko','제가','stopword',NULL,true),
('ko','저는','stopword',NULL,true),
('ko','나','stopword',NULL,true),
('ko','나는','stopword',NULL,true),
('ko','우리','stopword',NULL,true),
('ko','이','stopword',NULL,true),
('ko','그','stopword',NULL,true),
('ko','저희','stopword',NULL,true),
('ko','주문','stopword',NULL,true),
('ko','배송','stopword',NULL,true),
('ko','것','stopword',NULL,true),
('ko','거','stopword',NULL,true),
('ko','수','stopword',NULL,true),
('ko','때','stopword',NULL,true),
('ko','좀','stopword',NULL,true),
('ko','요','stopword',NULL,true),
('ko','네','stopword',NULL,true),
('ko','예','stopword',NULL,true),
('ko','안녕하세요','stopword',NULL,true),
('ko','어떻게','stopword',NULL,true),
('ko','언제','stopword',NULL,true),
('ko','왜','stopword',NULL,true),
('ko','어디','stopword',NULL,true),
('ko','무엇','stopword',NULL,true),
('ko','뭐','stopword',NULL,true),
('ko','있어요','stopword',NULL,true),
('ko','있습니다','stopword',NULL,true),
('ko','했어요','stopword',NULL,true),
('ko','합니다','stopword',NULL,true),
('ko','해요','stopword',NULL,true),
('ko','입니다','stopword',NULL,true),
('ko','이에요','stopword',NULL,true),
('ko','에서','stopword',NULL,true),
('ko','으로','stopword',NULL,true),
('ko','에게','stopword',NULL,true),
('ko','님','stopword',NULL,true),
('ko','고객','stopword',NULL,true),
('ko','상품','stopword',NULL,true),
('ko','제품','stopword',NULL,true),
('ko','났어요','suffix',NULL,true),
('ko','났습니다','suffix',NULL,true),
('ko','났다','suffix',NULL,true),
('ko','났네요','suffix',NULL,true),
('ko','났고','suffix',NULL,true),
('ko','났는데','suffix',NULL,true),
('ko','났지만','suffix',NULL,true),
('ko','나요','suffix',NULL,true),
('ko','났','suffix',NULL,true),
('ko','다','suffix',NULL,true),
('ko','요','suffix',NULL,true),
('ko','아요','suffix',NULL,true),
('ko','어요','suffix',NULL,true),
('ko','여요','suffix',NULL,true),
('ko','해요','suffix',NULL,true),
('ko','했어요','suffix',NULL,true),
('ko','했습니다','suffix',NULL,true),
('ko','합니다','suffix',NULL,true),
('ko','하다','suffix',NULL,true),
('ko','하고','suffix',NULL,true),
('ko','하는','suffix',NULL,true),
('ko','한','suffix',NULL,true),
('ko','할','suffix',NULL,true),
('ko','해서','suffix',NULL,true),
('ko','하네요','suffix',NULL,true),
('ko','했네요','suffix',NULL,true),
('ko','습니다','suffix',NULL,true),
('ko','ㅂ니다','suffix',NULL,true),
('ko','ㅂ니다만','suffix',NULL,true),
('ko','네요','suffix',NULL,true),
('ko','네','suffix',NULL,true),
('ko','군요','suffix',NULL,true),
('ko','구나','suffix',NULL,true),
('ko','았어요','suffix',NULL,true),
('ko','었어요','suffix',NULL,true),
('ko','였어요','suffix',NULL,true),
('ko','았습니다','suffix',NULL,true),
('ko','었습니다','suffix',NULL,true),
('ko','았다','suffix',NULL,true),
('ko','었다','suffix',NULL,true),
('ko','았고','suffix',NULL,true),
('ko','었고','suffix',NULL,true),
('ko','았는데','suffix',NULL,true),
('ko','었는데','suffix',NULL,true),
('ko','아서','suffix',NULL,true),
('ko','어서','suffix',NULL,true),
('ko','으니','suffix',NULL,true),
('ko','니까','suffix',NULL,true),
('ko','은','suffix',NULL,true),
('ko','는','suffix',NULL,true),
('ko','을','suffix',NULL,true),
('ko','를','suffix',NULL,true),
('ko','이','suffix',NULL,true),
('ko','가','suffix',NULL,true),
('ko','도','suffix',NULL,true),
('ko','만','suffix',NULL,true),
('ko','과','suffix',NULL,true),
('ko','와','suffix',NULL,true),
('ko','에','suffix',NULL,true),
('ko','에서','suffix',NULL,true),
('ko','으로','suffix',NULL,true),
('ko','로','suffix',NULL,true),
('ko','이에요','suffix',NULL,true),
('ko','예요','suffix',NULL,true),
('ko','입니다','suffix',NULL,true),
('ko','이다','suffix',NULL,true),
('ko','였다','suffix',NULL,true),
('ko','이었어요','suffix',NULL,true),
('ko','이었다','suffix',NULL,true),
('ko','고','suffix',NULL,true),
('ko','게','suffix',NULL,true),
('ko','지','suffix',NULL,true),
('ko','지만','suffix',NULL,true),
('ko','지요','suffix',NULL,true),
('ko','죠','suffix',NULL,true),
('ko','던','suffix',NULL,true),
('ko','더라고요','suffix',NULL,true),
('ko','겠어요','suffix',NULL,true),
('ko','겠다','suffix',NULL,true),
('ko','네요ㅠ','suffix',NULL,true),
('ko','스럽다','suffix',NULL,true),
('ko','스러워요','suffix',NULL,true),
('ko','스럽네요','suffix',NULL,true),
('ko','스러운','suffix',NULL,true),
('ko','스럽습니다','suffix',NULL,true),
('ko','스러웠어요','suffix',NULL,true),
('ko','하네','suffix',NULL,true),
('ko','하게','suffix',NULL,true),
('ko','하기','suffix',NULL,true),
('ko','해','suffix',NULL,true),
('ko','했다','suffix',NULL,true),
('ko','했던','suffix',NULL,true),
('ko','되다','suffix',NULL,true),
('ko','돼요','suffix',NULL,true),
('ko','됐어요','suffix',NULL,true),
('ko','되었어요','suffix',NULL,true),
('ko','됩니다','suffix',NULL,true),
('ko','되는','suffix',NULL,true),
('ko','된','suffix',NULL,true),
('ko','기','suffix',NULL,true),
('ko','음','suffix',NULL,true),
('ko','임','suffix',NULL,true),
('ko','이라','suffix',NULL,true),
('ko','라','suffix',NULL,true),
('ko','아','suffix',NULL,true),
('ko','어','suffix',NULL,true),
('ko','나','suffix',NULL,true),
('ko','의','suffix',NULL,true);
INSERT INTO omni.profanity (language, term, severity, builtin) VALUES
('ko','씨발',3,true),
('ko','시발',3,true),
('ko','씨bal',3,true),
('ko','ㅅㅂ',3,true),
('ko','ㅆㅂ',3,true),
('ko','개새끼',3,true),
('ko','새끼',2,true),
('ko','병신',3,true),
('ko','ㅂㅅ',3,true),
('ko','지랄',2,true),
('ko','좆',3,true),
('ko','좆같다',3,true),
('ko','미친',2,true),
('ko','미친놈',3,true),
('ko','미친년',3,true),
('ko','엿',2,true),
('ko','꺼져',2,true),
('ko','닥쳐',2,true),
('ko','젠장',1,true),
('ko','빌어먹을',2,true),
('ko','개같다',2,true),
('ko','쓰레기같은',2,true),
('ko','썅',2,true),
('ko','존나',2,true),
('ko','졸라',2,true),
('ko','개판',2,true);
INSERT INTO omni.lexicon (language, term, valence, builtin) VALUES
('mul',':)',2.0,true),
('mul',':-)',2.0,true),
('mul',':))',2.3,true),
('mul','=)',1.8,true),
('mul',':]',1.8,true),
('mul',';)',1.6,true),
('mul',';-)',1.6,true),
('mul',':d',2.5,true),
('mul',':-d',2.5,true),
('mul','xd',1.8,true),
('mul',':p',1.2,true),
('mul',':-p',1.2,true),
('mul','^^',1.5,true),
('mul','^_^',1.8,true),
('mul','<3',2.6,true),
('mul',':(',-2.0,true),
('mul',':-(',-2.0,true),
('mul',':((',-2.4,true),
('mul',':''(',-2.3,true),
('mul',':/',-1.1,true),
('mul',':-/',-1.1,true),
('mul',':|',-0.6,true),
('mul','>:(',-2.6,true),
('mul','d:',-2.0,true),
('mul','-_-',-1.3,true),
('mul','</3',-2.5,true),
('mul','😀',2.2,true),
('mul','😃',2.3,true),
('mul','😄',2.4,true),
('mul','😁',2.2,true),
('mul','😆',2.1,true),
('mul','😊',2.3,true),
('mul','🙂',1.3,true),
('mul','😉',1.5,true),
('mul','😍',2.9,true),
('mul','🥰',2.9,true),
('mul','😘',2.4,true),
('mul','😇',1.8,true),
('mul','🤗',2.0,true),
('mul','😂',1.4,true),
('mul','🤣',1.5,true),
('mul','👍',1.8,true),
('mul','👏',1.9,true),
('mul','🙌',2.0,true),
('mul','🙏',1.4,true),
('mul','❤',2.7,true),
('mul','💕',2.5,true),
('mul','💖',2.6,true),
('mul','💯',2.0,true),
('mul','✅',1.0,true),
('mul','⭐',1.6,true),
('mul','🌟',1.8,true),
('mul','🎉',2.2,true),
('mul','🔥',1.0,true),
('mul','😐',-0.5,true),
('mul','😑',-0.8,true),
('mul','🙄',-1.6,true),
('mul','😒',-1.8,true),
('mul','😕',-1.3,true),
('mul','😟',-1.8,true),
('mul','😞',-2.1,true),
('mul','😔',-1.8,true),
('mul','😢',-2.2,true),
('mul','😭',-2.3,true),
('mul','😩',-2.3,true),
('mul','😫',-2.3,true),
('mul','😤',-2.2,true),
('mul','😠',-2.7,true),
('mul','😡',-3.0,true),
('mul','🤬',-3.3,true),
('mul','👎',-2.0,true),
('mul','💔',-2.6,true),
('mul','❌',-1.2,true),
('mul','😱',-1.8,true),
('mul','😖',-2.2,true),
('mul','😣',-2.0,true),
('mul','🤮',-2.8,true),
('mul','🤢',-2.4,true),
('mul','💩',-2.2,true),
('mul','🖕',-3.0,true),
('mul','😬',-0.9,true),
('mul','😓',-1.5,true),
('mul','lol',1.2,true),
('mul','lmao',1.3,true),
('mul','haha',1.4,true),
('mul','hahaha',1.6,true),
('mul','hehe',1.2,true),
('mul','jaja',1.4,true),
('mul','jajaja',1.6,true),
('mul','kkk',1.2,true),
('mul','ㅋㅋ',1.3,true),
('mul','ㅋㅋㅋ',1.5,true),
('mul','ㅎㅎ',1.2,true),
('mul','ㅠㅠ',-1.8,true),
('mul','ㅜㅜ',-1.8,true),
('mul','ok',0.5,true),
('mul','okay',0.5,true),
('mul','thx',1.5,true),
('mul','ty',1.5,true),
('mul','omg',0.3,true),
('mul','wtf',-2.2,true),
('mul','smh',-1.4,true),
('mul','meh',-0.8,true),
('mul','ugh',-1.6,true),
('mul','argh',-1.7,true),
('mul','grr',-1.7,true),
('mul','wow',1.8,true),
('mul','yay',2.2,true),
('mul','super',2.0,true),
('mul','bravo',2.1,true);
INSERT INTO omni.profanity (language, term, severity, builtin) VALUES
('mul','wtf',1,true),
('mul','stfu',2,true),
('mul','fml',1,true);
INSERT INTO omni.lexicon (language, term, valence, builtin) VALUES
('pt','bom',1.9,true),
('pt','boa',1.9,true),
('pt','bons',1.9,true),
('pt','boas',1.6,true),
('pt','bem',1.5,true),
('pt','ótimo',2.8,true),
('pt','ótima',2.8,true),
('pt','excelente',3.1,true),
('pt','maravilhoso',3.0,true),
('pt','maravilhosa',3.0,true),
('pt','incrível',2.6,true),
('pt','perfeito',3.0,true),
('pt','perfeita',3.0,true),
('pt','fantástico',3.0,true),
('pt','fantástica',3.0,true),
('pt','espetacular',3.0,true),
('pt','genial',2.8,true),
('pt','adorei',2.9,true),
('pt','adoro',2.9,true),
('pt','amei',3.0,true),
('pt','amo',3.0,true),
('pt','gostei',1.9,true),
('pt','gosto',1.6,true),
('pt','feliz',2.7,true),
('pt','contente',2.3,true),
('pt','satisfeito',2.0,true),
('pt','satisfeita',2.0,true),
('pt','agradecido',2.2,true),
('pt','agradecida',2.2,true),
('pt','obrigado',1.9,true),
('pt','obrigada',1.9,true),
('pt','muito obrigado',2.4,true),
('pt','muito obrigada',2.4,true),
('pt','valeu',1.8,true),
('pt','útil',1.6,true),
('pt','rápido',1.2,true),
('pt','rápida',1.2,true),
('pt','fácil',1.4,true),
('pt','simpático',2.0,true),
('pt','simpática',2.0,true),
('pt','atencioso',2.0,true),
('pt','atenciosa',2.0,true),
('pt','gentil',2.0,true),
('pt','profissional',1.4,true),
('pt','eficiente',1.6,true),
('pt','recomendo',1.8,true),
('pt','melhor',1.9,true),
('pt','o melhor',2.8,true),
('pt','bonito',2.2,true),
('pt','bonita',2.2,true),
('pt','resolvido',1.7,true),
('pt','resolvida',1.7,true),
('pt','funciona',1.1,true),
('pt','funcionou',1.3,true),
('pt','sucesso',2.2,true),
('pt','impressionante',2.6,true),
('pt','agradável',2.0,true),
('pt','justo',1.0,true),
('pt','barato',0.6,true),
('pt','certo',0.6,true),
('pt','divertido',2.0,true),
('pt','tranquilo',1.2,true),
('pt','seguro',1.0,true),
('pt','parabéns',2.5,true),
('pt','show',2.2,true),
('pt','top',1.8,true),
('pt','legal',1.8,true),
('pt','massa',1.8,true),
('pt','beleza',1.6,true),
('pt','sim',0.5,true),
('pt','ajudou',1.6,true),
('pt','ajuda',0.8,true),
('pt','rapidez',1.4,true),
('pt','qualidade',0.8,true),
('pt','confiável',1.6,true),
('pt','sem problema',1.5,true),
('pt','sem problemas',1.5,true),
('pt','tudo bem',1.2,true),
('pt','tudo certo',1.6,true),
('pt','muito bom',2.6,true),
('pt','nota dez',2.8,true),
('pt','amável',2.1,true),
('pt','eficaz',1.5,true),
('pt','pontual',1.3,true),
('pt','alegre',2.3,true),
('pt','amor',2.8,true),
('pt','vale a pena',2.0,true),
('pt','mau',-2.4,true),
('pt','má',-2.4,true),
('pt','ruim',-2.5,true),
('pt','ruins',-2.5,true),
('pt','péssimo',-3.4,true),
('pt','péssima',-3.4,true),
('pt','horrível',-3.2,true),
('pt','terrível',-3.1,true),
('pt','pior',-2.5,true),
('pt','o pior',-3.4,true),
('pt','decepcionado',-2.4,true),
('pt','decepcionada',-2.4,true),
('pt','decepção',-2.5,true),
('pt','decepcionante',-2.5,true),
('pt','triste',-2.1,true),
('pt','chateado',-2.2,true),
('pt','chateada',-2.2,true),
('pt','irritado',-2.3,true),
('pt','irritada',-2.3,true),
('pt','furioso',-3.2,true),
('pt','furiosa',-3.2,true),
('pt','zangado',-2.5,true),
('pt','cansado',-1.6,true),
('pt','farto',-2.4,true),
('pt','farta',-2.4,true),
('pt','odeio',-3.0,true),
('pt','ódio',-3.0,true),
('pt','inútil',-2.4,true),
('pt','quebrado',-2.1,true),
('pt','quebrada',-2.1,true),
('pt','estragado',-2.2,true),
('pt','avariado',-2.1,true),
('pt','defeito',-2.1,true),
('pt','defeituoso',-2.3,true),
('pt','errado',-2.0,true),
('pt','errada',-2.0,true),
('pt','erro',-1.4,true),
('pt','falha',-1.9,true),
('pt','falhou',-2.0,true),
('pt','problema',-1.7,true),
('pt','problemas',-1.7,true),
('pt','lento',-1.6,true),
('pt','lenta',-1.6,true),
('pt','atraso',-1.6,true),
('pt','atrasado',-1.7,true),
('pt','atrasada',-1.7,true),
('pt','perdido',-1.6,true),
('pt','perdida',-1.6,true),
('pt','grosseiro',-2.6,true),
('pt','mal educado',-2.6,true),
('pt','incompetente',-2.9,true),
('pt','incompetentes',-2.9,true),
('pt','ridículo',-2.5,true),
('pt','inaceitável',-2.9,true),
('pt','vergonha',-2.4,true),
('pt','vergonhoso',-2.8,true),
('pt','golpe',-2.8,true),
('pt','fraude',-3.0,true),
('pt','enganado',-2.7,true),
('pt','mentira',-2.4,true),
('pt','reclamação',-1.8,true),
('pt','reembolso',-0.9,true),
('pt','cancelar',-1.1,true),
('pt','desastre',-3.0,true),
('pt','lixo',-2.8,true),
('pt','caro',-1.3,true),
('pt','nunca',-0.5,true),
('pt','ninguém',-0.8,true),
('pt','nada',-0.6,true),
('pt','infelizmente',-1.6,true),
('pt','difícil',-1.5,true),
('pt','impossível',-1.9,true),
('pt','complicado',-1.3,true),
('pt','preocupado',-1.8,true),
('pt','preocupada',-1.8,true),
('pt','nojo',-3.0,true),
('pt','nojento',-3.0,true),
('pt','patético',-2.9,true),
('pt','lamentável',-2.7,true),
('pt','absurdo',-2.5,true),
('pt','descaso',-2.6,true),
('pt','desrespeito',-2.7,true),
('pt','roubo',-2.8,true),
('pt','ignorado',-2.0,true),
('pt','esperando',-0.9,true),
('pt','continuo esperando',-2.0,true),
('pt','ainda esperando',-1.9,true),
('pt','não funciona',-2.0,true),
('pt','demora',-1.6,true),
('pt','demorado',-1.6,true),
('pt','frustrante',-2.5,true),
('pt','frustrado',-2.4,true),
('pt','insatisfeito',-2.3,true),
('pt','insatisfeita',-2.3,true),
('pt','nunca mais',-2.4,true),
('pt','sem resposta',-1.9,true),
('pt','meu dinheiro de volta',-2.2,true),
('pt','pessimo',-3.4,true),
('pt','horrivel',-3.2,true),
('pt','palhaçada',-2.6,true),
('pt','uma vergonha',-2.8,true),
('pt','mal',1.0,true);
INSERT INTO omni.lexicon_rule (language, term, kind, weight, builtin) VALUES
('pt','não','negator',NULL,true),
('pt','nao','negator',NULL,true),
('pt','nunca','negator',NULL,true),
('pt','jamais','negator',NULL,true),
('pt','nem','negator',NULL,true),
('pt','nenhum','negator',NULL,true),
('pt','nenhuma','negator',NULL,true),
('pt','sem','negator',NULL,true),
('pt','nada','negator',NULL,true),
('pt','ninguém','negator',NULL,true),
('pt','muito','intensifier',0.293,true),
('pt','muita','intensifier',0.293,true),
('pt','muitíssimo','intensifier',0.4,true),
('pt','tão','intensifier',0.293,true),
('pt','super','intensifier',0.3,true),
('pt','realmente','intensifier',0.3,true),
('pt','totalmente','intensifier',0.3,true),
('pt','completamente','intensifier',0.3,true),
('pt','absolutamente','intensifier',0.35,true),
('pt','extremamente','intensifier',0.4,true),
('pt','incrivelmente','intensifier',0.35,true),
('pt','demais','intensifier',0.3,true),
('pt','bastante','intensifier',0.15,true),
('pt','bem','intensifier',0.2,true),
('pt','mais','intensifier',0.2,true),
('pt','mega','intensifier',0.3,true),
('pt','pouco','diminisher',0.3,true),
('pt','um pouco','diminisher',0.25,true),
('pt','meio','diminisher',0.2,true),
('pt','ligeiramente','diminisher',0.3,true),
('pt','quase','diminisher',0.2,true),
('pt','mal','diminisher',0.3,true),
('pt','mas','contrast',NULL,true),
('pt','porém','contrast',NULL,true),
('pt','contudo','contrast',NULL,true),
('pt','entretanto','contrast',NULL,true),
('pt','todavia','contrast',NULL,true),
('pt','embora','contrast',NULL,true),
('pt','o','stopword',NULL,true),
('pt','a','stopword',NULL,true),
('pt','os','stopword',NULL,true),
('pt','as','stopword',NULL,true),
('pt','um','stopword',NULL,true),
('pt','uma','stopword',NULL,true),
('pt','e','stopword',NULL,true),
('pt','ou','stopword',NULL,true),
('pt','que','stopword',NULL,true),
('pt','de','stopword',NULL,true),
('pt','do','stopword',NULL,true),
('pt','da','stopword',NULL,true),
('pt','dos','stopword',NULL,true),
('pt','das','stopword',NULL,true),
('pt','em','stopword',NULL,true),
('pt','no','stopword',NULL,true),
('pt','na','stopword',NULL,true),
('pt','é','stopword',NULL,true),
('pt','são','stopword',NULL,true),
('pt','está','stopword',NULL,true),
('pt','estão','stopword',NULL,true),
('pt','estou','stopword',NULL,true),
('pt','por','stopword',NULL,true),
('pt','para','stopword',NULL,true),
('pt','com','stopword',NULL,true),
('pt','meu','stopword',NULL,true),
('pt','minha','stopword',NULL,true),
('pt','seu','stopword',NULL,true),
('pt','sua','stopword',NULL,true),
('pt','se','stopword',NULL,true),
('pt','me','stopword',NULL,true),
('pt','te','stopword',NULL,true),
('pt','nos','stopword',NULL,true),
('pt','ao','stopword',NULL,true),
('pt','como','stopword',NULL,true),
('pt','quando','stopword',NULL,true),
('pt','onde','stopword',NULL,true),
('pt','olá','stopword',NULL,true),
('pt','oi','stopword',NULL,true),
('pt','pedido','stopword',NULL,true),
('pt','porque','stopword',NULL,true),
('pt','já','stopword',NULL,true),
('pt','há','stopword',NULL,true),
('pt','eu','stopword',NULL,true),
('pt','você','stopword',NULL,true),
('pt','vocês','stopword',NULL,true),
('pt','este','stopword',NULL,true),
('pt','esta','stopword',NULL,true),
('pt','isso','stopword',NULL,true),
('pt','isto','stopword',NULL,true),
('pt','foi','stopword',NULL,true),
('pt','tem','stopword',NULL,true),
('pt','têm','stopword',NULL,true),
('pt','tenho','stopword',NULL,true),
('pt','ainda','stopword',NULL,true),
('pt','também','stopword',NULL,true),
('pt','até','stopword',NULL,true),
('pt','desde','stopword',NULL,true),
('pt','conta','stopword',NULL,true),
('pt','pra','stopword',NULL,true),
('pt','vou','stopword',NULL,true),
('pt','s','suffix',NULL,true),
('pt','es','suffix',NULL,true),
('pt','a','suffix',NULL,true),
('pt','o','suffix',NULL,true),
('pt','as','suffix',NULL,true),
('pt','os','suffix',NULL,true),
('pt','íssimo','suffix',NULL,true),
('pt','íssima','suffix',NULL,true),
('pt','mente','suffix',NULL,true),
('pt','ado','suffix',NULL,true),
('pt','ada','suffix',NULL,true),
('pt','ados','suffix',NULL,true),
('pt','adas','suffix',NULL,true),
('pt','ido','suffix',NULL,true),
('pt','ida','suffix',NULL,true),
('pt','idos','suffix',NULL,true),
('pt','idas','suffix',NULL,true),
('pt','ar','suffix',NULL,true),
('pt','er','suffix',NULL,true),
('pt','ir','suffix',NULL,true),
('pt','ando','suffix',NULL,true),
('pt','endo','suffix',NULL,true),
('pt','indo','suffix',NULL,true),
('pt','amos','suffix',NULL,true),
('pt','emos','suffix',NULL,true),
('pt','imos','suffix',NULL,true),
('pt','am','suffix',NULL,true),
('pt','em','suffix',NULL,true),
('pt','aram','suffix',NULL,true),
('pt','eram','suffix',NULL,true),
('pt','ou','suffix',NULL,true),
('pt','ei','suffix',NULL,true),
('pt','ia','suffix',NULL,true),
('pt','iam','suffix',NULL,true),
('pt','ção','suffix',NULL,true),
('pt','ções','suffix',NULL,true),
('pt','inho','suffix',NULL,true),
('pt','inha','suffix',NULL,true);
INSERT INTO omni.profanity (language, term, severity, builtin) VALUES
('pt','merda',2,true),
('pt','porra',2,true),
('pt','caralho',2,true),
('pt','foda',2,true),
('pt','foda-se',3,true),
('pt','fodido',2,true),
('pt','puta',3,true),
('pt','puto',2,true),
('pt','filho da puta',3,true),
('pt','filha da puta',3,true),
('pt','cacete',2,true),
('pt','buceta',3,true),
('pt','cu',2,true),
('pt','cuzão',3,true),
('pt','arrombado',3,true),
('pt','desgraçado',3,true),
('pt','desgraçada',3,true),
('pt','otário',2,true),
('pt','otária',2,true),
('pt','idiota',2,true),
('pt','imbecil',3,true),
('pt','babaca',2,true),
('pt','vai se foder',3,true),
('pt','vai tomar no cu',3,true),
('pt','droga',1,true),
('pt','bosta',2,true),
('pt','fdp',3,true),
('pt','pqp',2,true),
('pt','vsf',3,true),
('pt','escroto',3,true),
('pt','viado',3,true);
