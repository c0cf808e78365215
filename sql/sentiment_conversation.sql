-- sentiment_conversation.sql — a conversation's sentiment follows its latest six
-- customer messages (bot messages before escalation included), keeps a history
-- of level changes and NOTIFYs omni_sentiment_alert on a drop to the queue's
-- alert level.  omni._score_customer_message is called directly here, as
-- omni.post_message does after storing a customer message.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS omnichannel CASCADE;
CREATE EXTENSION omnichannel;
SELECT omni.pause_workers();   -- installcheck: this database's workers stay out of the way
CREATE EXTENSION IF NOT EXISTS dblink;

INSERT INTO omni.queue (name, sentiment_alert_level) VALUES ('snt_support', 'negative');
INSERT INTO omni.queue (name, sentiment_enabled) VALUES ('snt_quiet', false);
INSERT INTO omni.workstream (name, channel, default_queue) VALUES ('snt_chat', 'chat', 'snt_support');
INSERT INTO omni.customer (name) VALUES ('snt customer');

CREATE FUNCTION pg_temp.conv(q text) RETURNS bigint LANGUAGE sql AS $$
    INSERT INTO omni.conversation (workstream, channel, queue, customer, customer_id, state, bot, created_at, last_activity_at)
    SELECT 'snt_chat', 'chat', q, 'snt customer', id, 'active', true, now(), now()
      FROM omni.customer WHERE name = 'snt customer' RETURNING id $$;
CREATE FUNCTION pg_temp.post(conv bigint, body text, who omni.sender DEFAULT 'customer') RETURNS text
    LANGUAGE plpgsql AS $$
DECLARE mid bigint;
BEGIN
    INSERT INTO omni.message (conversation_id, sender, body, created_at)
    VALUES (conv, who, body, now()) RETURNING id INTO mid;
    IF who = 'customer' THEN PERFORM omni._score_customer_message(mid); END IF;
    RETURN (SELECT sentiment || ' ' || round(sentiment_score::numeric, 2) FROM omni.conversation WHERE id = conv);
END $$;

-- a listener in another session sees the alerts
SELECT dblink_connect('snt_listener', format('host=%s port=%s dbname=%s',
       split_part(current_setting('unix_socket_directories'), ',', 1), current_setting('port'), current_database()));
SELECT dblink_exec('snt_listener', 'LISTEN omni_sentiment_alert');
-- notifications reach the listener asynchronously after the poster's commit:
-- pg_temp.alerts() waits for them (up to 2 s when none come) and hands over
-- what arrived
CREATE TEMP TABLE got (notify_name text, be_pid int, extra text);
CREATE FUNCTION pg_temp.alerts() RETURNS SETOF got LANGUAGE plpgsql AS $$
BEGIN
    -- one round trip first: the listener has then processed the signals of the commits above
    PERFORM dblink_exec('snt_listener', 'LISTEN omni_sentiment_alert');
    FOR i IN 1..100 LOOP
        INSERT INTO got SELECT * FROM dblink_get_notify('snt_listener');
        EXIT WHEN EXISTS (SELECT FROM got);
        PERFORM pg_sleep(0.02);
    END LOOP;
    PERFORM pg_sleep(0.1);
    INSERT INTO got SELECT * FROM dblink_get_notify('snt_listener');
    RETURN QUERY DELETE FROM got RETURNING *;
END $$;

-- neutral_until_the_first_customer_message
SELECT pg_temp.conv('snt_support') AS c1 \gset
SELECT sentiment, sentiment_score FROM omni.conversation WHERE id = :c1;
-- bot and agent messages are not scored
SELECT pg_temp.post(:c1, 'This is terrible news, sorry!', 'bot') AS after_bot;
SELECT sentiment, language FROM omni.message WHERE conversation_id = :c1;

-- each_customer_message_is_scored_with_evidence
SELECT pg_temp.post(:c1, 'Hi, where is my order 5521?') AS after_neutral;
SELECT pg_temp.post(:c1, 'Thanks, that is great!') AS after_positive;
SELECT sender, language, sentiment, profane, evidence ? 'terms' AS has_evidence
  FROM omni.message WHERE conversation_id = :c1 ORDER BY id;

-- falling_to_the_alert_level_notifies_once
SELECT pg_temp.post(:c1, 'Still waiting, this is ridiculous.') AS after_negative;
SELECT pg_temp.post(:c1, 'Worst service ever, I am furious!!!') AS after_very_negative;
SELECT pg_temp.post(:c1, 'Useless. Terrible. Cancel my account!') AS still_very_negative;
SELECT notify_name, (extra::jsonb ->> 'conversation_id')::bigint = :c1 AS this_conversation,
       extra::jsonb ->> 'level' AS level, extra::jsonb ->> 'previous_level' AS previous_level,
       (SELECT string_agg(k, ' ' ORDER BY k) FROM jsonb_object_keys(extra::jsonb) k) AS payload_keys
  FROM pg_temp.alerts();

-- sentiment_over_time: one row per level change
SELECT previous_level, level, alerted FROM omni.sentiment_history WHERE conversation_id = :c1 ORDER BY id;

-- the_window_is_six_messages: six happy messages push the bad ones out
SELECT pg_temp.post(:c1, m) FROM unnest(ARRAY['ok thanks', 'Great, it works now', 'Perfect, thank you so much',
       'Really helpful, thanks', 'Awesome support!', 'Love it, thanks a lot :)']) m;
SELECT previous_level, level, alerted FROM omni.sentiment_history WHERE conversation_id = :c1 ORDER BY id;
-- recovering_and_falling_again_alerts_again
SELECT pg_temp.post(:c1, m) FROM unnest(ARRAY['This is awful', 'Horrible, useless, disgusting',
       'I hate this, worst company ever', 'Terrible!!!', 'Disgraceful and rude', 'Never again, pathetic']) m;
SELECT count(*) AS alerts FROM pg_temp.alerts();

-- profanity_keeps_the_conversation_at_most_negative
SELECT pg_temp.conv('snt_support') AS c2 \gset
SELECT pg_temp.post(:c2, 'Great, thanks!');
SELECT pg_temp.post(:c2, 'Wonderful, love it, you are the best!!');
SELECT pg_temp.post(:c2, 'this shit finally works, amazing') AS with_profanity;
SELECT profane FROM omni.message WHERE conversation_id = :c2 ORDER BY id DESC LIMIT 1;
SELECT count(*) AS profanity_alert FROM pg_temp.alerts();

-- bot_conversations_are_scored_and_count_after_escalation (queue NULL)
SELECT pg_temp.conv(NULL) AS c3 \gset
SELECT pg_temp.post(:c3, 'Your bot is useless', 'customer') AS with_bot;
SELECT pg_temp.post(:c3, 'I said: useless! Give me a human', 'customer') AS with_bot_again;
SELECT count(*) AS bot_alerts FROM pg_temp.alerts();
UPDATE omni.conversation SET queue = 'snt_support', escalated = true, state = 'open', queued_at = now() WHERE id = :c3;
SELECT pg_temp.post(:c3, 'Hello?') AS after_escalation;
SELECT count(*) FILTER (WHERE sentiment IS NOT NULL) AS scored_messages FROM omni.message WHERE conversation_id = :c3;

-- queues_without_sentiment_are_not_scored
SELECT pg_temp.conv('snt_quiet') AS c4 \gset
SELECT pg_temp.post(:c4, 'Terrible, awful, worst') AS quiet_queue;
SELECT sentiment IS NULL AS not_scored FROM omni.message WHERE conversation_id = :c4;

-- a_language_in_the_context_is_used
SELECT pg_temp.conv('snt_support') AS c5 \gset
UPDATE omni.conversation SET context = '{"language": "da"}' WHERE id = :c5;
SELECT pg_temp.post(:c5, 'men');
SELECT language FROM omni.message WHERE conversation_id = :c5;

SELECT dblink_disconnect('snt_listener');
