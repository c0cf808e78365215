# Databases without a router are visible (docs/worker.md): without the preload
# CREATE EXTENSION says what to schedule and omni.worker_status says why;
# without background worker slots, or shared slots (omnichannel.max_databases),
# every database left out is warned about in the log and shows why.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep);
use OmniTap;

# OMNI_TAP_PORT: fixed ports (port + 2, port + 3); otherwise the framework picks free ones.

# 1. Not preloaded (a WARNING: PostgreSQL silences notices of extension scripts).
my $plain = omni_cluster('plain', 2);
$plain->init;
$plain->start;
my ($stdout, $stderr);
$plain->psql('postgres', 'CREATE EXTENSION omnichannel', stdout => \$stdout, stderr => \$stderr,
	on_error_die => 1);
like($stderr, qr/WARNING:  omnichannel is not in shared_preload_libraries/, 'CREATE EXTENSION: warning without the preload');
like($stderr, qr/HINT:  .*omni\.route\(\).*omni\.tick\(\).*omni\.refresh_kpis\(\)/,
	'the hint names what to schedule');
is($plain->safe_psql('postgres', q{SELECT state || ' / ' || (reason LIKE '%schedule omni.route()%') FROM omni.worker_status}),
	'not_preloaded / true', 'worker_status: not_preloaded, and what to do');
is($plain->safe_psql('postgres', q{SELECT omni.pause_workers(); SELECT omni.resume_workers(); SELECT omni.route()}), "\n\n0",
	'pause/resume do nothing, omni.route() works');
$plain->stop;

# 2. Preloaded, but no background worker slot beyond the launcher's (the
#    logical replication launcher would take that one).
my $small = omni_cluster('small', 3);
$small->init;
$small->append_conf('postgresql.conf', q{
shared_preload_libraries = 'omnichannel'
max_worker_processes = 1
max_logical_replication_workers = 0
});
$small->start;
for my $db ('a', 'b')
{
	$small->safe_psql('postgres', "CREATE DATABASE $db");
	$small->safe_psql($db, 'SET client_min_messages = warning; CREATE EXTENSION omnichannel');
}
for my $db ('a', 'b')
{
	ok($small->poll_query_until($db,
		q{SELECT state = 'no_worker_slot' AND reason LIKE '%max_worker_processes%' FROM omni.worker_status
           WHERE database = current_database()}),
		"$db: no_worker_slot, and why");
	ok($small->wait_for_log(qr/WARNING:  could not start the omnichannel router for database "$db": no background worker slot is free/),
		"$db: warned about in the log");
}
is($small->safe_psql('a', q{SELECT string_agg(database || '=' || state, ' ') FROM omni.worker_status
                             WHERE database IN ('a', 'b')}),
	'a=no_worker_slot b=no_worker_slot', 'worker_status lists both databases');

# 3. More databases than omnichannel.max_databases: one of a, b gets the slot.
$small->append_conf('postgresql.conf', q{
max_worker_processes = 8
omnichannel.max_databases = 1
});
$small->restart;
# The slot may first go to "postgres" (no extension; it is given back), so wait
# until a or b runs, then look at both.
ok($small->poll_query_until('a', q{SELECT EXISTS (SELECT 1 FROM omni.worker_status
                                    WHERE database IN ('a', 'b') AND state = 'running')}),
	'one of the databases runs');
my %state;
for my $db ('a', 'b')
{
	$state{$db} = $small->safe_psql($db, q{SELECT state FROM omni.worker_status WHERE database = current_database()});
}
is(join(' ', sort values %state), 'no_slot running', 'max_databases = 1: one database runs, the other has no slot');
my ($left) = grep { $state{$_} eq 'no_slot' } ('a', 'b');
$left //= 'a';
is($small->safe_psql($left, q{SELECT state || ': ' || reason FROM omni.worker_status WHERE database = current_database()}),
	'no_slot: all omnichannel.max_databases (1) slots are in use by other databases: raise it (restart needed)',
	"the database left out says why");
ok($small->wait_for_log(qr/WARNING:  omnichannel has no worker slot for database "$left"/),
	'and is warned about in the log');

# 4. The KPI worker runs at omnichannel.kpi_worker_nice (default 10), the
#    router at the server's own niceness; a reload raises it at once.
my ($running) = grep { $state{$_} eq 'running' } ('a', 'b');
$running //= 'b';
sub nice_of
{
	my ($pid) = @_;
	open(my $fh, '<', "/proc/$pid/stat") or return undef;
	my $stat = <$fh>;
	close $fh;
	$stat =~ s/^.*\) //;			# after "pid (comm) "
	return (split / /, $stat)[16];	# field 19: nice
}
my $pid_of = sub {
	my ($type) = @_;
	return $small->safe_psql($running, "SELECT pid FROM pg_stat_activity WHERE backend_type = '$type' AND datname = current_database()");
};
ok($small->poll_query_until($running, q{SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'omnichannel kpi'}),
	'the kpi worker runs');
my $server_nice = nice_of($small->safe_psql($running, 'SELECT pg_backend_pid()'));
is(nice_of($pid_of->('omnichannel kpi')), 10, 'the kpi worker runs at niceness 10');
is(nice_of($pid_of->('omnichannel router')), $server_nice, 'the router runs at the server\'s niceness');
$small->safe_psql('postgres', 'ALTER SYSTEM SET omnichannel.kpi_worker_nice = 15; SELECT pg_reload_conf()');
my $kpi_pid = $pid_of->('omnichannel kpi');
my $seen;
for (1 .. 100)
{
	$seen = nice_of($kpi_pid);
	last if defined $seen && $seen == 15;
	usleep(100_000);
}
is($seen, 15, 'a reload raises the kpi worker\'s niceness to 15');

# Each PostgreSQL process is its own session, so with Linux autogroup
# scheduling the niceness must be on its autogroup too (docs/worker.md).
sub autogroup_nice_of
{
	my ($pid) = @_;
	open(my $fh, '<', "/proc/$pid/autogroup") or return undef;
	my $line = <$fh>;
	close $fh;
	return $line =~ /nice (-?\d+)/ ? $1 : undef;
}
SKIP:
{
	skip 'no autogroup scheduling here', 1 unless defined autogroup_nice_of($kpi_pid);
	is(autogroup_nice_of($kpi_pid), 15, 'and its autogroup\'s niceness');
}

$small->stop;

done_testing();
