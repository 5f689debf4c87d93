//! The region administrator's pages under `/beheer`: the practices (as the extracts made
//! them), the network organisations and the user accounts. Every handler asks the gate for
//! the `Administrator` token (only [`Role::Beheerder`]; everyone else gets 403, audited);
//! the use cases of `kernteam_app::accounts` check the input and write the audit records.
//!
//! A refused form (invalid input, a name already taken) shows the overview again with
//! the message beside the form and what was typed (never the password), under the status
//! the error policy gives the error (422, 409).

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use kernteam_app::accounts::AccountInput;
use kernteam_app::gate::Administrator;
use kernteam_domain::access::{OrganisationKind, Role, Scope};

use super::{flash, fmt_date, me, render, FlashQuery, Me};
use crate::auth::{check_password_rules, hash_password, CurrentUser, MIN_PASSWORD_CHARS};
use crate::error::{AppError, AppResult};
use crate::AppState;

pub struct PracticeRow {
    pub agb_code: String,
    pub name: String,
    pub extract_date: String,
    pub patients: String,
    pub extracts: usize,
}

pub struct OrganisationRow {
    pub name: String,
    pub kind: &'static str,
    pub active_users: usize,
}

pub struct UserRow {
    pub id: i64,
    pub name: String,
    pub username: String,
    pub role: &'static str,
    pub place: String,
    pub is_admin: bool,
    pub active: bool,
    pub is_self: bool,
}

/// The organisation form as submitted.
#[derive(serde::Deserialize, Default)]
pub struct OrganisationForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
}

/// The new-account form as submitted.
#[derive(serde::Deserialize, Default)]
pub struct UserForm {
    #[serde(flatten)]
    account: AccountInput,
    #[serde(default)]
    password: String,
}

#[derive(serde::Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    password: String,
}

/// Which form a refusal belongs to, so that its message shows beside that form.
#[derive(Clone, Copy)]
enum Section {
    Organisation,
    User,
    Accounts,
}

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminPage {
    me: Option<Me>,
    flash: Option<String>,
    csrf: String,
    practices: Vec<PracticeRow>,
    organisations: Vec<OrganisationRow>,
    users: Vec<UserRow>,
    kinds: Vec<(&'static str, &'static str)>,
    role_groups: Vec<(&'static str, Vec<(&'static str, &'static str)>)>,
    practice_options: Vec<(String, String)>,
    organisation_options: Vec<(String, String)>,
    org_form: OrganisationForm,
    user_form: UserForm,
    org_errors: Vec<String>,
    user_errors: Vec<String>,
    account_errors: Vec<String>,
    min_password: usize,
}

/// `1234567` as `1.234.567`.
pub fn fmt_count(n: u64) -> String {
    let digits = n.to_string();
    let mut groups: Vec<&str> = Vec::new();
    let mut end = digits.len();
    while end > 3 {
        groups.push(&digits[end - 3..end]);
        end -= 3;
    }
    groups.push(&digits[..end]);
    groups.reverse();
    groups.join(".")
}

async fn overview(
    state: &AppState,
    cu: &CurrentUser,
    admin: &Administrator,
    flash: Option<String>,
    org_form: OrganisationForm,
    user_form: UserForm,
) -> AppResult<AdminPage> {
    let o = state.app.admin_overview(admin).await?;
    let (practices, organisations, users) = (o.practices, o.organisations, o.users);
    // Snapshots come by AGB code and date: the last one per practice is its latest.
    let mut latest = HashMap::new();
    let mut counts: HashMap<i64, usize> = HashMap::new();
    for s in o.snapshots {
        *counts.entry(s.practice_id).or_default() += 1;
        latest.insert(s.practice_id, (s.extract_date, s.rows.patients));
    }
    let practice_names: HashMap<i64, &str> = practices.iter().map(|p| (p.id, p.name.as_str())).collect();
    let organisation_names: HashMap<i64, &str> = organisations.iter().map(|o| (o.id, o.name.as_str())).collect();
    let place = |practice: Option<i64>, organisation: Option<i64>| -> String {
        match (practice, organisation) {
            (Some(p), _) => practice_names.get(&p).map_or_else(String::new, |n| n.to_string()),
            (_, Some(o)) => organisation_names.get(&o).map_or_else(String::new, |n| n.to_string()),
            _ => "Regio".to_string(),
        }
    };
    let role_groups = [
        (Scope::Practice, "Praktijk"),
        (Scope::Network, "Netwerk"),
        (Scope::Region, "Regio"),
    ]
    .into_iter()
    .map(|(scope, label)| {
        (
            label,
            Role::ALL
                .into_iter()
                .filter(|r| r.scope() == scope)
                .map(|r| (r.code(), r.label()))
                .collect(),
        )
    })
    .collect();
    Ok(AdminPage {
        me: Some(me(state, cu).await?),
        flash,
        csrf: cu.csrf.clone(),
        practices: practices
            .iter()
            .map(|p| {
                let l = latest.get(&p.id);
                PracticeRow {
                    agb_code: p.agb_code.clone(),
                    name: p.name.clone(),
                    extract_date: l.map_or_else(|| "—".to_string(), |(d, _)| fmt_date(*d)),
                    patients: l.map_or_else(|| "—".to_string(), |(_, n)| fmt_count(*n)),
                    extracts: counts.get(&p.id).copied().unwrap_or(0),
                }
            })
            .collect(),
        organisations: organisations
            .iter()
            .map(|o| OrganisationRow {
                name: o.name.clone(),
                kind: o.kind.label(),
                active_users: users
                    .iter()
                    .filter(|u| u.active && u.organisation_id == Some(o.id))
                    .count(),
            })
            .collect(),
        users: users
            .iter()
            .map(|u| UserRow {
                id: u.id,
                name: u.display_name.clone(),
                username: u.username.clone(),
                role: u.role.label(),
                place: place(u.practice_id, u.organisation_id),
                is_admin: u.is_admin,
                active: u.active,
                is_self: u.id == cu.user.id,
            })
            .collect(),
        kinds: OrganisationKind::ALL.iter().map(|k| (k.code(), k.label())).collect(),
        role_groups,
        practice_options: practices
            .iter()
            .map(|p| (p.id.to_string(), format!("{} ({})", p.name, p.agb_code)))
            .collect(),
        organisation_options: organisations
            .iter()
            .map(|o| (o.id.to_string(), format!("{} ({})", o.name, o.kind.label())))
            .collect(),
        org_form,
        user_form,
        org_errors: Vec::new(),
        user_errors: Vec::new(),
        account_errors: Vec::new(),
        min_password: MIN_PASSWORD_CHARS,
    })
}

/// GET /beheer
pub async fn admin(State(state): State<AppState>, cu: CurrentUser, Query(q): Query<FlashQuery>) -> AppResult<Response> {
    let admin = state.app.administrator(&cu.actor()).await?;
    let page = overview(
        &state,
        &cu,
        &admin,
        flash(q.melding.as_deref()),
        OrganisationForm::default(),
        UserForm::default(),
    )
    .await?;
    render(&page)
}

/// The overview again with the refusal beside its form; other errors pass on.
async fn refused(
    state: &AppState,
    cu: &CurrentUser,
    admin: &Administrator,
    err: AppError,
    section: Section,
    org_form: OrganisationForm,
    mut user_form: UserForm,
) -> AppResult<Response> {
    let (status, messages) = match err {
        AppError::Invalid(messages) => (StatusCode::UNPROCESSABLE_ENTITY, messages),
        AppError::Conflict(message) => (StatusCode::CONFLICT, vec![message]),
        other => return Err(other),
    };
    user_form.password.clear();
    let mut page = overview(state, cu, admin, None, org_form, user_form).await?;
    match section {
        Section::Organisation => page.org_errors = messages,
        Section::User => page.user_errors = messages,
        Section::Accounts => page.account_errors = messages,
    }
    let mut resp = render(&page)?;
    *resp.status_mut() = status;
    Ok(resp)
}

/// POST /beheer/organisaties
pub async fn create_organisation(
    State(state): State<AppState>,
    cu: CurrentUser,
    Form(form): Form<OrganisationForm>,
) -> AppResult<Response> {
    let admin = state.app.administrator(&cu.actor()).await?;
    match state.app.create_organisation(&admin, &form.kind, &form.name).await {
        Ok(_) => Ok(Redirect::to("/beheer?melding=organisatie").into_response()),
        Err(e) => {
            refused(
                &state,
                &cu,
                &admin,
                e.into(),
                Section::Organisation,
                form,
                UserForm::default(),
            )
            .await
        }
    }
}

/// POST /beheer/gebruikers
pub async fn create_user(
    State(state): State<AppState>,
    cu: CurrentUser,
    Form(form): Form<UserForm>,
) -> AppResult<Response> {
    let admin = state.app.administrator(&cu.actor()).await?;
    match add_user(&state, &admin, &form).await {
        Ok(()) => Ok(Redirect::to("/beheer?melding=gebruiker").into_response()),
        Err(e) => refused(&state, &cu, &admin, e, Section::User, OrganisationForm::default(), form).await,
    }
}

async fn add_user(state: &AppState, admin: &Administrator, form: &UserForm) -> AppResult<()> {
    let password_problem = check_password_rules(&form.password).err();
    let valid = state.app.check_account(admin, &form.account, password_problem).await?;
    let password_hash = hash_password(form.password.clone()).await?;
    state.app.create_account(admin, valid, password_hash).await?;
    Ok(())
}

/// POST /beheer/gebruikers/{id}/blokkeren
pub async fn block_user(State(state): State<AppState>, cu: CurrentUser, Path(id): Path<i64>) -> AppResult<Response> {
    set_active(state, cu, id, false).await
}

/// POST /beheer/gebruikers/{id}/deblokkeren
pub async fn unblock_user(State(state): State<AppState>, cu: CurrentUser, Path(id): Path<i64>) -> AppResult<Response> {
    set_active(state, cu, id, true).await
}

async fn set_active(state: AppState, cu: CurrentUser, id: i64, active: bool) -> AppResult<Response> {
    let admin = state.app.administrator(&cu.actor()).await?;
    // Blocking also ends the user's sessions (in the store).
    match state.app.set_account_active(&admin, id, active).await {
        Ok(_) => {
            let code = if active { "gedeblokkeerd" } else { "geblokkeerd" };
            Ok(Redirect::to(&format!("/beheer?melding={code}")).into_response())
        }
        Err(e) => {
            let (org, user) = (OrganisationForm::default(), UserForm::default());
            refused(&state, &cu, &admin, e.into(), Section::Accounts, org, user).await
        }
    }
}

/// POST /beheer/gebruikers/{id}/tweestap-herstellen: switches a user's second factor off
/// (lost phone, no recovery codes left); they enrol again at their next sign-in. Their
/// sessions end.
pub async fn reset_two_factor(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let admin = state.app.administrator(&cu.actor()).await?;
    state.app.reset_two_factor(&admin, id).await?;
    Ok(Redirect::to("/beheer?melding=tweestap").into_response())
}

/// POST /beheer/gebruikers/{id}/wachtwoord
pub async fn set_password(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<PasswordForm>,
) -> AppResult<Response> {
    let admin = state.app.administrator(&cu.actor()).await?;
    let user = state.app.account(&admin, id).await?;
    if let Err(m) = check_password_rules(&form.password) {
        let e = AppError::invalid(format!("Nieuw wachtwoord voor {}: {m}", user.display_name));
        let (org, user) = (OrganisationForm::default(), UserForm::default());
        return refused(&state, &cu, &admin, e, Section::Accounts, org, user).await;
    }
    let hash = hash_password(form.password).await?;
    state.app.set_password(&admin, &user, &hash).await?;
    Ok(Redirect::to("/beheer?melding=wachtwoord").into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(fmt_count(0), "0");
        assert_eq!(fmt_count(123), "123");
        assert_eq!(fmt_count(1234), "1.234");
        assert_eq!(fmt_count(1_234_567), "1.234.567");
    }
}
