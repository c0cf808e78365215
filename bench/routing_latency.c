/*
 * routing_latency.c — enqueue-commit → offer latency with the worker on,
 * with the whole agent loop running.
 *
 * One thread enqueues at a fixed rate (autocommit: PQexec returns after the
 * commit) and notes when each enqueue returned; another LISTENs on
 * omni_offer and notes when each offer's NOTIFY arrived (NOTIFY is delivered
 * when the router commits); an acceptor accepts each offer on its own
 * connection, as an agent would, and a finisher ends and closes each
 * conversation HOLD seconds after it was accepted (the agent's handling
 * time), which frees the capacity again.  Prints p50/p90/p99/p99.9/max over
 * the conversations offered.
 *
 * usage: routing_latency "conninfo" rate_per_s seconds [hold_seconds=2]
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>
#include <libpq-fe.h>

#define MAXC 2000000
static double *t_commit, *t_offer;
static long first_id = -1, last_id = -1;
static volatile int done = 0;
static const char *conninfo;
static int rate, seconds;
static double hold = 2.0;

/* Accepted conversations to end and close, with the time they are due. */
#define FINISH_RING (1 << 20)
static long fin_conv[FINISH_RING];
static double fin_due[FINISH_RING];
static long fin_head = 0, fin_tail = 0;
static long finished = 0, accepted = 0, failed = 0;
static pthread_mutex_t fin_lock = PTHREAD_MUTEX_INITIALIZER;

/* Offers to accept, handed from the listener to the acceptor thread. */
static long ring[1 << 16];
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

static PGconn *
connect_or_die(void)
{
	PGconn	   *c = PQconnectdb(conninfo);

	if (PQstatus(c) != CONNECTION_OK)
	{
		fprintf(stderr, "connection failed: %s", PQerrorMessage(c));
		exit(1);
	}
	return c;
}

/* acceptor accepts offers as an agent would, off the timing path. */
static void *
acceptor(void *arg)
{
	PGconn	   *acc = connect_or_die();

	for (;;)
	{
		long		offer;
		char		sql[128];

		pthread_mutex_lock(&ring_lock);
		while (ring_head == ring_tail && !done)
			pthread_cond_wait(&ring_cond, &ring_lock);
		if (ring_head == ring_tail && done)
		{
			pthread_mutex_unlock(&ring_lock);
			break;
		}
		offer = ring[ring_tail++ % (1 << 16)];
		pthread_mutex_unlock(&ring_lock);
		snprintf(sql, sizeof(sql), "SELECT omni.accept(%ld)", offer);
		{
			PGresult   *r = PQexec(acc, sql);

			if (PQresultStatus(r) == PGRES_TUPLES_OK)
			{
				long		conv = atol(PQgetvalue(r, 0, 0));

				pthread_mutex_lock(&fin_lock);
				fin_conv[fin_head % FINISH_RING] = conv;
				fin_due[fin_head % FINISH_RING] = now() + hold;
				fin_head++;
				accepted++;
				pthread_mutex_unlock(&fin_lock);
			}
			else
				__atomic_add_fetch(&failed, 1, __ATOMIC_RELAXED);
			PQclear(r);
		}
	}
	PQfinish(acc);
	return NULL;
}

/* finisher ends and closes each accepted conversation once its time is up. */
static void *
finisher(void *arg)
{
	PGconn	   *fc = connect_or_die();

	for (;;)
	{
		long		conv = -1;
		double		due = 0;
		int			empty;

		pthread_mutex_lock(&fin_lock);
		empty = (fin_tail == fin_head);
		if (!empty)
		{
			conv = fin_conv[fin_tail % FINISH_RING];
			due = fin_due[fin_tail % FINISH_RING];
		}
		pthread_mutex_unlock(&fin_lock);
		if (empty)
		{
			struct timespec ts = {0, 1000000};

			if (done)
				break;
			nanosleep(&ts, NULL);
			continue;
		}
		if (now() < due)
		{
			struct timespec ts = {0, 1000000};

			if (done)
				break;			/* the rest stay active: the run is over */
			nanosleep(&ts, NULL);
			continue;
		}
		{
			char		sql[160];
			PGresult   *r;

			snprintf(sql, sizeof(sql),
					 "SELECT omni.end_conversation(%ld), omni.close_conversation(%ld)", conv, conv);
			r = PQexec(fc, sql);
			if (PQresultStatus(r) == PGRES_TUPLES_OK)
				finished++;
			else
				__atomic_add_fetch(&failed, 1, __ATOMIC_RELAXED);
			PQclear(r);
		}
		pthread_mutex_lock(&fin_lock);
		fin_tail++;
		pthread_mutex_unlock(&fin_lock);
	}
	PQfinish(fc);
	return NULL;
}

static void *
listener(void *arg)
{
	PGconn	   *c = connect_or_die();
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
			long		offer = -1, conv = -1;
			const char *p = strstr(n->extra, "\"offer_id\" : ");
			const char *q = strstr(n->extra, "\"conversation_id\" : ");
			if (p)
				offer = atol(p + 13);
			if (q)
				conv = atol(q + 20);
			if (conv > 0 && conv < MAXC && t_offer[conv] == 0)
				t_offer[conv] = t;
			PQfreemem(n);
			pthread_mutex_lock(&ring_lock);
			ring[ring_head++ % (1 << 16)] = offer;
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
	pthread_t	th, th2, th3;
	PGconn	   *c;
	double		start, next;
	long		n = 0, k = 0, missing = 0;
	double	   *lat;

	if (argc < 4)
	{
		fprintf(stderr, "usage: %s conninfo rate seconds\n", argv[0]);
		return 2;
	}
	conninfo = argv[1];
	rate = atoi(argv[2]);
	seconds = atoi(argv[3]);
	if (argc > 4)
		hold = atof(argv[4]);
	t_commit = calloc(MAXC, sizeof(double));
	t_offer = calloc(MAXC, sizeof(double));
	pthread_create(&th, NULL, listener, NULL);
	pthread_create(&th2, NULL, acceptor, NULL);
	pthread_create(&th3, NULL, finisher, NULL);
	c = connect_or_die();
	{
		struct timespec ts = {0, 300000000};

		nanosleep(&ts, NULL);	/* let the listener start */
	}
	start = next = now();
	while (now() - start < seconds)
	{
		char		sql[256];
		PGresult   *r;
		long		id;

		snprintf(sql, sizeof(sql),
				 "SELECT omni.enqueue('bench_chat', 'lat%ld', jsonb_build_object('q', %ld, 'skilled', %s))",
				 n, 1 + n % 50, n % 2 ? "true" : "false");
		r = PQexec(c, sql);
		if (PQresultStatus(r) != PGRES_TUPLES_OK)
		{
			fprintf(stderr, "enqueue failed: %s", PQerrorMessage(c));
			return 1;
		}
		id = atol(PQgetvalue(r, 0, 0));
		PQclear(r);
		if (id > 0 && id < MAXC)
			t_commit[id] = now();
		if (first_id < 0)
			first_id = id;
		last_id = id;
		n++;
		next += 1.0 / rate;
		while (now() < next)
		{
			struct timespec ts = {0, 200000};

			nanosleep(&ts, NULL);
		}
	}
	{
		struct timespec ts = {2, 0};

		nanosleep(&ts, NULL);	/* let the last offers arrive */
	}
	done = 1;
	pthread_join(th, NULL);
	pthread_join(th2, NULL);
	pthread_join(th3, NULL);
	lat = malloc(sizeof(double) * (last_id - first_id + 1));
	for (long id = first_id; id <= last_id; id++)
	{
		if (t_offer[id] == 0 || t_commit[id] == 0)
		{
			missing++;
			continue;
		}
		lat[k++] = (t_offer[id] - t_commit[id]) * 1000.0;
	}
	qsort(lat, k, sizeof(double), cmp);
	printf("latency: %ld enqueued in %d s (%.0f/s asked %d/s), %ld offered, %ld not offered; "
		   "%ld accepted, %ld ended and closed after %.1f s, %ld calls failed\n",
		   n, seconds, n / (double) seconds, rate, k, missing, accepted, finished, hold, failed);
	if (k > 0)
		printf("latency enqueue-commit -> offer NOTIFY: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, "
			   "p99.9 %.2f ms, max %.2f ms\n",
			   lat[k / 2], lat[(long) (k * 0.90)], lat[(long) (k * 0.99)], lat[(long) (k * 0.999)], lat[k - 1]);
	PQfinish(c);
	return 0;
}
