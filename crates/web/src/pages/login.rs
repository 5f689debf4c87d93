use askama::Template;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use kernteam_domain::access::Scope;
use kernteam_store::care::AuditEntry;

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
}

pub async fn home(cu: Option<CurrentUser>) -> Redirect {
    match cu.map(|c| c.user.role.scope()) {
        None => Redirect::to("/inloggen"),
        Some(Scope::Practice | Scope::Network) => Redirect::to("/patienten"),
        Some(Scope::Region) => Redirect::to("/regio"),
    }
}

pub async fn login_form(cu: Option<CurrentUser>) -> AppResult<Response> {
    if cu.is_some_and(|c| c.second_factor_done) {
        return Ok(Redirect::to("/").into_response());
    }
    render(&LoginPage {
        me: None,
        flash: None,
        error: None,
        username: String::new(),
    })
}

#[derive(serde::Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
}

const WRONG: &str = "Gebruikersnaam of wachtwoord klopt niet.";

pub async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    previous: Option<CurrentUser>,
    Form(form): Form<LoginForm>,
) -> AppResult<Response> {
    let username = form.username.trim().to_string();
    let fail = |msg: String, username: String| -> AppResult<Response> {
        let mut resp = render(&LoginPage {
            me: None,
            flash: None,
            error: Some(msg),
            username,
        })?;
        *resp.status_mut() = axum::http::StatusCode::UNAUTHORIZED;
        Ok(resp)
    };
    if !state.throttle.allow(ip.as_deref()) {
        return fail(
            "Te veel inlogpogingen vanaf dit adres. Wacht vijf minuten en probeer het dan opnieuw.".into(),
            username,
        );
    }
    let Some(creds) = state.db.credentials(&username).await? else {
        // Spend the same time as a real check, so that names cannot be probed by timing.
        let _ = auth::verify_password(form.password, DUMMY_HASH.to_string()).await;
        return fail(WRONG.into(), username);
    };
    let now = chrono::Utc::now();
    if let Some(until) = creds
        .locked_until
        .as_deref()
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
    {
        if until > now {
            let local = until.with_timezone(&chrono::Local).format("%H:%M");
            return fail(
                format!("Dit account is tijdelijk geblokkeerd na te veel mislukte pogingen. Probeer het na {local} opnieuw, of vraag de beheerder om hulp."),
                username,
            );
        }
    }
    if !creds.user.active {
        let _ = auth::verify_password(form.password, DUMMY_HASH.to_string()).await;
        return fail(WRONG.into(), username);
    }
    if !auth::verify_password(form.password, creds.password_hash.clone()).await {
        let lock = (creds.failed_logins + 1 >= auth::MAX_FAILED_LOGINS)
            .then(|| (now + auth::LOCKOUT).format("%Y-%m-%dT%H:%M:%SZ").to_string());
        state.db.record_failed_login(creds.user.id, lock.as_deref()).await?;
        if lock.is_some() {
            return fail(
                "Dit account is nu 15 minuten geblokkeerd na te veel mislukte pogingen.".into(),
                username,
            );
        }
        return fail(WRONG.into(), username);
    }
    state.db.reset_failed_logins(creds.user.id).await?;
    // A new session id at every sign-in; an earlier session of this browser ends.
    if let Some(old) = previous {
        state.db.delete_session(&old.session_hash).await?;
    }
    let totp = state.db.totp_state(creds.user.id).await?;
    let second_step = totp.enabled || crate::two_factor::required(&state, creds.user.role);
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
    state
        .db
        .audit(&AuditEntry {
            user_id: Some(creds.user.id),
            username: creds.user.username.clone(),
            role: creds.user.role.code().into(),
            practice_id: creds.user.practice_id,
            patient_id: None,
            action: "inloggen".into(),
            detail: None,
            ip,
        })
        .await?;
    let next = match (second_step, totp.enabled) {
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
