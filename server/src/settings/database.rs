//! The database's address (`DATABASE_URL`), parsed once at start-up: a SQLite file or a
//! PostgreSQL server, never printed with its password.

use std::path::PathBuf;

/// `DATABASE_URL` cannot be used, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "DATABASE_URL is not usable: {0}. Set it to sqlite://data/signpost.db or \
     postgres://USER:PASSWORD@HOST:5432/DATABASE"
)]
pub struct DatabaseUrlError(pub String);

/// Which database the URL names, parsed once at start-up.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// A SQLite file; its folder is created if missing.
    Sqlite { path: PathBuf },
    /// A PostgreSQL server.
    Postgres { url: url::Url },
}

impl std::fmt::Debug for DatabaseUrl {
    // Never print a password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.redacted())
    }
}

impl DatabaseUrl {
    pub fn parse(raw: &str) -> Result<Self, DatabaseUrlError> {
        let raw = raw.trim();
        let bad = |why: &str| DatabaseUrlError(why.to_owned());
        if raw.is_empty() {
            return Err(bad("it is empty"));
        }
        if let Some(rest) = raw
            .strip_prefix("sqlite://")
            .or_else(|| raw.strip_prefix("sqlite:"))
        {
            let path = rest.split('?').next().unwrap_or_default();
            if path.is_empty() || path == ":memory:" {
                return Err(bad("it names no SQLite file"));
            }
            return Ok(Self::Sqlite {
                path: PathBuf::from(path),
            });
        }
        let url = url::Url::parse(raw).map_err(|_| bad("it is not a URL"))?;
        match url.scheme() {
            "postgres" | "postgresql" => {
                if url.host_str().unwrap_or_default().is_empty() {
                    return Err(bad("it names no PostgreSQL host"));
                }
                if url.path().trim_start_matches('/').is_empty() {
                    return Err(bad("it names no database after the host"));
                }
                Ok(Self::Postgres { url })
            }
            other => Err(bad(&format!("'{other}' databases are not supported"))),
        }
    }

    /// The URL with any password replaced, safe for logs and messages.
    pub fn redacted(&self) -> String {
        match self {
            Self::Sqlite { path } => format!("sqlite://{}", path.display()),
            Self::Postgres { url } => {
                let mut url = url.clone();
                if url.password().is_some() {
                    let _ = url.set_password(Some("********"));
                }
                url.to_string()
            }
        }
    }

    /// The URL sqlx connects with.
    pub fn connect_url(&self) -> String {
        match self {
            Self::Sqlite { path } => format!("sqlite://{}?mode=rwc", path.display()),
            Self::Postgres { url } => url.to_string(),
        }
    }

    /// `host:port` of a PostgreSQL server, for messages.
    pub fn server(&self) -> Option<String> {
        match self {
            Self::Sqlite { .. } => None,
            Self::Postgres { url } => Some(format!(
                "{}:{}",
                url.host_str().unwrap_or_default(),
                url.port().unwrap_or(5432)
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_name_a_file() {
        assert_eq!(
            DatabaseUrl::parse("sqlite://data/x.db").ok(),
            Some(DatabaseUrl::Sqlite {
                path: "data/x.db".into()
            })
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite:/tmp/y.db?mode=rwc").ok(),
            Some(DatabaseUrl::Sqlite {
                path: "/tmp/y.db".into()
            })
        );
        assert!(DatabaseUrl::parse("sqlite://").is_err());
        assert!(DatabaseUrl::parse("sqlite::memory:").is_err());
    }

    #[test]
    fn postgres_urls_need_a_host_and_a_database() {
        assert!(DatabaseUrl::parse("postgres://u:p@localhost:5432/signpost").is_ok());
        assert!(DatabaseUrl::parse("postgresql://localhost/signpost").is_ok());
        assert!(DatabaseUrl::parse("postgres://localhost").is_err());
        assert!(DatabaseUrl::parse("postgres:///signpost").is_err());
    }

    #[test]
    fn other_schemes_and_garbage_are_refused() {
        for bad in ["", "   ", "mysql://localhost/x", "not a url", "http://x/y"] {
            assert!(
                DatabaseUrl::parse(bad).is_err(),
                "{bad:?} should be refused"
            );
        }
    }

    #[test]
    fn passwords_never_appear_in_messages() {
        let url = DatabaseUrl::parse("postgres://user:secret@db.example:5433/signpost").unwrap();
        assert!(!url.redacted().contains("secret"));
        assert!(!format!("{url:?}").contains("secret"));
        assert_eq!(url.server().as_deref(), Some("db.example:5433"));
    }

    #[test]
    fn config_errors_are_one_line() {
        let err = DatabaseUrl::parse("mysql://x/y").unwrap_err().to_string();
        assert!(!err.contains('\n'));
        assert!(err.contains("DATABASE_URL"));
    }
}
