#!/usr/bin/env python3
"""A minimal agent desktop for omnichannel (docs/agent-events.md).

It connects as the agent's own database role (omni.agent.db_role), logs in,
LISTENs on omni_agent_<agent_id>, accepts its offers, shows the customer's
messages (read through row-level security, as that role), answers them, and
ends and closes a conversation when the customer says goodbye.

Notifications carry kinds and ids only; everything else is read from the
tables the role may see.  On start, and whenever nothing arrived for
--resync seconds, it re-reads its pending offers and conversations, so it
also copes with events sent before it LISTENed or while it was disconnected.

    python3 examples/agent_desktop.py --dsn "dbname=omni user=ann" --conversations 2

Needs psycopg2 (Debian: python3-psycopg2).  psycopg2 returns bigint columns
as Python int, and json.loads turns the payload's ids into int: no precision
is lost (node-postgres differs: see docs/agent-events.md).
"""

import argparse
import json
import select
import sys
import time

import psycopg2
from psycopg2 import sql

# Events come from others only: what this desktop does as the agent's role is
# not echoed (docs/agent-events.md), so these mean someone else (a supervisor,
# an admin, the system) did it.
# The conversation is over for this desktop (it is no longer the agent's to work on).
GONE = {"conversation_transferred_out", "conversation_requeued", "conversation_closed",
        "conversation_force_closed"}
# The conversation is now the agent's: show it.
MINE = {"offer_accepted", "conversation_assigned", "conversation_transferred_in", "conversation_resumed"}


class Desktop:
    def __init__(self, args):
        self.args = args
        self.conn = psycopg2.connect(args.dsn)
        self.conn.autocommit = True     # every call commits at once; notifications arrive at commit
        self.agent_id = self.one("SELECT omni.current_agent_id()")
        if self.agent_id is None:
            sys.exit("this role is not an agent's db_role (omni.agent.db_role)")
        self.seen = {}                  # conversation id -> last message id shown
        self.done = set()               # conversations closed: later events about them are stale
        self.closed = 0

    def one(self, query, *params):
        with self.conn.cursor() as cur:
            cur.execute(query, params)
            row = cur.fetchone()
            return row[0] if row else None

    def rows(self, query, *params):
        with self.conn.cursor() as cur:
            cur.execute(query, params)
            return cur.fetchall()

    def say(self, text):
        print(text, flush=True)

    # -- actions -------------------------------------------------------------

    def login(self):
        presence = self.one("SELECT omni.login(%s)", self.agent_id)
        # LISTEN before reading the state, so nothing falls between the two.
        with self.conn.cursor() as cur:
            cur.execute(sql.SQL("LISTEN {}").format(sql.Identifier("omni_agent_%d" % self.agent_id)))
        self.say("agent %d logged in (%s), listening on omni_agent_%d" % (self.agent_id, presence, self.agent_id))

    def accept(self, offer_id):
        try:
            conv = self.one("SELECT omni.accept(%s)", offer_id)
        except psycopg2.Error as e:     # rescinded or expired meanwhile: the event follows
            self.say("offer %d not accepted: %s" % (offer_id, e.diag.message_primary))
            return
        self.say("accepted offer %d: conversation %d" % (offer_id, conv))
        self.show(conv)

    def show(self, conv):
        """Print the conversation's messages not shown yet; answer the customer's."""
        if conv in self.done:
            return
        last = self.seen.setdefault(conv, 0)
        for mid, sender, body in self.rows(
                "SELECT id, sender::text, body FROM omni.message"
                " WHERE conversation_id = %s AND id > %s ORDER BY id", conv, last):
            self.seen[conv] = mid
            self.say("[conversation %d] %s: %s" % (conv, sender, body))
            if sender == "customer":
                self.answer(conv, body)
                if conv not in self.seen:   # finished
                    return

    def answer(self, conv, body):
        state = self.one("SELECT state::text FROM omni.conversation WHERE id = %s", conv)
        if state != "active":
            return
        if self.args.goodbye in body.lower():
            self.post(conv, "Thank you for contacting us. Goodbye!")
            self.finish(conv)
        else:
            self.post(conv, self.args.reply)

    def post(self, conv, text):
        mid = self.one("SELECT omni.post_message(%s, 'agent', %s, %s)", conv, text, self.agent_id)
        self.seen[conv] = max(self.seen.get(conv, 0), mid)
        self.say("[conversation %d] agent: %s" % (conv, text))

    def finish(self, conv):
        """End (to wrap-up) if active, then close."""
        if self.one("SELECT state::text FROM omni.conversation WHERE id = %s", conv) == "active":
            self.one("SELECT omni.end_conversation(%s)", conv)
            self.say("[conversation %d] ended" % conv)
        self.one("SELECT omni.close_conversation(%s)", conv)
        self.say("[conversation %d] closed" % conv)
        self.seen.pop(conv, None)
        self.done.add(conv)
        self.closed += 1

    # -- events --------------------------------------------------------------

    def resync(self):
        """Catch up from the tables: pending offers, conversations held."""
        for (offer_id,) in self.rows("SELECT id FROM omni.offer WHERE agent_id = %s AND state = 'pending'"
                                     " ORDER BY id", self.agent_id):
            self.accept(offer_id)
        for conv, state in self.rows("SELECT id, state::text FROM omni.conversation"
                                     " WHERE agent_id = %s AND state <> 'closed' ORDER BY id", self.agent_id):
            if state == "wrap_up":
                self.finish(conv)
            else:
                self.show(conv)

    def handle(self, payload):
        ev = json.loads(payload)       # {"kind": ..., "agent_id": ..., ids}: ints in Python
        kind = ev["kind"]
        conv = ev.get("conversation_id")
        self.say("event %s %s" % (kind, json.dumps({k: v for k, v in sorted(ev.items()) if k != "kind"})))
        if kind == "offer_made":
            self.accept(ev["offer_id"])
        elif kind in MINE or kind == "customer_message":
            self.show(conv)
        elif kind == "customer_left" and conv not in self.done:   # the customer left: close
            self.finish(conv)
        elif kind in GONE:                 # may come back (transfer, requeue): show it afresh then
            self.seen.pop(conv, None)
            if kind in ("conversation_closed", "conversation_force_closed"):
                self.done.add(conv)
        elif kind == "logged_out":         # by a supervisor or an admin
            return False
        return True

    def run(self):
        self.login()
        self.resync()
        deadline = time.monotonic() + self.args.timeout
        while self.closed < self.args.conversations:
            left = deadline - time.monotonic()
            if left <= 0:
                self.say("timeout after %d s with %d conversation(s) closed" % (self.args.timeout, self.closed))
                return 1
            # psycopg2 also collects notifications that arrive while a query of
            # ours runs: handle those before waiting on the socket.
            if not self.conn.notifies:
                if select.select([self.conn], [], [], min(left, self.args.resync)) == ([], [], []):
                    self.resync()
                    continue
                self.conn.poll()
            while self.conn.notifies:
                if not self.handle(self.conn.notifies.pop(0).payload):
                    self.say("logged out by someone else")
                    return 1
        self.one("SELECT omni.logout(%s)", self.agent_id)
        self.say("agent %d logged out after %d conversation(s)" % (self.agent_id, self.closed))
        return 0


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dsn", default="", help="libpq connection string, as the agent's db_role")
    p.add_argument("--conversations", type=int, default=1, help="close this many conversations, then log out")
    p.add_argument("--timeout", type=float, default=60, help="give up after this many seconds")
    p.add_argument("--resync", type=float, default=30,
                   help="re-read offers and conversations after this many quiet seconds")
    p.add_argument("--reply", default="Let me check that for you.", help="answer to a customer message")
    p.add_argument("--goodbye", default="bye", help="a customer message containing this ends the conversation")
    sys.exit(Desktop(p.parse_args()).run())


if __name__ == "__main__":
    main()
