-- Rate limits shared by every server (server/src/limit.rs): one row per purpose, visitor and
-- fixed window. subject is an HMAC-SHA256 (under a key all servers share) of the visitor's IPv4
-- address, IPv6 /64 or draft id, never the address itself. A row counts in its own window and,
-- weighted, in the next, so it is deleted once expires_at (window start + two windows) has
-- passed. Times are Unix seconds. Portable SQL: runs unchanged on SQLite and PostgreSQL.
CREATE TABLE rate_limit (
    purpose TEXT NOT NULL,
    subject TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    hits BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (purpose, subject, window_start)
);

CREATE INDEX rate_limit_expires ON rate_limit (expires_at);
