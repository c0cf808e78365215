-- 98_merge.sql — what the parts above could not know of each other: grants on
-- objects one part created (or re-created) for a role another part added.
GRANT SELECT ON omni.transfer_offer TO omnichannel_reporting;
GRANT SELECT ON omni.worker_status TO omnichannel_reporting;
