//! The whole verification path, from any string, against a fixed key set and status list:
//! `verify` and `require` must answer (claims or an error code), never panic.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;

static VERIFIER: LazyLock<gatepass::Verifier> = LazyLock::new(|| {
    let (jwks, uri, list, _token) = gatepass::doc_example();
    gatepass::Verifier::offline("https://issuer.example", jwks)
        .status_list(uri, list)
        .build()
        .expect("the doc example builds")
});

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = VERIFIER.verify(&text);
    let _ = VERIFIER.require(&text, &["user:read"], Some("acme"));
});
