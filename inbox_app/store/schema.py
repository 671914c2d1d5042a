"""The schema as versioned SQL. Migration N takes a database from `user_version` N-1 to N;
a shipped migration is never edited, a change is a new one appended to MIGRATIONS.

Tables are STRICT, so a wrong type is an error rather than a silently coerced value. Times are
INTEGER epoch milliseconds UTC; JSON columns hold compact, key-sorted JSON text.
Both FTS indexes are external-content tables kept right by triggers (no REPLACE anywhere:
it would delete rows without firing the delete triggers).
"""

from __future__ import annotations

_V1 = """
CREATE TABLE accounts (
    name     TEXT PRIMARY KEY,
    provider TEXT NOT NULL
) STRICT;

CREATE TABLE channels (
    account   TEXT NOT NULL REFERENCES accounts(name) ON DELETE CASCADE,
    key       TEXT NOT NULL,
    name      TEXT NOT NULL,
    kind      TEXT NOT NULL,
    personal  INTEGER NOT NULL,
    unread    INTEGER NOT NULL,
    total     INTEGER NOT NULL,
    vendor_id TEXT NOT NULL,
    position  INTEGER NOT NULL,
    PRIMARY KEY (account, key)
) STRICT;

-- channel_key is deliberately not a foreign key: a channel that disappears from the vendor's
-- list leaves its threads (and their history) behind.
CREATE TABLE threads (
    id                   INTEGER PRIMARY KEY,
    account              TEXT NOT NULL REFERENCES accounts(name) ON DELETE CASCADE,
    key                  TEXT NOT NULL,
    channel_key          TEXT NOT NULL,
    customer_number      TEXT NOT NULL,
    customer_name        TEXT NOT NULL,
    our_number           TEXT NOT NULL,
    unread               INTEGER NOT NULL,
    status               TEXT NOT NULL CHECK (status IN ('active', 'resolved', 'closed')),
    last_message_at      INTEGER,
    preview              TEXT NOT NULL,
    fingerprint          TEXT NOT NULL,
    messages_fingerprint TEXT,
    customer_account     TEXT NOT NULL,
    do_not_contact       INTEGER NOT NULL,
    opted_out            INTEGER NOT NULL,
    assigned_agent       TEXT NOT NULL,
    vendor_ref           TEXT NOT NULL,
    updated_at           INTEGER NOT NULL,
    -- Every suffix of the customer number's digits, space separated: with a prefix query
    -- this makes any digit run of the number findable ("4155550123" in "+14155550123").
    number_digits        TEXT NOT NULL,
    UNIQUE (account, key)
) STRICT;

-- Thread lists are newest first, filtered by one status (the usual case: the status
-- indexes) or several (history views: the time-only indexes, filtering as they go).
CREATE INDEX threads_by_channel
    ON threads (account, channel_key, status, last_message_at);
CREATE INDEX threads_by_account ON threads (account, status, last_message_at);
CREATE INDEX threads_by_status ON threads (status, last_message_at);
CREATE INDEX threads_by_channel_time ON threads (account, channel_key, last_message_at);
CREATE INDEX threads_by_account_time ON threads (account, last_message_at);
CREATE INDEX threads_stale ON threads (account, last_message_at)
    WHERE messages_fingerprint IS NOT fingerprint;

CREATE TABLE messages (
    id              INTEGER PRIMARY KEY,
    account         TEXT NOT NULL,
    vendor_id       TEXT NOT NULL,
    thread_id       INTEGER NOT NULL REFERENCES threads(id) ON DELETE CASCADE,
    direction       TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    body            TEXT NOT NULL,
    at              INTEGER NOT NULL,
    status          TEXT NOT NULL,
    status_detail   TEXT NOT NULL,
    our_number      TEXT NOT NULL,
    customer_number TEXT NOT NULL,
    attachments     TEXT NOT NULL,
    body_stored     INTEGER NOT NULL,
    UNIQUE (account, vendor_id)
) STRICT;

CREATE INDEX messages_by_thread ON messages (thread_id, at, id);

CREATE TABLE agents (
    account TEXT NOT NULL REFERENCES accounts(name) ON DELETE CASCADE,
    id      TEXT NOT NULL,
    login   TEXT NOT NULL,
    name    TEXT NOT NULL,
    status  TEXT NOT NULL,
    PRIMARY KEY (account, id)
) STRICT;

CREATE TABLE templates (
    account TEXT NOT NULL REFERENCES accounts(name) ON DELETE CASCADE,
    id      TEXT NOT NULL,
    name    TEXT NOT NULL,
    body    TEXT NOT NULL,
    sender  TEXT NOT NULL,
    PRIMARY KEY (account, id)
) STRICT;

CREATE TABLE sender_ids (
    account     TEXT NOT NULL REFERENCES accounts(name) ON DELETE CASCADE,
    code        TEXT NOT NULL,
    description TEXT NOT NULL,
    PRIMARY KEY (account, code)
) STRICT;

CREATE TABLE term_codes (
    account  TEXT NOT NULL REFERENCES accounts(name) ON DELETE CASCADE,
    scope    TEXT NOT NULL,
    id       TEXT NOT NULL,
    name     TEXT NOT NULL,
    category TEXT NOT NULL,
    PRIMARY KEY (account, scope, id)
) STRICT;

CREATE TABLE sync_state (
    account       TEXT NOT NULL REFERENCES accounts(name) ON DELETE CASCADE,
    scope         TEXT NOT NULL,
    cursor        TEXT,
    last_ok_at    INTEGER,
    last_error    TEXT,
    last_error_at INTEGER,
    PRIMARY KEY (account, scope)
) STRICT;

CREATE TABLE outbox (
    id         INTEGER PRIMARY KEY,
    account    TEXT NOT NULL REFERENCES accounts(name) ON DELETE CASCADE,
    thread_key TEXT NOT NULL,
    kind       TEXT NOT NULL,
    payload    TEXT NOT NULL,
    state      TEXT NOT NULL
        CHECK (state IN ('queued', 'in_flight', 'done', 'failed', 'needs_attention')),
    attempts   INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    last_error TEXT,
    result     TEXT,
    undo       TEXT
) STRICT;

CREATE INDEX outbox_open ON outbox (account, thread_key, id)
    WHERE state IN ('queued', 'in_flight', 'needs_attention');

CREATE TABLE drafts (
    account    TEXT NOT NULL REFERENCES accounts(name) ON DELETE CASCADE,
    thread_key TEXT NOT NULL,
    body       TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (account, thread_key)
) STRICT;

CREATE VIRTUAL TABLE messages_fts USING fts5 (
    body,
    content = 'messages',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);

CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts (rowid, body) VALUES (new.id, new.body);
END;

CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', old.id, old.body);
END;

CREATE TRIGGER messages_fts_update AFTER UPDATE OF body ON messages
WHEN old.body IS NOT new.body BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', old.id, old.body);
    INSERT INTO messages_fts (rowid, body) VALUES (new.id, new.body);
END;

CREATE VIRTUAL TABLE contacts_fts USING fts5 (
    customer_name,
    customer_number,
    number_digits,
    customer_account,
    content = 'threads',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);

CREATE TRIGGER contacts_fts_insert AFTER INSERT ON threads BEGIN
    INSERT INTO contacts_fts (rowid, customer_name, customer_number, number_digits,
                              customer_account)
    VALUES (new.id, new.customer_name, new.customer_number, new.number_digits,
            new.customer_account);
END;

CREATE TRIGGER contacts_fts_delete AFTER DELETE ON threads BEGIN
    INSERT INTO contacts_fts (contacts_fts, rowid, customer_name, customer_number,
                              number_digits, customer_account)
    VALUES ('delete', old.id, old.customer_name, old.customer_number, old.number_digits,
            old.customer_account);
END;

CREATE TRIGGER contacts_fts_update
AFTER UPDATE OF customer_name, customer_number, number_digits, customer_account ON threads
WHEN old.customer_name IS NOT new.customer_name
  OR old.customer_number IS NOT new.customer_number
  OR old.number_digits IS NOT new.number_digits
  OR old.customer_account IS NOT new.customer_account
BEGIN
    INSERT INTO contacts_fts (contacts_fts, rowid, customer_name, customer_number,
                              number_digits, customer_account)
    VALUES ('delete', old.id, old.customer_name, old.customer_number, old.number_digits,
            old.customer_account);
    INSERT INTO contacts_fts (rowid, customer_name, customer_number, number_digits,
                              customer_account)
    VALUES (new.id, new.customer_name, new.customer_number, new.number_digits,
            new.customer_account);
END;
"""

_V2 = """
-- The thread list marks each thread with its newest intent, a failed one included until
-- the agent's next action supersedes it, so the lookup needs every state.
CREATE INDEX outbox_thread ON outbox (account, thread_key, id);
"""

_V3 = """
-- Supervisor review lists every account's threads newest first; without an account or
-- status to lead with, this index lets a page stop after its LIMIT instead of sorting
-- every thread (and lets per-thread filters probe only until the page is full).
CREATE INDEX threads_by_time ON threads (last_message_at, id);
"""

_V4 = """
-- Messages waiting in a vendor's schedule (Zoho Voice), replaced whole by each sync pass.
-- A row belongs to the thread of (account, our_number, customer_number); not a foreign
-- key, so a schedule for a customer with no conversation yet waits for one to appear.
CREATE TABLE scheduled_messages (
    account         TEXT NOT NULL REFERENCES accounts(name) ON DELETE CASCADE,
    vendor_id       TEXT NOT NULL,
    our_number      TEXT NOT NULL,
    customer_number TEXT NOT NULL,
    body            TEXT NOT NULL,
    at              INTEGER,
    time_zone       TEXT NOT NULL,
    status          TEXT NOT NULL,
    PRIMARY KEY (account, vendor_id)
) STRICT;

CREATE INDEX scheduled_by_thread
    ON scheduled_messages (account, customer_number, our_number, at);

-- The SMS log view pages an account's messages newest first, across threads, and
-- its "MMS only" filter must not walk every plain SMS to find the few with media.
CREATE INDEX messages_by_account_time ON messages (account, at);
CREATE INDEX messages_with_media ON messages (account, at) WHERE attachments != '[]';
"""

_V5 = """
-- The sidebar's counts per channel and the window title's unread count are read at
-- start-up and after every sync pass: from these, without touching a table row (100,000
-- row lookups took half a second of a cold start).
CREATE INDEX threads_counts ON threads (account, channel_key, status, unread);
CREATE INDEX threads_unread ON threads (status, account, channel_key) WHERE unread;
"""

_V6 = """
-- Search shows the newest matches: a word in nearly every message ranked 2M matches by
-- time to keep 1,000. This copy of the body index is keyed in time order (the message
-- time in ms, shifted left 20 bits, with the low 20 bits of the id), so a match stops
-- after its LIMIT, reading the index backwards. Contentless: the text lives in messages.
-- Two messages share a key only in the same millisecond with ids 2^20 apart; the lookup
-- back (`messages_by_time`) then yields both, and a search shows both. A prefix query
-- merges every match before the first is read ("hello"* took 200 ms of 2M matches) unless
-- a prefix index of its length exists: up to 8 letters, for 85% more index.
CREATE VIRTUAL TABLE messages_fts_by_time USING fts5 (
    body,
    content = '',
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3 4 5 6 7 8'
);

INSERT INTO messages_fts_by_time (rowid, body)
    SELECT (at << 20) | (id & 1048575), body FROM messages;

CREATE INDEX messages_by_time ON messages (at);

CREATE TRIGGER messages_fts_by_time_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts_by_time (rowid, body)
        VALUES ((new.at << 20) | (new.id & 1048575), new.body);
END;

CREATE TRIGGER messages_fts_by_time_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts_by_time (messages_fts_by_time, rowid, body)
        VALUES ('delete', (old.at << 20) | (old.id & 1048575), old.body);
END;

CREATE TRIGGER messages_fts_by_time_update AFTER UPDATE OF body, at ON messages
WHEN old.body IS NOT new.body OR old.at IS NOT new.at BEGIN
    INSERT INTO messages_fts_by_time (messages_fts_by_time, rowid, body)
        VALUES ('delete', (old.at << 20) | (old.id & 1048575), old.body);
    INSERT INTO messages_fts_by_time (rowid, body)
        VALUES ((new.at << 20) | (new.id & 1048575), new.body);
END;
"""

_V7 = """
-- The sidebar's counts and the window title's unread count, kept as threads change: read
-- at start-up and after every sync pass, the covering index of version 5 still had to be
-- walked entry by entry (15 ms at 100,000 threads, on the window's thread). A row whose
-- total fell to 0 stays, and readers skip it.
CREATE TABLE thread_counts (
    account     TEXT NOT NULL,
    channel_key TEXT NOT NULL,
    status      TEXT NOT NULL,
    total       INTEGER NOT NULL,
    unread      INTEGER NOT NULL,
    PRIMARY KEY (account, channel_key, status)
) STRICT, WITHOUT ROWID;

INSERT INTO thread_counts
    SELECT account, channel_key, status, count(*), count(*) FILTER (WHERE unread)
    FROM threads GROUP BY account, channel_key, status;

CREATE TRIGGER thread_counts_insert AFTER INSERT ON threads BEGIN
    INSERT INTO thread_counts VALUES (new.account, new.channel_key, new.status, 1, new.unread != 0)
        ON CONFLICT DO UPDATE SET total = total + 1, unread = unread + excluded.unread;
END;

CREATE TRIGGER thread_counts_delete AFTER DELETE ON threads BEGIN
    UPDATE thread_counts SET total = total - 1, unread = unread - (old.unread != 0)
        WHERE account = old.account AND channel_key = old.channel_key AND status = old.status;
END;

CREATE TRIGGER thread_counts_update AFTER UPDATE OF account, channel_key, status, unread ON threads
WHEN old.account IS NOT new.account OR old.channel_key IS NOT new.channel_key
  OR old.status IS NOT new.status OR (old.unread != 0) IS NOT (new.unread != 0)
BEGIN
    UPDATE thread_counts SET total = total - 1, unread = unread - (old.unread != 0)
        WHERE account = old.account AND channel_key = old.channel_key AND status = old.status;
    INSERT INTO thread_counts VALUES (new.account, new.channel_key, new.status, 1, new.unread != 0)
        ON CONFLICT DO UPDATE SET total = total + 1, unread = unread + excluded.unread;
END;
"""

_V8 = """
-- Storing a message into the time-ordered search index (version 6) cost half of storing
-- it: its rowids are far apart, so its doclists are large, and a few thousand messages a
-- transaction leave many segments to merge. Messages past `indexed_through` are left out
-- of it, and search reads them from messages_fts instead; time_index.py adds them in
-- bulk once no sync pass is running (one 20,000-message insert costs half as much as the
-- same messages one by one). A message at or below the mark is indexed at once, so an id
-- reused after the newest message was deleted is not missed.
CREATE TABLE time_index_state (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    indexed_through INTEGER NOT NULL
) STRICT;

INSERT INTO time_index_state VALUES (1, (SELECT coalesce(max(id), 0) FROM messages));

DROP TRIGGER messages_fts_by_time_insert;
DROP TRIGGER messages_fts_by_time_delete;
DROP TRIGGER messages_fts_by_time_update;

CREATE TRIGGER messages_fts_by_time_insert AFTER INSERT ON messages
WHEN new.id <= (SELECT indexed_through FROM time_index_state) BEGIN
    INSERT INTO messages_fts_by_time (rowid, body)
        VALUES ((new.at << 20) | (new.id & 1048575), new.body);
END;

CREATE TRIGGER messages_fts_by_time_delete AFTER DELETE ON messages
WHEN old.id <= (SELECT indexed_through FROM time_index_state) BEGIN
    INSERT INTO messages_fts_by_time (messages_fts_by_time, rowid, body)
        VALUES ('delete', (old.at << 20) | (old.id & 1048575), old.body);
END;

CREATE TRIGGER messages_fts_by_time_update AFTER UPDATE OF body, at ON messages
WHEN (old.body IS NOT new.body OR old.at IS NOT new.at)
  AND old.id <= (SELECT indexed_through FROM time_index_state) BEGIN
    INSERT INTO messages_fts_by_time (messages_fts_by_time, rowid, body)
        VALUES ('delete', (old.at << 20) | (old.id & 1048575), old.body);
    INSERT INTO messages_fts_by_time (rowid, body)
        VALUES ((new.at << 20) | (new.id & 1048575), new.body);
END;
"""

_V9 = """
-- A search on a cache the OS has not read lately (after a reboot, or a machine that keeps
-- little in its file cache) spent most of its time reading table pages one by one: a
-- message's thread for each of the newest 1,000 hits (240 ms for "outage technician"),
-- a thread's last message time for each matching contact (700 ms for "415", every
-- thread's number). These narrow indexes answer both without the tables: 97 and 113 ms.
CREATE INDEX messages_by_time_thread ON messages (at, thread_id);
DROP INDEX messages_by_time;
CREATE INDEX threads_time_by_id ON threads (id, last_message_at);
"""

_V10 = """
-- A search listed the threads of the newest 1,000 matching messages: a few long threads
-- could fill those, and finding each message's thread read a page of `messages_by_time_thread`
-- per match (70 ms of a cold search). The time-ordered index is rebuilt under keys that hold
-- the thread: the time in seconds (32 bits, up to 2106) shifted left 31 bits, the thread
-- id's low 20 bits shifted left 11, and the message id's low 11 bits, so search reads the
-- threads of its matches from the keys alone and goes on until it has enough threads
-- (see time_index.py; a cache of over 2^20 threads resolves keys through
-- `messages_by_thread`). Keys collide only within one thread and second, for ids 2,048
-- apart; the thread is right either way. No column sizes: nothing ranks by them. The
-- mark goes back to 0, so search reads every message through messages_fts until the
-- engine has indexed them again.
DROP TRIGGER messages_fts_by_time_insert;
DROP TRIGGER messages_fts_by_time_delete;
DROP TRIGGER messages_fts_by_time_update;
DROP TABLE messages_fts_by_time;
DROP INDEX messages_by_time_thread;

CREATE VIRTUAL TABLE messages_fts_by_time USING fts5 (
    body,
    content = '',
    columnsize = 0,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3 4 5 6 7 8'
);

UPDATE time_index_state SET indexed_through = 0;

CREATE TRIGGER messages_fts_by_time_insert AFTER INSERT ON messages
WHEN new.id <= (SELECT indexed_through FROM time_index_state) BEGIN
    INSERT INTO messages_fts_by_time (rowid, body) VALUES (
        (max(0, min(new.at / 1000, 4294967295)) << 31)
            | ((new.thread_id & 1048575) << 11) | (new.id & 2047),
        new.body);
END;

CREATE TRIGGER messages_fts_by_time_delete AFTER DELETE ON messages
WHEN old.id <= (SELECT indexed_through FROM time_index_state) BEGIN
    INSERT INTO messages_fts_by_time (messages_fts_by_time, rowid, body) VALUES ('delete',
        (max(0, min(old.at / 1000, 4294967295)) << 31)
            | ((old.thread_id & 1048575) << 11) | (old.id & 2047),
        old.body);
END;

CREATE TRIGGER messages_fts_by_time_update AFTER UPDATE OF body, at, thread_id ON messages
WHEN (old.body IS NOT new.body OR old.at IS NOT new.at OR old.thread_id IS NOT new.thread_id)
  AND old.id <= (SELECT indexed_through FROM time_index_state) BEGIN
    INSERT INTO messages_fts_by_time (messages_fts_by_time, rowid, body) VALUES ('delete',
        (max(0, min(old.at / 1000, 4294967295)) << 31)
            | ((old.thread_id & 1048575) << 11) | (old.id & 2047),
        old.body);
    INSERT INTO messages_fts_by_time (rowid, body) VALUES (
        (max(0, min(new.at / 1000, 4294967295)) << 31)
            | ((new.thread_id & 1048575) << 11) | (new.id & 2047),
        new.body);
END;

-- A searched list orders its candidate threads and applies its filters through this
-- index, then reads only the rows of the page it shows (a cold list read up to 1,000
-- thread rows to show 100).
DROP INDEX threads_time_by_id;
CREATE INDEX threads_scope_by_id
    ON threads (id, last_message_at, status, account, channel_key, unread);
"""

MIGRATIONS: tuple[str, ...] = (_V1, _V2, _V3, _V4, _V5, _V6, _V7, _V8, _V9, _V10)
"""MIGRATIONS[i] brings the database to user_version i + 1."""

LATEST_VERSION = len(MIGRATIONS)
