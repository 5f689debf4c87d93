//! Multidisciplinary meetings (MDO) of a practice, for its staff: the meetings with counts
//! per quarter (`/mdo`), planning one (date, practice or network level, the disciplines
//! invited), and the meeting page (`/mdo/{meeting}`) with the agenda of patients (found by
//! name in the practice list, or suggested from the worklist), the attendance per
//! discipline and the minutes per patient (`/mdo/{meeting}/patienten/{id}`), whose
//! decisions become actions in the patient's care plan in the same step: saving the
//! minutes writes a new care-plan version with those actions added.
//!
//! MDO pages are the practice's: network professionals do not see them. They see the
//! MDOs that discussed a patient of theirs on the patient's events page
//! (`/patienten/{id}/gebeurtenissen`) and in the API (`/api/v1/patients/{id}/mdo`).
//! A meeting of another practice answers 404, like a patient of another practice.

use std::collections::{BTreeMap, HashSet};

use askama::Template;
use axum::extract::{Path, Query, RawForm, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{Datelike, Duration, NaiveDate, Utc};
use kernteam_domain::access::{Role, Scope};
use kernteam_domain::care::{care_plan_changes, ActionStatus, CareAction, MAX_TEXT};
use kernteam_domain::events::{discipline_label, MdoLevel, DISCIPLINES};
use kernteam_domain::worklist::WorkItem;
use kernteam_store::program::{AgendaEntry, Attendance, Document, Meeting, NewVersion};
use serde::{Deserialize, Serialize};

use super::form_pairs;
use super::person_name as patient_name;
use super::worklist::{items_of, practice_names, practice_states};
use crate::api::{ApiResult, Body, Id};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::pages::{fmt_date, me, render, FlashQuery, Me};
use crate::patients::{allowed, audit, practice_list, today, Allowed};
use crate::records::{current_care_plan, require};
use crate::AppState;

/// The page routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/mdo", get(list_page).post(plan))
        .route("/mdo/{meeting}", get(meeting_page))
        .route("/mdo/{meeting}/agenda", post(add_patient))
        .route("/mdo/{meeting}/aanwezigheid", post(attendance))
        .route("/mdo/{meeting}/patienten/{id}", get(minutes_page).post(save_minutes))
}

/// Longest reason for putting a patient on the agenda, and longest name of an attendee.
const MAX_REASON: usize = 500;
const MAX_NAME: usize = 200;
/// Search results offered for the agenda.
const MAX_SEARCH_RESULTS: usize = 20;
/// Empty decision rows below the filled ones, so that the form works without JavaScript.
const EMPTY_ROWS: usize = 3;

fn invalid_unless_empty(errors: Vec<String>) -> AppResult<()> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Invalid(errors))
    }
}

// ---------------------------------------------------------------------------------------
// Access.

/// The practice of a member of practice staff; 403 for everyone else (MDO pages are the
/// practice's).
pub fn staff_practice(cu: &CurrentUser) -> AppResult<i64> {
    super::formation::staff_practice(cu)
}

/// Who plans meetings and records attendance: the practice's clinicians and its
/// administrator (praktijkmanager, or an account with `is_admin`).
pub fn may_organise(cu: &CurrentUser) -> bool {
    cu.user.role.scope() == Scope::Practice
        && (cu.user.role.is_practice_clinician() || cu.user.role == Role::Praktijkmanager || cu.user.is_admin)
}

/// A meeting of the user's practice; 404 for any other (and for anyone not practice staff).
pub async fn load_meeting(state: &AppState, cu: &CurrentUser, meeting_id: i64) -> AppResult<Meeting> {
    let practice = staff_practice(cu).map_err(|_| AppError::NotFound)?;
    let m = state.db.meeting(meeting_id).await?;
    if m.practice_id != practice {
        return Err(AppError::NotFound);
    }
    Ok(m)
}

/// A patient of the meeting's practice whom the user may see; 404 otherwise.
async fn meeting_patient(state: &AppState, cu: &CurrentUser, m: &Meeting, patient_id: i64) -> AppResult<Allowed> {
    let a = allowed(state, cu, patient_id).await?;
    if a.patient.practice_id != m.practice_id {
        return Err(AppError::NotFound);
    }
    Ok(a)
}

fn not_before_the_meeting(m: &Meeting, today: NaiveDate, what: &str) -> AppResult<()> {
    if m.date > today {
        return Err(AppError::invalid(format!(
            "Dit MDO is nog niet geweest (gepland op {}); {what} kan vanaf die dag worden vastgelegd.",
            fmt_date(m.date)
        )));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Planning.

/// A meeting as entered.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PlanInput {
    /// `jjjj-mm-dd`.
    pub date: String,
    /// `praktijk` or `netwerk`.
    pub level: String,
    /// Codes of [`DISCIPLINES`].
    pub invited: Vec<String>,
}

/// A meeting, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMeeting {
    pub date: NaiveDate,
    pub level: MdoLevel,
    pub invited: Vec<String>,
}

/// The rules of a meeting: a real date from 2000 up to two years ahead (meetings held
/// earlier may be recorded afterwards), a level, at least one invited discipline, each
/// known. Invited disciplines are kept in the order of [`DISCIPLINES`]. Every problem is listed.
pub fn validate_plan(input: &PlanInput, today: NaiveDate) -> AppResult<NewMeeting> {
    let mut errors = Vec::new();
    let date = match NaiveDate::parse_from_str(input.date.trim(), "%Y-%m-%d") {
        Ok(d) if d.year() < 2000 => {
            errors.push("De datum ligt vóór 2000; controleer het jaar.".to_string());
            None
        }
        Ok(d) if d > today + Duration::days(2 * 366) => {
            errors.push("De datum ligt meer dan twee jaar vooruit.".to_string());
            None
        }
        Ok(d) => Some(d),
        Err(_) => {
            errors.push("Datum: vul een geldige datum in.".to_string());
            None
        }
    };
    let level = MdoLevel::from_code(input.level.trim());
    if level.is_none() {
        errors.push("Kies of het een praktijk-MDO of een netwerk-MDO is.".to_string());
    }
    let chosen: HashSet<&str> = input
        .invited
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect();
    for code in &chosen {
        if !DISCIPLINES.iter().any(|(c, _)| c == code) {
            errors.push(format!("Onbekende discipline '{code}'."));
        }
    }
    if chosen.is_empty() {
        errors.push("Kies minstens één discipline om uit te nodigen.".to_string());
    }
    invalid_unless_empty(errors)?;
    Ok(NewMeeting {
        date: date.expect("no errors, so a date"),
        level: level.expect("no errors, so a level"),
        invited: DISCIPLINES
            .iter()
            .filter(|(c, _)| chosen.contains(c))
            .map(|(c, _)| c.to_string())
            .collect(),
    })
}

/// Plans a meeting of the user's practice (clinicians and the administrator). Returns its id.
pub async fn plan_meeting(state: &AppState, cu: &CurrentUser, input: &PlanInput) -> AppResult<i64> {
    let practice = staff_practice(cu)?;
    require(may_organise(cu))?;
    let m = validate_plan(input, today())?;
    let id = state
        .db
        .create_meeting(practice, m.date, m.level.code(), &m.invited, cu.user.id)
        .await?;
    audit(
        state,
        cu,
        None,
        "MDO gepland",
        Some(format!("{} op {}", m.level.label(), m.date)),
    )
    .await?;
    Ok(id)
}

// ---------------------------------------------------------------------------------------
// Quarters.

/// Counts of one quarter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Quarter {
    /// `2027-Q1`, as the reports name periods.
    pub quarter: String,
    /// Meetings held (attendance or minutes recorded) with a date in the quarter: the
    /// report's `mdo_count`.
    pub meetings_held: usize,
    /// Meetings planned in the quarter and not (yet) held.
    pub meetings_planned: usize,
    /// Different patients discussed (minutes recorded) in the quarter's meetings.
    pub patients_discussed: usize,
}

fn quarter_of(d: NaiveDate) -> String {
    format!("{}-Q{}", d.year(), d.month0() / 3 + 1)
}

/// Per quarter with a meeting (and the current one), newest first.
pub fn quarters(meetings: &[Meeting], agenda: &[AgendaEntry], today: NaiveDate) -> Vec<Quarter> {
    let mut by: BTreeMap<String, (usize, usize, HashSet<i64>)> = BTreeMap::new();
    by.entry(quarter_of(today)).or_default();
    for m in meetings {
        let e = by.entry(quarter_of(m.date)).or_default();
        if m.held {
            e.0 += 1;
        } else {
            e.1 += 1;
        }
    }
    for a in agenda.iter().filter(|a| a.discussed && a.held) {
        by.entry(quarter_of(a.meeting_date)).or_default().2.insert(a.patient_id);
    }
    by.into_iter()
        .rev()
        .map(|(quarter, (held, planned, patients))| Quarter {
            quarter,
            meetings_held: held,
            meetings_planned: planned,
            patients_discussed: patients.len(),
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// The agenda.

/// Puts a patient of the practice on the meeting's agenda with a reason (the practice's
/// clinicians). 404 for a patient the user may not see or of another practice; 409 when
/// the patient is already on it. Returns the agenda item's id.
pub async fn add_to_agenda(
    state: &AppState,
    cu: &CurrentUser,
    m: &Meeting,
    patient_id: i64,
    reason: &str,
) -> AppResult<i64> {
    let a = meeting_patient(state, cu, m, patient_id).await?;
    require(a.access.contribute)?;
    let reason = reason.trim();
    let mut errors = Vec::new();
    if reason.is_empty() {
        errors.push("Vul de reden in waarom de patiënt besproken wordt.".to_string());
    } else if reason.chars().count() > MAX_REASON {
        errors.push(format!("De reden mag hoogstens {MAX_REASON} tekens lang zijn."));
    }
    invalid_unless_empty(errors)?;
    let id = state.db.add_to_agenda(m.id, a.patient.id, Some(reason)).await?;
    audit(
        state,
        cu,
        Some(&a.patient),
        "op de MDO-agenda gezet",
        Some(format!("MDO {} ({}): {reason}", m.date, m.id)),
    )
    .await?;
    Ok(id)
}

/// A patient suggested for the agenda, from the worklist.
#[derive(Debug, Clone, Serialize)]
pub struct Candidate {
    pub patient_id: i64,
    pub name: String,
    pub reason: String,
}

/// Included patients of the practice the worklist suggests for an MDO (recent events, or
/// never discussed), not on this meeting's agenda nor on that of another coming meeting.
pub async fn candidates(state: &AppState, m: &Meeting, on_agenda: &HashSet<i64>) -> AppResult<Vec<Candidate>> {
    let (day, now) = (today(), Utc::now());
    let built = practice_states(state, m.practice_id, None, day, now).await?;
    let mut out: Vec<(i64, String)> = Vec::new();
    for b in &built {
        if on_agenda.contains(&b.patient_id) {
            continue;
        }
        for item in items_of(b, day, now) {
            if let WorkItem::MdoCandidate { reason } = item {
                out.push((b.patient_id, reason));
            }
        }
    }
    let ids: Vec<i64> = out.iter().map(|(pid, _)| *pid).collect();
    let names = practice_names(state, m.practice_id, &ids).await?;
    let mut result: Vec<Candidate> = out
        .into_iter()
        .map(|(pid, reason)| Candidate {
            patient_id: pid,
            name: names.get(&pid).cloned().unwrap_or_default(),
            reason,
        })
        .collect();
    // Recent events first (they are why an MDO is needed now), then by name.
    result.sort_by(|a, b| {
        let never = |c: &Candidate| c.reason.starts_with("nog niet");
        never(a).cmp(&never(b)).then(a.name.cmp(&b.name))
    });
    Ok(result)
}

// ---------------------------------------------------------------------------------------
// Attendance.

/// Attendance of one discipline as entered.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct AttendanceInput {
    pub discipline: String,
    pub present: bool,
    pub name: Option<String>,
}

/// Records who attended (the practice's clinicians and administrator), once the meeting's
/// day has come; the meeting counts as held from then on. Disciplines must be known, at
/// least one present; names are bounded. Returns the attendance as stored.
pub async fn record_attendance(
    state: &AppState,
    cu: &CurrentUser,
    m: &Meeting,
    list: &[AttendanceInput],
    notes: Option<String>,
) -> AppResult<Vec<Attendance>> {
    require(may_organise(cu))?;
    not_before_the_meeting(m, today(), "de aanwezigheid")?;
    let mut errors = Vec::new();
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for a in list {
        let code = a.discipline.trim();
        if !DISCIPLINES.iter().any(|(c, _)| *c == code) {
            errors.push(format!("Onbekende discipline '{code}'."));
            continue;
        }
        if !seen.insert(code.to_string()) {
            errors.push(format!("{} staat twee keer in de lijst.", discipline_label(code)));
            continue;
        }
        let name = a
            .name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_string);
        if name.as_ref().is_some_and(|n| n.chars().count() > MAX_NAME) {
            errors.push(format!(
                "De naam bij {} mag hoogstens {MAX_NAME} tekens lang zijn.",
                discipline_label(code)
            ));
        }
        out.push(Attendance {
            discipline: code.to_string(),
            present: a.present,
            name,
        });
    }
    if !out.iter().any(|a| a.present) && errors.is_empty() {
        errors.push("Vink minstens één aanwezige discipline aan.".to_string());
    }
    let notes = notes.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
    if notes.as_ref().is_some_and(|n| n.chars().count() > MAX_TEXT) {
        errors.push(format!("De aantekeningen mogen hoogstens {MAX_TEXT} tekens lang zijn."));
    }
    invalid_unless_empty(errors)?;
    state.db.record_attendance(m.id, &out, notes.as_deref()).await?;
    audit(
        state,
        cu,
        None,
        "MDO-aanwezigheid vastgelegd",
        Some(format!(
            "MDO {} ({}): {} aanwezig",
            m.date,
            m.id,
            out.iter().filter(|a| a.present).count()
        )),
    )
    .await?;
    state.db.attendance(m.id).await.map_err(Into::into)
}

// ---------------------------------------------------------------------------------------
// Minutes with decisions.

/// One decision row of the minutes: the decision and the action that follows from it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct DecisionInput {
    pub decision: String,
    pub what: String,
    pub who: String,
    /// `jjjj-mm-dd`, or empty.
    pub due: Option<String>,
}

impl DecisionInput {
    fn is_empty(&self) -> bool {
        self.decision.trim().is_empty()
            && self.what.trim().is_empty()
            && self.who.trim().is_empty()
            && self.due.as_deref().is_none_or(|d| d.trim().is_empty())
    }
}

/// The minutes of one patient's discussion as entered.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct MinutesInput {
    pub minutes: String,
    pub decisions: Vec<DecisionInput>,
}

/// A decision, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decided {
    pub decision: String,
    pub action: CareAction,
}

/// The minutes as stored: the text, then the decisions with their actions.
pub fn minutes_text(minutes: &str, decided: &[Decided]) -> String {
    let mut out = minutes.trim().to_string();
    if !decided.is_empty() {
        if !out.is_empty() {
            out.push_str("\n\n");
        }
        out.push_str("Besluiten:");
        for d in decided {
            out.push_str("\n- ");
            if !d.decision.is_empty() {
                out.push_str(&d.decision);
                out.push_str(" → ");
            }
            out.push_str(&d.action.what);
            let mut extra = vec![d.action.who.clone()];
            if let Some(due) = d.action.due {
                extra.push(format!("vóór {}", fmt_date(due)));
            }
            out.push_str(&format!(" ({})", extra.join(", ")));
        }
    }
    out
}

/// The rules of minutes: some text or at least one decision; every decision row that is
/// not empty has an action (what) and who does it, a valid due date if any, bounded texts;
/// an action's "what" is new to the care plan (`existing`) and not repeated. Every problem
/// is listed.
pub fn validate_minutes(input: &MinutesInput, existing: &[CareAction]) -> AppResult<(String, Vec<Decided>)> {
    let mut errors = Vec::new();
    let minutes = input.minutes.trim().to_string();
    if minutes.chars().count() > MAX_TEXT {
        errors.push(format!("Het verslag mag hoogstens {MAX_TEXT} tekens lang zijn."));
    }
    let mut decided: Vec<Decided> = Vec::new();
    for (i, row) in input.decisions.iter().enumerate().filter(|(_, r)| !r.is_empty()) {
        let n = i + 1;
        let (decision, what, who) = (row.decision.trim(), row.what.trim(), row.who.trim());
        let label = if what.is_empty() {
            format!("Besluit {n}")
        } else {
            format!("Actie '{what}'")
        };
        if what.is_empty() {
            errors.push(format!("Besluit {n}: vul de actie in (wat er gebeurt)."));
        }
        if who.is_empty() {
            errors.push(format!("{label}: vul in wie het doet."));
        }
        if [decision, what, who].iter().any(|t| t.chars().count() > MAX_TEXT) {
            errors.push(format!("{label}: een tekst is langer dan {MAX_TEXT} tekens."));
        }
        let due = match row.due.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
            None => None,
            Some(d) => match NaiveDate::parse_from_str(d, "%Y-%m-%d") {
                Ok(d) => Some(d),
                Err(_) => {
                    errors.push(format!("{label}: '{d}' is geen geldige datum."));
                    None
                }
            },
        };
        if !what.is_empty() {
            if existing.iter().any(|a| a.what == what) {
                errors.push(format!(
                    "{label}: er staat al een actie met deze omschrijving in het zorgplan; omschrijf de nieuwe actie anders."
                ));
            } else if decided.iter().any(|d| d.action.what == what) {
                errors.push(format!("{label} staat twee keer in de besluiten."));
            }
        }
        decided.push(Decided {
            decision: decision.to_string(),
            action: CareAction {
                what: what.to_string(),
                who: who.to_string(),
                due,
                status: ActionStatus::Gepland,
            },
        });
    }
    if minutes.is_empty() && decided.is_empty() {
        errors.push("Vul het verslag in of leg minstens één besluit vast.".to_string());
    }
    invalid_unless_empty(errors)?;
    Ok((minutes, decided))
}

/// What saving minutes did.
#[derive(Debug, Clone, Serialize)]
pub struct MinutesSaved {
    /// The minutes as stored.
    pub minutes: String,
    /// The new care-plan version with the decisions' actions, when there were decisions.
    pub care_plan_version: Option<i64>,
    /// What changed in the care plan (Dutch).
    pub changes: Vec<String>,
}

/// Records the minutes of one patient's discussion (those who may contribute to the
/// patient's record, once the meeting's day has come). With decisions, first a new
/// care-plan version is saved on top of the current one with their actions added (409 when
/// someone saved the plan at the same moment; nothing is written then), then the minutes;
/// both leave an audit record. 404 when the patient is not on the agenda.
pub async fn record_minutes(
    state: &AppState,
    cu: &CurrentUser,
    m: &Meeting,
    patient_id: i64,
    input: &MinutesInput,
) -> AppResult<MinutesSaved> {
    let a = meeting_patient(state, cu, m, patient_id).await?;
    require(a.access.contribute)?;
    if !state.db.agenda(m.id).await?.iter().any(|i| i.patient_id == patient_id) {
        return Err(AppError::NotFound);
    }
    not_before_the_meeting(m, today(), "het verslag")?;
    let (version, plan) = current_care_plan(state, patient_id).await?;
    let (minutes, decided) = validate_minutes(input, &plan.actions)?;
    let mut saved = MinutesSaved {
        minutes: minutes_text(&minutes, &decided),
        care_plan_version: None,
        changes: Vec::new(),
    };
    // The decisions' actions go into a new care-plan version written in the same
    // transaction as the minutes.
    let mut new_version = None;
    if !decided.is_empty() {
        let mut new_plan = plan.clone();
        new_plan.actions.extend(decided.iter().map(|d| d.action.clone()));
        let new_plan = new_plan.normalised().map_err(AppError::Invalid)?;
        saved.changes = care_plan_changes(&plan, &new_plan);
        let mut summary = vec![format!("Besluiten uit het MDO van {}", fmt_date(m.date))];
        summary.extend(saved.changes.iter().cloned());
        new_version = Some((
            serde_json::to_string(&new_plan).map_err(|e| AppError::Internal(e.into()))?,
            summary.join("\n"),
        ));
    }
    let plan_version = new_version.as_ref().map(|(content, summary)| NewVersion {
        doc: Document::CarePlan,
        based_on: version,
        content,
        summary,
        user_id: cu.user.id,
        user_name: &cu.user.display_name,
    });
    saved.care_plan_version = state
        .db
        .record_minutes_with_plan(m.id, patient_id, &saved.minutes, plan_version)
        .await?;
    if let Some(v) = saved.care_plan_version {
        audit(
            state,
            cu,
            Some(&a.patient),
            "zorgplan gewijzigd",
            Some(format!("versie {v} (besluiten MDO {})", m.date)),
        )
        .await?;
    }
    audit(
        state,
        cu,
        Some(&a.patient),
        "MDO-verslag vastgelegd",
        Some(format!("MDO {} ({}), {} besluit(en)", m.date, m.id, decided.len())),
    )
    .await?;
    Ok(saved)
}

// ---------------------------------------------------------------------------------------
// Pages.

fn flash(code: Option<&str>) -> Option<String> {
    Some(
        match code? {
            "gepland" => "Het MDO is gepland.",
            "agenda" => "De patiënt staat op de agenda.",
            "aanwezigheid" => "De aanwezigheid is vastgelegd.",
            "verslag" => "Het verslag is vastgelegd.",
            "verslag-zorgplan" => "Het verslag is vastgelegd en de acties staan in het zorgplan.",
            _ => return None,
        }
        .to_string(),
    )
}

fn unprocessable(mut resp: Response) -> Response {
    *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    resp
}

fn level_label(code: &str) -> &'static str {
    MdoLevel::from_code(code).map_or("MDO", |l| l.label())
}

pub struct MeetingRow {
    pub id: i64,
    pub date: String,
    pub level: &'static str,
    pub invited: String,
    pub held: bool,
    pub upcoming: bool,
    pub agenda_count: i64,
}

fn meeting_row(m: &Meeting, today: NaiveDate) -> MeetingRow {
    MeetingRow {
        id: m.id,
        date: fmt_date(m.date),
        level: level_label(&m.level),
        invited: m
            .invited
            .iter()
            .map(|c| discipline_label(c))
            .collect::<Vec<_>>()
            .join(", "),
        held: m.held,
        upcoming: m.date >= today,
        agenda_count: m.agenda_count,
    }
}

#[derive(Template)]
#[template(path = "mdo.html")]
struct ListPage {
    me: Option<Me>,
    flash: Option<String>,
    csrf: String,
    can_plan: bool,
    errors: Vec<String>,
    form_date: String,
    form_level: String,
    form_invited: Vec<String>,
    levels: Vec<(&'static str, &'static str)>,
    disciplines: Vec<(&'static str, &'static str)>,
    quarters: Vec<Quarter>,
    meetings: Vec<MeetingRow>,
}

async fn list_view(
    state: &AppState,
    cu: &CurrentUser,
    form: PlanInput,
    errors: Vec<String>,
    flash: Option<String>,
) -> AppResult<ListPage> {
    let practice = staff_practice(cu)?;
    let day = today();
    let meetings = state.db.meetings(practice).await?;
    let agenda = state.db.practice_agenda(practice).await?;
    Ok(ListPage {
        me: Some(me(state, cu).await?),
        flash,
        csrf: cu.csrf.clone(),
        can_plan: may_organise(cu),
        errors,
        form_date: if form.date.is_empty() {
            (day + Duration::days(7)).to_string()
        } else {
            form.date
        },
        form_level: if form.level.is_empty() {
            "praktijk".into()
        } else {
            form.level
        },
        form_invited: if form.invited.is_empty() {
            vec!["huisarts".into(), "poh_o".into()]
        } else {
            form.invited
        },
        levels: MdoLevel::ALL.iter().map(|l| (l.code(), l.label())).collect(),
        disciplines: DISCIPLINES.to_vec(),
        quarters: quarters(&meetings, &agenda, day),
        meetings: meetings.iter().map(|m| meeting_row(m, day)).collect(),
    })
}

/// `GET /mdo`.
pub async fn list_page(
    State(state): State<AppState>,
    cu: CurrentUser,
    Query(q): Query<FlashQuery>,
) -> AppResult<Response> {
    let page = list_view(
        &state,
        &cu,
        PlanInput::default(),
        Vec::new(),
        flash(q.melding.as_deref()),
    )
    .await?;
    render(&page)
}

/// The repeated fields of a form, in order.
fn all<'a>(pairs: &'a [(String, String)], key: &str) -> Vec<&'a str> {
    pairs
        .iter()
        .filter(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .collect()
}

fn first(pairs: &[(String, String)], key: &str) -> String {
    all(pairs, key).first().copied().unwrap_or("").to_string()
}

/// `POST /mdo`.
pub async fn plan(State(state): State<AppState>, cu: CurrentUser, RawForm(body): RawForm) -> AppResult<Response> {
    staff_practice(&cu)?;
    require(may_organise(&cu))?;
    let pairs = form_pairs(&body)?;
    let input = PlanInput {
        date: first(&pairs, "date"),
        level: first(&pairs, "level"),
        invited: all(&pairs, "invited").into_iter().map(str::to_string).collect(),
    };
    match plan_meeting(&state, &cu, &input).await {
        Ok(id) => Ok(Redirect::to(&format!("/mdo/{id}?melding=gepland")).into_response()),
        Err(AppError::Invalid(mut errors)) => {
            errors.push("Het MDO is niet gepland.".into());
            let page = list_view(&state, &cu, input, errors, None).await?;
            Ok(unprocessable(render(&page)?))
        }
        Err(e) => Err(e),
    }
}

pub struct AgendaRow {
    pub patient_id: i64,
    pub name: String,
    pub reason: String,
    pub discussed: bool,
    pub minutes: String,
}

pub struct AttendanceRow {
    pub code: &'static str,
    pub label: &'static str,
    pub invited: bool,
    pub present: bool,
    pub name: String,
    pub recorded: bool,
}

pub struct SearchRow {
    pub patient_id: i64,
    pub name: String,
    pub birth: String,
}

#[derive(Template)]
#[template(path = "mdo_meeting.html")]
struct MeetingPage {
    me: Option<Me>,
    flash: Option<String>,
    csrf: String,
    m: MeetingRow,
    notes: String,
    can_organise: bool,
    can_write: bool,
    past: bool,
    errors: Vec<String>,
    agenda: Vec<AgendaRow>,
    attendance: Vec<AttendanceRow>,
    attendance_recorded: bool,
    query: String,
    searched: bool,
    results: Vec<SearchRow>,
    more_results: bool,
    candidates: Vec<Candidate>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MeetingQuery {
    melding: Option<String>,
    /// Search words for a patient to put on the agenda.
    zoek: Option<String>,
}

async fn meeting_view(
    state: &AppState,
    cu: &CurrentUser,
    m: &Meeting,
    query: Option<String>,
    errors: Vec<String>,
    flash: Option<String>,
) -> AppResult<MeetingPage> {
    let day = today();
    let items = state.db.agenda(m.id).await?;
    let list = practice_list(state, m.practice_id).await?;
    let ids: Vec<i64> = items.iter().map(|i| i.patient_id).collect();
    let names = practice_names(state, m.practice_id, &ids).await?;
    let mut agenda = Vec::with_capacity(items.len());
    for item in &items {
        let patient = state.db.patient(item.patient_id).await?;
        let name = names.get(&item.patient_id).cloned().unwrap_or_default();
        audit(
            state,
            cu,
            Some(&patient),
            "MDO ingezien",
            Some(format!("MDO {} ({})", m.date, m.id)),
        )
        .await?;
        agenda.push(AgendaRow {
            patient_id: item.patient_id,
            name,
            reason: item.reason.clone().unwrap_or_default(),
            discussed: item.discussed,
            minutes: item.minutes.clone().unwrap_or_default(),
        });
    }
    let recorded = state.db.attendance(m.id).await?;
    let attendance = DISCIPLINES
        .iter()
        .map(|(code, label)| {
            let r = recorded.iter().find(|a| a.discipline == *code);
            AttendanceRow {
                code,
                label,
                invited: m.invited.iter().any(|c| c == code),
                present: r.is_some_and(|a| a.present),
                name: r.and_then(|a| a.name.clone()).unwrap_or_default(),
                recorded: r.is_some(),
            }
        })
        .collect();
    let on_agenda: HashSet<i64> = items.iter().map(|i| i.patient_id).collect();
    let can_write = cu.user.role.is_practice_clinician();
    let query = query.map(|q| q.trim().to_string()).filter(|q| !q.is_empty());
    let mut results = Vec::new();
    let mut more_results = false;
    if let (Some(q), Some(list), true) = (&query, &list, can_write) {
        audit(state, cu, None, "MDO: patiënt gezocht", Some(q.clone())).await?;
        let found: Vec<_> = list
            .rows
            .iter()
            .filter(|r| !on_agenda.contains(&r.patient_id) && r.matches(q))
            .collect();
        more_results = found.len() > MAX_SEARCH_RESULTS;
        results = found
            .into_iter()
            .take(MAX_SEARCH_RESULTS)
            .map(|r| SearchRow {
                patient_id: r.patient_id,
                name: r.name.clone(),
                birth: fmt_date(r.birth_date),
            })
            .collect();
    }
    let candidates = if can_write && !m.held {
        candidates(state, m, &on_agenda).await?
    } else {
        Vec::new()
    };
    if !candidates.is_empty() {
        audit(
            state,
            cu,
            None,
            "MDO: voorstellen uit de werklijst bekeken",
            Some(format!("MDO {} ({}): {} patiënten", m.date, m.id, candidates.len())),
        )
        .await?;
    }
    Ok(MeetingPage {
        me: Some(me(state, cu).await?),
        flash,
        csrf: cu.csrf.clone(),
        m: meeting_row(m, day),
        notes: m.notes.clone().unwrap_or_default(),
        can_organise: may_organise(cu),
        can_write,
        past: m.date <= day,
        errors,
        agenda,
        attendance,
        attendance_recorded: !recorded.is_empty(),
        searched: query.is_some(),
        query: query.unwrap_or_default(),
        results,
        more_results,
        candidates,
    })
}

/// `GET /mdo/{meeting}`.
pub async fn meeting_page(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(meeting): Path<i64>,
    Query(q): Query<MeetingQuery>,
) -> AppResult<Response> {
    let m = load_meeting(&state, &cu, meeting).await?;
    let page = meeting_view(&state, &cu, &m, q.zoek, Vec::new(), flash(q.melding.as_deref())).await?;
    render(&page)
}

/// `POST /mdo/{meeting}/agenda`: fields `patient_id`, `reason`.
pub async fn add_patient(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(meeting): Path<i64>,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    let m = load_meeting(&state, &cu, meeting).await?;
    require(cu.user.role.is_practice_clinician())?;
    let pairs = form_pairs(&body)?;
    let patient_id: i64 = first(&pairs, "patient_id")
        .trim()
        .parse()
        .map_err(|_| AppError::invalid("Kies een patiënt om op de agenda te zetten."))?;
    match add_to_agenda(&state, &cu, &m, patient_id, &first(&pairs, "reason")).await {
        Ok(_) => Ok(Redirect::to(&format!("/mdo/{meeting}?melding=agenda")).into_response()),
        Err(AppError::Invalid(mut errors)) => {
            errors.push("De patiënt is niet op de agenda gezet.".into());
            let query = Some(first(&pairs, "zoek")).filter(|q| !q.trim().is_empty());
            let page = meeting_view(&state, &cu, &m, query, errors, None).await?;
            Ok(unprocessable(render(&page)?))
        }
        Err(e) => Err(e),
    }
}

/// `POST /mdo/{meeting}/aanwezigheid`: a checkbox `aanwezig` per discipline present (its
/// code), `naam_<code>` per discipline, `notes`.
pub async fn attendance(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(meeting): Path<i64>,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    let m = load_meeting(&state, &cu, meeting).await?;
    require(may_organise(&cu))?;
    let pairs = form_pairs(&body)?;
    let present: HashSet<&str> = all(&pairs, "aanwezig").into_iter().collect();
    let list: Vec<AttendanceInput> = DISCIPLINES
        .iter()
        .filter_map(|(code, _)| {
            let name = first(&pairs, &format!("naam_{code}"));
            let here = present.contains(code);
            (here || !name.trim().is_empty() || m.invited.iter().any(|c| c == code)).then(|| AttendanceInput {
                discipline: code.to_string(),
                present: here,
                name: Some(name),
            })
        })
        .collect();
    let unknown: Vec<String> = present
        .iter()
        .filter(|c| !DISCIPLINES.iter().any(|(d, _)| d == *c))
        .map(|c| format!("Onbekende discipline '{c}'."))
        .collect();
    let outcome = if unknown.is_empty() {
        record_attendance(&state, &cu, &m, &list, Some(first(&pairs, "notes"))).await
    } else {
        Err(AppError::Invalid(unknown))
    };
    match outcome {
        Ok(_) => Ok(Redirect::to(&format!("/mdo/{meeting}?melding=aanwezigheid")).into_response()),
        Err(AppError::Invalid(mut errors)) => {
            errors.push("De aanwezigheid is niet vastgelegd.".into());
            let page = meeting_view(&state, &cu, &m, None, errors, None).await?;
            Ok(unprocessable(render(&page)?))
        }
        Err(e) => Err(e),
    }
}

pub struct DecisionRow {
    pub decision: String,
    pub what: String,
    pub who: String,
    pub due: String,
}

#[derive(Template)]
#[template(path = "mdo_minutes.html")]
struct MinutesPage {
    me: Option<Me>,
    flash: Option<String>,
    csrf: String,
    m: MeetingRow,
    patient_id: i64,
    name: String,
    reason: String,
    can_write: bool,
    past: bool,
    errors: Vec<String>,
    minutes: String,
    recorded: String,
    rows: Vec<DecisionRow>,
    plan_version: i64,
    open_actions: Vec<String>,
}

async fn minutes_view(
    state: &AppState,
    cu: &CurrentUser,
    m: &Meeting,
    a: &Allowed,
    input: Option<&MinutesInput>,
    errors: Vec<String>,
) -> AppResult<MinutesPage> {
    let item = state
        .db
        .agenda(m.id)
        .await?
        .into_iter()
        .find(|i| i.patient_id == a.patient.id)
        .ok_or(AppError::NotFound)?;
    let (plan_version, plan) = current_care_plan(state, a.patient.id).await?;
    let recorded = item.minutes.clone().unwrap_or_default();
    let mut rows: Vec<DecisionRow> = input
        .map(|i| {
            i.decisions
                .iter()
                .filter(|d| !d.is_empty())
                .map(|d| DecisionRow {
                    decision: d.decision.clone(),
                    what: d.what.clone(),
                    who: d.who.clone(),
                    due: d.due.clone().unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default();
    for _ in 0..EMPTY_ROWS {
        rows.push(DecisionRow {
            decision: String::new(),
            what: String::new(),
            who: String::new(),
            due: String::new(),
        });
    }
    Ok(MinutesPage {
        me: Some(me(state, cu).await?),
        flash: None,
        csrf: cu.csrf.clone(),
        m: meeting_row(m, today()),
        patient_id: a.patient.id,
        name: patient_name(state, &a.patient).await?,
        reason: item.reason.unwrap_or_default(),
        can_write: a.access.contribute,
        past: m.date <= today(),
        errors,
        minutes: input.map_or_else(|| recorded.clone(), |i| i.minutes.clone()),
        recorded,
        rows,
        plan_version,
        open_actions: plan
            .open_actions()
            .map(|x| {
                let mut s = x.what.clone();
                if !x.who.is_empty() {
                    s.push_str(&format!(" — {}", x.who));
                }
                if let Some(d) = x.due {
                    s.push_str(&format!(", vóór {}", fmt_date(d)));
                }
                s
            })
            .collect(),
    })
}

/// `GET /mdo/{meeting}/patienten/{id}`.
pub async fn minutes_page(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path((meeting, id)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let m = load_meeting(&state, &cu, meeting).await?;
    let a = meeting_patient(&state, &cu, &m, id).await?;
    let page = minutes_view(&state, &cu, &m, &a, None, Vec::new()).await?;
    audit(
        &state,
        &cu,
        Some(&a.patient),
        "MDO-verslag ingezien",
        Some(format!("MDO {} ({})", m.date, m.id)),
    )
    .await?;
    render(&page)
}

/// Reads the minutes form: `minutes`, and per decision row `decision`, `action_what`,
/// `action_who`, `action_due` (repeated, in order).
fn minutes_from_form(pairs: &[(String, String)]) -> MinutesInput {
    let (decisions, whats, whos, dues) = (
        all(pairs, "decision"),
        all(pairs, "action_what"),
        all(pairs, "action_who"),
        all(pairs, "action_due"),
    );
    let n = decisions.len().max(whats.len()).max(whos.len()).max(dues.len());
    let at = |v: &[&str], i: usize| v.get(i).copied().unwrap_or("").to_string();
    MinutesInput {
        minutes: first(pairs, "minutes"),
        decisions: (0..n)
            .map(|i| DecisionInput {
                decision: at(&decisions, i),
                what: at(&whats, i),
                who: at(&whos, i),
                due: Some(at(&dues, i)),
            })
            .collect(),
    }
}

/// `POST /mdo/{meeting}/patienten/{id}`: the minutes and the decisions → care-plan actions.
pub async fn save_minutes(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path((meeting, id)): Path<(i64, i64)>,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    let m = load_meeting(&state, &cu, meeting).await?;
    let a = meeting_patient(&state, &cu, &m, id).await?;
    require(a.access.contribute)?;
    let input = minutes_from_form(&form_pairs(&body)?);
    match record_minutes(&state, &cu, &m, id, &input).await {
        Ok(saved) => {
            let code = if saved.care_plan_version.is_some() {
                "verslag-zorgplan"
            } else {
                "verslag"
            };
            Ok(Redirect::to(&format!("/mdo/{meeting}?melding={code}")).into_response())
        }
        Err(AppError::Invalid(mut errors)) => {
            errors.push("Het verslag is niet vastgelegd en het zorgplan is niet gewijzigd.".into());
            let page = minutes_view(&state, &cu, &m, &a, Some(&input), errors).await?;
            Ok(unprocessable(render(&page)?))
        }
        Err(e) => Err(e),
    }
}

// ---------------------------------------------------------------------------------------
// The JSON API.

#[derive(Debug, Serialize)]
pub struct ApiMeeting {
    id: i64,
    date: NaiveDate,
    /// `praktijk` or `netwerk`.
    level: String,
    /// Codes of the invited disciplines.
    invited: Vec<String>,
    held: bool,
    notes: Option<String>,
    agenda_count: i64,
}

impl From<&Meeting> for ApiMeeting {
    fn from(m: &Meeting) -> Self {
        ApiMeeting {
            id: m.id,
            date: m.date,
            level: m.level.clone(),
            invited: m.invited.clone(),
            held: m.held,
            notes: m.notes.clone(),
            agenda_count: m.agenda_count,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct ApiMeetings {
    /// Whether the signed-in user may plan meetings and record attendance.
    can_plan: bool,
    /// Newest quarter first.
    quarters: Vec<Quarter>,
    /// Newest first.
    meetings: Vec<ApiMeeting>,
}

/// `GET /api/v1/mdo`.
pub async fn api_list(State(state): State<AppState>, cu: CurrentUser) -> ApiResult<Json<ApiMeetings>> {
    let practice = staff_practice(&cu)?;
    let meetings = state.db.meetings(practice).await?;
    let agenda = state.db.practice_agenda(practice).await?;
    Ok(Json(ApiMeetings {
        can_plan: may_organise(&cu),
        quarters: quarters(&meetings, &agenda, today()),
        meetings: meetings.iter().map(ApiMeeting::from).collect(),
    }))
}

/// `POST /api/v1/mdo`: 201 with the meeting.
pub async fn api_plan(State(state): State<AppState>, cu: CurrentUser, body: Body<PlanInput>) -> ApiResult<Response> {
    staff_practice(&cu)?;
    require(may_organise(&cu))?;
    let id = plan_meeting(&state, &cu, &body.parse()?).await?;
    let m = state.db.meeting(id).await?;
    Ok((StatusCode::CREATED, Json(ApiMeeting::from(&m))).into_response())
}

#[derive(Debug, Serialize)]
pub struct ApiAgendaItem {
    patient_id: i64,
    name: String,
    reason: Option<String>,
    discussed: bool,
    minutes: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct ApiAttendance {
    discipline: String,
    present: bool,
    name: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct ApiMeetingDetail {
    meeting: ApiMeeting,
    agenda: Vec<ApiAgendaItem>,
    attendance: Vec<ApiAttendance>,
    /// Patients the worklist suggests for the agenda (empty once the meeting is held).
    candidates: Vec<Candidate>,
}

fn attendance_json(list: Vec<Attendance>) -> Vec<ApiAttendance> {
    list.into_iter()
        .map(|a| ApiAttendance {
            discipline: a.discipline,
            present: a.present,
            name: a.name,
        })
        .collect()
}

/// `GET /api/v1/mdo/{meeting}`: the meeting, its agenda (an audit record per patient),
/// the attendance and suggestions for the agenda.
pub async fn api_meeting(
    State(state): State<AppState>,
    cu: CurrentUser,
    Id(meeting): Id<i64>,
) -> ApiResult<Json<ApiMeetingDetail>> {
    let m = load_meeting(&state, &cu, meeting).await?;
    let items = state.db.agenda(m.id).await?;
    let mut agenda = Vec::with_capacity(items.len());
    for item in items {
        let patient = state.db.patient(item.patient_id).await?;
        audit(
            &state,
            &cu,
            Some(&patient),
            "MDO ingezien",
            Some(format!("MDO {} ({})", m.date, m.id)),
        )
        .await?;
        agenda.push(ApiAgendaItem {
            patient_id: item.patient_id,
            name: patient_name(&state, &patient).await?,
            reason: item.reason,
            discussed: item.discussed,
            minutes: item.minutes,
        });
    }
    let on_agenda: HashSet<i64> = agenda.iter().map(|a| a.patient_id).collect();
    let candidates = if cu.user.role.is_practice_clinician() && !m.held {
        candidates(&state, &m, &on_agenda).await?
    } else {
        Vec::new()
    };
    Ok(Json(ApiMeetingDetail {
        meeting: ApiMeeting::from(&m),
        agenda,
        attendance: attendance_json(state.db.attendance(m.id).await?),
        candidates,
    }))
}

#[derive(Debug, Deserialize)]
pub struct ApiAgendaInput {
    patient_id: i64,
    reason: String,
}

/// `POST /api/v1/mdo/{meeting}/agenda`: 201 with the agenda item.
pub async fn api_add(
    State(state): State<AppState>,
    cu: CurrentUser,
    Id(meeting): Id<i64>,
    body: Body<ApiAgendaInput>,
) -> ApiResult<Response> {
    let m = load_meeting(&state, &cu, meeting).await?;
    require(cu.user.role.is_practice_clinician())?;
    let body = body.parse()?;
    add_to_agenda(&state, &cu, &m, body.patient_id, &body.reason).await?;
    let item = state
        .db
        .agenda(m.id)
        .await?
        .into_iter()
        .find(|i| i.patient_id == body.patient_id)
        .ok_or(AppError::NotFound)?;
    let patient = state.db.patient(item.patient_id).await?;
    Ok((
        StatusCode::CREATED,
        Json(ApiAgendaItem {
            patient_id: item.patient_id,
            name: patient_name(&state, &patient).await?,
            reason: item.reason,
            discussed: item.discussed,
            minutes: item.minutes,
        }),
    )
        .into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ApiAttendanceInput {
    attendance: Vec<AttendanceInput>,
    notes: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct ApiAttendanceSaved {
    held: bool,
    attendance: Vec<ApiAttendance>,
}

/// `PUT /api/v1/mdo/{meeting}/attendance`: replaces the attendance list.
pub async fn api_attendance(
    State(state): State<AppState>,
    cu: CurrentUser,
    Id(meeting): Id<i64>,
    body: Body<ApiAttendanceInput>,
) -> ApiResult<Json<ApiAttendanceSaved>> {
    let m = load_meeting(&state, &cu, meeting).await?;
    require(may_organise(&cu))?;
    let body = body.parse()?;
    let list = record_attendance(&state, &cu, &m, &body.attendance, body.notes).await?;
    Ok(Json(ApiAttendanceSaved {
        held: true,
        attendance: attendance_json(list),
    }))
}

/// `POST /api/v1/mdo/{meeting}/agenda/{id}/minutes`: the minutes of patient `id`, with
/// decisions that become care-plan actions.
pub async fn api_minutes(
    State(state): State<AppState>,
    cu: CurrentUser,
    Id((meeting, id)): Id<(i64, i64)>,
    body: Body<MinutesInput>,
) -> ApiResult<Json<MinutesSaved>> {
    let m = load_meeting(&state, &cu, meeting).await?;
    require(cu.user.role.is_practice_clinician())?;
    let body = body.parse()?;
    Ok(Json(record_minutes(&state, &cu, &m, id, &body).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_plan_lists_every_problem_and_keeps_the_discipline_order() {
        let today = d("2027-03-01");
        let e = validate_plan(
            &PlanInput {
                date: "2027-02-30".into(),
                level: "wijk".into(),
                invited: vec!["tandarts".into()],
            },
            today,
        )
        .unwrap_err();
        let AppError::Invalid(list) = e else { panic!("{e:?}") };
        assert_eq!(
            list,
            [
                "Datum: vul een geldige datum in.",
                "Kies of het een praktijk-MDO of een netwerk-MDO is.",
                "Onbekende discipline 'tandarts'.",
            ]
        );
        let ok = validate_plan(
            &PlanInput {
                date: "2027-03-08".into(),
                level: "netwerk".into(),
                invited: vec!["apotheker".into(), "huisarts".into(), " ".into()],
            },
            today,
        )
        .unwrap();
        assert_eq!(ok.level, MdoLevel::Network);
        assert_eq!(ok.invited, ["huisarts", "apotheker"]);
        assert!(validate_plan(
            &PlanInput {
                invited: vec![],
                ..ok_input()
            },
            today
        )
        .is_err());
    }

    fn ok_input() -> PlanInput {
        PlanInput {
            date: "2027-03-08".into(),
            level: "praktijk".into(),
            invited: vec!["huisarts".into()],
        }
    }

    #[test]
    fn minutes_need_an_action_and_someone_for_every_decision() {
        let existing = vec![CareAction {
            what: "Huisbezoek".into(),
            who: "POH-O".into(),
            due: None,
            status: ActionStatus::Gepland,
        }];
        let input = MinutesInput {
            minutes: String::new(),
            decisions: vec![
                DecisionInput {
                    decision: "Valrisico verkleinen".into(),
                    ..Default::default()
                },
                DecisionInput::default(),
                DecisionInput {
                    what: "Huisbezoek".into(),
                    who: "Wijkverpleging".into(),
                    due: Some("morgen".into()),
                    ..Default::default()
                },
            ],
        };
        let e = validate_minutes(&input, &existing).unwrap_err();
        let AppError::Invalid(list) = e else { panic!("{e:?}") };
        assert_eq!(
            list,
            [
                "Besluit 1: vul de actie in (wat er gebeurt).",
                "Besluit 1: vul in wie het doet.",
                "Actie 'Huisbezoek': 'morgen' is geen geldige datum.",
                "Actie 'Huisbezoek': er staat al een actie met deze omschrijving in het zorgplan; omschrijf de nieuwe actie anders.",
            ]
        );
        let e = validate_minutes(&MinutesInput::default(), &existing).unwrap_err();
        let AppError::Invalid(list) = e else { panic!("{e:?}") };
        assert_eq!(list, ["Vul het verslag in of leg minstens één besluit vast."]);
    }

    #[test]
    fn decisions_become_planned_actions_and_a_line_in_the_minutes() {
        let input = MinutesInput {
            minutes: " Besproken: valt vaker. ".into(),
            decisions: vec![DecisionInput {
                decision: "Valpreventie".into(),
                what: "Fysiotherapie aanvragen".into(),
                who: "Huisarts".into(),
                due: Some("2027-03-15".into()),
            }],
        };
        let (minutes, decided) = validate_minutes(&input, &[]).unwrap();
        assert_eq!(decided[0].action.status, ActionStatus::Gepland);
        assert_eq!(decided[0].action.due, Some(d("2027-03-15")));
        assert_eq!(
            minutes_text(&minutes, &decided),
            "Besproken: valt vaker.\n\nBesluiten:\n- Valpreventie → Fysiotherapie aanvragen (Huisarts, vóór 15-03-2027)"
        );
    }

    #[test]
    fn quarters_count_held_meetings_and_different_patients() {
        let meeting = |id, date: &str, held| Meeting {
            id,
            practice_id: 1,
            date: d(date),
            level: "praktijk".into(),
            invited: vec![],
            held,
            notes: None,
            agenda_count: 0,
        };
        let entry = |meeting_id, date: &str, held, patient_id, discussed| AgendaEntry {
            meeting_id,
            meeting_date: d(date),
            held,
            patient_id,
            discussed,
        };
        let meetings = [
            meeting(1, "2027-01-10", true),
            meeting(2, "2027-03-20", true),
            meeting(3, "2027-04-02", false),
        ];
        let agenda = [
            entry(1, "2027-01-10", true, 7, true),
            entry(2, "2027-03-20", true, 7, true),
            entry(2, "2027-03-20", true, 8, false),
            entry(3, "2027-04-02", false, 9, false),
        ];
        assert_eq!(
            quarters(&meetings, &agenda, d("2027-05-01")),
            [
                Quarter {
                    quarter: "2027-Q2".into(),
                    meetings_held: 0,
                    meetings_planned: 1,
                    patients_discussed: 0
                },
                Quarter {
                    quarter: "2027-Q1".into(),
                    meetings_held: 2,
                    meetings_planned: 0,
                    patients_discussed: 1
                },
            ]
        );
    }
}
