//! The operator's token commands (`token list|show|revoke|rotate`, `audit`): for when the API or
//! the admin token is lost, acting directly on the database through the same token service as
//! the API, so a revocation reaches verifiers exactly as one made through the API (status lists
//! and the push channel: running issuers pick it up from the event log). Audit events name the
//! actor `cli`. Tables for people, `--json` for scripts.

use crate::cli::CliError;
use serde_json::{json, Value};

use crate::boot::open_state;
use crate::cli::TokenCommand;
use crate::config::Config;
use crate::db::queries::{audit as audit_q, tokens as q};
use crate::db::{self, DbConn};
use crate::state::{now, rfc3339, AppState};
use crate::tokens::view::{self, TokenInfo};
use crate::tokens::{service, Caller};

/// Most ids one revoke transaction takes (as the API's batch).
const BATCH: usize = 1000;

/// The operator, acting in `workspace` with every scope.
fn operator(state: &AppState, workspace: &str) -> Caller {
    Caller {
        token_id: "cli".into(),
        subject: "cli".into(),
        workspace: workspace.to_owned(),
        scopes: state.catalog.all_names(),
        expires_at: None,
        session_expires_at: None,
    }
}

fn open(config: &Config) -> Result<(AppState, db::PooledConn), CliError> {
    let (state, _) = open_state(config.clone(), 1)?;
    let conn = db::get(&state.pool)?;
    Ok((state, conn))
}

/// `token list|show|revoke|rotate`.
///
/// # Errors
/// Storage, an unknown token, or an invalid option value (the message says which).
pub fn token(config: &Config, cmd: TokenCommand) -> Result<(), CliError> {
    let (state, mut conn) = open(config)?;
    let conn: &mut DbConn = &mut conn;
    match cmd {
        TokenCommand::Mint { .. } => Err(CliError::refused(
            "internal: mint is handled by admin::token",
        )),
        TokenCommand::List {
            workspace,
            subject,
            status,
            limit,
            json,
        } => {
            let status = match status.as_str() {
                "active" => q::StatusFilter::Active,
                "expired" => q::StatusFilter::Expired,
                "revoked" => q::StatusFilter::Revoked,
                "all" => q::StatusFilter::All,
                other => {
                    return Err(CliError::refused(format!(
                        "--status must be active, expired, revoked or all, not \"{other}\""
                    )))
                }
            };
            let filter = q::Filter {
                workspace: workspace.as_deref(),
                subject: subject.as_deref(),
                created_by: None,
                status,
            };
            let rows = q::page(conn, &filter, now(), None, limit.clamp(1, 100_000))?;
            let infos: Vec<TokenInfo> = rows.iter().map(|r| view::info(r, now())).collect();
            if json {
                print_json(&infos);
            } else {
                print_tokens(&infos);
            }
            Ok(())
        }
        TokenCommand::Show { id, json } => {
            let row = q::get(conn, &id)?.ok_or_else(|| {
                CliError::refused(format!(
                    "no token \"{id}\" (see: gatepass-issuer token list)"
                ))
            })?;
            let info = view::info(&row, now());
            if json {
                print_json(&info);
            } else {
                print_tokens(std::slice::from_ref(&info));
                if !info.description.is_empty() {
                    println!("\n{}", info.description);
                }
            }
            Ok(())
        }
        TokenCommand::Revoke {
            ids,
            all_by_subject,
            workspace,
            json,
        } => {
            let ids = match (all_by_subject, workspace) {
                (Some(subject), Some(workspace)) => {
                    let filter = q::Filter {
                        workspace: Some(&workspace),
                        subject: Some(&subject),
                        created_by: None,
                        status: q::StatusFilter::Active,
                    };
                    q::page(conn, &filter, now(), None, i64::MAX)?
                        .into_iter()
                        .map(|r| r.id)
                        .collect()
                }
                _ => ids,
            };
            let revoked = revoke(&state, conn, &ids)?;
            if json {
                print_json(&revoked);
            } else {
                eprintln!(
                    "revoked {} token(s); running issuers and connected verifiers learn it within a second",
                    revoked.len()
                );
                print_tokens(&revoked);
            }
            Ok(())
        }
        TokenCommand::Rotate {
            id,
            grace_period,
            json,
        } => {
            let grace = match grace_period.as_deref() {
                None => 0,
                Some(text) => humantime::parse_duration(text)
                    .map_err(|e| {
                        CliError::refused(format!(
                            "--grace-period \"{text}\": {e} (e.g. 1h, 30m, 7d)"
                        ))
                    })?
                    .as_secs(),
            };
            let row = q::get(conn, &id)?.ok_or_else(|| {
                CliError::refused(format!(
                    "no token \"{id}\" (see: gatepass-issuer token list)"
                ))
            })?;
            let caller = operator(&state, &row.workspace);
            let mut rotated =
                service::rotate(&state, conn, &caller, &[id], grace).map_err(|source| {
                    CliError::Service {
                        action: "rotation",
                        source,
                    }
                })?;
            let one = rotated
                .pop()
                .ok_or_else(|| CliError::refused("nothing was rotated"))?;
            let now = now();
            if json {
                let mut body = json!(view::created(&one.new, now));
                body["previous"] = json!(view::info(&one.old, now));
                print_json(&body);
            } else {
                eprintln!(
                    "rotated {} to {}; the old token {}",
                    one.old.id,
                    one.new.row.id,
                    one.old
                        .revokes_at
                        .map_or("is revoked".to_owned(), |at| format!(
                            "stops working at {}",
                            rfc3339(at)
                        ))
                );
                println!("{}", one.new.secret);
            }
            Ok(())
        }
    }
}

/// Revokes `ids` (any workspaces), one all-or-nothing transaction per workspace and batch.
fn revoke(state: &AppState, conn: &mut DbConn, ids: &[String]) -> Result<Vec<TokenInfo>, CliError> {
    if let Some(bad) = ids.iter().find(|id| !service::is_token_id(id)) {
        return Err(CliError::refused(format!("\"{bad}\" is not a token id")));
    }
    let rows = q::get_many(conn, ids)?;
    if let Some(missing) = ids.iter().find(|id| !rows.iter().any(|r| &r.id == *id)) {
        return Err(CliError::refused(format!(
            "no token \"{missing}\"; nothing was revoked"
        )));
    }
    let mut by_workspace: std::collections::BTreeMap<&str, Vec<String>> = Default::default();
    for row in &rows {
        by_workspace
            .entry(row.workspace.as_str())
            .or_default()
            .push(row.id.clone());
    }
    let mut revoked = Vec::new();
    for (workspace, ids) in by_workspace {
        let caller = operator(state, workspace);
        for batch in ids.chunks(BATCH) {
            let rows = service::revoke(state, conn, Some(&caller), batch, &json!({"via": "cli"}))
                .map_err(|source| CliError::Service {
                action: "revocation",
                source,
            })?;
            revoked.extend(rows.iter().map(|r| view::info(r, now())));
        }
    }
    Ok(revoked)
}

/// `audit`.
///
/// # Errors
/// Storage, or a `--since` that is not RFC 3339.
pub fn audit(
    config: &Config,
    workspace: Option<String>,
    since: Option<String>,
    limit: i64,
    json: bool,
) -> Result<(), CliError> {
    let since = since
        .map(|s| {
            crate::routes::usage::parse_rfc3339(&s).ok_or_else(|| {
                CliError::refused(format!(
                    "--since \"{s}\" is not an RFC 3339 time (e.g. 2026-12-01T00:00:00Z)"
                ))
            })
        })
        .transpose()?;
    let (_, mut conn) = open(config)?;
    let rows = audit_q::page(
        &mut conn,
        workspace.as_deref(),
        since,
        None,
        limit.clamp(1, 100_000),
    )?;
    let events: Vec<Value> = rows
        .iter()
        .map(|r| {
            json!({
                "id": r.id, "at": rfc3339(r.at), "workspace": r.workspace, "action": r.action,
                "token_id": r.token_id, "actor_token": r.actor_token, "actor_subject": r.actor_subject,
                "detail": serde_json::from_str::<Value>(&r.detail).unwrap_or(Value::Null),
            })
        })
        .collect();
    if json {
        print_json(&events);
        return Ok(());
    }
    println!(
        "{:<22} {:<20} {:<24} {:<32} ACTOR",
        "AT", "WORKSPACE", "ACTION", "TOKEN"
    );
    for e in &events {
        let text = |k: &str| e[k].as_str().unwrap_or("-").to_owned();
        println!(
            "{:<22} {:<20} {:<24} {:<32} {}",
            text("at"),
            text("workspace"),
            text("action"),
            text("token_id"),
            text("actor_subject")
        );
    }
    Ok(())
}

fn print_json<T: serde::Serialize>(value: &T) {
    println!(
        "{}",
        serde_json::to_string_pretty(value).unwrap_or_else(|_| "null".into())
    );
}

fn print_tokens(tokens: &[TokenInfo]) {
    println!(
        "{:<30} {:<20} {:<16} {:<8} {:<22} NAME",
        "ID", "WORKSPACE", "SUBJECT", "STATUS", "EXPIRES"
    );
    for t in tokens {
        let status = serde_json::to_value(t.status)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        println!(
            "{:<30} {:<20} {:<16} {:<8} {:<22} {}",
            t.id,
            t.workspace,
            t.subject,
            status,
            t.expires_at.as_deref().unwrap_or("never"),
            t.name
        );
    }
}
