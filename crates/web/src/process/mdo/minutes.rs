//! `/mdo/{meeting}/patienten/{id}`: the minutes of one patient's discussion, whose
//! decisions become actions in the patient's care plan. A refused form shows the stored
//! record again: that is a read, logged like the first one.

use askama::Template;
use axum::extract::{Path, RawForm, State};
use axum::response::{IntoResponse, Redirect, Response};
use kernteam_app::mdo::{MdoMeeting, MinutesShown};
use kernteam_domain::mdo::{DecisionInput, MinutesInput};

use super::{all, first, limits_text, meeting_row, unprocessable, MeetingRow};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::pages::{fmt_date, me, render, Me};
use crate::patients::today;
use crate::process::form_pairs;
use crate::AppState;

/// Empty decision rows below the filled ones, so that the form works without JavaScript.
const EMPTY_ROWS: usize = 3;

pub struct DecisionRow {
    pub decision: String,
    pub what: String,
    /// The care-team member chosen (their id as text; empty: none).
    pub member: String,
    /// Who as text (only from the API or an older form; shown when no member is chosen).
    pub who: String,
    pub due: String,
}

/// A member of the care team as the "who" list offers them.
pub struct TeamOption {
    pub id: String,
    pub label: String,
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
    team: Vec<TeamOption>,
    limits: String,
    has_limits: bool,
}

async fn minutes_view(
    state: &AppState,
    cu: &CurrentUser,
    mm: &MdoMeeting,
    shown: MinutesShown,
    input: Option<&MinutesInput>,
    errors: Vec<String>,
) -> AppResult<MinutesPage> {
    let m = mm.meeting();
    let (limits, has_limits) = limits_text(&shown.limits);
    let team = shown
        .team
        .iter()
        .map(|t| TeamOption {
            id: t.id.to_string(),
            label: match &t.role {
                Some(r) => format!("{} ({r})", t.name),
                None => t.name.clone(),
            },
        })
        .collect();
    let mut rows: Vec<DecisionRow> = input
        .map(|i| {
            i.decisions
                .iter()
                .filter(|d| !d.is_empty())
                .map(|d| DecisionRow {
                    decision: d.decision.clone(),
                    what: d.what.clone(),
                    member: d.member.map(|m| m.to_string()).unwrap_or_default(),
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
            member: String::new(),
            who: String::new(),
            due: String::new(),
        });
    }
    Ok(MinutesPage {
        me: Some(me(state, cu).await?),
        flash: None,
        csrf: cu.csrf.clone(),
        m: meeting_row(m, today()),
        patient_id: shown.patient_id,
        name: shown.name,
        reason: shown.reason.unwrap_or_default(),
        can_write: shown.can_write,
        past: m.date <= today(),
        errors,
        minutes: input.map_or_else(|| shown.recorded.clone(), |i| i.minutes.clone()),
        recorded: shown.recorded,
        rows,
        plan_version: shown.plan_version,
        open_actions: shown
            .open_actions
            .iter()
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
        team,
        limits,
        has_limits,
    })
}

/// `GET /mdo/{meeting}/patienten/{id}`.
pub async fn minutes_page(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path((meeting, id)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let mm = state.app.mdo_meeting(&cu.actor(), meeting).await?;
    let shown = state.app.mdo_minutes(&mm, id).await?;
    render(&minutes_view(&state, &cu, &mm, shown, None, Vec::new()).await?)
}

/// Reads the minutes form: `minutes`, and per decision row `action_what`, `action_member`
/// (a care-team member's id), `action_due` (repeated, in order); `decision` and
/// `action_who` (who as text) are read when sent. A member that is not a number is
/// refused.
fn minutes_from_form(pairs: &[(String, String)]) -> Result<MinutesInput, Vec<String>> {
    let (decisions, whats, members, whos, dues) = (
        all(pairs, "decision"),
        all(pairs, "action_what"),
        all(pairs, "action_member"),
        all(pairs, "action_who"),
        all(pairs, "action_due"),
    );
    let n = [decisions.len(), whats.len(), members.len(), whos.len(), dues.len()]
        .into_iter()
        .max()
        .unwrap_or(0);
    let at = |v: &[&str], i: usize| v.get(i).copied().unwrap_or("").to_string();
    let mut errors = Vec::new();
    let decisions = (0..n)
        .map(|i| DecisionInput {
            decision: at(&decisions, i),
            what: at(&whats, i),
            who: at(&whos, i),
            member: match at(&members, i).trim() {
                "" => None,
                m => m
                    .parse()
                    .map_err(|_| errors.push(format!("Besluit {}: kies wie het doet uit het zorgteam.", i + 1)))
                    .ok(),
            },
            due: Some(at(&dues, i)),
        })
        .collect();
    if errors.is_empty() {
        Ok(MinutesInput {
            minutes: first(pairs, "minutes"),
            decisions,
        })
    } else {
        Err(errors)
    }
}

/// `POST /mdo/{meeting}/patienten/{id}`: the minutes and the decisions → care-plan actions.
pub async fn save_minutes(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path((meeting, id)): Path<(i64, i64)>,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    let mm = state.app.mdo_meeting(&cu.actor(), meeting).await?;
    // Access first (404/403), then the body.
    state.app.contributor(&cu.actor(), id).await?;
    let (input, read) = match minutes_from_form(&form_pairs(&body)?) {
        Ok(i) => (i, Ok(())),
        Err(e) => (MinutesInput::default(), Err(AppError::Invalid(e))),
    };
    let outcome = match read {
        Ok(()) => state
            .app
            .record_mdo_minutes(&mm, id, &input)
            .await
            .map_err(AppError::from),
        Err(e) => Err(e),
    };
    match outcome {
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
            let shown = state.app.mdo_minutes(&mm, id).await?;
            let page = minutes_view(&state, &cu, &mm, shown, Some(&input), errors).await?;
            Ok(unprocessable(render(&page)?))
        }
        Err(e) => Err(e),
    }
}
