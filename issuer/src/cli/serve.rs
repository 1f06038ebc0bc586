//! `serve`: boot, print the bootstrap token once, serve until SIGTERM or ctrl-c (in-flight
//! requests finish).

use crate::boot;
use crate::cli::CliError;
use crate::config::Config;

/// Runs the issuer.
///
/// # Errors
/// Start-up failures, or the listener cannot be bound.
pub fn run(config: Config) -> Result<(), CliError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(CliError::Runtime)?;
    runtime.block_on(serve(config))
}

async fn serve(config: Config) -> Result<(), CliError> {
    let listen = config.listen.clone();
    let issuer_url = config.issuer_url.clone();
    let booted = tokio::task::spawn_blocking(move || boot::boot(config))
        .await
        .map_err(|e| CliError::refused(format!("start-up did not finish: {e}")))??;
    if let Some(path) = &booted.kek_file_created {
        tracing::warn!(
            path = %path.display(),
            "created a new key-encryption key file; in production pass the KEK by environment (GATEPASS_KEK) and keep it out of the data directory"
        );
    }
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .map_err(|source| CliError::Listen {
            listen: listen.clone(),
            source,
        })?;
    if let Some(token) = &booted.bootstrap_token {
        // Printed to the terminal once, never through the logger.
        println!();
        println!(
            "  gatepass: first start. Workspace \"default\" and this admin token were created."
        );
        println!("  It is shown once; store it now (it holds every scope):");
        println!();
        println!("    {token}");
        println!();
        println!("  Manage tokens:   {issuer_url}/   (sign in by pasting this token)");
        println!("  Try it:          curl -H \"Authorization: Bearer $TOKEN\" {issuer_url}/v1/me");
        println!();
    }
    tracing::info!(%listen, issuer = %issuer_url, page = %format!("{issuer_url}/"), "gatepass issuer listening; the token management page is at the issuer URL");
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let sync_task = tokio::spawn(crate::sync::run(booted.state.clone(), stop_rx.clone()));
    let feed_task = tokio::spawn(crate::stream::feed::run(
        booted.state.clone(),
        stop_rx.clone(),
    ));
    let listen_task = tokio::spawn(crate::stream::listen::run(
        booted.state.clone(),
        stop_rx.clone(),
    ));
    let webhook_task = tokio::spawn(crate::webhooks::worker::run(booted.state.clone(), stop_rx));
    let config = booted.state.config.clone();
    let state = booted.state.clone();
    let app = crate::router::app(booted.state);
    crate::server::serve(listener, app, &config, async move {
        shutdown_signal().await;
        tracing::info!("shutting down: finishing in-flight requests, ending push streams");
        state.hub.close();
    })
    .await;
    let _ = stop_tx.send(true);
    let _ = sync_task.await;
    let _ = feed_task.await;
    let _ = listen_task.await;
    let _ = webhook_task.await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
