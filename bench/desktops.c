/*
 * desktops.c — N idle agent desktops, each on its own connection and
 * LISTENing on its agent's channel omni_agent_<id> (docs/agent-events.md),
 * as a contact center whose desktops connect to the database directly has
 * them.  They only read what arrives; at SIGTERM (or after SECONDS) they
 * print how many notifications they received and exit.
 *
 * usage: desktops "conninfo" first_agent_id n [seconds=3600]
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <libpq-fe.h>

static volatile sig_atomic_t stop = 0;

static void
on_term(int sig)
{
	(void) sig;
	stop = 1;
}

int
main(int argc, char **argv)
{
	const char *conninfo;
	long		first;
	int			n;
	int			nconn;
	int			seconds;
	int			gateway = getenv("GATEWAY") && strcmp(getenv("GATEWAY"), "0") != 0;
	PGconn	  **conns;
	struct pollfd *fds;
	long		received = 0;
	time_t		until;

	if (argc < 4)
	{
		fprintf(stderr, "usage: desktops conninfo first_agent_id n [seconds]\n");
		return 2;
	}
	conninfo = argv[1];
	first = atol(argv[2]);
	n = atoi(argv[3]);
	seconds = argc > 4 ? atoi(argv[4]) : 3600;
	nconn = gateway ? 1 : n;
	conns = calloc(nconn, sizeof(PGconn *));
	fds = calloc(nconn, sizeof(struct pollfd));
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	for (int i = 0; i < n; i++)
	{
		int			c = gateway ? 0 : i;
		char		sql[128];
		PGresult   *r;

		if (conns[c] == NULL)
		{
			char		info[1024];

			snprintf(info, sizeof(info), "%s application_name=bench_desktop", conninfo);
			conns[c] = PQconnectdb(info);
			if (PQstatus(conns[c]) != CONNECTION_OK)
			{
				fprintf(stderr, "desktop %d: %s", i, PQerrorMessage(conns[c]));
				return 1;
			}
			fds[c].fd = PQsocket(conns[c]);
			fds[c].events = POLLIN;
		}
		snprintf(sql, sizeof(sql), "LISTEN omni_agent_%ld", first + i);
		r = PQexec(conns[c], sql);
		if (PQresultStatus(r) != PGRES_COMMAND_OK)
		{
			fprintf(stderr, "desktop %d: %s", i, PQerrorMessage(conns[c]));
			return 1;
		}
		PQclear(r);
	}
	printf("desktops: %d listening on %d connection(s)\n", n, nconn);
	fflush(stdout);
	until = time(NULL) + seconds;
	while (!stop && time(NULL) < until)
	{
		int			k = poll(fds, nconn, 500);

		if (k < 0 && errno != EINTR)
			break;
		for (int i = 0; k > 0 && i < nconn; i++)
		{
			PGnotify   *note;

			if (!(fds[i].revents & POLLIN))
				continue;
			PQconsumeInput(conns[i]);
			while ((note = PQnotifies(conns[i])) != NULL)
			{
				received++;
				PQfreemem(note);
			}
		}
	}
	printf("desktops: %ld notifications received\n", received);
	for (int i = 0; i < nconn; i++)
		PQfinish(conns[i]);
	return 0;
}
