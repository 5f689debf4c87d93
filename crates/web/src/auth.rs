//! Sign-in, server-side sessions, CSRF protection and sign-in throttling.
//!
//! The session cookie carries 32 random bytes; the database keeps only their SHA-256, so a
//! copy of the database cannot be used to take over sessions. Every session has its own
//! CSRF token, required on every state-changing request (form field `csrf` or header
//! `X-CSRF-Token`). The sign-in form, before any session, has its own token: a signed
//! double-submit cookie (`SameSite=Strict`) that must match the form's field. A new session
//! id is issued at every sign-in.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method, Request, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use kernteam_store::people::User;
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::AppError;
use crate::AppState;

pub const SESSION_COOKIE: &str = "kernteam_session";
/// After this many failures in a row (passwords: per account name and client address;
/// second-factor codes: per account) further attempts wait, twice as long each time.
pub const MAX_FAILURES: i64 = 5;
/// The first wait after [`MAX_FAILURES`] wrong passwords; it doubles with every further one.
pub const PASSWORD_BACKOFF: chrono::Duration = chrono::Duration::minutes(1);
/// The first lock after [`MAX_FAILURES`] wrong codes; it doubles with every further one.
pub const CODE_LOCKOUT: chrono::Duration = chrono::Duration::minutes(15);
/// Wrong passwords older than this are forgotten.
pub const FORGET_FAILURES: chrono::Duration = chrono::Duration::hours(24);

/// The wait after `failures` failures (none below [`MAX_FAILURES`]), at most a day.
pub fn backoff(failures: i64, first: chrono::Duration) -> Option<chrono::Duration> {
    let over = failures - MAX_FAILURES;
    (over >= 0).then(|| (first * 2i32.pow(over.min(12) as u32)).min(chrono::Duration::hours(24)))
}

pub fn timestamp(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Whether a stored RFC 3339 time lies in the future.
pub fn still_locked(until: Option<&str>) -> bool {
    until.and_then(parse_ts).is_some_and(|t| t > Utc::now())
}
/// Sign-in attempts per client address per window, whatever the account.
const ATTEMPTS_PER_ADDRESS: u32 = 20;
const ATTEMPT_WINDOW: Duration = Duration::from_secs(300);
pub const MIN_PASSWORD_CHARS: usize = 12;

/// Hashes a password with argon2id on a blocking thread.
pub async fn hash_password(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))
    })
    .await?
}

pub async fn verify_password(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
    })
    .await
    .unwrap_or(false)
}

/// Passwords that attackers try first (lists of breached passwords, Dutch favourites and
/// this application's own name), lower case. Shorter ones are refused by length anyway.
const COMMON_PASSWORDS: &[&str] = &[
    "123456789012",
    "1234567890123",
    "12345678901234",
    "123456789012345",
    "1234567891011",
    "qwertyuiopasdf",
    "qwertyuiop123",
    "qwerty123456",
    "1q2w3e4r5t6y",
    "1qaz2wsx3edc",
    "password1234",
    "password12345",
    "passwordpassword",
    "wachtwoord12",
    "wachtwoord123",
    "wachtwoord1234",
    "wachtwoordwachtwoord",
    "welkom123456",
    "welkomwelkom",
    "welkom01welkom",
    "iloveyou1234",
    "ikhouvanjou12",
    "ikhouvanjou123",
    "letmein12345",
    "administrator",
    "administrator1",
    "administrator123",
    "adminadminadmin",
    "kernteam1234",
    "kernteam2026",
    "kernteam2027",
    "kernteamkernteam",
    "huisarts1234",
    "huisartsenpraktijk",
    "zorg12345678",
    "ouderenzorg123",
    "voorjaar2026!",
    "zomer2026zomer",
    "najaar2026!!",
    "winter2026!!",
    "maandag12345",
    "abcdefghijkl",
    "abcdefghijklm",
    "aaaaaaaaaaaa",
    "000000000000",
    "111111111111",
    "zaq12wsxcde3",
    "trustno1trustno1",
    "football1234",
    "princess1234",
];

/// Password rules after NCSC guidance: length over complexity, and not one of the
/// passwords attackers try first (nor the user name, nor one repeated character).
pub fn check_password_rules(password: &str) -> Result<(), String> {
    check_password_for(password, "")
}

pub fn check_password_for(password: &str, username: &str) -> Result<(), String> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Err(format!(
            "Kies een wachtwoord van minstens {MIN_PASSWORD_CHARS} tekens; een zin van een paar woorden werkt goed."
        ));
    }
    if n > 256 {
        return Err("Een wachtwoord mag hoogstens 256 tekens lang zijn.".into());
    }
    let lower = password.to_lowercase();
    let mut chars = lower.chars();
    let first = chars.next();
    if COMMON_PASSWORDS.contains(&lower.as_str()) || chars.all(|c| Some(c) == first) {
        return Err("Dit wachtwoord staat op de lijst van veelgebruikte wachtwoorden; kies een ander.".into());
    }
    if !username.is_empty() && lower.contains(&username.to_lowercase()) {
        return Err("Het wachtwoord mag uw gebruikersnaam niet bevatten.".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_rules() {
        assert!(check_password_rules("kort").is_err());
        assert!(check_password_rules("Wachtwoord1234").is_err());
        assert!(check_password_rules("aaaaaaaaaaaaaaaa").is_err());
        assert!(check_password_for("marieke-wandelt-graag", "marieke").is_err());
        assert!(check_password_rules("paard batterij nietje").is_ok());
    }
}

pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

pub fn random_key() -> [u8; 32] {
    let mut key = [0u8; 32];
    rand::rng().fill_bytes(&mut key);
    key
}

pub const LOGIN_CSRF_COOKIE: &str = "kernteam_login_csrf";

fn login_csrf_mac(key: &[u8; 32], nonce: &str) -> String {
    use hmac::Mac;
    let mut mac = <hmac::Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(b"login-csrf|");
    mac.update(nonce.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// A new token for the sign-in form: `nonce.HMAC(nonce)`, so that only this server can
/// make one (a cookie planted by a sibling site does not verify).
pub fn new_login_csrf(key: &[u8; 32]) -> String {
    let mut nonce = [0u8; 16];
    rand::rng().fill_bytes(&mut nonce);
    let nonce = hex::encode(nonce);
    let mac = login_csrf_mac(key, &nonce);
    format!("{nonce}.{mac}")
}

pub fn login_csrf_cookie(token: &str, secure: bool) -> HeaderValue {
    let v = format!(
        "{LOGIN_CSRF_COOKIE}={token}; Path=/inloggen; HttpOnly; SameSite=Strict; Max-Age=3600{}",
        if secure { "; Secure" } else { "" }
    );
    HeaderValue::from_str(&v).expect("cookie is ASCII")
}

/// The sign-in form's token: the field equals the cookie, and the cookie is signed by us.
pub fn login_csrf_ok(key: &[u8; 32], headers: &HeaderMap, field: &str) -> bool {
    let Some(cookie) = cookie_value(headers, LOGIN_CSRF_COOKIE) else {
        return false;
    };
    let Some((nonce, mac)) = cookie.split_once('.') else {
        return false;
    };
    let same = bool::from(cookie.as_bytes().ct_eq(field.as_bytes()));
    let signed = bool::from(login_csrf_mac(key, nonce).as_bytes().ct_eq(mac.as_bytes()));
    same && signed
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The signed-in user of a request, put there by [`session_layer`].
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: User,
    pub csrf: String,
    pub session_hash: String,
    pub ip: Option<String>,
    /// False between the password and the second factor (or its enrolment).
    pub second_factor_done: bool,
    /// The name of the user's practice or organisation.
    pub place: String,
}

impl CurrentUser {
    /// The signed-in user as the gate knows them.
    pub fn actor(&self) -> kernteam_app::Actor {
        kernteam_app::Actor::signed_in(self.user.clone(), self.ip.clone())
    }
}

/// The client address of a request, when known.
#[derive(Debug, Clone)]
pub struct ClientIp(pub Option<String>);

fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
}

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        // Inside a nested router (`/api`) the URI has lost its prefix; the original has it.
        let path = match parts.extensions.get::<axum::extract::OriginalUri>() {
            Some(original) => original.0.path(),
            None => parts.uri.path(),
        };
        parts
            .extensions
            .get::<CurrentUser>()
            .cloned()
            .ok_or(AppError::SignIn { api: is_api(path) })
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts.extensions.get::<ClientIp>().cloned().unwrap_or(ClientIp(None)))
    }
}

pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| {
            v.split(';')
                .map(str::trim)
                .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('=').map(str::to_string))
        })
}

pub fn session_cookie(token: &str, secure: bool) -> HeaderValue {
    let v = format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict{}",
        if secure { "; Secure" } else { "" }
    );
    HeaderValue::from_str(&v).expect("cookie is ASCII")
}

pub fn clear_session_cookie(secure: bool) -> HeaderValue {
    let v = format!(
        "{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{}",
        if secure { "; Secure" } else { "" }
    );
    HeaderValue::from_str(&v).expect("cookie is ASCII")
}

fn parse_ts(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s).ok().map(|d| d.with_timezone(&Utc))
}

/// Loads the session (if any) into the request, ends idle or old sessions, and refuses
/// state-changing requests without the session's CSRF token.
pub async fn session_layer(State(state): State<AppState>, mut req: Request<Body>, next: Next) -> Response {
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let ip = crate::client_addr::client_ip(peer, req.headers(), &state.config.trusted_proxies).map(|ip| ip.to_string());
    req.extensions_mut().insert(ClientIp(ip.clone()));
    let api = is_api(req.uri().path());
    let mut current = None;
    if let Some(token) = cookie_value(req.headers(), SESSION_COOKIE) {
        let hash = token_hash(&token);
        match state.db.session(&hash).await {
            Ok(Some(row)) => {
                let now = Utc::now();
                let idle = parse_ts(&row.last_seen_at).is_none_or(|t| now - t > state.config.idle_timeout);
                let old = parse_ts(&row.created_at).is_none_or(|t| now - t > state.config.absolute_timeout);
                if idle || old {
                    let _ = state.db.delete_session(&hash).await;
                } else {
                    if parse_ts(&row.last_seen_at).is_some_and(|t| now - t > chrono::Duration::seconds(30)) {
                        let _ = state.db.touch_session(&hash).await;
                    }
                    current = Some(CurrentUser {
                        user: row.user,
                        csrf: row.csrf,
                        session_hash: hash,
                        ip: ip.clone(),
                        second_factor_done: row.second_factor_done,
                        place: row.place,
                    });
                }
            }
            Ok(None) => {}
            Err(e) => return AppError::from(e).into_response(),
        }
    }
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let fhir = req.uri().path() == "/fhir" || req.uri().path().starts_with("/fhir/");
    // The FHIR API answers every method itself (405, OperationOutcome). Its one write,
    // `POST /fhir`, needs the CSRF token when it comes with a session rather than a bearer
    // token (which a browser does not send by itself).
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("Bearer ") || v.starts_with("bearer "));
    if unsafe_method && fhir {
        let session_write =
            req.uri().path() == "/fhir" && !bearer && current.as_ref().is_some_and(|c| c.second_factor_done);
        if session_write {
            let cu = current.as_ref().expect("checked above");
            let ok = req
                .headers()
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|t| bool::from(t.as_bytes().ct_eq(cu.csrf.as_bytes())));
            if !ok {
                return crate::fhir::FhirError::new(
                    StatusCode::FORBIDDEN,
                    kernteam_fhir::IssueCode::Forbidden,
                    "Met een sessie hoort bij POST /fhir de beveiligingscode in de header X-CSRF-Token.",
                )
                .into_response();
            }
        }
        if let Some(cu) = current {
            if cu.second_factor_done {
                req.extensions_mut().insert(cu);
            }
        }
        return next.run(req).await;
    }
    // The sign-in form and the portal's activation form carry the sign-in form's token.
    if unsafe_method && !SIGN_IN_FORMS.contains(&req.uri().path()) {
        let Some(cu) = &current else {
            return AppError::SignIn { api }.into_response();
        };
        let (checked, rebuilt) = match csrf_token_of(req).await {
            Ok(v) => v,
            Err(resp) => return resp,
        };
        req = rebuilt;
        let ok = checked.is_some_and(|t| bool::from(t.as_bytes().ct_eq(cu.csrf.as_bytes())));
        if !ok {
            let msg = "De beveiligingscode van het formulier ontbreekt of is verlopen. Ga terug, laad de pagina opnieuw en probeer het nog eens.";
            if api {
                return (
                    StatusCode::FORBIDDEN,
                    axum::Json(serde_json::json!({ "error": msg, "details": [] })),
                )
                    .into_response();
            }
            return (StatusCode::FORBIDDEN, axum::response::Html(format!("<!doctype html><html lang=\"nl\"><head><meta charset=\"utf-8\"><title>Geen toegang — Kernteam</title><link rel=\"stylesheet\" href=\"/static/style.css\"></head><body><main class=\"narrow\"><h1>Geen toegang</h1><p>{msg}</p></main></body></html>"))).into_response();
        }
    }
    if let Some(cu) = current {
        // Between password and second factor only the second-factor pages are open.
        if !cu.second_factor_done
            && !SECOND_FACTOR_PATHS.contains(&req.uri().path())
            && !req.uri().path().starts_with("/static/")
        {
            // The FHIR API answers a half-signed-in session as not signed in (401).
            if fhir {
                return next.run(req).await;
            }
            if api {
                return AppError::SignIn { api: true }.into_response();
            }
            return axum::response::Redirect::to("/inloggen/code").into_response();
        }
        // A patient or mantelzorger reaches the portal and their own account, nothing
        // else: every staff route is 404 for them (and the attempt is audited).
        if cu.user.role.is_portal() && !portal_may_reach(req.uri().path()) {
            if let Err(e) = state.app.refuse_staff_route(&cu.actor(), req.uri().path()).await {
                return AppError::from(e).into_response();
            }
            return if api {
                AppError::NotFound.into_api_response()
            } else {
                AppError::NotFound.into_response()
            };
        }
        req.extensions_mut().insert(cu);
    }
    next.run(req).await
}

/// The forms posted before any session, protected by the sign-in form's token.
pub const SIGN_IN_FORMS: [&str; 2] = ["/inloggen", "/inloggen/activeren"];

/// What a portal account may reach: the portal, signing in and out, its own password and
/// second factor, the session's CSRF token, the static files and the public documents.
pub fn portal_may_reach(path: &str) -> bool {
    matches!(
        path,
        "/" | "/uitloggen"
            | "/inloggen"
            | "/inloggen/code"
            | "/inloggen/activeren"
            | "/account/tweestap"
            | "/account/tweestap/nieuw"
            | "/inloggen/code/opnieuw"
            | "/account/tweestap/email"
            | "/account/tweestap/email/bevestigen"
            | "/account/wachtwoord"
            | "/api/v1/session"
            | "/api/openapi.json"
            | "/fhir/metadata"
            | "/portaal"
    ) || path.starts_with("/portaal/")
        || path.starts_with("/static/")
}

/// What a session may reach before its second factor.
const SECOND_FACTOR_PATHS: [&str; 8] = [
    "/inloggen",
    "/inloggen/code",
    "/inloggen/code/opnieuw",
    "/account/tweestap",
    "/account/tweestap/nieuw",
    "/account/tweestap/email",
    "/account/tweestap/email/bevestigen",
    "/uitloggen",
];

/// Largest form body read for the CSRF check.
const MAX_FORM_BYTES: usize = 2 * 1024 * 1024;

/// The CSRF token from the header, or from an url-encoded form body (which is put back).
async fn csrf_token_of(req: Request<Body>) -> Result<(Option<String>, Request<Body>), Response> {
    if let Some(t) = req.headers().get("x-csrf-token").and_then(|v| v.to_str().ok()) {
        let t = t.to_string();
        return Ok((Some(t), req));
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    // A form with a file: the `csrf` part.
    if let Some(boundary) = crate::process::events::multipart::boundary(&content_type) {
        let (parts, body) = req.into_parts();
        let Ok(bytes) = axum::body::to_bytes(body, MAX_FORM_BYTES + 64 * 1024).await else {
            return Err((StatusCode::PAYLOAD_TOO_LARGE, "Het formulier is te groot.").into_response());
        };
        let token = crate::process::events::multipart::parts(&bytes, &boundary)
            .and_then(|p| p.into_iter().find(|(k, _)| k == "csrf"))
            .and_then(|(_, v)| String::from_utf8(v).ok());
        return Ok((token, Request::from_parts(parts, Body::from(bytes))));
    }
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return Ok((None, req));
    }
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_FORM_BYTES).await {
        Ok(b) => b,
        Err(_) => {
            return Err((StatusCode::PAYLOAD_TOO_LARGE, "Het formulier is te groot.").into_response());
        }
    };
    let token = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
        .ok()
        .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == "csrf").map(|(_, v)| v));
    Ok((token, Request::from_parts(parts, Body::from(bytes))))
}

/// Counts sign-in attempts per client address.
#[derive(Default)]
pub struct Throttle {
    attempts: Mutex<HashMap<IpAddr, (u32, Instant)>>,
}

impl Throttle {
    /// Whether another attempt from this address is allowed now (and counts it).
    pub fn allow(&self, ip: Option<&str>) -> bool {
        let Some(ip) = ip.and_then(|s| s.parse::<IpAddr>().ok()) else {
            return true;
        };
        let mut map = self.attempts.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        if map.len() > 10_000 {
            map.retain(|_, (_, t)| now.duration_since(*t) < ATTEMPT_WINDOW);
        }
        let entry = map.entry(ip).or_insert((0, now));
        if now.duration_since(entry.1) >= ATTEMPT_WINDOW {
            *entry = (0, now);
        }
        entry.0 += 1;
        entry.0 <= ATTEMPTS_PER_ADDRESS
    }
}

/// Security headers on every response.
pub async fn security_headers(State(state): State<AppState>, req: Request<Body>, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; \
             frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        ),
    );
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if state.config.secure_cookies {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    resp
}

impl<S: Send + Sync> axum::extract::OptionalFromRequestParts<S> for CurrentUser {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Option<Self>, Self::Rejection> {
        Ok(parts.extensions.get::<CurrentUser>().cloned())
    }
}
