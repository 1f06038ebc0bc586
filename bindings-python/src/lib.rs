//! The `gatepass._gatepass` extension module: the Rust verifier, as Python types.
//! It only translates types and errors; every behaviour is the `gatepass` crate's.

mod claims;
mod convert;
mod errors;
mod http;
mod verifier;

use pyo3::prelude::*;

#[pymodule]
fn _gatepass(py: Python<'_>, m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<verifier::Verifier>()?;
    m.add_class::<verifier::PushStatus>()?;
    m.add_class::<claims::Claims>()?;
    errors::register(py, m)?;
    m.add_function(wrap_pyfunction!(http::bearer_token, m)?)?;
    m.add_function(wrap_pyfunction!(http::rejection, m)?)?;
    Ok(())
}
