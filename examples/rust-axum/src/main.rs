//! Runs the notes service against a gatepass issuer.
//!
//! ```sh
//! GATEPASS_ISSUER=http://127.0.0.1:8080 cargo run -p gatepass-example-axum
//! ```
//!
//! Environment: `GATEPASS_ISSUER` (default `http://127.0.0.1:8080`), `GATEPASS_AUDIENCE`
//! (when the issuer configures audiences), `LISTEN` (default `127.0.0.1:3000`).

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let issuer =
        std::env::var("GATEPASS_ISSUER").unwrap_or_else(|_| "http://127.0.0.1:8080".into());
    let listen = std::env::var("LISTEN").unwrap_or_else(|_| "127.0.0.1:3000".into());
    let mut builder = gatepass::Verifier::builder(issuer.clone());
    if let Ok(audience) = std::env::var("GATEPASS_AUDIENCE") {
        builder = builder.audience(audience);
    }
    // Loads discovery, keys and status lists once (blocking, so off the async threads), then
    // refreshes them on a background thread; every request is verified locally.
    let verifier = match tokio::task::spawn_blocking(move || builder.build()).await {
        Ok(Ok(verifier)) => verifier,
        Ok(Err(e)) => {
            eprintln!("cannot load the issuer at {issuer}: {e}");
            return ExitCode::FAILURE;
        }
        Err(e) => {
            eprintln!("the verifier's start-up failed: {e}");
            return ExitCode::FAILURE;
        }
    };
    let listener = match tokio::net::TcpListener::bind(&listen).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("cannot listen on {listen}: {e}");
            return ExitCode::FAILURE;
        }
    };
    eprintln!("notes service on http://{listen}, trusting tokens of {issuer}");
    let served = axum::serve(listener, gatepass_example_axum::app(verifier))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await;
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("server error: {e}");
            ExitCode::FAILURE
        }
    }
}
