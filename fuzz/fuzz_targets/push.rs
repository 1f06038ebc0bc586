//! The push channel: any bytes as the event stream, and as one event's signed payload.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;

static KEYS: LazyLock<gatepass::KeySet> = LazyLock::new(|| {
    gatepass::KeySet::from_json(gatepass::doc_example().0.as_bytes())
        .expect("the doc example's keys")
});

fuzz_target!(|data: &[u8]| {
    gatepass::fuzz_entry::push_stream(data);
    gatepass::fuzz_entry::push_event(&String::from_utf8_lossy(data), &KEYS);
});
