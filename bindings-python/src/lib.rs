//! Python bindings for the gatepass verifier (placeholder until issue 5 lands the pyo3 module).
