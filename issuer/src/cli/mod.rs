//! The operator CLI (clap): `serve`, `migrate`, `workspace`, `token mint`, `keys`.

pub mod admin;
pub mod error;
pub mod operator;
pub mod serve;

pub use error::CliError;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// gatepass issuer: scoped, expiring API tokens, verified locally by the SDKs.
#[derive(Debug, Parser)]
#[command(name = "gatepass-issuer", version, about)]
pub struct Cli {
    /// TOML configuration file (every key can also be set as `GATEPASS_<KEY>`).
    #[arg(long, global = true, env = "GATEPASS_CONFIG")]
    pub config: Option<PathBuf>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the issuer (API, JWKS, status lists, management page).
    Serve,
    /// Create or upgrade the database schema, then exit.
    Migrate,
    /// Manage workspaces.
    #[command(subcommand)]
    Workspace(WorkspaceCommand),
    /// Mint tokens from the command line.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Manage signing keys.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Who created, revoked or rotated what, when (newest first).
    Audit {
        /// Only this workspace's events.
        #[arg(long)]
        workspace: Option<String>,
        /// Only events at or after this time (RFC 3339, e.g. 2026-12-01T00:00:00Z).
        #[arg(long)]
        since: Option<String>,
        /// At most this many events.
        #[arg(long, default_value_t = 100)]
        limit: i64,
        /// JSON for scripts instead of a table.
        #[arg(long)]
        json: bool,
    },
}

/// `workspace …`
#[derive(Debug, Subcommand)]
pub enum WorkspaceCommand {
    /// Create a workspace.
    Create {
        /// Workspace id, e.g. ws_acme.
        #[arg(allow_hyphen_values = true)]
        id: String,
        /// Longest expiry tokens of this workspace may have (1–3650 days; default: no cap).
        #[arg(long)]
        max_expiry_days: Option<u32>,
    },
    /// List workspaces.
    List,
}

/// `token …` (acting on the database directly: for when the API or the admin token is lost).
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// List tokens, newest first.
    List {
        /// Only this workspace's tokens.
        #[arg(long)]
        workspace: Option<String>,
        /// Only this subject's tokens.
        #[arg(long)]
        subject: Option<String>,
        /// active, expired, revoked or all.
        #[arg(long, default_value = "active")]
        status: String,
        /// At most this many tokens.
        #[arg(long, default_value_t = 100)]
        limit: i64,
        /// JSON for scripts instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Show one token.
    Show {
        /// Token id.
        id: String,
        /// JSON for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Revoke tokens now; verifiers learn it as from the API (status lists and push channel).
    Revoke {
        /// Token ids.
        #[arg(
            required_unless_present = "all_by_subject",
            conflicts_with = "all_by_subject"
        )]
        ids: Vec<String>,
        /// Revoke every active token of this subject (with --workspace).
        #[arg(long, requires = "workspace")]
        all_by_subject: Option<String>,
        /// The workspace of --all-by-subject.
        #[arg(long)]
        workspace: Option<String>,
        /// JSON for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Rotate a token: print its successor's secret once; the old one is revoked now or after
    /// the grace period.
    Rotate {
        /// Token id.
        id: String,
        /// Keep the old token working this long (e.g. 1h, 30m, 7d; at most 30d). Default: 0.
        #[arg(long)]
        grace_period: Option<String>,
        /// JSON for scripts (the secret is in `token`).
        #[arg(long)]
        json: bool,
    },
    /// Mint a token and print it alone on stdout (for scripts).
    Mint {
        /// Workspace id (must exist).
        #[arg(
            long,
            required_unless_present = "platform",
            conflicts_with = "platform"
        )]
        workspace: Option<String>,
        /// Subject (user id) the token acts for.
        #[arg(
            long,
            required_unless_present = "platform",
            conflicts_with = "platform"
        )]
        subject: Option<String>,
        /// Space-separated scopes (implied scopes are added).
        #[arg(
            long,
            required_unless_present = "platform",
            conflicts_with = "platform"
        )]
        scopes: Option<String>,
        /// A platform credential for the product's backend: scope platform:admin (provisioning
        /// workspaces, portal sessions, webhooks in every workspace); product APIs refuse it.
        #[arg(long)]
        platform: bool,
        /// Token name.
        #[arg(long, default_value = "CLI token")]
        name: String,
        /// Days until expiry (1–3650); omit for a token that never expires.
        #[arg(long)]
        expires_in_days: Option<i64>,
    },
}

/// `keys …`
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// List signing keys.
    List,
    /// Create the next signing key: published at once, signing once verifiers have had time
    /// to fetch it (key_activation_delay_secs); older keys stay published.
    Rotate {
        /// Emergency (a leaked key): sign with the new key at once. Verifiers that have not
        /// fetched it yet refuse its tokens (unknown_key) until they do: connected ones within a
        /// second, others within their JWKS refresh.
        #[arg(long)]
        now: bool,
    },
    /// Stop publishing a key (refused while live tokens were signed with it, unless --force).
    Retire {
        /// The key id (kid). Key ids are base64url and may start with '-'.
        #[arg(allow_hyphen_values = true)]
        kid: String,
        /// Retire even though live tokens were signed with it: they stop verifying everywhere
        /// (connected verifiers within a second). For a leaked key.
        #[arg(long)]
        force: bool,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_id_may_start_with_a_hyphen() {
        // RFC 7638 thumbprints are base64url: about 1 key in 64 starts with '-'.
        let cli = Cli::try_parse_from([
            "gatepass-issuer",
            "keys",
            "retire",
            "-Rp0hVp4Ym8",
            "--force",
        ])
        .unwrap();
        match cli.command {
            Command::Keys(KeysCommand::Retire { kid, force }) => {
                assert_eq!(kid, "-Rp0hVp4Ym8");
                assert!(force);
            }
            other => panic!("{other:?}"),
        }
    }
}
