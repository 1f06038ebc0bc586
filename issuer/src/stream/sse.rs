//! `GET /v1/status-stream`: the push channel as Server-Sent Events. No authentication: it says
//! only what the public status lists say, and every event is signed.
//!
//! A connection gets, in order: a `retry` hint and a comment (flushed at once, so proxies do not
//! sit on an empty response); with `Last-Event-ID`, every event since then; a signed `snapshot`
//! of every list's version (with `resumed`: whether the replay covered the gap — if not, the
//! client refetches lists that are behind); then live `status` events, and a comment heartbeat
//! after [`HEARTBEAT`] of silence.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use tokio::sync::broadcast;

use super::Event;

/// One event of the stream as an SSE client reads it (the document's description of the
/// `text/event-stream` body; the stream writes it with `frame` in `stream/mod.rs`).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct StreamEvent {
    /// `snapshot`, `status` or `keys`.
    #[schema(pattern = "^(snapshot|status|keys)$")]
    event: String,
    /// The event itself: a JWS (`typ` gatepass-event+jwt) signed by a published key.
    data: String,
    /// Its sequence number: send it back as `Last-Event-ID` to resume.
    id: String,
    /// How long to wait before reconnecting, in milliseconds (on the first event).
    retry: Option<u64>,
}
use crate::db::queries::events as q;
use crate::db::{self, DbError};
use crate::problem::ApiError;
use crate::state::{now, AppState};

/// The route.
pub const PATH: &str = "/v1/status-stream";
/// The longest silence on a connection; verifiers treat a link quiet for three times this as down.
pub const HEARTBEAT: Duration = Duration::from_secs(5);
/// The most events replayed from the database for one resumption.
const MAX_REPLAY: i64 = 10_000;

/// Counts a subscriber while its stream lives.
struct Subscribed;

impl Subscribed {
    fn new() -> Subscribed {
        crate::metrics::METRICS.stream_subscribers.inc();
        Subscribed
    }
}

impl Drop for Subscribed {
    fn drop(&mut self) {
        crate::metrics::METRICS.stream_subscribers.dec();
    }
}

struct Stream {
    pending: VecDeque<Bytes>,
    closing: tokio::sync::watch::Receiver<bool>,
    live: broadcast::Receiver<Arc<Event>>,
    head: i64,
    _subscribed: Subscribed,
}

/// The stream of status changes.
#[utoipa::path(get, operation_id = "streamStatusEvents", path = "/v1/status-stream", tag = "discovery",
    params(("Last-Event-ID" = Option<String>, Header, description = "Resume after this event (the `id` of an event this stream sent; anything else starts from a snapshot)")),
    description = "Status changes as Server-Sent Events (signed JWS, typ gatepass-event+jwt): on connect the events since Last-Event-ID, then a snapshot of every list's version, then live events; heartbeats every 5 s.",
    responses((status = 200, description = "An endless event stream", content_type = "text/event-stream", body = StreamEvent)))]
pub async fn stream(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let after = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<i64>().ok())
        .filter(|v| *v >= 0);
    let subscription = state.hub.subscribe(after);
    let key = state.keys.load().signing(now());
    let issuer = state.config.issuer_url.clone();
    let head = subscription.head;
    let mut pending: VecDeque<Bytes> = VecDeque::from([Bytes::from_static(
        b"retry: 2000\n: gatepass status stream\n\n",
    )]);
    let mut resumed = false;
    if let Some(after) = after {
        if let Some(events) = &subscription.replay {
            resumed = true;
            pending.extend(events.iter().map(|e| e.frame.clone()));
        } else {
            let rows = db::run(&state.pool, move |c| {
                let reachable = q::oldest(c)?.is_some_and(|oldest| oldest <= after + 1);
                if reachable && head - after <= MAX_REPLAY {
                    q::after(c, after, head - after).map(Some)
                } else {
                    Ok::<_, DbError>(None)
                }
            })
            .await?;
            if let Some(rows) = rows {
                resumed = true;
                for row in rows.iter().filter(|r| r.seq <= head) {
                    let event = super::render(row, &key, &issuer, now())
                        .map_err(|e| ApiError::internal(&e))?;
                    pending.push_back(event.frame);
                }
            }
        }
    }
    let snapshot = super::snapshot(head, &subscription.versions, resumed, &key, &issuer, now())
        .map_err(|e| ApiError::internal(&e))?;
    pending.push_back(snapshot);
    let stream = Stream {
        pending,
        closing: state.hub.closed(),
        live: subscription.live,
        head,
        _subscribed: Subscribed::new(),
    };
    let body = Body::from_stream(futures_util::stream::unfold(stream, next_frame));
    let mut response = Response::new(body);
    *response.status_mut() = StatusCode::OK;
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache, no-transform"),
    );
    h.insert("x-accel-buffering", HeaderValue::from_static("no"));
    Ok(response)
}

/// The next bytes of a stream; `None` ends it (the subscriber fell too far behind).
async fn next_frame(mut s: Stream) -> Option<(Result<Bytes, Infallible>, Stream)> {
    if *s.closing.borrow() {
        return None;
    }
    if let Some(bytes) = s.pending.pop_front() {
        return Some((Ok(bytes), s));
    }
    loop {
        tokio::select! {
            received = s.live.recv() => match received {
                Ok(event) if event.seq <= s.head => continue,
                Ok(event) => {
                    s.head = event.seq;
                    return Some((Ok(event.frame.clone()), s));
                }
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    // Never skip past events: close; the client resumes from its last id.
                    crate::metrics::METRICS.stream_lagged.inc();
                    return None;
                }
                Err(broadcast::error::RecvError::Closed) => return None,
            },
            () = tokio::time::sleep(HEARTBEAT) => {
                return Some((Ok(Bytes::from_static(b": keep-alive\n\n")), s));
            }
            _ = s.closing.changed() => return None,
        }
    }
}
