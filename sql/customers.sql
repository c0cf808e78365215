-- customers: one customer known on several channels; conversations linked across channels.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS omnichannel CASCADE;
CREATE EXTENSION omnichannel;
SELECT omni.pause_workers();   -- installcheck: this database's workers stay out of the way
RESET client_min_messages;
\set VERBOSITY terse
SET omnichannel.mock_now = '2026-03-02 09:00:00+00';
INSERT INTO omni.queue (name) VALUES ('q');
INSERT INTO omni.workstream (name, channel, default_queue) VALUES ('chat', 'chat', 'q'), ('sms', 'sms', 'q');
INSERT INTO omni.workstream (name, channel, default_queue) VALUES ('voice', 'voice', 'q');

-- same_address_same_customer: a returning visitor on the same channel is the same customer
SELECT omni.enqueue('chat', 'visitor-7') AS c1, omni.enqueue('chat', 'visitor-7') AS c2,
       omni.enqueue('sms', '+4512345678') AS c3, omni.enqueue('voice', '+4512345678') AS c4;
SELECT id, channel, customer, customer_id FROM omni.conversation ORDER BY id;
-- the identity lookup (src/row_read.c): by channel and address, NULL when unknown
SELECT omni._customer_of('chat', 'visitor-7') = (SELECT customer_id FROM omni.conversation WHERE id = 1) AS known,
       omni._customer_of('chat', 'visitor-8') IS NULL AS unknown,
       omni._customer_of('sms', 'visitor-7') IS NULL AS other_channel,
       omni._customer_of(NULL, 'visitor-7') IS NULL AS null_channel,
       omni._customer_of('chat', NULL) IS NULL AS null_address;

-- link_customer_merges: the SMS number belongs to the chat visitor; the voice caller too
SELECT omni.link_customer(1, 'sms', '+4512345678');
SELECT omni.link_customer(1, 'voice', '+4512345678');
SELECT id, channel, customer_id FROM omni.conversation ORDER BY id;
SELECT channel, address, customer_id FROM omni.customer_identity ORDER BY channel, address;
SELECT count(*) AS customers FROM omni.customer;
-- a new SMS from that number is recognised
SELECT omni.enqueue('sms', '+4512345678') AS c5;
SELECT customer_id FROM omni.conversation WHERE id = 5;
-- linking is idempotent and refuses nonsense
SELECT omni.link_customer(1, 'sms', '+4512345678');
SELECT omni.link_customer(99, 'sms', '+4599999999');
SELECT omni.link_customer(1, 'fax', '123');
SELECT kind, detail FROM omni.event WHERE kind = 'customer_linked' ORDER BY id;
