-- Privacy and retention (server/src/retention). Portable SQL: runs unchanged on SQLite and
-- PostgreSQL.

-- The reference an email is about (e.g. EH-7K3Q-9M2P), kept when a sent email's recipient,
-- subject and text are blanked, so the outbox still says which request each email was for.
ALTER TABLE outbox_email ADD COLUMN reference TEXT;

-- When the retention pass first saw an address's failed sign-ins: it forgets the address a day
-- later, once no lock is in force (the table had no time of its own).
ALTER TABLE staff_login_throttle ADD COLUMN first_seen_unix BIGINT;
