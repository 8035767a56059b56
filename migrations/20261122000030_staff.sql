-- The staff portal (server/src/staff): accounts with a second factor, server-side sessions,
-- the audit log and the triage queue. Portable SQL: runs unchanged on SQLite and PostgreSQL.
-- Instants compared in code (sessions, lockout) are Unix seconds (BIGINT); instants shown to
-- people are RFC 3339 UTC text like the other tables.

-- role: hub | carers | directory | admin (server/src/staff/roles.rs).
-- password_hash: argon2id in the PHC string format. totp_secret: base32, NULL until the
-- account has enrolled an authenticator app; totp_last_step stops a code being used twice.
CREATE TABLE staff_user (
    id TEXT PRIMARY KEY NOT NULL,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    totp_secret TEXT,
    totp_last_step BIGINT,
    -- 1: may sign in; 0: disabled (its sessions end).
    active BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- One-use recovery codes, stored as SHA-256 (they are long random strings).
CREATE TABLE staff_recovery_code (
    user_id TEXT NOT NULL REFERENCES staff_user (id),
    code_hash TEXT NOT NULL,
    used_at TEXT,
    PRIMARY KEY (user_id, code_hash)
);

-- Failed sign-ins by the email address typed (whether or not an account has it, so a lockout
-- says nothing about which addresses exist).
CREATE TABLE staff_login_throttle (
    email TEXT PRIMARY KEY NOT NULL,
    failures BIGINT NOT NULL,
    locked_until BIGINT NOT NULL
);

-- Server-side sessions. The browser holds a random id in an HttpOnly cookie; only its SHA-256
-- is stored. stage: password (second factor still to give) | enrol (authenticator app still to
-- set up) | full.
CREATE TABLE staff_session (
    id_hash TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES staff_user (id),
    stage TEXT NOT NULL,
    csrf_token TEXT NOT NULL,
    pending_totp_secret TEXT,
    created_unix BIGINT NOT NULL,
    last_seen_unix BIGINT NOT NULL
);

CREATE INDEX staff_session_user ON staff_session (user_id);

-- Who did what, when, from where. subject names the thing (e.g. early_help:<id>,
-- user:<id>); detail never holds a family's personal data.
CREATE TABLE audit_event (
    id TEXT PRIMARY KEY NOT NULL,
    at TEXT NOT NULL,
    actor_id TEXT,
    actor_email TEXT,
    action TEXT NOT NULL,
    subject TEXT,
    reference TEXT,
    detail TEXT,
    ip TEXT
);

CREATE INDEX audit_event_at ON audit_event (at);

-- The triage queue: one row per thing to triage, whatever its kind (early_help now; the carers'
-- referrals add their own kind). id is the id of the request in its own table.
-- status: new | in_triage | decided | closed.
-- outcome: signpost | targeted | step_up | more_info | nfa (server/src/staff/triage.rs).
CREATE TABLE triage_case (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    reference TEXT NOT NULL UNIQUE,
    received_at TEXT NOT NULL,
    outcode TEXT,
    urgency_flags TEXT NOT NULL,
    status TEXT NOT NULL,
    assignee_id TEXT REFERENCES staff_user (id),
    outcome TEXT,
    outcome_detail TEXT,
    level_of_need TEXT,
    decision_reason TEXT,
    decided_at TEXT,
    decided_by TEXT REFERENCES staff_user (id),
    -- The random token of the status link in the acknowledgement email, hashed.
    status_token_hash TEXT UNIQUE,
    closed_at TEXT,
    -- When the retention worker deleted the request's personal data (the row stays for the
    -- figures: dates and outcome only).
    purged_at TEXT,
    updated_at TEXT NOT NULL
);

CREATE INDEX triage_case_queue ON triage_case (kind, status, received_at);

-- The case's history (shown to staff; the family's timeline is derived from the case).
CREATE TABLE triage_event (
    id TEXT PRIMARY KEY NOT NULL,
    case_id TEXT NOT NULL REFERENCES triage_case (id),
    at TEXT NOT NULL,
    actor_id TEXT REFERENCES staff_user (id),
    kind TEXT NOT NULL,
    detail TEXT
);

CREATE INDEX triage_event_case ON triage_event (case_id, at);

-- The directory services a "signpost" decision sent the family.
CREATE TABLE triage_signpost (
    case_id TEXT NOT NULL REFERENCES triage_case (id),
    service_id TEXT NOT NULL,
    position BIGINT NOT NULL,
    PRIMARY KEY (case_id, service_id)
);

-- Requests that arrived before this migration join the queue as new.
INSERT INTO triage_case (id, kind, reference, received_at, outcode, urgency_flags, status,
    updated_at)
SELECT id, 'early_help', reference, received_at, outcode, urgency_flags, 'new', received_at
FROM early_help_request;

INSERT INTO triage_event (id, case_id, at, kind)
SELECT 'received-' || id, id, received_at, 'received' FROM early_help_request;
