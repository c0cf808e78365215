/*
 * routing_latency.c — enqueue-commit → offer latency with the worker on,
 * with the whole agent loop running.
 *
 * E enqueuer threads, each on its own connection, enqueue on one shared
 * schedule (conversation k is due at start + k/rate; each thread takes the
 * next due slot), so the asked rate holds even when one enqueue is slower
 * than 1/rate; each notes when its enqueue returned (autocommit: PQexec
 * returns after the commit).  The run stops after SECONDS even when the
 * enqueues fell behind the schedule: the achieved rate is then printed
 * below the asked one.  One listener LISTENs on omni_offer and notes
 * when each offer's NOTIFY arrived (NOTIFY is delivered when the router
 * commits); A acceptor threads accept the offers on their own connections,
 * as agents would, and F finisher threads end and close each conversation
 * HOLD seconds after it was accepted (the agent's handling time), which
 * frees the capacity again.  Prints the achieved enqueue rate and
 * p50/p90/p99/p99.9/max over the conversations offered.
 *
 * The calls are sent as text (simple query protocol) unless PREPARED=1
 * (then prepared once per connection).  MESSAGES=k: before the end, the
 * finisher posts k customer messages (as the service login) each answered
 * by the agent (as the agent's role with AS_AGENTS), as a chat would.
 *
 * usage: [TIMELINE=1] [WARMUP=s] [AS_AGENTS=1] [PREPARED=1] [MESSAGES=k] routing_latency "conninfo" rate_per_s seconds [hold_seconds=2]
 *                        [enqueuers=4] [acceptors=4] [finishers=4]
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/select.h>
#include <time.h>
#include <libpq-fe.h>

#define MAXC 4000000
#define MAXT 64
static double *t_commit, *t_offer;
static long first_id = -1, last_id = -1;
static volatile int done = 0, enq_done = 0;
static const char *conninfo;
static int	rate, seconds;
static double warmup = 0;		/* WARMUP: first seconds, reported apart */
static int	as_agents = 0;		/* AS_AGENTS: accept, end and close as the agent's role */
static int	prepared = 0;		/* PREPARED=1: calls prepared once per connection */

static double hold = 2.0;
static double start;
static long seq = 0;			/* next schedule slot to enqueue */
static long sent = 0;			/* enqueues committed */
static long enq_behind = 0;		/* enqueues sent more than 10 ms late */
static pthread_mutex_t id_lock = PTHREAD_MUTEX_INITIALIZER;

/* Accepted conversations to end and close, with the time they are due. */
#define FINISH_RING (1 << 21)
static long fin_conv[FINISH_RING];
static long fin_agent[FINISH_RING];
static double fin_due[FINISH_RING];
static long fin_head = 0, fin_tail = 0;
static long finished = 0, accepted = 0, failed = 0;
static pthread_mutex_t fin_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t fin_cond;	/* on CLOCK_MONOTONIC (main) */

/* Offers to accept, handed from the listener to the acceptor threads. */
#define OFFER_RING (1 << 21)
static long ring[OFFER_RING];
static long ring_agent[OFFER_RING];
static long ring_head = 0, ring_tail = 0;
static pthread_mutex_t ring_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ring_cond = PTHREAD_COND_INITIALIZER;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
sleep_until(double t)
{
	struct timespec ts;

	/* one absolute sleep per due time: polling in short sleeps took CPU
	 * from the server being measured */
	if (t <= now())
		return;
	ts.tv_sec = (time_t) t;
	ts.tv_nsec = (long) ((t - (double) ts.tv_sec) * 1e9);
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

/* connect_or_die connects as application_name bench_ROLE: the CPU split of
 * bench/routing_latency.sh tells the connections' backends apart by it. */
static PGconn *
connect_or_die(const char *role)
{
	char		info[1024];
	PGconn	   *c;

	snprintf(info, sizeof(info), "%s application_name=bench_%s", conninfo, role);
	c = PQconnectdb(info);

	if (PQstatus(c) != CONNECTION_OK)
	{
		fprintf(stderr, "connection failed: %s", PQerrorMessage(c));
		exit(1);
	}
	return c;
}

/*
 * The calls, as text with their arguments filled in (simple query
 * protocol, the default) or, with PREPARED=1, as statements prepared once
 * per connection (what drivers such as JDBC, pgx and psycopg 3 do for the
 * statements they repeat; no measurable difference at 1,000/s).
 */
typedef struct BenchCall
{
	const char *name;
	const char *text;			/* $1 ... $n: its arguments */
	int			nargs;
} BenchCall;

static const BenchCall enqueue_call = {"enqueue", "SELECT omni.enqueue('bench_chat', $1, jsonb_build_object('q', $2::int, 'skilled', $3::bool))", 3};
static const BenchCall accept_call = {"accept", "SELECT omni.accept($1::bigint)", 1};
static const BenchCall finish_call = {"finish", "SELECT omni.end_conversation($1::bigint), omni.close_conversation($1::bigint)", 1};
/* MESSAGES=k: k exchanges before the end, the customer's through the service login */
static const BenchCall customer_call = {"customer_message", "SELECT omni.post_message($1::bigint, 'customer', 'Hello, my parcel has not arrived yet and I am getting worried about it')", 1};
static const BenchCall agent_call = {"agent_message", "SELECT omni.post_message($1::bigint, 'agent', 'Thank you for waiting, let me check the status of your parcel right now', $2::bigint)", 2};
static int	messages = 0;

static void
prepare_or_die(PGconn *c, const BenchCall *call)
{
	PGresult   *r;

	if (!prepared)
		return;
	r = PQprepare(c, call->name, call->text, 0, NULL);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
	{
		fprintf(stderr, "prepare %s failed: %s", call->name, PQerrorMessage(c));
		exit(1);
	}
	PQclear(r);
}

/* enqueuer takes the next due slot of the shared schedule and enqueues it. */
static void *
enqueuer(void *arg)
{
	PGconn	   *c = connect_or_die("enqueuer");
	double		run = seconds + warmup;
	long		total = (long) (rate * run);

	prepare_or_die(c, &enqueue_call);

	for (;;)
	{
		long		k = __atomic_fetch_add(&seq, 1, __ATOMIC_RELAXED);
		double		due;
		char		sql[256];
		PGresult   *r;
		long		id;

		if (k >= total || now() - start >= run)
			break;				/* the run lasts SECONDS even when behind */
		due = start + (double) k / rate;
		sleep_until(due);
		if (now() - due > 0.010)
			__atomic_add_fetch(&enq_behind, 1, __ATOMIC_RELAXED);
		if (prepared)
		{
			char		cust[32],
						q[16];
			const char *values[3] = {cust, q, k % 2 ? "true" : "false"};

			snprintf(cust, sizeof(cust), "lat%ld", k);
			snprintf(q, sizeof(q), "%ld", 1 + k % 50);
			r = PQexecPrepared(c, enqueue_call.name, enqueue_call.nargs, values, NULL, NULL, 0);
		}
		else
		{
			snprintf(sql, sizeof(sql),
					 "SELECT omni.enqueue('bench_chat', 'lat%ld', jsonb_build_object('q', %ld, 'skilled', %s))",
					 k, 1 + k % 50, k % 2 ? "true" : "false");
			r = PQexec(c, sql);
		}
		if (PQresultStatus(r) != PGRES_TUPLES_OK)
		{
			fprintf(stderr, "enqueue failed: %s", PQerrorMessage(c));
			exit(1);
		}
		id = atol(PQgetvalue(r, 0, 0));
		PQclear(r);
		if (id > 0 && id < MAXC)
			t_commit[id] = now();
		__atomic_add_fetch(&sent, 1, __ATOMIC_RELAXED);
		pthread_mutex_lock(&id_lock);
		if (first_id < 0 || id < first_id)
			first_id = id;
		if (id > last_id)
			last_id = id;
		pthread_mutex_unlock(&id_lock);
	}
	PQfinish(c);
	return NULL;
}

/* call_text fills call's arguments into its text (PREPARED=0). */
static void
call_text(char *buf, size_t size, const BenchCall *call, const long *args)
{
	char	   *o = buf;
	const char *p = call->text;

	while (*p && o < buf + size - 24)
	{
		if (*p == '$' && p[1] >= '1' && p[1] <= '9')
		{
			o += sprintf(o, "%ld", args[p[1] - '1']);
			p += 2;
		}
		else
			*o++ = *p++;
	}
	*o = '\0';
}

/* keep_result keeps the call's own result: its rows or its error. */
static void
keep_result(PGresult **r, PGresult *x)
{
	ExecStatusType st = PQresultStatus(x);

	if (st == PGRES_TUPLES_OK || st == PGRES_FATAL_ERROR)
	{
		if (*r)
			PQclear(*r);
		*r = x;
	}
	else
		PQclear(x);
}

/*
 * agent_exec runs call with args on c, as the agent's own role
 * (bench_agent_<id>, bench/routing_setup.sql -v agent_roles=1) when
 * AS_AGENTS is set, as an agent desktop connected as its role would: one
 * round trip, SET ROLE and RESET ROLE around the call in one transaction
 * (one simple query, or a pipeline of three statements and one Sync).
 * Returns the call's own result (its rows or its error), never the SET's
 * or RESET's.
 */
static PGresult *
agent_exec_as(PGconn *c, long agent, bool as_agent, const BenchCall *call, const long *args)
{
	char		sql[400];
	char		role[64];
	PGresult   *r = NULL;
	PGresult   *x;

	snprintf(role, sizeof(role), "SET ROLE bench_agent_%ld", agent);
	if (!prepared)
	{
		char		text[256];

		call_text(text, sizeof(text), call, args);
		if (as_agent)
			snprintf(sql, sizeof(sql), "%s; %s; RESET ROLE", role, text);
		else
			snprintf(sql, sizeof(sql), "%s", text);
		if (!PQsendQuery(c, sql))
			return PQmakeEmptyPGresult(c, PGRES_FATAL_ERROR);
		while ((x = PQgetResult(c)) != NULL)
			keep_result(&r, x);
	}
	else
	{
		char		vals[4][24];
		const char *values[4];
		int			sent = 0;

		for (int i = 0; i < call->nargs; i++)
		{
			snprintf(vals[i], sizeof(vals[i]), "%ld", args[i]);
			values[i] = vals[i];
		}
		if (!PQenterPipelineMode(c))
			return PQmakeEmptyPGresult(c, PGRES_FATAL_ERROR);
		if (as_agent && PQsendQueryParams(c, role, 0, NULL, NULL, NULL, NULL, 0))
			sent++;
		if (PQsendQueryPrepared(c, call->name, call->nargs, values, NULL, NULL, 0))
			sent++;
		if (as_agent && PQsendQueryParams(c, "RESET ROLE", 0, NULL, NULL, NULL, NULL, 0))
			sent++;
		PQpipelineSync(c);
		/* each statement's results end with a NULL; then the Sync's */
		for (int i = 0; i < sent; i++)
			while ((x = PQgetResult(c)) != NULL)
				keep_result(&r, x);
		while ((x = PQgetResult(c)) != NULL)
		{
			ExecStatusType st = PQresultStatus(x);

			PQclear(x);
			if (st == PGRES_PIPELINE_SYNC)
				break;
		}
		PQexitPipelineMode(c);
	}
	return r ? r : PQmakeEmptyPGresult(c, PGRES_FATAL_ERROR);
}

/* agent_exec: agent_exec_as, as the agent's role when AS_AGENTS is set. */
static PGresult *
agent_exec(PGconn *c, long agent, const BenchCall *call, const long *args)
{
	return agent_exec_as(c, agent, as_agents, call, args);
}

/* acceptor accepts offers as an agent would, off the timing path. */
static void *
acceptor(void *arg)
{
	PGconn	   *acc = connect_or_die("acceptor");

	prepare_or_die(acc, &accept_call);

	for (;;)
	{
		long		offer;
		long		agent;
		PGresult   *r;

		pthread_mutex_lock(&ring_lock);
		while (ring_head == ring_tail && !done)
			pthread_cond_wait(&ring_cond, &ring_lock);
		if (done)
		{
			/* the run is over: offers still queued stay pending */
			pthread_mutex_unlock(&ring_lock);
			break;
		}
		agent = ring_agent[ring_tail % OFFER_RING];
		offer = ring[ring_tail++ % OFFER_RING];
		pthread_mutex_unlock(&ring_lock);
		r = agent_exec(acc, agent, &accept_call, &offer);
		if (PQresultStatus(r) == PGRES_TUPLES_OK)
		{
			long		conv = atol(PQgetvalue(r, 0, 0));

			pthread_mutex_lock(&fin_lock);
			fin_conv[fin_head % FINISH_RING] = conv;
			fin_agent[fin_head % FINISH_RING] = agent;
			fin_due[fin_head % FINISH_RING] = now() + hold;
			fin_head++;
			accepted++;
			pthread_cond_signal(&fin_cond);
			pthread_mutex_unlock(&fin_lock);
		}
		else
		{
			if (__atomic_add_fetch(&failed, 1, __ATOMIC_RELAXED) <= 3)
				fprintf(stderr, "accept failed: %s", PQerrorMessage(acc));
		}
		PQclear(r);
	}
	PQfinish(acc);
	return NULL;
}

/* finisher ends and closes accepted conversations once their time is up. */
static void *
finisher(void *arg)
{
	PGconn	   *fc = connect_or_die("finisher");

	prepare_or_die(fc, &finish_call);
	if (messages > 0)
	{
		prepare_or_die(fc, &customer_call);
		prepare_or_die(fc, &agent_call);
	}

	for (;;)
	{
		long		conv;
		long		agent;

		/* sleep until the oldest accepted conversation is due (or one is
		 * added, or the run ends): polling took CPU from the server */
		pthread_mutex_lock(&fin_lock);
		for (;;)
		{
			double		due;
			struct timespec ts;

			if (fin_tail != fin_head && now() >= fin_due[fin_tail % FINISH_RING])
				break;
			if (done)
				break;			/* the rest stay active: the run is over */
			if (fin_tail == fin_head)
			{
				pthread_cond_wait(&fin_cond, &fin_lock);
				continue;
			}
			due = fin_due[fin_tail % FINISH_RING];
			ts.tv_sec = (time_t) due;
			ts.tv_nsec = (long) ((due - (double) ts.tv_sec) * 1e9);
			pthread_cond_timedwait(&fin_cond, &fin_lock, &ts);
		}
		if (fin_tail == fin_head || now() < fin_due[fin_tail % FINISH_RING])
		{
			pthread_mutex_unlock(&fin_lock);
			break;				/* done, nothing due */
		}
		conv = fin_conv[fin_tail % FINISH_RING];
		agent = fin_agent[fin_tail % FINISH_RING];
		fin_tail++;
		pthread_mutex_unlock(&fin_lock);
		for (int m = 0; m < messages; m++)
		{
			long		args[2] = {conv, agent};
			PGresult   *r = agent_exec_as(fc, agent, false, &customer_call, args);

			if (PQresultStatus(r) == PGRES_TUPLES_OK)
			{
				PQclear(r);
				r = agent_exec(fc, agent, &agent_call, args);
			}
			if (PQresultStatus(r) != PGRES_TUPLES_OK &&
				__atomic_add_fetch(&failed, 1, __ATOMIC_RELAXED) <= 3)
				fprintf(stderr, "message failed: %s", PQerrorMessage(fc));
			PQclear(r);
		}
		{
			PGresult   *r = agent_exec(fc, agent, &finish_call, &conv);

			if (PQresultStatus(r) == PGRES_TUPLES_OK)
				__atomic_add_fetch(&finished, 1, __ATOMIC_RELAXED);
			else if (__atomic_add_fetch(&failed, 1, __ATOMIC_RELAXED) <= 3)
				fprintf(stderr, "end/close failed: %s", PQerrorMessage(fc));
			PQclear(r);
		}
	}
	PQfinish(fc);
	return NULL;
}

/* field returns the number after "key" in a json payload, or -1. */
static long
field(const char *json, const char *key)
{
	const char *p = strstr(json, key);

	if (!p)
		return -1;
	p += strlen(key);
	while (*p && (*p < '0' || *p > '9'))
		p++;
	return *p ? atol(p) : -1;
}

static void *
listener(void *arg)
{
	PGconn	   *c = connect_or_die("listener");
	PGresult   *r = PQexec(c, "LISTEN omni_offer");

	PQclear(r);
	while (!done)
	{
		fd_set		fds;
		struct timeval tv = {0, 100000};
		int			sock = PQsocket(c);
		PGnotify   *n;

		FD_ZERO(&fds);
		FD_SET(sock, &fds);
		if (select(sock + 1, &fds, NULL, NULL, &tv) < 0)
			break;
		PQconsumeInput(c);
		while ((n = PQnotifies(c)) != NULL)
		{
			double		t = now();
			long		offer = field(n->extra, "\"offer_id\"");
			long		conv = field(n->extra, "\"conversation_id\"");
			long		agent = field(n->extra, "\"agent_id\"");

			if (conv > 0 && conv < MAXC && t_offer[conv] == 0)
				t_offer[conv] = t;
			PQfreemem(n);
			pthread_mutex_lock(&ring_lock);
			ring_agent[ring_head % OFFER_RING] = agent;
			ring[ring_head++ % OFFER_RING] = offer;
			pthread_cond_signal(&ring_cond);
			pthread_mutex_unlock(&ring_lock);
		}
	}
	pthread_mutex_lock(&ring_lock);
	pthread_cond_broadcast(&ring_cond);
	pthread_mutex_unlock(&ring_lock);
	PQfinish(c);
	return NULL;
}

static int
cmp(const void *a, const void *b)
{
	double		x = *(const double *) a,
				y = *(const double *) b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	pthread_t	lt, et[MAXT], at[MAXT], ft[MAXT];
	int			ne = 4, na = 4, nf = 4;
	long		n, k = 0, missing = 0, negative = 0, nwarm = 0;
	double		end;
	double	   *lat,
			   *warm;

	if (argc < 4)
	{
		fprintf(stderr, "usage: %s conninfo rate seconds [hold] [enqueuers] [acceptors] [finishers]\n", argv[0]);
		return 2;
	}
	conninfo = argv[1];
	rate = atoi(argv[2]);
	seconds = atoi(argv[3]);
	if (getenv("WARMUP"))
		warmup = atof(getenv("WARMUP"));
	as_agents = getenv("AS_AGENTS") != NULL && strcmp(getenv("AS_AGENTS"), "0") != 0;
	prepared = getenv("PREPARED") != NULL && strcmp(getenv("PREPARED"), "0") != 0;
	messages = getenv("MESSAGES") != NULL ? atoi(getenv("MESSAGES")) : 0;
	if (argc > 4)
		hold = atof(argv[4]);
	if (argc > 5)
		ne = atoi(argv[5]);
	if (argc > 6)
		na = atoi(argv[6]);
	if (argc > 7)
		nf = atoi(argv[7]);
	if (rate <= 0 || seconds <= 0 || ne < 1 || ne > MAXT || na < 1 || na > MAXT || nf < 1 || nf > MAXT)
	{
		fprintf(stderr, "bad arguments\n");
		return 2;
	}
	{
		pthread_condattr_t ca;

		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&fin_cond, &ca);
	}
	t_commit = calloc(MAXC, sizeof(double));
	t_offer = calloc(MAXC, sizeof(double));
	pthread_create(&lt, NULL, listener, NULL);
	for (int i = 0; i < na; i++)
		pthread_create(&at[i], NULL, acceptor, NULL);
	for (int i = 0; i < nf; i++)
		pthread_create(&ft[i], NULL, finisher, NULL);
	{
		struct timespec ts = {0, 500000000};

		nanosleep(&ts, NULL);	/* let the listener and connections start */
	}
	start = now() + 0.2;
	for (int i = 0; i < ne; i++)
		pthread_create(&et[i], NULL, enqueuer, NULL);
	for (int i = 0; i < ne; i++)
		pthread_join(et[i], NULL);
	end = now();
	enq_done = 1;
	{
		struct timespec ts = {2, 0};

		nanosleep(&ts, NULL);	/* let the last offers arrive */
	}
	done = 1;
	pthread_mutex_lock(&fin_lock);
	pthread_cond_broadcast(&fin_cond);
	pthread_mutex_unlock(&fin_lock);
	pthread_join(lt, NULL);
	for (int i = 0; i < na; i++)
		pthread_join(at[i], NULL);
	for (int i = 0; i < nf; i++)
		pthread_join(ft[i], NULL);
	n = sent;
	lat = malloc(sizeof(double) * (first_id < 0 ? 1 : last_id - first_id + 1));
	warm = malloc(sizeof(double) * (first_id < 0 ? 1 : last_id - first_id + 1));
	for (long id = first_id; first_id >= 0 && id <= last_id; id++)
	{
		double		l;

		if (t_offer[id] == 0 || t_commit[id] == 0)
		{
			missing++;
			continue;
		}
		l = (t_offer[id] - t_commit[id]) * 1000.0;
		if (l < 0)
		{
			negative++;			/* NOTIFY read before the enqueue's reply */
			l = 0;
		}
		if (t_commit[id] - start < warmup)
		{
			warm[nwarm++] = l;	/* new connections and the router plan their first statements */
			continue;
		}
		lat[k++] = l;
	}
	if (getenv("TIMELINE"))
	{
		/*
		 * per slice of the run (by enqueue commit): count, p50, max; a
		 * second, or TIMELINE milliseconds when that is above 1
		 */
		double		slice = atof(getenv("TIMELINE")) > 1 ? atof(getenv("TIMELINE")) / 1000.0 : 1.0;
		int			nslices = (int) ((end - start) / slice) + 1;

		for (int sl = 0; sl < nslices; sl++)
		{
			double	   *v = malloc(sizeof(double) * (last_id - first_id + 1));
			long		m = 0;

			for (long id = first_id; first_id >= 0 && id <= last_id; id++)
				if (t_offer[id] != 0 && t_commit[id] != 0 && (int) ((t_commit[id] - start) / slice) == sl)
					v[m++] = (t_offer[id] - t_commit[id]) * 1000.0;
			qsort(v, m, sizeof(double), cmp);
			if (m > 0)
				printf("second %7.2f: %4ld offered, p50 %8.2f ms, max %8.2f ms\n", sl * slice, m, v[m / 2], v[m - 1]);
			free(v);
		}
	}
	qsort(lat, k, sizeof(double), cmp);
	printf("latency: %ld enqueued in %.1f s = %.0f/s achieved (asked %d/s; %d enqueuers, %ld sent >10 ms late), "
		   "%ld offered, %ld not offered; %d acceptors: %ld accepted; %d finishers: %ld ended and closed "
		   "after %.1f s; %ld calls failed; %ld offers seen before their enqueue returned\n",
		   n, end - start, n / (end - start), rate, ne, enq_behind, k, missing, na, accepted, nf, finished,
		   hold, failed, negative);
	if (nwarm > 0)
	{
		qsort(warm, nwarm, sizeof(double), cmp);
		printf("warm-up (first %.0f s, %ld offers, not counted below): p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
			   warmup, nwarm, warm[nwarm / 2], warm[(long) (nwarm * 0.99)], warm[nwarm - 1]);
	}
	if (k > 0)
		printf("latency enqueue-commit -> offer NOTIFY%s: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, "
			   "p99.9 %.2f ms, max %.2f ms\n", nwarm > 0 ? " (after the warm-up)" : "",
			   lat[k / 2], lat[(long) (k * 0.90)], lat[(long) (k * 0.99)], lat[(long) (k * 0.999)], lat[k - 1]);
	return 0;
}
