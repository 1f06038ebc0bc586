//! The administrative commands: `migrate`, `workspace`, `token mint`, `keys`. Each opens the
//! store directly; running issuers notice key changes within seconds.

use crate::boot::{open_state, open_store};
use crate::cli::CliError;
use crate::cli::{KeysCommand, TokenCommand, WorkspaceCommand};
use crate::config::Config;
use crate::db::models::WorkspaceRow;
use crate::db::queries::tokens::CapSeen;
use crate::db::queries::{events, keys as key_q, workspaces as ws_q};
use crate::db::{self, is_unique_violation};
use crate::keys::{self, RetireError};
use crate::state::{now, rfc3339};
use crate::tokens::{service, MintSpec};

/// `migrate`.
///
/// # Errors
/// The store cannot be opened or migrated.
pub fn migrate(config: &Config) -> Result<(), CliError> {
    let pool = db::connect(&config.database_url(), 1)?;
    let ran = db::migrate(&pool)?;
    eprintln!("{} migration(s) applied; the schema is current", ran);
    Ok(())
}

/// `workspace create|list`.
///
/// # Errors
/// Storage failed, the workspace exists, or the cap is out of range.
pub fn workspace(config: &Config, cmd: WorkspaceCommand) -> Result<(), CliError> {
    let (pool, _, _) = open_store(config)?;
    let mut conn = db::get(&pool)?;
    match cmd {
        WorkspaceCommand::Create {
            id,
            max_expiry_days,
        } => {
            if id.is_empty()
                || id.len() > 100
                || id.contains(char::is_whitespace)
                || crate::tokens::text::problem(&id, crate::tokens::text::TextKind::Subject)
                    .is_some()
            {
                return Err(CliError::refused(
                    "workspace id must be 1 to 100 characters without spaces or control characters",
                ));
            }
            if let Some(days) = max_expiry_days.filter(|d| !(1..=3650).contains(d)) {
                return Err(CliError::refused(format!(
                    "--max-expiry-days must be 1 to 3650, got {days}"
                )));
            }
            let row = WorkspaceRow {
                id: id.clone(),
                max_expiry_days: max_expiry_days.map(i64::from),
                created_at: now(),
                name: None,
            };
            match ws_q::insert(&mut conn, &row) {
                Err(e) if is_unique_violation(&e) => {
                    return Err(CliError::refused(format!(
                        "workspace \"{id}\" already exists"
                    )))
                }
                other => other?,
            }
            eprintln!("created workspace {id}");
        }
        WorkspaceCommand::List => {
            println!("{:<30} {:<16} CREATED", "WORKSPACE", "MAX EXPIRY");
            for w in ws_q::list(&mut conn)? {
                let cap = w
                    .max_expiry_days
                    .map_or("none".to_owned(), |d| format!("{d} days"));
                println!("{:<30} {:<16} {}", w.id, cap, rfc3339(w.created_at));
            }
        }
    }
    Ok(())
}

/// `token mint`: prints the token alone on stdout.
///
/// # Errors
/// Unknown workspace or scope, an expiry out of range or above the workspace cap, storage.
pub fn token(config: &Config, cmd: TokenCommand) -> Result<(), CliError> {
    let TokenCommand::Mint {
        workspace,
        subject,
        scopes,
        platform,
        name,
        expires_in_days,
    } = cmd
    else {
        return crate::cli::operator::token(config, cmd);
    };
    if name.trim().is_empty() || name.trim().chars().count() > 100 {
        return Err(CliError::refused("--name must be 1 to 100 characters"));
    }
    if platform {
        return mint_platform(config, name.trim(), expires_in_days);
    }
    let (Some(workspace), Some(subject), Some(scopes)) = (workspace, subject, scopes) else {
        return Err(CliError::refused(
            "give --workspace, --subject and --scopes (or --platform)",
        ));
    };
    let catalog = config.catalog().map_err(crate::boot::StartError::from)?;
    let requested: Vec<&str> = scopes.split_whitespace().collect();
    let scopes = catalog
        .expand(&requested)
        .map_err(|unknown| CliError::refused(format!("{unknown} (see GET /v1/scopes)")))?;
    let (state, mut conn) = open_for_minting(config)?;
    ws_q::get(&mut conn, &workspace)?
        .ok_or_else(|| CliError::refused(format!("no workspace \"{workspace}\"; create it with: gatepass-issuer workspace create {workspace}")))?;
    let cap = service::workspace_cap(&state, &mut conn, &workspace, false)?;
    match (expires_in_days, cap.days) {
        (Some(d), _) if !(1..=3650).contains(&d) => {
            return Err(CliError::refused("--expires-in-days must be 1 to 3650"))
        }
        (Some(d), Some(c)) if d > c => {
            return Err(CliError::refused(format!(
                "workspace {workspace} allows at most {c} days"
            )))
        }
        (None, Some(c)) => {
            return Err(CliError::refused(format!(
                "workspace {workspace} requires --expires-in-days (at most {c})"
            )))
        }
        _ => {}
    }
    let spec = MintSpec {
        workspace: workspace.clone(),
        subject,
        name: name.trim().to_owned(),
        description: String::new(),
        scopes,
        lifetime_secs: expires_in_days.map(|d| d * 86_400),
        not_after: None,
        created_by: None,
        rotated_from: None,
        platform: false,
    };
    // The stored cap decided with must still hold when the token is stored.
    let created = mint_via_service(
        &state,
        &mut conn,
        spec,
        serde_json::json!({"via": "cli"}),
        cap.seen.as_ref(),
    )?;
    let row = &created.row;
    eprintln!("minted {} for {} in {}", row.id, row.subject, row.workspace);
    println!("{}", created.secret);
    Ok(())
}

/// The issuer's state with one connection: what minting needs, opened once per command.
fn open_for_minting(config: &Config) -> Result<(crate::state::AppState, db::PooledConn), CliError> {
    let (state, _) = open_state(config.clone(), 1)?;
    let conn = db::get(&state.pool)?;
    Ok((state, conn))
}

/// Mints through the same service as the API: the token goes into a published list, with its
/// audit event.
fn mint_via_service(
    state: &crate::state::AppState,
    conn: &mut db::DbConn,
    spec: MintSpec,
    detail: serde_json::Value,
    cap: Option<&CapSeen>,
) -> Result<service::Created, CliError> {
    service::create(state, conn, None, &[spec], &detail, cap)
        .map_err(|source| CliError::Service {
            action: "minting",
            source,
        })?
        .pop()
        .ok_or_else(|| CliError::refused("minting failed: nothing was minted"))
}

/// `token mint --platform`: a credential for the product's backend (scope `platform:admin`).
fn mint_platform(
    config: &Config,
    name: &str,
    expires_in_days: Option<i64>,
) -> Result<(), CliError> {
    if expires_in_days.is_some_and(|d| !(1..=3650).contains(&d)) {
        return Err(CliError::refused("--expires-in-days must be 1 to 3650"));
    }
    let spec = MintSpec {
        workspace: crate::scopes::PLATFORM_WORKSPACE.into(),
        subject: "platform".into(),
        name: name.to_owned(),
        description: "Platform credential: provisioning across workspaces".into(),
        scopes: vec![crate::scopes::PLATFORM_ADMIN.into()],
        lifetime_secs: expires_in_days.map(|d| d * 86_400),
        not_after: None,
        created_by: None,
        rotated_from: None,
        platform: true,
    };
    let (state, mut conn) = open_for_minting(config)?;
    let created = mint_via_service(
        &state,
        &mut conn,
        spec,
        serde_json::json!({"via": "cli", "platform": true}),
        None,
    )?;
    eprintln!(
        "minted platform credential {}: scope platform:admin in every workspace; product APIs refuse it. Keep it in your backend only",
        created.row.id
    );
    println!("{}", created.secret);
    Ok(())
}

/// `keys list|rotate|retire`.
///
/// # Errors
/// Storage, a KEK that does not open the keys, an unknown kid, or live tokens without --force.
pub fn keys(config: &Config, cmd: KeysCommand) -> Result<(), CliError> {
    let (pool, kek, _) = open_store(config)?;
    let mut conn = db::get(&pool)?;
    match cmd {
        KeysCommand::List => {
            let now = now();
            let ring = keys::load(&mut conn, &kek, config.algorithm, now)?;
            let signing = ring.signing(now);
            println!(
                "{:<45} {:<6} {:<9} {:<22} {:<22} LIVE TOKENS",
                "KID", "ALG", "STATE", "CREATED", "SIGNS FROM"
            );
            for row in key_q::all(&mut conn)? {
                let activates_at = row.activates_at.unwrap_or(row.created_at);
                let state = if row.retired_at.is_some() {
                    "retired"
                } else if row.kid == signing.kid() {
                    "current"
                } else if activates_at > now {
                    "next"
                } else {
                    "retiring"
                };
                let live = key_q::live_tokens(&mut conn, &row.kid, now)?;
                let from = row.retired_at.map_or(rfc3339(activates_at), |at| format!("retired {}", rfc3339(at)));
                println!(
                    "{:<45} {:<6} {:<9} {:<22} {:<22} {live}",
                    row.kid, row.alg, state, rfc3339(row.created_at), from
                );
            }
        }
        KeysCommand::Rotate { now: at_once } => {
            // Opening the current keys first proves the KEK before anything is written.
            let now = now();
            keys::load(&mut conn, &kek, config.algorithm, now)?;
            let delay = if at_once { 0 } else { config.key_activation_delay() };
            let kid = keys::create(&mut conn, &kek, config.algorithm, now, now.saturating_add(delay))?;
            events::announce_keys(&mut conn, now)?;
            if at_once {
                eprintln!(
                    "new signing key {kid} ({}) signs new tokens NOW. Verifiers that have not fetched the new key set refuse its tokens with unknown_key until they do: connected verifiers within a second, others within their next JWKS refresh (at most {} s with the default ttl)",
                    config.algorithm,
                    2 * config.status_list_ttl
                );
            } else {
                eprintln!(
                    "new signing key {kid} ({}) is published now and signs new tokens from {} (in {delay} s), once every verifier has had time to fetch it; older keys stay published",
                    config.algorithm,
                    rfc3339(now.saturating_add(delay))
                );
            }
            println!("{kid}");
        }
        KeysCommand::Retire { kid, force } => match keys::retire(&mut conn, &kid, force, now()) {
            Ok(n) => {
                events::announce_keys(&mut conn, now())?;
                if n == 0 {
                    eprintln!("retired {kid}");
                } else {
                    eprintln!(
                        "retired {kid}; {n} live token(s) signed with it stop working: at connected verifiers within a second, at others within their next JWKS refresh (at most {} s with the default ttl)",
                        2 * config.status_list_ttl
                    );
                }
            }
            Err(RetireError::NotFound) => return Err(CliError::refused(format!("no published key {kid} (see: gatepass-issuer keys list)"))),
            Err(RetireError::LiveTokens(n)) => {
                return Err(CliError::refused(format!("{n} live token(s) were signed with {kid}; retiring it would break them. Use --force to retire anyway")))
            }
            Err(RetireError::Db(e)) => return Err(e.into()),
        },
    }
    Ok(())
}
