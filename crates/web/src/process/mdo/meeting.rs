//! `/mdo/{meeting}`: the agenda (with the search in the practice list and the worklist's
//! suggestions), the attendance; putting a patient on the agenda and recording who
//! attended. A refused form shows the page again: its patients are read (and logged) anew.

use std::collections::HashSet;

use askama::Template;
use axum::extract::{Path, Query, RawForm, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use kernteam_app::mdo::{Candidate, InviteeChoice, MdoMeeting};
use kernteam_domain::events::DISCIPLINES;
use kernteam_domain::mdo::AttendanceInput;
use serde::Deserialize;

use super::list::{chosen_invitees, grouped};
use super::{all, first, flash, limits_text, meeting_row, unprocessable, MeetingRow};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::pages::{fmt_date, me, render, Me};
use crate::patients::today;
use crate::process::form_pairs;
use crate::AppState;

/// Search results offered for the agenda.
const MAX_SEARCH_RESULTS: usize = 20;

pub struct AgendaRow {
    pub patient_id: i64,
    pub name: String,
    pub reason: String,
    pub discussed: bool,
    pub minutes: String,
    /// "Niet reanimeren · Geen ziekenhuisopname", "Geen behandelgrenzen afgesproken" or
    /// "Nog geen PZP".
    pub limits: String,
    pub has_limits: bool,
}

pub struct InviteeRow {
    pub id: i64,
    pub name: String,
    pub role: String,
    /// `None`: not recorded yet.
    pub present: Option<bool>,
}

fn agenda_row(a: kernteam_app::mdo::AgendaShown) -> AgendaRow {
    let (limits, has_limits) = limits_text(&a.limits);
    AgendaRow {
        patient_id: a.patient_id,
        name: a.name,
        reason: a.reason.unwrap_or_default(),
        discussed: a.discussed,
        minutes: a.minutes.unwrap_or_default(),
        limits,
        has_limits,
    }
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
    invitees: Vec<InviteeRow>,
    invite_choices: Vec<(&'static str, Vec<InviteeChoice>)>,
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

/// The patients of the practice list matching the search words, not on the agenda (the
/// practice's clinicians only); each shown is a logged read. Returns the rows and whether
/// there were more.
async fn search(
    state: &AppState,
    mm: &MdoMeeting,
    query: &str,
    on_agenda: &HashSet<i64>,
) -> AppResult<(Vec<SearchRow>, bool)> {
    let (found, more) = state
        .app
        .search_for_mdo(mm, query, on_agenda, MAX_SEARCH_RESULTS)
        .await?;
    let rows = found
        .into_iter()
        .map(|r| SearchRow {
            patient_id: r.patient_id,
            name: r.name,
            birth: fmt_date(r.birth_date),
        })
        .collect();
    Ok((rows, more))
}

async fn meeting_view(
    state: &AppState,
    cu: &CurrentUser,
    mm: &MdoMeeting,
    query: Option<String>,
    errors: Vec<String>,
    flash: Option<String>,
) -> AppResult<MeetingPage> {
    let app = &state.app;
    let m = mm.meeting();
    let day = today();
    let shown = app.mdo_agenda(mm).await?;
    let on_agenda: HashSet<i64> = shown.iter().map(|a| a.patient_id).collect();
    let agenda = shown.into_iter().map(agenda_row).collect();
    let invitees: Vec<InviteeRow> = app
        .mdo_invitees(mm)
        .await?
        .into_iter()
        .map(|i| InviteeRow {
            id: i.id,
            name: i.name,
            role: i.role.unwrap_or_default(),
            present: i.present,
        })
        .collect();
    let invitees_recorded = invitees.iter().any(|i| i.present.is_some());
    let invite_choices = if mm.may_organise() {
        grouped(app.mdo_meeting_invitee_choices(mm).await?)
    } else {
        Vec::new()
    };
    let recorded = app.mdo_attendance(mm).await?;
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
    let can_write = mm.may_write();
    let query = query.map(|q| q.trim().to_string()).filter(|q| !q.is_empty());
    let (results, more_results) = match (&query, can_write) {
        (Some(q), true) => search(state, mm, q, &on_agenda).await?,
        _ => (Vec::new(), false),
    };
    let candidates = app.mdo_candidates(mm).await?;
    Ok(MeetingPage {
        me: Some(me(state, cu).await?),
        flash,
        csrf: cu.csrf.clone(),
        m: meeting_row(m, day),
        notes: m.notes.clone().unwrap_or_default(),
        can_organise: mm.may_organise(),
        can_write,
        past: m.date <= day,
        errors,
        agenda,
        invitees,
        invite_choices,
        attendance,
        attendance_recorded: !recorded.is_empty() || invitees_recorded,
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
    let mm = state.app.mdo_meeting(&cu.actor(), meeting).await?;
    let page = meeting_view(&state, &cu, &mm, q.zoek, Vec::new(), flash(q.melding.as_deref())).await?;
    render(&page)
}

/// The answer to a suggestion put on the agenda by the page's script
/// (`X-Kernteam-Fragment`): the suggestion's row, replaced, and the new agenda row.
#[derive(Template)]
#[template(path = "mdo_agenda_added.html")]
struct AddedFragment {
    m: MeetingRow,
    csrf: String,
    can_write: bool,
    past: bool,
    /// The agenda row when the patient was put on it.
    added: Option<AgendaRow>,
    /// The suggestion again, with what was wrong, when not.
    candidate: Option<Candidate>,
    errors: Vec<String>,
}

fn wants_fragment(headers: &HeaderMap) -> bool {
    headers.get("x-kernteam-fragment").is_some_and(|v| v.as_bytes() == b"1")
}

/// `POST /mdo/{meeting}/agenda`: fields `patient_id`, `reason` (and `zoek`, the search to
/// show again when the form is refused). With the header `X-Kernteam-Fragment: 1` (the
/// page's script) the answer is the HTML of the suggestion's row and the new agenda row
/// instead of a redirect, and a refused suggestion comes back as its row with the errors.
pub async fn add_patient(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(meeting): Path<i64>,
    headers: HeaderMap,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    let mm = state.app.mdo_meeting(&cu.actor(), meeting).await?;
    let pairs = form_pairs(&body)?;
    let patient = first(&pairs, "patient_id").trim().parse::<i64>();
    let reason = first(&pairs, "reason");
    let outcome = match patient {
        Ok(patient_id) => state
            .app
            .add_to_mdo_agenda(&mm, patient_id, &reason)
            .await
            .map_err(AppError::from),
        Err(_) => match state.app.mdo_writer(&mm).await {
            Ok(()) => Err(AppError::invalid("Kies een patiënt om op de agenda te zetten.")),
            Err(e) => Err(e.into()),
        },
    };
    if let (true, Ok(patient_id)) = (wants_fragment(&headers), patient) {
        let day = today();
        let mut fragment = AddedFragment {
            m: meeting_row(mm.meeting(), day),
            csrf: cu.csrf.clone(),
            can_write: mm.may_write(),
            past: mm.meeting().date <= day,
            added: None,
            candidate: None,
            errors: Vec::new(),
        };
        let status = match outcome {
            Ok(_) => {
                fragment.added = Some(agenda_row(state.app.mdo_agenda_item(&mm, patient_id).await?));
                StatusCode::OK
            }
            Err(AppError::Invalid(errors)) => {
                let name = state.app.mdo_agenda_candidate_name(&mm, patient_id).await?;
                fragment.candidate = Some(Candidate {
                    patient_id,
                    name,
                    reason,
                });
                fragment.errors = errors;
                StatusCode::UNPROCESSABLE_ENTITY
            }
            Err(e) => return Err(e),
        };
        let mut resp = render(&fragment)?;
        *resp.status_mut() = status;
        return Ok(resp);
    }
    match outcome {
        Ok(_) => Ok(Redirect::to(&format!("/mdo/{meeting}?melding=agenda")).into_response()),
        Err(AppError::Invalid(mut errors)) => {
            errors.push("De patiënt is niet op de agenda gezet.".into());
            let query = Some(first(&pairs, "zoek")).filter(|q| !q.trim().is_empty());
            let page = meeting_view(&state, &cu, &mm, query, errors, None).await?;
            Ok(unprocessable(render(&page)?))
        }
        Err(e) => Err(e),
    }
}

/// `POST /mdo/{meeting}/genodigden`: more invitees, fields `invitee` (keys of the
/// choices, repeated), `invitee_name` and `invitee_role` (someone else).
pub async fn invite(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(meeting): Path<i64>,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    let actor = cu.actor();
    let mm = state.app.mdo_meeting(&actor, meeting).await?;
    let organiser = state.app.mdo_organiser(&actor).await?;
    let pairs = form_pairs(&body)?;
    let choices = state.app.mdo_meeting_invitee_choices(&mm).await?;
    let (_, list, unknown) = chosen_invitees(&pairs, &choices);
    let outcome = if unknown.is_empty() {
        state
            .app
            .invite_to_mdo(&organiser, &mm, &list)
            .await
            .map_err(AppError::from)
    } else {
        Err(AppError::Invalid(unknown))
    };
    match outcome {
        Ok(_) => Ok(Redirect::to(&format!("/mdo/{meeting}?melding=uitgenodigd")).into_response()),
        Err(AppError::Invalid(mut errors)) => {
            errors.push("Er is niemand uitgenodigd.".into());
            let page = meeting_view(&state, &cu, &mm, None, errors, None).await?;
            Ok(unprocessable(render(&page)?))
        }
        Err(e) => Err(e),
    }
}

/// `POST /mdo/{meeting}/aanwezigheid`: a checkbox `genodigde` per invitee present (their
/// id), a checkbox `aanwezig` per discipline present (its code), `naam_<code>` per
/// discipline, `notes`.
pub async fn attendance(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(meeting): Path<i64>,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    let actor = cu.actor();
    let mm = state.app.mdo_meeting(&actor, meeting).await?;
    let organiser = state.app.mdo_organiser(&actor).await?;
    let m = mm.meeting();
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
    let mut unknown: Vec<String> = present
        .iter()
        .filter(|c| !DISCIPLINES.iter().any(|(d, _)| d == *c))
        .map(|c| format!("Onbekende discipline '{c}'."))
        .collect();
    unknown.sort();
    let mut invitees_present = Vec::new();
    for v in all(&pairs, "genodigde") {
        match v.trim().parse::<i64>() {
            Ok(id) => invitees_present.push(id),
            Err(_) => unknown.push(format!("Onbekende genodigde '{v}'.")),
        }
    }
    let outcome = if unknown.is_empty() {
        state
            .app
            .record_mdo_attendance(&organiser, &mm, &list, &invitees_present, Some(first(&pairs, "notes")))
            .await
            .map_err(AppError::from)
    } else {
        Err(AppError::Invalid(unknown))
    };
    match outcome {
        Ok(_) => Ok(Redirect::to(&format!("/mdo/{meeting}?melding=aanwezigheid")).into_response()),
        Err(AppError::Invalid(mut errors)) => {
            errors.push("De aanwezigheid is niet vastgelegd.".into());
            let page = meeting_view(&state, &cu, &mm, None, errors, None).await?;
            Ok(unprocessable(render(&page)?))
        }
        Err(e) => Err(e),
    }
}
