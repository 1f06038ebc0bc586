//! Status-list tokens: any bytes as a list token — a JWT, or a CWT when the first byte is not
//! ASCII (CBOR, COSE_Sign1, signature, claims, base64, zlib inflation with its size cap) —
//! against a fixed key set; and the same bytes as the claims of a CWT whose signature passed.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;

static JWKS: LazyLock<String> = LazyLock::new(|| gatepass::doc_example().0.to_owned());

fuzz_target!(|data: &[u8]| {
    let _ = gatepass::Verifier::offline("https://issuer.example", JWKS.as_str())
        .status_list("https://issuer.example/v1/status-lists/1", data.to_vec())
        .build();
    gatepass::fuzz_entry::status_list_cwt_claims(data);
});
