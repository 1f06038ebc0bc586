//! Push-channel events: a compact JWS of `typ` `gatepass-event+jwt`, signed by a key of the
//! issuer's set, naming this issuer. Anything else is refused before it is looked at.

use serde_json::Value;

use crate::json;
use crate::jwks::KeySet;
use crate::jws::{Compact, STATUS_EVENT_TYPE};

/// A verified event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PushEvent {
    /// List `list` is now at `version`; `indexes` became non-zero since the version before.
    Status {
        list: String,
        version: u64,
        indexes: Vec<u64>,
    },
    /// Every list's version when the subscription began; `resumed`: the events since the
    /// client's `Last-Event-ID` were replayed before it.
    Snapshot { lists: Vec<(String, u64)> },
    /// The published keys changed (a next key, a retirement): fetch the JWKS now.
    Keys,
}

/// Verifies and reads one event.
///
/// # Errors
/// A bad signature, `typ`, issuer or shape, said in a sentence.
pub(crate) fn parse(jws: &str, keys: Option<&KeySet>, issuer: &str) -> Result<PushEvent, String> {
    let payload = Compact::split(jws)
        .and_then(|c| c.verify(keys, STATUS_EVENT_TYPE))
        .map_err(|e| format!("{} ({})", e.message(), e.code()))?;
    let doc = json::parse_object(&payload)
        .ok_or("the event is not a JSON object without duplicate members")?;
    if doc.get("iss").and_then(Value::as_str) != Some(issuer) {
        return Err("the event names another issuer".into());
    }
    let uint = |name: &str| {
        doc.get(name)
            .and_then(Value::as_u64)
            .ok_or_else(|| format!("the event's \"{name}\" is not a non-negative integer"))
    };
    match doc.get("type").and_then(Value::as_str) {
        Some("status") => {
            let list = doc
                .get("list")
                .and_then(Value::as_str)
                .ok_or("the event's \"list\" is not a string")?
                .to_owned();
            let indexes = doc
                .get("idx")
                .and_then(Value::as_array)
                .and_then(|a| a.iter().map(Value::as_u64).collect::<Option<Vec<u64>>>())
                .ok_or("the event's \"idx\" is not an array of indexes")?;
            Ok(PushEvent::Status {
                list,
                version: uint("version")?,
                indexes,
            })
        }
        Some("snapshot") => {
            let lists = doc
                .get("lists")
                .and_then(Value::as_object)
                .and_then(|m| {
                    m.iter()
                        .map(|(uri, v)| v.as_u64().map(|v| (uri.clone(), v)))
                        .collect::<Option<Vec<_>>>()
                })
                .ok_or("the snapshot's \"lists\" is not an object of versions")?;
            Ok(PushEvent::Snapshot { lists })
        }
        Some("keys") => Ok(PushEvent::Keys),
        _ => Err("the event's \"type\" is not \"status\", \"snapshot\" or \"keys\"".into()),
    }
}
