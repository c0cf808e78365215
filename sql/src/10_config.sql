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
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
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
    description  text,
    builtin      boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE omni.channel IS 'Channels conversations arrive on; seeded chat, sms, voice, email, social.';
COMMENT ON COLUMN omni.channel.name IS 'Channel name, lower case (e.g. ''whatsapp'').';
COMMENT ON COLUMN omni.channel.description IS 'Free description.';
COMMENT ON COLUMN omni.channel.builtin IS 'true: one of the five channels CREATE EXTENSION seeds (not in a dump; the extension recreates them).';
INSERT INTO omni.channel (name, description, builtin) VALUES
    ('chat', 'Live chat on web or app', true), ('sms', 'Text messages', true), ('voice', 'Phone calls', true),
    ('email', 'E-mail', true), ('social', 'Social media messages', true);

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
    'immediate: a slot frees when the item is released; end_of_day: items taken (accepted, picked, assigned, transferred in) count until midnight UTC of omni.now(), pending offers count too.';
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
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
BEGIN
    IF NEW.db_role IS NOT NULL AND (TG_OP = 'INSERT' OR NEW.db_role IS DISTINCT FROM OLD.db_role) THEN
        PERFORM omni._check_person_role(NEW.db_role, 'an agent');
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
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
BEGIN
    PERFORM omni._check_person_role(NEW.db_role, 'a supervisor');
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
    transfer_needs_accept    boolean NOT NULL DEFAULT false,
    consult_needs_capacity   boolean NOT NULL DEFAULT false,
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
COMMENT ON COLUMN omni.workstream.transfer_needs_accept IS
    'A transfer to an agent is offered to that agent, who accepts or rejects it (omni.transfer_offer), as in D365; default false: it is handed over at once.';
COMMENT ON COLUMN omni.workstream.consult_needs_capacity IS
    'A consulted agent must have free capacity for one of its conversations (a consult itself holds none); default false, as in D365.';

CREATE FUNCTION omni._check_workstream() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
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
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
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
