-- 45_sentiment.sql — real-time sentiment (issue: sentiment engine).
--
-- Placeholder until the sentiment engine lands: omni.post_message calls
-- omni._score_customer_message(message_id) after storing a customer message.
CREATE FUNCTION omni._score_customer_message(message_id bigint) RETURNS void
    LANGUAGE sql AS $$ SELECT $$;
COMMENT ON FUNCTION omni._score_customer_message(bigint) IS
    'Scores a stored customer message and updates its conversation''s sentiment (called by omni.post_message).';
