-- 98_merge.sql — what the parts above could not know of each other: grants on
-- objects one part created (or re-created) for a role another part added.
GRANT SELECT ON omni.transfer_offer TO omnichannel_reporting;
GRANT SELECT ON omni.worker_status TO omnichannel_reporting;
-- The reporting role reads routing decisions, worker status and timelines too.
GRANT SELECT ON omni.routing_decision, omni.offer_decision TO omnichannel_reporting;
CREATE POLICY reporting_all ON omni.offer_decision FOR SELECT TO omnichannel_reporting USING (true);
GRANT EXECUTE ON FUNCTION omni._worker_status() TO omnichannel_reporting;
-- Connectors get no seller or team figures (least privilege).
REVOKE EXECUTE ON FUNCTION omni.seller_kpi(bigint, timestamptz, timestamptz),
    omni.seller_sentiment_trend(bigint, timestamptz, timestamptz),
    omni.seller_mentions(bigint, timestamptz, timestamptz),
    omni.team_insight(timestamptz, timestamptz, text),
    omni.top_customer_terms(timestamptz, timestamptz, text, integer) FROM omnichannel_service;

-- One presence rule for eligibility and transfers to an agent (50_conversation.sql).
CREATE FUNCTION omni._presence_refusal(a bigint, w omni.workstream) RETURNS text
    LANGUAGE sql STABLE AS $$
    SELECT format('%s (%s)', s.presence, p.base_status)
      FROM omni.agent_state s JOIN omni.presence p ON p.name = s.presence
     WHERE s.agent_id = a AND NOT p.base_status = ANY (w.allowed_presences)
$$;
COMMENT ON FUNCTION omni._presence_refusal(bigint, omni.workstream) IS
    'Why agent a''s presence keeps it from work of workstream w (its presence and base), NULL when the workstream allows it.';
REVOKE ALL ON FUNCTION omni._presence_refusal(bigint, omni.workstream) FROM PUBLIC;
