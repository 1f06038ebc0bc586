//! The verified claims of a token, and step 9 of docs/protocol.md ("Verification, step by step"): reading them with the right JSON types.

use std::sync::Arc;

use serde_json::{Map, Value};

use crate::error::{ErrorCode, TokenError};
use crate::json;

/// Where a token's revocation status lives: entry `idx` of the status list at `uri`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StatusRef {
    /// The status list's URI (`status.status_list.uri`).
    pub uri: String,
    /// The token's index in that list (`status.status_list.idx`).
    pub idx: u64,
}

#[derive(Debug, Clone, PartialEq)]
struct ClaimsData {
    issuer: String,
    subject: String,
    workspace: String,
    scopes: Vec<String>,
    token_id: String,
    issued_at: i64,
    expires_at: Option<i64>,
    not_before: Option<i64>,
    audience: Vec<String>,
    status: StatusRef,
    raw: Map<String, Value>,
    /// The payload as the issuer signed it: `raw` as JSON text, which bindings hand over
    /// instead of converting the map value by value. Kept rather than serialized again on
    /// demand: writing the map out took ~1 µs of every cold verification in Node.
    json: Box<str>,
}

/// The claims of a verified token. Cheap to clone (shared).
///
/// The accessors cover the claims every gatepass token carries; [`Claims::raw`] holds them all.
#[derive(Clone, PartialEq)]
pub struct Claims(Arc<ClaimsData>);

impl Claims {
    /// A copy that shares nothing with `self` (not even the reference count), for a thread to
    /// hand out without touching memory other threads touch.
    pub(crate) fn unshared(&self) -> Claims {
        Claims(Arc::new(ClaimsData::clone(&self.0)))
    }

    /// `iss`: the issuer's URL.
    pub fn issuer(&self) -> &str {
        &self.0.issuer
    }
    /// `sub`: the user the token acts for.
    pub fn subject(&self) -> &str {
        &self.0.subject
    }
    /// `ws`: the workspace the token is scoped to.
    pub fn workspace(&self) -> &str {
        &self.0.workspace
    }
    /// `scope`, split on spaces. The issuer has already expanded implied scopes.
    pub fn scopes(&self) -> &[String] {
        &self.0.scopes
    }
    /// True when the token carries `scope` exactly as written.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.0.scopes.iter().any(|s| s == scope)
    }
    /// `jti`: the token id, as the management API names it.
    pub fn token_id(&self) -> &str {
        &self.0.token_id
    }
    /// `iat`, in seconds since the Unix epoch.
    pub fn issued_at(&self) -> i64 {
        self.0.issued_at
    }
    /// `exp`, in seconds since the Unix epoch; `None` for a token that never expires.
    pub fn expires_at(&self) -> Option<i64> {
        self.0.expires_at
    }
    /// `nbf`, when the token carries one.
    pub fn not_before(&self) -> Option<i64> {
        self.0.not_before
    }
    /// `aud` as a list (empty when the token has none).
    pub fn audience(&self) -> &[String] {
        &self.0.audience
    }
    /// The token's status-list entry.
    pub fn status(&self) -> &StatusRef {
        &self.0.status
    }
    /// Every claim of the payload, as JSON.
    pub fn raw(&self) -> &Map<String, Value> {
        &self.0.raw
    }

    /// Every claim as JSON text: the token's payload exactly as the issuer signed it (a JSON
    /// object without duplicate members, so parsing it gives [`Claims::raw`]).
    pub fn raw_json(&self) -> &str {
        &self.0.json
    }
}

impl std::fmt::Debug for Claims {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // No secret is in the claims, but keep the output short and stable.
        f.debug_struct("Claims")
            .field("subject", &self.0.subject)
            .field("workspace", &self.0.workspace)
            .field("scopes", &self.0.scopes)
            .field("token_id", &self.0.token_id)
            .field("expires_at", &self.0.expires_at)
            .finish()
    }
}

const fn malformed(message: &'static str) -> TokenError {
    TokenError::new(ErrorCode::Malformed, message)
}

/// Step 9: the payload as claims, or `malformed`.
#[cfg(test)]
pub(crate) fn parse(payload: &[u8]) -> Result<Claims, TokenError> {
    from_payload(payload.to_vec())
}

/// Step 9 on the verified payload, which the claims keep as their JSON text.
pub(crate) fn from_payload(payload: Vec<u8>) -> Result<Claims, TokenError> {
    let raw = json::parse_object(&payload).ok_or(malformed(
        "the token payload is not a JSON object without duplicate members",
    ))?;
    let string = |name: &'static str, msg: &'static str| match raw.get(name) {
        Some(Value::String(s)) => Ok(s.clone()),
        _ => Err(malformed(msg)),
    };
    let issuer = string("iss", "the \"iss\" claim must be a string")?;
    let subject = string("sub", "the \"sub\" claim must be a string")?;
    let workspace = string("ws", "the \"ws\" claim must be a string")?;
    let scope = string("scope", "the \"scope\" claim must be a string")?;
    let token_id = string("jti", "the \"jti\" claim must be a string")?;
    let issued_at = int(&raw, "iat").ok_or(malformed("the \"iat\" claim must be an integer"))?;
    let expires_at =
        optional_int(&raw, "exp").ok_or(malformed("the \"exp\" claim must be an integer"))?;
    let not_before =
        optional_int(&raw, "nbf").ok_or(malformed("the \"nbf\" claim must be an integer"))?;
    let audience = audience(raw.get("aud")).ok_or(malformed(
        "the \"aud\" claim must be a string or a non-empty array of strings",
    ))?;
    let status = status(raw.get("status")).ok_or(malformed(
        "the \"status\" claim must be {\"status_list\": {\"idx\": non-negative integer, \"uri\": string}}",
    ))?;
    let scopes = scope
        .split(' ')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    Ok(Claims(Arc::new(ClaimsData {
        issuer,
        subject,
        workspace,
        scopes,
        token_id,
        issued_at,
        expires_at,
        not_before,
        audience,
        status,
        raw,
        // A JSON object parsed: its text is UTF-8 (the parser checked it).
        json: String::from_utf8(payload)
            .map_err(|_| malformed("the token payload is not UTF-8"))?
            .into_boxed_str(),
    })))
}

/// A JSON integer within i64 (serde_json keeps fractions, exponents and larger numbers as floats).
fn int(raw: &Map<String, Value>, name: &str) -> Option<i64> {
    raw.get(name)?.as_number().filter(|n| !n.is_f64())?.as_i64()
}

/// `Some(None)` when absent, `Some(Some(v))` for an integer, `None` for anything else.
fn optional_int(raw: &Map<String, Value>, name: &str) -> Option<Option<i64>> {
    match raw.get(name) {
        None => Some(None),
        Some(_) => int(raw, name).map(Some),
    }
}

fn audience(aud: Option<&Value>) -> Option<Vec<String>> {
    match aud {
        None => Some(Vec::new()),
        Some(Value::String(s)) => Some(vec![s.clone()]),
        Some(Value::Array(items)) if !items.is_empty() => items
            .iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect(),
        Some(_) => None,
    }
}

fn status(status: Option<&Value>) -> Option<StatusRef> {
    let list = status?.as_object()?.get("status_list")?.as_object()?;
    let idx = list
        .get("idx")?
        .as_number()
        .filter(|n| !n.is_f64())?
        .as_u64()?;
    let uri = list.get("uri")?.as_str()?.to_owned();
    Some(StatusRef { uri, idx })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn base() -> Value {
        json!({
            "iss": "https://issuer.example", "sub": "u1", "ws": "acme", "scope": "user:read user:write",
            "iat": 100, "exp": 200, "jti": "t1",
            "status": {"status_list": {"idx": 7, "uri": "https://issuer.example/v1/status-lists/1"}}
        })
    }

    fn parse_value(v: &Value) -> Result<Claims, TokenError> {
        parse(v.to_string().as_bytes())
    }

    #[test]
    fn raw_json_is_the_payload_as_signed() {
        // Member order and spacing as the issuer wrote them, not re-serialized.
        let payload = r#"{"sub":"u1", "iss":"https://issuer.example","ws":"acme","scope":"a","iat":100,
            "jti":"t1","status":{"status_list":{"uri":"https://issuer.example/v1/status-lists/1","idx":7}},
            "extra":{"b":1,"a":[true,null]}}"#;
        let c = parse(payload.as_bytes()).unwrap();
        assert_eq!(c.raw_json(), payload);
        let reparsed: Value = serde_json::from_str(c.raw_json()).unwrap();
        assert_eq!(reparsed.as_object(), Some(c.raw()));
    }

    #[test]
    fn reads_every_claim() {
        let c = parse_value(&base()).unwrap();
        assert_eq!(c.subject(), "u1");
        assert_eq!(c.workspace(), "acme");
        assert_eq!(c.scopes(), ["user:read", "user:write"]);
        assert!(c.has_scope("user:write") && !c.has_scope("user"));
        assert_eq!(
            (c.issued_at(), c.expires_at(), c.not_before()),
            (100, Some(200), None)
        );
        assert_eq!(
            c.status(),
            &StatusRef {
                uri: "https://issuer.example/v1/status-lists/1".into(),
                idx: 7
            }
        );
        assert!(c.audience().is_empty());
        assert_eq!(c.raw()["jti"], "t1");
    }

    #[test]
    fn audience_forms() {
        let mut v = base();
        v["aud"] = json!("api");
        assert_eq!(parse_value(&v).unwrap().audience(), ["api"]);
        v["aud"] = json!(["a", "b"]);
        assert_eq!(parse_value(&v).unwrap().audience(), ["a", "b"]);
        for bad in [json!([]), json!(1), json!(["a", 1]), json!(null)] {
            v["aud"] = bad;
            assert_eq!(parse_value(&v).unwrap_err().code(), "malformed");
        }
    }

    #[test]
    fn wrong_types_are_malformed() {
        let edits: Vec<(&str, Value)> = vec![
            ("iss", json!(1)),
            ("sub", Value::Null),
            ("scope", json!(["a"])),
            ("iat", json!(1.5)),
            ("iat", json!("100")),
            ("exp", json!(1e10)),
            ("exp", json!(9223372036854775808u64)),
            ("nbf", json!(true)),
            ("jti", json!(3)),
            ("status", json!({"status_list": {"idx": -1, "uri": "x"}})),
            ("status", json!({"status_list": {"idx": 1.0, "uri": "x"}})),
            ("status", json!({"status_list": {"idx": 1}})),
            ("status", json!({})),
        ];
        for (name, value) in edits {
            let mut v = base();
            v[name] = value.clone();
            assert_eq!(
                parse_value(&v).unwrap_err().code(),
                "malformed",
                "{name} = {value}"
            );
        }
        for name in ["iss", "sub", "ws", "scope", "iat", "jti", "status"] {
            let mut v = base();
            v.as_object_mut().unwrap().remove(name);
            assert_eq!(
                parse_value(&v).unwrap_err().code(),
                "malformed",
                "missing {name}"
            );
        }
        let mut v = base();
        v.as_object_mut().unwrap().remove("exp");
        assert_eq!(parse_value(&v).unwrap().expires_at(), None);
        assert!(parse(b"[1]").is_err());
        assert!(parse(br#"{"sub":"a","sub":"b"}"#).is_err());
    }
}
