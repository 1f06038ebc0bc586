//! `gatepass-issuer`: the server half of gatepass (work in progress, see issue 4).

fn main() {
    eprintln!(
        "gatepass-issuer {}: the issuer service is not built yet (tracked in issue 4).",
        env!("CARGO_PKG_VERSION")
    );
    std::process::exit(2);
}
