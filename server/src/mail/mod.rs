//! Email through an outbox.
//!
//! Code that needs to send an email calls [`enqueue`] inside the database transaction that makes
//! the change the email reports, so the email exists if and only if the change does. The
//! [`Worker`] (a tokio task started by `Application`) then delivers what is due with lettre —
//! over SMTP, or into `.eml` files in development — and records the result.
//!
//! Delivery guarantee (also in the README): an outbox row is handed to the SMTP server **at most
//! once**, by one worker, however many servers run one. A worker first claims a row
//! (`status = 'sending'`, `lease_owner`, `lease_until`: a conditional update, so two workers
//! never claim the same row), then, immediately before it hands the message to the server, sets
//! `handed_at` — only if its claim still holds (so a worker that stalled past its lease and lost
//! the row to another never sends it). After the server answers it records `sent`, or `pending`
//! with the next attempt time, or `failed`. A row is retried only when it was certainly not
//! accepted: the server answered 4xx, or no connection could be made. When the conversation
//! broke off after it began (a network error, a timeout, an unreadable reply), the server may
//! have accepted the message, so the row becomes `in_doubt`.
//!
//! When a server dies holding a claim, any worker (on any server) finds the claim run out: a row
//! never handed over (`handed_at` empty) goes back to `pending` and is sent by whichever worker
//! claims it next — nothing is lost; a row that was being handed over becomes `in_doubt`, since
//! nobody knows whether the server accepted it. In-doubt rows are counted in `/readyz` and
//! never sent again automatically. Every attempt carries the same Message-ID
//! (`<row id@sender's domain>`), so any copy a person resends by hand is recognisably the same
//! message. Crashing *before* the claim (e.g. just after the request was committed) loses
//! nothing: the row is still `pending`.

pub use crate::settings::mail::{MailConfigError, MailSettings, MailTransport, RawMailConfig};

use crate::clock;
use crate::db::Db;
use lettre::message::{header::ContentType, Mailbox};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use rand::Rng;
use sqlx::{AnyConnection, Row};
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;

/// An email to put in the outbox.
#[derive(Debug, Clone)]
pub struct NewEmail {
    /// What it is, for logs and counts (never personal data), e.g. `early_help_triage`.
    pub kind: &'static str,
    pub to: Mailbox,
    pub subject: String,
    pub body: String,
}

/// Adds an email to the outbox on `conn` (normally inside the caller's transaction). Returns the
/// row's id. The worker is not woken here: call [`Mail::wake`] after the commit.
pub async fn enqueue(
    conn: &mut AnyConnection,
    email: &NewEmail,
    message_id_domain: &str,
) -> Result<String, sqlx::Error> {
    let id = uuid::Uuid::new_v4().to_string();
    let now = clock::timestamp_millis(SystemTime::now());
    sqlx::query(
        "INSERT INTO outbox_email (id, message_id, kind, recipient, subject, body_text, status, \
         attempts, next_attempt_at, created_at, reference) \
         VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, $7, $8, $9)",
    )
    .bind(&id)
    .bind(format!("<{id}@{message_id_domain}>"))
    .bind(email.kind)
    .bind(email.to.to_string())
    .bind(&email.subject)
    .bind(&email.body)
    .bind(&now)
    .bind(&now)
    .bind(reference_in(&email.subject))
    .execute(conn)
    .await?;
    Ok(id)
}

/// The reference an email's subject names (`EH-7K3Q-9M2P`, `CA-…`, `LR-…`: two capitals, a dash,
/// and two groups of four reference characters), kept when the email is blanked.
pub fn reference_in(subject: &str) -> Option<String> {
    let is_ref = |c: u8| app::forms::REFERENCE_ALPHABET.contains(&c);
    let bytes = subject.as_bytes();
    (0..bytes.len()).find_map(|start| {
        let c = bytes.get(start..start + 12)?;
        let boundary = |i: Option<&u8>| !i.is_some_and(|b| b.is_ascii_alphanumeric());
        let ok = c[0].is_ascii_uppercase()
            && c[1].is_ascii_uppercase()
            && c[2] == b'-'
            && c[3..7].iter().all(|b| is_ref(*b))
            && c[7] == b'-'
            && c[8..12].iter().all(|b| is_ref(*b))
            && boundary(start.checked_sub(1).and_then(|i| bytes.get(i)))
            && boundary(bytes.get(start + 12));
        ok.then(|| String::from_utf8_lossy(c).into_owned())
    })
}

/// Retention (run by `crate::retention`): blanks the recipient, subject and text of sent emails
/// that still hold them (the worker blanks each as it is sent; this catches rows sent before it
/// did), and deletes every finished row (sent, failed, in doubt) created more than `days` days
/// ago. Failed and in-doubt emails keep their content until then, for a person to resend.
/// Returns how many rows changed.
pub async fn purge(db: &Db, clock: &clock::Clock, days: u32) -> Result<u64, sqlx::Error> {
    let blanked = sqlx::query(
        "UPDATE outbox_email SET recipient = '', subject = '', body_text = '' \
         WHERE status = 'sent' AND (recipient <> '' OR subject <> '' OR body_text <> '')",
    )
    .execute(db.pool())
    .await?
    .rows_affected();
    let cutoff = clock::Clock::system_at(clock.unix() - i64::from(days) * 86_400);
    let deleted = sqlx::query(
        "DELETE FROM outbox_email WHERE status IN ('sent', 'failed', 'in_doubt') \
         AND created_at < $1",
    )
    .bind(cutoff)
    .execute(db.pool())
    .await?
    .rows_affected();
    Ok(blanked + deleted)
}

/// Counts of outbox rows by state, for `/readyz`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct OutboxCounts {
    pub pending: i64,
    pub sending: i64,
    pub sent: i64,
    pub failed: i64,
    pub in_doubt: i64,
}

pub async fn counts(db: &Db) -> Result<OutboxCounts, sqlx::Error> {
    let rows = sqlx::query("SELECT status, COUNT(*) FROM outbox_email GROUP BY status")
        .fetch_all(db.pool())
        .await?;
    let mut counts = OutboxCounts::default();
    for row in rows {
        let status: String = row.try_get(0)?;
        let n: i64 = row.try_get(1)?;
        match status.as_str() {
            "pending" => counts.pending = n,
            "sending" => counts.sending = n,
            "sent" => counts.sent = n,
            "failed" => counts.failed = n,
            "in_doubt" => counts.in_doubt = n,
            _ => {}
        }
    }
    Ok(counts)
}

/// What the rest of the server holds: the settings and a way to wake the worker.
#[derive(Clone)]
pub struct Mail {
    pub settings: Arc<MailSettings>,
    wake: Arc<Notify>,
}

impl Mail {
    pub fn new(settings: MailSettings) -> Self {
        Self {
            settings: Arc::new(settings),
            wake: Arc::new(Notify::new()),
        }
    }

    /// Tells the worker there is something to send now (after a commit that enqueued email).
    pub fn wake(&self) {
        self.wake.notify_one();
    }
}

/// Why the mail transport could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("SIGNPOST_SMTP_URL is not usable: {0}")]
    Smtp(String),
}

enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(std::path::PathBuf, AsyncFileTransport<Tokio1Executor>),
}

/// The result of one delivery attempt, as the worker records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Sent,
    /// Try again later (server unreachable, timeout, 4xx answer).
    Transient(&'static str),
    /// Do not try again (5xx answer, a message lettre cannot build).
    Permanent(&'static str),
    /// The connection failed after the conversation began, so the server may have accepted the
    /// message: never sent again automatically.
    InDoubt(&'static str),
}

impl Transport {
    fn new(settings: &MailSettings) -> Result<Self, MailError> {
        match &settings.transport {
            MailTransport::Smtp(url) => AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                .map(|b| Transport::Smtp(b.timeout(Some(settings.smtp_timeout)).build()))
                .map_err(|_| MailError::Smtp(crate::settings::mail::redact(url))),
            // The folder is created when the first email is written, not at start-up.
            MailTransport::Files(dir) => {
                Ok(Transport::Files(dir.clone(), AsyncFileTransport::new(dir)))
            }
        }
    }

    async fn send(&self, message: Message) -> Outcome {
        match self {
            Transport::Smtp(smtp) => match smtp.send(message).await {
                Ok(_) => Outcome::Sent,
                // An SMTP reply refusing the message: it was certainly not accepted.
                Err(e) if e.is_permanent() => Outcome::Permanent("smtp permanent error (5xx)"),
                Err(e) if e.is_transient() => Outcome::Transient("smtp transient error (4xx)"),
                // Failing to connect or to set up TLS happens before the message is sent.
                Err(e) if e.is_tls() => Outcome::Transient("smtp tls error"),
                // lettre does not export its error kinds; its text names a connection failure.
                Err(e) if e.to_string().starts_with("Connection error") => {
                    Outcome::Transient("smtp connection error")
                }
                // A broken conversation, a timeout or an unreadable reply: the server may have
                // accepted the message before it went wrong.
                Err(e) if e.is_timeout() => {
                    Outcome::InDoubt("smtp timeout during the conversation")
                }
                Err(_) => Outcome::InDoubt("smtp conversation broken off"),
            },
            Transport::Files(dir, files) => {
                if tokio::fs::create_dir_all(dir).await.is_err() {
                    return Outcome::Transient("cannot create the mail folder");
                }
                match files.send(message).await {
                    Ok(_) => Outcome::Sent,
                    Err(_) => Outcome::Transient("cannot write the mail file"),
                }
            }
        }
    }
}

/// A claimed outbox row.
struct Claimed {
    id: String,
    message_id: String,
    kind: String,
    recipient: String,
    subject: String,
    body: String,
    attempts: i64,
}

/// The delivery worker: a tokio task. Stop it with [`Worker::stop`].
pub struct Worker {
    stop: watch::Sender<bool>,
    handle: JoinHandle<()>,
}

impl Worker {
    /// Starts delivering. Fails only when the transport cannot be set up.
    pub fn start(db: Db, mail: &Mail) -> Result<Self, MailError> {
        let transport = Transport::new(&mail.settings)?;
        let (stop, stopped) = watch::channel(false);
        let runner = Runner {
            db,
            transport,
            settings: mail.settings.clone(),
            owner: uuid::Uuid::new_v4().to_string(),
        };
        let wake = mail.wake.clone();
        let handle = tokio::spawn(runner.run(wake, stopped));
        Ok(Self { stop, handle })
    }

    /// Asks the worker to stop after the email in hand, and waits (at most `grace`).
    pub async fn stop(self, grace: Duration) {
        let _ = self.stop.send(true);
        let _ = tokio::time::timeout(grace, self.handle).await;
    }
}

struct Runner {
    db: Db,
    transport: Transport,
    settings: Arc<MailSettings>,
    owner: String,
}

impl Runner {
    async fn run(self, wake: Arc<Notify>, mut stopped: watch::Receiver<bool>) {
        loop {
            if *stopped.borrow() {
                break;
            }
            if let Err(e) = self.deliver_due(&stopped).await {
                tracing::warn!(
                    error_kind = db_error_kind(&e),
                    "mail worker: database error"
                );
            }
            tokio::select! {
                _ = stopped.changed() => {}
                () = wake.notified() => {}
                () = tokio::time::sleep(self.settings.poll_interval) => {}
            }
        }
        tracing::info!("mail worker stopped");
    }

    /// Expired claims are taken back (or, if the message was being handed over, put in doubt),
    /// then every due row is claimed and delivered in turn.
    async fn deliver_due(&self, stopped: &watch::Receiver<bool>) -> Result<(), sqlx::Error> {
        let now = clock::timestamp_millis(SystemTime::now());
        // One statement for both outcomes, so a row can never be judged by one half of the
        // rule and then the other (another worker's pass runs at the same time).
        let taken_back: Vec<String> = sqlx::query(
            "UPDATE outbox_email SET \
             status = CASE WHEN handed_at IS NULL THEN 'pending' ELSE 'in_doubt' END, \
             lease_owner = NULL, \
             lease_until = CASE WHEN handed_at IS NULL THEN NULL ELSE lease_until END \
             WHERE status = 'sending' AND lease_until < $1 RETURNING status",
        )
        .bind(&now)
        .fetch_all(self.db.pool())
        .await?
        .iter()
        .map(|row| row.try_get(0))
        .collect::<Result<_, _>>()?;
        let retaken = taken_back.iter().filter(|s| *s == "pending").count();
        let doubtful = taken_back.len() - retaken;
        if retaken > 0 {
            tracing::warn!(
                count = retaken,
                "outbox: a worker stopped holding claimed emails it had not sent; they are \
                 pending again"
            );
        }
        if doubtful > 0 {
            tracing::error!(
                count = doubtful,
                "outbox: emails were being sent when a worker stopped; they are in doubt and \
                 will not be resent automatically"
            );
        }
        loop {
            if *stopped.borrow() {
                return Ok(());
            }
            let Some(claimed) = self.claim_next().await? else {
                return Ok(());
            };
            let outcome = match self.message(&claimed) {
                Some(message) => {
                    if !self.hand_over(&claimed).await? {
                        // The claim ran out and another worker may have the row: not ours.
                        continue;
                    }
                    self.transport.send(message).await
                }
                None => Outcome::Permanent("the message could not be built"),
            };
            self.record(&claimed, outcome).await?;
        }
    }

    /// Records that the message is about to be handed to the server, if this worker's claim
    /// still holds. False: the claim ran out (the row may be another worker's now).
    async fn hand_over(&self, claimed: &Claimed) -> Result<bool, sqlx::Error> {
        let now = clock::timestamp_millis(SystemTime::now());
        let done = sqlx::query(
            "UPDATE outbox_email SET handed_at = $1 WHERE id = $2 AND status = 'sending' \
             AND lease_owner = $3 AND lease_until > $1",
        )
        .bind(&now)
        .bind(&claimed.id)
        .bind(&self.owner)
        .execute(self.db.pool())
        .await?
        .rows_affected();
        Ok(done == 1)
    }

    /// Claims the oldest due row: a conditional update, so two workers never claim the same row.
    async fn claim_next(&self) -> Result<Option<Claimed>, sqlx::Error> {
        let now_at = SystemTime::now();
        let now = clock::timestamp_millis(now_at);
        let candidates = sqlx::query(
            "SELECT id FROM outbox_email WHERE status = 'pending' AND next_attempt_at <= $1 \
             ORDER BY next_attempt_at, id LIMIT 5",
        )
        .bind(&now)
        .fetch_all(self.db.pool())
        .await?;
        for row in candidates {
            let id: String = row.try_get(0)?;
            let lease_until = clock::timestamp_millis(now_at + self.settings.lease);
            let claimed = sqlx::query(
                "UPDATE outbox_email SET status = 'sending', attempts = attempts + 1, \
                 lease_owner = $1, lease_until = $2, handed_at = NULL \
                 WHERE id = $3 AND status = 'pending' AND next_attempt_at <= $4",
            )
            .bind(&self.owner)
            .bind(&lease_until)
            .bind(&id)
            .bind(&now)
            .execute(self.db.pool())
            .await?
            .rows_affected();
            if claimed == 1 {
                let row = sqlx::query(
                    "SELECT id, message_id, kind, recipient, subject, body_text, attempts \
                     FROM outbox_email WHERE id = $1",
                )
                .bind(&id)
                .fetch_one(self.db.pool())
                .await?;
                return Ok(Some(Claimed {
                    id: row.try_get(0)?,
                    message_id: row.try_get(1)?,
                    kind: row.try_get(2)?,
                    recipient: row.try_get(3)?,
                    subject: row.try_get(4)?,
                    body: row.try_get(5)?,
                    attempts: row.try_get(6)?,
                }));
            }
        }
        Ok(None)
    }

    fn message(&self, claimed: &Claimed) -> Option<Message> {
        let to: Mailbox = claimed.recipient.parse().ok()?;
        Message::builder()
            .from(self.settings.from.clone())
            .to(to)
            .subject(claimed.subject.clone())
            .message_id(Some(claimed.message_id.clone()))
            .date_now()
            .header(ContentType::TEXT_PLAIN)
            .body(claimed.body.clone())
            .ok()
    }

    async fn record(&self, claimed: &Claimed, outcome: Outcome) -> Result<(), sqlx::Error> {
        let now_at = SystemTime::now();
        let now = clock::timestamp_millis(now_at);
        let query = match outcome {
            Outcome::Sent => {
                tracing::info!(email_id = %claimed.id, kind = %claimed.kind, attempts = claimed.attempts, "email sent");
                // Delivered: the address and the text go at once (they can hold a family's
                // answers and the raw tokens of their links); the row keeps what it was.
                sqlx::query(
                    "UPDATE outbox_email SET status = 'sent', sent_at = $1, lease_owner = NULL, \
                     lease_until = NULL, last_error = NULL, recipient = '', subject = '', \
                     body_text = '' WHERE id = $2 AND lease_owner = $3",
                )
                .bind(now)
            }
            Outcome::Transient(why) if claimed.attempts < i64::from(self.settings.max_attempts) => {
                let wait = backoff(
                    self.settings.retry_base,
                    self.settings.retry_max,
                    claimed.attempts,
                    rand::rng().random_range(0.5..1.5),
                );
                tracing::warn!(
                    email_id = %claimed.id, kind = %claimed.kind, attempts = claimed.attempts,
                    error_kind = why, retry_in_ms = wait.as_millis() as u64,
                    "email not sent: will retry"
                );
                sqlx::query(
                    "UPDATE outbox_email SET status = 'pending', next_attempt_at = $1, \
                     last_error = $2, lease_owner = NULL, lease_until = NULL \
                     WHERE id = $3 AND lease_owner = $4",
                )
                .bind(clock::timestamp_millis(now_at + wait))
                .bind(why)
            }
            Outcome::InDoubt(why) => {
                tracing::error!(
                    email_id = %claimed.id, kind = %claimed.kind, attempts = claimed.attempts,
                    error_kind = why,
                    "email in doubt: the server may have accepted it; it will not be resent"
                );
                sqlx::query(
                    "UPDATE outbox_email SET status = 'in_doubt', last_error = $1, \
                     lease_owner = NULL, lease_until = NULL WHERE id = $2 AND lease_owner = $3",
                )
                .bind(why)
            }
            Outcome::Transient(why) | Outcome::Permanent(why) => {
                tracing::error!(
                    email_id = %claimed.id, kind = %claimed.kind, attempts = claimed.attempts,
                    error_kind = why, "email permanently failed: it will not be retried"
                );
                sqlx::query(
                    "UPDATE outbox_email SET status = 'failed', last_error = $1, \
                     lease_owner = NULL, lease_until = NULL WHERE id = $2 AND lease_owner = $3",
                )
                .bind(why)
            }
        };
        query
            .bind(&claimed.id)
            .bind(&self.owner)
            .execute(self.db.pool())
            .await?;
        Ok(())
    }
}

/// The wait after attempt number `attempts` (1 after the first failure): `base × 2^(attempts−1)`,
/// at most `max`, multiplied by `jitter` (drawn from 0.5..1.5, so retries from many emails do not
/// arrive together).
pub fn backoff(base: Duration, max: Duration, attempts: i64, jitter: f64) -> Duration {
    let exponent = u32::try_from(attempts.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
    let plain = base.saturating_mul(2u32.saturating_pow(exponent)).min(max);
    plain.mul_f64(jitter.clamp(0.0, 2.0))
}

/// A database error's kind, for logs (the text can quote values).
fn db_error_kind(e: &sqlx::Error) -> &'static str {
    match e {
        sqlx::Error::PoolTimedOut => "pool timed out",
        sqlx::Error::PoolClosed => "pool closed",
        sqlx::Error::Io(_) => "io",
        sqlx::Error::Database(_) => "database",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::{backoff, reference_in};

    #[test]
    fn the_reference_is_read_from_the_subject() {
        assert_eq!(
            reference_in("New early help request EH-7K3Q-9M2P [flagged]").as_deref(),
            Some("EH-7K3Q-9M2P")
        );
        assert_eq!(
            reference_in("Your summary: Carer's self-assessment (CA-ABCD-EFGH)").as_deref(),
            Some("CA-ABCD-EFGH")
        );
        assert_eq!(reference_in("Your shortlist of services"), None);
        assert_eq!(reference_in("XEH-7K3Q-9M2P"), None);
    }
    use std::time::Duration;

    #[test]
    fn backoff_doubles_up_to_the_maximum_with_jitter() {
        let base = Duration::from_secs(30);
        let max = Duration::from_secs(3600);
        assert_eq!(backoff(base, max, 1, 1.0), Duration::from_secs(30));
        assert_eq!(backoff(base, max, 2, 1.0), Duration::from_secs(60));
        assert_eq!(backoff(base, max, 4, 1.0), Duration::from_secs(240));
        assert_eq!(backoff(base, max, 20, 1.0), max);
        assert_eq!(backoff(base, max, 1, 0.5), Duration::from_secs(15));
        assert_eq!(backoff(base, max, 2, 1.5), Duration::from_secs(90));
        assert_eq!(backoff(base, max, 1000, 1.0), max);
    }
}
