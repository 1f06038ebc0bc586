//! Portal sessions: how a product sends its signed-in user to their token page without the user
//! ever holding a gatepass token first (like Stripe's customer portal).
//!
//! 1. The product's backend (platform credential) opens a session for `(workspace, subject)` and
//!    gets a URL: the page's address with a one-time code in the fragment (`#portal=…`), which
//!    browsers never send to servers, so it reaches no access log.
//! 2. The page exchanges the code, once and within [`CODE_TTL_SECS`], for a session secret
//!    (`gps_…`) valid [`SESSION_TTL_SECS`], then removes the fragment from the address bar.
//! 3. The secret works only on the management API (it is no JWS: SDK verifiers refuse it) with
//!    `tokens:write` for the subject's own tokens (`tokens:admin` for role admin). Tokens made
//!    in a session may outlive it.
//!
//! Only SHA-256 hashes of codes and secrets are stored.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use ring::rand::{SecureRandom, SystemRandom};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use crate::db::models::PortalSessionRow;
use crate::db::queries::{audit as audit_q, portal as q, workspaces as ws_q};
use crate::db::{self, DbConn, DbError};
use crate::problem::{ApiError, FieldError};
use crate::scopes::{TOKENS_ADMIN, TOKENS_WRITE};
use crate::state::{rfc3339, AppState};
use crate::tokens::text;
use crate::tokens::{audit_event, new_id, Caller};

/// How long a portal URL can be opened: 5 minutes.
pub const CODE_TTL_SECS: i64 = 300;
/// How long a session lasts once opened: 1 hour.
pub const SESSION_TTL_SECS: i64 = 3600;
/// The prefix of session secrets (never a valid token prefix: it has no JWS after it).
pub const SECRET_PREFIX: &str = "gps_";

/// What a product asks for.
#[derive(Debug, Clone)]
pub struct Request {
    /// Workspace (must exist).
    pub workspace: String,
    /// The signed-in user.
    pub subject: String,
    /// Where the page's "Back to …" link and signing out lead.
    pub return_url: String,
    /// `member` (own tokens, the default) or `admin` (every token of the workspace).
    pub role: Option<String>,
    /// Scopes tokens made in the session may carry; default: the catalog's own scopes (not the
    /// built-in management ones).
    pub scopes: Option<Vec<String>>,
}

/// An opened session: where to send the user.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Opened {
    /// The session id (appears in audit events as the actor).
    pub id: String,
    /// Send the user here (one use, within `expires_at`).
    pub url: String,
    /// When the URL stops working.
    pub expires_at: String,
}

/// A session the page has exchanged its code for.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Exchanged {
    /// The session secret: `Authorization: Bearer gps_…` on the management API.
    pub token: String,
    /// When the session ends.
    pub expires_at: String,
    /// The user.
    pub subject: String,
    /// Their workspace.
    pub workspace: String,
    /// `member` or `admin`.
    pub role: String,
    /// Where to go back to.
    pub return_url: String,
    /// The product's name (`product_name`), for "Back to …"; null when not configured.
    pub product_name: Option<String>,
    /// The product's address (`product_url`); null when not configured.
    pub product_url: Option<String>,
}

/// `scheme://host[:port]` of an http(s) URL, lower-cased; `None` for anything else (other
/// schemes, user info, no host).
pub fn origin_of(url: &str) -> Option<String> {
    let uri: axum::http::Uri = url.parse().ok()?;
    let scheme = uri.scheme_str()?.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let authority = uri.authority()?.as_str();
    if authority.is_empty() || authority.contains('@') {
        return None;
    }
    Some(format!("{scheme}://{}", authority.to_ascii_lowercase()))
}

fn random_secret() -> Result<String, DbError> {
    let mut bytes = [0u8; 32];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| DbError::Unavailable("no randomness".into()))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

fn hash(secret: &str) -> String {
    URL_SAFE_NO_PAD.encode(ring::digest::digest(
        &ring::digest::SHA256,
        secret.as_bytes(),
    ))
}

/// Opens a session for `req`.
///
/// # Errors
/// 422 naming each invalid field (an unknown workspace, a return URL whose origin is not in
/// `portal_return_origins`, …), storage.
pub fn open(
    state: &AppState,
    conn: &mut DbConn,
    caller: &Caller,
    req: Request,
    now: i64,
) -> Result<Opened, ApiError> {
    let mut errors = Vec::new();
    let mut field = |name: &str, message: String| {
        errors.push(FieldError {
            field: name.into(),
            message,
        })
    };
    if !crate::workspaces::is_valid_id(&req.workspace) || ws_q::get(conn, &req.workspace)?.is_none()
    {
        field(
            "workspace",
            format!(
                "no workspace \"{}\" (create it first)",
                text::shown(&req.workspace)
            ),
        );
    }
    if let Some(problem) = text::subject_problem(&req.subject) {
        field("subject", problem);
    }
    let allowed = &state.config.portal_return_origins;
    match origin_of(&req.return_url) {
        None => field("return_url", "must be an http(s) URL".into()),
        Some(origin) if !allowed.contains(&origin) => field(
            "return_url",
            if allowed.is_empty() {
                "no return origins are allowed: set portal_return_origins in the issuer's configuration".into()
            } else {
                format!("origin {origin} is not one of portal_return_origins")
            },
        ),
        Some(_) => {}
    }
    let role = req.role.unwrap_or_else(|| "member".into());
    if role != "member" && role != "admin" {
        field("role", "must be \"member\" or \"admin\"".into());
    }
    let scopes = match req.scopes {
        None => state
            .catalog
            .scopes()
            .iter()
            .map(|s| s.name.clone())
            .filter(|n| !n.starts_with("tokens:") && n != crate::scopes::USAGE_REPORT)
            .collect(),
        Some(requested) => match state.catalog.expand(&requested) {
            Ok(s) => s,
            Err(unknown) => {
                field("scopes", unknown.to_string());
                Vec::new()
            }
        },
    };
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let code = random_secret()?;
    let row = PortalSessionRow {
        id: new_id("ps_"),
        code_hash: hash(&code),
        secret_hash: None,
        workspace: req.workspace,
        subject: req.subject,
        role,
        scopes: scopes.join(" "),
        return_url: req.return_url,
        created_by: Some(caller.token_id.clone()),
        created_at: now,
        code_expires_at: now + CODE_TTL_SECS,
        exchanged_at: None,
        expires_at: None,
    };
    db::write_tx(conn, |c| {
        q::insert(c, &row)?;
        audit_q::insert_many(
            c,
            &[audit_event(
                &row.workspace,
                "portal_session.opened",
                None,
                Some(caller),
                json!({"session": row.id, "subject": row.subject, "role": row.role}),
                now,
            )],
        )
    })?;
    Ok(Opened {
        id: row.id,
        url: format!("{}/#portal={code}", state.config.issuer_url),
        expires_at: rfc3339(row.code_expires_at),
    })
}

/// Exchanges a one-time code for a session.
///
/// # Errors
/// 404 for an unknown code; 410 `portal_code_used` or `portal_code_expired`; storage.
pub fn exchange(
    state: &AppState,
    conn: &mut DbConn,
    code: &str,
    now: i64,
) -> Result<Exchanged, ApiError> {
    let unknown = || {
        ApiError::not_found(
            "this token-settings link is not valid; open the token settings from the product again",
        )
    };
    if code.len() > 100
        || !code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(unknown());
    }
    let row = q::by_code(conn, &hash(code))?.ok_or_else(unknown)?;
    let refuse = |row: &PortalSessionRow| {
        if row.exchanged_at.is_some() {
            ApiError::gone("portal_code_used", "this token-settings link was used already; open the token settings from the product again")
        } else {
            ApiError::gone("portal_code_expired", "this token-settings link has expired; open the token settings from the product again")
        }
    };
    let secret = format!("{SECRET_PREFIX}{}", random_secret()?);
    let expires_at = now + SESSION_TTL_SECS;
    if !q::exchange(conn, &row.id, &hash(&secret), now, expires_at)? {
        return Err(refuse(&row));
    }
    Ok(Exchanged {
        token: secret,
        expires_at: rfc3339(expires_at),
        subject: row.subject,
        workspace: row.workspace,
        role: row.role,
        return_url: row.return_url,
        product_name: state.config.product_name.clone(),
        product_url: state.config.product_url.clone(),
    })
}

/// The caller a session secret stands for.
///
/// # Errors
/// 401 for an unknown or ended session; storage.
pub fn authenticate(conn: &mut DbConn, secret: &str, now: i64) -> Result<Caller, ApiError> {
    let row = q::by_secret(conn, &hash(secret))?.ok_or_else(ApiError::session_over)?;
    let expires_at = row
        .expires_at
        .filter(|at| *at > now)
        .ok_or_else(ApiError::session_over)?;
    let mut scopes: Vec<String> = row
        .scopes
        .split(' ')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    scopes.push(crate::scopes::TOKENS_READ.into());
    scopes.push(TOKENS_WRITE.into());
    if row.role == "admin" {
        scopes.push(TOKENS_ADMIN.into());
    }
    scopes.sort();
    scopes.dedup();
    Ok(Caller {
        token_id: row.id,
        subject: row.subject,
        workspace: row.workspace,
        scopes,
        expires_at: None,
        session_expires_at: Some(expires_at),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins() {
        assert_eq!(
            origin_of("https://App.Example.com/settings?x=1").as_deref(),
            Some("https://app.example.com")
        );
        assert_eq!(
            origin_of("http://127.0.0.1:3000/").as_deref(),
            Some("http://127.0.0.1:3000")
        );
        for bad in [
            "javascript:alert(1)",
            "ftp://a.example",
            "https://user@a.example/",
            "/relative",
            "https://",
        ] {
            assert_eq!(origin_of(bad), None, "{bad}");
        }
    }
}
