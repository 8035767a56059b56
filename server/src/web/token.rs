//! Random tokens (session ids, CSRF tokens, draft and status-link tokens) and how they are stored:
//! the browser or the email holds the token, the database only its SHA-256, so a copy of the
//! database cannot be used to act as someone.

use rand::RngCore;
use sha2::{Digest, Sha256};

/// A new random token: 32 bytes (256 bits) as 64 lower-case hex digits.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// The SHA-256 of `token` as hex: what is stored instead of the token.
pub fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Whether `token` looks like one of ours (64 hex digits), before it is looked up.
pub fn looks_like_token(token: &str) -> bool {
    token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Compares a submitted token with the expected one without stopping early (an empty expected
/// token never matches).
pub fn tokens_match(expected: &str, given: &str) -> bool {
    !expected.is_empty()
        && expected.len() == given.len()
        && expected
            .bytes()
            .zip(given.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_64_hex_digits_and_differ() {
        let a = new_token();
        let b = new_token();
        assert!(looks_like_token(&a) && looks_like_token(&b));
        assert_ne!(a, b);
        assert!(!looks_like_token("abc"));
        assert!(!looks_like_token(&"g".repeat(64)));
    }

    #[test]
    fn hash_is_sha256_hex() {
        assert_eq!(
            hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn tokens_compare_in_full() {
        let t = new_token();
        assert!(tokens_match(&t, &t));
        assert!(!tokens_match(&t, &t[..63]));
        assert!(!tokens_match(&t, ""));
        assert!(!tokens_match("", ""));
    }
}
