//! Data for the crate-level doctest, kept with the shared test data in `tests/vectors/doc_example/`
//! (written by `examples/gen_vectors`), never used otherwise.

/// `(jwks, status list URI, status list JWT, token)` of a never-expiring example token.
pub fn doc_example() -> (&'static str, &'static str, &'static str, String) {
    (
        include_str!("../../tests/vectors/doc_example/jwks.json"),
        "https://issuer.example/v1/status-lists/1",
        include_str!("../../tests/vectors/doc_example/status_list.jwt"),
        include_str!("../../tests/vectors/doc_example/token.txt").to_owned(),
    )
}
