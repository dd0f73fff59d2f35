//! What a web page may make a browser send here. The server uses no cookies, but on
//! loopback without an API key everything is open, so any page the user visits could
//! otherwise write to it: with a form or a plain-text `fetch` (no CORS preflight), or
//! through a host name it controls that resolves to 127.0.0.1 (DNS rebinding).
//!
//! - The `Host` must be a loopback name or one of `allowed_hosts` (on an open server, or
//!   whenever some are configured).
//! - A write (any method but GET, HEAD and OPTIONS) that carries an `Origin` must come
//!   from this server's own origin or one of `allowed_origins`: browsers send `Origin` on
//!   every cross-site write, other clients do not send it.
//! - CORS preflights are answered for `allowed_origins` only ([`cors`]); without any,
//!   none is, so a page elsewhere cannot send JSON, tokens or keys at all.
//! - Bodies must be declared `application/json` (see `extract`), which a form cannot do.

use std::net::IpAddr;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::config::ServerConfig;
use crate::problem::ApiError;
use crate::state::AppState;

/// Refuses requests for other host names and cross-site writes (see the module).
pub async fn same_site(State(state): State<AppState>, request: Request, next: Next) -> Response {
    match check(&state.config, state.auth.is_open(), &request) {
        Ok(()) => next.run(request).await,
        Err(refusal) => refusal.into_response(),
    }
}

fn check(config: &ServerConfig, open: bool, request: &Request) -> Result<(), ApiError> {
    let authority = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_owned)
        .or_else(|| request.uri().authority().map(|a| a.as_str().to_owned()));
    if let Some(authority) = &authority
        && (open || !config.allowed_hosts.is_empty())
    {
        let host = host_of(authority);
        let listed = config
            .allowed_hosts
            .iter()
            .any(|allowed| allowed.eq_ignore_ascii_case(&host));
        if !is_loopback_name(&host) && !listed {
            return Err(ApiError::Forbidden(format!(
                "this server does not answer to the host name {host:?}: call it as 127.0.0.1 \
                 or localhost, or list the name with --allowed-hosts"
            )));
        }
    }
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return Ok(());
    }
    let Some(origin) = request.headers().get(header::ORIGIN) else {
        return Ok(());
    };
    let origin = origin.to_str().unwrap_or("null").trim_end_matches('/');
    let same_origin = parse_origin(origin)
        .zip(authority.as_deref())
        .is_some_and(|((scheme, from), to)| same_authority(scheme, from, to));
    let listed = config
        .allowed_origins
        .iter()
        .any(|allowed| allowed.trim_end_matches('/').eq_ignore_ascii_case(origin));
    if same_origin || listed {
        Ok(())
    } else {
        Err(ApiError::Forbidden(format!(
            "a page from {origin} may not write here: only this server's own pages and the \
             origins listed with --allowed-origins may"
        )))
    }
}

/// CORS for the configured origins; `None` (no CORS at all) when there are none.
pub fn cors(config: &ServerConfig) -> Option<CorsLayer> {
    let origins: Vec<HeaderValue> = config
        .allowed_origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o.trim_end_matches('/')).ok())
        .collect();
    if origins.is_empty() {
        return None;
    }
    Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins))
            .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
            .allow_headers([
                header::CONTENT_TYPE,
                header::AUTHORIZATION,
                header::HeaderName::from_static("x-api-key"),
            ])
            .max_age(std::time::Duration::from_secs(600)),
    )
}

/// `scheme://authority` of a web origin, or `None` for anything else (a path, `null`).
pub fn parse_origin(origin: &str) -> Option<(&str, &str)> {
    let (scheme, authority) = origin.split_once("://")?;
    let authority = authority.strip_suffix('/').unwrap_or(authority);
    let plain = !authority.is_empty()
        && !authority.contains(['/', '?', '#', '@', ' '])
        && matches!(scheme, "http" | "https");
    plain.then_some((scheme, authority))
}

/// Whether an origin's authority names the same host and port as a `Host` header,
/// filling in the scheme's default port on either side.
fn same_authority(scheme: &str, origin: &str, host: &str) -> bool {
    let default = if scheme == "https" { "443" } else { "80" };
    let with_port = |authority: &str| {
        let host = host_of(authority);
        let port = authority
            .rsplit_once(':')
            .filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit()))
            .map_or(default, |(_, port)| port);
        format!("{host}:{port}")
    };
    with_port(origin) == with_port(host)
}

/// The host of an authority, lower-cased, without port or IPv6 brackets.
fn host_of(authority: &str) -> String {
    let host = match authority.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or(rest),
        None => match authority.rsplit_once(':') {
            Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => host,
            _ => authority,
        },
    };
    host.trim_end_matches('.').to_ascii_lowercase()
}

/// `localhost`, a name under `.localhost` (browsers resolve both to loopback themselves),
/// or a loopback address.
fn is_loopback_name(host: &str) -> bool {
    host == "localhost"
        || host.ends_with(".localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(method: Method, host: &str, origin: Option<&str>) -> Request {
        let mut builder = Request::builder()
            .method(method)
            .uri("/items")
            .header(header::HOST, host);
        if let Some(origin) = origin {
            builder = builder.header(header::ORIGIN, origin);
        }
        builder.body(axum::body::Body::empty()).unwrap()
    }

    #[test]
    fn an_open_server_answers_loopback_names_only() {
        let config = ServerConfig::default();
        for host in [
            "127.0.0.1:8080",
            "localhost:8080",
            "[::1]:8080",
            "app.localhost",
        ] {
            assert!(
                check(&config, true, &request(Method::GET, host, None)).is_ok(),
                "{host}"
            );
        }
        for host in [
            "evil.example:8080",
            "192.168.1.4:8080",
            "localhost.evil.example",
        ] {
            assert!(
                check(&config, true, &request(Method::GET, host, None)).is_err(),
                "{host}"
            );
        }
        // With a key and no list, any name; with a list, those and loopback.
        assert!(check(&config, false, &request(Method::GET, "recs.example", None)).is_ok());
        let config = ServerConfig {
            allowed_hosts: vec!["recs.example".into()],
            ..ServerConfig::default()
        };
        assert!(
            check(
                &config,
                false,
                &request(Method::GET, "RECS.example:443", None)
            )
            .is_ok()
        );
        assert!(check(&config, false, &request(Method::GET, "other.example", None)).is_err());
    }

    #[test]
    fn writes_from_other_origins_are_refused() {
        let config = ServerConfig {
            allowed_origins: vec!["https://shop.example".into()],
            ..ServerConfig::default()
        };
        let write = |origin| request(Method::POST, "127.0.0.1:8080", origin);
        assert!(check(&config, true, &write(None)).is_ok());
        assert!(check(&config, true, &write(Some("http://127.0.0.1:8080"))).is_ok());
        assert!(check(&config, true, &write(Some("https://shop.example"))).is_ok());
        for origin in [
            "http://evil.example",
            "null",
            "http://127.0.0.1:9090",
            "http://localhost:8080",
        ] {
            assert!(
                check(&config, true, &write(Some(origin))).is_err(),
                "{origin}"
            );
        }
        // Reads are not refused for their origin: CORS keeps their answers from the page.
        let read = request(Method::GET, "127.0.0.1:8080", Some("http://evil.example"));
        assert!(check(&config, true, &read).is_ok());
    }

    #[test]
    fn origins_and_default_ports() {
        assert_eq!(
            parse_origin("https://a.example/"),
            Some(("https", "a.example"))
        );
        assert_eq!(parse_origin("null"), None);
        assert_eq!(parse_origin("ftp://a.example"), None);
        assert_eq!(parse_origin("https://a.example/path"), None);
        assert!(same_authority("http", "localhost", "localhost:80"));
        assert!(!same_authority("https", "localhost", "localhost:80"));
    }
}
