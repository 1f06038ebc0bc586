//! Start-up: KEK, database, migrations, keys, status lists, the issuer's own verifier, and, on
//! an empty store, the `default` workspace with one bootstrap token.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use arc_swap::ArcSwap;

use crate::config::Config;
use crate::db::models::WorkspaceRow;
use crate::db::queries::workspaces as ws_q;
use crate::db::{self, DbConn, DbError};
use crate::keys::{self, Kek, KekError, KeyError};
use crate::scopes::CatalogError;
use crate::state::{now, AppState, Inner};
use crate::status::{self, ListCache};
use crate::sync::{self, SyncError};
use crate::tokens::{service, MintSpec, ServiceError};

/// Why the issuer (or a CLI command that opens the store) could not start. Nothing is changed
/// in the store by any of these.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The configured scopes and presets do not make a catalog.
    #[error("configuration error: {0}")]
    Catalog(#[from] CatalogError),
    /// The configured KEK is not base64 of 32 bytes.
    #[error("configuration error: {0} (GATEPASS_KEK or kek in the config file)")]
    KekValue(#[source] KekError),
    /// The KEK file cannot be read or created, or is not private.
    #[error(transparent)]
    KekFile(#[from] KekError),
    /// The database cannot be opened, reached or migrated.
    #[error(transparent)]
    Db(#[from] DbError),
    /// The stored keys do not open with this KEK, or no key could be made.
    #[error(transparent)]
    Keys(#[from] KeyError),
    /// The keys or lists could not be loaded into the issuer's state.
    #[error(transparent)]
    Sync(#[from] SyncError),
    /// The issuer's own verifier refused its configuration (a bug, never the operator's).
    #[error("internal error building the verifier: {0}")]
    Verifier(#[source] gatepass::ConfigError),
    /// The first start's admin token could not be minted.
    #[error("could not mint the bootstrap token: {0}")]
    Bootstrap(#[source] ServiceError),
}

/// A started issuer.
pub struct Booted {
    /// Shared state for the router.
    pub state: AppState,
    /// On the first start of an empty store: the bootstrap token, to print once.
    pub bootstrap_token: Option<String>,
    /// True when the KEK file was created just now.
    pub kek_file_created: Option<std::path::PathBuf>,
}

/// The KEK from configuration, or the file in the data directory.
///
/// # Errors
/// A `kek` value that is not base64 of 32 bytes, or an unreadable file.
pub fn load_kek(config: &Config) -> Result<(Kek, Option<std::path::PathBuf>), StartError> {
    match &config.kek {
        Some(text) => Kek::from_base64(text)
            .map(|k| (k, None))
            .map_err(StartError::KekValue),
        None => {
            let path = config.data_dir.join("kek");
            let (kek, created) = Kek::from_file(&path)?;
            Ok((kek, created.then_some(path)))
        }
    }
}

/// Opens the store (running migrations) and checks the KEK against the stored keys.
///
/// # Errors
/// The database cannot be opened or migrated, or the KEK does not open the stored keys.
pub fn open_store(
    config: &Config,
) -> Result<(db::DbPool, Kek, Option<std::path::PathBuf>), StartError> {
    let (kek, created) = load_kek(config)?;
    let pool = db::connect(&config.database_url(), config.db_pool_size)?;
    db::migrate(&pool)?;
    Ok((pool, kek, created))
}

/// Starts everything `serve` needs.
///
/// # Errors
/// A clear message for each start-up failure; nothing is changed by a wrong KEK.
pub fn boot(config: Config) -> Result<Booted, StartError> {
    let (state, kek_file_created) = open_state(config, 8)?;
    let mut conn = db::get(&state.pool)?;
    let bootstrap_token = bootstrap(&state, &mut conn)?;
    Ok(Booted {
        state,
        bootstrap_token,
        kek_file_created,
    })
}

/// The issuer's state over the store: keys loaded, status lists built and served, the issuer's
/// own verifier fed. `serve` runs on it, and so do CLI commands that change tokens (they make
/// exactly the changes the API makes). `pool_size` caps the connections (the CLI needs one).
///
/// # Errors
/// A clear message for each start-up failure; nothing is changed by a wrong KEK.
pub fn open_state(
    config: Config,
    pool_size: u32,
) -> Result<(AppState, Option<std::path::PathBuf>), StartError> {
    let catalog = config.catalog()?;
    let (kek, kek_file_created) = load_kek(&config)?;
    let pool = db::connect(
        &config.database_url(),
        pool_size.min(config.db_pool_size).max(1),
    )?;
    db::migrate(&pool)?;
    let mut conn = db::get(&pool)?;
    let ring = keys::load(&mut conn, &kek, config.algorithm, now())?;
    status::alloc::ensure_first(&mut conn, config.status_list_capacity, now())?;
    let verifier_for = |audiences: Vec<String>| {
        gatepass::Verifier::offline(config.issuer_url.clone(), ring.jwks.json.as_bytes())
            .prefix(config.token_prefix.clone())
            .audiences(audiences)
            .build()
            .map_err(StartError::Verifier)
    };
    let verifier = verifier_for(config.audiences.clone())?;
    let platform_verifier = verifier_for(vec![crate::scopes::PLATFORM_AUDIENCE.to_owned()])?;
    // The push channel starts at the log's head, with every list's version (read after the
    // head: versions may be ahead of it, never behind).
    let head = crate::db::queries::events::head(&mut conn)?;
    let versions = crate::db::queries::lists::all(&mut conn)?
        .into_iter()
        .map(|l| (status::uri(&config.issuer_url, &l.id), l.version))
        .collect();
    let state = AppState(Arc::new(Inner {
        catalog,
        pool: pool.clone(),
        kek,
        keys: ArcSwap::from_pointee(ring),
        lists: ListCache::default(),
        verifier,
        platform_verifier,
        last_used: Mutex::new(HashMap::new()),
        hub: crate::stream::Hub::new(config.stream_buffer, head, versions),
        webhook_wake: tokio::sync::Notify::new(),
        list_sync: Mutex::new(()),
        reserve: crate::status::reserve::Reserve::default(),
        key_fingerprint: Mutex::new(None),
        me_cache: quick_cache::sync::Cache::new(10_000),
        workspace_caps: quick_cache::sync::Cache::new(10_000),
        config,
    }));
    sync::sync_keys(&state, &mut conn)?;
    sync::sync_lists(&state, &mut conn, sync::Lists::All)?;
    Ok((state, kek_file_created))
}

/// On an empty store: creates workspace `default` and mints one token holding every scope.
fn bootstrap(state: &AppState, conn: &mut DbConn) -> Result<Option<String>, StartError> {
    if ws_q::count(conn)? > 0 {
        return Ok(None);
    }
    let created = ws_q::insert(
        conn,
        &WorkspaceRow {
            id: "default".into(),
            max_expiry_days: None,
            created_at: now(),
            name: None,
        },
    );
    match created {
        Err(e) if db::is_unique_violation(&e) => return Ok(None), // another replica bootstrapped
        other => other?,
    }
    let spec = MintSpec {
        workspace: "default".into(),
        subject: "admin".into(),
        name: "Bootstrap admin token".into(),
        description: "Created on the first start. Create your own tokens, then revoke this one."
            .into(),
        scopes: state.catalog.all_names(),
        lifetime_secs: None,
        not_after: None,
        created_by: None,
        rotated_from: None,
        platform: false,
    };
    let mut created = service::create(
        state,
        conn,
        None,
        &[spec],
        &serde_json::json!({"bootstrap": true}),
        None,
    )
    .map_err(StartError::Bootstrap)?;
    Ok(created.pop().map(|c| c.secret))
}
