//! Writes the shared test vectors into `tests/vectors/` (and the doc example the crate's
//! doctests use). Run from the workspace root:
//!
//! ```text
//! cargo run -p gatepass --example gen_vectors
//! ```
//!
//! Keys are derived from fixed labels and both signature schemes are deterministic, so a run
//! rewrites the same bytes; `scripts/test` checks that with `git diff`. To add a case, add it
//! to one of the groups below and run the generator.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod cases_policy;
mod cases_token;
mod fixture;
mod keys;

use std::path::PathBuf;

use serde_json::json;

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = root.join("tests/vectors");
    std::fs::create_dir_all(&out).expect("create tests/vectors");
    let fx = fixture::Fixture::new();
    let groups: Vec<(&str, &str, Vec<fixture::Case>)> = vec![
        ("valid", "Tokens that verify.", cases_token::valid(&fx)),
        (
            "structure",
            "Size, compact serialization, base64url and header shape (malformed).",
            cases_token::structure(&fx),
        ),
        (
            "algorithms",
            "Algorithm allow-list and key/algorithm agreement, incl. RFC 8725 attacks.",
            cases_token::algorithms(&fx),
        ),
        (
            "types_and_keys",
            "typ and kid.",
            cases_token::types_and_keys(&fx),
        ),
        (
            "signatures",
            "Signature checks: strict Ed25519, ECDSA ranges and forms.",
            cases_token::signatures(&fx),
        ),
        (
            "payloads",
            "Claim presence and JSON types (malformed).",
            cases_token::payloads(&fx),
        ),
        ("time", "exp, nbf, iat and leeway.", cases_policy::time(&fx)),
        (
            "issuer_audience",
            "iss and aud.",
            cases_policy::issuer_and_audience(&fx),
        ),
        (
            "prefix",
            "Token prefix handling.",
            cases_policy::prefixes(&fx),
        ),
        (
            "status",
            "Token Status List lookups, incl. the draft's own test vectors.",
            cases_policy::status(&fx),
        ),
        (
            "require",
            "require(): workspace and scopes.",
            cases_policy::require(&fx),
        ),
        (
            "config",
            "Inputs that must be refused when the verifier is built.",
            cases_policy::config(&fx),
        ),
    ];
    let mut names = std::collections::BTreeSet::new();
    let mut total = 0;
    // Remove stale group files so a renamed group cannot linger.
    for entry in std::fs::read_dir(&out).expect("read tests/vectors") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "json") {
            std::fs::remove_file(path).expect("remove old vector file");
        }
    }
    for (group, description, cases) in &groups {
        for case in cases {
            assert!(
                names.insert(case.name.clone()),
                "duplicate case name {}",
                case.name
            );
        }
        total += cases.len();
        let doc = json!({
            "group": group,
            "description": description,
            "cases": cases.iter().map(fixture::Case::to_json).collect::<Vec<_>>(),
        });
        let text = serde_json::to_string_pretty(&doc).expect("json") + "\n";
        std::fs::write(out.join(format!("{group}.json")), text).expect("write vectors");
    }
    write_doc_example(&root, &fx);
    eprintln!(
        "wrote {total} cases in {} files to {}",
        groups.len(),
        out.display()
    );
}

/// A never-expiring token and list for the crate-level doctest.
fn write_doc_example(root: &std::path::Path, fx: &fixture::Fixture) {
    let dir = root.join("tests/vectors/doc_example");
    std::fs::create_dir_all(&dir).expect("create doc_example");
    let mut list = gatepass::status_list::StatusList::new(1, 1024).expect("list");
    list.set(3, 1).expect("set");
    let uri = fixture::LIST1;
    let list_jwt = fixture::status_list_jwt(
        &fx.ed,
        uri,
        &json!({"sub": uri, "iat": fixture::NOW, "ttl": 300, "status_list": {"bits": 1, "lst": list.encode()}}),
    );
    let (token, _) = fx.token(&fx.ed, |c| {
        c.as_object_mut().unwrap().remove("exp");
        c["status"]["status_list"]["idx"] = json!(7);
    });
    std::fs::write(dir.join("jwks.json"), &fx.jwks).expect("write");
    std::fs::write(dir.join("status_list.jwt"), list_jwt).expect("write");
    std::fs::write(dir.join("token.txt"), token).expect("write");
}
