//! The operator CLI (clap): `serve`, `migrate`, `workspace`, `token mint`, `keys`.

pub mod admin;
pub mod serve;

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
}

/// `workspace …`
#[derive(Debug, Subcommand)]
pub enum WorkspaceCommand {
    /// Create a workspace.
    Create {
        /// Workspace id, e.g. ws_acme.
        id: String,
        /// Longest expiry tokens of this workspace may have (1–3650 days; default: no cap).
        #[arg(long)]
        max_expiry_days: Option<u32>,
    },
    /// List workspaces.
    List,
}

/// `token …`
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
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
        /// The key id (kid).
        kid: String,
        /// Retire even though live tokens were signed with it: they stop verifying everywhere
        /// (connected verifiers within a second). For a leaked key.
        #[arg(long)]
        force: bool,
    },
}
