//! JWK Sets (RFC 7517): reading the issuer's published keys into a [`KeySet`], and
//! RFC 7638 thumbprints (gatepass uses the thumbprint as every key's `kid`).
//!
//! Rules (docs/protocol.md, "Key and list inputs"): a set that is not JSON, or that holds private or
//! symmetric key material, or a small-order Ed25519 key, is a configuration error; keys of
//! other types (RSA, X25519, P-384, …) are ignored. A key's algorithm is its `alg` when
//! present, otherwise the one algorithm gatepass uses with its `kty`/`crv`.

use std::collections::HashMap;

use aws_lc_rs::digest;
use serde_json::{Map, Value};

use crate::algorithm::Algorithm;
use crate::crypto::ed25519::{Ed25519Key, KeyProblem};
use crate::crypto::es256::P256Key;
use crate::error::ConfigError;
use crate::{b64, json};

/// Members that only private or symmetric JWKs carry (RFC 7518 §6.2.2, §6.3.2, §6.4.1; RFC 8037 §2).
const PRIVATE_MEMBERS: [&str; 9] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k", "priv"];

/// The verification material of one key.
pub(crate) enum KeyMaterial {
    Ed25519(Ed25519Key),
    P256(P256Key),
}

/// One usable public key.
pub(crate) struct VerifyingKey {
    /// What the key's `kty`/`crv` can do.
    pub(crate) family: Algorithm,
    /// The key's `alg`, if it names one; `Err` holds an `alg` gatepass does not accept.
    declared: Option<Result<Algorithm, ()>>,
    pub(crate) material: KeyMaterial,
}

impl VerifyingKey {
    /// True when a token signed with `alg` may use this key: `kty`/`crv` and `alg` agree.
    pub(crate) fn accepts(&self, alg: Algorithm) -> bool {
        self.published() == Some(alg)
    }

    /// The algorithm this key publishes: its `alg`, or the one its type implies; `None` when
    /// its `alg` contradicts its type or is not one gatepass accepts.
    fn published(&self) -> Option<Algorithm> {
        match self.declared {
            None => Some(self.family),
            Some(Ok(alg)) if alg == self.family => Some(alg),
            Some(_) => None,
        }
    }

    /// Checks `signature` over `message`.
    pub(crate) fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        match &self.material {
            KeyMaterial::Ed25519(k) => k.verify(message, signature),
            KeyMaterial::P256(k) => k.verify(message, signature),
        }
    }
}

/// The usable keys of a JWKS, by `kid`.
pub struct KeySet {
    keys: HashMap<String, VerifyingKey>,
    published: Vec<Algorithm>,
}

impl KeySet {
    /// Reads a JWKS document (`{"keys": [...]}`).
    ///
    /// # Errors
    /// [`ConfigError`] for invalid JSON, private or symmetric keys, malformed Ed25519/P-256
    /// keys, small-order Ed25519 keys, duplicate `kid`s, or a set without any usable key.
    pub fn from_json(bytes: &[u8]) -> Result<KeySet, ConfigError> {
        let doc = json::parse(bytes)
            .map_err(|e| ConfigError::new(format!("JWKS is not valid JSON: {e}")))?;
        let keys = doc
            .get("keys")
            .and_then(Value::as_array)
            .ok_or_else(|| ConfigError::new("JWKS must be a JSON object with a \"keys\" array"))?;
        let mut set = KeySet {
            keys: HashMap::new(),
            published: Vec::new(),
        };
        for (i, jwk) in keys.iter().enumerate() {
            let jwk = jwk
                .as_object()
                .ok_or_else(|| ConfigError::new(format!("JWKS key #{i} is not a JSON object")))?;
            let Some((kid, key)) =
                read_key(jwk).map_err(|e| e.context(format!("JWKS key #{i}")))?
            else {
                continue;
            };
            if let Some(alg) = key.published() {
                if !set.published.contains(&alg) {
                    set.published.push(alg);
                }
            }
            if set.keys.insert(kid.clone(), key).is_some() {
                return Err(ConfigError::new(format!("JWKS names kid \"{kid}\" twice")));
            }
        }
        if set.keys.is_empty() {
            return Err(ConfigError::new(
                "JWKS holds no Ed25519 or P-256 signing key",
            ));
        }
        Ok(set)
    }

    /// The key with this `kid`.
    pub(crate) fn get(&self, kid: &str) -> Option<&VerifyingKey> {
        self.keys.get(kid)
    }

    /// True when some key of the set is published for `alg`.
    pub(crate) fn publishes(&self, alg: Algorithm) -> bool {
        self.published.contains(&alg)
    }

    /// How many usable keys the set holds.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// True when the set holds no usable key (never the case for a set built by `from_json`).
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The `kid`s of the usable keys, sorted.
    pub fn kids(&self) -> Vec<&str> {
        let mut kids: Vec<&str> = self.keys.keys().map(String::as_str).collect();
        kids.sort_unstable();
        kids
    }
}

impl std::fmt::Debug for KeySet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeySet")
            .field("kids", &self.kids())
            .field("algorithms", &self.published)
            .finish()
    }
}

/// One JWK: `Ok(None)` when it is of a type gatepass ignores.
fn read_key(jwk: &Map<String, Value>) -> Result<Option<(String, VerifyingKey)>, ConfigError> {
    if let Some(m) = PRIVATE_MEMBERS.iter().find(|m| jwk.contains_key(**m)) {
        return Err(ConfigError::new(format!(
            "holds private or symmetric key material (\"{m}\"); publish public keys only"
        )));
    }
    let kty = str_member(jwk, "kty")?.ok_or_else(|| ConfigError::new("has no \"kty\""))?;
    if kty == "oct" {
        return Err(ConfigError::new(
            "is a symmetric (\"oct\") key; gatepass verifies only Ed25519 and ES256",
        ));
    }
    if str_member(jwk, "use")?.is_some_and(|u| u != "sig") {
        return Ok(None);
    }
    let crv = str_member(jwk, "crv")?;
    let family = match (kty, crv) {
        ("OKP", Some("Ed25519")) => Algorithm::EdDsa,
        ("EC", Some("P-256")) => Algorithm::Es256,
        _ => return Ok(None),
    };
    let Some(kid) = str_member(jwk, "kid")? else {
        // Every gatepass token names its key; a key without a kid can never be selected.
        return Ok(None);
    };
    let declared = str_member(jwk, "alg")?.map(|a| Algorithm::from_jose(a).ok_or(()));
    let material = match family {
        Algorithm::EdDsa => {
            let x = coordinate(jwk, "x")?;
            let key = Ed25519Key::from_bytes(&x).map_err(|p| match p {
                KeyProblem::WrongLength => ConfigError::new("Ed25519 \"x\" must be 32 bytes"),
                KeyProblem::SmallOrder => ConfigError::new("Ed25519 key is a point of small order"),
                KeyProblem::Rejected => ConfigError::new("Ed25519 key was rejected"),
            })?;
            KeyMaterial::Ed25519(key)
        }
        Algorithm::Es256 => {
            let (x, y) = (coordinate(jwk, "x")?, coordinate(jwk, "y")?);
            let key = P256Key::from_coordinates(&x, &y).ok_or_else(|| {
                ConfigError::new("P-256 \"x\"/\"y\" are not a point on the curve")
            })?;
            KeyMaterial::P256(key)
        }
    };
    Ok(Some((
        kid.to_owned(),
        VerifyingKey {
            family,
            declared,
            material,
        },
    )))
}

fn str_member<'a>(jwk: &'a Map<String, Value>, name: &str) -> Result<Option<&'a str>, ConfigError> {
    match jwk.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(ConfigError::new(format!("\"{name}\" must be a string"))),
    }
}

fn coordinate(jwk: &Map<String, Value>, name: &str) -> Result<Vec<u8>, ConfigError> {
    let text =
        str_member(jwk, name)?.ok_or_else(|| ConfigError::new(format!("has no \"{name}\"")))?;
    b64::decode(text.as_bytes())
        .ok_or_else(|| ConfigError::new(format!("\"{name}\" is not canonical base64url")))
}

/// The RFC 7638 thumbprint (SHA-256, base64url) of an Ed25519 or P-256 public JWK, or `None`
/// for another key type or a JWK missing a required member.
pub fn jwk_thumbprint(jwk: &Value) -> Option<String> {
    let member = |name: &str| jwk.get(name).and_then(Value::as_str);
    let (kty, crv, x) = (member("kty")?, member("crv")?, member("x")?);
    // Required members only, in lexicographic order, no whitespace (RFC 7638 §3.2).
    let canonical = match kty {
        "OKP" => serde_json::json!({"crv": crv, "kty": kty, "x": x}),
        "EC" => serde_json::json!({"crv": crv, "kty": kty, "x": x, "y": member("y")?}),
        _ => return None,
    };
    let text = serde_json::to_string(&canonical).ok()?;
    Some(b64::encode(
        digest::digest(&digest::SHA256, text.as_bytes()).as_ref(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    // RFC 8037 appendix A.2: the Ed25519 test key.
    const RFC8037_X: &str = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";

    fn set(keys: Value) -> Result<KeySet, ConfigError> {
        KeySet::from_json(json!({ "keys": keys }).to_string().as_bytes())
    }

    #[test]
    fn rfc8037_thumbprint() {
        // RFC 8037 appendix A.3.
        let jwk = json!({"kty": "OKP", "crv": "Ed25519", "x": RFC8037_X});
        assert_eq!(
            jwk_thumbprint(&jwk).as_deref(),
            Some("kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k")
        );
    }

    #[test]
    fn rfc7638_thumbprint_ignores_extra_members_and_order() {
        let a = json!({"kty": "OKP", "crv": "Ed25519", "x": RFC8037_X, "alg": "EdDSA", "kid": "k"});
        let b = json!({"x": RFC8037_X, "crv": "Ed25519", "kty": "OKP"});
        assert_eq!(jwk_thumbprint(&a), jwk_thumbprint(&b));
        assert_eq!(
            jwk_thumbprint(&json!({"kty": "RSA", "n": "x", "e": "AQAB"})),
            None
        );
    }

    #[test]
    fn reads_ed25519_and_infers_algorithm() {
        let ks =
            set(json!([{"kty": "OKP", "crv": "Ed25519", "x": RFC8037_X, "kid": "a"}])).unwrap();
        assert_eq!(ks.kids(), ["a"]);
        assert!(ks.publishes(Algorithm::EdDsa));
        assert!(!ks.publishes(Algorithm::Es256));
        assert!(ks.get("a").unwrap().accepts(Algorithm::EdDsa));
    }

    #[test]
    fn a_key_whose_alg_contradicts_its_type_publishes_nothing() {
        let ks = set(json!([
            {"kty": "OKP", "crv": "Ed25519", "x": RFC8037_X, "kid": "a", "alg": "ES256"},
        ]))
        .unwrap();
        assert!(!ks.publishes(Algorithm::EdDsa));
        assert!(!ks.publishes(Algorithm::Es256));
        assert!(!ks.get("a").unwrap().accepts(Algorithm::EdDsa));
    }

    #[test]
    fn ignores_foreign_key_types_and_encryption_keys() {
        let ks = set(json!([
            {"kty": "RSA", "n": "AQAB", "e": "AQAB", "kid": "rsa"},
            {"kty": "OKP", "crv": "X25519", "x": RFC8037_X, "kid": "x"},
            {"kty": "OKP", "crv": "Ed25519", "x": RFC8037_X, "kid": "enc", "use": "enc"},
            {"kty": "OKP", "crv": "Ed25519", "x": RFC8037_X, "kid": "ok"},
        ]))
        .unwrap();
        assert_eq!(ks.kids(), ["ok"]);
    }

    #[test]
    fn configuration_errors_name_the_problem() {
        let cases = [
            (
                json!([{"kty": "OKP", "crv": "Ed25519", "x": RFC8037_X, "kid": "a", "d": "AAAA"}]),
                "private",
            ),
            (
                json!([{"kty": "oct", "k": "c2VjcmV0", "kid": "a"}]),
                "private or symmetric",
            ),
            (json!([{"kty": "oct", "kid": "a"}]), "symmetric"),
            (
                json!([{"kty": "OKP", "crv": "Ed25519", "x": b64::encode(&[0u8; 32]), "kid": "a"}]),
                "small order",
            ),
            (
                json!([{"kty": "OKP", "crv": "Ed25519", "x": "AAAA", "kid": "a"}]),
                "32 bytes",
            ),
            (
                json!([{"kty": "EC", "crv": "P-256", "x": b64::encode(&[1; 32]), "y": b64::encode(&[2; 32]), "kid": "a"}]),
                "curve",
            ),
            (
                json!([{"kty": "RSA", "kid": "a", "n": "AQAB", "e": "AQAB"}]),
                "no Ed25519 or P-256",
            ),
            (
                json!([
                    {"kty": "OKP", "crv": "Ed25519", "x": RFC8037_X, "kid": "a"},
                    {"kty": "OKP", "crv": "Ed25519", "x": RFC8037_X, "kid": "a"},
                ]),
                "twice",
            ),
        ];
        for (keys, needle) in cases {
            let err = set(keys.clone())
                .err()
                .unwrap_or_else(|| panic!("accepted {keys}"));
            assert!(
                err.message().contains(needle),
                "{err} should mention {needle}"
            );
        }
        assert!(KeySet::from_json(b"not json")
            .unwrap_err()
            .message()
            .contains("not valid JSON"));
        assert!(KeySet::from_json(br#"{"keys": 1}"#).is_err());
        assert!(KeySet::from_json(br#"{"keys": [], "keys": []}"#).is_err());
    }
}
