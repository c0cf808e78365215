-- demo/simulate.sql — what the simulated people do, only through omni.* calls.
-- Races between the concurrent clients (two customers leaving, an offer that
-- expires while an agent accepts it) are expected: an action whose moment
-- has passed is simply skipped, as a real client would.
SET client_min_messages = warning;
CREATE SCHEMA IF NOT EXISTS demo;

CREATE OR REPLACE FUNCTION demo.attempt(stmt text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE stmt;
    RETURN true;
EXCEPTION WHEN object_not_in_prerequisite_state OR invalid_parameter_value OR deadlock_detected THEN
    RETURN false;
END $$;

-- A customer writes in on a random channel with a random need.
CREATE OR REPLACE FUNCTION demo.customer_arrives() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    n integer := (random() * 100000)::integer;
    ws text := (ARRAY['web-chat', 'web-chat', 'web-chat', 'sms', 'sms', 'voice'])[1 + n % 6];
    lang text := CASE WHEN n % 3 = 0 THEN 'es' ELSE 'en' END;
    ctx jsonb := jsonb_build_object('lang', lang,
                                    'topic', (ARRAY['billing', 'technical', 'sales', 'general', 'general'])[1 + n % 5],
                                    'tier', CASE WHEN n % 9 = 0 THEN 'vip' ELSE 'standard' END);
    c bigint;
BEGIN
    IF n % 4 = 0 THEN   -- some start with the bot, which escalates after a message
        c := omni.start_with_bot(ws, 'cust-' || n, ctx);
        PERFORM omni.post_message(c, 'customer', demo.line(lang, n));
        PERFORM omni.post_message(c, 'bot', 'Let me find someone who can help.');
        PERFORM omni.escalate(c);
    ELSE
        c := omni.enqueue(ws, 'cust-' || n, ctx);
        PERFORM omni.post_message(c, 'customer', demo.line(lang, n));
    END IF;
END $$;

CREATE OR REPLACE FUNCTION demo.line(lang text, n integer) RETURNS text LANGUAGE sql AS $$
    SELECT CASE lang
        WHEN 'es' THEN (ARRAY['Hola, necesito ayuda con mi factura', 'No funciona nada, estoy muy molesto',
                              'Gracias, todo perfecto', 'Quiero cancelar mi cuenta', 'Llevo una hora esperando, es horrible'])[1 + n % 5]
        ELSE (ARRAY['Hi, I need help with my bill', 'This is the third time it broke, I am really annoyed',
                    'Thanks, that was great!', 'I want to cancel my account', 'Still waiting... this is terrible service',
                    'Can you tell me the price of the premium plan?', 'Love the new app, thank you so much!'])[1 + n % 7]
    END
$$;

-- Customers who waited too long leave.
CREATE OR REPLACE FUNCTION demo.impatient_customers() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    c bigint;
BEGIN
    FOR c IN SELECT id FROM omni.conversation
              WHERE state = 'open' AND queued_at < omni.now() - interval '25 seconds' AND random() < 0.3 LIMIT 3 LOOP
        PERFORM demo.attempt(format('SELECT omni.abandon(%s)', c));
    END LOOP;
END $$;

-- One step of one agent's work: answer offers, talk, wrap up, take breaks.
CREATE OR REPLACE FUNCTION demo.agent_step(a bigint) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    o bigint;
    c record;
    p text := (SELECT presence FROM omni.agent_state WHERE agent_id = a);
BEGIN
    IF p = 'Offline' THEN
        PERFORM omni.login(a);
        RETURN;
    ELSIF p = 'Inactive' OR (p = 'Coaching' AND random() < 0.3) THEN
        PERFORM omni.set_presence(a, 'Available');
        RETURN;
    ELSIF p IN ('Available', 'Ready for chats') AND random() < 0.01 THEN
        PERFORM omni.set_presence(a, 'Coaching');
        RETURN;
    END IF;
    SELECT id INTO o FROM omni.offer WHERE agent_id = a AND state = 'pending' ORDER BY id LIMIT 1;
    IF o IS NOT NULL AND random() < 0.9 THEN     -- most offers are answered, a few are missed
        PERFORM demo.attempt(format('SELECT omni.%s(%s)', CASE WHEN random() < 0.9 THEN 'accept' ELSE 'reject' END, o));
    END IF;
    FOR c IN SELECT id, state, last_activity_at, (SELECT count(*) FROM omni.message m WHERE m.conversation_id = v.id) AS n
               FROM omni.conversation v WHERE agent_id = a AND state IN ('active', 'wrap_up') ORDER BY id LOOP
        IF c.state = 'wrap_up' THEN
            IF c.last_activity_at < omni.now() - interval '3 seconds' THEN
                PERFORM demo.attempt(format('SELECT omni.close_conversation(%s)', c.id));
            END IF;
        ELSIF c.n < 10 THEN
            PERFORM demo.attempt(format('SELECT omni.post_message(%s, %L, %L, %s)', c.id, 'agent', 'Let me check that for you.', a));
            PERFORM demo.attempt(format('SELECT omni.post_message(%s, %L, %L)', c.id, 'customer',
                                        (ARRAY['ok', 'thanks!', 'that did not help at all', 'great, it works now',
                                               'why is this so slow?'])[1 + (random() * 4)::integer]));
        ELSIF random() < 0.05 THEN
            PERFORM demo.attempt(format('SELECT omni.transfer(%s, %L)', c.id, 'support'));
        ELSE
            PERFORM demo.attempt(format('SELECT omni.end_conversation(%s)', c.id));
        END IF;
    END LOOP;
END $$;
