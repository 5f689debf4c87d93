//! The region administrator's pages under `/beheer`: the practices (as the extracts made
//! them), the network organisations and the user accounts. Only [`Role::Beheerder`] may
//! use them; everyone else gets 403.
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
use kernteam_domain::access::{OrganisationKind, Role, Scope};
use kernteam_store::people::NewUser;
use kernteam_store::StoreError;

use super::{flash, fmt_date, me, render, FlashQuery, Me};
use crate::auth::{check_password_rules, hash_password, CurrentUser, MIN_PASSWORD_CHARS};
use crate::error::{AppError, AppResult};
use crate::patients::audit;
use crate::AppState;

/// Longest organisation or display name, in characters.
pub const NAME_MAX_CHARS: usize = 200;
/// Longest username, in characters.
pub const USERNAME_MAX_CHARS: usize = 100;

fn require_admin(cu: &CurrentUser) -> AppResult<()> {
    if cu.user.role == Role::Beheerder {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

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
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    practice: String,
    #[serde(default)]
    organisation: String,
    is_admin: Option<String>,
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
    flash: Option<String>,
    org_form: OrganisationForm,
    user_form: UserForm,
) -> AppResult<AdminPage> {
    let practices = state.db.practices().await?;
    let organisations = state.db.organisations().await?;
    let users = state.db.users().await?;
    // Snapshots come by AGB code and date: the last one per practice is its latest.
    let mut latest = HashMap::new();
    let mut counts: HashMap<i64, usize> = HashMap::new();
    for s in state.db.snapshots().await? {
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
    require_admin(&cu)?;
    let page = overview(
        &state,
        &cu,
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
    let mut page = overview(state, cu, None, org_form, user_form).await?;
    match section {
        Section::Organisation => page.org_errors = messages,
        Section::User => page.user_errors = messages,
        Section::Accounts => page.account_errors = messages,
    }
    let mut resp = render(&page)?;
    *resp.status_mut() = status;
    Ok(resp)
}

/// Checks a required name: trimmed, 1 to `max` characters, no control characters.
fn check_name(value: &str, what: &str, max: usize, problems: &mut Vec<String>) {
    let n = value.chars().count();
    if n == 0 {
        problems.push(format!("Vul {what} in."));
    } else if n > max {
        problems.push(format!("{} mag hoogstens {max} tekens lang zijn.", capitalise(what)));
    } else if value.chars().any(char::is_control) {
        problems.push(format!("{} bevat een ongeldig teken.", capitalise(what)));
    }
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// POST /beheer/organisaties
pub async fn create_organisation(
    State(state): State<AppState>,
    cu: CurrentUser,
    Form(form): Form<OrganisationForm>,
) -> AppResult<Response> {
    require_admin(&cu)?;
    match add_organisation(&state, &cu, &form).await {
        Ok(()) => Ok(Redirect::to("/beheer?melding=organisatie").into_response()),
        Err(e) => refused(&state, &cu, e, Section::Organisation, form, UserForm::default()).await,
    }
}

async fn add_organisation(state: &AppState, cu: &CurrentUser, form: &OrganisationForm) -> AppResult<()> {
    let mut problems = Vec::new();
    let kind = OrganisationKind::from_code(form.kind.trim());
    if kind.is_none() {
        problems.push("Kies de soort organisatie.".to_string());
    }
    let name = form.name.trim();
    check_name(name, "de naam van de organisatie", NAME_MAX_CHARS, &mut problems);
    let Some(kind) = kind.filter(|_| problems.is_empty()) else {
        return Err(AppError::Invalid(problems));
    };
    state.db.create_organisation(kind, name).await?;
    audit(
        state,
        cu,
        None,
        "organisatie toegevoegd",
        Some(format!("{name} ({})", kind.label())),
    )
    .await
}

/// An id chosen in a select: `None` when nothing was chosen, an error when it is no number.
fn chosen_id(value: &str, problem: &str, problems: &mut Vec<String>) -> Option<i64> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    match value.parse() {
        Ok(id) => Some(id),
        Err(_) => {
            problems.push(problem.to_string());
            None
        }
    }
}

/// POST /beheer/gebruikers
pub async fn create_user(
    State(state): State<AppState>,
    cu: CurrentUser,
    Form(form): Form<UserForm>,
) -> AppResult<Response> {
    require_admin(&cu)?;
    match add_user(&state, &cu, &form).await {
        Ok(()) => Ok(Redirect::to("/beheer?melding=gebruiker").into_response()),
        Err(e) => refused(&state, &cu, e, Section::User, OrganisationForm::default(), form).await,
    }
}

async fn add_user(state: &AppState, cu: &CurrentUser, form: &UserForm) -> AppResult<()> {
    const PICK_PRACTICE: &str = "Kies een praktijk uit de lijst.";
    const PICK_ORGANISATION: &str = "Kies een organisatie uit de lijst.";
    let mut problems = Vec::new();
    let username = form.username.trim();
    check_name(username, "een gebruikersnaam", USERNAME_MAX_CHARS, &mut problems);
    if username.chars().any(char::is_whitespace) {
        problems.push("Een gebruikersnaam bevat geen spaties.".to_string());
    }
    let display_name = form.display_name.trim();
    check_name(display_name, "de naam", NAME_MAX_CHARS, &mut problems);
    let role = Role::from_code(form.role.trim());
    if role.is_none() {
        problems.push("Kies een rol.".to_string());
    }
    let practice = chosen_id(&form.practice, PICK_PRACTICE, &mut problems);
    let organisation = chosen_id(&form.organisation, PICK_ORGANISATION, &mut problems);
    // The same combinations as `kernteam user add`: practice staff belong to a practice,
    // network professionals to an organisation, regional staff to neither.
    let mut practice_id = None;
    let mut organisation_id = None;
    if let Some(role) = role {
        match (role.scope(), practice) {
            (Scope::Practice, Some(id)) => match state.db.practice(id).await {
                Ok(p) => practice_id = Some(p.id),
                Err(StoreError::NotFound) => problems.push(PICK_PRACTICE.to_string()),
                Err(e) => return Err(e.into()),
            },
            (Scope::Practice, None) => {
                problems.push("Praktijkmedewerkers horen bij een praktijk: kies de praktijk.".to_string())
            }
            (_, Some(_)) => problems.push(
                "Een praktijk kiest u alleen bij praktijkmedewerkers; laat 'Praktijk' leeg voor deze rol.".to_string(),
            ),
            _ => {}
        }
        match (role.scope(), organisation) {
            (Scope::Network, Some(id)) => match state.db.organisation(id).await {
                Ok(o) => organisation_id = Some(o.id),
                Err(StoreError::NotFound) => problems.push(PICK_ORGANISATION.to_string()),
                Err(e) => return Err(e.into()),
            },
            (Scope::Network, None) => {
                problems.push("Netwerkprofessionals horen bij een organisatie: kies de organisatie.".to_string())
            }
            (_, Some(_)) => problems.push(
                "Een organisatie kiest u alleen bij netwerkprofessionals; laat 'Organisatie' leeg voor deze rol."
                    .to_string(),
            ),
            _ => {}
        }
    }
    if let Err(m) = check_password_rules(&form.password) {
        problems.push(m);
    }
    let Some(role) = role.filter(|_| problems.is_empty()) else {
        return Err(AppError::Invalid(problems));
    };
    let password_hash = hash_password(form.password.clone()).await?;
    state
        .db
        .create_user(&NewUser {
            username: username.to_string(),
            display_name: display_name.to_string(),
            role,
            practice_id,
            organisation_id,
            password_hash,
            is_admin: form.is_admin.is_some(),
        })
        .await?;
    audit(
        state,
        cu,
        None,
        "account aangemaakt",
        Some(format!("{username} ({})", role.label())),
    )
    .await
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
    require_admin(&cu)?;
    let user = state.db.user(id).await?;
    if !active && user.id == cu.user.id {
        let e = AppError::invalid("U kunt uw eigen account niet blokkeren; vraag dat zo nodig een andere beheerder.");
        return refused(
            &state,
            &cu,
            e,
            Section::Accounts,
            OrganisationForm::default(),
            UserForm::default(),
        )
        .await;
    }
    // Blocking also ends the user's sessions (in the store).
    state.db.set_user_active(id, active).await?;
    let (action, code) = if active {
        ("account gedeblokkeerd", "gedeblokkeerd")
    } else {
        ("account geblokkeerd", "geblokkeerd")
    };
    audit(&state, &cu, None, action, Some(user.username)).await?;
    Ok(Redirect::to(&format!("/beheer?melding={code}")).into_response())
}

/// POST /beheer/gebruikers/{id}/tweestap-herstellen: switches a user's second factor off
/// (lost phone, no recovery codes left); they enrol again at their next sign-in. Their
/// sessions end.
pub async fn reset_two_factor(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    require_admin(&cu)?;
    let user = state.db.user(id).await?;
    state.db.reset_totp(user.id).await?;
    audit(&state, &cu, None, "tweestapsverificatie hersteld", Some(user.username)).await?;
    Ok(Redirect::to("/beheer?melding=tweestap").into_response())
}

/// POST /beheer/gebruikers/{id}/wachtwoord
pub async fn set_password(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<PasswordForm>,
) -> AppResult<Response> {
    require_admin(&cu)?;
    let user = state.db.user(id).await?;
    if let Err(m) = check_password_rules(&form.password) {
        let e = AppError::invalid(format!("Nieuw wachtwoord voor {}: {m}", user.display_name));
        return refused(
            &state,
            &cu,
            e,
            Section::Accounts,
            OrganisationForm::default(),
            UserForm::default(),
        )
        .await;
    }
    let hash = hash_password(form.password).await?;
    state.db.set_password_hash(id, &hash).await?;
    audit(&state, &cu, None, "wachtwoord opnieuw ingesteld", Some(user.username)).await?;
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

    #[test]
    fn names_are_checked() {
        let mut p = Vec::new();
        check_name("", "de naam", 5, &mut p);
        check_name("abcdef", "de naam", 5, &mut p);
        check_name("ab\u{7}", "de naam", 5, &mut p);
        check_name("abcde", "de naam", 5, &mut p);
        assert_eq!(
            p,
            [
                "Vul de naam in.",
                "De naam mag hoogstens 5 tekens lang zijn.",
                "De naam bevat een ongeldig teken."
            ]
        );
    }
}
