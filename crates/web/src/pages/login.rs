//! Sign-in with the password. Failures are counted per account name and client address (so
//! that nobody can lock someone else's account from elsewhere), back off exponentially, get
//! one and the same answer in the same time whether the name exists or is locked, and are
//! audited as refused (never with the password).

use askama::Template;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use kernteam_domain::access::Scope;
use kernteam_store::audit::Outcome;
use kernteam_store::care::AuditEntry;
use kernteam_store::people::{Credentials, User};

use super::{render, Me};
use crate::auth::{self, ClientIp, CurrentUser};
use crate::error::AppResult;
use crate::AppState;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    me: Option<Me>,
    flash: Option<String>,
    error: Option<String>,
    username: String,
    csrf: String,
}

pub async fn home(cu: Option<CurrentUser>) -> Redirect {
    match cu.map(|c| c.user.role.scope()) {
        None => Redirect::to("/inloggen"),
        Some(Scope::Practice | Scope::Network) => Redirect::to("/patienten"),
        Some(Scope::Region) => Redirect::to("/regio"),
        Some(Scope::Portal) => Redirect::to("/portaal"),
    }
}

/// The sign-in page with a fresh form token (and its cookie).
fn login_page(state: &AppState, status: StatusCode, error: Option<String>, username: String) -> AppResult<Response> {
    let csrf = auth::new_login_csrf(&state.login_csrf_key);
    let mut resp = render(&LoginPage {
        me: None,
        flash: None,
        error,
        username,
        csrf: csrf.clone(),
    })?;
    *resp.status_mut() = status;
    resp.headers_mut().append(
        header::SET_COOKIE,
        auth::login_csrf_cookie(&csrf, state.config.secure_cookies),
    );
    Ok(resp)
}

pub async fn login_form(State(state): State<AppState>, cu: Option<CurrentUser>) -> AppResult<Response> {
    if cu.is_some_and(|c| c.second_factor_done) {
        return Ok(Redirect::to("/").into_response());
    }
    login_page(&state, StatusCode::OK, None, String::new())
}

#[derive(serde::Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    csrf: String,
}

/// The one answer to every refused sign-in: wrong name, wrong password, inactive or locked
/// account, too many attempts.
pub const REFUSED: &str = "Gebruikersnaam of wachtwoord klopt niet, of er is te vaak een verkeerd wachtwoord \
     geprobeerd. Na herhaalde fouten moet u steeds langer wachten voor u het opnieuw kunt proberen.";

/// A name as typed, for the audit log: trimmed, without control characters, capped.
fn typed_name(username: &str) -> String {
    username.trim().chars().filter(|c| !c.is_control()).take(100).collect()
}

/// An audit record of a sign-in event (never with the password).
pub(crate) async fn audit_sign_in(
    state: &AppState,
    user: Option<&User>,
    typed: &str,
    action: &str,
    outcome: Outcome,
    ip: Option<String>,
) -> AppResult<()> {
    state
        .db
        .audit(&AuditEntry {
            user_id: user.map(|u| u.id),
            username: user.map_or_else(|| typed_name(typed), |u| u.username.clone()),
            role: user.map_or_else(String::new, |u| u.role.code().to_string()),
            practice_id: user.and_then(|u| u.practice_id),
            action: action.into(),
            ip,
            outcome,
            ..Default::default()
        })
        .await?;
    Ok(())
}

/// A password attempt for `username` from the request's address: the account's
/// credentials when the password is right and the name/address pair is not waiting out a
/// back-off; `None` otherwise, after the same amount of work, counted and audited.
pub(crate) async fn check_password_attempt(
    state: &AppState,
    username: &str,
    password: String,
    ip: Option<String>,
    action: &str,
) -> AppResult<Option<Credentials>> {
    let address = ip.clone().unwrap_or_default();
    let throttled = !state.throttle.allow(ip.as_deref());
    let waiting = auth::still_locked(
        state
            .db
            .sign_in_failures(username, &address)
            .await?
            .locked_until
            .as_deref(),
    );
    let creds = state.db.credentials(username).await?;
    let checkable = creds.as_ref().filter(|c| c.user.active && !throttled && !waiting);
    // The same argon2 work whether the name exists, is inactive or locked.
    let hash = checkable.map_or_else(|| DUMMY_HASH.to_string(), |c| c.password_hash.clone());
    let right = auth::verify_password(password, hash).await && checkable.is_some();
    if right {
        state.db.clear_sign_in_failures(username, &address).await?;
        return Ok(creds);
    }
    let forget = auth::timestamp(chrono::Utc::now() - auth::FORGET_FAILURES);
    let failures = state.db.record_sign_in_failure(username, &address, &forget).await?;
    let user = creds.as_ref().map(|c| &c.user);
    let why = if throttled {
        "te veel pogingen vanaf dit adres"
    } else if waiting {
        "wachttijd na herhaalde fouten"
    } else {
        "onjuist wachtwoord of onbekende naam"
    };
    audit_sign_in(
        state,
        user,
        username,
        &format!("{action} geweigerd: {why}"),
        Outcome::Refused,
        ip.clone(),
    )
    .await?;
    if let Some(wait) = auth::backoff(failures, auth::PASSWORD_BACKOFF) {
        let until = auth::timestamp(chrono::Utc::now() + wait);
        state.db.lock_sign_in(username, &address, &until).await?;
        let action = format!("{action}: wachttijd tot {until} voor deze naam vanaf dit adres");
        audit_sign_in(state, user, username, &action, Outcome::Refused, ip).await?;
    }
    Ok(None)
}

pub async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    previous: Option<CurrentUser>,
    Form(form): Form<LoginForm>,
) -> AppResult<Response> {
    let username = form.username.trim().to_string();
    if !auth::login_csrf_ok(&state.login_csrf_key, &headers, &form.csrf) {
        let msg = "Het inlogformulier was verlopen of kwam niet van deze site. Probeer het opnieuw.";
        return login_page(&state, StatusCode::FORBIDDEN, Some(msg.into()), username);
    }
    let Some(creds) = check_password_attempt(&state, &username, form.password, ip.clone(), "inloggen").await? else {
        return login_page(&state, StatusCode::UNAUTHORIZED, Some(REFUSED.into()), username);
    };
    // A new session id at every sign-in; an earlier session of this browser ends.
    if let Some(old) = previous {
        state.db.delete_session(&old.session_hash).await?;
    }
    let totp = state.db.totp_state(creds.user.id).await?;
    // Sign-in by e-mailed code (a portal account that chose it instead of an app).
    let by_email = !totp.enabled && state.app.uses_email_sign_in(&creds.user).await?;
    let second_step = totp.enabled || by_email || crate::two_factor::required(&state, &creds.user);
    let token = auth::random_token();
    state
        .db
        .create_session(
            &auth::token_hash(&token),
            creds.user.id,
            &auth::random_token(),
            ip.as_deref(),
            !second_step,
        )
        .await?;
    let action = if second_step {
        "inloggen: wachtwoord juist, tweede stap gevraagd"
    } else {
        "inloggen"
    };
    audit_sign_in(
        &state,
        Some(&creds.user),
        &username,
        action,
        Outcome::Allowed,
        ip.clone(),
    )
    .await?;
    if by_email {
        // The code page says what happened (sent, wait, no e-mail possible).
        state.app.send_sign_in_code(&creds.user, ip).await?;
    }
    let next = match (second_step, totp.enabled || by_email) {
        (false, _) => "/",
        (true, true) => "/inloggen/code",
        (true, false) => "/account/tweestap",
    };
    let mut resp = Redirect::to(next).into_response();
    resp.headers_mut().insert(
        header::SET_COOKIE,
        auth::session_cookie(&token, state.config.secure_cookies),
    );
    Ok(resp)
}

/// An argon2id hash of a random password, to verify against for unknown names.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$V3hO2v6o3Ky0gq0Vf7Wm3hq4yVnK2Lr7c0HCSn5XQ0c";

pub async fn logout(State(state): State<AppState>, cu: CurrentUser) -> AppResult<Response> {
    state.db.delete_session(&cu.session_hash).await?;
    let mut resp = Redirect::to("/inloggen").into_response();
    resp.headers_mut().insert(
        header::SET_COOKIE,
        auth::clear_session_cookie(state.config.secure_cookies),
    );
    Ok(resp)
}

#[cfg(test)]
mod tests {
    /// Unknown names cost as much as known ones only if the dummy hash parses and has the
    /// cost of the real hashes.
    #[test]
    fn the_dummy_hash_is_a_real_argon2id_hash_with_the_default_cost() {
        let h = argon2::password_hash::PasswordHash::new(super::DUMMY_HASH).unwrap();
        let p = argon2::Params::try_from(&h).unwrap();
        let d = argon2::Params::default();
        assert_eq!(
            (p.m_cost(), p.t_cost(), p.p_cost()),
            (d.m_cost(), d.t_cost(), d.p_cost())
        );
    }
}
