//! The one HTTP answer of the core (`gatepass::http`), for the framework helpers in `_http.py`.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

/// `(status, [(header, value)…], body)` of a refused request.
type Answer = (u16, Vec<(String, String)>, String);

/// The token of an `Authorization` header value, or None (the core's RFC 6750 reading).
#[pyfunction]
#[pyo3(signature = (authorization))]
pub fn bearer_token(authorization: Option<&str>) -> Option<String> {
    gatepass::http::bearer_token(authorization).map(str::to_owned)
}

/// `(status, [(name, value)…], body)` for a refused request; `code` None: no token was sent.
#[pyfunction]
#[pyo3(signature = (code, message, scopes))]
pub fn rejection(
    code: Option<&str>,
    message: Option<&str>,
    scopes: Vec<String>,
) -> PyResult<Answer> {
    let answer = gatepass::http::Rejection::from_parts(code, message.unwrap_or(""), &scopes)
        .ok_or_else(|| PyValueError::new_err("not a gatepass error code"))?;
    let headers = answer
        .headers()
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    Ok((answer.status(), headers, answer.body().to_owned()))
}
