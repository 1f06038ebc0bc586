//! Workspaces as a product provisions them (platform API): create (idempotent by id), read,
//! list, change the display name and the expiry cap; every change is audited.

use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use crate::db::models::WorkspaceRow;
use crate::db::queries::{audit as audit_q, workspaces as q};
use crate::db::{self, DbConn};
use crate::problem::{ApiError, FieldError};
use crate::state::rfc3339;
use crate::tokens::text::{self, TextKind};
use crate::tokens::{audit_event, Caller};

/// A workspace as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct WorkspaceInfo {
    /// Its id (`ws` of its tokens).
    pub id: String,
    /// Display name; null when none was given.
    pub name: Option<String>,
    /// The longest expiry its tokens may have, in days; null = no cap.
    pub max_expires_in_days: Option<i64>,
    /// Created, RFC 3339.
    pub created_at: String,
}

impl From<&WorkspaceRow> for WorkspaceInfo {
    fn from(row: &WorkspaceRow) -> Self {
        WorkspaceInfo {
            id: row.id.clone(),
            name: row.name.clone(),
            max_expires_in_days: row.max_expiry_days,
            created_at: rfc3339(row.created_at),
        }
    }
}

/// Settings a create or update asks for, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Display name.
    pub name: Option<String>,
    /// Expiry cap in days.
    pub max_expires_in_days: Option<i64>,
}

/// True for an id a product can use: 1–100 of `A–Z a–z 0–9 _ - . :` (safe in URLs and logs).
pub fn is_valid_id(id: &str) -> bool {
    (1..=100).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b':'))
}

/// Checks the fields of a create or update.
///
/// # Errors
/// 422 naming every invalid field.
pub fn settings(name: Option<String>, days: Option<i64>) -> Result<Settings, Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = name.map(|n| n.trim().to_owned());
    if let Some(n) = &name {
        let problem = match n.chars().count() {
            0 => Some("must not be empty (omit it, or null, for none)".to_owned()),
            c if c > 200 => Some(format!("is {c} characters long; at most 200 are allowed")),
            _ => text::problem(n, TextKind::Name),
        };
        if let Some(message) = problem {
            errors.push(FieldError {
                field: "name".into(),
                message,
            });
        }
    }
    if days.is_some_and(|d| !(1..=3650).contains(&d)) {
        errors.push(FieldError {
            field: "max_expires_in_days".into(),
            message: "must be 1 to 3650, or null for no cap".into(),
        });
    }
    if errors.is_empty() {
        Ok(Settings {
            name,
            max_expires_in_days: days,
        })
    } else {
        Err(errors)
    }
}

fn same(row: &WorkspaceRow, s: &Settings) -> bool {
    row.name == s.name && row.max_expiry_days == s.max_expires_in_days
}

/// Creates workspace `id`, or finds it: `(info, true)` when created now, `(info, false)` when it
/// existed with the same settings.
///
/// # Errors
/// 422 for a bad id, 409 when it exists with other settings, storage.
pub fn create(
    conn: &mut DbConn,
    caller: &Caller,
    id: &str,
    settings: &Settings,
    now: i64,
) -> Result<(WorkspaceInfo, bool), ApiError> {
    if !is_valid_id(id) {
        return Err(ApiError::invalid(
            "id",
            "must be 1 to 100 characters of A-Z, a-z, 0-9, _ - . :",
        ));
    }
    let existing = |conn: &mut DbConn| -> Result<(WorkspaceInfo, bool), ApiError> {
        let row = q::get(conn, id)?.ok_or_else(|| ApiError::not_found("no such workspace"))?;
        if same(&row, settings) {
            Ok((WorkspaceInfo::from(&row), false))
        } else {
            Err(ApiError::conflict(
                "workspace_exists",
                format!("workspace \"{id}\" exists with other settings; change them with PATCH /v1/workspaces/{id}"),
            ))
        }
    };
    if q::get(conn, id)?.is_some() {
        return existing(conn);
    }
    let row = WorkspaceRow {
        id: id.to_owned(),
        max_expiry_days: settings.max_expires_in_days,
        created_at: now,
        name: settings.name.clone(),
    };
    let inserted = db::write_tx(conn, |c| {
        q::insert(c, &row)?;
        audit_q::insert_many(
            c,
            &[audit_event(
                id,
                "workspace.created",
                None,
                Some(caller),
                json!({"name": row.name, "max_expires_in_days": row.max_expiry_days}),
                now,
            )],
        )
    });
    match inserted {
        Ok(()) => Ok((WorkspaceInfo::from(&row), true)),
        // Another request created it a moment ago: the same answer as if it had been first.
        Err(e) if db::is_unique_violation(&e) => existing(conn),
        Err(e) => Err(e.into()),
    }
}

/// Changes a workspace's settings.
///
/// # Errors
/// 404 for an unknown workspace, storage.
pub fn update(
    conn: &mut DbConn,
    caller: &Caller,
    id: &str,
    settings: &Settings,
    now: i64,
) -> Result<WorkspaceInfo, ApiError> {
    let unknown = || ApiError::not_found(format!("no workspace \"{id}\""));
    if !is_valid_id(id) {
        return Err(unknown());
    }
    db::write_tx(conn, |c| {
        let mut row = q::get(c, id)?.ok_or_else(unknown)?;
        if same(&row, settings) {
            return Ok(WorkspaceInfo::from(&row));
        }
        q::update(
            c,
            id,
            settings.name.as_deref(),
            settings.max_expires_in_days,
        )?;
        row.name.clone_from(&settings.name);
        row.max_expiry_days = settings.max_expires_in_days;
        audit_q::insert_many(
            c,
            &[audit_event(
                id,
                "workspace.updated",
                None,
                Some(caller),
                json!({"name": row.name, "max_expires_in_days": row.max_expiry_days}),
                now,
            )],
        )?;
        Ok(WorkspaceInfo::from(&row))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_url_and_log_safe() {
        for good in ["ws_acme", "acme-prod.eu:1", "A1"] {
            assert!(is_valid_id(good), "{good}");
        }
        for bad in ["", "*", "has space", "a/b", "ws\0", "é", &"x".repeat(101)] {
            assert!(!is_valid_id(bad), "{bad:?}");
        }
    }

    #[test]
    fn settings_are_checked() {
        assert!(settings(Some("Acme Inc.".into()), Some(90)).is_ok());
        assert!(settings(None, None).is_ok());
        let errors = settings(Some("\u{202E}x".into()), Some(0)).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "max_expires_in_days"]);
    }
}
