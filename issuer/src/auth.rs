//! The Bearer extractor (RFC 6750 §2.1): verifies the presented token with the same
//! `gatepass::Verifier` every SDK uses, fed from this issuer's keys and live revocation state.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use crate::problem::ApiError;
use crate::state::{now, AppState};
use crate::tokens::Caller;

/// The authenticated caller.
pub struct Auth(pub Caller);

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        // The core's reading, as every SDK helper's: no header, another scheme or an empty
        // Bearer is a request without credentials.
        let header = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        let token = gatepass::http::bearer_token(header).ok_or_else(ApiError::missing_token)?;
        if token.starts_with(crate::portal::SECRET_PREFIX) {
            let secret = token.to_owned();
            let caller = crate::db::run(&state.pool, move |c| {
                crate::portal::authenticate(c, &secret, now())
            })
            .await?;
            return Ok(Auth(caller));
        }
        let claims = match state.verifier.verify(token) {
            // A well-signed token in a list this replica has not loaded yet (another replica,
            // or the CLI, made the list a moment ago): load the lists from the store, once.
            Err(e) if e.kind() == gatepass::ErrorCode::StatusUnavailable => {
                let s = state.clone();
                let synced = crate::db::run(&state.pool, move |c| {
                    crate::sync::sync_lists(&s, c, crate::sync::Lists::Moved)
                })
                .await;
                if let Err(e) = synced {
                    tracing::warn!(error = %e, "loading status lists for a token failed");
                }
                state.verifier.verify(token)
            }
            // Not for this deployment's audience: perhaps a platform credential.
            Err(e) if e.kind() == gatepass::ErrorCode::WrongAudience => {
                state.platform_verifier.verify(token).map_err(|_| e)
            }
            other => other,
        }
        .map_err(|e| ApiError::invalid_token(&e))?;
        state.note_use(claims.token_id(), now());
        Ok(Auth(Caller {
            token_id: claims.token_id().to_owned(),
            subject: claims.subject().to_owned(),
            workspace: claims.workspace().to_owned(),
            scopes: claims.scopes().to_vec(),
            expires_at: claims.expires_at(),
            session_expires_at: None,
        }))
    }
}

impl Auth {
    /// 403 unless the caller holds `scope`.
    ///
    /// # Errors
    /// [`ApiError::insufficient_scope`].
    pub fn require(&self, scope: &str) -> Result<&Caller, ApiError> {
        if self.0.has(scope) {
            Ok(&self.0)
        } else {
            Err(ApiError::insufficient_scope(scope))
        }
    }
}
