//! The CWT form of status list tokens (draft-ietf-oauth-status-list §5.2): what the core signs
//! verifies in both algorithms and carries the same statuses; everything it does not sign, or
//! signs for another list, is refused; offline verifiers take it like a JWT.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

#[path = "../examples/gen_vectors/keys.rs"]
mod keys;

use ciborium::value::Value;
use gatepass::status_list::{sign_cwt, ListClaims, LoadedList, StatusList};
use gatepass::{Algorithm, KeySet};
use keys::Key;

const URI: &str = "https://issuer.example/v1/status-lists/1";

fn list() -> StatusList {
    let mut list = StatusList::new(1, 4096).unwrap();
    for idx in [3, 70, 4095] {
        list.set(idx, 1).unwrap();
    }
    list
}

fn cwt_by(key: &Key, edit: impl FnOnce(&mut ListClaims<'_>)) -> Vec<u8> {
    let lst = list().compress();
    let mut claims = ListClaims {
        sub: URI,
        iat: 1_700_000_000,
        exp: Some(1_700_086_400),
        ttl: Some(300),
        version: Some(12),
        bits: 1,
        lst: &lst,
    };
    edit(&mut claims);
    let alg = Algorithm::from_jose(key.alg()).unwrap();
    sign_cwt(&claims, alg, &key.kid(), |m| Ok::<_, ()>(key.sign(m))).unwrap()
}

fn keys_of(keys: &[&Key]) -> KeySet {
    let jwks = keys::jwks(&keys.iter().map(|k| k.jwk()).collect::<Vec<_>>());
    KeySet::from_json(jwks.as_bytes()).unwrap()
}

fn error(cwt: &[u8], keys: &KeySet) -> String {
    LoadedList::from_cwt(URI, cwt, keys)
        .unwrap_err()
        .to_string()
}

/// Re-encodes the COSE_Sign1 array of `cwt` after `edit` (the signature no longer matches
/// unless only unsigned parts change).
fn reshaped(cwt: &[u8], edit: impl FnOnce(&mut Vec<Value>)) -> Vec<u8> {
    let Value::Tag(18, inner) = ciborium::de::from_reader::<Value, _>(cwt).unwrap() else {
        panic!("tagged COSE_Sign1 expected")
    };
    let Value::Array(mut parts) = *inner else {
        panic!("array expected")
    };
    edit(&mut parts);
    let mut out = Vec::new();
    ciborium::ser::into_writer(&Value::Tag(18, Box::new(Value::Array(parts))), &mut out).unwrap();
    out
}

#[test]
fn signed_lists_verify_in_both_algorithms() {
    for key in [Key::ed("cwt test ed"), Key::es("cwt test es")] {
        let keys = keys_of(&[&key]);
        let cwt = cwt_by(&key, |_| {});
        let loaded = LoadedList::from_cwt(URI, &cwt, &keys).unwrap();
        assert_eq!(loaded.list().as_bytes(), list().as_bytes(), "{}", key.alg());
        assert_eq!(loaded.version(), Some(12));
        assert_eq!(loaded.issued_at(), 1_700_000_000);
        assert_eq!(loaded.expires_at(), Some(1_700_086_400));
        assert_eq!(loaded.ttl(), Some(300));
        // `from_token` tells the forms apart by the first byte.
        assert!(LoadedList::from_token(URI, &cwt, &keys).is_ok());
        // Untagged COSE_Sign1 is the same message.
        let untagged = {
            let Value::Tag(18, inner) = ciborium::de::from_reader::<Value, _>(&cwt[..]).unwrap()
            else {
                panic!()
            };
            let mut out = Vec::new();
            ciborium::ser::into_writer(&*inner, &mut out).unwrap();
            out
        };
        assert!(LoadedList::from_token(URI, &untagged, &keys).is_ok());
    }
}

#[test]
fn optional_claims_may_be_absent() {
    let key = Key::ed("cwt test ed");
    let cwt = cwt_by(&key, |c| {
        c.exp = None;
        c.ttl = None;
        c.version = None;
    });
    let loaded = LoadedList::from_cwt(URI, &cwt, &keys_of(&[&key])).unwrap();
    assert_eq!(
        (loaded.expires_at(), loaded.ttl(), loaded.version()),
        (None, None, None)
    );
}

#[test]
fn what_is_not_signed_for_this_list_by_a_published_key_is_refused() {
    let key = Key::ed("cwt test ed");
    let other = Key::ed("cwt test other");
    let keys = keys_of(&[&key]);
    let cwt = cwt_by(&key, |_| {});

    assert!(error(&cwt_by(&other, |_| {}), &keys).contains("unknown_key"));
    assert!(
        LoadedList::from_cwt("https://issuer.example/v1/status-lists/2", &cwt, &keys)
            .unwrap_err()
            .to_string()
            .contains("\"sub\"")
    );
    // A flipped bit anywhere in the payload or signature.
    for at in [cwt.len() - 1, cwt.len() - 80, 40] {
        let mut bad = cwt.clone();
        bad[at] ^= 0x01;
        assert!(LoadedList::from_cwt(URI, &bad, &keys).is_err(), "byte {at}");
    }
    // An unprotected header could change how the message is read: refused.
    let with_header = reshaped(&cwt, |p| {
        p[1] = Value::Map(vec![(
            Value::Integer(4.into()),
            Value::Bytes(b"x".to_vec()),
        )])
    });
    assert!(error(&with_header, &keys).contains("unprotected"));
    // Detached payload (nil) and wrong shapes.
    let detached = reshaped(&cwt, |p| p[2] = Value::Null);
    assert!(error(&detached, &keys).contains("COSE_Sign1"));
    let three = reshaped(&cwt, |p| {
        p.pop();
    });
    assert!(error(&three, &keys).contains("array of four"));
    // Bytes after the item, or not CBOR at all.
    let trailing = [cwt.as_slice(), &[0x00]].concat();
    assert!(error(&trailing, &keys).contains("CBOR"));
    assert!(error(&[0xd2, 0x84], &keys).contains("CBOR"));
}

#[test]
fn a_key_of_another_algorithm_or_a_mac_is_refused() {
    let ed = Key::ed("cwt test ed");
    let keys = keys_of(&[&ed]);
    // The header says ES256 but the kid names the Ed25519 key.
    let lst = list().compress();
    let claims = ListClaims {
        sub: URI,
        iat: 1,
        exp: None,
        ttl: None,
        version: None,
        bits: 1,
        lst: &lst,
    };
    let lying = sign_cwt(&claims, Algorithm::Es256, &ed.kid(), |m| {
        Ok::<_, ()>(ed.sign(m))
    })
    .unwrap();
    assert!(error(&lying, &keys).contains("unsupported_algorithm"));
    // HMAC 256/256 (COSE alg 5) in the protected header.
    let protected = {
        let mut out = Vec::new();
        ciborium::ser::into_writer(
            &Value::Map(vec![
                (Value::Integer(1.into()), Value::Integer(5.into())),
                (
                    Value::Integer(4.into()),
                    Value::Bytes(ed.kid().into_bytes()),
                ),
                (
                    Value::Integer(16.into()),
                    Value::Text("application/statuslist+cwt".into()),
                ),
            ]),
            &mut out,
        )
        .unwrap();
        out
    };
    let mac = reshaped(&cwt_by(&ed, |_| {}), |p| p[0] = Value::Bytes(protected));
    assert!(error(&mac, &keys).contains("unsupported_algorithm"));
}

#[test]
fn offline_verifiers_take_the_cwt_form() {
    let key = Key::ed("cwt test ed");
    let jwks = keys::jwks(&[key.jwk()]);
    let cwt = cwt_by(&key, |_| {});
    gatepass::Verifier::offline("https://issuer.example", jwks.as_bytes())
        .status_list(URI, cwt.clone())
        .build()
        .unwrap();
    let broken = &cwt[..cwt.len() - 1];
    let err = gatepass::Verifier::offline("https://issuer.example", jwks.as_bytes())
        .status_list(URI, broken.to_vec())
        .build()
        .unwrap_err();
    assert!(err.to_string().contains(URI), "{err}");
}
