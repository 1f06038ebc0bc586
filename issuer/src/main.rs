//! `gatepass-issuer`: parse the command line, load configuration, run.

use clap::Parser;
use gatepass_issuer::cli::{admin, serve, Cli, Command};
use gatepass_issuer::config::Config;

fn main() {
    // libpq links OpenSSL, whose exit-time clean-up (an `atexit` handler) frees its state while
    // a connection pool thread may still be opening a TLS-capable connection: the process then
    // crashed on exit (SIGSEGV/SIGABRT, about 1 PostgreSQL CLI run in 5). Initialising OpenSSL
    // first, with OPENSSL_INIT_NO_ATEXIT (what this call does), leaves the clean-up to the OS.
    openssl_sys::init();
    let cli = Cli::parse();
    let config = match Config::load(cli.config.as_deref()) {
        Ok(c) => c,
        Err(e) => fail(&e.to_string()),
    };
    init_logging(config.log_json);
    let result = match cli.command {
        Command::Serve => serve::run(config),
        Command::Migrate => admin::migrate(&config),
        Command::Workspace(cmd) => admin::workspace(&config, cmd),
        Command::Token(cmd) => admin::token(&config, cmd),
        Command::Keys(cmd) => admin::keys(&config, cmd),
        Command::Audit {
            workspace,
            since,
            limit,
            json,
        } => gatepass_issuer::cli::operator::audit(&config, workspace, since, limit, json),
    };
    if let Err(e) = result {
        fail(&e.to_string());
    }
}

fn init_logging(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("GATEPASS_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // Colour only for a terminal; pipes and log collectors get plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

fn fail(message: &str) -> ! {
    eprintln!("gatepass-issuer: {message}");
    std::process::exit(1);
}
