-- The outbox: every email the service sends is first written here, in the same database
-- transaction as the change it reports, and then delivered by the mail worker
-- (server/src/mail). Portable SQL: runs unchanged on SQLite and PostgreSQL.
--
-- status: pending (waiting for its next attempt) → sending (claimed by a worker until
-- lease_until) → sent | failed (permanent) | in_doubt (a worker claimed it and stopped before
-- recording the result: it is never sent again automatically; see the README).
CREATE TABLE outbox_email (
    id TEXT PRIMARY KEY NOT NULL,
    -- Stable for the row's life, so every attempt carries the same Message-ID header.
    message_id TEXT NOT NULL UNIQUE,
    -- What the email is (e.g. early_help_triage); never personal data.
    kind TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    lease_owner TEXT,
    lease_until TEXT,
    -- The last error's kind, never the SMTP server's full text (it can echo addresses).
    last_error TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT
);

CREATE INDEX outbox_email_due ON outbox_email (status, next_attempt_at);
