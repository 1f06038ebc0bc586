//! The discovery document and the status-list index, as an issuer (or anyone between) sends them.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    gatepass::fuzz_entry::discovery(data);
});
