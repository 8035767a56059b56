-- Feeds from other systems: their own taxonomies kept and mapped to Signpost's categories, the
-- feeds Signpost pulls, and where each service comes from.
-- Portable SQL: runs unchanged on SQLite and PostgreSQL. No personal data: feeds' services are
-- public directory data (in the existing tables), and who changed a mapping is in the audit log.

-- Provenance: 'Brackenshire' for listings made here (the editor, a file import), else the name of
-- the feed a pull took it from. `source_hash` is the SHA-256 of the record as the feed or file last
-- gave it (an unchanged record is not written again). `local_override` is 1 once staff saved or
-- archived a feed's listing here: pulls then leave it as staff left it (README, "Feeds").
-- `awaiting_mapping` is 1 for a service none of whose categories is one of Signpost's yet (every
-- term is a feed's own, unmapped): it is stored but not public until a mapping or an editor gives
-- it a category.
ALTER TABLE service ADD COLUMN source TEXT NOT NULL DEFAULT 'Brackenshire';
ALTER TABLE service ADD COLUMN source_hash TEXT;
ALTER TABLE service ADD COLUMN local_override BIGINT NOT NULL DEFAULT 0;
ALTER TABLE service ADD COLUMN awaiting_mapping BIGINT NOT NULL DEFAULT 0;
CREATE INDEX service_source ON service (source);

-- A taxonomy term of another system, as its feed gave it (nested `taxonomy_term` or referenced by
-- id). Ids are the feed's own (any text up to 200 characters).
CREATE TABLE foreign_term (
    id TEXT PRIMARY KEY NOT NULL,
    -- the taxonomy's name as the feed gives it (`taxonomy`, or `taxonomy_detail.name`)
    taxonomy TEXT NOT NULL,
    taxonomy_id TEXT,
    name TEXT NOT NULL,
    code TEXT,
    description TEXT,
    parent_id TEXT,
    term_uri TEXT
);

-- Which feed terms a service carries (its ORUK attribute id kept for the API).
CREATE TABLE service_foreign_term (
    service_id TEXT NOT NULL REFERENCES service (id) ON DELETE CASCADE,
    term_id TEXT NOT NULL REFERENCES foreign_term (id),
    attribute_id TEXT NOT NULL,
    position BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (service_id, term_id)
);
CREATE INDEX service_foreign_term_term ON service_foreign_term (term_id);

-- The mapping from feed terms to Signpost's categories: by the term's exact id (kind 'id'), or by
-- its name or code made case- and punctuation-insensitive (kind 'name').
CREATE TABLE taxonomy_mapping (
    kind TEXT NOT NULL CHECK (kind IN ('id', 'name')),
    match_key TEXT NOT NULL,
    category_id TEXT NOT NULL REFERENCES taxonomy_term (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    PRIMARY KEY (kind, match_key)
);

-- A remote ORUK API Signpost pulls (`signpost feeds add NAME URL`), with its last pull.
-- `claimed_until`: the server (or command) pulling it now holds it until then; another takes it
-- only after that instant (so a server that died mid-pull does not hold it for ever).
CREATE TABLE feed (
    name TEXT PRIMARY KEY NOT NULL,
    url TEXT NOT NULL,
    created_at TEXT NOT NULL,
    claimed_until TEXT,
    claimed_by TEXT,
    last_started_at TEXT,
    last_finished_at TEXT,
    -- 'ok' | 'failed'
    last_outcome TEXT,
    last_error TEXT,
    last_ok_at TEXT,
    created_count BIGINT NOT NULL DEFAULT 0,
    updated_count BIGINT NOT NULL DEFAULT 0,
    unchanged_count BIGINT NOT NULL DEFAULT 0,
    waiting_count BIGINT NOT NULL DEFAULT 0,
    archived_count BIGINT NOT NULL DEFAULT 0,
    kept_count BIGINT NOT NULL DEFAULT 0
);
