-- Many servers on one database (issue #17). Portable SQL: runs unchanged on SQLite and PostgreSQL.
--
-- The directory's change feed (server/src/search/sync.rs). Every directory write appends the
-- services it touched (or a 'synonyms' row) in its own transaction, under a change number taken
-- from directory_feed.last_seq. Numbers only go up, in commit order: on PostgreSQL a writing
-- transaction holds directory_feed's one row from its first change until it commits (one number
-- per transaction), on SQLite writers are serialised anyway (one number per change). Every server
-- follows the feed with its own cursor, kept with its search index; nothing here is deleted by a
-- follower. Rows older than the feed's retention (7 days) are pruned, and pruned_through says up
-- to where: a server whose cursor is below it rebuilds its index from the database.
-- No personal data: service ids and times only.
CREATE TABLE directory_change (
    seq BIGINT NOT NULL,
    -- 'service' (service_id set) or 'synonyms' (service_id NULL).
    kind TEXT NOT NULL,
    service_id TEXT,
    changed_at TEXT NOT NULL
);
CREATE INDEX directory_change_seq ON directory_change (seq);

CREATE TABLE directory_feed (
    id BIGINT PRIMARY KEY NOT NULL,
    -- The last change number given out.
    last_seq BIGINT NOT NULL,
    -- Every change up to this number has been pruned.
    pruned_through BIGINT NOT NULL,
    -- Identifies this database's feed (set at first use): an index that followed another
    -- database's feed (a restore into a fresh server, a changed DATABASE_URL) is rebuilt.
    feed_id TEXT NOT NULL,
    -- PostgreSQL: the transaction (pg_current_xact_id) that took last_seq, so that one
    -- transaction takes one number however many services it touches.
    taken_by TEXT NOT NULL
);
INSERT INTO directory_feed (id, last_seq, pruned_through, feed_id, taken_by) VALUES (1, 0, 0, '', '');

-- Leases (server/src/lease.rs): a named job runs on one server at a time. A holder renews its
-- lease before it runs out; a lease that ran out (its server died) is taken by the next server
-- that asks. No personal data: job names, server ids (host name, process id, a random suffix)
-- and times.
CREATE TABLE lease (
    name TEXT PRIMARY KEY NOT NULL,
    holder TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    acquired_at TEXT NOT NULL
);

-- The outbox's claim in two steps (server/src/mail): a worker claims a row ('sending', with
-- lease_until), then sets handed_at just before it hands the message to the SMTP server, and
-- only if its claim still holds. A claim that ran out without handed_at was never handed over:
-- the row goes back to 'pending' and another worker sends it. With handed_at it is in doubt.
ALTER TABLE outbox_email ADD COLUMN handed_at TEXT;
