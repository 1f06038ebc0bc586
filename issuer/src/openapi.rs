//! `GET /openapi.json`: the OpenAPI 3.1 document, collected from the route annotations by the
//! router itself (a route without an annotation cannot be registered).

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
