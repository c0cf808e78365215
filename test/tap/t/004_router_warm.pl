# A configuration change wakes the router at its commit (docs/worker.md,
# "Wake-up at commit"): with nothing to offer, that cycle reads the new
# configuration, every agent and plans the statements offers run, so the
# next offer does not wait for them.  The tick is an hour here, so only the
# wake-up can run that cycle.  A cycle with conversations that must first
# read every agent says so at DEBUG1 (docs/routing.md, agent cache): the
# offer after the change must not.  Waits are bounded polls, never timed
# assertions.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use OmniTap;

my $node = omni_node('warm', 5, q{
omnichannel.tick_interval = '1h'
log_min_messages = debug1
});
$node->start;
omni_contact_center($node, units => 10, agents => [['ann', 100], ['bob', 100]], login => ['ann', 'bob']);

sub offered
{
	my ($customer) = @_;
	return $node->poll_query_until('cc', qq{SELECT count(*) = 1 FROM omni.offer o JOIN omni.conversation c ON c.id = o.conversation_id
                                            WHERE c.customer = '$customer' AND o.state = 'pending'});
}
my $counters = q{SELECT cycles || ' ' || wakeups FROM omni.worker_status WHERE database = 'cc'};

$node->safe_psql('cc', q{SELECT omni.enqueue('chat', 'c1')});
ok(offered('c1'), 'c1 is offered');

# the configuration changes: a new agent joins the queue
ok($node->poll_query_until('cc', q{SELECT state = 'running' AND last_cycle_at IS NOT NULL FROM omni.worker_status WHERE database = 'cc'}),
	'the router has run a cycle');
my ($cycles, $wakeups) = split / /, $node->safe_psql('cc', $counters);
# one transaction, so one commit wakes the router (safe_psql commits each
# statement of a script on its own)
$node->safe_psql('cc', q{
BEGIN;
INSERT INTO omni.agent (name, capacity_units) VALUES ('cy', 200);
INSERT INTO omni.queue_member (queue, agent_id) SELECT 'q', id FROM omni.agent WHERE name = 'cy';
SELECT omni.login(id) FROM omni.agent WHERE name = 'cy';
COMMIT;
});
# Two cycles: the first may be one that started before the commit (the
# router also runs one every second); the second started after it.
ok($node->poll_query_until('cc', qq{SELECT wakeups > $wakeups AND cycles >= $cycles + 2 FROM omni.worker_status WHERE database = 'cc'}),
	'the change woke the router and it ran cycles, with nothing to offer');

my $log_offset = -s $node->logfile;
$node->safe_psql('cc', q{SELECT omni.enqueue('chat', 'c2')});
ok(offered('c2'), 'c2 is offered');
ok(!$node->log_contains(qr/omnichannel routing: reading every agent again/, $log_offset),
	'the offer after the change did not read every agent: the wake-up cycle had');
is($node->safe_psql('cc', q{SELECT a.name FROM omni.offer o JOIN omni.conversation c ON c.id = o.conversation_id
                             JOIN omni.agent a ON a.id = o.agent_id WHERE c.customer = 'c2'}),
	'cy', 'and it went to the new agent, the one with the most room (200 units free)');
is($node->safe_psql('cc', q{SELECT count(*) FROM omni.routing_invariant_violations()}), '0',
	'routing invariants hold');

$node->stop;
done_testing();
