use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use kernteam_domain::access::{PatientAccess, Role};
use kernteam_domain::care::{DecisionKind, ExclusionReason};
use kernteam_domain::codes::ChainProgram;
use kernteam_domain::dates::{active_on, age_on};

use super::confirm::{confirmed, ConfirmPage};
use super::{flash, fmt_date, fmt_opt_date, fmt_timestamp, me, render, FlashQuery, Me};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::patients::{labcode_label, today, wlz_label};
use crate::AppState;
use kernteam_app::team::MemberInput;
use kernteam_app::Action;
use kernteam_domain::decisions::DecisionInput;

pub struct PersonView {
    pub id: i64,
    pub name: String,
    pub birth: String,
    pub age: i32,
    pub sex: String,
    pub bsn: String,
    /// Street and number, postal code and place, for home visits; empty when unknown.
    pub address: String,
    pub phone: String,
    pub his_id: String,
    pub extract_date: String,
    pub status: &'static str,
    pub status_code: &'static str,
}

pub struct DecisionView {
    pub date: String,
    pub kind: &'static str,
    pub gp: String,
    pub text: String,
    pub by: String,
}

pub struct MemberView {
    pub id: i64,
    pub name: String,
    pub role: String,
    pub organisation: String,
    pub contact: String,
    pub is_first: bool,
    pub professional: bool,
}

pub struct LineView {
    pub code: String,
    pub text: String,
    /// The dosage of a medicine (empty for other lines).
    pub dosage: String,
    pub start: String,
    pub end: String,
    pub ended: bool,
}

#[derive(Template)]
#[template(path = "patient.html")]
struct RecordPage {
    me: Option<Me>,
    flash: Option<String>,
    csrf: String,
    access: PatientAccess,
    banner: super::banner::Banner,
    p: PersonView,
    decisions: Vec<DecisionView>,
    today: String,
    default_gp: String,
    gps: Vec<String>,
    /// Why including would be an exception to the rule (then a reason is asked).
    inclusion_exceptions: Vec<String>,
    reasons: Vec<(&'static str, &'static str)>,
    first_contact: String,
    team: Vec<MemberView>,
    candidates: Vec<(i64, String)>,
    plan_version: Option<i64>,
    evaluation: Option<String>,
    goals: Vec<String>,
    open_actions: Vec<String>,
    his_available: bool,
    episodes: Vec<LineView>,
    medications: Vec<LineView>,
    programs: Vec<LineView>,
    determinants: Vec<(String, String, String)>,
    /// The PZP in brief (treatment limits first) and the last medication review.
    pzp: crate::process::pzp::PzpSummary,
    last_review: Option<String>,
    mdo: crate::process::mdo::MdoHistory,
}

fn sex_label(s: Option<&str>) -> String {
    match s {
        Some("M") => "Man".into(),
        Some("V") => "Vrouw".into(),
        Some("X") => "Onbekend / X".into(),
        _ => "—".into(),
    }
}

/// "Kerkstraat 12, 6301 AB Valkenburg": what the HIS has of the address; empty when none.
fn address_line(p: &kernteam_store::care::Person) -> String {
    let postal = p.postal_code.as_deref().map(|pc| match pc.len() {
        6 if pc.is_char_boundary(4) => format!("{} {}", &pc[..4], &pc[4..]),
        _ => pc.to_string(),
    });
    let place = [postal, p.city.clone()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    [p.address.clone(), Some(place).filter(|s| !s.is_empty())]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ")
}

pub async fn patient_record(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<FlashQuery>,
) -> AppResult<Response> {
    let app = &state.app;
    let v = app.visible(&cu.actor(), id, Action::ViewRecord, None).await?;
    let now = today();
    let record = app.patient_record(&v).await?;
    let (snap, person, his) = (record.snapshot, record.person.clone(), &record.his);
    let on = snap.map_or(now, |s| s.extract_date);
    let (decisions, status, team) = (&record.decisions, record.status, &record.team);
    let summary = record.summary.clone();
    let first = record.first_contact().cloned();
    let plan = record.care_plan.clone();
    // The forms that need the accounts are only shown to those who decide.
    let choices = app.decision_choices(&v, team).await?;
    let exceptions = app.inclusion_exception_reasons(&v).await?;
    let gps = choices.gps;
    let default_gp = if cu.user.role == Role::Huisarts {
        cu.user.display_name.clone()
    } else {
        gps.first().cloned().unwrap_or_default()
    };
    let candidates: Vec<(i64, String)> = choices
        .candidates
        .into_iter()
        .map(|c| {
            (
                c.user.id,
                format!("{} — {}, {}", c.user.display_name, c.user.role.label(), c.place),
            )
        })
        .collect();
    let line = |l: &kernteam_store::care::HisLine, text: String| LineView {
        code: l.code.clone(),
        text,
        dosage: l.dosage.clone().unwrap_or_default(),
        start: fmt_date(l.start),
        end: fmt_opt_date(l.end),
        ended: !active_on(l.start, l.end, on),
    };
    let mut episodes: Vec<LineView> = his
        .episodes
        .iter()
        .map(|e| line(e, e.text.clone().unwrap_or_default()))
        .collect();
    episodes.sort_by_key(|e| e.ended);
    let page = RecordPage {
        me: Some(me(&state, &cu).await?),
        flash: flash(q.melding.as_deref()),
        csrf: cu.csrf.clone(),
        access: v.access(),
        banner: super::banner::Banner::of(id, &v.patient().his_id, &record.header())?,
        p: PersonView {
            id,
            name: person.as_ref().map_or_else(|| v.patient().his_id.clone(), |p| p.name()),
            birth: person.as_ref().map(|p| fmt_date(p.birth_date)).unwrap_or_default(),
            age: person.as_ref().map_or(0, |p| age_on(p.birth_date, now)),
            sex: sex_label(person.as_ref().and_then(|p| p.sex.as_deref())),
            bsn: person
                .as_ref()
                .and_then(|p| p.bsn.clone())
                .unwrap_or_else(|| "—".into()),
            address: person.as_ref().map(address_line).unwrap_or_default(),
            phone: person.as_ref().and_then(|p| p.phone.clone()).unwrap_or_default(),
            his_id: v.patient().his_id.clone(),
            extract_date: snap.map(|s| fmt_date(s.extract_date)).unwrap_or_else(|| "—".into()),
            status: status.label(),
            status_code: status.code(),
        },
        decisions: decisions
            .iter()
            .map(|d| DecisionView {
                date: fmt_date(d.decided_on),
                kind: match d.kind {
                    DecisionKind::Inclusion => "Inclusie",
                    DecisionKind::Exclusion => "Exclusie",
                },
                gp: d.deciding_gp.clone().unwrap_or_default(),
                text: [
                    d.reason
                        .as_deref()
                        .and_then(ExclusionReason::from_code)
                        .map(|r| r.label().to_string()),
                    exceptions
                        .iter()
                        .find(|(id, _)| *id == d.id)
                        .map(|(_, r)| format!("Uitzondering: {r}")),
                    d.considerations.clone(),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" — "),
                by: d.recorded_by_name.clone().unwrap_or_default(),
            })
            .collect(),
        today: now.to_string(),
        default_gp,
        gps,
        inclusion_exceptions: if v.access().decide {
            record.inclusion_exceptions()
        } else {
            Vec::new()
        },
        reasons: ExclusionReason::ALL.iter().map(|r| (r.code(), r.label())).collect(),
        first_contact: first
            .as_ref()
            .map(|m| {
                format!(
                    "{}{}",
                    m.name,
                    m.role.as_ref().map(|r| format!(" ({r})")).unwrap_or_default()
                )
            })
            .unwrap_or_else(|| "nog niet ingesteld".into()),
        team: team
            .iter()
            .map(|m| MemberView {
                id: m.id,
                name: m.name.clone(),
                role: if m.kind == "mantelzorger" {
                    format!(
                        "Mantelzorger{}",
                        m.relation.as_ref().map(|r| format!(" ({r})")).unwrap_or_default()
                    )
                } else {
                    m.role.clone().unwrap_or_default()
                },
                organisation: m.organisation.clone().unwrap_or_default(),
                contact: [m.phone.clone(), m.email.clone()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" · "),
                is_first: first.as_ref().is_some_and(|f| f.id == m.id),
                professional: m.kind == "professional",
            })
            .collect(),
        candidates,
        plan_version: plan.as_ref().map(|p| p.0),
        evaluation: plan.as_ref().and_then(|p| p.1.evaluation_date).map(fmt_date),
        goals: plan
            .as_ref()
            .map(|p| p.1.goals.iter().map(|g| g.text.clone()).collect())
            .unwrap_or_default(),
        open_actions: plan
            .as_ref()
            .map(|p| {
                p.1.open_actions()
                    .map(|x| {
                        format!(
                            "{}{}{}",
                            x.what,
                            if x.who.is_empty() {
                                String::new()
                            } else {
                                format!(" — {}", x.who)
                            },
                            x.due.map(|d| format!(", vóór {}", fmt_date(d))).unwrap_or_default()
                        )
                    })
                    .collect()
            })
            .unwrap_or_default(),
        his_available: person.is_some(),
        episodes,
        medications: his
            .medications
            .iter()
            .filter(|m| active_on(m.start, m.end, on))
            .map(|m| line(m, m.text.clone().unwrap_or_default()))
            .collect(),
        programs: his
            .programs
            .iter()
            .map(|p| {
                line(
                    p,
                    ChainProgram::from_code(&p.code)
                        .map(|c| c.label().to_string())
                        .unwrap_or_default(),
                )
            })
            .collect(),
        determinants: his
            .determinants
            .iter()
            .map(|d| {
                let value = if d.labcode == 2803 {
                    wlz_label(&d.value)
                } else {
                    d.value.clone()
                };
                (labcode_label(d.labcode), fmt_date(d.date), value)
            })
            .collect(),
        pzp: crate::process::pzp::summary_of(summary.pzp)?,
        last_review: summary.last_medication_review.map(fmt_date),
        mdo: crate::process::mdo::history(&state, &v).await?,
    };
    render(&page)
}

pub async fn include(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<DecisionInput>,
) -> AppResult<Response> {
    let d = state.app.decider(&cu.actor(), id).await?;
    state.app.record_decision(&d, DecisionKind::Inclusion, form).await?;
    Ok(Redirect::to(&format!("/patienten/{id}?melding=geincludeerd")).into_response())
}

/// The exclusion form as posted: the decision, and `bevestigd=ja` once confirmed.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct ExclusionForm {
    decided_on: String,
    reason: Option<String>,
    considerations: Option<String>,
    bevestigd: Option<String>,
}

/// `POST /patienten/{id}/exclusie`: checks the input, then asks for confirmation (a page
/// that shows what was entered); records the exclusion only when confirmed.
pub async fn exclude(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<ExclusionForm>,
) -> AppResult<Response> {
    let d = state.app.decider(&cu.actor(), id).await?;
    let input = DecisionInput {
        decided_on: form.decided_on,
        deciding_gp: None,
        reason: form.reason,
        considerations: form.considerations,
        exception_reason: None,
    };
    if confirmed(form.bevestigd.as_deref()) {
        state.app.record_decision(&d, DecisionKind::Exclusion, input).await?;
        return Ok(Redirect::to(&format!("/patienten/{id}?melding=geexcludeerd")).into_response());
    }
    let valid = kernteam_domain::decisions::validate(DecisionKind::Exclusion, input.clone(), today())
        .map_err(AppError::Invalid)?;
    let v = state
        .app
        .reread(&d, Action::ViewRecord, Some("bevestiging exclusie".into()))
        .await?;
    let banner = super::banner::Banner::load(&state, &v).await?;
    let mut facts = vec![
        ("Datum besluit".to_string(), fmt_date(valid.decided_on)),
        (
            "Reden".to_string(),
            valid.reason.map(|r| r.label().to_string()).unwrap_or_default(),
        ),
    ];
    if let Some(c) = &valid.considerations {
        facts.push(("Toelichting".into(), c.clone()));
    }
    render(&ConfirmPage {
        me: Some(me(&state, &cu).await?),
        flash: None,
        csrf: cu.csrf.clone(),
        heading: format!("{} excluderen?", banner.name),
        question: "Klopt dit besluit?".into(),
        facts,
        consequence: format!(
            "{} gaat dan uit het programma kwetsbare ouderen. Een exclusie kunt u later herstellen door opnieuw te includeren.",
            banner.name
        ),
        banner,
        action: format!("/patienten/{id}/exclusie"),
        fields: [
            ("decided_on", input.decided_on),
            ("reason", input.reason.unwrap_or_default()),
            ("considerations", input.considerations.unwrap_or_default()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect(),
        button: "Ja, excluderen".into(),
        cancel: format!("/patienten/{id}"),
    })
}

#[derive(serde::Deserialize)]
pub struct MemberForm {
    kind: String,
    user_id: Option<String>,
    name: Option<String>,
    role: Option<String>,
    organisation: Option<String>,
    relation: Option<String>,
    phone: Option<String>,
    email: Option<String>,
}

pub async fn add_member(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<MemberForm>,
) -> AppResult<Response> {
    let d = state.app.decider(&cu.actor(), id).await?;
    let user_id = match form.user_id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(uid) => Some(
            uid.parse()
                .map_err(|_| AppError::invalid("Kies een professional uit de lijst."))?,
        ),
        None => None,
    };
    let input = MemberInput {
        kind: form.kind,
        user_id,
        name: form.name,
        role: form.role,
        organisation: form.organisation,
        relation: form.relation,
        phone: form.phone,
        email: form.email,
    };
    state.app.add_team_member(&d, input).await?;
    Ok(Redirect::to(&format!("/patienten/{id}?melding=team")).into_response())
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct RemoveForm {
    bevestigd: Option<String>,
}

/// `POST /patienten/{id}/team/{member}/verwijderen`: asks for confirmation first.
pub async fn remove_member(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path((id, member)): Path<(i64, i64)>,
    Form(form): Form<RemoveForm>,
) -> AppResult<Response> {
    let d = state.app.decider(&cu.actor(), id).await?;
    if confirmed(form.bevestigd.as_deref()) {
        state.app.remove_team_member(&d, member).await?;
        return Ok(Redirect::to(&format!("/patienten/{id}?melding=team")).into_response());
    }
    let v = state
        .app
        .reread(&d, Action::ViewRecord, Some("bevestiging teamlid verwijderen".into()))
        .await?;
    let team = state.app.team(&v).await?;
    let m = team.iter().find(|m| m.id == member).ok_or(AppError::NotFound)?;
    let banner = super::banner::Banner::load(&state, &v).await?;
    let role = if m.kind == "mantelzorger" {
        format!(
            "Mantelzorger{}",
            m.relation.as_ref().map(|r| format!(" ({r})")).unwrap_or_default()
        )
    } else {
        m.role.clone().unwrap_or_default()
    };
    render(&ConfirmPage {
        me: Some(me(&state, &cu).await?),
        flash: None,
        csrf: cu.csrf.clone(),
        heading: format!("{} uit het zorgteam halen?", m.name),
        question: format!("Wilt u {} uit het zorgteam van {} halen?", m.name, banner.name),
        facts: vec![("Rol of relatie".into(), role)],
        consequence: "Wie geen teamlid meer is, ziet het dossier niet meer. U kunt iemand later opnieuw toevoegen."
            .into(),
        banner,
        action: format!("/patienten/{id}/team/{member}/verwijderen"),
        fields: Vec::new(),
        button: "Ja, uit het team halen".into(),
        cancel: format!("/patienten/{id}#h-team"),
    })
}

pub struct AuditView {
    pub at: String,
    pub username: String,
    pub role: String,
    pub action: String,
    pub detail: String,
    pub ip: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    me: Option<Me>,
    flash: Option<String>,
    patient_id: i64,
    banner: crate::pages::banner::Banner,
    records: Vec<AuditView>,
}

pub async fn patient_audit(State(state): State<AppState>, cu: CurrentUser, Path(id): Path<i64>) -> AppResult<Response> {
    let r = state.app.audit_reader(&cu.actor(), id).await?;
    let banner = crate::pages::banner::Banner::load(&state, &r.visible()).await?;
    let records = state
        .app
        .audit_trail(&r)
        .await?
        .into_iter()
        .map(|r| AuditView {
            at: fmt_timestamp(&r.at),
            username: r.username,
            role: Role::from_code(&r.role).map_or(r.role.clone(), |x| x.label().to_string()),
            action: r.action,
            detail: r.detail.unwrap_or_default(),
            ip: r.ip.unwrap_or_default(),
        })
        .collect();
    render(&AuditPage {
        me: Some(me(&state, &cu).await?),
        flash: None,
        patient_id: id,
        banner,
        records,
    })
}
