# Standby and failover (docs/worker.md, docs/operations.md): a primary with a
# streaming standby.  No omnichannel worker runs on the standby, and its views
# and KPIs are readable there; after promotion the router starts, the work that
# was waiting is routed, no conversation is lost or offered twice, and the
# routing invariants hold.  Waits are bounded polls, never timed assertions.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use OmniTap;

# OMNI_TAP_PORT: fixed ports (port, port + 1); otherwise the framework picks free ones.
my $primary = omni_node('primary', 0, q{omnichannel.kpi_refresh_interval = '1s'},
	allows_streaming => 1);
$primary->start;
omni_contact_center($primary, units => 50, agents => [['ann', 50], ['bob', 100]]);

# ann takes c1 (the router offers it, she accepts); bob is logged out.
$primary->safe_psql('cc', q{SELECT omni.login(id) FROM omni.agent WHERE name = 'ann';
                            SELECT omni.enqueue('chat', 'c1');});
ok($primary->poll_query_until('cc', q{SELECT EXISTS (SELECT 1 FROM omni.offer WHERE state = 'pending')}),
	'primary: the router offers c1');
$primary->safe_psql('cc', q{SELECT omni.accept(id) FROM omni.offer WHERE state = 'pending'});

# The standby.
$primary->backup('base');
my $standby = omni_cluster('standby', 1);
$standby->init_from_backup($primary, 'base', has_streaming => 1);
$standby->start;

# Work that cannot be routed yet: ann is full, bob is away.
$primary->safe_psql('cc', q{SELECT omni.enqueue('chat', 'c2'); SELECT omni.enqueue('chat', 'c3');});
# A refresh that started after the enqueue has ended.
my $refreshes = $primary->safe_psql('cc', q{SELECT kpi_refreshes FROM omni.worker_status WHERE database = 'cc'});
ok($primary->poll_query_until('cc',
	qq{SELECT kpi_refreshes > $refreshes + 1 FROM omni.worker_status WHERE database = 'cc'}),
	'primary: the KPIs were refreshed');
$primary->wait_for_catchup($standby);

is($standby->safe_psql('cc', q{SELECT pg_is_in_recovery()}), 't', 'standby is in recovery');
is($standby->safe_psql('postgres',
		q{SELECT count(*) FROM pg_stat_activity WHERE backend_type LIKE 'omnichannel%'}),
	'0', 'standby: no omnichannel worker runs');
is($standby->safe_psql('cc', q{SELECT state || ': ' || reason FROM omni.worker_status}),
	'standby: this server is a standby: the workers start after promotion',
	'standby: worker_status says why nothing routes');
is($standby->safe_psql('cc', q{SELECT string_agg(customer || '=' || state, ' ' ORDER BY id)
                                 FROM omni.conversation}),
	'c1=active c2=open c3=open', 'standby: conversations readable');
is($standby->safe_psql('cc', q{SELECT count(*) FROM omni.ongoing_conversations}), '3',
	'standby: realtime views readable');
is($standby->safe_psql('cc', q{SELECT count(*) > 0 FROM omni.agent_status}), 't',
	'standby: agent_status readable');
is($standby->safe_psql('cc', q{SELECT sum(incoming) || '/' || sum(offers) FROM omni.intraday_queue_kpi WHERE queue = 'q'}), '3/1',
	'standby: intraday KPIs readable (as refreshed on the primary)');
is($standby->safe_psql('cc', q{SELECT sum(incoming) || '/' || sum(offers) FROM omni.kpi(now() - interval '1 hour', now() + interval '1 hour')
                                 WHERE queue = 'q'}), '3/1',
	'standby: omni.kpi() answers');

# Failover: the primary dies, the standby is promoted.
$primary->stop('immediate');
$standby->promote;
ok($standby->poll_query_until('cc',
	q{SELECT state = 'running' AND kpi_state = 'running' FROM omni.worker_status WHERE database = 'cc'}),
	'promoted: router and KPI refresher start');

# bob logs in: the router routes the waiting work to him.
$standby->safe_psql('cc', q{SELECT omni.login(id) FROM omni.agent WHERE name = 'bob'});
ok($standby->poll_query_until('cc',
	q{SELECT count(*) = 2 FROM omni.offer o JOIN omni.agent a ON a.id = o.agent_id
       WHERE a.name = 'bob' AND o.state = 'pending'}),
	'promoted: the waiting conversations are offered');
is($standby->safe_psql('cc', q{SELECT string_agg(c.customer || '=' || c.state || '/' || (
                                         SELECT string_agg(a.name || ':' || o.state, ',' ORDER BY o.id)
                                           FROM omni.offer o JOIN omni.agent a ON a.id = o.agent_id
                                          WHERE o.conversation_id = c.id), ' ' ORDER BY c.id)
                                 FROM omni.conversation c}),
	'c1=active/ann:accepted c2=open/bob:pending c3=open/bob:pending',
	'promoted: nothing lost, each conversation offered once');
is($standby->safe_psql('cc', q{SELECT count(*) FROM omni.routing_invariant_violations()}), '0',
	'promoted: routing invariants hold');
ok($standby->poll_query_until('cc', q{SELECT kpi_refreshes > 0 FROM omni.worker_status WHERE database = 'cc'}),
	'promoted: the KPIs are refreshed');

$standby->stop;
done_testing();
