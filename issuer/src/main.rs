//! `gatepass-issuer`: parse the command line, load configuration, run.

use clap::Parser;
use gatepass_issuer::cli::{admin, serve, Cli, Command};
use gatepass_issuer::config::Config;

fn main() {
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
    };
    if let Err(e) = result {
        fail(&e);
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
