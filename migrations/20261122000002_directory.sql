-- The directory: Open Referral UK 3.0 entities (UK profile) plus the fields Signpost needs.
--
-- Portable SQL for sqlx's Any driver on SQLite and PostgreSQL alike:
--   * ids are TEXT holding lower-case hyphenated UUIDs;
--   * dates and timestamps are TEXT (ISO 8601 dates, RFC 3339 UTC timestamps);
--   * integers are BIGINT and yes/no flags are BIGINT 0/1 (the Any driver cannot read SQLite
--     BOOLEAN, DATE or TIMESTAMP columns);
--   * coordinates are DOUBLE PRECISION; money is BIGINT pence.
-- Child rows belong to their parent and go with it (ON DELETE CASCADE).

CREATE TABLE taxonomy (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    uri TEXT,
    version TEXT
);

CREATE TABLE taxonomy_term (
    id TEXT PRIMARY KEY NOT NULL,
    taxonomy_id TEXT NOT NULL REFERENCES taxonomy (id) ON DELETE CASCADE,
    parent_id TEXT REFERENCES taxonomy_term (id) ON DELETE CASCADE,
    -- our stable code, e.g. 'young-carers.groups-and-clubs' (ORUK `term`)
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    term_uri TEXT,
    position BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX taxonomy_term_parent ON taxonomy_term (parent_id);

CREATE TABLE organization (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    email TEXT,
    website TEXT,
    phone TEXT,
    charity_number TEXT,
    last_modified TEXT NOT NULL
);

CREATE TABLE service (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organization (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    summary TEXT NOT NULL,
    description TEXT NOT NULL,
    url TEXT,
    email TEXT,
    -- active | temporarily_closed | archived (ORUK: active | temporarily closed | inactive)
    status TEXT NOT NULL CHECK (status IN ('active', 'temporarily_closed', 'archived')),
    minimum_age BIGINT CHECK (minimum_age BETWEEN 0 AND 25),
    maximum_age BIGINT CHECK (maximum_age BETWEEN 0 AND 25),
    eligibility TEXT,
    -- self | professional | drop_in
    referral_route TEXT NOT NULL CHECK (referral_route IN ('self', 'professional', 'drop_in')),
    delivery_in_person BIGINT NOT NULL DEFAULT 0,
    delivery_online BIGINT NOT NULL DEFAULT 0,
    delivery_telephone BIGINT NOT NULL DEFAULT 0,
    -- SEND Local Offer answers as a JSON object (question key -> answer), or NULL
    send_local_offer TEXT,
    last_reviewed TEXT NOT NULL,
    last_modified TEXT NOT NULL,
    CHECK (minimum_age IS NULL OR maximum_age IS NULL OR minimum_age <= maximum_age)
);
CREATE INDEX service_organization ON service (organization_id);
CREATE INDEX service_status ON service (status);

CREATE TABLE location (
    id TEXT PRIMARY KEY NOT NULL,
    location_type TEXT NOT NULL DEFAULT 'physical',
    name TEXT NOT NULL,
    description TEXT,
    latitude DOUBLE PRECISION,
    longitude DOUBLE PRECISION,
    wheelchair_accessible BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE address (
    id TEXT PRIMARY KEY NOT NULL,
    location_id TEXT NOT NULL REFERENCES location (id) ON DELETE CASCADE,
    address_1 TEXT NOT NULL,
    address_2 TEXT,
    city TEXT NOT NULL,
    state_province TEXT NOT NULL,
    postal_code TEXT NOT NULL,
    country TEXT NOT NULL DEFAULT 'GB',
    address_type TEXT NOT NULL DEFAULT 'physical'
);
CREATE INDEX address_location ON address (location_id);
CREATE INDEX address_postal_code ON address (postal_code);

CREATE TABLE accessibility (
    id TEXT PRIMARY KEY NOT NULL,
    location_id TEXT NOT NULL REFERENCES location (id) ON DELETE CASCADE,
    description TEXT NOT NULL,
    details TEXT,
    position BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX accessibility_location ON accessibility (location_id);

CREATE TABLE service_at_location (
    id TEXT PRIMARY KEY NOT NULL,
    service_id TEXT NOT NULL REFERENCES service (id) ON DELETE CASCADE,
    location_id TEXT NOT NULL REFERENCES location (id) ON DELETE CASCADE
);
CREATE INDEX service_at_location_service ON service_at_location (service_id);
CREATE INDEX service_at_location_location ON service_at_location (location_id);

CREATE TABLE contact (
    id TEXT PRIMARY KEY NOT NULL,
    service_id TEXT NOT NULL REFERENCES service (id) ON DELETE CASCADE,
    name TEXT,
    title TEXT,
    email TEXT,
    position BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX contact_service ON contact (service_id);

CREATE TABLE phone (
    id TEXT PRIMARY KEY NOT NULL,
    contact_id TEXT NOT NULL REFERENCES contact (id) ON DELETE CASCADE,
    number TEXT NOT NULL,
    description TEXT,
    position BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX phone_contact ON phone (contact_id);

CREATE TABLE schedule (
    id TEXT PRIMARY KEY NOT NULL,
    service_id TEXT NOT NULL REFERENCES service (id) ON DELETE CASCADE,
    freq TEXT NOT NULL CHECK (freq IN ('WEEKLY', 'MONTHLY')),
    byday TEXT NOT NULL,
    opens_at TEXT NOT NULL,
    closes_at TEXT NOT NULL,
    -- ours: all_year | term_time | school_holidays
    season TEXT NOT NULL CHECK (season IN ('all_year', 'term_time', 'school_holidays')),
    valid_from TEXT,
    valid_to TEXT,
    description TEXT,
    position BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX schedule_service ON schedule (service_id);

CREATE TABLE cost_option (
    id TEXT PRIMARY KEY NOT NULL,
    service_id TEXT NOT NULL REFERENCES service (id) ON DELETE CASCADE,
    option TEXT,
    -- NULL or 0 means free
    amount_pence BIGINT CHECK (amount_pence IS NULL OR amount_pence >= 0),
    -- session | hour | day | week | course
    per TEXT,
    amount_description TEXT,
    position BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX cost_option_service ON cost_option (service_id);

CREATE TABLE language (
    id TEXT PRIMARY KEY NOT NULL,
    service_id TEXT NOT NULL REFERENCES service (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    code TEXT,
    position BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX language_service ON language (service_id);

CREATE TABLE service_area (
    id TEXT PRIMARY KEY NOT NULL,
    service_id TEXT NOT NULL REFERENCES service (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    extent TEXT,
    extent_type TEXT,
    uri TEXT
);
CREATE INDEX service_area_service ON service_area (service_id);

-- A service's categories (ORUK attribute linking a service to a taxonomy term).
CREATE TABLE attribute (
    id TEXT PRIMARY KEY NOT NULL,
    link_id TEXT NOT NULL REFERENCES service (id) ON DELETE CASCADE,
    link_type TEXT NOT NULL DEFAULT 'service',
    taxonomy_term_id TEXT NOT NULL REFERENCES taxonomy_term (id),
    position BIGINT NOT NULL DEFAULT 0,
    UNIQUE (link_id, taxonomy_term_id)
);
CREATE INDEX attribute_term ON attribute (taxonomy_term_id);

-- Postcode centroids (ONS Postcode Directory format on import), for distances.
CREATE TABLE postcode (
    postcode TEXT PRIMARY KEY NOT NULL,
    outcode TEXT NOT NULL,
    latitude DOUBLE PRECISION NOT NULL,
    longitude DOUBLE PRECISION NOT NULL
);
CREATE INDEX postcode_outcode ON postcode (outcode);
