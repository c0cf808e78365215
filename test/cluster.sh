# test/cluster.sh — sourced by test/run and demo/run.
#
# Shared set-up for the two README commands: install what is missing,
# build and install the extension, and start a throwaway cluster owned by
# the unprivileged postgres user (the server refuses to run as root).

set -euo pipefail

# PG_CONFIG may point at a relocated copy of the server (one per developer
# working in parallel, so installs do not collide); default: Debian's.
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
export PG_CONFIG
PGBIN=/usr/lib/postgresql/15/bin
[ -x "$PG_CONFIG" ] && PGBIN=$("$PG_CONFIG" --bindir)

log() { printf '== [%4ss] %s\n' "$SECONDS" "$*"; }

ensure_packages() {
	local need=()
	local pkgs=(postgresql-server-dev-15 postgresql-15-pgtap libtap-parser-sourcehandler-pgtap-perl
		postgresql-contrib libicu-dev pkg-config make gcc clang-14 llvm-14 libclang-rt-14-dev
		python3-psycopg2
		libipc-run-perl)
	for p in "${pkgs[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || need+=("$p")
	done
	if [ ${#need[@]} -gt 0 ]; then
		log "installing: ${need[*]}"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -q >/dev/null
		apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
	fi
	id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql postgres
}

# build_and_install [extra PG_CFLAGS]: warnings are errors, assertions on.
build_and_install() {
	local flags="-DUSE_ASSERT_CHECKING -Wall -Wextra -Werror -Wno-unused-parameter -Wno-sign-compare -Wno-missing-field-initializers ${1:-}"
	PGBIN=$("$PG_CONFIG" --bindir)
	make -s clean >/dev/null 2>&1 || true
	make -s -j2 PG_CFLAGS="$flags" >/dev/null
	make -s install >/dev/null
}

# bench_build [what]: a release build (no assertions), installed, for the
# benchmarks in bench/; nothing when NO_BUILD is set.
bench_build() {
	[ -n "${NO_BUILD:-}" ] && return 0
	log "build + install${1:+ $1}"
	# PGXS reads PROFILE as compiler flags; the benchmarks use it otherwise
	make -s clean PROFILE= >/dev/null 2>&1 || true
	make -s -j2 PROFILE= >/dev/null && make -s install PROFILE= >/dev/null
}

as_pg() { (cd /tmp && runuser -u postgres -- "$@"); }

# start_cluster PORT: a fresh cluster in a temp dir; sets RUN, PGHOST, PGPORT.
start_cluster() {
	local port=$1
	RUN=$(mktemp -d /tmp/omni.XXXXXX)
	chown postgres:postgres "$RUN"
	chmod 700 "$RUN"
	as_pg $PGBIN/initdb -D "$RUN/data" -U postgres --auth=trust --encoding=UTF8 \
		--locale=C.UTF-8 >"$RUN/initdb.log" 2>&1
	cat >>"$RUN/data/postgresql.conf" <<CONF
listen_addresses = ''
port = $port
unix_socket_directories = '$RUN'
shared_preload_libraries = 'omnichannel'
max_worker_processes = 16
max_connections = 100
fsync = off
synchronous_commit = off
full_page_writes = off
timezone = 'UTC'
log_timezone = 'UTC'
datestyle = 'ISO, YMD'
log_line_prefix = '%m [%p] %b '
${CLUSTER_EXTRA_CONF:-}
CONF
	as_pg $PGBIN/pg_ctl -D "$RUN/data" -l "$RUN/server.log" -w -t 60 start >/dev/null
	export PGHOST=$RUN PGPORT=$port PGUSER=postgres
	trap stop_cluster EXIT
}

stop_cluster() {
	if [ -n "${RUN:-}" ] && [ -d "$RUN/data" ]; then
		as_pg $PGBIN/pg_ctl -D "$RUN/data" -m fast -w stop >/dev/null 2>&1 || true
		if [ -n "${KEEP_LOG:-}" ]; then cp "$RUN/server.log" "$KEEP_LOG" 2>/dev/null || true; fi
		rm -rf "$RUN"
	fi
}
