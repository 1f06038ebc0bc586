//! Steps 10 to 13 of docs/protocol.md ("Verification, step by step") and the two checks `require` adds. Pure functions of the claims,
//! the policy, the loaded status lists and "now".

use super::options::Policy;
use super::state::Snapshot;
use crate::claims::Claims;
use crate::error::{ErrorCode, TokenError};

const fn err(code: ErrorCode, message: &'static str) -> TokenError {
    TokenError::new(code, message)
}

/// Steps 10 and 11: issuer and audience. These never change for a verified token, so a cached
/// token does not repeat them.
pub(crate) fn issuer_and_audience(policy: &Policy, claims: &Claims) -> Result<(), TokenError> {
    if claims.issuer() != policy.issuer {
        return Err(err(
            ErrorCode::WrongIssuer,
            "the token was issued by another issuer",
        ));
    }
    let aud = claims.audience();
    if policy.audiences.is_empty() {
        if !aud.is_empty() {
            return Err(err(
                ErrorCode::WrongAudience,
                "the token is meant for an audience, and this verifier has none",
            ));
        }
    } else if !aud.iter().any(|a| policy.audiences.contains(a)) {
        return Err(err(
            ErrorCode::WrongAudience,
            "the token is not meant for this audience",
        ));
    }
    Ok(())
}

/// Step 12: `exp`, `nbf` and `iat` against now, with leeway.
pub(crate) fn times(policy: &Policy, claims: &Claims, now: i64) -> Result<(), TokenError> {
    if claims
        .expires_at()
        .is_some_and(|exp| now > exp.saturating_add(policy.leeway))
    {
        return Err(err(ErrorCode::Expired, "the token has expired"));
    }
    let latest_start = now.saturating_add(policy.leeway);
    if claims.not_before().is_some_and(|nbf| nbf > latest_start)
        || claims.issued_at() > latest_start
    {
        return Err(err(ErrorCode::NotYetValid, "the token is not valid yet"));
    }
    Ok(())
}

/// Step 13: the token's status-list entry.
pub(crate) fn status(
    policy: &Policy,
    snapshot: &Snapshot,
    claims: &Claims,
    now: i64,
) -> Result<(), TokenError> {
    let status = claims.status();
    let (unavailable, value) = match snapshot.lists.get(&status.uri) {
        None => (Some("the token's status list is not loaded"), None),
        Some(entry) => {
            let value = entry.list.list().get(status.idx);
            let unavailable = if value.is_none() {
                Some("the token's status index is outside its status list")
            } else if entry
                .list
                .expires_at()
                .is_some_and(|exp| now > exp.saturating_add(policy.leeway))
            {
                Some("the token's status list has expired")
            } else if let (Some(max), Some(confirmed)) = (policy.max_staleness, entry.confirmed_at)
            {
                (now.saturating_sub(confirmed) > max)
                    .then_some("the token's status list is older than the maximum staleness")
            } else {
                None
            };
            (unavailable, value)
        }
    };
    match (unavailable, value) {
        (Some(message), _) if !policy.fail_open_when_stale => {
            Err(err(ErrorCode::StatusUnavailable, message))
        }
        // Fail-open still refuses a token whose (possibly stale) entry says it is revoked.
        (_, Some(v)) if v != 0 => Err(err(ErrorCode::Revoked, "the token has been revoked")),
        _ => Ok(()),
    }
}

/// `require`: workspace first, then every scope exactly as written.
pub(crate) fn workspace_and_scopes<S: AsRef<str>>(
    claims: &Claims,
    scopes: &[S],
    workspace: Option<&str>,
) -> Result<(), TokenError> {
    if workspace.is_some_and(|ws| ws != claims.workspace()) {
        return Err(err(
            ErrorCode::WrongWorkspace,
            "the token belongs to another workspace",
        ));
    }
    if !scopes.iter().all(|s| claims.has_scope(s.as_ref())) {
        return Err(err(
            ErrorCode::InsufficientScope,
            "the token lacks a required scope",
        ));
    }
    Ok(())
}
