//! The fixed keys of the vectors, derived from fixed labels so every run signs the same bytes.
//! Ed25519 signatures are deterministic by design; ES256 ones use RFC 6979 (the `p256` crate).

use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use ring::signature::{Ed25519KeyPair, KeyPair};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

pub fn b64(bytes: &[u8]) -> String {
    gatepass::base64url_encode(bytes)
}

fn seed(label: &str) -> [u8; 32] {
    Sha256::digest(label.as_bytes()).into()
}

pub enum Key {
    Ed(Ed25519KeyPair),
    Es(SigningKey),
}

impl Key {
    pub fn ed(label: &str) -> Key {
        Key::Ed(Ed25519KeyPair::from_seed_unchecked(&seed(label)).expect("seed"))
    }

    pub fn es(label: &str) -> Key {
        Key::Es(SigningKey::from_slice(&seed(label)).expect("scalar"))
    }

    /// The public JWK without `kid`/`alg`.
    fn public_members(&self) -> Value {
        match self {
            Key::Ed(k) => {
                json!({"kty": "OKP", "crv": "Ed25519", "x": b64(k.public_key().as_ref())})
            }
            Key::Es(k) => {
                let point = k.verifying_key().to_encoded_point(false);
                json!({"kty": "EC", "crv": "P-256", "x": b64(point.x().expect("x")), "y": b64(point.y().expect("y"))})
            }
        }
    }

    pub fn kid(&self) -> String {
        gatepass::jwk_thumbprint(&self.public_members()).expect("thumbprint")
    }

    pub fn alg(&self) -> &'static str {
        match self {
            Key::Ed(_) => "EdDSA",
            Key::Es(_) => "ES256",
        }
    }

    /// The public JWK as the issuer publishes it.
    pub fn jwk(&self) -> Value {
        let mut jwk = self.public_members();
        jwk["kid"] = json!(self.kid());
        jwk["alg"] = json!(self.alg());
        jwk["use"] = json!("sig");
        jwk
    }

    /// The JWS signature bytes (Ed25519: R || S; ES256: r || s).
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        match self {
            Key::Ed(k) => k.sign(message).as_ref().to_vec(),
            Key::Es(k) => {
                let sig: Signature = k.sign(message);
                sig.to_bytes().to_vec()
            }
        }
    }

    /// ES256 only: the same signature DER-encoded (what JWS forbids).
    pub fn sign_der(&self, message: &[u8]) -> Vec<u8> {
        match self {
            Key::Es(k) => {
                let sig: Signature = k.sign(message);
                sig.to_der().as_bytes().to_vec()
            }
            Key::Ed(_) => unreachable!("DER is an ECDSA form"),
        }
    }

    /// Ed25519 only: the private seed as a JWK `d` (for the "private key in JWKS" case).
    pub fn private_d(label: &str) -> String {
        b64(&seed(label))
    }
}

pub fn jwks(keys: &[Value]) -> String {
    json!({ "keys": keys }).to_string()
}

pub fn b64_decode(text: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text)
        .expect("base64url")
}
