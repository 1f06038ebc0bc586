//! Rebuilds the issuer when a migration is added or changed: `embed_migrations!` reads the
//! folder at compile time, and cargo does not watch it by itself (a new migration would
//! otherwise be missing from an incremental build).

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
