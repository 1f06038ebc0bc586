//! Runs every case in `tests/vectors/` (the same files the Python and Node suites run).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Duration;

use gatepass::clock::ManualClock;
use gatepass::{ErrorCode, Verifier};
use serde_json::{json, Value};

fn vector_files() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/vectors exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

fn build(case: &Value) -> Result<Verifier, gatepass::ConfigError> {
    let opts = &case["options"];
    let mut builder = Verifier::offline(
        case["issuer"].as_str().unwrap(),
        case["jwks"].as_str().unwrap(),
    )
    .prefix(opts["prefix"].as_str().unwrap())
    .leeway(Duration::from_secs(opts["leeway"].as_u64().unwrap()))
    .audiences(
        opts["audience"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap().to_owned()),
    )
    .danger_fail_open_when_stale(opts["danger_fail_open_when_stale"].as_bool().unwrap())
    .clock(ManualClock::new(case["now"].as_i64().unwrap()));
    for (uri, jwt) in case["status_lists"].as_object().unwrap() {
        builder = builder.status_list(uri, jwt.as_str().unwrap());
    }
    builder.build()
}

fn claims_json(c: &gatepass::Claims) -> Value {
    json!({
        "subject": c.subject(),
        "workspace": c.workspace(),
        "scopes": c.scopes(),
        "token_id": c.token_id(),
        "issued_at": c.issued_at(),
        "expires_at": c.expires_at(),
        "audience": c.audience(),
    })
}

/// Runs one case; `Err` describes a mismatch. Each case runs twice on one verifier, so the
/// second run goes through the verified-token cache and must give the same answer.
fn run(case: &Value) -> Result<(), String> {
    let expect = &case["expect"];
    let verifier = match build(case) {
        Ok(_) if expect["config_error"] == true => {
            return Err("built, but a configuration error was expected".into())
        }
        Ok(v) => v,
        Err(_) if expect["config_error"] == true => return Ok(()),
        Err(e) => return Err(format!("configuration error: {e}")),
    };
    let token = case["token"].as_str().unwrap();
    for attempt in ["first", "cached"] {
        let result = match case["require"].as_object() {
            None => verifier.verify(token),
            Some(req) => {
                let scopes: Vec<&str> = req["scopes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| s.as_str().unwrap())
                    .collect();
                verifier.require(token, &scopes, req["workspace"].as_str())
            }
        };
        match (result, expect.get("claims"), expect.get("error")) {
            (Ok(c), Some(want), _) if claims_json(&c) == *want => {}
            (Ok(c), Some(want), _) => {
                return Err(format!("{attempt}: claims {} != {want}", claims_json(&c)))
            }
            (Ok(_), None, want) => return Err(format!("{attempt}: verified, expected {want:?}")),
            (Err(e), _, Some(want)) if e.code() == want => {
                for part in token.split('.').filter(|p| p.len() >= 8) {
                    if e.to_string().contains(part) {
                        return Err("error message contains part of the token".into());
                    }
                }
                let scopes: Vec<&str> = case["require"]["scopes"]
                    .as_array()
                    .map(|a| a.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                let answer = gatepass::http::Rejection::for_error(&e, &scopes);
                let got = json!({"status": answer.status(), "www_authenticate": answer.www_authenticate(), "body": answer.body()});
                if got != expect["http"] {
                    return Err(format!(
                        "{attempt}: HTTP answer {got} != {}",
                        expect["http"]
                    ));
                }
            }
            (Err(e), _, _) => return Err(format!("{attempt}: {e}, expected {expect}")),
        }
    }
    Ok(())
}

#[test]
fn every_vector_passes() {
    let mut failures = Vec::new();
    let mut names = BTreeSet::new();
    let mut codes = BTreeSet::new();
    let mut total = 0;
    for file in vector_files() {
        let doc: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
        for case in doc["cases"].as_array().unwrap() {
            total += 1;
            let name = case["name"].as_str().unwrap().to_owned();
            assert!(names.insert(name.clone()), "duplicate case {name}");
            if let Some(code) = case["expect"]["error"].as_str() {
                codes.insert(code.to_owned());
            }
            if let Err(why) = run(case) {
                failures.push(format!(
                    "{}/{name}: {why}",
                    file.file_name().unwrap().to_string_lossy()
                ));
            }
        }
    }
    let floor: usize = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/FLOOR"),
    )
    .expect("tests/vectors/FLOOR")
    .trim()
    .parse()
    .expect("FLOOR is a number");
    assert!(
        total >= floor,
        "only {total} vectors found; tests/vectors/FLOOR says at least {floor}"
    );
    assert!(
        failures.is_empty(),
        "{} of {total} vectors failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(total >= 80, "only {total} vectors");
    let all: BTreeSet<String> = ErrorCode::ALL
        .iter()
        .map(|c| c.as_str().to_owned())
        .collect();
    let missing: Vec<_> = all.difference(&codes).collect();
    assert!(missing.is_empty(), "codes without a vector: {missing:?}");
    eprintln!("{total} vectors passed");
}
