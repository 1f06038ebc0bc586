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
    DEFAULT_UNKNOWN_KEY_COOLDOWN, DEFAULT_USAGE_REPORT_INTERVAL,
};
pub use push::PushStatus;
