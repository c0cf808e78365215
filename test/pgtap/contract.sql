-- contract: the public SQL names of SPEC.md exist with the promised shapes.
\set ON_ERROR_STOP 1
\set QUIET 1
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS omnichannel CASCADE;
CREATE EXTENSION omnichannel;
SELECT plan(113);

-- §1 types
SELECT enum_has_labels('omni', 'base_status', ARRAY['available', 'busy', 'busy_dnd', 'away', 'offline']);
SELECT enum_has_labels('omni', 'conversation_state', ARRAY['open', 'active', 'waiting', 'wrap_up', 'closed']);
SELECT enum_has_labels('omni', 'offer_state', ARRAY['pending', 'accepted', 'rejected', 'expired', 'rescinded']);
SELECT enum_has_labels('omni', 'sentiment_level', ARRAY['very_negative', 'negative', 'slightly_negative',
       'neutral', 'slightly_positive', 'positive', 'very_positive']);
SELECT enum_has_labels('omni', 'sender', ARRAY['customer', 'agent', 'bot', 'system']);
SELECT ok('very_negative'::omni.sentiment_level < 'neutral' AND 'neutral'::omni.sentiment_level < 'very_positive',
          'sentiment levels are ordered');

-- §2 configuration tables and their columns
SELECT has_table('omni', t, 'table omni.' || t) FROM unnest(ARRAY['presence', 'channel', 'skill', 'agent',
       'agent_skill', 'queue_member', 'capacity_profile', 'queue', 'workstream', 'route_rule', 'classify_rule']) t;
SELECT columns_are('omni', 'presence', ARRAY['name', 'base_status', 'presence_text', 'description', 'system_only', 'builtin']);
SELECT has_column('omni', 'agent', c, 'agent.' || c) FROM unnest(ARRAY['id', 'name', 'db_role', 'capacity_units', 'default_presence']) c;
SELECT has_column('omni', 'agent_skill', c, 'agent_skill.' || c) FROM unnest(ARRAY['agent_id', 'skill', 'proficiency']) c;
SELECT has_column('omni', 'capacity_profile', c, 'capacity_profile.' || c) FROM unnest(ARRAY['name', 'max_items', 'reset', 'blocking']) c;
SELECT has_column('omni', 'queue', c, 'queue.' || c) FROM unnest(ARRAY['name', 'assignment_method', 'priority',
       'sentiment_enabled', 'service_level_threshold']) c;
SELECT has_column('omni', 'workstream', c, 'workstream.' || c) FROM unnest(ARRAY['name', 'channel', 'mode',
       'capacity_units', 'capacity_profile', 'allowed_presences', 'offer_timeout', 'block_on_missed', 'max_declines',
       'default_queue', 'skill_match']) c;
SELECT col_type_is('omni', 'route_rule', 'condition', 'jsonpath', 'route_rule.condition is a jsonpath');
SELECT col_type_is('omni', 'classify_rule', 'required_skills', 'jsonb', 'classify_rule.required_skills is jsonb');
SELECT results_eq($$SELECT name, base_status::text, system_only FROM omni.presence ORDER BY name$$,
       $$VALUES ('Available', 'available', false), ('Away', 'away', false), ('Busy', 'busy', false),
                ('Busy - DND', 'busy_dnd', false), ('Inactive', 'away', true), ('Offline', 'offline', false)$$,
       'the six built-in presences are seeded');
SELECT set_eq($$SELECT name FROM omni.channel$$, ARRAY['chat', 'sms', 'voice', 'email', 'social'], 'channels seeded');

-- §3 runtime functions with their signatures
SELECT has_function('omni', 'login', ARRAY['bigint']);
SELECT has_function('omni', 'logout', ARRAY['bigint']);
SELECT has_function('omni', 'set_presence', ARRAY['bigint', 'text']);
SELECT function_returns('omni', 'enqueue', ARRAY['text', 'text', 'jsonb'], 'bigint');
SELECT function_returns('omni', 'start_with_bot', ARRAY['text', 'text', 'jsonb'], 'bigint');
SELECT has_function('omni', 'escalate', ARRAY['bigint']::text[] || ARRAY['jsonb']);
SELECT has_function('omni', 'accept', ARRAY['bigint']);
SELECT has_function('omni', 'reject', ARRAY['bigint']);
SELECT has_function('omni', 'pick', ARRAY['bigint', 'bigint']);
SELECT function_returns('omni', 'post_message', ARRAY['bigint', 'omni.sender', 'text', 'bigint'], 'bigint');
SELECT has_function('omni', f, ARRAY['bigint']) FROM unnest(ARRAY['end_conversation', 'close_conversation',
       'abandon', 'set_waiting', 'resume', 'force_close']) f;
SELECT has_function('omni', 'transfer', ARRAY['bigint', 'text']);
SELECT has_function('omni', 'transfer_to_agent', ARRAY['bigint', 'bigint']);
SELECT has_function('omni', 'assign', ARRAY['bigint', 'bigint', 'boolean']);
SELECT has_function('omni', 'monitor', ARRAY['bigint', 'bigint']);
SELECT has_column('omni', 'conversation', c, 'conversation.' || c) FROM unnest(ARRAY['id', 'workstream', 'channel',
       'queue', 'customer', 'context', 'state', 'priority', 'required_skills', 'agent_id', 'sentiment',
       'sentiment_score', 'created_at', 'queued_at', 'closed_at']) c;
SELECT has_column('omni', 'offer', c, 'offer.' || c) FROM unnest(ARRAY['id', 'conversation_id', 'agent_id', 'state',
       'created_at', 'expires_at']) c;
SELECT has_column('omni', 'message', c, 'message.' || c) FROM unnest(ARRAY['id', 'conversation_id', 'sender',
       'agent_id', 'body', 'created_at', 'language', 'sentiment', 'sentiment_score', 'profane']) c;
SELECT has_column('omni', 'event', c, 'event.' || c) FROM unnest(ARRAY['id', 'at', 'kind', 'conversation_id', 'agent_id']) c;

-- §7 roles and privileges
SELECT has_role(r) FROM unnest(ARRAY['omnichannel_agent', 'omnichannel_supervisor', 'omnichannel_admin']) r;
SELECT is((SELECT count(*)::int FROM pg_class c
            WHERE c.relnamespace = 'omni'::regnamespace AND c.relkind = 'r'
              AND c.relname IN ('conversation', 'offer', 'message', 'event', 'presence_history')
              AND c.relrowsecurity), 5, 'row-level security on the runtime tables people read');
SELECT is((SELECT count(*)::int FROM pg_description d JOIN pg_class c ON c.oid = d.objoid AND d.objsubid = 0
            WHERE c.relnamespace = 'omni'::regnamespace AND c.relkind IN ('r', 'v', 'm')),
          (SELECT count(*)::int FROM pg_class c WHERE c.relnamespace = 'omni'::regnamespace AND c.relkind IN ('r', 'v', 'm')),
          'every table and view has a COMMENT');
SELECT is(ARRAY(SELECT c.relname || '.' || a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                 WHERE c.relnamespace = 'omni'::regnamespace AND c.relkind IN ('r', 'v', 'm') AND a.attnum > 0
                   AND NOT a.attisdropped AND col_description(c.oid, a.attnum) IS NULL ORDER BY 1),
          ARRAY[]::text[], 'every column has a COMMENT');
SELECT is(ARRAY(SELECT p.proname::text FROM pg_proc p WHERE p.pronamespace = 'omni'::regnamespace
                   AND p.proname !~ '^_' AND obj_description(p.oid, 'pg_proc') IS NULL ORDER BY 1),
          ARRAY[]::text[], 'every public function has a COMMENT');

SELECT * FROM finish();
ROLLBACK;
