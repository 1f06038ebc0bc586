//! Signing keys: generation (ring), the public JWK and its RFC 7638 thumbprint (the `kid`),
//! and signing (compact JWS; the raw signatures COSE uses).

use ring::rand::SystemRandom;
use ring::signature::{EcdsaKeyPair, Ed25519KeyPair, KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
use serde_json::{json, Value};

use gatepass::Algorithm;

/// Why a key could not be made, read or used.
#[derive(Debug, thiserror::Error)]
pub enum SignerError {
    /// The operating system gave no randomness.
    #[error("no randomness available")]
    NoRandomness,
    /// PKCS#8 bytes that are not a key of the algorithm.
    #[error("not {expected} key: {reason}")]
    NotAKey {
        /// "an Ed25519" or "a P-256".
        expected: &'static str,
        /// ring's reason.
        reason: ring::error::KeyRejected,
    },
    /// The public JWK has no RFC 7638 thumbprint (cannot happen for the keys made here).
    #[error("the public key has no thumbprint")]
    NoThumbprint,
    /// ECDSA signing failed (no randomness).
    #[error("signing failed")]
    Signing,
}

enum Pair {
    Ed(Ed25519KeyPair),
    Es(EcdsaKeyPair),
}

/// A private key ready to sign.
pub struct SigningKey {
    pair: Pair,
    kid: String,
    jwk: Value,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .finish()
    }
}

fn b64(bytes: &[u8]) -> String {
    gatepass::base64url_encode(bytes)
}

impl SigningKey {
    /// A fresh key; returns it with its PKCS#8 bytes (to be sealed under the KEK).
    ///
    /// # Errors
    /// No randomness.
    pub fn generate(alg: Algorithm) -> Result<(SigningKey, Vec<u8>), SignerError> {
        let rng = SystemRandom::new();
        let pkcs8 = match alg {
            Algorithm::EdDsa => Ed25519KeyPair::generate_pkcs8(&rng),
            Algorithm::Es256 => {
                EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
            }
        }
        .map_err(|_| SignerError::NoRandomness)?;
        let key = SigningKey::from_pkcs8(alg, pkcs8.as_ref())?;
        Ok((key, pkcs8.as_ref().to_vec()))
    }

    /// From PKCS#8 bytes.
    ///
    /// # Errors
    /// Bytes that are not a key of `alg`.
    pub fn from_pkcs8(alg: Algorithm, pkcs8: &[u8]) -> Result<SigningKey, SignerError> {
        let (pair, mut jwk) = match alg {
            Algorithm::EdDsa => {
                let pair =
                    Ed25519KeyPair::from_pkcs8(pkcs8).map_err(|reason| SignerError::NotAKey {
                        expected: "an Ed25519",
                        reason,
                    })?;
                let jwk =
                    json!({"kty": "OKP", "crv": "Ed25519", "x": b64(pair.public_key().as_ref())});
                (Pair::Ed(pair), jwk)
            }
            Algorithm::Es256 => {
                let pair = EcdsaKeyPair::from_pkcs8(
                    &ECDSA_P256_SHA256_FIXED_SIGNING,
                    pkcs8,
                    &SystemRandom::new(),
                )
                .map_err(|reason| SignerError::NotAKey {
                    expected: "a P-256",
                    reason,
                })?;
                let point = pair.public_key().as_ref();
                let jwk = json!({"kty": "EC", "crv": "P-256", "x": b64(&point[1..33]), "y": b64(&point[33..65])});
                (Pair::Es(pair), jwk)
            }
        };
        let kid = gatepass::jwk_thumbprint(&jwk).ok_or(SignerError::NoThumbprint)?;
        jwk["kid"] = json!(kid);
        jwk["alg"] = json!(alg.jose_name());
        jwk["use"] = json!("sig");
        Ok(SigningKey { pair, kid, jwk })
    }

    /// The RFC 7638 thumbprint.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The public JWK (with `kid`, `alg`, `use`).
    pub fn public_jwk(&self) -> &Value {
        &self.jwk
    }

    /// The JOSE `alg`.
    pub fn alg(&self) -> &'static str {
        match self.pair {
            Pair::Ed(_) => "EdDSA",
            Pair::Es(_) => "ES256",
        }
    }

    /// A compact JWS of `payload` with header `{"alg","typ","kid"}`.
    ///
    /// # Errors
    /// Only if ECDSA signing fails (no randomness).
    pub fn sign_jws(&self, typ: &str, payload: &Value) -> Result<String, SignerError> {
        let header = json!({"alg": self.alg(), "typ": typ, "kid": self.kid});
        let input = format!(
            "{}.{}",
            b64(header.to_string().as_bytes()),
            b64(payload.to_string().as_bytes())
        );
        let signature = self.sign(input.as_bytes())?;
        Ok(format!("{input}.{}", b64(&signature)))
    }

    /// The algorithm.
    pub fn algorithm(&self) -> Algorithm {
        match self.pair {
            Pair::Ed(_) => Algorithm::EdDsa,
            Pair::Es(_) => Algorithm::Es256,
        }
    }

    /// The raw signature of `message`: 64 bytes for Ed25519, `r || s` for ES256 (the form JWS
    /// and COSE both use).
    ///
    /// # Errors
    /// Only if ECDSA signing fails (no randomness).
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignerError> {
        Ok(match &self.pair {
            Pair::Ed(k) => k.sign(message).as_ref().to_vec(),
            Pair::Es(k) => k
                .sign(&SystemRandom::new(), message)
                .map_err(|_| SignerError::Signing)?
                .as_ref()
                .to_vec(),
        })
    }
}
