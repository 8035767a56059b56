-- Directory editing's review queue and the carers' "assessed and given information" measure.
-- Portable SQL: runs unchanged on SQLite and PostgreSQL.

-- suggested_change: a provider's suggested new wording for a listing
-- (`/services/{id}/suggest-change`). `proposed` holds the suggested values as JSON, keyed by the
-- editor's field names, so the review queue can show a diff and open the editor with them.
-- The suggester's name, organisation and email are for the directory team to check the change
-- with them; they never go into an email.
CREATE TABLE suggested_change (
    id TEXT PRIMARY KEY NOT NULL,
    reference TEXT NOT NULL UNIQUE,
    service_id TEXT NOT NULL,
    proposed TEXT NOT NULL,
    suggester_name TEXT NOT NULL,
    suggester_organisation TEXT NOT NULL,
    suggester_email TEXT NOT NULL,
    -- new → applied or rejected
    status TEXT NOT NULL DEFAULT 'new',
    created_at TEXT NOT NULL,
    decided_at TEXT,
    decided_by TEXT,
    decision_note TEXT
);
CREATE INDEX suggested_change_status ON suggested_change (status, created_at);

-- "Report a problem" items are resolved from the same queue.
ALTER TABLE listing_report ADD COLUMN resolved_at TEXT;
ALTER TABLE listing_report ADD COLUMN resolved_by TEXT;

-- self_assessment_outcome: one row per finished carer self-assessment, keyed by the draft's random
-- id (the draft itself is purged after 30 days), without any answer or
-- identifier of the carer: which form, the day it was finished and the day (if any) the carer
-- asked to be contacted. Kept when drafts and referrals are deleted, for the KPI.
CREATE TABLE self_assessment_outcome (
    id TEXT PRIMARY KEY NOT NULL,
    form TEXT NOT NULL,
    completed_on TEXT NOT NULL,
    referred_on TEXT
);
CREATE INDEX self_assessment_outcome_completed ON self_assessment_outcome (completed_on);
