//! `/mdo`: the practice's meetings with counts per quarter, and planning a meeting.

use askama::Template;
use axum::extract::{Query, RawForm, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Duration;
use kernteam_app::mdo::{InviteeChoice, Quarter};
use kernteam_domain::events::{MdoLevel, DISCIPLINES};
use kernteam_domain::mdo::{InviteeInput, PlanInput};

use super::{all, first, flash, meeting_row, unprocessable, MeetingRow};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::pages::{me, render, FlashQuery, Me};
use crate::patients::today;
use crate::process::form_pairs;
use crate::AppState;

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
    form_time: String,
    form_place: String,
    form_link: String,
    /// Keys of the chosen invitees.
    form_invitees: Vec<String>,
    form_other: String,
    form_other_role: String,
    /// The choices by group: (heading, choices).
    choices: Vec<(&'static str, Vec<InviteeChoice>)>,
    levels: Vec<(&'static str, &'static str)>,
    disciplines: Vec<(&'static str, &'static str)>,
    quarters: Vec<Quarter>,
    meetings: Vec<MeetingRow>,
}

/// The plan form as entered: the input and the keys of the invitees chosen.
#[derive(Default)]
struct PlanForm {
    input: PlanInput,
    keys: Vec<String>,
    other: String,
    other_role: String,
}

async fn list_view(
    state: &AppState,
    cu: &CurrentUser,
    form: PlanForm,
    errors: Vec<String>,
    flash: Option<String>,
) -> AppResult<ListPage> {
    let actor = cu.actor();
    let staff = state.app.practice_staff(&actor).await?;
    let overview = state.app.mdo_overview(&staff).await?;
    let choices = if overview.can_plan {
        state.app.mdo_invitee_choices(&staff).await?
    } else {
        Vec::new()
    };
    let PlanForm {
        input: form,
        keys,
        other,
        other_role,
    } = form;
    let fresh = form.date.is_empty();
    let day = today();
    Ok(ListPage {
        me: Some(me(state, cu).await?),
        flash,
        csrf: cu.csrf.clone(),
        can_plan: overview.can_plan,
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
        form_invited: form.invited,
        form_time: if fresh { "12:30".into() } else { form.time },
        form_place: form.place,
        form_link: form.video_link,
        form_invitees: keys,
        form_other: other,
        form_other_role: other_role,
        choices: grouped(choices),
        levels: MdoLevel::ALL.iter().map(|l| (l.code(), l.label())).collect(),
        disciplines: DISCIPLINES.to_vec(),
        quarters: overview.quarters,
        meetings: overview.meetings.iter().map(|m| meeting_row(m, day)).collect(),
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
        PlanForm::default(),
        Vec::new(),
        flash(q.melding.as_deref()),
    )
    .await?;
    render(&page)
}

/// The choices under their headings, empty groups left out.
pub(super) fn grouped(choices: Vec<InviteeChoice>) -> Vec<(&'static str, Vec<InviteeChoice>)> {
    [
        ("praktijk", "Uit de praktijk"),
        ("netwerk", "Uit het netwerk"),
        ("zorgteam", "Uit de zorgteams"),
    ]
    .into_iter()
    .map(|(code, heading)| {
        (
            heading,
            choices.iter().filter(|c| c.group == code).cloned().collect::<Vec<_>>(),
        )
    })
    .filter(|(_, list)| !list.is_empty())
    .collect()
}

/// The invitees a form chose (`invitee`: keys of `choices`, repeated) and the one typed in
/// (`invitee_name`, `invitee_role`); a key not offered is an error.
pub(super) fn chosen_invitees(
    pairs: &[(String, String)],
    choices: &[InviteeChoice],
) -> (Vec<String>, Vec<InviteeInput>, Vec<String>) {
    let keys: Vec<String> = all(pairs, "invitee").into_iter().map(str::to_string).collect();
    let mut list = Vec::new();
    let mut errors = Vec::new();
    for k in &keys {
        match choices.iter().find(|c| &c.key == k) {
            Some(c) => list.push(c.input()),
            None => errors.push("Een gekozen genodigde kan niet (meer) worden uitgenodigd; kies opnieuw.".to_string()),
        }
    }
    let other = first(pairs, "invitee_name");
    if !other.trim().is_empty() {
        let role = first(pairs, "invitee_role");
        list.push(InviteeInput {
            name: other,
            role: Some(role).filter(|r| !r.trim().is_empty()),
            ..Default::default()
        });
    }
    errors.dedup();
    (keys, list, errors)
}

/// `POST /mdo`: fields `date`, `time`, `level`, `place`, `video_link`, `invitee`
/// (repeated keys of the choices), `invitee_name` and `invitee_role` (someone else),
/// `invited` (disciplines without a name, repeated).
pub async fn plan(State(state): State<AppState>, cu: CurrentUser, RawForm(body): RawForm) -> AppResult<Response> {
    let organiser = state.app.mdo_organiser(&cu.actor()).await?;
    let pairs = form_pairs(&body)?;
    let choices = state.app.mdo_invitee_choices(organiser.staff()).await?;
    let (keys, invitees, unknown) = chosen_invitees(&pairs, &choices);
    let input = PlanInput {
        date: first(&pairs, "date"),
        level: first(&pairs, "level"),
        invited: all(&pairs, "invited").into_iter().map(str::to_string).collect(),
        time: first(&pairs, "time"),
        place: first(&pairs, "place"),
        video_link: first(&pairs, "video_link"),
        invitees,
    };
    let outcome = if unknown.is_empty() {
        state.app.plan_mdo(&organiser, &input).await.map_err(AppError::from)
    } else {
        Err(AppError::Invalid(unknown))
    };
    match outcome {
        Ok(m) => Ok(Redirect::to(&format!("/mdo/{}?melding=gepland", m.id)).into_response()),
        Err(AppError::Invalid(mut errors)) => {
            errors.push("Het MDO is niet gepland.".into());
            let form = PlanForm {
                other: first(&pairs, "invitee_name"),
                other_role: first(&pairs, "invitee_role"),
                input,
                keys,
            };
            let page = list_view(&state, &cu, form, errors, None).await?;
            Ok(unprocessable(render(&page)?))
        }
        Err(e) => Err(e),
    }
}
