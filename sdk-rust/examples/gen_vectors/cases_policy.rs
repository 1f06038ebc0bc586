//! Vectors about policy: time, issuer, audience, prefix, status lists, `require`, and inputs
//! that must be refused as configuration errors.

use serde_json::{json, Value};

use crate::fixture::{
    list_claims, status_list_jwt, Case, Expect, Fixture, ISS, LIST1, LIST1_CAPACITY, LIST_OLD, NOW,
    REVOKED,
};
use crate::keys::{b64, jwks, Key};

pub fn time(fx: &Fixture) -> Vec<Case> {
    let tok = |f: &dyn Fn(&mut Value)| fx.token(&fx.ed, f);
    let with_leeway = |mut c: Case, leeway: i64| {
        c.leeway = leeway;
        c
    };
    vec![
        Case::ok(
            fx,
            "exp_at_leeway_edge",
            "now = exp + 60 is still accepted (expired means now > exp + leeway).",
            tok(&|c| c["exp"] = json!(NOW - 60)),
        ),
        Case::err(
            fx,
            "exp_past_leeway",
            "now = exp + 61 is expired.",
            tok(&|c| c["exp"] = json!(NOW - 61)).0,
            "expired",
        ),
        Case::err(
            fx,
            "expired_long_ago",
            "A token that expired a day ago.",
            tok(&|c| c["exp"] = json!(NOW - 86_400)).0,
            "expired",
        ),
        Case::ok(
            fx,
            "iat_at_leeway_edge",
            "iat = now + 60 is accepted.",
            tok(&|c| c["iat"] = json!(NOW + 60)),
        ),
        Case::err(
            fx,
            "iat_past_leeway",
            "iat = now + 61 is not valid yet.",
            tok(&|c| c["iat"] = json!(NOW + 61)).0,
            "not_yet_valid",
        ),
        Case::ok(
            fx,
            "nbf_at_leeway_edge",
            "nbf = now + 60 is accepted.",
            tok(&|c| c["nbf"] = json!(NOW + 60)),
        ),
        Case::err(
            fx,
            "nbf_past_leeway",
            "nbf = now + 61 is not valid yet.",
            tok(&|c| c["nbf"] = json!(NOW + 61)).0,
            "not_yet_valid",
        ),
        with_leeway(
            Case::ok(
                fx,
                "leeway_zero_exp_now",
                "With leeway 0, exp = now is accepted.",
                tok(&|c| c["exp"] = json!(NOW)),
            ),
            0,
        ),
        with_leeway(
            Case::err(
                fx,
                "leeway_zero_exp_past",
                "With leeway 0, exp = now - 1 is expired.",
                tok(&|c| c["exp"] = json!(NOW - 1)).0,
                "expired",
            ),
            0,
        ),
        with_leeway(
            Case::ok(
                fx,
                "leeway_300",
                "A larger leeway accepts a token 299 s past exp.",
                tok(&|c| c["exp"] = json!(NOW - 299)),
            ),
            300,
        ),
        Case::err(
            fx,
            "expired_before_revoked",
            "Step 12 comes before step 13.",
            tok(&|c| {
                c["exp"] = json!(NOW - 3600);
                c["status"]["status_list"]["idx"] = json!(REVOKED[0]);
            })
            .0,
            "expired",
        ),
        Case::err(
            fx,
            "expired_before_not_yet_valid",
            "Both exp and iat wrong: expired wins.",
            tok(&|c| {
                c["exp"] = json!(NOW - 3600);
                c["iat"] = json!(NOW + 3600);
            })
            .0,
            "expired",
        ),
    ]
}

pub fn issuer_and_audience(fx: &Fixture) -> Vec<Case> {
    let tok = |f: &dyn Fn(&mut Value)| fx.token(&fx.ed, f);
    let aud = |mut c: Case, audience: &[&str]| {
        c.audience = audience.iter().map(|s| s.to_string()).collect();
        c
    };
    vec![
        Case::err(
            fx,
            "issuer_trailing_slash",
            "iss is compared exactly: a trailing slash differs.",
            tok(&|c| c["iss"] = json!(format!("{ISS}/"))).0,
            "wrong_issuer",
        ),
        Case::err(
            fx,
            "issuer_other_host",
            "Another issuer.",
            tok(&|c| c["iss"] = json!("https://evil.example")).0,
            "wrong_issuer",
        ),
        Case::err(
            fx,
            "issuer_case",
            "Case matters.",
            tok(&|c| c["iss"] = json!("https://Issuer.example")).0,
            "wrong_issuer",
        ),
        Case::err(
            fx,
            "wrong_issuer_before_expired",
            "Step 10 comes before step 12.",
            tok(&|c| {
                c["iss"] = json!("https://evil.example");
                c["exp"] = json!(NOW - 3600);
            })
            .0,
            "wrong_issuer",
        ),
        aud(
            Case::ok(
                fx,
                "aud_string_matches",
                "aud as a string.",
                tok(&|c| c["aud"] = json!("api")),
            ),
            &["api"],
        ),
        aud(
            Case::ok(
                fx,
                "aud_array_matches",
                "aud as an array containing the audience.",
                tok(&|c| c["aud"] = json!(["web", "api"])),
            ),
            &["api"],
        ),
        aud(
            Case::ok(
                fx,
                "aud_one_of_several",
                "The verifier accepts several audiences.",
                tok(&|c| c["aud"] = json!("billing")),
            ),
            &["api", "billing"],
        ),
        aud(
            Case::err(
                fx,
                "aud_mismatch",
                "aud names another audience.",
                tok(&|c| c["aud"] = json!("web")).0,
                "wrong_audience",
            ),
            &["api"],
        ),
        aud(
            Case::err(
                fx,
                "aud_missing_when_required",
                "The verifier has an audience and the token none.",
                tok(&|_| {}).0,
                "wrong_audience",
            ),
            &["api"],
        ),
        Case::err(
            fx,
            "aud_present_without_verifier_audience",
            "A token with aud is refused by a verifier without audiences (RFC 7519 §4.1.3).",
            tok(&|c| c["aud"] = json!("api")).0,
            "wrong_audience",
        ),
        aud(
            Case::err(
                fx,
                "aud_case",
                "Audiences are compared exactly.",
                tok(&|c| c["aud"] = json!("API")).0,
                "wrong_audience",
            ),
            &["api"],
        ),
        aud(
            Case::err(
                fx,
                "wrong_audience_before_expired",
                "Step 11 comes before step 12.",
                tok(&|c| {
                    c["aud"] = json!("web");
                    c["exp"] = json!(NOW - 3600);
                })
                .0,
                "wrong_audience",
            ),
            &["api"],
        ),
    ]
}

pub fn prefixes(fx: &Fixture) -> Vec<Case> {
    let (token, claims) = fx.token(&fx.ed, |_| {});
    let bare = token["gp_".len()..].to_owned();
    let prefix = |mut c: Case, p: &str| {
        c.prefix = p.into();
        c
    };
    vec![
        prefix(
            Case::ok(
                fx,
                "custom_prefix",
                "A deployment's own prefix.",
                (format!("tok_{bare}"), claims.clone()),
            ),
            "tok_",
        ),
        prefix(
            Case::ok(
                fx,
                "custom_prefix_absent",
                "The custom prefix is optional too.",
                (bare.clone(), claims.clone()),
            ),
            "tok_",
        ),
        prefix(
            Case::err(
                fx,
                "other_prefix",
                "gp_ is not stripped when the prefix is tok_.",
                token.clone(),
                "malformed",
            ),
            "tok_",
        ),
        prefix(
            Case::ok(
                fx,
                "empty_prefix",
                "An empty prefix means tokens carry none.",
                (bare, claims),
            ),
            "",
        ),
        prefix(
            Case::err(
                fx,
                "empty_prefix_with_gp",
                "With no prefix configured, gp_ is part of the token.",
                token,
                "malformed",
            ),
            "",
        ),
    ]
}

pub fn status(fx: &Fixture) -> Vec<Case> {
    let at = |idx: u64| {
        fx.token(&fx.ed, move |c| {
            c["status"]["status_list"]["idx"] = json!(idx)
        })
    };
    let no_lists = |mut c: Case| {
        c.lists.clear();
        c
    };
    let fail_open = |mut c: Case| {
        c.fail_open = true;
        c
    };
    let with_old = |mut c: Case| {
        c.lists.push((LIST_OLD.into(), fx.list_old.clone()));
        c
    };
    let old = |idx: u64| {
        fx.token(&fx.ed, move |c| {
            c["status"]["status_list"] = json!({"idx": idx, "uri": LIST_OLD})
        })
    };
    let mut cases = vec![
        Case::ok(fx, "status_valid", "Entry 17 is 0.", at(17)),
        Case::err(
            fx,
            "status_revoked",
            "Entry 5 is 1.",
            at(REVOKED[0]).0,
            "revoked",
        ),
        Case::ok(
            fx,
            "status_left_neighbour",
            "Entry 4, beside a revoked one, is valid.",
            at(REVOKED[0] - 1),
        ),
        Case::ok(
            fx,
            "status_right_neighbour",
            "Entry 6, beside a revoked one, is valid.",
            at(REVOKED[0] + 1),
        ),
        Case::err(
            fx,
            "status_last_index_revoked",
            "The last entry (1023) is revoked.",
            at(REVOKED[1]).0,
            "revoked",
        ),
        Case::ok(
            fx,
            "status_before_last",
            "Entry 1022 is valid.",
            at(LIST1_CAPACITY - 2),
        ),
        Case::ok(fx, "status_first_index", "Entry 0 is valid.", at(0)),
        Case::err(
            fx,
            "status_index_beyond_list",
            "Entry 1024 is outside a 1024-entry list.",
            at(LIST1_CAPACITY).0,
            "status_unavailable",
        ),
        Case::err(
            fx,
            "status_index_huge",
            "An index near u64::MAX.",
            at(u64::MAX).0,
            "status_unavailable",
        ),
        no_lists(Case::err(
            fx,
            "status_list_not_loaded",
            "The token's list was never loaded.",
            at(17).0,
            "status_unavailable",
        )),
        Case::err(
            fx,
            "status_list_unknown_uri",
            "The token names a list the verifier does not have.",
            fx.token(&fx.ed, |c| {
                c["status"]["status_list"]["uri"] = json!(format!("{ISS}/v1/status-lists/999"));
            })
            .0,
            "status_unavailable",
        ),
        with_old(Case::err(
            fx,
            "status_list_expired",
            "A list past its exp (+ leeway) cannot vouch for anything.",
            old(17).0,
            "status_unavailable",
        )),
        with_old(Case::err(
            fx,
            "status_list_expired_and_revoked",
            "Fail-closed: an expired list gives status_unavailable even where it says revoked.",
            old(REVOKED[0]).0,
            "status_unavailable",
        )),
        fail_open(with_old(Case::ok(
            fx,
            "fail_open_expired_list",
            "danger_fail_open_when_stale accepts a token whose list expired.",
            old(17),
        ))),
        fail_open(with_old(Case::err(
            fx,
            "fail_open_still_revoked",
            "Fail-open never accepts an entry that says revoked.",
            old(REVOKED[0]).0,
            "revoked",
        ))),
        fail_open(no_lists(Case::ok(
            fx,
            "fail_open_list_missing",
            "Fail-open accepts a token whose list is not loaded.",
            at(17),
        ))),
        fail_open(Case::ok(
            fx,
            "fail_open_index_beyond_list",
            "Fail-open accepts an index outside the list.",
            at(LIST1_CAPACITY),
        )),
    ];
    cases.extend(draft_lists(fx));
    cases
}

/// The draft's own lists, wrapped in list tokens signed by the issuer's key.
fn draft_lists(fx: &Fixture) -> Vec<Case> {
    let data: Value =
        serde_json::from_str(include_str!("draft_status_lists.json")).expect("draft lists");
    let mut cases = Vec::new();
    for list in data["lists"].as_array().expect("lists") {
        let name = list["name"].as_str().expect("name");
        let bits = list["bits"].as_u64().expect("bits") as u8;
        let lst = list["lst"].as_str().expect("lst");
        let uri = format!("{ISS}/v1/status-lists/{name}");
        let decoded = gatepass::status_list::StatusList::decode(u64::from(bits), lst)
            .expect("draft list decodes");
        let statuses: Vec<(u64, u8)> = list["statuses"]
            .as_array()
            .expect("statuses")
            .iter()
            .map(|p| {
                (
                    p[0].as_u64().expect("idx"),
                    p[1].as_u64().expect("value") as u8,
                )
            })
            .collect();
        for (idx, value) in &statuses {
            assert_eq!(
                decoded.get(*idx),
                Some(*value),
                "{name}[{idx}] disagrees with the draft"
            );
        }
        let jwt = status_list_jwt(&fx.ed, &uri, &list_claims(&uri, bits, lst, None));
        // Every stated non-zero value once for the small lists; a sample for the 8-bit one.
        let picked: Vec<(u64, u8)> = if statuses.len() > 20 {
            statuses
                .iter()
                .copied()
                .filter(|(_, v)| [0, 1, 2, 127, 128, 255].contains(v))
                .collect()
        } else {
            let mut seen = Vec::new();
            statuses
                .iter()
                .copied()
                .filter(|(_, v)| {
                    if seen.contains(v) {
                        false
                    } else {
                        seen.push(*v);
                        true
                    }
                })
                .collect()
        };
        for (idx, value) in picked {
            let (token, claims) = fx.token(&fx.ed, |c| {
                c["status"]["status_list"] = json!({"idx": idx, "uri": uri})
            });
            let case_name = format!("{name}_idx_{idx}");
            let description = format!(
                "draft list ({bits}-bit) entry {idx} holds {value}; any value but 0 is revoked."
            );
            let mut case = if value == 0 {
                Case::ok(fx, &case_name, &description, (token, claims))
            } else {
                Case::err(fx, &case_name, &description, token, "revoked")
            };
            case.lists = vec![(uri.clone(), jwt.clone())];
            cases.push(case);
        }
        // One entry that is 0 and not listed by the draft, checked against the decoded list.
        let zero_idx = (1..decoded.capacity())
            .find(|i| decoded.get(*i) == Some(0))
            .expect("a zero entry");
        let (token, claims) = fx.token(&fx.ed, |c| {
            c["status"]["status_list"] = json!({"idx": zero_idx, "uri": uri})
        });
        let mut case = Case::ok(
            fx,
            &format!("{name}_idx_{zero_idx}_valid"),
            "An entry holding 0 is valid.",
            (token, claims),
        );
        case.lists = vec![(uri.clone(), jwt)];
        cases.push(case);
    }
    cases
}

pub fn require(fx: &Fixture) -> Vec<Case> {
    let req = |mut c: Case, scopes: &[&str], ws: Option<&str>| {
        c.require = Some((
            scopes.iter().map(|s| s.to_string()).collect(),
            ws.map(str::to_owned),
        ));
        c
    };
    let (token, claims) = fx.token(&fx.ed, |_| {});
    let t = || (token.clone(), claims.clone());
    vec![
        req(
            Case::ok(fx, "require_scope_and_workspace", "Both held.", t()),
            &["user:read"],
            Some("acme"),
        ),
        req(
            Case::ok(fx, "require_all_scopes", "Every listed scope held.", t()),
            &["user:read", "user:write"],
            None,
        ),
        req(
            Case::ok(
                fx,
                "require_nothing",
                "No scopes and no workspace is plain verify.",
                t(),
            ),
            &[],
            None,
        ),
        req(
            Case::err(
                fx,
                "require_missing_scope",
                "One listed scope missing.",
                token.clone(),
                "insufficient_scope",
            ),
            &["user:read", "admin:read"],
            None,
        ),
        req(
            Case::err(
                fx,
                "require_scope_prefix_is_not_scope",
                "Scopes match exactly, not by prefix.",
                token.clone(),
                "insufficient_scope",
            ),
            &["user"],
            None,
        ),
        req(
            Case::err(
                fx,
                "require_no_implication_at_verify",
                "Implications are the issuer's job: admin:write is not implied by anything here.",
                token.clone(),
                "insufficient_scope",
            ),
            &["admin:write"],
            None,
        ),
        req(
            Case::err(
                fx,
                "require_wrong_workspace",
                "Another workspace.",
                token.clone(),
                "wrong_workspace",
            ),
            &["user:read"],
            Some("globex"),
        ),
        req(
            Case::err(
                fx,
                "require_workspace_before_scope",
                "Workspace is checked before scopes.",
                token.clone(),
                "wrong_workspace",
            ),
            &["admin:write"],
            Some("globex"),
        ),
        req(
            Case::err(
                fx,
                "require_workspace_case",
                "Workspaces are compared exactly.",
                token,
                "wrong_workspace",
            ),
            &[],
            Some("ACME"),
        ),
        req(
            Case::err(
                fx,
                "require_verifies_first",
                "require runs every verify step first.",
                fx.token(&fx.ed, |c| c["exp"] = json!(NOW - 3600)).0,
                "expired",
            ),
            &["admin:write"],
            Some("globex"),
        ),
    ]
}

pub fn config(fx: &Fixture) -> Vec<Case> {
    let (token, _) = fx.token(&fx.ed, |_| {});
    let bad_jwks = |name: &str, desc: &str, jwks: String| {
        let mut c = Case::new(fx, name, desc, token.clone(), Expect::ConfigError);
        c.jwks = jwks;
        c
    };
    let bad_list = |name: &str, desc: &str, jwt: String| {
        let mut c = Case::new(fx, name, desc, token.clone(), Expect::ConfigError);
        c.lists = vec![(LIST1.into(), jwt)];
        c
    };
    let lst = fx_list_lst();
    let mut private = fx.ed.jwk();
    private["d"] = json!(Key::private_d("gatepass vectors: Ed25519 key A"));
    let small_order = json!({"kty": "OKP", "crv": "Ed25519", "x": b64(&[0u8; 32]), "kid": "small", "alg": "EdDSA"});
    let list_with = |f: &dyn Fn(&mut Value)| {
        let mut claims = list_claims(LIST1, 1, &lst, Some(NOW + 3600));
        f(&mut claims);
        status_list_jwt(&fx.ed, LIST1, &claims)
    };
    vec![
        bad_jwks(
            "jwks_not_json",
            "A JWKS that is not JSON.",
            "{\"keys\": [".into(),
        ),
        bad_jwks(
            "jwks_no_keys_member",
            "A JWKS without \"keys\".",
            "{}".into(),
        ),
        bad_jwks(
            "jwks_private_key",
            "A JWKS holding a private key (\"d\").",
            jwks(&[private, fx.es.jwk()]),
        ),
        bad_jwks(
            "jwks_symmetric_key",
            "A symmetric oct key.",
            jwks(&[
                json!({"kty": "oct", "k": b64(b"secret"), "kid": "hmac", "alg": "HS256"}),
                fx.ed.jwk(),
            ]),
        ),
        bad_jwks(
            "jwks_small_order_key",
            "An Ed25519 key of small order.",
            jwks(&[small_order, fx.ed.jwk()]),
        ),
        bad_jwks(
            "jwks_duplicate_kid",
            "Two keys with one kid.",
            jwks(&[fx.ed.jwk(), fx.ed.jwk()]),
        ),
        bad_jwks(
            "jwks_only_foreign_keys",
            "No Ed25519 or P-256 key at all.",
            jwks(&[json!({"kty": "RSA", "n": "AQAB", "e": "AQAB", "kid": "rsa"})]),
        ),
        bad_list(
            "list_signed_by_unknown_key",
            "A list signed by a key outside the JWKS.",
            status_list_jwt(
                &fx.stranger,
                LIST1,
                &list_claims(LIST1, 1, &lst, Some(NOW + 3600)),
            ),
        ),
        bad_list(
            "list_bad_signature",
            "A list whose signature does not verify.",
            {
                let mut j = fx.list1.clone();
                let flip = if j.ends_with('A') { 'B' } else { 'A' };
                j.pop();
                j.push(flip);
                j
            },
        ),
        bad_list("list_wrong_typ", "A list with typ JWT.", {
            let claims = list_claims(LIST1, 1, &lst, Some(NOW + 3600));
            crate::fixture::jws(
                &crate::fixture::header_with("EdDSA", "JWT", &fx.ed.kid()),
                &claims.to_string(),
                &fx.ed,
            )
        }),
        bad_list(
            "list_sub_mismatch",
            "A list whose sub is not the URI it is registered under.",
            list_with(&|c| c["sub"] = json!(LIST_OLD)),
        ),
        bad_list(
            "list_bits_3",
            "bits must be 1, 2, 4 or 8.",
            list_with(&|c| c["status_list"]["bits"] = json!(3)),
        ),
        bad_list(
            "list_not_zlib",
            "lst must be zlib.",
            list_with(&|c| c["status_list"]["lst"] = json!(b64(b"plain bytes"))),
        ),
        bad_list(
            "list_lst_not_base64url",
            "lst must be canonical base64url.",
            list_with(&|c| c["status_list"]["lst"] = json!("eNrbuRgAAhcBXQ==")),
        ),
        bad_list(
            "list_missing_status_list",
            "A list without status_list.",
            list_with(&|c| {
                c.as_object_mut().unwrap().remove("status_list");
            }),
        ),
        bad_list(
            "list_not_a_jws",
            "Garbage where a list token should be.",
            "not a token".into(),
        ),
    ]
}

/// The `lst` of list 1, rebuilt (same entries revoked).
fn fx_list_lst() -> String {
    let mut list = gatepass::status_list::StatusList::new(1, LIST1_CAPACITY).expect("list");
    for idx in REVOKED {
        list.set(idx, 1).expect("set");
    }
    list.encode()
}
