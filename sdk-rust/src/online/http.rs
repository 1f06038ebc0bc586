//! The blocking HTTP client (ureq + rustls): conditional GETs and the usage POST, with
//! connect and overall timeouts and response size limits. Runs only on background threads.

use std::time::Duration;

use ureq::Agent;

/// The largest JWKS, discovery document or list index read (1 MiB).
pub(crate) const MAX_DOCUMENT_BYTES: u64 = 1024 * 1024;
/// The largest status list token read: one and a half times the largest list the core accepts
/// ([`crate::status_list::MAX_LIST_BYTES`], 16 MiB), room for incompressible bits deflated,
/// then base64url (4/3) inside a JWT.
pub(crate) const MAX_LIST_TOKEN_BYTES: u64 = crate::status_list::MAX_LIST_BYTES as u64 * 3 / 2;
/// What a verifier asks a list for: the CWT form (the compressed bits as they are, ~1.3×
/// smaller than the JWT form even gzip-compressed), else the JWT form, which every issuer of
/// the draft serves.
pub(crate) const LIST_ACCEPT: &str = "application/statuslist+cwt, application/statuslist+jwt;q=0.9";

pub(crate) struct Http {
    agent: Agent,
}

/// The result of a conditional GET.
pub(crate) enum Fetched {
    /// 304: what we have is current.
    NotModified,
    /// 200 with the body and its `ETag`, if any.
    Fresh { body: Vec<u8>, etag: Option<String> },
}

impl Http {
    pub(crate) fn new(timeout: Duration) -> Http {
        let agent = Agent::config_builder()
            .timeout_connect(Some(timeout))
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .user_agent(concat!("gatepass-rust/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Http { agent }
    }

    /// GET `url`, sending `If-None-Match` when we hold an ETag.
    pub(crate) fn get(&self, url: &str, etag: Option<&str>, limit: u64) -> Result<Fetched, String> {
        self.get_as(url, None, etag, limit)
    }

    /// [`Http::get`] with an `Accept` header.
    pub(crate) fn get_as(
        &self,
        url: &str,
        accept: Option<&str>,
        etag: Option<&str>,
        limit: u64,
    ) -> Result<Fetched, String> {
        let mut request = self.agent.get(url);
        if let Some(accept) = accept {
            request = request.header("Accept", accept);
        }
        if let Some(etag) = etag {
            request = request.header("If-None-Match", etag);
        }
        let mut response = request.call().map_err(|e| format!("GET {url}: {e}"))?;
        match response.status().as_u16() {
            304 if etag.is_some() => Ok(Fetched::NotModified),
            200 => {
                let etag = response
                    .headers()
                    .get("etag")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                let body = response
                    .body_mut()
                    .with_config()
                    .limit(limit)
                    .read_to_vec()
                    .map_err(|e| format!("GET {url}: reading the body: {e}"))?;
                Ok(Fetched::Fresh { body, etag })
            }
            status => Err(format!("GET {url}: HTTP {status}")),
        }
    }

    /// POST a JSON body with a bearer token; returns the status code.
    pub(crate) fn post_json(
        &self,
        url: &str,
        bearer: &str,
        body: &serde_json::Value,
    ) -> Result<u16, String> {
        let response = self
            .agent
            .post(url)
            .header("Authorization", format!("Bearer {bearer}"))
            .header("Content-Type", "application/json")
            .send(body.to_string())
            .map_err(|e| format!("POST {url}: {e}"))?;
        Ok(response.status().as_u16())
    }
}
