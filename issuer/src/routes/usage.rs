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

/// One report entry.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Seen {
    /// Token id.
    jti: String,
    /// When it was seen, RFC 3339.
    at: String,
}

/// The report.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UsageReport {
    /// Up to 1000 entries.
    seen: Vec<Seen>,
}

/// Applies a report to tokens of the caller's workspace; unknown ids are ignored.
#[utoipa::path(post, path = "/v1/usage", tag = "tokens", security(("bearer" = [])), request_body = UsageReport,
    description = "SDK usage reports (needs usage:report): last_used_at only moves forward.",
    responses((status = 200, description = "`{updated: n}`", body = Object), responses::Unauthorized, responses::Forbidden, responses::Invalid))]
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
        match humantime::parse_rfc3339_weak(&s.at) {
            Ok(t) => {
                let at = t
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_secs() as i64)
                    .unwrap_or(0);
                entries.push((s.jti, at.min(now)));
            }
            Err(_) => errors.push(FieldError {
                field: format!("seen[{i}].at"),
                message: "must be an RFC 3339 time".into(),
            }),
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
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
