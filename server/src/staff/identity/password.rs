//! Staff passwords: NCSC-style rules (length over complexity, no common passwords) and argon2id
//! hashes in the PHC string format (salted, parameters stored with the hash).

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use std::collections::HashSet;
use std::sync::LazyLock;

/// The shortest password accepted. NCSC advises length over complexity rules; staff accounts
/// open children's personal data, so the floor is higher than the NCSC minimum of 8.
pub const MIN_LENGTH: usize = 12;
/// The longest accepted (hashing very long inputs is a way to load the server).
pub const MAX_LENGTH: usize = 128;

static COMMON: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("common_passwords.txt")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .collect()
});

/// A password that meets the rules (the only way to get one is [`Password::new`]).
pub struct Password(String);

/// Why a password is refused, as the message the person sees.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("Enter a password")]
    Empty,
    #[error("Password must be {MIN_LENGTH} characters or more")]
    TooShort,
    #[error("Password must be {MAX_LENGTH} characters or fewer")]
    TooLong,
    #[error("This password is too common: choose a different one, for example three random words")]
    Common,
    #[error("Password must not contain your email address or name")]
    Personal,
}

impl Password {
    /// Checks the rules. `personal` are the account's email address and name, which must not be
    /// part of the password.
    pub fn new(raw: &str, personal: &[&str]) -> Result<Self, PasswordError> {
        let length = raw.chars().count();
        if raw.is_empty() {
            return Err(PasswordError::Empty);
        }
        if length < MIN_LENGTH {
            return Err(PasswordError::TooShort);
        }
        if length > MAX_LENGTH {
            return Err(PasswordError::TooLong);
        }
        let lower = raw.to_lowercase();
        if COMMON.contains(lower.as_str()) || COMMON.contains(lower.trim()) {
            return Err(PasswordError::Common);
        }
        // The same character over and over, or a password made of one common password
        // repeated ("password1password1").
        let first = lower.chars().next().unwrap_or_default();
        if lower.chars().all(|c| c == first) {
            return Err(PasswordError::Common);
        }
        for half in [2, 3] {
            if lower.len() % half == 0 {
                let part = &lower[..lower.len() / half];
                if lower.is_char_boundary(part.len())
                    && part.repeat(half) == lower
                    && (COMMON.contains(part) || part.chars().count() < 6)
                {
                    return Err(PasswordError::Common);
                }
            }
        }
        for p in personal {
            let local = p.split('@').next().unwrap_or_default().to_lowercase();
            if local.chars().count() >= 4 && lower.contains(&local) {
                return Err(PasswordError::Personal);
            }
        }
        Ok(Self(raw.to_owned()))
    }

    /// The argon2id hash (PHC string) of this password, with a fresh salt.
    pub fn hash(&self) -> Result<String, argon2::password_hash::Error> {
        hash_text(&self.0)
    }

    /// [`Password::hash`] on tokio's blocking pool: argon2id is slow on purpose and must not
    /// hold up the async threads. None when hashing (or its task) failed.
    pub async fn hash_off_runtime(self) -> Option<String> {
        tokio::task::spawn_blocking(move || self.hash())
            .await
            .ok()?
            .ok()
    }
}

fn hash_text(text: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(Argon2::default()
        .hash_password(text.as_bytes(), &salt)?
        .to_string())
}

/// A hash of no one's password, verified against when no account has the email address typed,
/// so a sign-in takes as long whether or not the account exists.
static DECOY: LazyLock<String> =
    LazyLock::new(|| hash_text("not a real password, only for timing").unwrap_or_default());

/// [`verify`] on tokio's blocking pool (argon2id is slow on purpose). False if its task failed.
pub async fn verify_off_runtime(raw: String, hash: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || verify(&raw, hash.as_deref()))
        .await
        .unwrap_or(false)
}

/// Whether `raw` matches the stored `hash` (None: no account, check the decoy and say no).
pub fn verify(raw: &str, hash: Option<&str>) -> bool {
    let stored = hash.unwrap_or(DECOY.as_str());
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    let ok = Argon2::default()
        .verify_password(raw.as_bytes(), &parsed)
        .is_ok();
    ok && hash.is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_and_common_passwords_are_checked() {
        assert_eq!(Password::new("", &[]).err(), Some(PasswordError::Empty));
        assert_eq!(
            Password::new("short pass", &[]).err(),
            Some(PasswordError::TooShort)
        );
        assert_eq!(
            Password::new(&"x".repeat(129), &[]).err(),
            Some(PasswordError::TooLong)
        );
        // In the shipped list.
        for common in ["qwertyuiop12", "1qaz2wsx3edc", "QWERTYUIOP12"] {
            assert_eq!(
                Password::new(common, &[]).err(),
                Some(PasswordError::Common),
                "{common}"
            );
        }
        assert_eq!(
            Password::new("aaaaaaaaaaaaaa", &[]).err(),
            Some(PasswordError::Common)
        );
        assert_eq!(
            Password::new("password1password1", &[]).err(),
            Some(PasswordError::Common)
        );
        assert_eq!(
            Password::new("sam.jones-is-my-name", &["sam.jones@brackenshire.example"]).err(),
            Some(PasswordError::Personal)
        );
        assert!(Password::new("harbour lantern pebble", &["sam@x.example"]).is_ok());
    }

    #[test]
    fn hashes_are_argon2id_and_verify() {
        let password = Password::new("harbour lantern pebble", &[]).unwrap();
        let hash = password.hash().unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify("harbour lantern pebble", Some(&hash)));
        assert!(!verify("harbour lantern pebbles", Some(&hash)));
        assert!(!verify("harbour lantern pebble", None));
        assert_ne!(hash, password.hash().unwrap(), "a fresh salt each time");
    }
}
