//! Online verifiers: built from the issuer URL alone, kept current by a background thread.
//! `verify` never touches the network; it reads the latest snapshot the thread swapped in.

mod builder;
mod discovery;
mod event;
mod http;
mod push;
mod refresher;
mod signals;
mod sse;
mod usage;

pub use builder::{
    OnlineBuilder, Startup, DEFAULT_HTTP_TIMEOUT, DEFAULT_MAX_STALENESS, DEFAULT_REFRESH_INTERVAL,
    DEFAULT_STARTUP_TIMEOUT, DEFAULT_UNKNOWN_KEY_COOLDOWN, DEFAULT_USAGE_REPORT_INTERVAL,
};
pub use push::PushStatus;

/// What `crate::fuzz_entry` reaches of this module's private parsers.
#[cfg(feature = "__fuzz")]
pub(crate) mod fuzz {
    pub(crate) fn discovery(bytes: &[u8], issuer: &str) -> bool {
        super::discovery::parse(bytes, issuer).is_ok()
    }

    pub(crate) fn index(bytes: &[u8]) -> bool {
        super::discovery::parse_index(bytes).is_ok()
    }

    pub(crate) fn sse(bytes: &[u8]) {
        let mut reader = super::sse::SseReader::new(std::io::BufReader::new(bytes));
        // Every call consumes input or ends it, so this ends; the bound is a second guard.
        for _ in 0..=bytes.len() {
            match reader.next_line() {
                Ok(super::sse::Line::End) | Err(_) => return,
                Ok(_) => {}
            }
        }
    }

    pub(crate) fn event(text: &str, keys: &crate::KeySet, issuer: &str) -> bool {
        super::event::parse(text, Some(keys), issuer).is_ok()
    }
}
