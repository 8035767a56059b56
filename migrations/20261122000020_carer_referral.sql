-- Carers who finished a self-assessment and asked the carers' team or the young carers service
-- to contact them (server/src/carers). Portable SQL: runs unchanged on SQLite and PostgreSQL.
--
-- The answers are kept as the carer gave them (JSON). The columns beside them are what the
-- team's list needs without reading personal data: which form, the status (new → the staff
-- portal moves it on), whether it is urgent and the fixed-phrase reasons why.
CREATE TABLE carer_referral (
    id TEXT PRIMARY KEY NOT NULL,
    reference TEXT NOT NULL UNIQUE,
    -- carer-self-assessment or young-carer-self-assessment
    form TEXT NOT NULL,
    -- One referral per finished self-assessment: a second click finds it.
    draft_id TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL DEFAULT 'new',
    -- 1: a safeguarding answer, or a carer who cannot carry on caring now.
    urgent BIGINT NOT NULL DEFAULT 0,
    urgency_flags TEXT NOT NULL,
    outcode TEXT,
    answers TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE INDEX carer_referral_queue ON carer_referral (status, urgent, created_at);
