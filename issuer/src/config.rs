//! Configuration: defaults, then the TOML file (`--config`), then `GATEPASS_<KEY>` variables.
//! The only module that reads files or the environment for settings.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};

use crate::scopes::{Catalog, Preset, ScopeDef};

/// Signing algorithm for new keys: the core's, written by its JOSE name (`EdDSA`, `ES256`).
pub use gatepass::Algorithm;

/// `algorithm` as its JOSE name, `EdDSA` or `ES256` (exactly: configuration names what the
/// issuer writes into headers).
mod algorithm_name {
    use gatepass::Algorithm;
    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(alg: &Algorithm, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(alg.jose_name())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Algorithm, D::Error> {
        let name = String::deserialize(d)?;
        [Algorithm::EdDsa, Algorithm::Es256]
            .into_iter()
            .find(|a| a.jose_name() == name)
            .ok_or_else(|| {
                D::Error::custom(format!(
                    "unknown algorithm \"{name}\": expected EdDSA or ES256"
                ))
            })
    }
}

/// Every setting, with its default (see the README's table).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The issuer's public base URL: `iss` of every token, base of every published URL.
    pub issuer_url: String,
    /// Address to listen on.
    pub listen: String,
    /// Where the SQLite database and the KEK file live by default.
    pub data_dir: PathBuf,
    /// `sqlite://<path>` or `postgres://…`; default: SQLite in `data_dir`.
    pub database_url: Option<String>,
    /// base64 of 32 bytes; default: a 0600 file `kek` in `data_dir`.
    pub kek: Option<String>,
    /// Token prefix.
    pub token_prefix: String,
    /// Algorithm of new signing keys.
    #[serde(with = "algorithm_name")]
    pub algorithm: Algorithm,
    /// Audiences put in every token's `aud` (empty: no `aud`).
    #[serde(deserialize_with = "string_or_list")]
    pub audiences: Vec<String>,
    /// Status list `ttl` and `Cache-Control: max-age`, seconds.
    pub status_list_ttl: u64,
    /// Entries per status list.
    pub status_list_capacity: u64,
    /// Create the next signing key when the current one is this many days old (0: never;
    /// fractions allowed).
    pub key_rotation_days: f64,
    /// Seconds a new key is published before it signs (so every verifier has it first).
    /// Default: twice `status_list_ttl` (the JWKS `max-age`, then the SDKs' refresh) plus 30 s.
    pub key_activation_delay_secs: Option<u64>,
    /// Per-workspace maximum expiry in days (in addition to `workspace create --max-expiry-days`).
    pub max_expiry_days: BTreeMap<String, u32>,
    /// Log as JSON lines instead of text.
    pub log_json: bool,
    /// Connections in the database pool.
    pub db_pool_size: u32,
    /// Seconds a client has to send a request's headers (a connection that sends them slower,
    /// or sits idle between requests longer, is closed).
    pub http_header_timeout_secs: u64,
    /// Seconds a request may take, body included (answers 408 after that; the push stream is
    /// exempt).
    pub http_request_timeout_secs: u64,
    /// Open client connections at most; further ones wait until one closes.
    pub http_max_connections: usize,
    /// Origins (`https://app.example.com`) a portal session's `return_url` may point to; none
    /// configured: portal sessions are refused.
    #[serde(deserialize_with = "string_or_list")]
    pub portal_return_origins: Vec<String>,
    /// The product's name, shown on the token page of portal sessions ("Back to …").
    pub product_name: Option<String>,
    /// The product's address, linked from the token page of portal sessions.
    pub product_url: Option<String>,
    /// Origins allowed to frame the token page (a product embedding it); none by default.
    #[serde(deserialize_with = "string_or_list")]
    pub frame_ancestors: Vec<String>,
    /// Push events kept in memory for subscribers that reconnect, and how far a subscriber may
    /// fall behind before it is disconnected (it then resumes from the database).
    pub stream_buffer: usize,
    /// Pauses between attempts of a failed webhook delivery, seconds; the last repeats.
    /// Default: Standard Webhooks' schedule (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h).
    #[serde(deserialize_with = "number_or_list")]
    pub webhook_retry_secs: Vec<u64>,
    /// A webhook delivery is given up this many seconds after its event (default one day).
    pub webhook_retry_for_secs: u64,
    /// The longest one webhook attempt may take, seconds.
    pub webhook_timeout_secs: u64,
    /// The deployment's own scopes; default: the seed products' catalog.
    pub scopes: Option<Vec<ScopeDef>>,
    /// Presets; default: User/Admin, read-only/full.
    pub presets: Option<Vec<Preset>>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            issuer_url: "http://127.0.0.1:8080".into(),
            listen: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("./gatepass-data"),
            database_url: None,
            kek: None,
            token_prefix: "gp_".into(),
            algorithm: Algorithm::EdDsa,
            audiences: Vec::new(),
            status_list_ttl: 60,
            status_list_capacity: 1 << 20,
            key_rotation_days: 0.0,
            key_activation_delay_secs: None,
            max_expiry_days: BTreeMap::new(),
            log_json: false,
            db_pool_size: 8,
            http_header_timeout_secs: 10,
            http_request_timeout_secs: 30,
            http_max_connections: 4096,
            stream_buffer: crate::stream::RING,
            portal_return_origins: Vec::new(),
            product_name: None,
            product_url: None,
            frame_ancestors: Vec::new(),
            webhook_retry_secs: vec![5, 300, 1800, 7200, 18_000, 36_000, 36_000],
            webhook_retry_for_secs: 86_400,
            webhook_timeout_secs: 10,
            scopes: None,
            presets: None,
        }
    }
}

fn string_or_list<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(s) => s
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        OneOrMany::Many(v) => v,
    })
}

fn number_or_list<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<u64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(u64),
        Text(String),
        Many(Vec<u64>),
    }
    match OneOrMany::deserialize(d)? {
        OneOrMany::One(n) => Ok(vec![n]),
        OneOrMany::Many(v) => Ok(v),
        OneOrMany::Text(s) => s
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|n| {
                n.parse().map_err(|_| {
                    serde::de::Error::custom(format!("\"{n}\" is not a number of seconds"))
                })
            })
            .collect(),
    }
}

/// A configuration problem, naming the key.
#[derive(Debug)]
pub struct ConfigError(pub String);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "configuration error: {}", self.0)
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// Loads defaults ← `file` ← `GATEPASS_*`, then validates.
    ///
    /// # Errors
    /// A message naming the offending key and the problem.
    pub fn load(file: Option<&Path>) -> Result<Config, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(path) = file {
            if !path.exists() {
                return Err(ConfigError(format!(
                    "--config {}: no such file",
                    path.display()
                )));
            }
            figment = figment.merge(Toml::file(path));
        }
        // Not settings: the config file path (a CLI flag), the log filter, and the test switch.
        figment =
            figment.merge(Env::prefixed("GATEPASS_").ignore(&["CONFIG", "LOG", "TEST_QUICK"]));
        let config: Config = figment.extract().map_err(|e| ConfigError(describe(e)))?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let bad = |key: &str, why: String| Err(ConfigError(format!("{key}: {why}")));
        if !(self.issuer_url.starts_with("http://") || self.issuer_url.starts_with("https://")) {
            return bad(
                "issuer_url",
                format!(
                    "must start with http:// or https://, got \"{}\"",
                    self.issuer_url
                ),
            );
        }
        if self.issuer_url.ends_with('/') {
            return bad(
                "issuer_url",
                "must not end with '/' (it is compared exactly with every token's iss)".into(),
            );
        }
        if self.listen.parse::<std::net::SocketAddr>().is_err() {
            return bad(
                "listen",
                format!(
                    "must be an address like 127.0.0.1:8080, got \"{}\"",
                    self.listen
                ),
            );
        }
        if !(5..=86_400).contains(&self.status_list_ttl) {
            return bad(
                "status_list_ttl",
                format!("must be 5 to 86400 seconds, got {}", self.status_list_ttl),
            );
        }
        if !(1024..=(1u64 << 27)).contains(&self.status_list_capacity) {
            return bad(
                "status_list_capacity",
                format!(
                    "must be 1024 to 134217728, got {}",
                    self.status_list_capacity
                ),
            );
        }
        if self
            .token_prefix
            .chars()
            .any(|c| c.is_whitespace() || c == '.')
            || self.token_prefix.len() > 16
        {
            return bad(
                "token_prefix",
                "at most 16 characters, no whitespace or '.'".into(),
            );
        }
        if let Some(url) = &self.database_url {
            if !(url.starts_with("sqlite://")
                || url.starts_with("postgres://")
                || url.starts_with("postgresql://"))
            {
                return bad(
                    "database_url",
                    "must start with sqlite:// or postgres://".into(),
                );
            }
        }
        if !(self.key_rotation_days.is_finite()
            && (0.0..=36_500.0).contains(&self.key_rotation_days))
        {
            return bad(
                "key_rotation_days",
                format!("must be 0 (never) to 36500, got {}", self.key_rotation_days),
            );
        }
        if self.db_pool_size == 0 {
            return bad("db_pool_size", "must be at least 1".into());
        }
        if let Some(url) = &self.product_url {
            if crate::portal::origin_of(url).is_none() {
                return bad(
                    "product_url",
                    format!("must be an http(s) URL, got \"{url}\""),
                );
            }
        }
        for origin in &self.frame_ancestors {
            if crate::portal::origin_of(origin).as_deref() != Some(origin.as_str()) {
                return bad(
                    "frame_ancestors",
                    format!("\"{origin}\" is not an origin like https://app.example.com (scheme, host, optional port; no path)"),
                );
            }
        }
        for origin in &self.portal_return_origins {
            if crate::portal::origin_of(origin).as_deref() != Some(origin.as_str()) {
                return bad(
                    "portal_return_origins",
                    format!("\"{origin}\" is not an origin like https://app.example.com (scheme, host, optional port; no path)"),
                );
            }
        }
        let in_range = |key: &str, value: u64, lo: u64, hi: u64| {
            if (lo..=hi).contains(&value) {
                Ok(())
            } else {
                Err(ConfigError(format!(
                    "{key}: must be {lo} to {hi}, got {value}"
                )))
            }
        };
        in_range(
            "http_header_timeout_secs",
            self.http_header_timeout_secs,
            1,
            300,
        )?;
        in_range(
            "http_request_timeout_secs",
            self.http_request_timeout_secs,
            1,
            3600,
        )?;
        in_range("stream_buffer", self.stream_buffer as u64, 16, 1_000_000)?;
        in_range("webhook_timeout_secs", self.webhook_timeout_secs, 1, 60)?;
        in_range(
            "webhook_retry_for_secs",
            self.webhook_retry_for_secs,
            60,
            30 * 86_400,
        )?;
        if self.webhook_retry_secs.is_empty()
            || self
                .webhook_retry_secs
                .iter()
                .any(|s| !(1..=86_400).contains(s))
        {
            return bad(
                "webhook_retry_secs",
                "must list 1 or more pauses of 1 to 86400 seconds".into(),
            );
        }
        in_range(
            "http_max_connections",
            self.http_max_connections as u64,
            1,
            1_000_000,
        )?;
        for (ws, days) in &self.max_expiry_days {
            if !(1..=3650).contains(days) {
                return bad(
                    &format!("max_expiry_days.{ws}"),
                    format!("must be 1 to 3650, got {days}"),
                );
            }
        }
        self.catalog()
            .map(|_| ())
            .map_err(|e| ConfigError(format!("scopes/presets: {e}")))
    }

    /// The scope catalog and presets (the built-in management scopes are always added).
    ///
    /// # Errors
    /// Unknown scopes in implications or presets, duplicate names, cycles.
    pub fn catalog(&self) -> Result<Catalog, crate::scopes::CatalogError> {
        Catalog::new(self.scopes.clone(), self.presets.clone())
    }

    /// How long a new key is published before it signs, in seconds.
    pub fn key_activation_delay(&self) -> i64 {
        let secs = self
            .key_activation_delay_secs
            .unwrap_or(2 * self.status_list_ttl + 30);
        i64::try_from(secs).unwrap_or(i64::MAX)
    }

    /// The database URL, defaulting to SQLite in `data_dir`.
    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("gatepass.db").display()))
    }
}

/// Figment's error, phrased as "key: problem (source)".
fn describe(e: figment::Error) -> String {
    e.into_iter()
        .map(|err| {
            let key = err.path.join(".");
            let source = err
                .metadata
                .as_ref()
                .map(|m| m.name.to_string())
                .unwrap_or_default();
            let key = if key.is_empty() {
                String::from("(file)")
            } else {
                key
            };
            format!("{key}: {} [{source}]", err.kind)
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
#[allow(clippy::result_large_err)] // figment::Jail's closures return figment's large error
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        let c = Config::default();
        c.validate().unwrap();
        assert_eq!(c.issuer_url, "http://127.0.0.1:8080");
        assert!(c.database_url().starts_with("sqlite://"));
    }

    #[test]
    fn environment_overrides_and_errors_name_the_key() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("g.toml", "status_list_ttl = 60\naudiences = [\"api\"]\n")?;
            jail.set_env("GATEPASS_LISTEN", "127.0.0.1:9999");
            let c = Config::load(Some(Path::new("g.toml"))).unwrap();
            assert_eq!(
                (c.status_list_ttl, c.listen.as_str()),
                (60, "127.0.0.1:9999")
            );
            assert_eq!(c.audiences, ["api"]);
            jail.set_env("GATEPASS_AUDIENCES", "a, b");
            assert_eq!(Config::load(None).unwrap().audiences, ["a", "b"]);
            jail.set_env("GATEPASS_STATUS_LIST_TTL", "soon");
            let err = Config::load(None).unwrap_err().to_string();
            assert!(err.contains("status_list_ttl"), "{err}");
            jail.set_env("GATEPASS_STATUS_LIST_TTL", "1");
            let err = Config::load(None).unwrap_err().to_string();
            assert!(err.contains("status_list_ttl: must be 5 to 86400"), "{err}");
            jail.set_env("GATEPASS_STATUS_LIST_TTL", "300");
            jail.set_env("GATEPASS_ALGORITHM", "RS256");
            assert!(Config::load(None)
                .unwrap_err()
                .to_string()
                .contains("algorithm"));
            jail.set_env("GATEPASS_ALGORITHM", "ES256");
            jail.set_env("GATEPASS_ISSUER_URL", "https://id.example/");
            assert!(Config::load(None)
                .unwrap_err()
                .to_string()
                .contains("issuer_url"));
            Ok(())
        });
    }

    #[test]
    fn origins_must_be_origins() {
        figment::Jail::expect_with(|jail| {
            jail.set_env(
                "GATEPASS_PORTAL_RETURN_ORIGINS",
                "https://app.example.com, http://127.0.0.1:3000",
            );
            jail.set_env("GATEPASS_FRAME_ANCESTORS", "https://app.example.com");
            jail.set_env("GATEPASS_PRODUCT_URL", "https://app.example.com/home");
            let c = Config::load(None).unwrap();
            assert_eq!(c.portal_return_origins.len(), 2);
            for (key, value) in [
                (
                    "GATEPASS_PORTAL_RETURN_ORIGINS",
                    "https://app.example.com/settings",
                ),
                ("GATEPASS_FRAME_ANCESTORS", "*"),
                ("GATEPASS_PRODUCT_URL", "javascript:alert(1)"),
            ] {
                jail.set_env(key, value);
                let err = Config::load(None).unwrap_err().to_string();
                let name = key.trim_start_matches("GATEPASS_").to_ascii_lowercase();
                assert!(err.contains(&name), "{key}={value}: {err}");
                jail.set_env(key, "https://app.example.com");
            }
            Ok(())
        });
    }

    #[test]
    fn webhook_retries_read_as_lists_of_seconds() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("GATEPASS_WEBHOOK_RETRY_SECS", "5, 300,1800");
            assert_eq!(
                Config::load(None).unwrap().webhook_retry_secs,
                [5, 300, 1800]
            );
            jail.set_env("GATEPASS_WEBHOOK_RETRY_SECS", "1");
            assert_eq!(Config::load(None).unwrap().webhook_retry_secs, [1]);
            jail.create_file("g.toml", "webhook_retry_secs = [2, 4]\n")?;
            jail.set_env("GATEPASS_WEBHOOK_RETRY_SECS", "2,4");
            let c = Config::load(Some(Path::new("g.toml"))).unwrap();
            assert_eq!(c.webhook_retry_secs, [2, 4]);
            for (key, bad) in [
                ("GATEPASS_WEBHOOK_RETRY_SECS", "5,soon"),
                ("GATEPASS_WEBHOOK_RETRY_SECS", "0"),
                ("GATEPASS_WEBHOOK_TIMEOUT_SECS", "600"),
                ("GATEPASS_WEBHOOK_RETRY_FOR_SECS", "1"),
            ] {
                jail.set_env(key, bad);
                let err = Config::load(None).unwrap_err().to_string();
                let name = key.trim_start_matches("GATEPASS_").to_ascii_lowercase();
                assert!(err.contains(&name), "{key}={bad}: {err}");
                jail.set_env("GATEPASS_WEBHOOK_RETRY_SECS", "5");
                jail.set_env("GATEPASS_WEBHOOK_TIMEOUT_SECS", "10");
                jail.set_env("GATEPASS_WEBHOOK_RETRY_FOR_SECS", "86400");
            }
            Ok(())
        });
    }

    #[test]
    fn unknown_keys_in_the_file_are_refused() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("g.toml", "listn = \"0.0.0.0:1\"\n")?;
            let err = Config::load(Some(Path::new("g.toml")))
                .unwrap_err()
                .to_string();
            assert!(err.contains("listn"), "{err}");
            Ok(())
        });
    }
}
