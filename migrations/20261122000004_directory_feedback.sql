-- What the public tells the directory team, and what the directory's search is asked.
--
-- listing_report: "Report a problem with this listing". The free text may contain anything a
-- visitor typed, so it stays here (staff read it behind sign-in); the email to the directory team
-- carries the reference, the listing's name and the kind of problem only.
CREATE TABLE listing_report (
    id TEXT PRIMARY KEY NOT NULL,
    reference TEXT NOT NULL UNIQUE,
    service_id TEXT NOT NULL,
    problem TEXT NOT NULL,
    details TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'new',
    created_at TEXT NOT NULL
);
CREATE INDEX listing_report_status ON listing_report (status, created_at);

-- search_event: anonymous search analytics for the gap report. The words searched for (as
-- parsed: at most 200 characters), the filters, the postcode's outward code only (never the whole
-- postcode), how many services matched and when. No IP address, cookie or other identifier.
CREATE TABLE search_event (
    id TEXT PRIMARY KEY NOT NULL,
    searched_at TEXT NOT NULL,
    query TEXT NOT NULL,
    filters TEXT NOT NULL,
    outcode TEXT,
    result_count BIGINT NOT NULL
);
CREATE INDEX search_event_searched_at ON search_event (searched_at);
CREATE INDEX search_event_zero ON search_event (result_count, outcode);
