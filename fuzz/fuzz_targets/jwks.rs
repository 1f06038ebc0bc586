//! JWKS parsing: any bytes as the issuer's key set.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = gatepass::KeySet::from_json(data);
    let _ = gatepass::Verifier::offline("https://issuer.example", data.to_vec()).build();
});
