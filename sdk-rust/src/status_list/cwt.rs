//! The status list token in CWT form (draft-ietf-oauth-status-list §5.2, RFC 8392, COSE_Sign1
//! of RFC 9052 §4.2): the same claims as the JWT form, but `lst` is the zlib bytes themselves,
//! not base64url inside base64url. A 1,048,576-entry list with 1% revoked is then about the
//! size of its compressed bits (the JWT form is ~1.3× that even after gzip).
//!
//! Read as strictly as the JWT form (jws.rs): the protected header holds exactly `alg` (1),
//! `kid` (4) and `typ` (16); the unprotected header is empty; the payload is attached; keys
//! come only from the key set; the claims map has no duplicate keys; nothing follows the item.

use ciborium::value::{Integer, Value};

use crate::algorithm::Algorithm;
use crate::jwks::KeySet;

/// The `typ` (COSE header 16, RFC 9596) and media type of a status list CWT.
pub const STATUS_LIST_CWT_TYPE: &str = "application/statuslist+cwt";
/// The short form of [`STATUS_LIST_CWT_TYPE`] some issuers write; accepted when reading.
const SHORT_TYPE: &str = "statuslist+cwt";

/// COSE_Sign1 tag (RFC 9052 §4.2) and CWT tag (RFC 8392 §6).
const TAG_SIGN1: u64 = 18;
const TAG_CWT: u64 = 61;
/// Header labels (RFC 9052 §3.1, RFC 9596).
const ALG: i64 = 1;
const KID: i64 = 4;
const TYP: i64 = 16;
/// Claim keys (RFC 8392 §4; draft-ietf-oauth-status-list §5.2).
const SUB: i64 = 2;
const EXP: i64 = 4;
const IAT: i64 = 6;
const STATUS_LIST: i64 = 65533;
const TTL: i64 = 65534;
/// gatepass's list version, a text-keyed private claim as in the JWT form.
const VERSION: &str = "version";

/// The claims of a status list token, in either form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListClaims<'a> {
    /// `sub`: the URI the list is published under.
    pub sub: &'a str,
    /// `iat`.
    pub iat: i64,
    /// `exp`, if any.
    pub exp: Option<i64>,
    /// `ttl` in seconds, if any.
    pub ttl: Option<u64>,
    /// gatepass's `version`, if any.
    pub version: Option<u64>,
    /// `status_list.bits`.
    pub bits: u8,
    /// `status_list.lst`: the zlib-compressed status bytes.
    pub lst: &'a [u8],
}

impl ListClaims<'_> {
    /// The claims as the JWT form carries them (draft §5.1): `lst` base64url-encoded, absent
    /// optional claims left out. Sign with `typ` `statuslist+jwt`.
    pub fn to_json(&self) -> serde_json::Value {
        let mut claims = serde_json::json!({
            "sub": self.sub,
            "iat": self.iat,
            "status_list": {"bits": self.bits, "lst": crate::b64::encode(self.lst)},
        });
        for (name, value) in [
            ("exp", self.exp.map(serde_json::Value::from)),
            ("ttl", self.ttl.map(serde_json::Value::from)),
            (VERSION, self.version.map(serde_json::Value::from)),
        ] {
            if let Some(value) = value {
                claims[name] = value;
            }
        }
        claims
    }
}

/// Builds the status list CWT for `claims`, signed by `sign` (which signs the bytes it is
/// given with the key `kid` of algorithm `alg`, returning the raw signature: 64 bytes for
/// Ed25519, `r || s` for ES256, as in JWS).
///
/// # Errors
/// Whatever `sign` returns.
pub fn sign_cwt<E>(
    claims: &ListClaims<'_>,
    alg: Algorithm,
    kid: &str,
    sign: impl FnOnce(&[u8]) -> Result<Vec<u8>, E>,
) -> Result<Vec<u8>, E> {
    let protected = to_bytes(&Value::Map(vec![
        (int(ALG), int(alg.cose_id())),
        (int(KID), Value::Bytes(kid.as_bytes().to_vec())),
        (int(TYP), Value::Text(STATUS_LIST_CWT_TYPE.into())),
    ]));
    let mut map = vec![(int(SUB), Value::Text(claims.sub.into()))];
    map.push((int(IAT), int(claims.iat)));
    if let Some(exp) = claims.exp {
        map.push((int(EXP), int(exp)));
    }
    if let Some(ttl) = claims.ttl {
        map.push((int(TTL), Value::Integer(ttl.into())));
    }
    if let Some(version) = claims.version {
        map.push((Value::Text(VERSION.into()), Value::Integer(version.into())));
    }
    map.push((
        int(STATUS_LIST),
        Value::Map(vec![
            (
                Value::Text("bits".into()),
                Value::Integer(claims.bits.into()),
            ),
            (Value::Text("lst".into()), Value::Bytes(claims.lst.to_vec())),
        ]),
    ));
    let payload = to_bytes(&Value::Map(map));
    let signature = sign(&sig_structure(&protected, &payload))?;
    Ok(to_bytes(&Value::Tag(
        TAG_SIGN1,
        Box::new(Value::Array(vec![
            Value::Bytes(protected),
            Value::Map(Vec::new()),
            Value::Bytes(payload),
            Value::Bytes(signature),
        ])),
    )))
}

/// The claims of a verified status list CWT, owned.
#[derive(Debug)]
pub(crate) struct OwnedClaims {
    pub(crate) sub: String,
    pub(crate) iat: i64,
    pub(crate) exp: Option<i64>,
    pub(crate) ttl: Option<u64>,
    pub(crate) version: Option<u64>,
    pub(crate) bits: u64,
    pub(crate) lst: Vec<u8>,
}

/// Checks a status list CWT against `keys` and reads its claims. The message says what is
/// wrong.
pub(crate) fn open_cwt(bytes: &[u8], keys: &KeySet) -> Result<OwnedClaims, String> {
    let mut item = from_bytes(bytes).ok_or("is not one well-formed CBOR item")?;
    // Optionally tagged as a CWT, then as a COSE_Sign1 (RFC 8392 §6, RFC 9052 §2).
    if let Value::Tag(TAG_CWT, inner) = item {
        item = *inner;
    }
    if let Value::Tag(TAG_SIGN1, inner) = item {
        item = *inner;
    }
    let Value::Array(parts) = item else {
        return Err("is not a COSE_Sign1 (an array of four)".into());
    };
    let [Value::Bytes(protected), Value::Map(unprotected), Value::Bytes(payload), Value::Bytes(signature)] =
        <[Value; 4]>::try_from(parts).map_err(|_| "is not a COSE_Sign1 (an array of four)")?
    else {
        return Err(
            "is not a COSE_Sign1 of a protected header, a header map, a payload and a signature"
                .into(),
        );
    };
    if !unprotected.is_empty() {
        return Err("has an unprotected header; gatepass reads only protected ones".into());
    }
    let header = from_bytes(&protected)
        .and_then(|v| into_map(v).ok())
        .filter(|m| m.len() == 3)
        .ok_or("protected header must be a map of exactly alg (1), kid (4) and typ (16)")?;
    let (mut alg, mut kid, mut typ) = (None, None, None);
    for (label, value) in header {
        match (
            label.as_integer().and_then(|i| i64::try_from(i).ok()),
            value,
        ) {
            (Some(ALG), Value::Integer(id)) => alg = i64::try_from(id).ok(),
            (Some(KID), Value::Bytes(k)) => kid = String::from_utf8(k).ok(),
            (Some(TYP), Value::Text(t)) => typ = Some(t),
            _ => {}
        }
    }
    let (Some(alg), Some(kid), Some(typ)) = (alg, kid, typ) else {
        return Err(
            "protected header must hold an integer alg (1), a UTF-8 kid (4) and a text typ (16)"
                .into(),
        );
    };
    let alg = Algorithm::from_cose(alg)
        .filter(|a| keys.publishes(*a))
        .ok_or("its algorithm is not one this issuer signs with (unsupported_algorithm)")?;
    if typ != STATUS_LIST_CWT_TYPE && typ != SHORT_TYPE {
        return Err(format!(
            "its typ is {typ:?}, not {STATUS_LIST_CWT_TYPE:?} (wrong_type)"
        ));
    }
    let key = keys
        .get(&kid)
        .ok_or("no published key has its kid (unknown_key)")?;
    if !key.accepts(alg) {
        return Err("its algorithm does not match its key (unsupported_algorithm)".into());
    }
    if !key.verify(&sig_structure(&protected, &payload), &signature) {
        return Err("its signature is not valid (bad_signature)".into());
    }
    read_claims(&payload)
}

/// The claims map, once the signature is known good.
pub(crate) fn read_claims(payload: &[u8]) -> Result<OwnedClaims, String> {
    let map = from_bytes(payload)
        .ok_or("payload is not one well-formed CBOR item")
        .and_then(|v| into_map(v).map_err(|e| e.0))?;
    let (mut sub, mut iat, mut exp, mut ttl, mut version, mut list) =
        (None, None, None, None, None, None);
    for (key, value) in map {
        let label = match &key {
            Value::Integer(i) => i64::try_from(*i).ok(),
            Value::Text(t) if t == VERSION => {
                version = Some(uint(&value).ok_or("\"version\" must be an unsigned integer")?);
                continue;
            }
            _ => None,
        };
        match label {
            Some(SUB) => sub = Some(text(value).ok_or("sub (2) must be text")?),
            Some(IAT) => iat = Some(signed(&value).ok_or("iat (6) must be an integer")?),
            Some(EXP) => exp = Some(signed(&value).ok_or("exp (4) must be an integer")?),
            Some(TTL) => ttl = Some(uint(&value).ok_or("ttl (65534) must be an unsigned integer")?),
            Some(STATUS_LIST) => list = Some(value),
            _ => {} // other claims are allowed (§5.2) and not used
        }
    }
    let list = list
        .ok_or("status_list (65533) is missing")
        .and_then(|v| into_map(v).map_err(|_| "status_list (65533) must be a map"))?;
    let (mut bits, mut lst) = (None, None);
    for (key, value) in list {
        match (key.as_text(), value) {
            (Some("bits"), v) => bits = uint(&v),
            (Some("lst"), Value::Bytes(b)) => lst = Some(b),
            _ => {}
        }
    }
    Ok(OwnedClaims {
        sub: sub.ok_or("sub (2) is missing")?,
        iat: iat.ok_or("iat (6) is missing")?,
        exp,
        ttl,
        version,
        bits: bits.ok_or("status_list.bits must be 1, 2, 4 or 8")?,
        lst: lst.ok_or("status_list.lst must be a byte string")?,
    })
}

/// A CBOR map, refused when a key appears twice (as duplicate JSON members are).
struct Duplicate(&'static str);

fn into_map(value: Value) -> Result<Vec<(Value, Value)>, Duplicate> {
    let Value::Map(entries) = value else {
        return Err(Duplicate("payload must be a map"));
    };
    for (i, (key, _)) in entries.iter().enumerate() {
        if entries[..i].iter().any(|(k, _)| k == key) {
            return Err(Duplicate("a map holds the same key twice"));
        }
    }
    Ok(entries)
}

fn int(i: i64) -> Value {
    Value::Integer(Integer::from(i))
}

fn signed(value: &Value) -> Option<i64> {
    value.as_integer().and_then(|i| i64::try_from(i).ok())
}

fn uint(value: &Value) -> Option<u64> {
    value.as_integer().and_then(|i| u64::try_from(i).ok())
}

fn text(value: Value) -> Option<String> {
    match value {
        Value::Text(t) => Some(t),
        _ => None,
    }
}

/// `Sig_structure` for COSE_Sign1 (RFC 9052 §4.4): what is signed.
fn sig_structure(protected: &[u8], payload: &[u8]) -> Vec<u8> {
    to_bytes(&Value::Array(vec![
        Value::Text("Signature1".into()),
        Value::Bytes(protected.to_vec()),
        Value::Bytes(Vec::new()),
        Value::Bytes(payload.to_vec()),
    ]))
}

fn to_bytes(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    // Writing into a Vec cannot fail.
    let _ = ciborium::ser::into_writer(value, &mut out);
    out
}

/// Exactly one CBOR item and nothing after it.
fn from_bytes(bytes: &[u8]) -> Option<Value> {
    let mut rest = bytes;
    let value = ciborium::de::from_reader(&mut rest).ok()?;
    rest.is_empty().then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(lst: &[u8]) -> ListClaims<'_> {
        ListClaims {
            sub: "https://issuer.example/v1/status-lists/1",
            iat: 1_700_000_000,
            exp: Some(1_700_086_400),
            ttl: Some(60),
            version: Some(7),
            bits: 1,
            lst,
        }
    }

    #[test]
    fn protected_header_has_the_drafts_shape() {
        let cwt = sign_cwt(&claims(b"x"), Algorithm::Es256, "k1", |_| {
            Ok::<_, ()>(vec![0; 64])
        })
        .unwrap();
        // Tag 18, an array of four, then a byte string holding {1: -7, 4: h'6b31', 16: "application/statuslist+cwt"}.
        assert_eq!(&cwt[..3], &[0xd2, 0x84, 0x58]);
        let header = &cwt[4..4 + usize::from(cwt[3])];
        assert_eq!(
            &header[..8],
            &[0xa3, 0x01, 0x26, 0x04, 0x42, b'k', b'1', 0x10]
        );
        assert!(header.ends_with(STATUS_LIST_CWT_TYPE.as_bytes()));
    }

    #[test]
    fn the_jwt_form_carries_the_same_claims() {
        let c = claims(b"zz");
        assert_eq!(
            c.to_json(),
            serde_json::json!({"sub": c.sub, "iat": 1_700_000_000, "exp": 1_700_086_400, "ttl": 60,
                "version": 7, "status_list": {"bits": 1, "lst": "eno"}})
        );
        let bare = ListClaims {
            exp: None,
            ttl: None,
            version: None,
            ..c
        };
        let json = bare.to_json();
        assert!(
            json.get("exp").is_none() && json.get("ttl").is_none() && json.get("version").is_none()
        );
    }

    #[test]
    fn duplicate_keys_and_trailing_bytes_are_refused() {
        let twice = Value::Map(vec![(int(2), int(1)), (int(2), int(1))]);
        assert!(into_map(twice).is_err());
        let one = to_bytes(&int(1));
        assert!(from_bytes(&one).is_some());
        assert!(from_bytes(&[one.as_slice(), &[0]].concat()).is_none());
    }
}
