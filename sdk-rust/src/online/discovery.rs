//! The issuer's discovery document (`/.well-known/gatepass-configuration`, docs/protocol.md, "Discovery and keys").

use serde_json::Value;

use crate::json;

/// The parts of discovery a verifier uses.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Discovery {
    pub(crate) jwks_uri: String,
    pub(crate) status_lists_uri: String,
    pub(crate) token_prefix: String,
    pub(crate) status_list_ttl: Option<u64>,
    /// The push channel (`status_stream_uri`), when the issuer offers one.
    pub(crate) status_stream_uri: Option<String>,
}

/// Where discovery lives for an issuer URL (appended to the path, like OpenID discovery).
pub(crate) fn url(issuer: &str) -> String {
    format!(
        "{}/.well-known/gatepass-configuration",
        issuer.trim_end_matches('/')
    )
}

/// Reads the document; its `issuer` must equal the URL the verifier was given, exactly.
pub(crate) fn parse(bytes: &[u8], expected_issuer: &str) -> Result<Discovery, String> {
    let doc = json::parse_object(bytes).ok_or("discovery is not a JSON object")?;
    let text = |name: &str| match doc.get(name) {
        Some(Value::String(s)) => Ok(s.clone()),
        _ => Err(format!("discovery has no string \"{name}\"")),
    };
    let issuer = text("issuer")?;
    if issuer != expected_issuer {
        return Err(format!(
            "discovery names issuer \"{issuer}\", but the verifier was configured with \"{expected_issuer}\" (they must be equal)"
        ));
    }
    let token_prefix = match doc.get("token_prefix") {
        None => crate::DEFAULT_PREFIX.to_owned(),
        Some(Value::String(p)) => p.clone(),
        Some(_) => return Err("discovery \"token_prefix\" must be a string".into()),
    };
    Ok(Discovery {
        jwks_uri: text("jwks_uri")?,
        status_lists_uri: text("status_lists_uri")?,
        token_prefix,
        status_list_ttl: doc.get("status_list_ttl").and_then(Value::as_u64),
        status_stream_uri: match doc.get("status_stream_uri") {
            None | Some(Value::Null) => None,
            Some(Value::String(uri)) => Some(uri.clone()),
            Some(_) => return Err("discovery \"status_stream_uri\" must be a string".into()),
        },
    })
}

/// The status-list index (`{"lists": ["<uri>", …]}`).
pub(crate) fn parse_index(bytes: &[u8]) -> Result<Vec<String>, String> {
    let doc = json::parse_object(bytes).ok_or("the status-list index is not a JSON object")?;
    doc.get("lists")
        .and_then(Value::as_array)
        .and_then(|items| {
            items
                .iter()
                .map(|v| v.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>()
        })
        .ok_or_else(|| "the status-list index must be {\"lists\": [\"<uri>\", …]}".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discovery_url_appends_to_the_path() {
        assert_eq!(
            url("https://a.example"),
            "https://a.example/.well-known/gatepass-configuration"
        );
        assert_eq!(
            url("https://a.example/t1/"),
            "https://a.example/t1/.well-known/gatepass-configuration"
        );
    }

    #[test]
    fn issuer_must_match_exactly() {
        let doc = br#"{"issuer":"https://a.example","jwks_uri":"j","status_lists_uri":"s","token_prefix":"gp_"}"#;
        assert!(parse(doc, "https://a.example").is_ok());
        let err = parse(doc, "https://a.example/").unwrap_err();
        assert!(err.contains("must be equal"), "{err}");
    }

    #[test]
    fn index_shape() {
        assert_eq!(parse_index(br#"{"lists":["a","b"]}"#).unwrap(), ["a", "b"]);
        assert!(parse_index(br#"{"lists":[1]}"#).is_err());
        assert!(parse_index(b"[]").is_err());
    }
}
