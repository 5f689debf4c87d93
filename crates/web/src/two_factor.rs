//! Two-factor sign-in: TOTP (RFC 6238, 30-second steps, 6 digits) with one-time recovery
//! codes. Enrolment shows a QR code (SVG, rendered here) and the secret; a code confirms
//! it. Codes are accepted once (the last accepted time step is stored), one step of clock
//! skew either way. Failed codes count towards the account lockout like failed passwords.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use rand::RngCore;
use totp_rs::{Algorithm, Secret, TOTP};

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

/// Whether this user must give a second factor at sign-in.
pub fn required(state: &AppState, role: kernteam_domain::access::Role) -> bool {
    state.config.require_two_factor && role.sees_patient_data()
}

#[derive(Template)]
#[template(path = "two_factor_code.html")]
struct CodePage {
    me: Option<Me>,
    flash: Option<String>,
    csrf: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "two_factor_enrol.html")]
struct EnrolPage {
    me: Option<Me>,
    flash: Option<String>,
    csrf: String,
    error: Option<String>,
    qr_svg: String,
    secret: String,
    required: bool,
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
        return Ok(Redirect::to("/account/tweestap").into_response());
    }
    render(&CodePage {
        me: None,
        flash: None,
        csrf: cu.csrf,
        error: None,
    })
}

#[derive(serde::Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    recovery_code: String,
}

async fn fail_code(state: &AppState, cu: &CurrentUser) -> AppResult<String> {
    let creds = state
        .db
        .credentials(&cu.user.username)
        .await?
        .ok_or(AppError::NotFound)?;
    let lock = (creds.failed_logins + 1 >= auth::MAX_FAILED_LOGINS).then(|| {
        (chrono::Utc::now() + auth::LOCKOUT)
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string()
    });
    state.db.record_failed_login(cu.user.id, lock.as_deref()).await?;
    if lock.is_some() {
        state.db.delete_session(&cu.session_hash).await?;
        return Ok("Te veel onjuiste codes: dit account is nu 15 minuten geblokkeerd.".into());
    }
    Ok("Deze code klopt niet (of is al gebruikt). Probeer de volgende code uit uw app.".into())
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
    let (Some(secret), true) = (st.secret.as_deref(), st.enabled) else {
        return Ok(Redirect::to("/account/tweestap").into_response());
    };
    let ok = if !form.recovery_code.trim().is_empty() {
        state
            .db
            .use_recovery_code(cu.user.id, &recovery_hash(&form.recovery_code))
            .await?
    } else {
        match matching_step(&totp(secret, &cu.user.username)?, &form.code, now_secs()) {
            Some(step) => state.db.accept_totp_step(cu.user.id, step).await?,
            None => false,
        }
    };
    if !ok {
        let error = fail_code(&state, &cu).await?;
        let mut resp = render(&CodePage {
            me: None,
            flash: None,
            csrf: cu.csrf,
            error: Some(error),
        })?;
        *resp.status_mut() = axum::http::StatusCode::UNAUTHORIZED;
        return Ok(resp);
    }
    state.db.reset_failed_logins(cu.user.id).await?;
    state.db.set_second_factor_done(&cu.session_hash).await?;
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

async fn enrol_page(state: &AppState, cu: &CurrentUser, error: Option<String>) -> AppResult<Response> {
    let st = state.db.totp_state(cu.user.id).await?;
    let secret = match st.secret {
        Some(s) if !st.enabled => s,
        _ => {
            let mut bytes = [0u8; 20];
            rand::rng().fill_bytes(&mut bytes);
            let s = Secret::Raw(bytes.to_vec()).to_encoded().to_string();
            state.db.set_pending_totp_secret(cu.user.id, &s).await?;
            s
        }
    };
    let t = totp(&secret, &cu.user.username)?;
    let me = if cu.second_factor_done {
        Some(crate::pages::me(state, cu).await?)
    } else {
        None
    };
    render(&EnrolPage {
        me,
        flash: None,
        csrf: cu.csrf.clone(),
        error,
        qr_svg: qr_svg(&t.get_url())?,
        secret,
        required: required(state, cu.user.role),
    })
}

/// Enrolment: a new secret with its QR code; confirming a code switches TOTP on.
pub async fn enrol_form(State(state): State<AppState>, cu: CurrentUser) -> AppResult<Response> {
    if !cu.second_factor_done && state.db.totp_state(cu.user.id).await?.enabled {
        return Ok(Redirect::to("/inloggen/code").into_response());
    }
    enrol_page(&state, &cu, None).await
}

pub async fn enrol(State(state): State<AppState>, cu: CurrentUser, Form(form): Form<CodeForm>) -> AppResult<Response> {
    let st = state.db.totp_state(cu.user.id).await?;
    if !cu.second_factor_done && st.enabled {
        return Ok(Redirect::to("/inloggen/code").into_response());
    }
    let Some(secret) = st.secret.filter(|_| !st.enabled) else {
        return enrol_page(&state, &cu, Some("Begin opnieuw: scan de nieuwe QR-code.".into())).await;
    };
    let Some(step) = matching_step(&totp(&secret, &cu.user.username)?, &form.code, now_secs()) else {
        let mut resp = enrol_page(
            &state,
            &cu,
            Some(
                "Deze code klopt niet. Controleer of de tijd op uw telefoon goed staat en probeer de volgende code."
                    .into(),
            ),
        )
        .await?;
        *resp.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(resp);
    };
    let codes = new_recovery_codes();
    let hashes: Vec<String> = codes.iter().map(|c| recovery_hash(c)).collect();
    state.db.enable_totp(cu.user.id, step, &hashes).await?;
    state.db.set_second_factor_done(&cu.session_hash).await?;
    let me = crate::pages::me(&state, &cu).await?;
    render(&RecoveryPage {
        me: Some(me),
        flash: Some("Tweestapsverificatie staat aan.".into()),
        codes,
    })
}
