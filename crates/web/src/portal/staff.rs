//! The staff's side of the portal: a patient's accounts, invitations (the printed letter
//! with the code), proposals and mantelzorgers' load; the messages about a patient; the
//! professional's notifications.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use kernteam_app::messages::NewMessage;
use kernteam_app::Action;
use kernteam_domain::access::Role;
use kernteam_domain::portal::{ConsentLevel, PortalKind};

use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::pages::banner::Banner;
use crate::pages::{fmt_date, fmt_timestamp, me, render, FlashQuery, Me};
use crate::AppState;

pub fn routes() -> Vec<crate::PageRoute> {
    crate::page_table![
        "/patienten/{id}/portaal" => get(overview),
        "/patienten/{id}/portaal/uitnodigen" => post(invite),
        "/patienten/{id}/portaal/uitnodigingen/{invitation}/intrekken" => post(withdraw),
        "/patienten/{id}/portaal/accounts/{account}/beeindigen" => post(end_account),
        "/patienten/{id}/portaal/accounts/{account}/tweestap-herstellen" => post(crate::portal::account_care::reset_second_factor),
        "/patienten/{id}/portaal/accounts/{account}/blokkeren" => post(crate::portal::account_care::block),
        "/patienten/{id}/portaal/accounts/{account}/deblokkeren" => post(crate::portal::account_care::unblock),
        "/patienten/{id}/portaal/voorstellen/{proposal}/verwerkt" => post(take_proposal),
        "/patienten/{id}/berichten" => get(threads).post(new_thread),
        "/patienten/{id}/berichten/{thread}" => get(thread).post(reply),
        "/meldingen" => get(notifications),
    ]
}

pub struct AccountRow {
    pub id: i64,
    pub name: String,
    pub kind: &'static str,
    pub since: String,
    pub sees: &'static str,
    pub ended: String,
    /// Signs in now (not ended, not blocked, not waiting for a reset's letter).
    pub active: bool,
    /// Closed after a reset, until the new letter is used.
    pub waiting_for_letter: bool,
    pub email: bool,
}

pub struct InvitationRow {
    pub id: i64,
    pub who: String,
    pub at: String,
    pub by: String,
    pub state: String,
    pub open: bool,
}

pub struct ProposalRow {
    pub id: i64,
    pub kind: &'static str,
    pub by: String,
    pub at: String,
    pub text: String,
    pub open: bool,
}

#[derive(Template)]
#[template(path = "staff_portal.html")]
struct OverviewPage {
    csrf: String,
    me: Option<Me>,
    flash: Option<String>,
    patient_id: i64,
    banner: Banner,
    carers: Vec<(i64, String)>,
    accounts: Vec<AccountRow>,
    invitations: Vec<InvitationRow>,
    proposals: Vec<ProposalRow>,
    /// (when, who, load, need).
    reports: Vec<(String, String, &'static str, String)>,
    consents: Vec<String>,
}

fn portal_flash(code: Option<&str>) -> Option<String> {
    Some(
        match code? {
            "ingetrokken" => "De uitnodiging is ingetrokken; de code werkt niet meer.",
            "beeindigd" => "Het account is beëindigd.",
            "verwerkt" => "Het voorstel staat als verwerkt.",
            "verstuurd" => "Het bericht is verstuurd.",
            "geblokkeerd" => "Het account is geblokkeerd; wie ermee was ingelogd, is uitgelogd.",
            "gedeblokkeerd" => "Het account is weer open.",
            _ => return None,
        }
        .to_string(),
    )
}

pub async fn overview(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<FlashQuery>,
) -> AppResult<Response> {
    let v = state
        .app
        .visible(&cu.actor(), id, Action::ViewPortalAccounts, None)
        .await?;
    let o = state.app.portal_overview(&v).await?;
    let banner = Banner::load(&state, &v).await?;
    let carer_name = |member: Option<i64>| {
        member
            .and_then(|m| o.carers.iter().find(|(t, _)| t.id == m))
            .map_or_else(|| banner.name.clone(), |(t, _)| t.name.clone())
    };
    let consent_of = |member: Option<i64>| {
        member
            .and_then(|m| o.carers.iter().find(|(t, _)| t.id == m))
            .map(|(_, c)| *c)
    };
    let accounts = o
        .accounts
        .iter()
        .map(|a| AccountRow {
            id: a.user_id,
            name: a.display_name.clone(),
            kind: a.kind.label(),
            since: fmt_timestamp(&a.created_at),
            sees: match a.kind {
                PortalKind::Patient => "alles van zichzelf",
                PortalKind::Mantelzorger
                    if kernteam_domain::portal::represents(o.representative_member, a.member_id) =>
                {
                    "wettelijk vertegenwoordiger: alles, handelt namens de patiënt"
                }
                PortalKind::Mantelzorger => consent_of(a.member_id).unwrap_or(ConsentLevel::None).label(),
            },
            ended: a.ended_at.as_deref().map(fmt_timestamp).unwrap_or_default(),
            active: a.active,
            waiting_for_letter: o
                .invitations
                .iter()
                .any(|i| i.resets_user_id == Some(a.user_id) && i.used_at.is_none() && i.withdrawn_at.is_none()),
            email: o.emails.contains(&a.user_id),
        })
        .collect();
    let invitations = o
        .invitations
        .iter()
        .map(|i| {
            let open = i.withdrawn_at.is_none() && i.used_at.is_none();
            let expired = chrono::DateTime::parse_from_rfc3339(&i.expires_at).is_ok_and(|t| t < chrono::Utc::now());
            InvitationRow {
                id: i.id,
                who: match i.resets_user_id {
                    Some(_) => format!("{} (nieuwe brief na herstel)", carer_name(i.member_id)),
                    None => carer_name(i.member_id),
                },
                at: fmt_timestamp(&i.created_at),
                by: i.created_by_name.clone(),
                state: if let Some(t) = &i.used_at {
                    format!("gebruikt {}", fmt_timestamp(t))
                } else if let Some(t) = &i.withdrawn_at {
                    format!("ingetrokken {}", fmt_timestamp(t))
                } else if expired {
                    "verlopen".into()
                } else {
                    format!("open tot {}", fmt_timestamp(&i.expires_at))
                },
                open: open && !expired,
            }
        })
        .collect();
    let proposals = o
        .proposals
        .iter()
        .map(|p| ProposalRow {
            id: p.id,
            kind: p.kind.label(),
            by: p.author_name.clone(),
            at: fmt_timestamp(&p.created_at),
            text: p.text.clone(),
            open: p.taken_at.is_none(),
        })
        .collect();
    let reports = o
        .carer_reports
        .iter()
        .map(|r| {
            (
                fmt_timestamp(&r.created_at),
                r.author_name.clone(),
                r.load.label(),
                r.support_need.clone(),
            )
        })
        .collect();
    let consents = o
        .consent_history
        .iter()
        .map(|c| {
            format!(
                "{}: {} — {} (gekozen door {})",
                fmt_timestamp(&c.set_at),
                carer_name(Some(c.member_id)),
                c.level.label(),
                c.set_by_name
            )
        })
        .collect();
    render(&OverviewPage {
        me: Some(me(&state, &cu).await?),
        csrf: cu.csrf.clone(),
        flash: portal_flash(q.melding.as_deref()),
        patient_id: id,
        carers: o
            .carers
            .iter()
            .map(|(m, _)| {
                let name = match m.relation.as_deref().filter(|r| !r.is_empty()) {
                    Some(r) => format!("{} ({r})", m.name),
                    None => m.name.clone(),
                };
                (m.id, name)
            })
            .collect(),
        banner,
        accounts,
        invitations,
        proposals,
        reports,
        consents,
    })
}

#[derive(Template)]
#[template(path = "portal/letter.html")]
struct LetterPage {
    patient_id: i64,
    name: String,
    patient_name: String,
    for_patient: bool,
    practice: String,
    practice_phone: String,
    url: String,
    code: String,
    valid_until: String,
    by: String,
    /// A new letter after a reset of the second factor.
    reset: bool,
    /// Sign-in by e-mailed code is possible for this account.
    email: bool,
}

#[derive(serde::Deserialize)]
pub struct InviteForm {
    #[serde(default)]
    member: String,
    #[serde(default)]
    email: String,
}

/// Makes the invitation and shows its letter (the only time the code is shown).
pub async fn invite(
    State(state): State<AppState>,
    cu: CurrentUser,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<InviteForm>,
) -> AppResult<Response> {
    let inviter = state.app.portal_inviter(&cu.actor(), id).await?;
    let member = match f.member.trim() {
        "" => None,
        m => Some(
            m.parse::<i64>()
                .map_err(|_| AppError::invalid("Kies wie u uitnodigt."))?,
        ),
    };
    let email = Some(f.email.trim()).filter(|e| !e.is_empty());
    let new = state.app.invite_to_portal(&inviter, member, email).await?;
    let mail = email.is_some() && state.app.mail_enabled();
    letter(&state, &cu, &headers, inviter.patient(), new, false, mail).await
}

/// The letter with a new code (shown once, to be printed).
pub(crate) async fn letter(
    state: &AppState,
    cu: &CurrentUser,
    headers: &HeaderMap,
    patient: &kernteam_store::care::PatientRef,
    new: kernteam_app::portal::NewCode,
    reset: bool,
    email: bool,
) -> AppResult<Response> {
    let practice = state.db.practice(patient.practice_id).await?;
    let contact = state.db.practice_contact(patient.practice_id).await?;
    let patient_name = state
        .db
        .current_person(patient)
        .await?
        .1
        .map_or_else(|| "de patiënt".to_string(), |p| p.name());
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| h.chars().all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c)))
        .unwrap_or("kernteam");
    let scheme = if state.config.secure_cookies { "https" } else { "http" };
    render(&LetterPage {
        patient_id: patient.id,
        for_patient: new.kind == PortalKind::Patient,
        name: new.name,
        patient_name,
        practice: practice.name,
        practice_phone: contact.phone.unwrap_or_default(),
        url: format!("{scheme}://{host}/inloggen/activeren"),
        code: new.code,
        valid_until: fmt_date(new.valid_until),
        by: cu.user.display_name.clone(),
        reset,
        email,
    })
}

pub async fn withdraw(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path((id, invitation)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let inviter = state.app.portal_inviter(&cu.actor(), id).await?;
    state.app.withdraw_portal_invitation(&inviter, invitation).await?;
    Ok(Redirect::to(&format!("/patienten/{id}/portaal?melding=ingetrokken")).into_response())
}

pub async fn end_account(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path((id, account)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let inviter = state.app.portal_inviter(&cu.actor(), id).await?;
    state.app.end_portal_account_by_practice(&inviter, account).await?;
    Ok(Redirect::to(&format!("/patienten/{id}/portaal?melding=beeindigd")).into_response())
}

pub async fn take_proposal(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path((id, proposal)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let c = state.app.contributor(&cu.actor(), id).await?;
    state.app.take_proposal(&c, proposal).await?;
    Ok(Redirect::to(&format!("/patienten/{id}/portaal?melding=verwerkt")).into_response())
}

pub struct ThreadRow {
    pub id: i64,
    pub subject: String,
    pub team_only: bool,
    pub last: String,
    pub unread: i64,
}

#[derive(Template)]
#[template(path = "staff_threads.html")]
struct ThreadsPage {
    csrf: String,
    me: Option<Me>,
    flash: Option<String>,
    patient_id: i64,
    banner: Banner,
    threads: Vec<ThreadRow>,
    can_write: bool,
}

pub async fn threads(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<FlashQuery>,
) -> AppResult<Response> {
    let v = state.app.visible(&cu.actor(), id, Action::ViewMessages, None).await?;
    let threads = state
        .app
        .threads(&v)
        .await?
        .into_iter()
        .map(|t| ThreadRow {
            id: t.id,
            subject: t.subject,
            team_only: t.team_only,
            last: fmt_timestamp(&t.last_at),
            unread: t.unread,
        })
        .collect();
    render(&ThreadsPage {
        me: Some(me(&state, &cu).await?),
        csrf: cu.csrf.clone(),
        flash: portal_flash(q.melding.as_deref()),
        patient_id: id,
        banner: Banner::load(&state, &v).await?,
        threads,
        can_write: v.access().contribute,
    })
}

#[derive(serde::Deserialize)]
pub struct MessageForm {
    #[serde(default)]
    subject: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    team_only: String,
}

pub async fn new_thread(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<MessageForm>,
) -> AppResult<Response> {
    let c = state.app.contributor(&cu.actor(), id).await?;
    let thread = state
        .app
        .send_message(
            &c,
            &NewMessage {
                thread_id: None,
                subject: f.subject,
                body: f.body,
                team_only: !f.team_only.is_empty(),
            },
        )
        .await?;
    Ok(Redirect::to(&format!("/patienten/{id}/berichten/{thread}?melding=verstuurd")).into_response())
}

pub struct MessageView {
    pub author: String,
    pub at: String,
    pub body: String,
    pub read_by: Vec<String>,
}

#[derive(Template)]
#[template(path = "staff_thread.html")]
struct ThreadPage {
    csrf: String,
    me: Option<Me>,
    flash: Option<String>,
    patient_id: i64,
    banner: Banner,
    id: i64,
    subject: String,
    team_only: bool,
    messages: Vec<MessageView>,
    can_write: bool,
}

/// A name with what they are to the patient: "Anna Jansen (patiënt)".
fn who(name: &str, role: &str) -> String {
    match Role::from_code(role) {
        Some(r) => format!("{name} ({})", r.label().to_lowercase()),
        None => name.to_string(),
    }
}

pub async fn thread(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path((id, thread)): Path<(i64, i64)>,
    Query(q): Query<FlashQuery>,
) -> AppResult<Response> {
    let v = state.app.visible(&cu.actor(), id, Action::ViewMessages, None).await?;
    let (t, messages) = state.app.thread(&v, thread).await?;
    let messages = messages
        .into_iter()
        .map(|m| MessageView {
            author: who(&m.author_name, &m.author_role),
            at: fmt_timestamp(&m.created_at),
            body: m.body,
            read_by: m
                .read_by
                .iter()
                .map(|(n, r, at)| format!("{} op {}", who(n, r), fmt_timestamp(at)))
                .collect(),
        })
        .collect();
    render(&ThreadPage {
        me: Some(me(&state, &cu).await?),
        csrf: cu.csrf.clone(),
        flash: portal_flash(q.melding.as_deref()),
        patient_id: id,
        banner: Banner::load(&state, &v).await?,
        id: t.id,
        subject: t.subject,
        team_only: t.team_only,
        messages,
        can_write: v.access().contribute,
    })
}

pub async fn reply(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path((id, thread)): Path<(i64, i64)>,
    Form(f): Form<MessageForm>,
) -> AppResult<Response> {
    let c = state.app.contributor(&cu.actor(), id).await?;
    state
        .app
        .send_message(
            &c,
            &NewMessage {
                thread_id: Some(thread),
                subject: String::new(),
                body: f.body,
                team_only: false,
            },
        )
        .await?;
    Ok(Redirect::to(&format!("/patienten/{id}/berichten/{thread}?melding=verstuurd")).into_response())
}

pub struct NotificationView {
    pub text: String,
    pub link: String,
    pub at: String,
    pub new: bool,
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    me: Option<Me>,
    flash: Option<String>,
    items: Vec<NotificationView>,
}

/// The professional's notifications (a portal user has none: the session layer keeps
/// them from this page).
pub async fn notifications(State(state): State<AppState>, cu: CurrentUser) -> AppResult<Response> {
    let items = state
        .app
        .notifications(&cu.actor())
        .await?
        .into_iter()
        .map(|n| NotificationView {
            text: n.text,
            link: if n.link.starts_with('/') { n.link } else { "/".into() },
            at: fmt_timestamp(&n.created_at),
            new: n.read_at.is_none(),
        })
        .collect();
    render(&NotificationsPage {
        me: Some(me(&state, &cu).await?),
        flash: None,
        items,
    })
}
