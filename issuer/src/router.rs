//! Every route in one place. Routes are registered through `utoipa-axum`, so each one is in
//! the OpenAPI document.

use std::sync::Arc;

use axum::routing::get;
use axum::{Json, Router};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::openapi::ApiDoc;
use crate::routes::{
    audit, batch, discovery, health, me, metrics as metrics_route, page, portal, scopes,
    status_lists, tokens, usage, webhooks, workspaces,
};
use crate::state::AppState;
use crate::{edge, metrics};

/// The largest request body the API reads (1 MiB: a batch of 1000 ids is ~40 KB); larger ones
/// answer 413.
pub const BODY_LIMIT: usize = 1 << 20;

/// The routes and the OpenAPI document they describe.
pub fn routes() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(discovery::configuration))
        .routes(routes!(discovery::jwks))
        .routes(routes!(status_lists::index))
        .routes(routes!(status_lists::list))
        .routes(routes!(crate::stream::sse::stream))
        .routes(routes!(me::me))
        .routes(routes!(tokens::create, tokens::list))
        .routes(routes!(batch::revoke))
        .routes(routes!(batch::rotate))
        .routes(routes!(tokens::get))
        .routes(routes!(tokens::revoke))
        .routes(routes!(tokens::rotate))
        .routes(routes!(scopes::catalog))
        .routes(routes!(audit::list))
        .routes(routes!(usage::report))
        .routes(routes!(workspaces::create, workspaces::list))
        .routes(routes!(portal::open))
        .routes(routes!(portal::exchange))
        .routes(routes!(workspaces::get, workspaces::update))
        .routes(routes!(webhooks::create, webhooks::list))
        .routes(routes!(webhooks::get, webhooks::remove))
        .routes(routes!(webhooks::deliveries))
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
        .routes(routes!(metrics_route::render))
        .routes(routes!(page::index))
        .routes(routes!(page::asset))
        .split_for_parts()
}

/// The issuer's HTTP application.
pub fn app(state: AppState) -> Router {
    let (router, mut api) = routes();
    // The document describes itself too.
    api.paths.add_path_operation(
        "/openapi.json",
        vec![utoipa::openapi::HttpMethod::Get],
        utoipa::openapi::path::OperationBuilder::new()
            .tag("operations")
            .operation_id(Some("getOpenApi"))
            .summary(Some("This OpenAPI 3.1 document"))
            .response(
                "200",
                utoipa::openapi::ResponseBuilder::new()
                    .description("OpenAPI 3.1 JSON")
                    .build(),
            )
            .build(),
    );
    let api = Arc::new(crate::openapi::document(&api, &state.catalog));
    router
        .route(
            "/openapi.json",
            get(move || async move { Json(api.as_ref().clone()) }),
        )
        .fallback(|| async { crate::problem::ApiError::not_found("no such route") })
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            edge::request_timeout,
        ))
        .layer(axum::middleware::from_fn(edge::problem_errors))
        .layer(axum::middleware::from_fn(metrics::track))
        .with_state(state)
}
