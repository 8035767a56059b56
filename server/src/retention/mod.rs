//! Retention in one place: every table of the database, what personal data it holds, how long
//! that is kept and why ([`TABLES`]), and the one background job that applies every rule
//! ([`run_once`], every [`INTERVAL`] on every server: each rule is a conditional update or
//! delete, so servers running it at the same time do no harm).
//!
//! The purges themselves live with the features that own the tables (drafts in `forms`, the
//! outbox in `mail`, requests in `staff::casework::retention`, …); this module sits at the top
//! beside `startup` (it may import `staff`; nothing but `startup` imports it) and only names and
//! runs them. The README's retention table is made from [`TABLES`] ([`readme_table`]; a test
//! fails when the README differs), and an integration test lists the tables of the live schema
//! on SQLite and PostgreSQL and fails for any table [`TABLES`] does not classify, so a new
//! table cannot ship without a rule.

use crate::clock::Clock;
use crate::db::Db;
use crate::settings::RetentionSettings;
use std::time::Duration;

/// How often the job runs.
pub const INTERVAL: Duration = Duration::from_secs(600);

/// A table of the database and what is kept in it.
#[derive(Debug, Clone, Copy)]
pub struct Table {
    pub name: &'static str,
    pub kept: Kept,
}

/// Whether a table holds personal data, and if so its rule.
#[derive(Debug, Clone, Copy)]
pub enum Kept {
    /// No personal data: why not.
    NoPersonalData(&'static str),
    /// Personal data, with its rule.
    Rule(Rule),
}

/// A retention rule: what personal data, how long (from the settings), why, and the job that
/// applies it.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub what: &'static str,
    pub how_long: fn(&RetentionSettings) -> String,
    pub why: &'static str,
    /// The jobs that apply it.
    pub jobs: &'static [Job],
}

/// The jobs [`run_once`] runs, in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Job {
    /// `mail::purge`
    Outbox,
    /// `forms::drafts::purge_expired`
    Drafts,
    /// `staff::casework::retention::close_unanswered`
    UnansweredRequests,
    /// `staff::casework::retention::run_once`
    ClosedRequests,
    /// `staff::session::purge`
    StaffSessions,
    /// `staff::identity::lockout::purge`
    SignInFailures,
    /// `staff::totp::purge_used_recovery_codes`
    RecoveryCodes,
    /// `staff::audit::purge`
    AuditLog,
    /// `directory::retention::purge_feedback`
    Feedback,
    /// `directory::retention::purge_search_log`
    SearchLog,
    /// `limit::purge`
    RateLimits,
    /// Nothing is deleted automatically: the rule says who deletes and when.
    ByHand,
}

/// Every job, in the order [`run_once`] runs them (requests waiting for information are closed
/// before closed requests are purged).
pub const JOBS: &[Job] = &[
    Job::Outbox,
    Job::Drafts,
    Job::UnansweredRequests,
    Job::ClosedRequests,
    Job::StaffSessions,
    Job::SignInFailures,
    Job::RecoveryCodes,
    Job::AuditLog,
    Job::Feedback,
    Job::SearchLog,
    Job::RateLimits,
];

fn days(n: u32) -> String {
    match n {
        1 => "1 day".to_owned(),
        n if n % 365 == 0 => format!("{} years ({n} days)", n / 365),
        n => format!("{n} days"),
    }
}

const DIRECTORY: &str =
    "the published directory (services, places, contacts given for publication): no family's data";

/// Every table of the database. The live-schema test fails for a table missing here.
pub const TABLES: &[Table] = &[
    Table {
        name: "form_draft",
        kept: Kept::Rule(Rule {
            what: "a form's answers while it is filled in (any form: names, dates of birth, NHS numbers, health and safeguarding answers), the hashes of its cookie and resume tokens",
            how_long: |s| {
                format!(
                    "30 days after the last change (`LIFETIME` in `forms/drafts.rs`); once finished, {} minutes (`SIGNPOST_SUMMARY_MINUTES`: the summary or confirmation page); at once on \"Delete my answers\"",
                    s.summary_minutes()
                )
            },
            why: "long enough to finish a form over several visits and to read or print the summary; a shared device must not show it for long",
            jobs: &[Job::Drafts],
        }),
    },
    Table {
        name: "outbox_email",
        kept: Kept::Rule(Rule {
            what: "emails waiting to be sent: recipient, subject and text (a carer's own copy of their answers, resume and status links with their raw tokens, outcome emails)",
            how_long: |s| {
                format!(
                    "recipient, subject and text blanked as soon as the email is sent; failed or in-doubt emails keep them for a person to resend; every row deleted {} after it was written (`SIGNPOST_OUTBOX_RETENTION_DAYS`)",
                    days(s.outbox_days)
                )
            },
            why: "the outbox only has to deliver; id, kind, reference, status and times are kept a while for /readyz and to answer \"was it sent?\"",
            jobs: &[Job::Outbox],
        }),
    },
    Table {
        name: "early_help_request",
        kept: Kept::Rule(Rule {
            what: "a request for support's answers (the family, children, worries, contact details)",
            how_long: |s| {
                format!(
                    "deleted {} after the request is closed (`SIGNPOST_CLOSED_RETENTION_DAYS`); a request left at \"needs more information\" is closed automatically after {} (`SIGNPOST_MORE_INFO_CLOSE_DAYS`)",
                    days(s.closed_days),
                    days(s.more_info_days)
                )
            },
            why: "the Hub works from it while the case is open; the council's retention schedule for early help records after closing",
            jobs: &[Job::ClosedRequests],
        }),
    },
    Table {
        name: "carer_referral",
        kept: Kept::Rule(Rule {
            what: "a carer's self-assessment answers when they asked the team to contact them",
            how_long: |s| {
                format!(
                    "deleted {} after the referral is closed; \"needs more information\" closes automatically after {}",
                    days(s.closed_days),
                    days(s.more_info_days)
                )
            },
            why: "the carers team works from it; the council's retention schedule for carers' records",
            jobs: &[Job::ClosedRequests],
        }),
    },
    Table {
        name: "triage_case",
        kept: Kept::Rule(Rule {
            what: "the queue entry of a request: area (outward code), the decision's reason, the status link's hash; reference, dates, outcome and level of need",
            how_long: |s| {
                format!(
                    "area, reason and status link cleared {} after closing; the rest kept for the performance figures (no personal data is left)",
                    days(s.closed_days)
                )
            },
            why: "casework while open; the figures need dates and outcomes only",
            jobs: &[Job::UnansweredRequests, Job::ClosedRequests],
        }),
    },
    Table {
        name: "triage_event",
        kept: Kept::Rule(Rule {
            what: "a request's history: staff's notes in its details",
            how_long: |s| format!("details cleared {} after closing", days(s.closed_days)),
            why: "the history is part of the case record",
            jobs: &[Job::ClosedRequests],
        }),
    },
    Table {
        name: "triage_signpost",
        kept: Kept::NoPersonalData(
            "the directory services a decision named, by id (kept with the case's figures)",
        ),
    },
    Table {
        name: "self_assessment_outcome",
        kept: Kept::NoPersonalData(
            "which form was finished and on which days, keyed by a random id; no answer or identifier",
        ),
    },
    Table {
        name: "listing_report",
        kept: Kept::Rule(Rule {
            what: "\"report a problem\": the visitor's own words (which can hold anything)",
            how_long: |s| {
                format!(
                    "deleted {} after it is resolved (`SIGNPOST_FEEDBACK_RETENTION_DAYS`)",
                    days(s.feedback_days)
                )
            },
            why: "the directory team checks and fixes the listing; afterwards it is not needed",
            jobs: &[Job::Feedback],
        }),
    },
    Table {
        name: "suggested_change",
        kept: Kept::Rule(Rule {
            what: "a suggested change: the suggester's name, organisation and work email, the note of a rejection",
            how_long: |s| {
                format!(
                    "deleted {} after it is applied or rejected (`SIGNPOST_FEEDBACK_RETENTION_DAYS`)",
                    days(s.feedback_days)
                )
            },
            why: "the directory team checks the change with the suggester",
            jobs: &[Job::Feedback],
        }),
    },
    Table {
        name: "search_event",
        kept: Kept::Rule(Rule {
            what: "searches for the gap report: the words (postcodes cut to the outward code, email addresses and long numbers removed), filters, outward code, count, time; no identifier",
            how_long: |s| {
                format!(
                    "deleted {} after the search (`SIGNPOST_SEARCH_LOG_DAYS`)",
                    days(s.search_log_days)
                )
            },
            why: "typed words can still name someone; the gap report looks at recent searches",
            jobs: &[Job::SearchLog],
        }),
    },
    Table {
        name: "staff_user",
        kept: Kept::Rule(Rule {
            what: "staff accounts: name, work email, role, password hash, the encrypted authenticator secret",
            how_long: |_| "while the person needs access; an admin disables the account when they leave (its sessions end); kept disabled so the audit log can name who did what".to_owned(),
            why: "signing in and accountability",
            jobs: &[Job::ByHand],
        }),
    },
    Table {
        name: "staff_session",
        kept: Kept::Rule(Rule {
            what: "signed-in sessions: the account, the hash of the cookie, an enrolment's encrypted secret",
            how_long: |_| "deleted 30 minutes after the last request or 12 hours after signing in (10 minutes for a half-finished sign-in)".to_owned(),
            why: "a session is needed only while it can be used",
            jobs: &[Job::StaffSessions],
        }),
    },
    Table {
        name: "staff_recovery_code",
        kept: Kept::Rule(Rule {
            what: "the hashes of an account's recovery codes",
            how_long: |_| "used codes deleted at the next pass; the others until the authenticator app is reset or set up again".to_owned(),
            why: "a used code is refused whether its row is kept or not",
            jobs: &[Job::RecoveryCodes],
        }),
    },
    Table {
        name: "staff_login_throttle",
        kept: Kept::Rule(Rule {
            what: "email addresses typed into the staff sign-in form that failed, with a failure count and lock",
            how_long: |_| "deleted a day after the pass first saw it, once no lock is in force".to_owned(),
            why: "the lockout needs recent failures only; the address may be nobody's account",
            jobs: &[Job::SignInFailures],
        }),
    },
    Table {
        name: "audit_event",
        kept: Kept::Rule(Rule {
            what: "who did what and when, from which IP address; a failed sign-in's typed email address",
            how_long: |s| {
                format!(
                    "IP addresses and typed email addresses blanked after {} (`SIGNPOST_AUDIT_IP_DAYS`); entries deleted after {} (`SIGNPOST_AUDIT_RETENTION_DAYS`)",
                    days(s.audit_ip_days),
                    days(s.audit_days)
                )
            },
            why: "addresses help investigate an attack only while it is recent; who saw a family's record is kept as long as the record's own retention",
            jobs: &[Job::AuditLog],
        }),
    },
    Table {
        name: "rate_limit",
        kept: Kept::Rule(Rule {
            what: "how often one visitor did something: a keyed hash (HMAC) of an IPv4 address, an IPv6 /64 or a draft id, never the address itself; a window and a count",
            how_long: |_| "deleted two windows after its window starts (2 hours for hourly limits, 48 hours for the summary email's daily one)".to_owned(),
            why: "a counter only counts for its own window and the next",
            jobs: &[Job::RateLimits],
        }),
    },
    Table {
        name: "app_setting",
        kept: Kept::NoPersonalData("the application's own flags (demo county loaded, index version) and the rate limits' hashing key"),
    },
    Table {
        name: "search_sync",
        kept: Kept::NoPersonalData("directory service ids waiting for the search index"),
    },
    Table {
        name: "directory_change",
        kept: Kept::NoPersonalData("the directory's change feed: change number, kind, service id, time (pruned after 7 days by `search::sync`)"),
    },
    Table {
        name: "directory_feed",
        kept: Kept::NoPersonalData("the change feed's counter (one row)"),
    },
    Table {
        name: "lease",
        kept: Kept::NoPersonalData("which server runs a background job (host, process id), until when"),
    },
    Table {
        name: "search_synonym",
        kept: Kept::NoPersonalData("groups of search words"),
    },
    Table {
        name: "postcode",
        kept: Kept::NoPersonalData("postcode centroids (ONS open data)"),
    },
    Table { name: "taxonomy", kept: Kept::NoPersonalData(DIRECTORY) },
    Table { name: "taxonomy_term", kept: Kept::NoPersonalData(DIRECTORY) },
    Table { name: "organization", kept: Kept::NoPersonalData(DIRECTORY) },
    Table { name: "service", kept: Kept::NoPersonalData(DIRECTORY) },
    Table { name: "location", kept: Kept::NoPersonalData(DIRECTORY) },
    Table { name: "address", kept: Kept::NoPersonalData(DIRECTORY) },
    Table { name: "accessibility", kept: Kept::NoPersonalData(DIRECTORY) },
    Table { name: "service_at_location", kept: Kept::NoPersonalData(DIRECTORY) },
    Table { name: "contact", kept: Kept::NoPersonalData(DIRECTORY) },
    Table { name: "phone", kept: Kept::NoPersonalData(DIRECTORY) },
    Table { name: "schedule", kept: Kept::NoPersonalData(DIRECTORY) },
    Table { name: "cost_option", kept: Kept::NoPersonalData(DIRECTORY) },
    Table { name: "language", kept: Kept::NoPersonalData(DIRECTORY) },
    Table { name: "service_area", kept: Kept::NoPersonalData(DIRECTORY) },
    Table { name: "attribute", kept: Kept::NoPersonalData(DIRECTORY) },
    Table { name: "foreign_term", kept: Kept::NoPersonalData("other systems' own taxonomy terms (ids, names, codes)") },
    Table { name: "service_foreign_term", kept: Kept::NoPersonalData(DIRECTORY) },
    Table { name: "taxonomy_mapping", kept: Kept::NoPersonalData("which feed term or name means which of our categories") },
    Table { name: "feed", kept: Kept::NoPersonalData("registered ORUK feeds: name, address, last pull, counts and errors (which quote the feed's public records); the claim names a server, not a person") },
];

/// Tables of the database that are not the application's (the migrations' own bookkeeping).
pub const NOT_OURS: &[&str] = &["_sqlx_migrations"];

/// The table `name`, if [`TABLES`] lists it.
pub fn table(name: &str) -> Option<&'static Table> {
    TABLES.iter().find(|t| t.name == name)
}

/// Runs every job once. Returns how many rows each job changed; a job that failed is logged
/// (its kind only) and the others still run.
pub async fn run_once(
    db: &Db,
    clock: &Clock,
    settings: &RetentionSettings,
) -> Vec<(Job, Result<u64, sqlx::Error>)> {
    let mut done = Vec::with_capacity(JOBS.len());
    for job in JOBS {
        let result = run_job(*job, db, clock, settings).await;
        match &result {
            Ok(0) => {}
            Ok(n) => tracing::info!(job = ?job, rows = n, "retention: personal data deleted"),
            Err(_) => tracing::warn!(job = ?job, "retention: the job failed; it runs again later"),
        }
        done.push((*job, result));
    }
    done
}

async fn run_job(
    job: Job,
    db: &Db,
    clock: &Clock,
    s: &RetentionSettings,
) -> Result<u64, sqlx::Error> {
    use crate::staff;
    let pool = db.pool();
    match job {
        Job::Outbox => crate::mail::purge(db, clock, s.outbox_days).await,
        Job::Drafts => crate::forms::drafts::purge_expired(pool, clock).await,
        Job::UnansweredRequests => {
            staff::casework::retention::close_unanswered(db, clock, s.more_info_days).await
        }
        Job::ClosedRequests => staff::casework::retention::run_once(db, clock, s.closed_days).await,
        Job::StaffSessions => staff::session::purge(pool, clock.unix()).await,
        Job::SignInFailures => staff::identity::lockout::purge(pool, clock.unix()).await,
        Job::RecoveryCodes => staff::totp::purge_used_recovery_codes(pool).await,
        Job::AuditLog => staff::audit::purge(pool, clock, s.audit_ip_days, s.audit_days).await,
        Job::Feedback => {
            crate::directory::retention::purge_feedback(pool, clock, s.feedback_days).await
        }
        Job::SearchLog => {
            crate::directory::retention::purge_search_log(pool, clock, s.search_log_days).await
        }
        Job::RateLimits => crate::limit::purge(db, clock.unix()).await,
        Job::ByHand => Ok(0),
    }
}

/// Runs every job now and then every [`INTERVAL`]. Started by the application.
pub async fn run(db: Db, clock: Clock, settings: RetentionSettings) {
    loop {
        run_once(&db, &clock, &settings).await;
        tokio::time::sleep(INTERVAL).await;
    }
}

/// The README's retention table (tables with personal data), with `settings`' periods.
pub fn readme_table(settings: &RetentionSettings) -> String {
    let mut out = String::from("| table | what | how long | why |\n| --- | --- | --- | --- |\n");
    for t in TABLES {
        if let Kept::Rule(rule) = t.kept {
            out.push_str(&format!(
                "| `{}` | {} | {} | {} |\n",
                t.name,
                rule.what,
                (rule.how_long)(settings),
                rule.why
            ));
        }
    }
    let quiet: Vec<String> = TABLES
        .iter()
        .filter(|t| matches!(t.kept, Kept::NoPersonalData(_)))
        .map(|t| format!("`{}`", t.name))
        .collect();
    out.push_str(&format!(
        "\nNo personal data (so no rule): {}.\n",
        quiet.join(", ")
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_once_and_every_job_runs() {
        for (i, t) in TABLES.iter().enumerate() {
            assert!(
                !TABLES[..i].iter().any(|o| o.name == t.name),
                "{} listed twice",
                t.name
            );
            if let Kept::Rule(rule) = t.kept {
                assert!(!rule.jobs.is_empty(), "{}: no job", t.name);
                for job in rule.jobs {
                    assert!(
                        *job == Job::ByHand || JOBS.contains(job),
                        "{}: {job:?} never runs",
                        t.name
                    );
                }
            }
        }
        for job in JOBS {
            assert!(
                TABLES
                    .iter()
                    .any(|t| matches!(t.kept, Kept::Rule(r) if r.jobs.contains(job))),
                "{job:?} is no table's rule"
            );
        }
    }

    /// The README's table is this module's: regenerate it from the message when it differs.
    #[test]
    fn the_readme_shows_this_table() {
        let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"))
            .expect("README.md");
        let start =
            "<!-- retention table: made by server/src/retention/mod.rs (readme_table) -->\n";
        let end = "<!-- end of retention table -->";
        let expected = readme_table(&RetentionSettings::default());
        let found = readme
            .split_once(start)
            .and_then(|(_, rest)| rest.split_once(end))
            .map(|(table, _)| table);
        assert_eq!(
            found,
            Some(expected.as_str()),
            "the README's retention table differs from crate::retention::TABLES; put this \
             between its markers:\n{start}{expected}{end}"
        );
    }
}
