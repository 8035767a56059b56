//! Email settings: where mail goes (an SMTP server, or files in development), who it is from,
//! the teams' addresses, and the delivery worker's retry policy. Grouped here so `config.rs`
//! only flattens them in; the public address used in links is a site setting
//! ([`super::site`]).

use clap::Args;
use lettre::message::Mailbox;
use std::path::PathBuf;
use std::time::Duration;

const DEFAULT_FROM: &str =
    "Brackenshire Family Information and Support <no-reply@brackenshire.example>";
const DEFAULT_HUB: &str = "early-help-hub@brackenshire.example";
const DEFAULT_DIRECTORY: &str = "directory-team@brackenshire.example";
const DEFAULT_CARERS_TEAM: &str = "carers-team@brackenshire.example";
const DEFAULT_YOUNG_CARERS_TEAM: &str = "young-carers@brackenshire.example";

/// The email options as given, before validation.
#[derive(Debug, Clone, Args)]
pub struct RawMailConfig {
    /// SMTP server: `smtp://HOST:25` (no TLS), `smtp://USER:PASSWORD@HOST:587?tls=required`
    /// (STARTTLS) or `smtps://USER:PASSWORD@HOST:465` (TLS). Unset: emails are written as files
    /// into SIGNPOST_MAIL_DIR instead of being sent.
    #[arg(long, env = "SIGNPOST_SMTP_URL", global = true, hide_env_values = true)]
    pub smtp_url: Option<String>,

    /// Folder emails are written to when no SMTP server is configured.
    #[arg(
        long,
        env = "SIGNPOST_MAIL_DIR",
        default_value = "data/mail",
        global = true
    )]
    pub mail_dir: PathBuf,

    /// The sender of every email.
    #[arg(
        long,
        env = "SIGNPOST_MAIL_FROM",
        default_value = DEFAULT_FROM,
        global = true
    )]
    pub mail_from: String,

    /// The Early Help Hub's address: it gets the triage email for every request for support.
    #[arg(
        long,
        env = "SIGNPOST_HUB_EMAIL",
        default_value = DEFAULT_HUB,
        global = true
    )]
    pub hub_email: String,

    /// The directory team's address: it gets an email for every "report a problem with this
    /// listing".
    #[arg(
        long,
        env = "SIGNPOST_DIRECTORY_EMAIL",
        default_value = DEFAULT_DIRECTORY,
        global = true
    )]
    pub directory_email: String,
    /// The carers' team: it gets the email for every adult carer who asks to be contacted.
    #[arg(
        long,
        env = "SIGNPOST_CARERS_TEAM_EMAIL",
        default_value = DEFAULT_CARERS_TEAM,
        global = true
    )]
    pub carers_team_email: String,

    /// The young carers service: it gets the email for every young carer who asks to be
    /// contacted.
    #[arg(
        long,
        env = "SIGNPOST_YOUNG_CARERS_TEAM_EMAIL",
        default_value = DEFAULT_YOUNG_CARERS_TEAM,
        global = true
    )]
    pub young_carers_team_email: String,

    /// Attempts at delivering one email before it is marked as permanently failed.
    #[arg(
        long,
        env = "SIGNPOST_MAIL_MAX_ATTEMPTS",
        default_value_t = 8,
        global = true
    )]
    pub mail_max_attempts: u32,

    /// Seconds before the first retry; each further retry waits twice as long (with jitter).
    #[arg(
        long,
        env = "SIGNPOST_MAIL_RETRY_SECS",
        default_value_t = 30,
        global = true
    )]
    pub mail_retry_secs: u64,
}

/// Where emails go.
#[derive(Clone, PartialEq, Eq)]
pub enum MailTransport {
    /// An SMTP server, as a lettre connection URL (it may carry a password: never printed).
    Smtp(String),
    /// Files (`.eml`) in a folder: the development default.
    Files(PathBuf),
}

impl std::fmt::Debug for MailTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Smtp(url) => write!(f, "Smtp({})", redact(url)),
            Self::Files(dir) => write!(f, "Files({})", dir.display()),
        }
    }
}

/// An SMTP URL with any password replaced, for messages.
pub fn redact(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut url) => {
            if url.password().is_some() {
                let _ = url.set_password(Some("********"));
            }
            url.to_string()
        }
        Err(_) => "(not a URL)".into(),
    }
}

/// Validated email settings.
#[derive(Debug, Clone)]
pub struct MailSettings {
    pub transport: MailTransport,
    pub from: Mailbox,
    pub hub: Mailbox,
    pub directory: Mailbox,
    pub carers_team: Mailbox,
    pub young_carers_team: Mailbox,
    pub max_attempts: u32,
    /// The wait before the first retry; it doubles each time, up to `retry_max`.
    pub retry_base: Duration,
    pub retry_max: Duration,
    /// How often the worker looks for due emails when nothing wakes it.
    pub poll_interval: Duration,
    /// How long a claimed email is reserved for the worker that claimed it.
    pub lease: Duration,
    /// How long one SMTP conversation may take.
    pub smtp_timeout: Duration,
}

/// A mistake in the email settings, as one line that says how to fix it.
#[derive(Debug, thiserror::Error)]
pub enum MailConfigError {
    #[error(
        "SIGNPOST_SMTP_URL is not usable ({0}): set it like smtp://HOST:25, \
         smtp://USER:PASSWORD@HOST:587?tls=required or smtps://USER:PASSWORD@HOST:465"
    )]
    SmtpUrl(String),
    #[error("{0} '{1}' is not an email address: set it like Name <someone@example.org>")]
    Address(&'static str, String),
    #[error("{0} must be a whole number greater than 0")]
    Positive(&'static str),
}

impl MailSettings {
    pub fn from_raw(raw: RawMailConfig) -> Result<Self, MailConfigError> {
        let transport = match raw.smtp_url.as_deref().map(str::trim) {
            None | Some("") => MailTransport::Files(raw.mail_dir),
            Some(url) => {
                check_smtp_url(url)?;
                MailTransport::Smtp(url.to_owned())
            }
        };
        let from = raw
            .mail_from
            .parse()
            .map_err(|_| MailConfigError::Address("SIGNPOST_MAIL_FROM", raw.mail_from.clone()))?;
        let hub = raw
            .hub_email
            .parse()
            .map_err(|_| MailConfigError::Address("SIGNPOST_HUB_EMAIL", raw.hub_email.clone()))?;
        let directory = raw.directory_email.parse().map_err(|_| {
            MailConfigError::Address("SIGNPOST_DIRECTORY_EMAIL", raw.directory_email.clone())
        })?;
        let carers_team = raw.carers_team_email.parse().map_err(|_| {
            MailConfigError::Address("SIGNPOST_CARERS_TEAM_EMAIL", raw.carers_team_email.clone())
        })?;
        let young_carers_team = raw.young_carers_team_email.parse().map_err(|_| {
            MailConfigError::Address(
                "SIGNPOST_YOUNG_CARERS_TEAM_EMAIL",
                raw.young_carers_team_email.clone(),
            )
        })?;
        if raw.mail_max_attempts == 0 {
            return Err(MailConfigError::Positive("SIGNPOST_MAIL_MAX_ATTEMPTS"));
        }
        if raw.mail_retry_secs == 0 {
            return Err(MailConfigError::Positive("SIGNPOST_MAIL_RETRY_SECS"));
        }
        Ok(Self {
            transport,
            from,
            hub,
            directory,
            carers_team,
            young_carers_team,
            max_attempts: raw.mail_max_attempts,
            retry_base: Duration::from_secs(raw.mail_retry_secs),
            retry_max: Duration::from_secs(6 * 3600),
            poll_interval: Duration::from_secs(5),
            lease: Duration::from_secs(120),
            smtp_timeout: Duration::from_secs(30),
        })
    }

    /// The defaults with files in `dir`, for tests that build `Settings` by hand.
    pub fn files(dir: PathBuf) -> Result<Self, MailConfigError> {
        Self::from_raw(RawMailConfig {
            smtp_url: None,
            mail_dir: dir,
            mail_from: DEFAULT_FROM.into(),
            hub_email: DEFAULT_HUB.into(),
            directory_email: DEFAULT_DIRECTORY.into(),
            carers_team_email: DEFAULT_CARERS_TEAM.into(),
            young_carers_team_email: DEFAULT_YOUNG_CARERS_TEAM.into(),
            mail_max_attempts: 8,
            mail_retry_secs: 30,
        })
    }

    /// The domain of the sender's address: the right-hand side of every Message-ID.
    pub fn message_id_domain(&self) -> &str {
        self.from.email.domain()
    }
}

fn check_smtp_url(raw: &str) -> Result<(), MailConfigError> {
    let url = url::Url::parse(raw).map_err(|_| MailConfigError::SmtpUrl("not a URL".into()))?;
    if !matches!(url.scheme(), "smtp" | "smtps") {
        return Err(MailConfigError::SmtpUrl(format!(
            "the scheme must be smtp or smtps, not {}",
            url.scheme()
        )));
    }
    if url.host_str().unwrap_or_default().is_empty() {
        return Err(MailConfigError::SmtpUrl("it names no host".into()));
    }
    if let Some((_, tls)) = url.query_pairs().find(|(k, _)| k == "tls") {
        if !matches!(tls.as_ref(), "required" | "opportunistic") {
            return Err(MailConfigError::SmtpUrl(
                "tls must be required or opportunistic".into(),
            ));
        }
    }
    // lettre's own parser has the last word (it also checks the TLS setting is supported).
    lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::from_url(raw)
        .map(|_| ())
        .map_err(|_| MailConfigError::SmtpUrl("lettre cannot use it".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw() -> RawMailConfig {
        RawMailConfig {
            smtp_url: None,
            mail_dir: "data/mail".into(),
            mail_from: "Signpost <no-reply@brackenshire.example>".into(),
            hub_email: "hub@brackenshire.example".into(),
            directory_email: "directory@brackenshire.example".into(),
            carers_team_email: "carers@brackenshire.example".into(),
            young_carers_team_email: "young-carers@brackenshire.example".into(),
            mail_max_attempts: 8,
            mail_retry_secs: 30,
        }
    }

    #[test]
    fn without_smtp_mail_goes_to_files() {
        let s = MailSettings::from_raw(raw()).unwrap();
        assert_eq!(s.transport, MailTransport::Files("data/mail".into()));
        assert_eq!(s.message_id_domain(), "brackenshire.example");
    }

    #[test]
    fn smtp_urls_take_tls_and_credentials() {
        for good in [
            "smtp://127.0.0.1:2525",
            "smtp://user:secret@mail.example:587?tls=required",
            "smtps://user:secret@mail.example:465",
        ] {
            let s = MailSettings::from_raw(RawMailConfig {
                smtp_url: Some(good.into()),
                ..raw()
            })
            .unwrap();
            assert!(!format!("{:?}", s.transport).contains("secret"));
        }
        for bad in [
            "http://mail.example",
            "smtp://",
            "not a url",
            "smtp://h?tls=maybe",
        ] {
            let e = MailSettings::from_raw(RawMailConfig {
                smtp_url: Some(bad.into()),
                ..raw()
            });
            assert!(e.is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn bad_addresses_are_refused() {
        assert!(MailSettings::from_raw(RawMailConfig {
            hub_email: "not an address".into(),
            ..raw()
        })
        .is_err());
    }
}
