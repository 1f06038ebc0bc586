//! Webhook endpoints: register (the secret is shown once), list, read, remove. The platform
//! credential manages endpoints of any workspace or of all; a workspace admin (`tokens:admin`)
//! those of its own workspace.

use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use super::signature;
use crate::db::models::WebhookRow;
use crate::db::queries::{audit as audit_q, webhooks as q, workspaces as ws_q};
use crate::db::{self, DbConn, DbError};
use crate::keys::{Kek, KekError};
use crate::problem::{ApiError, FieldError};
use crate::scopes::{PLATFORM_ADMIN, PLATFORM_WORKSPACE, TOKENS_ADMIN};
use crate::state::rfc3339;
use crate::tokens::text::{self, TextKind};
use crate::tokens::{audit_event, new_id, Caller};

/// The longest endpoint URL.
pub const MAX_URL: usize = 2000;
/// The most endpoints one workspace (or the platform) may register.
pub const MAX_PER_WORKSPACE: usize = 20;

/// An endpoint as the API shows it (never its secret, after creation).
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct WebhookInfo {
    /// `wh_…`.
    pub id: String,
    /// Where deliveries are posted.
    pub url: String,
    /// The event types it receives.
    pub events: Vec<String>,
    /// Its workspace; null: every workspace (registered with the platform credential).
    pub workspace: Option<String>,
    /// Free text.
    pub description: String,
    /// Registered, RFC 3339.
    pub created_at: String,
}

impl From<&WebhookRow> for WebhookInfo {
    fn from(row: &WebhookRow) -> Self {
        WebhookInfo {
            id: row.id.clone(),
            url: row.url.clone(),
            events: row.events.split(' ').map(str::to_owned).collect(),
            workspace: row.workspace.clone(),
            description: row.description.clone(),
            created_at: rfc3339(row.created_at),
        }
    }
}

/// A registration as asked for (not yet validated).
#[derive(Debug, Clone)]
pub struct NewWebhook {
    /// Endpoint URL.
    pub url: String,
    /// Event types.
    pub events: Vec<String>,
    /// Workspace; `None`: the caller's (a workspace admin) or every one (platform).
    pub workspace: Option<String>,
    /// Free text.
    pub description: Option<String>,
}

/// Which endpoints a caller manages.
enum Reach {
    /// The platform credential: all of them.
    All,
    /// A workspace admin: those of its workspace.
    Workspace(String),
}

fn reach(caller: &Caller) -> Result<Reach, ApiError> {
    if caller.has(PLATFORM_ADMIN) {
        Ok(Reach::All)
    } else if caller.has(TOKENS_ADMIN) && caller.workspace != PLATFORM_WORKSPACE {
        Ok(Reach::Workspace(caller.workspace.clone()))
    } else {
        Err(ApiError::insufficient_scope(TOKENS_ADMIN))
    }
}

impl Reach {
    fn covers(&self, row: &WebhookRow) -> bool {
        match self {
            Reach::All => true,
            Reach::Workspace(ws) => row.workspace.as_deref() == Some(ws.as_str()),
        }
    }
}

/// Checks an endpoint URL: `https://`, or `http://` to a loopback host (for local tests); a
/// host, no user name or password, no fragment, at most [`MAX_URL`] bytes.
///
/// # Errors
/// Why it is refused.
pub fn check_url(url: &str) -> Result<(), String> {
    if url.len() > MAX_URL {
        return Err(format!(
            "is {} bytes long; at most {MAX_URL} are allowed",
            url.len()
        ));
    }
    if url.contains('#') {
        return Err("must not carry a fragment (#…)".into());
    }
    let uri: axum::http::Uri = url
        .parse()
        .map_err(|_| "is not a URL (like https://api.example.com/hooks/gatepass)".to_owned())?;
    let authority = uri
        .authority()
        .ok_or_else(|| "must be an absolute http(s) URL with a host".to_owned())?;
    if authority.as_str().contains('@') {
        return Err("must not carry a user name or password".into());
    }
    let host = authority
        .host()
        .trim_start_matches('[')
        .trim_end_matches(']');
    if host.is_empty() {
        return Err("must name a host".into());
    }
    match uri.scheme_str().map(str::to_ascii_lowercase).as_deref() {
        Some("https") => Ok(()),
        Some("http") if is_loopback(host) => Ok(()),
        Some("http") => {
            Err("must use https (plain http is allowed only to 127.0.0.1, ::1 or localhost)".into())
        }
        _ => Err("must be an https URL".into()),
    }
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Checks the event list: 1–5 known types; duplicates collapse. Returned in the order of
/// [`super::EVENTS`].
///
/// # Errors
/// Names the unknown type.
pub fn check_events(events: &[String]) -> Result<Vec<String>, String> {
    if events.is_empty() {
        return Err(format!(
            "must name at least one of {}",
            super::EVENTS.join(", ")
        ));
    }
    if let Some(bad) = events.iter().find(|e| !super::is_event(e)) {
        return Err(format!(
            "\"{}\" is not an event; the events are {}",
            text::shown(bad),
            super::EVENTS.join(", ")
        ));
    }
    Ok(super::EVENTS
        .iter()
        .filter(|e| events.iter().any(|x| x == *e))
        .map(|e| (*e).to_owned())
        .collect())
}

/// Registers an endpoint: `(info, secret)`; the secret is returned here only.
///
/// # Errors
/// 403 without the scope or for another workspace; 422 naming every invalid field; storage.
pub fn register(
    conn: &mut DbConn,
    kek: &Kek,
    caller: &Caller,
    req: NewWebhook,
    now: i64,
) -> Result<(WebhookInfo, String), ApiError> {
    let reach = reach(caller)?;
    let workspace = match (&reach, req.workspace) {
        (Reach::All, ws) => ws,
        (Reach::Workspace(own), None) => Some(own.clone()),
        (Reach::Workspace(own), Some(ws)) if &ws == own => Some(ws),
        (Reach::Workspace(_), Some(_)) => {
            return Err(ApiError::forbidden(
                "a workspace admin registers webhooks for its own workspace only",
            ))
        }
    };
    let mut errors = Vec::new();
    let mut field = |field: &str, message: String| {
        errors.push(FieldError {
            field: field.into(),
            message,
        });
    };
    if let Err(m) = check_url(&req.url) {
        field("url", m);
    }
    let events = check_events(&req.events).unwrap_or_else(|m| {
        field("events", m);
        Vec::new()
    });
    let description = req.description.unwrap_or_default();
    if description.chars().count() > 500 {
        field("description", "is longer than 500 characters".into());
    } else if let Some(m) = text::problem(&description, TextKind::Description) {
        field("description", m);
    }
    if let Some(ws) = &workspace {
        if !crate::workspaces::is_valid_id(ws) || ws_q::get(conn, ws)?.is_none() {
            field("workspace", format!("no workspace \"{}\"", text::shown(ws)));
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let id = new_id("wh_");
    let secret =
        signature::new_secret().map_err(|e| ApiError::from(DbError::Unavailable(e.into())))?;
    let sealed = kek
        .seal(&id, secret.as_bytes())
        .map_err(|e| ApiError::internal(&format!("sealing the webhook secret failed: {e}")))?;
    let row = WebhookRow {
        id: id.clone(),
        workspace: workspace.clone(),
        url: req.url,
        events: events.join(" "),
        description,
        secret: sealed,
        created_at: now,
        created_by: Some(caller.token_id.clone()),
    };
    db::write_tx(conn, |c| {
        let existing = q::list(c, workspace.as_deref())?
            .into_iter()
            .filter(|w| w.workspace == workspace)
            .count();
        if existing >= MAX_PER_WORKSPACE {
            return Err(ApiError::conflict(
                "too_many_webhooks",
                format!("at most {MAX_PER_WORKSPACE} webhooks per workspace; remove one first"),
            ));
        }
        q::insert(c, &row)?;
        audit_q::insert_many(
            c,
            &[audit_event(
                workspace.as_deref().unwrap_or(PLATFORM_WORKSPACE),
                "webhook.created",
                None,
                Some(caller),
                json!({"webhook": row.id, "url": row.url, "events": events}),
                now,
            )],
        )?;
        Ok::<_, ApiError>(())
    })?;
    Ok((WebhookInfo::from(&row), secret))
}

/// The endpoints the caller manages.
///
/// # Errors
/// 403 without the scope; storage.
pub fn list(conn: &mut DbConn, caller: &Caller) -> Result<Vec<WebhookInfo>, ApiError> {
    let rows = match reach(caller)? {
        Reach::All => q::list(conn, None)?,
        Reach::Workspace(ws) => q::list(conn, Some(&ws))?,
    };
    Ok(rows.iter().map(WebhookInfo::from).collect())
}

/// One endpoint the caller manages.
///
/// # Errors
/// 403 without the scope; 404 when it does not exist or is out of reach; storage.
pub fn get(conn: &mut DbConn, caller: &Caller, id: &str) -> Result<WebhookRow, ApiError> {
    let reach = reach(caller)?;
    let missing = || {
        ApiError::not_found(format!(
            "no webhook \"{}\" that you can see",
            text::shown(id)
        ))
    };
    if !text::is_plausible_id(id, 64) {
        return Err(missing());
    }
    q::get(conn, id)?
        .filter(|row| reach.covers(row))
        .ok_or_else(missing)
}

/// Removes an endpoint; its pending deliveries are dropped.
///
/// # Errors
/// As [`get`]; storage.
pub fn remove(conn: &mut DbConn, caller: &Caller, id: &str, now: i64) -> Result<(), ApiError> {
    db::write_tx(conn, |c| {
        let row = get(c, caller, id)?;
        if !q::delete(c, &row.id)? {
            return Err(ApiError::not_found(format!("no webhook \"{}\"", row.id)));
        }
        audit_q::insert_many(
            c,
            &[audit_event(
                row.workspace.as_deref().unwrap_or(PLATFORM_WORKSPACE),
                "webhook.deleted",
                None,
                Some(caller),
                json!({"webhook": row.id, "url": row.url}),
                now,
            )],
        )?;
        Ok(())
    })
}

/// The endpoint's secret, decrypted.
///
/// # Errors
/// The stored secret does not open with this KEK.
pub fn secret(kek: &Kek, row: &WebhookRow) -> Result<String, KekError> {
    let bytes = kek.open(&row.id, &row.secret)?;
    String::from_utf8(bytes).map_err(|_| KekError::Open("the webhook secret is not text"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_urls_are_https_or_loopback_http() {
        for good in [
            "https://api.example.com/hooks",
            "https://api.example.com:8443/hooks?x=1",
            "http://127.0.0.1:9000/hook",
            "http://localhost/hook",
            "http://[::1]:8080/",
        ] {
            assert_eq!(check_url(good), Ok(()), "{good}");
        }
        for bad in [
            "http://api.example.com/hooks",
            "ftp://example.com/",
            "https://user:pw@example.com/",
            "/relative",
            "https://",
            "https://example.com/#frag",
            "not a url",
            "http://10.0.0.1/",
        ] {
            assert!(check_url(bad).is_err(), "{bad}");
        }
        assert!(check_url(&format!("https://e.com/{}", "a".repeat(MAX_URL))).is_err());
    }

    #[test]
    fn events_are_known_and_collapse() {
        let given = vec![
            "token.revoked".to_owned(),
            "token.created".to_owned(),
            "token.revoked".to_owned(),
        ];
        assert_eq!(
            check_events(&given).unwrap(),
            vec!["token.created", "token.revoked"]
        );
        assert!(check_events(&[]).is_err());
        let err = check_events(&["token.deleted".to_owned()]).unwrap_err();
        assert!(
            err.contains("token.deleted") && err.contains("token.expiring"),
            "{err}"
        );
    }
}
