//! `POST /v1/usage` (usage:report): SDKs report the tokens they verified; `last_used_at`
//! only moves forward, and never past now.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use utoipa::ToSchema;

use super::ApiJson;
use crate::auth::Auth;
use crate::db::{self, queries::tokens as q};
use crate::problem::{responses, ApiError, FieldError};
use crate::scopes::USAGE_REPORT;
use crate::state::{now, AppState};
use crate::tokens::service;

/// One report entry.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Seen {
    /// Token id.
    jti: String,
    /// When it was seen, RFC 3339.
    #[schema(format = DateTime)]
    at: String,
}

/// The report.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UsageReport {
    /// Up to 1000 entries.
    #[schema(max_items = 1000)]
    seen: Vec<Seen>,
}

/// Applies a report to tokens of the caller's workspace; unknown ids are ignored.
#[utoipa::path(post, operation_id = "reportUsage", path = "/v1/usage", tag = "tokens", security(("bearer" = [])), request_body = UsageReport,
    description = "SDK usage reports (needs usage:report): last_used_at only moves forward.",
    responses((status = 200, description = "`{updated: n}`", body = Object), responses::Unauthorized, responses::Forbidden, responses::Invalid, responses::BadRequest, responses::TooLarge, responses::UnsupportedType))]
pub async fn report(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(report): ApiJson<UsageReport>,
) -> Result<Json<Value>, ApiError> {
    let caller = auth.require(USAGE_REPORT)?.clone();
    if report.seen.len() > 1000 {
        return Err(ApiError::invalid("seen", "at most 1000 entries per report"));
    }
    let now = now();
    let mut entries = Vec::with_capacity(report.seen.len());
    let mut errors = Vec::new();
    for (i, s) in report.seen.into_iter().enumerate() {
        match parse_rfc3339(&s.at) {
            // An id that cannot name a token is ignored like an unknown one, unread.
            Some(at) if service::is_token_id(&s.jti) => entries.push((s.jti, at.min(now))),
            Some(_) => {}
            None => errors.push(FieldError {
                field: format!("seen[{i}].at"),
                message: "must be an RFC 3339 date-time, e.g. 2026-01-01T12:00:00Z or 2026-01-01T13:00:00+01:00".into(),
            }),
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    // Token rows are locked in ascending id order, as in every transaction.
    entries.sort_unstable();
    let updated = db::run(&state.pool, move |conn| {
        db::write_tx(conn, |c| {
            let mut n = 0;
            for (jti, at) in &entries {
                n += q::touch(c, jti, Some(&caller.workspace), *at)?;
            }
            Ok::<_, ApiError>(n)
        })
    })
    .await?;
    Ok(Json(json!({"updated": updated})))
}

/// Seconds since the epoch of an RFC 3339 date-time (`T` separator, seconds, and `Z` or a
/// numeric offset required; fractions allowed), or `None`.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .ok()
        .map(time::OffsetDateTime::unix_timestamp)
}

#[cfg(test)]
mod tests {
    use super::parse_rfc3339;

    #[test]
    fn exactly_rfc3339() {
        assert_eq!(parse_rfc3339("2026-01-01T00:00:00Z"), Some(1_767_225_600));
        assert_eq!(
            parse_rfc3339("2026-01-01T01:00:00+01:00"),
            Some(1_767_225_600)
        );
        assert_eq!(
            parse_rfc3339("2026-01-01T00:00:00.250Z"),
            Some(1_767_225_600)
        );
        for loose in [
            "1971-01-01 00:00:00",
            "2026-01-01T00:00:00",
            "2026-01-01",
            "yesterday",
            "2026-01-01T00:00Z",
        ] {
            assert_eq!(parse_rfc3339(loose), None, "{loose}");
        }
    }
}
