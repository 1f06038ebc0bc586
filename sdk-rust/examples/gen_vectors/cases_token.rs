//! Vectors about the token itself: shape, header, algorithms, signatures, payload types.

use serde_json::json;

use crate::fixture::{default_claims, header, header_with, jws, Case, Fixture, LIST1, NOW};
use crate::keys::b64;

fn parts(token: &str) -> Vec<String> {
    token
        .trim_start_matches("gp_")
        .split('.')
        .map(str::to_owned)
        .collect()
}

fn with_signature(token: &str, sig: &[u8]) -> String {
    let p = parts(token);
    format!("gp_{}.{}.{}", p[0], p[1], b64(sig))
}

/// A valid EdDSA token padded (with a `pad` claim) to the first length >= `target`.
fn padded_to(fx: &Fixture, target: usize) -> (String, serde_json::Value) {
    for n in 0..target {
        let (t, c) = fx.token(&fx.ed, |c| c["pad"] = json!("x".repeat(n)));
        if t.len() >= target {
            return (t, c);
        }
    }
    unreachable!()
}

pub fn valid(fx: &Fixture) -> Vec<Case> {
    let ed_alias = {
        let mut claims = default_claims();
        claims["jti"] = json!("tok_alias");
        let t = jws(
            &header_with("Ed25519", "gatepass+jwt", &fx.ed.kid()),
            &claims.to_string(),
            &fx.ed,
        );
        (format!("gp_{t}"), claims)
    };
    let (unprefixed, claims) = fx.token(&fx.ed, |_| {});
    let exact = padded_to(fx, 8192);
    assert_eq!(
        exact.0.len(),
        8192,
        "choose a pad that lands on 8192 exactly"
    );
    vec![
        Case::ok(
            fx,
            "eddsa_valid",
            "An EdDSA token with the gp_ prefix verifies.",
            fx.token(&fx.ed, |_| {}),
        ),
        Case::ok(
            fx,
            "eddsa_valid_without_prefix",
            "The prefix is optional.",
            (unprefixed[3..].to_owned(), claims),
        ),
        Case::ok(
            fx,
            "es256_valid",
            "An ES256 token verifies.",
            fx.token(&fx.es, |_| {}),
        ),
        Case::ok(
            fx,
            "eddsa_header_named_ed25519",
            "RFC 9864's name Ed25519 is the same algorithm as EdDSA.",
            ed_alias,
        ),
        Case::ok(
            fx,
            "never_expires",
            "A token without exp never expires; expires_at is null.",
            fx.token(&fx.ed, |c| {
                c.as_object_mut().unwrap().remove("exp");
            }),
        ),
        Case::ok(
            fx,
            "extra_claims_are_kept",
            "Claims beyond the required ones are allowed.",
            fx.token(&fx.ed, |c| {
                c["name"] = json!("CI deploy");
                c["nested"] = json!({"a": [1, 2, {"b": null}]});
            }),
        ),
        Case::ok(
            fx,
            "single_scope",
            "A token with one scope.",
            fx.token(&fx.ed, |c| c["scope"] = json!("admin:read")),
        ),
        Case::ok(
            fx,
            "empty_scope",
            "An empty scope string means no scopes.",
            fx.token(&fx.ed, |c| c["scope"] = json!("")),
        ),
        Case::ok(
            fx,
            "unicode_subject",
            "Strings may hold any Unicode, escaped or not.",
            fx.token(&fx.ed, |c| c["sub"] = json!("usér_\u{1F600}")),
        ),
        Case::ok(
            fx,
            "size_exactly_8192",
            "A token of exactly 8192 bytes, prefix included, is accepted.",
            exact,
        ),
        {
            let (t, c) = fx.token(&fx.ed, |c| c["iat"] = json!(-5));
            Case::ok(
                fx,
                "negative_iat",
                "NumericDates are integers and may be negative.",
                (t, c),
            )
        },
        {
            let (t, c) = fx.token(&fx.ed, |c| c["exp"] = json!(i64::MAX));
            Case::ok(
                fx,
                "exp_at_i64_max",
                "exp at the top of i64 does not overflow with leeway.",
                (t, c),
            )
        },
    ]
}

pub fn structure(fx: &Fixture) -> Vec<Case> {
    let (good, _) = fx.token(&fx.ed, |_| {});
    let p = parts(&good);
    let m = |name: &str, desc: &str, token: String| Case::err(fx, name, desc, token, "malformed");
    vec![
        m(
            "oversized_8193",
            "One byte over 8192 is refused before parsing, even with a good signature.",
            padded_to(fx, 8193).0,
        ),
        m("empty", "The empty string.", String::new()),
        m("prefix_only", "Just the prefix.", "gp_".into()),
        m(
            "two_segments",
            "A JWS needs three segments.",
            format!("gp_{}.{}", p[0], p[1]),
        ),
        m(
            "four_segments",
            "Four segments.",
            format!("{good}.{}", p[2]),
        ),
        m(
            "jwe_five_segments",
            "A JWE's five segments are not a JWS.",
            format!("gp_{}.AAAA.{}.AAAA.{}", p[0], p[1], p[2]),
        ),
        m(
            "empty_signature_segment",
            "Unsigned (alg none style) JWS with an empty third segment.",
            format!("gp_{}.{}.", p[0], p[1]),
        ),
        m(
            "empty_payload_segment",
            "An empty payload segment.",
            format!("gp_{}..{}", p[0], p[2]),
        ),
        m(
            "leading_space",
            "No trimming: leading whitespace.",
            format!(" {good}"),
        ),
        m(
            "trailing_newline",
            "No trimming: trailing newline.",
            format!("{good}\n"),
        ),
        m(
            "inner_space",
            "Whitespace inside a segment.",
            format!("gp_{}.{} .{}", p[0], p[1], p[2]),
        ),
        m(
            "padding",
            "base64url padding is not allowed.",
            format!("gp_{}.{}.{}==", p[0], p[1], p[2]),
        ),
        m(
            "standard_base64_alphabet",
            "'+' and '/' are not base64url.",
            format!(
                "gp_{}.{}.{}",
                p[0],
                p[1],
                p[2].replacen(
                    |c: char| c == '-' || c == '_' || c.is_ascii_alphanumeric(),
                    "+",
                    1
                )
            ),
        ),
        m(
            "non_canonical_trailing_bits",
            "base64url with non-zero trailing bits is not canonical.",
            {
                // The Ed25519 signature is 64 bytes: 86 characters, the last carrying 4 unused bits.
                let mut sig = p[2].clone();
                let last = sig.pop().unwrap();
                let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
                let pos = alphabet.find(last).unwrap();
                sig.push(alphabet.as_bytes()[(pos & !0xf) | ((pos + 1) & 0xf)] as char);
                format!("gp_{}.{}.{}", p[0], p[1], sig)
            },
        ),
        m(
            "json_serialization",
            "JWS JSON serialization is refused.",
            json!({"payload": p[1], "protected": p[0], "signature": p[2]}).to_string(),
        ),
        m(
            "double_prefix",
            "Only one prefix is stripped.",
            format!("gp_{good}"),
        ),
        m(
            "non_ascii",
            "Characters outside base64url.",
            format!("gp_{}é.{}.{}", p[0], p[1], p[2]),
        ),
        m(
            "header_not_json",
            "The header is not JSON.",
            format!("gp_{}.{}.{}", b64(b"not json"), p[1], p[2]),
        ),
        m(
            "header_array",
            "The header must be an object.",
            format!(
                "gp_{}.{}.{}",
                b64(br#"["EdDSA","gatepass+jwt"]"#),
                p[1],
                p[2]
            ),
        ),
        m(
            "header_duplicate_alg",
            "A duplicate header member.",
            jws_token(
                &format!(
                    r#"{{"alg":"EdDSA","alg":"EdDSA","typ":"gatepass+jwt","kid":"{}"}}"#,
                    fx.ed.kid()
                ),
                fx,
            ),
        ),
        m(
            "header_missing_kid",
            "The header needs kid.",
            jws_token(r#"{"alg":"EdDSA","typ":"gatepass+jwt"}"#, fx),
        ),
        m(
            "header_missing_typ",
            "The header needs typ.",
            jws_token(&format!(r#"{{"alg":"EdDSA","kid":"{}"}}"#, fx.ed.kid()), fx),
        ),
        m(
            "header_kid_number",
            "kid must be a string.",
            jws_token(r#"{"alg":"EdDSA","typ":"gatepass+jwt","kid":1}"#, fx),
        ),
        m(
            "header_alg_null",
            "alg must be a string.",
            jws_token(
                &format!(
                    r#"{{"alg":null,"typ":"gatepass+jwt","kid":"{}"}}"#,
                    fx.ed.kid()
                ),
                fx,
            ),
        ),
        extra_header(
            fx,
            "header_embedded_jwk",
            "An embedded jwk is never used; its presence is malformed.",
            "jwk",
            fx.stranger.jwk(),
        ),
        extra_header(
            fx,
            "header_jku",
            "A jku header is refused.",
            "jku",
            json!("https://evil.example/jwks.json"),
        ),
        extra_header(
            fx,
            "header_x5u",
            "An x5u header is refused.",
            "x5u",
            json!("https://evil.example/cert.pem"),
        ),
        extra_header(
            fx,
            "header_x5c",
            "An x5c header is refused.",
            "x5c",
            json!(["MIIB"]),
        ),
        extra_header(
            fx,
            "header_crit",
            "crit is refused: gatepass understands no extensions.",
            "crit",
            json!(["exp"]),
        ),
        extra_header(
            fx,
            "header_b64_false",
            "b64:false (RFC 7797) is refused.",
            "b64",
            json!(false),
        ),
        extra_header(
            fx,
            "header_cty",
            "A cty header is refused (no nested JWTs).",
            "cty",
            json!("JWT"),
        ),
        extra_header(
            fx,
            "header_unknown_member",
            "Any member beyond alg, typ, kid is refused.",
            "foo",
            json!("bar"),
        ),
    ]
}

/// A token over the default claims with a raw header, signed by the Ed25519 key.
fn jws_token(header: &str, fx: &Fixture) -> String {
    format!("gp_{}", jws(header, &default_claims().to_string(), &fx.ed))
}

fn extra_header(
    fx: &Fixture,
    name: &str,
    desc: &str,
    member: &str,
    value: serde_json::Value,
) -> Case {
    let header = format!(
        r#"{{"alg":"EdDSA","typ":"gatepass+jwt","kid":"{}",{}:{}}}"#,
        fx.ed.kid(),
        json!(member),
        value
    );
    Case::err(fx, name, desc, jws_token(&header, fx), "malformed")
}

pub fn algorithms(fx: &Fixture) -> Vec<Case> {
    let claims = default_claims().to_string();
    let kid = fx.ed.kid();
    let with_alg = |alg: &str| {
        format!(
            "gp_{}",
            jws(&header_with(alg, "gatepass+jwt", &kid), &claims, &fx.ed)
        )
    };
    let hs256 = {
        // RFC 8725 §2.1: HMAC keyed with the public key, hoping the verifier treats it as a secret.
        let input = format!(
            "{}.{}",
            b64(header_with("HS256", "gatepass+jwt", &kid).as_bytes()),
            b64(claims.as_bytes())
        );
        let secret = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, fx.jwks.as_bytes());
        format!(
            "gp_{input}.{}",
            b64(ring::hmac::sign(&secret, input.as_bytes()).as_ref())
        )
    };
    let u = |name: &str, desc: &str, token: String| {
        Case::err(fx, name, desc, token, "unsupported_algorithm")
    };
    let mut ed_only = Case::err(
        fx,
        "es256_not_published",
        "ES256 is refused when the issuer publishes only EdDSA keys.",
        fx.token(&fx.es, |_| {}).0,
        "unsupported_algorithm",
    );
    ed_only.jwks = crate::keys::jwks(&[fx.ed.jwk()]);
    // The list is signed by the Ed25519 key, so it still loads.
    vec![
        u("alg_none", "alg none.", with_alg("none")),
        u("alg_none_capitalised", "alg None.", with_alg("None")),
        u("alg_none_upper", "alg NONE.", with_alg("NONE")),
        u("alg_none_mixed_case", "alg nOnE.", with_alg("nOnE")),
        u(
            "alg_hs256_public_key_as_secret",
            "HS256 keyed with the public JWKS is refused.",
            hs256,
        ),
        u("alg_rs256", "RS256 is not accepted.", with_alg("RS256")),
        u(
            "alg_lowercase_eddsa",
            "Algorithm names are case-sensitive.",
            with_alg("eddsa"),
        ),
        u("alg_es384", "ES384 is not accepted.", with_alg("ES384")),
        u("alg_empty", "An empty alg.", with_alg("")),
        u(
            "alg_es256_with_ed25519_kid",
            "The header says ES256 but the kid names the Ed25519 key.",
            {
                let t = jws(
                    &header_with("ES256", "gatepass+jwt", &fx.ed.kid()),
                    &claims,
                    &fx.es,
                );
                format!("gp_{t}")
            },
        ),
        u(
            "alg_eddsa_with_p256_kid",
            "The header says EdDSA but the kid names the P-256 key.",
            {
                let t = jws(
                    &header_with("EdDSA", "gatepass+jwt", &fx.es.kid()),
                    &claims,
                    &fx.ed,
                );
                format!("gp_{t}")
            },
        ),
        ed_only,
        u(
            "unsupported_alg_before_wrong_type",
            "Step 5 comes before step 6.",
            {
                format!(
                    "gp_{}",
                    jws(&header_with("HS256", "JWT", &kid), &claims, &fx.ed)
                )
            },
        ),
    ]
}

pub fn types_and_keys(fx: &Fixture) -> Vec<Case> {
    let claims = default_claims().to_string();
    let kid = fx.ed.kid();
    let typ = |t: &str| {
        format!(
            "gp_{}",
            jws(&header_with("EdDSA", t, &kid), &claims, &fx.ed)
        )
    };
    vec![
        Case::err(
            fx,
            "typ_jwt",
            "typ must be exactly gatepass+jwt.",
            typ("JWT"),
            "wrong_type",
        ),
        Case::err(
            fx,
            "typ_case",
            "typ is compared exactly.",
            typ("Gatepass+JWT"),
            "wrong_type",
        ),
        Case::err(
            fx,
            "typ_application_prefix",
            "The media-type form is not accepted.",
            typ("application/gatepass+jwt"),
            "wrong_type",
        ),
        Case::err(
            fx,
            "status_list_presented_as_token",
            "A status list token is not an access token.",
            format!("gp_{}", fx.list1),
            "wrong_type",
        ),
        Case::err(
            fx,
            "wrong_type_before_unknown_key",
            "Step 6 comes before step 7.",
            {
                format!(
                    "gp_{}",
                    jws(&header_with("EdDSA", "JWT", "no-such-kid"), &claims, &fx.ed)
                )
            },
            "wrong_type",
        ),
        Case::err(
            fx,
            "unknown_kid",
            "A kid that is not in the JWKS.",
            format!("gp_{}", jws(&header(&fx.stranger), &claims, &fx.stranger)),
            "unknown_key",
        ),
        Case::err(
            fx,
            "empty_kid",
            "An empty kid matches no key.",
            {
                format!(
                    "gp_{}",
                    jws(&header_with("EdDSA", "gatepass+jwt", ""), &claims, &fx.ed)
                )
            },
            "unknown_key",
        ),
    ]
}

pub fn signatures(fx: &Fixture) -> Vec<Case> {
    let (ed_token, _) = fx.token(&fx.ed, |_| {});
    let (es_token, _) = fx.token(&fx.es, |_| {});
    let ed_sig = crate::keys::b64_decode(&parts(&ed_token)[2]);
    let es_sig = crate::keys::b64_decode(&parts(&es_token)[2]);
    let b =
        |name: &str, desc: &str, token: String| Case::err(fx, name, desc, token, "bad_signature");
    let flipped = |sig: &[u8], byte: usize| {
        let mut s = sig.to_vec();
        s[byte] ^= 0x01;
        s
    };
    // Ed25519: S + L (same value mod L) is the malleable twin of a valid signature.
    let s_plus_l = {
        const L: [u8; 32] = [
            0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9,
            0xde, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
        ];
        let mut s = ed_sig.clone();
        let mut carry = 0u16;
        for i in 0..32 {
            let v = u16::from(s[32 + i]) + u16::from(L[i]) + carry;
            s[32 + i] = v as u8;
            carry = v >> 8;
        }
        s
    };
    const N: [u8; 32] = [
        0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63,
        0x25, 0x51,
    ];
    // n - s: ECDSA's own malleability. Standard ECDSA accepts it, and so does gatepass.
    let high_s = {
        let mut out = es_sig.clone();
        let mut borrow = 0i16;
        for i in (0..32).rev() {
            let v = i16::from(N[i]) - i16::from(es_sig[32 + i]) - borrow;
            out[32 + i] = v.rem_euclid(256) as u8;
            borrow = i16::from(v < 0);
        }
        out
    };
    let input = |t: &str| {
        let p = parts(t);
        format!("{}.{}", p[0], p[1])
    };
    let small_order_r = {
        let mut s = vec![0u8; 64];
        s[0] = 1; // R = identity, S = 0
        s
    };
    let mut es_ok = Case::ok(
        fx,
        "es256_high_s_accepted",
        "ECDSA (r, n-s) is as valid as (r, s); JWS does not require low-s.",
        {
            let (_, claims) = fx.token(&fx.es, |_| {});
            (with_signature(&es_token, &high_s), claims)
        },
    );
    es_ok.description.push_str(" Listed so every SDK agrees.");
    vec![
        b(
            "eddsa_flipped_bit",
            "One flipped bit in the signature.",
            with_signature(&ed_token, &flipped(&ed_sig, 10)),
        ),
        b(
            "eddsa_s_plus_l",
            "Ed25519 S >= L (S + L) is refused (malleability).",
            with_signature(&ed_token, &s_plus_l),
        ),
        b(
            "eddsa_small_order_r",
            "R of small order with S = 0.",
            with_signature(&ed_token, &small_order_r),
        ),
        b(
            "eddsa_all_zero_signature",
            "A signature of zeros.",
            with_signature(&ed_token, &[0u8; 64]),
        ),
        b(
            "eddsa_short_signature",
            "A 63-byte signature.",
            with_signature(&ed_token, &ed_sig[..63]),
        ),
        b(
            "eddsa_long_signature",
            "A 65-byte signature.",
            with_signature(&ed_token, &[ed_sig.as_slice(), &[0]].concat()),
        ),
        b(
            "eddsa_signed_by_other_key",
            "Signed by an unpublished key under a published kid.",
            {
                let p = parts(&ed_token);
                with_signature(
                    &ed_token,
                    &fx.stranger.sign(format!("{}.{}", p[0], p[1]).as_bytes()),
                )
            },
        ),
        b(
            "eddsa_payload_tampered",
            "The payload changed after signing.",
            {
                let p = parts(&ed_token);
                let mut claims = default_claims();
                claims["scope"] = json!("user:read user:write admin:write");
                format!(
                    "gp_{}.{}.{}",
                    p[0],
                    b64(claims.to_string().as_bytes()),
                    p[2]
                )
            },
        ),
        b(
            "eddsa_header_tampered",
            "The header changed after signing (kid kept).",
            {
                let p = parts(&ed_token);
                let header = format!(
                    r#"{{"kid":"{}","typ":"gatepass+jwt","alg":"EdDSA"}}"#,
                    fx.ed.kid()
                );
                format!("gp_{}.{}.{}", b64(header.as_bytes()), p[1], p[2])
            },
        ),
        b(
            "es256_flipped_bit",
            "One flipped bit in an ES256 signature.",
            with_signature(&es_token, &flipped(&es_sig, 40)),
        ),
        b(
            "es256_r_s_zero",
            "ECDSA r = s = 0 (CVE-2022-21449).",
            with_signature(&es_token, &[0u8; 64]),
        ),
        b(
            "es256_r_zero",
            "ECDSA r = 0.",
            with_signature(&es_token, &[[0u8; 32].as_slice(), &es_sig[32..]].concat()),
        ),
        b(
            "es256_s_equals_n",
            "ECDSA s = n.",
            with_signature(&es_token, &[&es_sig[..32], N.as_slice()].concat()),
        ),
        b(
            "es256_r_equals_n",
            "ECDSA r = n.",
            with_signature(&es_token, &[N.as_slice(), &es_sig[32..]].concat()),
        ),
        b(
            "es256_der_signature",
            "A DER-encoded ECDSA signature is not the JWS form.",
            with_signature(&es_token, &fx.es.sign_der(input(&es_token).as_bytes())),
        ),
        b(
            "es256_short_signature",
            "A 63-byte ES256 signature.",
            with_signature(&es_token, &es_sig[..63]),
        ),
        es_ok,
        b(
            "bad_signature_before_expired",
            "Step 8 comes before step 12.",
            {
                let (t, _) = fx.token(&fx.ed, |c| c["exp"] = json!(NOW - 86_400));
                let sig = crate::keys::b64_decode(&parts(&t)[2]);
                with_signature(&t, &flipped(&sig, 0))
            },
        ),
    ]
}

pub fn payloads(fx: &Fixture) -> Vec<Case> {
    let raw = |payload: &str| format!("gp_{}", jws(&header(&fx.ed), payload, &fx.ed));
    let edit = |f: &dyn Fn(&mut serde_json::Value)| fx.token(&fx.ed, f).0;
    let remove = |name: &'static str| {
        fx.token(&fx.ed, move |c| {
            c.as_object_mut().unwrap().remove(name);
        })
        .0
    };
    let m = |name: &str, desc: &str, token: String| Case::err(fx, name, desc, token, "malformed");
    let base = default_claims().to_string();
    vec![
        m(
            "payload_not_json",
            "The payload is not JSON.",
            raw("not json"),
        ),
        m(
            "payload_array",
            "The payload must be an object.",
            raw("[1,2,3]"),
        ),
        m(
            "payload_string",
            "The payload must be an object.",
            raw("\"claims\""),
        ),
        m(
            "payload_duplicate_sub",
            "A duplicate claim name.",
            raw(&base.replacen('{', r#"{"sub":"admin","#, 1)),
        ),
        m(
            "payload_duplicate_nested",
            "A duplicate member inside status.",
            raw(&base.replacen(r#""idx":17"#, r#""idx":17,"idx":18"#, 1)),
        ),
        m(
            "payload_trailing_data",
            "Data after the JSON object.",
            raw(&format!("{base} {{}}")),
        ),
        m("missing_iss", "iss is required.", remove("iss")),
        m("missing_sub", "sub is required.", remove("sub")),
        m("missing_ws", "ws is required.", remove("ws")),
        m("missing_scope", "scope is required.", remove("scope")),
        m("missing_iat", "iat is required.", remove("iat")),
        m("missing_jti", "jti is required.", remove("jti")),
        m("missing_status", "status is required.", remove("status")),
        m(
            "scope_array",
            "scope is a space-separated string, not an array.",
            edit(&|c| c["scope"] = json!(["user:read"])),
        ),
        m(
            "sub_number",
            "sub must be a string.",
            edit(&|c| c["sub"] = json!(42)),
        ),
        m(
            "iat_fraction",
            "iat must be an integer.",
            edit(&|c| c["iat"] = json!(1_767_225_000.5)),
        ),
        m(
            "iat_exponent",
            "An integer written with an exponent is not an integer.",
            raw(&base.replacen(&format!("\"iat\":{}", NOW - 600), "\"iat\":1.767225e9", 1)),
        ),
        m(
            "iat_point_zero",
            "1767225000.0 is not an integer.",
            raw(&base.replacen(&format!("\"iat\":{}", NOW - 600), "\"iat\":1767225000.0", 1)),
        ),
        m(
            "exp_string",
            "exp must be an integer.",
            edit(&|c| c["exp"] = json!("1767229200")),
        ),
        m(
            "exp_beyond_i64",
            "exp must fit in i64.",
            raw(&base.replacen(
                &format!("\"exp\":{}", NOW + 3600),
                "\"exp\":9223372036854775808",
                1,
            )),
        ),
        m(
            "nbf_string",
            "nbf must be an integer when present.",
            edit(&|c| c["nbf"] = json!("0")),
        ),
        m(
            "aud_empty_array",
            "aud, when present, is not empty.",
            edit(&|c| c["aud"] = json!([])),
        ),
        m(
            "aud_number",
            "aud must be a string or an array of strings.",
            edit(&|c| c["aud"] = json!(7)),
        ),
        m(
            "aud_array_with_number",
            "Every audience must be a string.",
            edit(&|c| c["aud"] = json!(["api", 7])),
        ),
        m(
            "status_idx_negative",
            "status idx must be non-negative.",
            edit(&|c| c["status"]["status_list"]["idx"] = json!(-1)),
        ),
        m(
            "status_idx_fraction",
            "status idx must be an integer.",
            edit(&|c| c["status"]["status_list"]["idx"] = json!(1.5)),
        ),
        m(
            "status_idx_beyond_u64",
            "status idx must fit in u64.",
            raw(&base.replacen(r#""idx":17"#, r#""idx":18446744073709551616"#, 1)),
        ),
        m(
            "status_uri_number",
            "status uri must be a string.",
            edit(&|c| c["status"]["status_list"]["uri"] = json!(1)),
        ),
        m(
            "status_missing_status_list",
            "status must hold status_list.",
            edit(&|c| c["status"] = json!({"idx": 17, "uri": LIST1})),
        ),
        m(
            "malformed_before_wrong_issuer",
            "Step 9 comes before step 10.",
            edit(&|c| {
                c["iss"] = json!("https://evil.example");
                c["iat"] = json!("yesterday");
            }),
        ),
    ]
}
