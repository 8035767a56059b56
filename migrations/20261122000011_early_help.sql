-- Early Help requests for support and the drafts of forms in progress (server/src/early_help).
-- Portable SQL: runs unchanged on SQLite and PostgreSQL.

-- A form being filled in. The browser holds a random token in an HttpOnly cookie; only its
-- SHA-256 is stored. The answers are JSON. A save-and-return link carries a second random
-- token, also stored hashed, with its own expiry.
CREATE TABLE form_draft (
    id TEXT PRIMARY KEY NOT NULL,
    form TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    answers TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    resume_token_hash TEXT UNIQUE,
    resume_expires_at TEXT,
    -- Set once, in the transaction that stores the request: a second submit finds it set.
    submitted_reference TEXT
);

CREATE INDEX form_draft_expires ON form_draft (expires_at);

-- A submitted request for support. The answers are kept as submitted (JSON); the columns beside
-- them are what the Hub's triage needs without reading personal data.
CREATE TABLE early_help_request (
    id TEXT PRIMARY KEY NOT NULL,
    reference TEXT NOT NULL UNIQUE,
    draft_id TEXT NOT NULL UNIQUE,
    requester_type TEXT NOT NULL,
    outcode TEXT,
    urgency_flags TEXT NOT NULL,
    answers TEXT NOT NULL,
    received_at TEXT NOT NULL
);
