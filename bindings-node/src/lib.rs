//! Node.js bindings for the gatepass verifier (placeholder until issue 6 lands the napi-rs addon).
