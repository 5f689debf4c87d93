use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::NaiveDate;
use kernteam_domain::access::{PatientAccess, Role, Scope};
use kernteam_domain::care::{status_on, CarePlan, DecisionKind, ExclusionReason};
use kernteam_domain::codes::ChainProgram;
use kernteam_domain::dates::{active_on, age_on};
use kernteam_store::care::{NewDecision, NewTeamMember};

use super::{flash, fmt_date, fmt_opt_date, fmt_timestamp, me, render, FlashQuery, Me};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::patients::{allowed, audit, today, wlz_label};
use crate::AppState;

pub struct PersonView {
    pub id: i64,
    pub name: String,
    pub birth: String,
    pub age: i32,
    pub sex: String,
    pub bsn: String,
    pub postal_code: String,
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
    p: PersonView,
    decisions: Vec<DecisionView>,
    today: String,
    default_gp: String,
    gps: Vec<String>,
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
}

fn sex_label(s: Option<&str>) -> String {
    match s {
        Some("M") => "Man".into(),
        Some("V") => "Vrouw".into(),
        Some("X") => "Onbekend / X".into(),
        _ => "—".into(),
    }
}

fn labcode_label(code: i64) -> String {
    match code {
        2803 => "Wlz-zorgprofiel (2803)".into(),
        1251 => "Gewicht (1251)".into(),
        other => format!("Determinant {other}"),
    }
}

pub async fn patient_record(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<FlashQuery>,
) -> AppResult<Response> {
    let a = allowed(&state, &cu, id).await?;
    audit(&state, &cu, Some(&a.patient), "dossier ingezien", None).await?;
    let now = today();
    let snap = state.db.latest_snapshot(a.patient.practice_id).await?;
    let person = match snap {
        Some(s) => state.db.person(s.snapshot_id, &a.patient).await?,
        None => None,
    };
    let his = match (snap, &person) {
        (Some(s), Some(_)) => state.db.his_record(s.snapshot_id, &a.patient.his_id).await?,
        _ => Default::default(),
    };
    let on = snap.map_or(now, |s| s.extract_date);
    let decisions = state.db.decisions(id).await?;
    let status = status_on(&decisions.iter().map(|d| d.as_decision()).collect::<Vec<_>>(), now);
    let team = state.db.team(id).await?;
    let first = state.db.first_contact(id).await?;
    let versions = state.db.care_plan_versions(id).await?;
    let plan: Option<(i64, CarePlan)> = versions
        .first()
        .map(|v| serde_json::from_str(&v.content).map(|p| (v.version, p)))
        .transpose()
        .map_err(|e| AppError::Internal(e.into()))?;
    let users = state.db.users().await?;
    let gps: Vec<String> = users
        .iter()
        .filter(|u| u.active && u.role == Role::Huisarts && u.practice_id == Some(a.patient.practice_id))
        .map(|u| u.display_name.clone())
        .collect();
    let default_gp = if cu.user.role == Role::Huisarts {
        cu.user.display_name.clone()
    } else {
        gps.first().cloned().unwrap_or_default()
    };
    let mut candidates = Vec::new();
    if a.access.decide {
        let orgs = state.db.organisations().await?;
        for u in users
            .iter()
            .filter(|u| u.active && !team.iter().any(|m| m.user_id == Some(u.id)))
        {
            let place = match u.role.scope() {
                Scope::Practice if u.practice_id == Some(a.patient.practice_id) => "deze praktijk".to_string(),
                Scope::Network => u
                    .organisation_id
                    .and_then(|o| orgs.iter().find(|x| x.id == o))
                    .map(|o| o.name.clone())
                    .unwrap_or_default(),
                _ => continue,
            };
            candidates.push((u.id, format!("{} — {}, {}", u.display_name, u.role.label(), place)));
        }
    }
    let line = |l: &kernteam_store::care::HisLine, text: String| LineView {
        code: l.code.clone(),
        text,
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
        access: a.access,
        p: PersonView {
            id,
            name: person
                .as_ref()
                .map_or_else(|| a.patient.his_id.clone(), |p| p.full_name()),
            birth: person.as_ref().map(|p| fmt_date(p.birth_date)).unwrap_or_default(),
            age: person.as_ref().map_or(0, |p| age_on(p.birth_date, now)),
            sex: sex_label(person.as_ref().and_then(|p| p.sex.as_deref())),
            bsn: person
                .as_ref()
                .and_then(|p| p.bsn.clone())
                .unwrap_or_else(|| "—".into()),
            postal_code: person
                .as_ref()
                .and_then(|p| p.postal_code.clone())
                .unwrap_or_else(|| "—".into()),
            his_id: a.patient.his_id.clone(),
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
        goals: plan.as_ref().map(|p| p.1.goals.clone()).unwrap_or_default(),
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
            .map(|m| line(m, String::new()))
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
    };
    render(&page)
}

fn require(ok: bool) -> AppResult<()> {
    if ok {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

fn parse_date_field(s: &str, label: &str) -> AppResult<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| AppError::invalid(format!("{label}: vul een geldige datum in.")))
}

fn opt_text(s: Option<String>, label: &str, max: usize) -> AppResult<Option<String>> {
    let s = s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    if s.as_ref().is_some_and(|s| s.chars().count() > max) {
        return Err(AppError::invalid(format!(
            "{label} mag hoogstens {max} tekens lang zijn."
        )));
    }
    Ok(s)
}

#[derive(serde::Deserialize)]
pub struct DecisionForm {
    decided_on: String,
    deciding_gp: Option<String>,
    reason: Option<String>,
    considerations: Option<String>,
}

async fn decide(
    state: AppState,
    cu: CurrentUser,
    id: i64,
    form: DecisionForm,
    kind: DecisionKind,
) -> AppResult<Response> {
    let a = allowed(&state, &cu, id).await?;
    require(a.access.decide)?;
    let decided_on = parse_date_field(&form.decided_on, "Datum besluit")?;
    if decided_on > today() {
        return Err(AppError::invalid("De datum van het besluit ligt in de toekomst."));
    }
    let deciding_gp = opt_text(form.deciding_gp, "De naam van de huisarts", 200)?;
    let reason = match kind {
        DecisionKind::Inclusion => {
            if deciding_gp.is_none() {
                return Err(AppError::invalid("Vul de besluitvormend huisarts in."));
            }
            None
        }
        DecisionKind::Exclusion => Some(
            form.reason
                .as_deref()
                .and_then(ExclusionReason::from_code)
                .ok_or_else(|| AppError::invalid("Kies een reden voor de exclusie."))?
                .code()
                .to_string(),
        ),
    };
    let considerations = opt_text(form.considerations, "De toelichting", 4000)?;
    let decision = NewDecision {
        kind,
        decided_on,
        deciding_gp,
        reason,
        considerations,
    };
    state.db.add_decision(id, &decision, cu.user.id).await?;
    let what = match kind {
        DecisionKind::Inclusion => "inclusie vastgelegd",
        DecisionKind::Exclusion => "exclusie vastgelegd",
    };
    audit(&state, &cu, Some(&a.patient), what, Some(decided_on.to_string())).await?;
    let code = if kind == DecisionKind::Inclusion {
        "geincludeerd"
    } else {
        "geexcludeerd"
    };
    Ok(Redirect::to(&format!("/patienten/{id}?melding={code}")).into_response())
}

pub async fn include(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<DecisionForm>,
) -> AppResult<Response> {
    decide(state, cu, id, form, DecisionKind::Inclusion).await
}

pub async fn exclude(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<DecisionForm>,
) -> AppResult<Response> {
    decide(state, cu, id, form, DecisionKind::Exclusion).await
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
    let a = allowed(&state, &cu, id).await?;
    require(a.access.decide)?;
    let user_id = form.user_id.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let mut member = NewTeamMember {
        kind: form.kind.clone(),
        phone: opt_text(form.phone, "Telefoon", 50)?,
        email: opt_text(form.email, "E-mail", 200)?,
        ..Default::default()
    };
    match (form.kind.as_str(), user_id) {
        ("professional", Some(uid)) => {
            let uid: i64 = uid
                .parse()
                .map_err(|_| AppError::invalid("Kies een professional uit de lijst."))?;
            let u = state
                .db
                .user(uid)
                .await
                .map_err(|_| AppError::invalid("Kies een professional uit de lijst."))?;
            let fits = u.active
                && match u.role.scope() {
                    Scope::Practice => u.practice_id == Some(a.patient.practice_id),
                    Scope::Network => true,
                    Scope::Region => false,
                };
            if !fits {
                return Err(AppError::invalid("Deze professional kan niet in dit zorgteam."));
            }
            if state.db.team(id).await?.iter().any(|m| m.user_id == Some(uid)) {
                return Err(AppError::invalid("Deze professional staat al in het zorgteam."));
            }
            member.user_id = Some(uid);
            member.name = u.display_name.clone();
            member.role = Some(u.role.label().to_string());
            member.organisation = match (u.organisation_id, u.practice_id) {
                (Some(o), _) => Some(state.db.organisation(o).await?.name),
                (_, Some(p)) => Some(state.db.practice(p).await?.name),
                _ => None,
            };
        }
        ("professional", None) => {
            member.name = opt_text(form.name, "De naam", 200)?
                .ok_or_else(|| AppError::invalid("Kies een professional uit de lijst of vul een naam in."))?;
            member.role = opt_text(form.role, "De rol", 200)?;
            member.organisation = opt_text(form.organisation, "De organisatie", 200)?;
        }
        ("mantelzorger", _) => {
            member.name = opt_text(form.name, "De naam", 200)?
                .ok_or_else(|| AppError::invalid("Vul de naam van de mantelzorger in."))?;
            member.relation = Some(
                opt_text(form.relation, "De relatie", 200)?
                    .ok_or_else(|| AppError::invalid("Vul de relatie van de mantelzorger in (bijv. dochter)."))?,
            );
        }
        _ => return Err(AppError::invalid("Onbekende soort teamlid.")),
    }
    state.db.add_team_member(id, &member, cu.user.id).await?;
    audit(
        &state,
        &cu,
        Some(&a.patient),
        "zorgteam: lid toegevoegd",
        Some(member.name.clone()),
    )
    .await?;
    Ok(Redirect::to(&format!("/patienten/{id}?melding=team")).into_response())
}

pub async fn remove_member(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path((id, member)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let a = allowed(&state, &cu, id).await?;
    require(a.access.decide)?;
    state.db.remove_team_member(id, member).await?;
    audit(
        &state,
        &cu,
        Some(&a.patient),
        "zorgteam: lid verwijderd",
        Some(format!("teamlid {member}")),
    )
    .await?;
    Ok(Redirect::to(&format!("/patienten/{id}?melding=team")).into_response())
}

#[derive(serde::Deserialize)]
pub struct FirstContactForm {
    member_id: i64,
}

pub async fn set_first_contact(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<FirstContactForm>,
) -> AppResult<Response> {
    let a = allowed(&state, &cu, id).await?;
    require(a.access.decide)?;
    let team = state.db.team(id).await?;
    let m = team
        .iter()
        .find(|m| m.id == form.member_id && m.kind == "professional")
        .ok_or_else(|| AppError::invalid("Kies een professional uit het zorgteam."))?;
    state.db.set_first_contact(id, m.id, cu.user.id).await?;
    audit(
        &state,
        &cu,
        Some(&a.patient),
        "eerste aanspreekpunt ingesteld",
        Some(m.name.clone()),
    )
    .await?;
    Ok(Redirect::to(&format!("/patienten/{id}?melding=aanspreekpunt")).into_response())
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
    name: String,
    records: Vec<AuditView>,
}

pub async fn patient_audit(State(state): State<AppState>, cu: CurrentUser, Path(id): Path<i64>) -> AppResult<Response> {
    let a = allowed(&state, &cu, id).await?;
    require(a.access.audit)?;
    audit(&state, &cu, Some(&a.patient), "logging ingezien", None).await?;
    let name = match state.db.latest_snapshot(a.patient.practice_id).await? {
        Some(s) => state.db.person(s.snapshot_id, &a.patient).await?.map(|p| p.full_name()),
        None => None,
    }
    .unwrap_or_else(|| a.patient.his_id.clone());
    let records = state
        .db
        .audit_for_patient(id)
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
        name,
        records,
    })
}
