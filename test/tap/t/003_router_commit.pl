# The router commits asynchronously unless omnichannel.router_synchronous_commit
# is on (docs/worker.md, "Commits"): with a synchronous standby named that
# never connects, every synchronous commit waits forever, so an offer shows
# up only if the router does not wait for its flush.  Turning the setting on
# makes the router wait like any client; releasing the standby requirement
# lets the held cycle finish.  Then a crash (immediate stop) while the
# router's last commits may not be flushed: every conversation and every
# accept survives and whatever offer was lost is made again.  Waits are
# bounded polls, never timed assertions.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use OmniTap;

# OMNI_TAP_PORT: fixed port (port + 4); otherwise the framework picks a free one.
my $node = omni_node('commit', 4, '', allows_streaming => 1);	# synchronous commit needs wal senders
$node->start;
omni_contact_center($node, units => 10, agents => [['ann', 100]], login => ['ann']);

# Synchronous commit now waits for a standby that does not exist; this test's
# own sessions commit locally.
$node->append_conf('postgresql.conf', q{synchronous_standby_names = 'nobody'});
$node->reload;
my $local = 'SET synchronous_commit = local;';

$node->safe_psql('cc', "$local SELECT omni.enqueue('chat', 'c1')");
ok($node->poll_query_until('cc', q{SELECT count(*) = 1 FROM omni.offer o JOIN omni.conversation c ON c.id = o.conversation_id
                                    WHERE c.customer = 'c1' AND o.state = 'pending'}),
	'default (off): the router offers c1 without waiting for the missing standby');

$node->append_conf('postgresql.conf', q{omnichannel.router_synchronous_commit = on});
$node->reload;
# A new session sees the setting once the postmaster has reloaded, which it
# does before it passes the reload on to the router.
ok($node->poll_query_until('cc', q{SELECT current_setting('omnichannel.router_synchronous_commit') = 'on'}),
	'the setting is reloaded');
# The reload reaches the router when it next wakes: an enqueue wakes it.  Wait
# until the router's session shows the new mode by holding a commit.
$node->safe_psql('cc', "$local SELECT omni.enqueue('chat', 'c2')");
ok($node->poll_query_until('cc', q{SELECT EXISTS (SELECT 1 FROM pg_stat_activity
                                    WHERE backend_type = 'omnichannel router' AND wait_event = 'SyncRep')}),
	'on: the router waits for the standby like any synchronous commit');
is($node->safe_psql('cc', q{SELECT count(*) FROM omni.offer o JOIN omni.conversation c ON c.id = o.conversation_id
                             WHERE c.customer = 'c2'}),
	'0', 'and its offer of c2 is not visible while it waits');

$node->append_conf('postgresql.conf', q{synchronous_standby_names = ''});
$node->reload;
ok($node->poll_query_until('cc', q{SELECT count(*) = 1 FROM omni.offer o JOIN omni.conversation c ON c.id = o.conversation_id
                                    WHERE c.customer = 'c2' AND o.state = 'pending'}),
	'released: the held cycle commits and c2 is offered');
is($node->safe_psql('cc', q{SELECT count(*) FROM omni.routing_invariant_violations()}), '0',
	'routing invariants hold');

# A crash loses no work with the asynchronous router.  Whether the router's
# last commit reached the disk is up to the WAL writer (here it mostly has:
# an idle WAL writer is woken by an asynchronous commit), so the test
# accepts both outcomes, an offer kept or made again, and prints which; the
# agents' calls commit synchronously as usual.
$node->append_conf('postgresql.conf', q{
omnichannel.router_synchronous_commit = off
wal_writer_delay = '10s'
});
$node->reload;
# ann accepts c1 (durable), then c3 is enqueued (durable) and offered.
$node->safe_psql('cc', q{SELECT omni.accept(o.id) FROM omni.offer o JOIN omni.conversation c ON c.id = o.conversation_id
                          WHERE c.customer = 'c1' AND o.state = 'pending'});
$node->safe_psql('cc', q{SELECT omni.enqueue('chat', 'c3')});
ok($node->poll_query_until('cc', q{SELECT count(*) = 1 FROM omni.offer o JOIN omni.conversation c ON c.id = o.conversation_id
                                    WHERE c.customer = 'c3' AND o.state = 'pending'}),
	'c3 is offered');
my $offer_before = $node->safe_psql('cc', q{SELECT o.id FROM omni.offer o JOIN omni.conversation c ON c.id = o.conversation_id
                                              WHERE c.customer = 'c3' AND o.state = 'pending'});
$node->stop('immediate');
$node->start;
is($node->safe_psql('cc', q{SELECT string_agg(customer || '=' || state, ' ' ORDER BY customer) FROM omni.conversation}),
	'c1=active c2=open c3=open', 'after the crash: every conversation is there, c1 still accepted');
ok($node->poll_query_until('cc', q{SELECT count(*) = 2 FROM omni.offer o JOIN omni.conversation c ON c.id = o.conversation_id
                                    WHERE c.customer IN ('c2', 'c3') AND o.state = 'pending'}),
	'c2 and c3 are offered again, or still (whichever the crash left)');
diag("c3's offer before the crash: $offer_before; after: "
	  . $node->safe_psql('cc', q{SELECT string_agg(o.id::text, ',') FROM omni.offer o JOIN omni.conversation c ON c.id = o.conversation_id
                                 WHERE c.customer = 'c3'}));
is($node->safe_psql('cc', q{SELECT count(*) FROM omni.routing_invariant_violations()}), '0',
	'routing invariants hold after the crash');
$node->stop;

done_testing();
