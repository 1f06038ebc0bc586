//! The scope catalog: the deployment's scopes (or the seed products' defaults), the built-in
//! management scopes, their implications (`user:write` carries `user:read`), and presets.

use std::collections::{BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

/// One scope of the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScopeDef {
    /// The scope string, e.g. `user:read`.
    pub name: String,
    /// What it allows, for people.
    #[serde(default)]
    pub description: String,
    /// Grouping for the web page, e.g. `User`.
    #[serde(default)]
    pub category: String,
    /// Scopes a token with this one also carries.
    #[serde(default)]
    pub implies: Vec<String>,
}

/// A named set of scopes offered when creating a token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Preset {
    /// Stable id, e.g. `user-read-only`.
    pub id: String,
    /// Label, e.g. `User (Read-only)`.
    pub label: String,
    /// Its scopes (expanded by implications when used).
    pub scopes: Vec<String>,
}

/// Built-in scope: read own tokens.
pub const TOKENS_READ: &str = "tokens:read";
/// Built-in scope: create, revoke and rotate own tokens.
pub const TOKENS_WRITE: &str = "tokens:write";
/// Built-in scope: every token of the workspace.
pub const TOKENS_ADMIN: &str = "tokens:admin";
/// Built-in scope: report token use.
pub const USAGE_REPORT: &str = "usage:report";
/// The platform credential's only scope: provisioning (workspaces, portal sessions, webhooks)
/// across workspaces. Not in the catalog: no token can grant it; only
/// `gatepass-issuer token mint --platform` makes one.
pub const PLATFORM_ADMIN: &str = "platform:admin";
/// The audience of platform credentials: product APIs refuse them (`wrong_audience`, whether
/// they configure audiences or not), only the issuer's platform routes accept them.
pub const PLATFORM_AUDIENCE: &str = "gatepass:platform";
/// The `ws` of a platform credential: it belongs to no workspace.
pub const PLATFORM_WORKSPACE: &str = "*";

fn def(name: &str, description: &str, category: &str, implies: &[&str]) -> ScopeDef {
    ScopeDef {
        name: name.into(),
        description: description.into(),
        category: category.into(),
        implies: implies.iter().map(|s| s.to_string()).collect(),
    }
}

fn builtin() -> Vec<ScopeDef> {
    vec![
        def(TOKENS_READ, "See your own API tokens", "API tokens", &[]),
        def(
            TOKENS_WRITE,
            "Create, revoke and rotate your own API tokens",
            "API tokens",
            &[TOKENS_READ],
        ),
        def(
            TOKENS_ADMIN,
            "Manage every API token of the workspace",
            "API tokens",
            &[TOKENS_WRITE],
        ),
        def(
            USAGE_REPORT,
            "Report token use from an SDK (updates \"last used\")",
            "API tokens",
            &[],
        ),
    ]
}

fn default_scopes() -> Vec<ScopeDef> {
    vec![
        def("user:read", "Read user data", "User", &[]),
        def("user:write", "Change user data", "User", &["user:read"]),
        def("admin:read", "Read administrative settings", "Admin", &[]),
        def(
            "admin:write",
            "Change administrative settings",
            "Admin",
            &["admin:read"],
        ),
    ]
}

fn default_presets() -> Vec<Preset> {
    let p = |id: &str, label: &str, scopes: &[&str]| Preset {
        id: id.into(),
        label: label.into(),
        scopes: scopes.iter().map(|s| s.to_string()).collect(),
    };
    vec![
        p("user-read-only", "User (Read-only)", &["user:read"]),
        p("user-full", "User (Full)", &["user:write"]),
        // Exactly what the seed products grant: the admin presets carry no user scopes.
        p("admin-read-only", "Admin (Read-only)", &["admin:read"]),
        p("admin-full", "Admin (Full)", &["admin:write"]),
    ]
}

/// The catalog a deployment runs with.
#[derive(Debug, Clone)]
pub struct Catalog {
    scopes: Vec<ScopeDef>,
    presets: Vec<Preset>,
    closure: HashMap<String, BTreeSet<String>>,
}

/// Why configured scopes and presets do not make a catalog.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogError {
    /// An empty name, or one with spaces.
    #[error("scope name \"{0}\" must be non-empty and without spaces")]
    BadName(String),
    /// A name defined twice.
    #[error("scope \"{0}\" is defined twice (the tokens:* and usage:report scopes are built in)")]
    Duplicate(String),
    /// An implication that names no scope.
    #[error("scope \"{scope}\" implies unknown scope \"{missing}\"")]
    UnknownImplied {
        /// The implying scope.
        scope: String,
        /// What it names.
        missing: String,
    },
    /// A preset that names no scope.
    #[error("preset \"{preset}\" names unknown scope \"{missing}\"")]
    UnknownInPreset {
        /// The preset's id.
        preset: String,
        /// What it names.
        missing: String,
    },
}

/// A scope the catalog does not hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown scope \"{0}\"")]
pub struct UnknownScope(pub String);

impl Catalog {
    /// The deployment's scopes and presets (or the defaults) plus the built-in scopes.
    ///
    /// # Errors
    /// Duplicate or empty names, implications or preset scopes that name no scope.
    pub fn new(
        scopes: Option<Vec<ScopeDef>>,
        presets: Option<Vec<Preset>>,
    ) -> Result<Catalog, CatalogError> {
        let mut all = scopes.unwrap_or_else(default_scopes);
        all.extend(builtin());
        let mut seen = BTreeSet::new();
        for s in &all {
            if s.name.is_empty() || s.name.contains(char::is_whitespace) {
                return Err(CatalogError::BadName(s.name.clone()));
            }
            if !seen.insert(s.name.clone()) {
                return Err(CatalogError::Duplicate(s.name.clone()));
            }
        }
        for s in &all {
            if let Some(missing) = s.implies.iter().find(|i| !seen.contains(*i)) {
                return Err(CatalogError::UnknownImplied {
                    scope: s.name.clone(),
                    missing: missing.clone(),
                });
            }
        }
        let presets = presets.unwrap_or_else(default_presets);
        for p in &presets {
            if let Some(missing) = p.scopes.iter().find(|s| !seen.contains(*s)) {
                return Err(CatalogError::UnknownInPreset {
                    preset: p.id.clone(),
                    missing: missing.clone(),
                });
            }
        }
        let by_name: HashMap<&str, &ScopeDef> = all.iter().map(|s| (s.name.as_str(), s)).collect();
        let mut closure = HashMap::new();
        for s in &all {
            let mut set = BTreeSet::new();
            let mut todo = vec![s.name.clone()];
            while let Some(name) = todo.pop() {
                if set.insert(name.clone()) {
                    todo.extend(by_name[name.as_str()].implies.iter().cloned());
                }
            }
            closure.insert(s.name.clone(), set);
        }
        Ok(Catalog {
            scopes: all,
            presets,
            closure,
        })
    }

    /// Every scope, deployment scopes first.
    pub fn scopes(&self) -> &[ScopeDef] {
        &self.scopes
    }

    /// The presets.
    pub fn presets(&self) -> &[Preset] {
        &self.presets
    }

    /// A preset by id.
    pub fn preset(&self, id: &str) -> Option<&Preset> {
        self.presets.iter().find(|p| p.id == id)
    }

    /// `scopes` plus everything they imply, in catalog order.
    ///
    /// # Errors
    /// The first scope that is not in the catalog.
    pub fn expand<S: AsRef<str>>(&self, scopes: &[S]) -> Result<Vec<String>, UnknownScope> {
        let mut set = BTreeSet::new();
        for s in scopes {
            let closure = self
                .closure
                .get(s.as_ref())
                .ok_or_else(|| UnknownScope(s.as_ref().to_owned()))?;
            set.extend(closure.iter().cloned());
        }
        Ok(self
            .scopes
            .iter()
            .filter(|d| set.contains(&d.name))
            .map(|d| d.name.clone())
            .collect())
    }

    /// Every scope name (the bootstrap token carries them all).
    pub fn all_names(&self) -> Vec<String> {
        self.scopes.iter().map(|s| s.name.clone()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn implications_are_transitive_and_ordered() {
        let c = Catalog::new(None, None).unwrap();
        assert_eq!(
            c.expand(&["user:write"]).unwrap(),
            ["user:read", "user:write"]
        );
        assert_eq!(
            c.expand(&[TOKENS_ADMIN]).unwrap(),
            [TOKENS_READ, TOKENS_WRITE, TOKENS_ADMIN]
        );
        assert_eq!(
            c.expand(&["nope"]).unwrap_err(),
            UnknownScope("nope".into())
        );
        assert_eq!(c.presets().len(), 4);
        assert_eq!(c.preset("user-full").unwrap().label, "User (Full)");
    }

    #[test]
    fn bad_catalogs_are_refused() {
        assert!(
            Catalog::new(Some(vec![def("a", "", "", &["b"])]), Some(vec![]))
                .unwrap_err()
                .to_string()
                .contains("unknown scope \"b\"")
        );
        assert!(
            Catalog::new(Some(vec![def(TOKENS_READ, "", "", &[])]), None)
                .unwrap_err()
                .to_string()
                .contains("twice")
        );
        assert!(Catalog::new(Some(vec![def("a", "", "", &[])]), None)
            .unwrap_err()
            .to_string()
            .contains("preset"));
        // Cycles are harmless: the closure is a set.
        let c = Catalog::new(
            Some(vec![def("a", "", "", &["b"]), def("b", "", "", &["a"])]),
            Some(vec![]),
        )
        .unwrap();
        assert_eq!(c.expand(&["a"]).unwrap(), ["a", "b"]);
    }
}
