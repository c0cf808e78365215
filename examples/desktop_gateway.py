#!/usr/bin/env python3
"""A desktop gateway for omnichannel's agent events (docs/agent-events.md, "Many desktops").

PostgreSQL 15 wakes every backend of a database that has LISTENed (on any
channel) at each commit that sends a notification.  With one listening
connection per agent desktop, every offer, accept and close wakes all of
them: 100 desktops doubled the CPU of each conversation and 1,000 stalled
routing (docs/routing-benchmarks.md, "Agent desktops that LISTEN").  So a
contact center with more than a few desktops gives them one gateway: one
database connection LISTENs on omni_agent_<id> for every agent that has a
desktop connected, and the gateway passes each notification on to that
agent's desktops.  A web desktop gets it over the websocket its app server
already holds; this example speaks JSON lines over TCP so it needs nothing
but psycopg2.

    python3 examples/desktop_gateway.py --dsn "dbname=omni user=omni_gateway" --port 8765

The gateway's role needs nothing but CONNECT: LISTEN takes no privilege,
and it reads no table.  Protocol, one JSON object per line:
  desktop -> gateway  {"agent_id": 42}      (once, after connecting)
  gateway -> desktop  {"kind": "subscribed", "agent_id": 42}
                      then every payload sent on omni_agent_42, as is
                      {"kind": "resync"} after the gateway lost its database
                      connection (notifications may have been missed).
A desktop reads its state (pending offers, its conversations) once it got
"subscribed" and again after "resync", as a LISTENing desktop does after
LISTEN (docs/agent-events.md, "Writing a desktop").

The payloads are what any database user could LISTEN to (kinds and ids
only), so this example takes the agent id a desktop names.  A real gateway
takes it from the desktop's authenticated session instead, so that one
agent cannot follow another's events.
"""

import argparse
import json
import selectors
import socket
import sys
import time

import psycopg2
from psycopg2 import sql


class Gateway:
    def __init__(self, args):
        self.args = args
        self.sel = selectors.DefaultSelector()
        self.conn = None
        self.conn_fd = None
        self.desktops = {}      # socket -> {"agent": id or None, "buf": bytes}
        self.by_agent = {}      # agent id -> set of sockets
        self.server = socket.create_server((args.host, args.port))
        self.server.setblocking(False)
        self.sel.register(self.server, selectors.EVENT_READ, "accept")

    def say(self, text):
        print(text, flush=True)

    # -- the database connection ---------------------------------------------

    def connect(self):
        while True:
            try:
                self.conn = psycopg2.connect(self.args.dsn, application_name="omni_desktop_gateway")
                self.conn.autocommit = True     # notifications arrive between statements
                break
            except psycopg2.Error as e:
                self.say("database unreachable (%s), retrying" % str(e).strip())
                time.sleep(1)
        # by its number: a lost connection no longer has one to look up
        self.conn_fd = self.conn.fileno()
        self.sel.register(self.conn_fd, selectors.EVENT_READ, "database")
        for agent in self.by_agent:
            self.listen(agent)
        self.say("connected to the database, listening for %d agent(s)" % len(self.by_agent))

    def reconnect(self):
        self.sel.unregister(self.conn_fd)
        try:
            self.conn.close()
        except psycopg2.Error:
            pass
        self.connect()
        # what was sent meanwhile is lost: every desktop reads its state again
        for socks in self.by_agent.values():
            for s in list(socks):
                self.send(s, {"kind": "resync"})

    def listen(self, agent, on=True):
        verb = "LISTEN" if on else "UNLISTEN"
        with self.conn.cursor() as cur:
            cur.execute(sql.SQL(verb + " {}").format(sql.Identifier("omni_agent_%d" % agent)))
        self.pass_on()      # what arrived while the statement ran

    def from_database(self):
        try:
            self.conn.poll()
        except psycopg2.Error:
            self.say("database connection lost")
            self.reconnect()
            return
        self.pass_on()

    def pass_on(self):
        while self.conn.notifies:
            note = self.conn.notifies.pop(0)
            try:
                agent = int(note.channel[len("omni_agent_"):])
            except ValueError:
                continue
            line = note.payload.encode() + b"\n"
            for s in list(self.by_agent.get(agent, ())):
                self.send_raw(s, line)

    # -- desktops -------------------------------------------------------------

    def accept(self):
        s, _ = self.server.accept()
        s.setblocking(False)
        self.desktops[s] = {"agent": None, "buf": b""}
        self.sel.register(s, selectors.EVENT_READ, "desktop")

    def from_desktop(self, s):
        try:
            data = s.recv(4096)
        except OSError:
            data = b""
        if not data:
            self.drop(s)
            return
        d = self.desktops[s]
        d["buf"] += data
        while b"\n" in d["buf"]:
            line, d["buf"] = d["buf"].split(b"\n", 1)
            if d["agent"] is not None:
                continue        # one subscription per connection
            try:
                agent = int(json.loads(line)["agent_id"])
            except (ValueError, KeyError, TypeError):
                self.send(s, {"kind": "error", "message": 'send {"agent_id": <id>} first'})
                self.drop(s)
                return
            d["agent"] = agent
            if agent not in self.by_agent:
                self.by_agent[agent] = set()
                try:
                    self.listen(agent)
                except psycopg2.Error:
                    self.reconnect()    # LISTENs again for every agent, this one included
            self.by_agent[agent].add(s)
            # LISTEN is in place: the desktop may read its state now
            self.send(s, {"kind": "subscribed", "agent_id": agent})

    def send(self, s, obj):
        self.send_raw(s, json.dumps(obj).encode() + b"\n")

    def send_raw(self, s, line):
        try:
            s.sendall(line)
        except OSError:
            self.drop(s)

    def drop(self, s):
        d = self.desktops.pop(s, None)
        if d is None:
            return
        self.sel.unregister(s)
        s.close()
        agent = d["agent"]
        if agent is not None and agent in self.by_agent:
            self.by_agent[agent].discard(s)
            if not self.by_agent[agent]:
                del self.by_agent[agent]
                try:
                    self.listen(agent, on=False)
                except psycopg2.Error:
                    pass        # the reconnect LISTENs only for agents still connected

    def run(self):
        self.connect()
        self.say("gateway on %s:%d" % (self.args.host, self.server.getsockname()[1]))
        while True:
            for key, _ in self.sel.select():
                if key.data == "accept":
                    self.accept()
                elif key.data == "database":
                    self.from_database()
                elif key.fileobj in self.desktops:
                    self.from_desktop(key.fileobj)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--dsn", required=True, help="libpq connection string of the gateway's role")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765)
    args = p.parse_args()
    try:
        Gateway(args).run()
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
