# OmniTap — the set-up the TAP tests share (test/tap/t/*.pl): a node with
# omnichannel preloaded on a fixed or free port, and a small contact center
# (database cc: queue q, workstream chat, some agents) to route in.
package OmniTap;
use strict;
use warnings;
use Exporter 'import';
use PostgreSQL::Test::Cluster;
use Test::More;

our @EXPORT = qw(omni_cluster omni_node omni_contact_center);

# omni_cluster(name, k): a new node on port OMNI_TAP_PORT + k when fixed ports
# were asked for, else on a free one the framework picks.
sub omni_cluster
{
	my ($name, $k) = @_;
	return PostgreSQL::Test::Cluster->new($name,
		$ENV{OMNI_TAP_PORT} ? (port => $ENV{OMNI_TAP_PORT} + $k) : ());
}

# omni_node(name, k, extra_conf, init options): omni_cluster's node,
# initialized with the library preloaded, worker slots to spare and UTC, plus
# extra_conf; not started.
sub omni_node
{
	my ($name, $k, $extra_conf, %init) = @_;
	my $node = omni_cluster($name, $k);
	$node->init(%init);
	$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'omnichannel'
max_worker_processes = 16
timezone = 'UTC'
} . ($extra_conf // ''));
	return $node;
}

# omni_contact_center(node, units => per chat, agents => [[name, units], ...],
# login => [names]): database cc with the extension, queue q, workstream chat
# (offers time out after an hour), the agents as members of q, those of
# login logged in; waits until cc's router (and KPI refresher) run.
sub omni_contact_center
{
	my ($node, %cc) = @_;
	my $agents = join(', ', map { "('$_->[0]', $_->[1])" } @{ $cc{agents} });
	my $login = join(', ', map { "'$_'" } @{ $cc{login} // [] });
	$node->safe_psql('postgres', 'CREATE DATABASE cc');
	$node->safe_psql('cc', qq{
SET client_min_messages = warning;
CREATE EXTENSION omnichannel;
INSERT INTO omni.queue (name) VALUES ('q');
INSERT INTO omni.workstream (name, channel, default_queue, offer_timeout, capacity_units)
     VALUES ('chat', 'chat', 'q', '1 hour', $cc{units});
INSERT INTO omni.agent (name, capacity_units) VALUES $agents;
INSERT INTO omni.queue_member (queue, agent_id) SELECT 'q', id FROM omni.agent;
} . ($login ? "SELECT omni.login(id) FROM omni.agent WHERE name IN ($login);" : ''));
	ok($node->poll_query_until('cc',
		q{SELECT state = 'running' AND kpi_state = 'running' FROM omni.worker_status WHERE database = 'cc'}),
		$node->name . ': router and KPI refresher run');
	return;
}

1;
