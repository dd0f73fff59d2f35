//! Who is calling and what they may do.
//!
//! - Passwords are stored as argon2id PHC strings ([`hash_password`], [`verify_password`]).
//! - `POST /auth/token` hands out HS256 JWTs ([`Tokens`]) whose subject is the user id and
//!   which carry the generation of the user's credentials; a token is accepted only while
//!   that generation is current, so a password change or deleting the account ends it.
//! - Each request's [`Caller`] comes from its `X-API-Key` (the admin) or its
//!   `Authorization: Bearer` token (a user); credentials that do not check out are refused
//!   even on open routes, so that a client learns at once that its key or token is wrong.
//! - [`Auth`] holds the rules of the issue: without an API key (loopback only) everything
//!   is open; with one, admin work needs the key, and a user's token acts for that user only.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};

use crate::problem::ApiError;
use crate::state::AppState;

/// The header that carries the admin key.
pub const API_KEY_HEADER: &str = "x-api-key";

/// Hashes a password with argon2id and a random salt, as a PHC string. Slow by design
/// (tens of milliseconds): call it off the async threads.
pub fn hash_password(password: &str) -> Result<String, ApiError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|e| ApiError::Internal(format!("hashing a password failed: {e}")))
}

/// An argon2id hash with the parameters [`hash_password`] uses: sign-in checks the password
/// against it when the account does not exist or has no password, and refuses whatever the
/// check says, so that an unknown email takes as long to refuse as a wrong password.
pub const DECOY_PHC: &str = "$argon2id$v=19$m=19456,t=2,p=1$X5dlV91PPGCRaIgH1rcftg$OlE90dKeQFM0R355YA2cJsyqI9rOUHvd9W+w41gQmr0";

/// Whether `password` matches the PHC string `phc` (a malformed hash never matches).
pub fn verify_password(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(hash) => Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok(),
        Err(_) => false,
    }
}

/// The claims of an access token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The user id.
    pub sub: String,
    /// Issued at (Unix seconds).
    pub iat: u64,
    /// Expires at (Unix seconds).
    pub exp: u64,
    /// The generation of the user's credentials when the token was issued (see
    /// `orrery_store::Credentials::token_generation`).
    #[serde(rename = "gen")]
    pub generation: i64,
}

/// Issues and checks access tokens.
pub struct Tokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    ttl: Duration,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens").field("ttl", &self.ttl).finish()
    }
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl Tokens {
    /// Tokens signed with `secret`, valid for `ttl`; a random secret when `None`.
    pub fn new(secret: Option<&str>, ttl: Duration) -> Tokens {
        let secret: Vec<u8> = match secret {
            Some(s) => s.as_bytes().to_vec(),
            None => {
                let mut bytes = vec![0u8; 32];
                rand::rng().fill_bytes(&mut bytes);
                bytes
            }
        };
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "sub"]);
        Tokens {
            encoding: EncodingKey::from_secret(&secret),
            decoding: DecodingKey::from_secret(&secret),
            validation,
            ttl,
        }
    }

    /// How long a token is valid.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// A token for `user_id`, whose credentials are of `generation`, that expires `ttl`
    /// from now.
    pub fn issue(&self, user_id: &str, generation: i64) -> Result<String, ApiError> {
        let iat = now_secs();
        self.issue_claims(&Claims {
            sub: user_id.to_owned(),
            iat,
            exp: iat.saturating_add(self.ttl.as_secs().max(1)),
            generation,
        })
    }

    /// A token with the given claims (tests use it to make expired tokens).
    pub fn issue_claims(&self, claims: &Claims) -> Result<String, ApiError> {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.encoding)
            .map_err(|e| ApiError::Internal(format!("signing a token failed: {e}")))
    }

    /// The claims of a valid token; 401 for an expired, forged or malformed one.
    pub fn verify(&self, token: &str) -> Result<Claims, ApiError> {
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|e| {
                ApiError::Unauthorized(match e.kind() {
                    ErrorKind::ExpiredSignature => {
                        "the access token has expired: get a new one from POST /auth/token".into()
                    }
                    ErrorKind::InvalidSignature => {
                        "the access token was not issued by this service: get one from \
                         POST /auth/token"
                            .into()
                    }
                    _ => format!(
                        "the access token is malformed ({e}): send Authorization: Bearer TOKEN \
                         with a token from POST /auth/token"
                    ),
                })
            })
    }
}

/// Who is calling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// No credentials.
    Anonymous,
    /// The admin API key.
    Admin,
    /// A user's access token.
    User(String),
}

/// The access rules.
#[derive(Debug)]
pub struct Auth {
    api_key: Option<String>,
    tokens: Tokens,
}

/// Compares secrets in time independent of where they differ.
fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl Auth {
    /// Rules for `api_key` (none: everything open) and token signing.
    pub fn new(api_key: Option<String>, tokens: Tokens) -> Auth {
        Auth { api_key, tokens }
    }

    /// The token issuer.
    pub fn tokens(&self) -> &Tokens {
        &self.tokens
    }

    /// Whether no API key is configured, so that everything is open.
    pub fn is_open(&self) -> bool {
        self.api_key.is_none()
    }

    /// The caller named by a request's headers, without checking a token's generation
    /// against the store: see [`Auth::presented`] for that.
    pub fn caller(&self, parts: &Parts) -> Result<Caller, ApiError> {
        self.presented(parts).map(|(caller, _)| caller)
    }

    /// The caller named by a request's headers, and the credentials generation its token
    /// carries (`None` without a token).
    pub fn presented(&self, parts: &Parts) -> Result<(Caller, Option<i64>), ApiError> {
        if let Some(key) = parts.headers.get(API_KEY_HEADER) {
            let key = key.to_str().unwrap_or("");
            return match &self.api_key {
                Some(expected) if same_secret(key, expected) => Ok((Caller::Admin, None)),
                Some(_) => Err(ApiError::Unauthorized(
                    "the X-API-Key is wrong: send the key the server was started with".into(),
                )),
                None => Err(ApiError::Unauthorized(
                    "this server has no API key, so X-API-Key cannot be checked: drop the header"
                        .into(),
                )),
            };
        }
        if let Some(value) = parts.headers.get(header::AUTHORIZATION) {
            let value = value.to_str().unwrap_or("");
            let token = value
                .strip_prefix("Bearer ")
                .or_else(|| value.strip_prefix("bearer "))
                .ok_or_else(|| {
                    ApiError::Unauthorized(
                        "the Authorization header must be `Bearer TOKEN` with a token from \
                         POST /auth/token"
                            .into(),
                    )
                })?;
            let claims = self.tokens.verify(token.trim())?;
            return Ok((Caller::User(claims.sub), Some(claims.generation)));
        }
        Ok((Caller::Anonymous, None))
    }

    /// Admin work: training, model management, bulk deletes, imports.
    pub fn require_admin(&self, caller: &Caller) -> Result<(), ApiError> {
        match caller {
            Caller::Admin => Ok(()),
            Caller::Anonymous if self.is_open() => Ok(()),
            Caller::Anonymous => Err(ApiError::Unauthorized(
                "this needs the admin key: send X-API-Key".into(),
            )),
            Caller::User(_) => Err(ApiError::Forbidden(
                "this needs the admin key; a user's token is not enough".into(),
            )),
        }
    }

    /// Catalog writes (items, content, movies).
    pub fn require_catalog_write(&self, caller: &Caller) -> Result<(), ApiError> {
        self.require_admin(caller)
    }

    /// Acting for `user_id`: changing the user, posting their interactions, reading their
    /// recommendations. Their own token or the admin key; open without a key, unless a
    /// token names someone else.
    pub fn require_acting_for(&self, caller: &Caller, user_id: &str) -> Result<(), ApiError> {
        match caller {
            Caller::Admin => Ok(()),
            Caller::User(me) if me == user_id => Ok(()),
            Caller::User(me) => Err(ApiError::Forbidden(format!(
                "the token is for user {me:?}, not {user_id:?}: a token acts for its own user only"
            ))),
            Caller::Anonymous if self.is_open() => Ok(()),
            Caller::Anonymous => Err(ApiError::Unauthorized(format!(
                "acting for user {user_id:?} needs that user's token (Authorization: Bearer, \
                 from POST /auth/token) or the admin key"
            ))),
        }
    }

    /// The user a token names (for `/users/me`).
    pub fn require_user(&self, caller: &Caller) -> Result<String, ApiError> {
        match caller {
            Caller::User(me) => Ok(me.clone()),
            Caller::Admin => Err(ApiError::BadRequest {
                detail: "the admin key names no user: send a user's token to ask who they are"
                    .into(),
                field: None,
            }),
            Caller::Anonymous => Err(ApiError::Unauthorized(
                "this needs a user's token: send Authorization: Bearer TOKEN from POST /auth/token"
                    .into(),
            )),
        }
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let (caller, generation) = state.auth.presented(parts)?;
        if let (Caller::User(user_id), Some(generation)) = (&caller, generation) {
            // The signature proves who the token was issued to; only the store knows
            // whether those credentials still stand.
            if state.store.token_generation(user_id).await? != Some(generation) {
                return Err(ApiError::Unauthorized(
                    "the access token was revoked: its user changed the password or was \
                     deleted since it was issued; get a new one from POST /auth/token"
                        .into(),
                ));
            }
        }
        Ok(caller)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;

    fn parts(headers: &[(&str, &str)]) -> Parts {
        let mut builder = Request::builder().uri("/");
        for (k, v) in headers {
            builder = builder.header(*k, *v);
        }
        builder.body(()).unwrap().into_parts().0
    }

    #[test]
    fn passwords_hash_and_verify() {
        let hash = hash_password("correct horse").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("wrong horse", &hash));
        assert!(!verify_password("correct horse", "not a hash"));
    }

    #[test]
    fn the_decoy_hash_costs_what_a_real_one_does() {
        let fresh = hash_password("whatever").unwrap();
        let params = |phc: &str| {
            let hash = PasswordHash::new(phc).expect("a PHC string");
            (
                hash.algorithm.to_string(),
                hash.version,
                hash.params.to_string(),
            )
        };
        assert_eq!(
            params(DECOY_PHC),
            params(&fresh),
            "DECOY_PHC must have the parameters of hash_password's hashes, as this one: {fresh}"
        );
        assert!(!verify_password("", DECOY_PHC));
        assert!(verify_password("whatever", DECOY_PHC), "a well-formed hash");
    }

    #[test]
    fn tokens_round_trip_and_expire() {
        let tokens = Tokens::new(Some("0123456789abcdef"), Duration::from_secs(60));
        let token = tokens.issue("u1", 7).unwrap();
        let claims = tokens.verify(&token).unwrap();
        assert_eq!((claims.sub.as_str(), claims.generation), ("u1", 7));
        let old = tokens
            .issue_claims(&Claims {
                sub: "u1".into(),
                iat: 1,
                exp: 2,
                generation: 7,
            })
            .unwrap();
        let err = tokens.verify(&old).unwrap_err();
        assert!(err.to_string().contains("expired"), "{err}");
        let other = Tokens::new(Some("another secret 1234"), Duration::from_secs(60));
        let err = other.verify(&token).unwrap_err();
        assert!(err.to_string().contains("not issued"), "{err}");
    }

    #[test]
    fn rules_with_and_without_a_key() {
        let tokens = || Tokens::new(None, Duration::from_secs(60));
        let keyed = Auth::new(Some("k3y".into()), tokens());
        let open = Auth::new(None, tokens());
        let ann = Caller::User("ann".into());

        assert_eq!(
            keyed.caller(&parts(&[("x-api-key", "k3y")])).unwrap(),
            Caller::Admin
        );
        assert_eq!(
            keyed
                .caller(&parts(&[("x-api-key", "nope")]))
                .unwrap_err()
                .status(),
            401
        );
        let token = keyed.tokens().issue("ann", 1).unwrap();
        let bearer = format!("Bearer {token}");
        assert_eq!(
            keyed.caller(&parts(&[("authorization", &bearer)])).unwrap(),
            ann
        );
        assert_eq!(keyed.caller(&parts(&[])).unwrap(), Caller::Anonymous);

        assert!(keyed.require_admin(&Caller::Admin).is_ok());
        assert_eq!(
            keyed
                .require_admin(&Caller::Anonymous)
                .unwrap_err()
                .status(),
            401
        );
        assert_eq!(keyed.require_admin(&ann).unwrap_err().status(), 403);
        assert!(open.require_admin(&Caller::Anonymous).is_ok());
        assert_eq!(open.require_admin(&ann).unwrap_err().status(), 403);

        assert!(keyed.require_acting_for(&ann, "ann").is_ok());
        assert_eq!(
            keyed.require_acting_for(&ann, "bob").unwrap_err().status(),
            403
        );
        assert_eq!(
            keyed
                .require_acting_for(&Caller::Anonymous, "ann")
                .unwrap_err()
                .status(),
            401
        );
        assert!(open.require_acting_for(&Caller::Anonymous, "ann").is_ok());
        assert_eq!(
            open.require_acting_for(&ann, "bob").unwrap_err().status(),
            403
        );
        assert_eq!(
            open.require_user(&Caller::Anonymous).unwrap_err().status(),
            401
        );
    }
}
