//! Two-factor sign-in: TOTP (RFC 6238, 30-second steps, 6 digits) with one-time recovery
//! codes. Enrolment shows a QR code (SVG, rendered here) and the secret; a code confirms
//! it. Codes are accepted once (the last accepted time step is stored), one step of clock
//! skew either way. Wrong codes are counted per account, apart from wrong passwords (a
//! correct password does not reset them), lock the account with a doubling lock, and a
//! locked account cannot finish signing in. Viewing the enrolment page changes nothing;
//! a new authenticator needs the current code first (or an administrator's audited reset).

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use rand::RngCore;
use totp_rs::{Algorithm, Secret, TOTP};

use kernteam_store::audit::Outcome;

use crate::auth::{self, CurrentUser};
use crate::error::{AppError, AppResult};
use crate::pages::{render, Me};
use crate::AppState;

pub const RECOVERY_CODES: usize = 10;
const STEP: u64 = 30;

fn totp(secret_b32: &str, username: &str) -> AppResult<TOTP> {
    let bytes = Secret::Encoded(secret_b32.to_string())
        .to_bytes()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("stored TOTP secret unreadable: {e:?}")))?;
    TOTP::new(
        Algorithm::SHA1,
        6,
        1,
        STEP,
        bytes,
        Some("Kernteam".into()),
        username.to_string(),
    )
    .map_err(|e| AppError::Internal(anyhow::anyhow!("TOTP: {e:?}")))
}

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The time step whose code matches, allowing one step of skew; `None` when none does.
pub fn matching_step(t: &TOTP, code: &str, now: u64) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    [now.saturating_sub(STEP), now, now + STEP]
        .into_iter()
        .find(|at| t.generate(*at) == code)
        .map(|at| (at / STEP) as i64)
}

/// Ten recovery codes like `k7qm-x2df-9hce` (no look-alike characters).
pub fn new_recovery_codes() -> Vec<String> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rng();
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut bytes = [0u8; 12];
            rng.fill_bytes(&mut bytes);
            let chars: Vec<char> = bytes
                .iter()
                .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
                .collect();
            format!(
                "{}-{}-{}",
                chars[0..4].iter().collect::<String>(),
                chars[4..8].iter().collect::<String>(),
                chars[8..12].iter().collect::<String>()
            )
        })
        .collect()
}

/// Recovery codes are stored hashed, normalised (lower case, no dashes or spaces).
pub fn recovery_hash(code: &str) -> String {
    let normal: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    auth::token_hash(&normal)
}

/// Whether this user must give a second factor at sign-in: everyone who sees patient data
/// (the portal's patients and mantelzorgers too), and administrators (who can reset others'
/// passwords and second factors).
pub fn required(state: &AppState, user: &kernteam_store::people::User) -> bool {
    let admin = user.role == kernteam_domain::access::Role::Beheerder || user.is_admin;
    state.config.require_two_factor && (user.role.sees_patient_data() || user.role.is_portal() || admin)
}

#[derive(Template)]
#[template(path = "two_factor_code.html")]
pub(crate) struct CodePage {
    pub me: Option<Me>,
    pub flash: Option<String>,
    pub csrf: String,
    pub error: Option<String>,
    /// Sign-in by e-mailed code: the (masked) address, or "" when e-mail cannot be sent.
    pub email: Option<String>,
}

#[derive(Template)]
#[template(path = "two_factor_enrol.html")]
pub(crate) struct EnrolPage {
    me: Option<Me>,
    flash: Option<String>,
    csrf: String,
    error: Option<String>,
    /// The new secret's QR code and text, once a new enrolment has started.
    qr_svg: Option<String>,
    secret: String,
    required: bool,
    /// TOTP is on: starting again needs the current code.
    enabled: bool,
    /// A patient's or mantelzorger's account: the page explains itself in plain Dutch.
    portal: bool,
    /// Sign-in by e-mailed code can be chosen instead: the (masked) address.
    email_option: Option<String>,
    /// A code was just sent to confirm sign-in by e-mail.
    email_sent: bool,
    /// Sign-in by e-mailed code is the second factor.
    email_on: bool,
}

#[derive(Template)]
#[template(path = "recovery_codes.html")]
struct RecoveryPage {
    me: Option<Me>,
    flash: Option<String>,
    codes: Vec<String>,
}

/// The page asking for the code, after the password.
pub async fn code_form(State(state): State<AppState>, cu: CurrentUser) -> AppResult<Response> {
    if cu.second_factor_done {
        return Ok(Redirect::to("/").into_response());
    }
    if !state.db.totp_state(cu.user.id).await?.enabled {
        if state.app.uses_email_sign_in(&cu.user).await? {
            return crate::two_factor_email::code_page(&state, &cu, None, None, axum::http::StatusCode::OK).await;
        }
        return Ok(Redirect::to("/account/tweestap").into_response());
    }
    render(&CodePage {
        me: None,
        flash: None,
        csrf: cu.csrf,
        error: None,
        email: None,
    })
}

#[derive(serde::Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    pub(crate) code: String,
    #[serde(default)]
    recovery_code: String,
}

/// A wrong code: counted, audited, and after [`auth::MAX_FAILURES`] the account is locked
/// (its sessions end). The message to show.
pub(crate) async fn fail_code(state: &AppState, cu: &CurrentUser, action: &str) -> AppResult<String> {
    let failures = state.db.record_failed_code(cu.user.id).await?;
    let ip = cu.ip.clone();
    let user = Some(&cu.user);
    crate::pages::audit_sign_in(
        state,
        user,
        "",
        &format!("{action} geweigerd: onjuiste code"),
        Outcome::Refused,
        ip.clone(),
    )
    .await?;
    if let Some(lock) = auth::backoff(failures, auth::CODE_LOCKOUT) {
        let until = auth::timestamp(chrono::Utc::now() + lock);
        state.db.lock_account(cu.user.id, &until).await?;
        let action = format!("account geblokkeerd tot {until} na {failures} onjuiste codes");
        crate::pages::audit_sign_in(state, user, "", &action, Outcome::Refused, ip).await?;
        return Ok(LOCKED.into());
    }
    Ok("Deze code klopt niet (of is al gebruikt). Probeer de volgende code uit uw app.".into())
}

pub(crate) const LOCKED: &str = "Te veel onjuiste codes: dit account is tijdelijk geblokkeerd. Probeer het later opnieuw, of vraag de beheerder om hulp.";

/// Whether a code (or, for sign-in, a recovery code) is right for the active secret.
async fn code_is_right(
    state: &AppState,
    cu: &CurrentUser,
    secret: &str,
    form: &CodeForm,
    recovery: bool,
) -> AppResult<bool> {
    if recovery && !form.recovery_code.trim().is_empty() {
        return Ok(state
            .db
            .use_recovery_code(cu.user.id, &recovery_hash(&form.recovery_code))
            .await?);
    }
    Ok(
        match matching_step(&totp(secret, &cu.user.username)?, &form.code, now_secs()) {
            Some(step) => state.db.accept_totp_step(cu.user.id, step).await?,
            None => false,
        },
    )
}

fn code_page(cu: &CurrentUser, error: String) -> AppResult<Response> {
    let mut resp = render(&CodePage {
        me: None,
        flash: None,
        csrf: cu.csrf.clone(),
        error: Some(error),
        email: None,
    })?;
    *resp.status_mut() = axum::http::StatusCode::UNAUTHORIZED;
    Ok(resp)
}

pub async fn submit_code(
    State(state): State<AppState>,
    cu: CurrentUser,
    Form(form): Form<CodeForm>,
) -> AppResult<Response> {
    if cu.second_factor_done {
        return Ok(Redirect::to("/").into_response());
    }
    let st = state.db.totp_state(cu.user.id).await?;
    if auth::still_locked(st.locked_until.as_deref()) {
        // A half-signed-in session does not finish while the account is locked.
        state.db.delete_session(&cu.session_hash).await?;
        let action = "tweede stap geweigerd: account geblokkeerd";
        crate::pages::audit_sign_in(&state, Some(&cu.user), "", action, Outcome::Refused, cu.ip.clone()).await?;
        return code_page(&cu, LOCKED.into());
    }
    if !st.enabled && state.app.uses_email_sign_in(&cu.user).await? {
        if !state.app.check_sign_in_code(&cu.user, &form.code).await? {
            let error = crate::two_factor_email::wrong_code(&state, &cu, "tweede stap (code per e-mail)").await?;
            let status = axum::http::StatusCode::UNAUTHORIZED;
            return crate::two_factor_email::code_page(&state, &cu, Some(error), None, status).await;
        }
        return finish_sign_in(&state, &cu, "inloggen: code per e-mail juist").await;
    }
    let (Some(secret), true) = (st.secret.as_deref(), st.enabled) else {
        return Ok(Redirect::to("/account/tweestap").into_response());
    };
    if !code_is_right(&state, &cu, secret, &form, true).await? {
        let error = fail_code(&state, &cu, "tweede stap").await?;
        return code_page(&cu, error);
    }
    finish_sign_in(&state, &cu, "inloggen: tweede stap juist").await
}

/// The second factor was right: the session is signed in (audited).
pub(crate) async fn finish_sign_in(state: &AppState, cu: &CurrentUser, action: &str) -> AppResult<Response> {
    state.db.reset_failed_codes(cu.user.id).await?;
    state.db.set_second_factor_done(&cu.session_hash).await?;
    crate::pages::audit_sign_in(state, Some(&cu.user), "", action, Outcome::Allowed, cu.ip.clone()).await?;
    Ok(Redirect::to("/").into_response())
}

fn qr_svg(url: &str) -> AppResult<String> {
    let code = qrcode::QrCode::new(url.as_bytes()).map_err(|e| AppError::Internal(anyhow::anyhow!("QR: {e}")))?;
    Ok(code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .dark_color(qrcode::render::svg::Color("#000000"))
        .light_color(qrcode::render::svg::Color("#ffffff"))
        .build())
}

/// The enrolment page. It shows a new secret only when given one: never on a plain GET
/// while TOTP is on (the pending secret would let a stolen session enrol its own app).
pub(crate) async fn enrol_page(
    state: &AppState,
    cu: &CurrentUser,
    show: Option<&str>,
    error: Option<String>,
    status: axum::http::StatusCode,
) -> AppResult<Response> {
    enrol_page_with(state, cu, show, error, status, false, None).await
}

/// The enrolment page; `email_sent`: a code to confirm sign-in by e-mail was just sent.
pub(crate) async fn enrol_page_with(
    state: &AppState,
    cu: &CurrentUser,
    show: Option<&str>,
    error: Option<String>,
    status: axum::http::StatusCode,
    email_sent: bool,
    note: Option<String>,
) -> AppResult<Response> {
    let enabled = state.db.totp_state(cu.user.id).await?.enabled;
    let email_on = state.app.uses_email_sign_in(&cu.user).await?;
    // Chosen instead of an app, never beside or over one (that would need the app's code).
    let email_option = if enabled || email_on {
        None
    } else {
        state.app.email_sign_in_address(&cu.user).await?
    };
    let qr_svg = show
        .map(|secret| qr_svg(&totp(secret, &cu.user.username)?.get_url()))
        .transpose()?;
    let me = if cu.second_factor_done {
        Some(crate::pages::me(state, cu).await?)
    } else {
        None
    };
    let mut resp = render(&EnrolPage {
        me,
        flash: note,
        csrf: cu.csrf.clone(),
        error,
        qr_svg,
        secret: show.unwrap_or_default().to_string(),
        required: required(state, &cu.user),
        enabled,
        portal: cu.user.role.is_portal(),
        email_option,
        email_sent,
        email_on,
    })?;
    *resp.status_mut() = status;
    Ok(resp)
}

/// The enrolment page: read-only. Without TOTP it shows the enrolment in progress (or a
/// button to start one); with TOTP on, a form to start again with the current code.
pub async fn enrol_form(State(state): State<AppState>, cu: CurrentUser) -> AppResult<Response> {
    let st = state.db.totp_state(cu.user.id).await?;
    if !cu.second_factor_done && (st.enabled || state.app.uses_email_sign_in(&cu.user).await?) {
        return Ok(Redirect::to("/inloggen/code").into_response());
    }
    let show = st.pending.as_deref().filter(|_| !st.enabled);
    enrol_page(&state, &cu, show, None, axum::http::StatusCode::OK).await
}

/// Starts an enrolment: a new pending secret. With TOTP on, only with the current code; the
/// active secret stays in force until the new one is confirmed.
pub async fn start_enrol(
    State(state): State<AppState>,
    cu: CurrentUser,
    Form(form): Form<CodeForm>,
) -> AppResult<Response> {
    let st = state.db.totp_state(cu.user.id).await?;
    if !cu.second_factor_done && st.enabled {
        return Ok(Redirect::to("/inloggen/code").into_response());
    }
    // Signing in by e-mailed code: an app replaces it only after the practice's reset.
    if state.app.uses_email_sign_in(&cu.user).await? {
        return Ok(Redirect::to("/account/tweestap").into_response());
    }
    if st.enabled {
        let secret = st.secret.as_deref().unwrap_or_default();
        if auth::still_locked(st.locked_until.as_deref()) || !code_is_right(&state, &cu, secret, &form, false).await? {
            let error = fail_code(&state, &cu, "nieuwe authenticator").await?;
            return enrol_page(&state, &cu, None, Some(error), axum::http::StatusCode::UNAUTHORIZED).await;
        }
    }
    let mut bytes = [0u8; 20];
    rand::rng().fill_bytes(&mut bytes);
    let secret = Secret::Raw(bytes.to_vec()).to_encoded().to_string();
    state.db.set_pending_totp_secret(cu.user.id, &secret).await?;
    enrol_page(&state, &cu, Some(&secret), None, axum::http::StatusCode::OK).await
}

/// Confirms the pending secret with a code from it: TOTP is on with the new secret.
pub async fn enrol(State(state): State<AppState>, cu: CurrentUser, Form(form): Form<CodeForm>) -> AppResult<Response> {
    let st = state.db.totp_state(cu.user.id).await?;
    if !cu.second_factor_done && st.enabled {
        return Ok(Redirect::to("/inloggen/code").into_response());
    }
    if state.app.uses_email_sign_in(&cu.user).await? {
        return Ok(Redirect::to("/account/tweestap").into_response());
    }
    let unprocessable = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    let Some(secret) = st.pending else {
        let error = "Begin opnieuw: start het instellen en scan de nieuwe QR-code.".to_string();
        return enrol_page(&state, &cu, None, Some(error), unprocessable).await;
    };
    let Some(step) = matching_step(&totp(&secret, &cu.user.username)?, &form.code, now_secs()) else {
        let error =
            "Deze code klopt niet. Controleer of de tijd op uw telefoon goed staat en probeer de volgende code.";
        // While TOTP is on, the new secret is shown only right after the current code.
        let show = Some(secret.as_str()).filter(|_| !st.enabled);
        return enrol_page(&state, &cu, show, Some(error.into()), unprocessable).await;
    };
    let codes = new_recovery_codes();
    let hashes: Vec<String> = codes.iter().map(|c| recovery_hash(c)).collect();
    state.db.enable_totp(cu.user.id, &secret, step, &hashes).await?;
    state.db.set_second_factor_done(&cu.session_hash).await?;
    let action = if st.enabled {
        "tweestapsverificatie: nieuwe authenticator ingesteld"
    } else {
        "tweestapsverificatie ingesteld"
    };
    crate::pages::audit_sign_in(&state, Some(&cu.user), "", action, Outcome::Allowed, cu.ip.clone()).await?;
    let me = crate::pages::me(&state, &cu).await?;
    render(&RecoveryPage {
        me: Some(me),
        flash: Some("Tweestapsverificatie staat aan.".into()),
        codes,
    })
}
