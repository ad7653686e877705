//! Encryption of people's provider tokens at rest (XChaCha20-Poly1305, a random nonce per value):
//! a copy of the database alone does not let anyone act as them on GitHub.

use base64::Engine;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

#[derive(Clone)]
pub struct TokenKey(XChaCha20Poly1305);

impl std::fmt::Debug for TokenKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenKey(****)")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TokenKeyError {
    #[error("must be 32 bytes, base64-encoded (e.g. `openssl rand -base64 32`)")]
    Malformed,
    #[error("a stored token could not be decrypted (wrong key, or the row was altered)")]
    Decrypt,
}

impl TokenKey {
    pub fn from_base64(raw: &str) -> Result<Self, TokenKeyError> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(raw.trim())
            .map_err(|_| TokenKeyError::Malformed)?;
        let key: [u8; 32] = bytes.try_into().map_err(|_| TokenKeyError::Malformed)?;
        Ok(Self(XChaCha20Poly1305::new(&key.into())))
    }

    /// Nonce (24 bytes) followed by the ciphertext.
    pub fn seal(&self, plain: &str) -> Vec<u8> {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        // Encrypting into a Vec cannot fail for inputs of this size.
        let sealed = self.0.encrypt(&nonce, plain.as_bytes()).unwrap_or_default();
        [nonce.as_slice(), &sealed].concat()
    }

    pub fn open(&self, sealed: &[u8]) -> Result<String, TokenKeyError> {
        if sealed.len() < 24 {
            return Err(TokenKeyError::Decrypt);
        }
        let (nonce, body) = sealed.split_at(24);
        let plain = self
            .0
            .decrypt(XNonce::from_slice(nonce), body)
            .map_err(|_| TokenKeyError::Decrypt)?;
        String::from_utf8(plain).map_err(|_| TokenKeyError::Decrypt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_with_fresh_nonces_and_tamper_detection() {
        let key =
            TokenKey::from_base64(&base64::engine::general_purpose::STANDARD.encode([7u8; 32]))
                .unwrap();
        let a = key.seal("ghu_secret");
        let b = key.seal("ghu_secret");
        assert_ne!(a, b, "a fresh nonce each time");
        assert_eq!(key.open(&a).unwrap(), "ghu_secret");
        let mut tampered = a.clone();
        tampered[30] ^= 1;
        assert!(key.open(&tampered).is_err());
        assert!(TokenKey::from_base64("c2hvcnQ=").is_err());
        assert_eq!(format!("{key:?}"), "TokenKey(****)");
    }
}
