//! The error responses that every operation of the OpenAPI document can give, added to
//! each operation after the routes are collected.
//!
//! The handlers' annotations document what is particular to them (a 404 for an unknown
//! user, a 409 for a duplicate); the statuses here come from what all routes share (the
//! extractors, the access rules, the body limit, the database), so they are added in one
//! place rather than repeated, and forgotten, on each route. All are problem documents.

use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, Response, ResponseBuilder};

/// Adds the shared error responses to every operation that does not document them itself.
pub fn add_shared_responses(openapi: &mut OpenApi) {
    for item in openapi.paths.paths.values_mut() {
        let operations = [
            (&mut item.get, false),
            (&mut item.put, true),
            (&mut item.post, true),
            (&mut item.delete, true),
            (&mut item.patch, true),
        ];
        for (operation, writes) in operations {
            if let Some(operation) = operation.as_mut() {
                add_to(operation, writes);
            }
        }
    }
}

fn add_to(operation: &mut Operation, writes: bool) {
    let params = operation.parameters.as_deref().unwrap_or_default();
    let in_path = params
        .iter()
        .any(|p| matches!(p, RefOr::T(p) if p.parameter_in == ParameterIn::Path));
    let any_params = !params.is_empty();
    let body = operation.request_body.is_some();
    let secured = operation
        .security
        .as_ref()
        .is_some_and(|alternatives| !alternatives.is_empty());
    let engine = operation
        .tags
        .iter()
        .flatten()
        .any(|tag| tag == "recommendations" || tag == "ml");

    let mut shared: Vec<(&str, &str)> = vec![
        (
            "400",
            "The request cannot be read: malformed JSON or form, or a path that is not UTF-8 \
             or holds a NUL",
        ),
        (
            "401",
            "Credentials were sent and do not check out (a wrong X-API-Key, an expired or \
             forged token), or the route needs them",
        ),
        (
            "500",
            "The service itself failed (the database did not answer); the error is logged",
        ),
    ];
    if secured {
        shared.push((
            "403",
            "Valid credentials that do not allow this: another user's token, or a user's \
             token where the admin key is needed",
        ));
    }
    if in_path {
        shared.push(("404", "What the path names does not exist"));
    }
    if writes || engine {
        shared.push((
            "409",
            "The request conflicts with the current state: a duplicate, a training already \
             running, the active model, or no model trained yet",
        ));
    }
    if body {
        shared.push(("413", "The body is larger than --body-limit"));
        shared.push(("415", "The body is declared as something other than JSON"));
    }
    if body || any_params {
        shared.push(("422", "A field of the body or a query parameter is invalid"));
    }
    for (status, description) in shared {
        operation
            .responses
            .responses
            .entry(status.to_owned())
            .or_insert_with(|| RefOr::T(problem(description)));
    }
    // OpenAPI requires a description on every response, and client generators refuse a
    // document without; annotations that give only a body get their status's meaning.
    for (status, response) in operation.responses.responses.iter_mut() {
        if let RefOr::T(response) = response
            && response.description.is_empty()
        {
            response.description = status_meaning(status).to_owned();
        }
    }
}

/// What a success status says, for responses documented by their body alone.
fn status_meaning(status: &str) -> &'static str {
    match status {
        "200" => "OK",
        "201" => "Created",
        "202" => "Accepted: the work goes on in the background",
        "204" => "Done; nothing to return",
        _ => "See the body",
    }
}

fn problem(description: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            crate::problem::PROBLEM_JSON,
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .build(),
        )
        .build()
}
