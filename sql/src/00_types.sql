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
    -- BI and reporting: reads every view and KPI, no message text, no writes.
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'omnichannel_reporting') THEN
        CREATE ROLE omnichannel_reporting NOLOGIN;
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

-- What caused a presence change (omni.presence_history.set_by).  A domain
-- rather than a CHECK on the table: a domain's rule is read once per
-- session (the type cache) and checked only where the column is written,
-- while a table's CHECK is read again by every statement that writes the
-- table, the closing of the old history row included (docs/design.md,
-- "Hot tables").
CREATE DOMAIN omni.presence_set_by AS text
    CHECK (VALUE IN ('agent', 'supervisor', 'admin', 'login', 'logout', 'load', 'system'));
COMMENT ON DOMAIN omni.presence_set_by IS
    'What caused a presence change: agent, supervisor, admin, login, logout, load (presence follows load) or system.';

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

-- pg_dump scripts and pg_restore sessions always start with row_security = off
-- and check_function_bodies = off (pg_backup_archiver.c); applications never
-- run that way as a superuser.  Triggers that derive new rows or rewrite the
-- row being inserted (queue splits, overflow, runtime rows of a new agent)
-- stand aside then, so a restore gives back the rows exactly as dumped
-- (docs/operations.md, "Backups").
CREATE FUNCTION omni._restoring() RETURNS boolean
    LANGUAGE c STABLE PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'omni_restoring';
COMMENT ON FUNCTION omni._restoring() IS
    'Whether this session restores a dump (a superuser session with row_security and check_function_bodies off, as pg_restore and pg_dump scripts set them): triggers that derive rows stand aside.';

CREATE FUNCTION omni.caller() RETURNS regrole
    LANGUAGE c STABLE PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'omni_caller';
COMMENT ON FUNCTION omni.caller() IS
    'The role on whose behalf the current call runs (after SET ROLE, unaffected by SECURITY DEFINER).';
