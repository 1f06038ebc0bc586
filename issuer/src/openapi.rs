//! `GET /openapi.json`: the OpenAPI 3.1 document, collected from the route annotations by the
//! router itself (a route without an annotation cannot be registered).

use serde_json::{json, Value};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// The document's fixed parts.
#[derive(OpenApi)]
#[openapi(
    info(title = "gatepass issuer", description = "Scoped, expiring API tokens verified locally by the gatepass SDKs: management API, JWKS and Token Status Lists."),
    modifiers(&BearerAuth),
    tags(
        (name = "tokens", description = "The management API (Bearer gatepass token)"),
        (name = "discovery", description = "What verifiers fetch: discovery, JWKS, status lists"),
        (name = "operations", description = "Health, readiness, metrics, this document"),
        (name = "page", description = "The token management web page and its assets"),
        (name = "platform", description = "A product's backend: workspaces and portal sessions (platform credential)"),
        (name = "webhooks", description = "Signed deliveries of token events (Standard Webhooks)"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("gatepass token (gp_…)")
                    .build(),
            ),
        );
    }
}

/// The document as served: what the route annotations say, made exact where a derive cannot
/// say it (text rules as patterns, distinct ids, the event names) and where it depends on this
/// deployment (its scopes and presets). A contract run (`tests/contract/run`) holds the API to it.
pub fn document(api: &utoipa::openapi::OpenApi, catalog: &crate::scopes::Catalog) -> Value {
    use crate::tokens::text::{DESCRIPTION_PATTERN, ONE_LINE_PATTERN};
    let mut doc = serde_json::to_value(api).unwrap_or_else(|_| json!({}));
    let scopes: Vec<&str> = catalog.scopes().iter().map(|s| s.name.as_str()).collect();
    let mut presets: Vec<Value> = catalog.presets().iter().map(|p| json!(p.id)).collect();
    presets.push(Value::Null);
    let events: Vec<&str> = crate::webhooks::EVENTS.to_vec();
    let mut set = |pointer: &str, key: &str, value: Value| {
        if let Some(Value::Object(schema)) = doc.pointer_mut(pointer) {
            schema.insert(key.to_owned(), value);
        }
    };
    let create = "/components/schemas/CreateRequest";
    set(
        &format!("{create}/properties/name"),
        "pattern",
        json!(ONE_LINE_PATTERN),
    );
    set(
        &format!("{create}/properties/subject"),
        "pattern",
        json!(ONE_LINE_PATTERN),
    );
    set(
        &format!("{create}/properties/description"),
        "pattern",
        json!(DESCRIPTION_PATTERN),
    );
    set(
        &format!("{create}/properties/scopes/items"),
        "enum",
        json!(scopes),
    );
    set(
        &format!("{create}/properties/preset"),
        "enum",
        json!(presets),
    );
    // At least one scope, given or through a preset (if/then: client generators that read
    // only properties skip it, where an anyOf of objects stops some of them).
    set(
        create,
        "if",
        json!({"not": {"required": ["preset"], "properties": {"preset": {"type": "string"}}}}),
    );
    set(
        create,
        "then",
        json!({"required": ["scopes"], "properties": {"scopes": {"type": "array", "minItems": 1}}}),
    );
    for batch in ["RevokeRequest", "BatchRotateRequest"] {
        set(
            &format!("/components/schemas/{batch}/properties/ids"),
            "uniqueItems",
            json!(true),
        );
    }
    set(
        "/components/schemas/CreateWebhook/properties/events/items",
        "enum",
        json!(events),
    );
    set(
        "/components/schemas/CreateWebhook/properties/description",
        "pattern",
        json!(DESCRIPTION_PATTERN),
    );
    // `GET /v1/tokens?subject=`: a subject, by the same rules as when tokens are made for one.
    if let Some(Value::Array(params)) = doc.pointer_mut("/paths/~1v1~1tokens/get/parameters") {
        for p in params.iter_mut().filter(|p| p["name"] == "subject") {
            if let Some(Value::Object(schema)) = p.get_mut("schema") {
                schema.insert("pattern".into(), json!(ONE_LINE_PATTERN));
                schema.insert("minLength".into(), json!(1));
                schema.insert("maxLength".into(), json!(200));
            }
        }
    }
    doc
}
