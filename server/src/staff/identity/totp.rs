//! The second factor: time-based one-time passwords (RFC 6238: SHA-1, 6 digits, 30 seconds, as
//! every authenticator app expects), the enrolment QR code drawn on the server as SVG, and
//! one-use recovery codes.
//!
//! Secrets are stored encrypted ([`seal`], [`open`]) with the key `SIGNPOST_TOTP_KEY`:
//! XChaCha20-Poly1305 (RustCrypto's `chacha20poly1305`, an AEAD) with a random 192-bit nonce per
//! secret and the account's id as associated data, so a secret copied onto another account's row
//! does not open. Stored as `enc1:` + hex(nonce ‖ ciphertext). Without a key (development only:
//! production refuses to start without one) secrets are stored as they are. Secrets stored in
//! clear before the key was set are encrypted at the next start ([`seal_stored`]); until then
//! they are still read.

use crate::settings::staff::TotpKey;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use qrcode::render::svg;
use qrcode::QrCode;
use rand::RngCore;
use totp_rs::{Algorithm, Secret, TOTP};

pub const STEP: i64 = 30;
/// How many recovery codes an account gets at enrolment.
pub const RECOVERY_CODES: usize = 10;
const ISSUER: &str = "Brackenshire Signpost";

/// A new random secret (160 bits, as RFC 4226 recommends), base32.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 20];
    rand::rng().fill_bytes(&mut bytes);
    match Secret::Raw(bytes.to_vec()).to_encoded() {
        Secret::Encoded(s) => s,
        Secret::Raw(_) => String::new(),
    }
}

/// The prefix of an encrypted secret.
const SEALED: &str = "enc1:";

/// How `secret` (base32) of account `user_id` is stored: encrypted with `key`, or as it is
/// without one.
pub fn seal(key: Option<&TotpKey>, user_id: &str, secret: &str) -> String {
    let Some(key) = key else {
        return secret.to_owned();
    };
    let cipher = XChaCha20Poly1305::new(key.bytes().into());
    let mut nonce = [0u8; 24];
    rand::rng().fill_bytes(&mut nonce);
    let payload = Payload {
        msg: secret.as_bytes(),
        aad: user_id.as_bytes(),
    };
    match cipher.encrypt(XNonce::from_slice(&nonce), payload) {
        Ok(sealed) => format!("{SEALED}{}{}", hex::encode(nonce), hex::encode(sealed)),
        // Encryption of a short message cannot fail; store nothing rather than the clear secret.
        Err(_) => String::new(),
    }
}

/// The secret of account `user_id` as stored: decrypted with `key`, or as it is when it was
/// stored in clear. None when it cannot be opened (no key, another key, another account's row).
pub fn open(key: Option<&TotpKey>, user_id: &str, stored: &str) -> Option<String> {
    let Some(sealed) = stored.strip_prefix(SEALED) else {
        return Some(stored.to_owned());
    };
    let bytes = hex::decode(sealed).ok()?;
    if bytes.len() < 24 {
        return None;
    }
    let (nonce, ciphertext) = bytes.split_at(24);
    let cipher = XChaCha20Poly1305::new(key?.bytes().into());
    let payload = Payload {
        msg: ciphertext,
        aad: user_id.as_bytes(),
    };
    let clear = cipher.decrypt(XNonce::from_slice(nonce), payload).ok()?;
    String::from_utf8(clear).ok()
}

/// Whether `stored` is an encrypted secret.
pub fn is_sealed(stored: &str) -> bool {
    stored.starts_with(SEALED)
}

/// Encrypts every secret still stored in clear (accounts' secrets and the secrets of
/// enrolments in progress), at start-up when a key is set. Returns how many.
pub async fn seal_stored(pool: &sqlx::AnyPool, key: &TotpKey) -> Result<u64, sqlx::Error> {
    use sqlx::Row;
    let mut count = 0;
    let users = sqlx::query("SELECT id, totp_secret FROM staff_user WHERE totp_secret IS NOT NULL")
        .fetch_all(pool)
        .await?;
    for row in users {
        let id: String = row.try_get(0)?;
        let secret: String = row.try_get(1)?;
        if is_sealed(&secret) {
            continue;
        }
        count += sqlx::query(
            "UPDATE staff_user SET totp_secret = $1 WHERE id = $2 AND totp_secret = $3",
        )
        .bind(seal(Some(key), &id, &secret))
        .bind(&id)
        .bind(&secret)
        .execute(pool)
        .await?
        .rows_affected();
    }
    let sessions = sqlx::query(
        "SELECT id_hash, user_id, pending_totp_secret FROM staff_session \
         WHERE pending_totp_secret IS NOT NULL",
    )
    .fetch_all(pool)
    .await?;
    for row in sessions {
        let id_hash: String = row.try_get(0)?;
        let user_id: String = row.try_get(1)?;
        let secret: String = row.try_get(2)?;
        if is_sealed(&secret) {
            continue;
        }
        count += sqlx::query(
            "UPDATE staff_session SET pending_totp_secret = $1 WHERE id_hash = $2 \
             AND pending_totp_secret = $3",
        )
        .bind(seal(Some(key), &user_id, &secret))
        .bind(&id_hash)
        .bind(&secret)
        .execute(pool)
        .await?
        .rows_affected();
    }
    Ok(count)
}

fn totp(secret: &str, account: &str) -> Option<TOTP> {
    let bytes = Secret::Encoded(secret.to_owned()).to_bytes().ok()?;
    TOTP::new(
        Algorithm::SHA1,
        6,
        1,
        STEP as u64,
        bytes,
        Some(ISSUER.to_owned()),
        account.replace(':', ""),
    )
    .ok()
}

/// The code for `secret` at `unix` seconds (used by the tests, as an authenticator app would).
pub fn code_at(secret: &str, unix: i64) -> Option<String> {
    Some(totp(secret, "x")?.generate(u64::try_from(unix).ok()?))
}

/// The time step a typed `code` matches at `unix` (this step or one either side, for clock
/// drift), if it is later than `last_step` (a code works once).
pub fn check(secret: &str, code: &str, unix: i64, last_step: Option<i64>) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let totp = totp(secret, "x")?;
    let now = unix.div_euclid(STEP);
    let mut found = None;
    for step in [now - 1, now, now + 1] {
        let expected = totp.generate(u64::try_from(step * STEP).ok()?);
        // Compare every candidate in full, without stopping early.
        if constant_time_eq(expected.as_bytes(), code.as_bytes())
            && last_step.is_none_or(|last| step > last)
        {
            found = Some(step);
        }
    }
    found
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The `otpauth://` address an authenticator app reads from the QR code.
pub fn otpauth_url(secret: &str, account: &str) -> Option<String> {
    Some(totp(secret, account)?.get_url())
}

/// The QR code of `url` as an inline SVG image with a text alternative.
pub fn qr_svg(url: &str) -> Option<String> {
    let code = QrCode::new(url.as_bytes()).ok()?;
    let svg = code
        .render::<svg::Color<'_>>()
        .min_dimensions(220, 220)
        .quiet_zone(true)
        .build();
    // Inline in the page: without the XML prolog, and named for screen readers.
    let start = svg.find("<svg")?;
    Some(svg[start..].replacen(
        "<svg ",
        r#"<svg role="img" aria-label="QR code to scan with your authenticator app" focusable="false" "#,
        1,
    ))
}

/// New recovery codes: 10 groups of 4+4+4 lower-case letters and digits (about 60 bits each).
pub fn new_recovery_codes() -> Vec<String> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rng();
    (0..RECOVERY_CODES)
        .map(|_| {
            let chars: Vec<char> = (0..12)
                .map(|_| ALPHABET[(rng.next_u32() as usize) % ALPHABET.len()] as char)
                .collect();
            format!(
                "{}-{}-{}",
                chars[..4].iter().collect::<String>(),
                chars[4..8].iter().collect::<String>(),
                chars[8..].iter().collect::<String>()
            )
        })
        .collect()
}

/// Retention (run by `crate::retention`): deletes used recovery codes (a deleted code is refused
/// like a used one). Returns how many.
pub async fn purge_used_recovery_codes(pool: &sqlx::AnyPool) -> Result<u64, sqlx::Error> {
    Ok(
        sqlx::query("DELETE FROM staff_recovery_code WHERE used_at IS NOT NULL")
            .execute(pool)
            .await?
            .rows_affected(),
    )
}

/// How a recovery code is stored: SHA-256 of its letters and digits, lower-case (so spaces,
/// dashes and capitals typed do not matter).
pub fn recovery_hash(code: &str) -> String {
    let normal: String = code
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    crate::web::token::hash(&normal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_match_their_step_once_and_drift_is_allowed() {
        let secret = new_secret();
        assert_eq!(secret.len(), 32);
        let t = 1_795_000_000;
        let code = code_at(&secret, t).unwrap();
        let step = check(&secret, &code, t, None).unwrap();
        assert_eq!(step, t / STEP);
        assert_eq!(check(&secret, &code, t, Some(step)), None, "used once");
        assert!(check(&secret, &code, t + STEP, None).is_some(), "30 s late");
        assert_eq!(check(&secret, &code, t + 3 * STEP, None), None, "too late");
        assert_eq!(check(&secret, "12345", t, None), None);
        assert_eq!(check(&secret, "abcdef", t, None), None);
    }

    #[test]
    fn rfc_6238_test_vector() {
        // RFC 6238 appendix B, SHA-1, secret "12345678901234567890", T = 59 s: 94287082 (8
        // digits); the 6-digit code is its last six digits.
        let secret = match Secret::Raw(b"12345678901234567890".to_vec()).to_encoded() {
            Secret::Encoded(s) => s,
            Secret::Raw(_) => unreachable!(),
        };
        assert_eq!(code_at(&secret, 59).as_deref(), Some("287082"));
    }

    #[test]
    fn the_qr_code_is_inline_svg_and_names_the_account() {
        let url = otpauth_url(&new_secret(), "sam@brackenshire.example").unwrap();
        assert!(url.starts_with("otpauth://totp/"), "{url}");
        let svg = qr_svg(&url).unwrap();
        assert!(svg.starts_with("<svg role=\"img\""));
        assert!(svg.contains("<path"));
    }

    #[test]
    fn secrets_are_sealed_per_account_and_open_only_with_the_key() {
        let key = TotpKey::parse(&"ab".repeat(32)).unwrap();
        let other = TotpKey::parse(&"cd".repeat(32)).unwrap();
        let secret = new_secret();
        let sealed = seal(Some(&key), "user-1", &secret);
        assert!(is_sealed(&sealed));
        assert!(!sealed.contains(&secret));
        assert_ne!(sealed, seal(Some(&key), "user-1", &secret), "a fresh nonce");
        assert_eq!(open(Some(&key), "user-1", &sealed), Some(secret.clone()));
        assert_eq!(open(Some(&key), "user-2", &sealed), None, "another account");
        assert_eq!(open(Some(&other), "user-1", &sealed), None, "another key");
        assert_eq!(open(None, "user-1", &sealed), None, "no key");
        // Stored in clear (before the key was set): still read.
        assert_eq!(open(Some(&key), "user-1", &secret), Some(secret.clone()));
        assert_eq!(seal(None, "user-1", &secret), secret);
    }

    #[test]
    fn recovery_codes_are_distinct_and_forgiving() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        let unique: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(unique.len(), RECOVERY_CODES);
        let code = &codes[0];
        assert_eq!(
            recovery_hash(code),
            recovery_hash(&code.to_uppercase().replace('-', " "))
        );
    }
}
