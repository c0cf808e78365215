#!/usr/bin/env bash
# test/readme_tour.sh — the README tour prints exactly what psql prints.
#
# Takes the ```psql blocks of README.md's section "A five-minute tour in
# psql" (one psql session, split into blocks for reading), keeps the lines
# psql echoes back from its input (meta-commands, comments and SQL
# statements), feeds them to `psql -X -a` in a new database of a fresh
# cluster started like test/cluster.sh does with omnichannel.enable_workers
# = off (as the README says), and diffs what psql printed against each block.
# Only what legitimately varies is masked on both sides: the PID in
# "Asynchronous notification ... from server process with PID n" and the
# source line in "LOCATION:  function, file.c:n" (the server's minor
# version).  The tour pins the clock with omnichannel.mock_now, so times and
# durations do not vary.
#
# Then, against the same fresh install, the reference pages: every public
# function (with its argument names), table and view of schema omni is in
# docs/sql-reference.md, every omnichannel.* setting in docs/gucs.md with its
# default and context.
#
# Needs the extension built and installed for $PG_CONFIG (test/run does it).
# Prints "readme tour: same output" and "docs: every public ... documented",
# or the differences; exit 0 when both hold.
#   bash test/readme_tour.sh --write   rewrites the blocks with psql's output
#                                      (then read the git diff line by line)
set -u
cd "$(dirname "$0")/.."
. test/cluster.sh
set +e
WRITE=${1:-}
PYTHON=${PYTHON:-/usr/bin/python3}
unset KEEP_LOG        # never copy this cluster's log over test/run's
out=$(mktemp -d /tmp/omni-tour.XXXXXX)
chmod 755 "$out"

# extract|compare|write: the parser of the README blocks, one place for all three.
tour_py() {
	"$PYTHON" - "$@" <<'PY'
import re, sys

mode, readme = sys.argv[1], sys.argv[2]
MARK = '@@tour-block-end@@'
SECTION = '## A five-minute tour in psql'
text = open(readme, encoding='utf-8').read()
lines = text.split('\n')

def blocks():
    """(start, end) line ranges of the ```psql blocks' contents in the tour section."""
    try:
        i = lines.index(SECTION)
    except ValueError:
        sys.exit('readme tour: README.md has no section "%s"' % SECTION)
    found, start = [], None
    for n in range(i + 1, len(lines)):
        if start is None and lines[n].startswith('## '):
            break
        if start is None and lines[n] == '```psql':
            start = n + 1
        elif start is not None and lines[n] == '```':
            found.append((start, n))
            start = None
    if start is not None or not found:
        sys.exit('readme tour: no closed ```psql block in the tour section')
    return found

# A statement starts on a line that begins with an SQL command word and is
# not a command tag ("INSERT 0 2", "CREATE EXTENSION", "SET") nor a message
# field ("TABLE NAME:  workstream"), and runs to
# the line that ends with ';'.  Output lines (rows, headers, "(1 row)",
# ERROR/DETAIL/LOCATION, notifications) never look like that.  A block
# misread here runs other input, whose echo then differs: the diff fails.
START = re.compile(r'(SELECT|INSERT|UPDATE|DELETE|CREATE|ALTER|DROP|SET|RESET|LISTEN|UNLISTEN|'
                   r'BEGIN|COMMIT|ROLLBACK|GRANT|REVOKE|TABLE|WITH|CALL|COMMENT)\b')
TAG = re.compile(r'[A-Z]+( [A-Z]+)*( [0-9]+)*')
FIELD = re.compile(r'[A-Z][A-Z ]*:  ')      # ERROR:, TABLE NAME:, LOCATION: ...

def inputs(block):
    got, in_stmt = [], False
    for line in block:
        if in_stmt or line.startswith('\\') or line.startswith('-- ') or \
           (START.match(line) and not TAG.fullmatch(line) and not FIELD.match(line)):
            got.append(line)
            in_stmt = not line.rstrip().endswith(';') and not line.startswith('\\') \
                and not line.startswith('-- ')
    if in_stmt:
        sys.exit('readme tour: a statement in a block does not end with ";"')
    return got

def norm(chunk):
    chunk = [re.sub(r'(from server process with PID )[0-9]+', r'\1N', l) for l in chunk]
    chunk = [re.sub(r'^(LOCATION:  .*\.c:)[0-9]+$', r'\1N', l) for l in chunk]
    while chunk and chunk[-1] == '':
        chunk.pop()
    return chunk

def printed(path):
    """psql's output cut at the markers, one chunk per block."""
    chunks, cur = [], []
    got = open(path, encoding='utf-8').read().split('\n')
    n = 0
    while n < len(got):
        if got[n] == '\\echo ' + MARK and n + 1 < len(got) and got[n + 1] == MARK:
            chunks.append(cur)
            cur = []
            n += 2
            continue
        cur.append(got[n])
        n += 1
    chunks.append(cur)          # after the last marker: must be empty
    return chunks

bl = blocks()
if mode == 'extract':
    count = 0
    for s, e in bl:
        ins = inputs(lines[s:e])
        count += len(ins)
        for l in ins:
            print(l)
        print('\\echo ' + MARK)
    if count == 0:
        sys.exit('readme tour: no input lines found')
    sys.stderr.write('readme tour: %d blocks, %d input lines\n' % (len(bl), count))
elif mode == 'compare':
    import difflib
    chunks = printed(sys.argv[3])
    bad = False
    if len(chunks) != len(bl) + 1 or any(l.strip() for l in chunks[-1]):
        print('readme tour: psql output has %d blocks, README %d (psql stopped early?)' % (len(chunks) - 1, len(bl)))
        bad = True
    for k, (s, e) in enumerate(bl):
        want = norm(lines[s:e])
        got = norm(chunks[k]) if k < len(chunks) else []
        if want != got:
            bad = True
            print('readme tour: block %d (README.md line %d) differs:' % (k + 1, s + 1))
            sys.stdout.writelines(l + '\n' for l in difflib.unified_diff(
                want, got, 'README.md', 'psql', lineterm='', n=2))
    print('readme tour: ' + ('DIFFERENT output' if bad else 'same output'))
    sys.exit(1 if bad else 0)
elif mode == 'write':
    chunks = printed(sys.argv[3])
    if len(chunks) != len(bl) + 1:
        sys.exit('readme tour: psql output has %d blocks, README %d: not written' % (len(chunks) - 1, len(bl)))
    for (s, e), chunk in reversed(list(zip(bl, chunks))):
        while chunk and chunk[-1] == '':
            chunk.pop()
        lines[s:e] = chunk
    open(readme, 'w', encoding='utf-8').write('\n'.join(lines))
    print('readme tour: README.md rewritten; review `git diff README.md`')
PY
}

tour_py extract README.md >"$out/tour.sql" || { rm -rf "$out"; exit 1; }
CLUSTER_EXTRA_CONF="omnichannel.enable_workers = off" start_cluster "${TEST_PORT:-54329}"
trap 'stop_cluster; rm -rf "$out"' EXIT
psql -X -q -d postgres -c 'CREATE DATABASE tour' || exit 1
# as a user types it: psql echoes every input line (-a), errors go on
psql -X -a -d tour <"$out/tour.sql" >"$out/printed.txt" 2>&1
if [ "$WRITE" = --write ]; then
	tour_py write README.md "$out/printed.txt"
	exit
fi
tour_py compare README.md "$out/printed.txt"; rc=$?

# The reference pages against the same fresh install: every public function
# (with each argument name) and every public table and view of schema omni in
# docs/sql-reference.md; every omnichannel.* setting in docs/gucs.md with its
# default and context.
psql -X -q -At -F '|' -d tour -c "
	SELECT 'f', p.proname, coalesce(array_to_string(ARRAY(
	           SELECT n FROM unnest(p.proargnames, p.proargmodes) a(n, m) WHERE m IS NULL OR m IN ('i', 'b', 'v')), ','),
	           array_to_string(p.proargnames, ','), '')
	  FROM pg_proc p WHERE p.pronamespace = 'omni'::regnamespace AND p.proname !~ '^_'
	UNION ALL
	SELECT 'r', c.relname, '' FROM pg_class c
	 WHERE c.relnamespace = 'omni'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm') AND c.relname !~ '^_'
	UNION ALL
	SELECT 'g', name, boot_val || '|' || coalesce(unit, '') || '|' || context FROM pg_settings
	 WHERE name LIKE 'omnichannel.%' ORDER BY 1, 2" >"$out/catalog.txt" || rc=1
"$PYTHON" - "$out/catalog.txt" <<'PY2' || rc=1
import re, sys
ref = open('docs/sql-reference.md', encoding='utf-8').read()
gucs = open('docs/gucs.md', encoding='utf-8').read().split('\n')
bad = []
for line in open(sys.argv[1], encoding='utf-8').read().splitlines():
    kind, name, rest = line.split('|', 2)
    if kind == 'f':
        sigs = re.findall(r'omni\.%s\(((?:[^()]|\([^()]*\))*)\)' % re.escape(name), ref)
        if not sigs:
            bad.append('function omni.%s is not in docs/sql-reference.md' % name)
        for arg in filter(None, rest.split(',')):
            if not any(re.search(r'\b%s\b' % re.escape(arg), s) for s in sigs):
                bad.append('omni.%s: argument %s is not in docs/sql-reference.md' % (name, arg))
    elif kind == 'r':
        if not re.search(r'omni\.%s\b' % re.escape(name), ref):
            bad.append('table or view omni.%s is not in docs/sql-reference.md' % name)
    else:
        boot, unit, context = rest.split('|')
        if unit == 'ms' and int(boot) % 1000 == 0:
            boot = '%ds' % (int(boot) // 1000)
        elif unit:
            boot += unit
        boot = boot or "''"
        row = [l for l in gucs if l.startswith('| `%s` |' % name)]
        cells = [c.strip() for c in row[0].split('|')] if row else []
        if not row:
            bad.append('setting %s is not in docs/gucs.md' % name)
        elif cells[2] != '`%s`' % boot or context not in cells:
            bad.append('setting %s: docs/gucs.md says default %s, context %s; the server %s, %s'
                       % (name, cells[2], cells[4], boot, context))
for b in bad:
    print('docs: ' + b)
print('docs: ' + ('%d problems' % len(bad) if bad else 'every public function, table, view and setting documented'))
sys.exit(1 if bad else 0)
PY2
exit $rc
