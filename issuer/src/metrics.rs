//! Prometheus metrics (served by `routes::metrics` at `GET /metrics`), and the middleware that
//! records every request and logs one line for it (method, route, status, duration: never
//! headers, so never a token).

use std::sync::LazyLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

/// Labels of a request.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    /// HTTP method.
    pub method: String,
    /// The route template (`/v1/tokens/{id}`), never the raw path.
    pub route: String,
    /// Status code.
    pub status: u16,
}

/// Labels of a latency observation.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct LatencyLabels {
    /// HTTP method.
    pub method: String,
    /// The route template.
    pub route: String,
}

/// Every metric of the process.
pub struct Metrics {
    registry: Registry,
    /// Requests by route and status.
    pub requests: Family<RouteLabels, Counter>,
    /// Request latency by route.
    pub latency: Family<LatencyLabels, Histogram>,
    /// Tokens minted (API, CLI, rotation).
    pub minted: Counter,
    /// Tokens revoked.
    pub revoked: Counter,
    /// Tokens rotated.
    pub rotated: Counter,
    /// Status lists rebuilt and signed.
    pub list_rebuilds: Counter,
    /// Time to rebuild one status list.
    pub list_rebuild_seconds: Histogram,
    /// Storage failures seen by the API or the background sync.
    pub store_errors: Counter,
    /// Write transactions run again after a deadlock or serialization failure.
    pub tx_retries: Counter,
    /// Verifiers subscribed to the push channel on this replica.
    pub stream_subscribers: prometheus_client::metrics::gauge::Gauge,
    /// Push events signed and published by this replica.
    pub events_published: Counter,
    /// Subscribers disconnected because they fell too far behind.
    pub stream_lagged: Counter,
}

/// The process-wide metrics.
pub static METRICS: LazyLock<Metrics> = LazyLock::new(|| {
    let mut registry = Registry::with_prefix("gatepass");
    let requests = Family::<RouteLabels, Counter>::default();
    let latency = Family::<LatencyLabels, Histogram>::new_with_constructor(|| {
        Histogram::new(exponential_buckets(0.0005, 2.0, 14))
    });
    let (minted, revoked, rotated, list_rebuilds, store_errors, tx_retries) = (
        Counter::default(),
        Counter::default(),
        Counter::default(),
        Counter::default(),
        Counter::default(),
        Counter::default(),
    );
    let list_rebuild_seconds = Histogram::new(exponential_buckets(0.001, 2.0, 12));
    registry.register(
        "http_requests",
        "HTTP requests by route and status",
        requests.clone(),
    );
    registry.register(
        "http_request_duration_seconds",
        "HTTP request latency by route",
        latency.clone(),
    );
    registry.register("tokens_minted", "Tokens minted", minted.clone());
    registry.register("tokens_revoked", "Tokens revoked", revoked.clone());
    registry.register("tokens_rotated", "Tokens rotated", rotated.clone());
    registry.register(
        "status_list_rebuilds",
        "Status lists rebuilt and signed",
        list_rebuilds.clone(),
    );
    registry.register(
        "status_list_rebuild_duration_seconds",
        "Time to rebuild one status list",
        list_rebuild_seconds.clone(),
    );
    registry.register("store_errors", "Storage failures", store_errors.clone());
    let stream_subscribers = prometheus_client::metrics::gauge::Gauge::default();
    let (events_published, stream_lagged) = (Counter::default(), Counter::default());
    registry.register(
        "stream_subscribers",
        "Verifiers subscribed to the push channel",
        stream_subscribers.clone(),
    );
    registry.register(
        "stream_events_published",
        "Push events published",
        events_published.clone(),
    );
    registry.register(
        "stream_lagged_disconnects",
        "Subscribers disconnected for falling behind",
        stream_lagged.clone(),
    );
    registry.register(
        "transaction_retries",
        "Write transactions run again after a deadlock or serialization failure",
        tx_retries.clone(),
    );
    Metrics {
        registry,
        requests,
        latency,
        minted,
        revoked,
        rotated,
        list_rebuilds,
        list_rebuild_seconds,
        store_errors,
        tx_retries,
        stream_subscribers,
        events_published,
        stream_lagged,
    }
});

/// The registry in the OpenMetrics text format (served by `routes::metrics`).
///
/// # Errors
/// Encoding failed (it writes into a `String`, so only a broken metric could).
pub fn encode() -> Result<String, std::fmt::Error> {
    let mut text = String::new();
    prometheus_client::encoding::text::encode(&mut text, &METRICS.registry)?;
    Ok(text)
}

/// Records and logs every request.
pub async fn track(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let response = next.run(request).await;
    let status = response.status().as_u16();
    let elapsed = started.elapsed();
    METRICS
        .requests
        .get_or_create(&RouteLabels {
            method: method.clone(),
            route: route.clone(),
            status,
        })
        .inc();
    METRICS
        .latency
        .get_or_create(&LatencyLabels {
            method: method.clone(),
            route: route.clone(),
        })
        .observe(elapsed.as_secs_f64());
    // Access log at debug: enable with GATEPASS_LOG=info,gatepass_issuer::http=debug.
    tracing::debug!(target: "gatepass_issuer::http", %method, %route, status, ms = elapsed.as_secs_f64() * 1000.0, "request");
    response
}
