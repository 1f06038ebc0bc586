//! Status-list tokens: any bytes as a list JWT (signature, claims, base64, zlib inflation with
//! its size cap), against a fixed key set.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;

static JWKS: LazyLock<String> = LazyLock::new(|| gatepass::doc_example().0.to_owned());

fuzz_target!(|data: &[u8]| {
    let _ = gatepass::Verifier::offline("https://issuer.example", JWKS.as_str())
        .status_list("https://issuer.example/v1/status-lists/1", data.to_vec())
        .build();
});
