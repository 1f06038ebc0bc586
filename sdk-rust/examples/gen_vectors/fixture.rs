//! The shared world of the vectors: one issuer, its keys and lists, and builders for tokens
//! and cases.

use serde_json::{json, Value};

use crate::keys::{b64, jwks, Key};
use gatepass::status_list::StatusList;

pub const ISS: &str = "https://issuer.example";
/// 2026-01-01T00:00:00Z, the "now" of every case unless it says otherwise.
pub const NOW: i64 = 1_767_225_600;
pub const LIST1: &str = "https://issuer.example/v1/status-lists/1";
pub const LIST_OLD: &str = "https://issuer.example/v1/status-lists/old";
/// Entries revoked in list 1 (capacity 1024): a lone one and the last one.
pub const REVOKED: [u64; 2] = [5, 1023];
pub const LIST1_CAPACITY: u64 = 1024;

pub struct Fixture {
    pub ed: Key,
    pub es: Key,
    /// A key the issuer never published.
    pub stranger: Key,
    pub jwks: String,
    pub list1: String,
    pub list_old: String,
}

impl Fixture {
    pub fn new() -> Fixture {
        let ed = Key::ed("gatepass vectors: Ed25519 key A");
        let es = Key::es("gatepass vectors: P-256 key A");
        let stranger = Key::ed("gatepass vectors: Ed25519 key never published");
        let jwks = jwks(&[ed.jwk(), es.jwk()]);
        let mut list = StatusList::new(1, LIST1_CAPACITY).expect("list");
        for idx in REVOKED {
            list.set(idx, 1).expect("set");
        }
        let list1 = status_list_jwt(
            &ed,
            LIST1,
            &list_claims(LIST1, 1, &list.encode(), Some(NOW + 3600)),
        );
        let list_old = status_list_jwt(
            &ed,
            LIST_OLD,
            &list_claims(LIST_OLD, 1, &list.encode(), Some(NOW - 3600)),
        );
        Fixture {
            ed,
            es,
            stranger,
            jwks,
            list1,
            list_old,
        }
    }

    /// A token with the default claims changed by `edit`, signed by `key`, with the `gp_` prefix.
    pub fn token(&self, key: &Key, edit: impl FnOnce(&mut Value)) -> (String, Value) {
        let mut claims = default_claims();
        edit(&mut claims);
        (
            format!("gp_{}", jws(&header(key), &claims.to_string(), key)),
            claims,
        )
    }
}

pub fn header(key: &Key) -> String {
    header_with(key.alg(), "gatepass+jwt", &key.kid())
}

pub fn header_with(alg: &str, typ: &str, kid: &str) -> String {
    format!(
        r#"{{"alg":{},"typ":{},"kid":{}}}"#,
        json!(alg),
        json!(typ),
        json!(kid)
    )
}

/// Signs raw header and payload JSON texts as they are (so cases can carry odd JSON).
pub fn jws(header: &str, payload: &str, key: &Key) -> String {
    let input = format!("{}.{}", b64(header.as_bytes()), b64(payload.as_bytes()));
    let sig = key.sign(input.as_bytes());
    format!("{input}.{}", b64(&sig))
}

pub fn default_claims() -> Value {
    json!({
        "iss": ISS,
        "sub": "user_42",
        "ws": "acme",
        "scope": "user:read user:write",
        "iat": NOW - 600,
        "exp": NOW + 3600,
        "jti": "tok_01JQ8Z6V4W0Y7X3M2N1P9R5S6T",
        "status": {"status_list": {"idx": 17, "uri": LIST1}}
    })
}

pub fn list_claims(uri: &str, bits: u8, lst: &str, exp: Option<i64>) -> Value {
    let mut claims = json!({
        "sub": uri,
        "iat": NOW - 60,
        "ttl": 300,
        "status_list": {"bits": bits, "lst": lst}
    });
    if let Some(exp) = exp {
        claims["exp"] = json!(exp);
    }
    claims
}

pub fn status_list_jwt(key: &Key, _uri: &str, claims: &Value) -> String {
    jws(
        &header_with(key.alg(), "statuslist+jwt", &key.kid()),
        &claims.to_string(),
        key,
    )
}

/// What a verifier must return for a token with these claims.
pub fn expected_claims(claims: &Value) -> Value {
    let aud = match &claims["aud"] {
        Value::Null => json!([]),
        Value::String(s) => json!([s]),
        other => other.clone(),
    };
    let scopes: Vec<&str> = claims["scope"]
        .as_str()
        .unwrap_or("")
        .split(' ')
        .filter(|s| !s.is_empty())
        .collect();
    json!({
        "subject": claims["sub"],
        "workspace": claims["ws"],
        "scopes": scopes,
        "token_id": claims["jti"],
        "issued_at": claims["iat"],
        "expires_at": claims.get("exp").cloned().unwrap_or(Value::Null),
        "audience": aud,
    })
}

/// What a case expects.
pub enum Expect {
    Claims(Value),
    Error(&'static str),
    ConfigError,
}

/// One vector.
pub struct Case {
    pub name: String,
    pub description: String,
    pub jwks: String,
    pub lists: Vec<(String, String)>,
    pub audience: Vec<String>,
    pub leeway: i64,
    pub prefix: String,
    pub fail_open: bool,
    pub now: i64,
    pub token: String,
    pub require: Option<(Vec<String>, Option<String>)>,
    pub expect: Expect,
}

impl Case {
    /// A case over the standard JWKS and list 1, expecting `expect`.
    pub fn new(fx: &Fixture, name: &str, description: &str, token: String, expect: Expect) -> Case {
        Case {
            name: name.into(),
            description: description.into(),
            jwks: fx.jwks.clone(),
            lists: vec![(LIST1.into(), fx.list1.clone())],
            audience: vec![],
            leeway: 60,
            prefix: "gp_".into(),
            fail_open: false,
            now: NOW,
            token,
            require: None,
            expect,
        }
    }

    pub fn ok(
        fx: &Fixture,
        name: &str,
        description: &str,
        (token, claims): (String, Value),
    ) -> Case {
        Case::new(
            fx,
            name,
            description,
            token,
            Expect::Claims(expected_claims(&claims)),
        )
    }

    pub fn err(
        fx: &Fixture,
        name: &str,
        description: &str,
        token: String,
        code: &'static str,
    ) -> Case {
        Case::new(fx, name, description, token, Expect::Error(code))
    }

    /// The HTTP answer every framework helper gives for this case's failure (`gatepass::http`),
    /// from the core's own error; the scopes named are those `require` asked for.
    fn http_answer(&self, code: &str) -> Value {
        let mut builder = gatepass::Verifier::offline(ISS, self.jwks.as_str())
            .prefix(&self.prefix)
            .leeway(std::time::Duration::from_secs(self.leeway.unsigned_abs()))
            .audiences(self.audience.iter().cloned())
            .danger_fail_open_when_stale(self.fail_open)
            .clock(gatepass::clock::ManualClock::new(self.now));
        for (uri, jwt) in &self.lists {
            builder = builder.status_list(uri.as_str(), jwt.as_str());
        }
        let verifier = builder.build().expect("the case's verifier builds");
        let scopes: Vec<&str> = self
            .require
            .as_ref()
            .map(|(s, _)| s.iter().map(String::as_str).collect())
            .unwrap_or_default();
        let result = match &self.require {
            None => verifier.verify(&self.token),
            Some((_, ws)) => verifier.require(&self.token, &scopes, ws.as_deref()),
        };
        let err = result.expect_err("the case fails");
        assert_eq!(err.code(), code, "case {}", self.name);
        let answer = gatepass::http::Rejection::for_error(&err, &scopes);
        json!({
            "status": answer.status(),
            "www_authenticate": answer.www_authenticate(),
            "body": answer.body(),
        })
    }

    pub fn to_json(&self) -> Value {
        let lists: serde_json::Map<String, Value> = self
            .lists
            .iter()
            .map(|(u, j)| (u.clone(), Value::String(j.clone())))
            .collect();
        let expect = match &self.expect {
            Expect::Claims(c) => json!({ "claims": c }),
            Expect::Error(code) => json!({ "error": code, "http": self.http_answer(code) }),
            Expect::ConfigError => json!({ "config_error": true }),
        };
        json!({
            "name": self.name,
            "description": self.description,
            "issuer": ISS,
            "now": self.now,
            "jwks": self.jwks,
            "status_lists": lists,
            "options": {
                "audience": self.audience,
                "leeway": self.leeway,
                "prefix": self.prefix,
                "danger_fail_open_when_stale": self.fail_open,
            },
            "token": self.token,
            "require": self.require.as_ref().map(|(s, w)| json!({"scopes": s, "workspace": w})),
            "expect": expect,
        })
    }
}
