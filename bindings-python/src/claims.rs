//! `gatepass.Claims`: the verified claims, as read-only attributes.

use pyo3::prelude::*;
use pyo3::types::PyDict;

/// The claims of a verified token.
#[pyclass(frozen, module = "gatepass")]
pub struct Claims(pub gatepass::Claims);

#[pymethods]
impl Claims {
    /// `sub`: the user the token acts for.
    #[getter]
    fn subject(&self) -> &str {
        self.0.subject()
    }
    /// `ws`: the workspace the token belongs to.
    #[getter]
    fn workspace(&self) -> &str {
        self.0.workspace()
    }
    /// `scope` as a list (implied scopes already included by the issuer).
    #[getter]
    fn scopes(&self) -> Vec<String> {
        self.0.scopes().to_vec()
    }
    /// `jti`: the token id used by the management API.
    #[getter]
    fn token_id(&self) -> &str {
        self.0.token_id()
    }
    /// `iat`, seconds since the epoch.
    #[getter]
    fn issued_at(&self) -> i64 {
        self.0.issued_at()
    }
    /// `exp`, seconds since the epoch; `None` for a token that never expires.
    #[getter]
    fn expires_at(&self) -> Option<i64> {
        self.0.expires_at()
    }
    /// `aud` as a list (empty when absent).
    #[getter]
    fn audience(&self) -> Vec<String> {
        self.0.audience().to_vec()
    }
    /// `iss`.
    #[getter]
    fn issuer(&self) -> &str {
        self.0.issuer()
    }
    /// Every claim, as a dict.
    #[getter]
    fn claims<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        for (k, v) in self.0.raw() {
            dict.set_item(k, crate::convert::to_py(py, v)?)?;
        }
        Ok(dict)
    }
    /// True when the token carries `scope` exactly as written.
    fn has_scope(&self, scope: &str) -> bool {
        self.0.has_scope(scope)
    }
    fn __repr__(&self) -> String {
        // Never the token; only who it is.
        format!(
            "Claims(subject={:?}, workspace={:?}, token_id={:?}, scopes={:?}, expires_at={})",
            self.0.subject(),
            self.0.workspace(),
            self.0.token_id(),
            self.0.scopes(),
            self.0
                .expires_at()
                .map_or("None".to_owned(), |e| e.to_string())
        )
    }
}
