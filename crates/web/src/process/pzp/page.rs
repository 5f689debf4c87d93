//! `GET /patienten/{id}/pzp`: the PZP read-only, its treatment limits on top and a
//! "Wijzigen" link for those who may edit it; `?wijzigen=ja` opens the form (a plain link,
//! so it works without JavaScript). The treatment section of the form is there only for
//! those who may change the limits (a huisarts of the practice).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use kernteam_app::gate::Visible;
use kernteam_app::pzp::{PzpPeople, PzpRecord};
use kernteam_app::{today, Action};
use kernteam_domain::pzp::{AdvanceCarePlan, WishDecision};

use super::form::{PzpForm, PARTICIPANT_PATIENT, PARTICIPANT_REPRESENTATIVE};
use super::view::{view, PzpView};
use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::pages::{fmt_timestamp, me, render, Me};
use crate::AppState;

#[derive(Template)]
#[template(path = "pzp.html")]
pub struct PzpPage {
    me: Option<Me>,
    flash: Option<String>,
    csrf: String,
    patient_id: i64,
    banner: crate::pages::banner::Banner,
    version: i64,
    /// The version the form starts from (its hidden `based_on`).
    pub based_on: i64,
    at: String,
    by: String,
    can_edit: bool,
    /// May change the treatment wishes and limits (the form then has them).
    can_change_limits: bool,
    /// The form is open (after "Wijzigen", or shown again with problems).
    editing: bool,
    errors: Vec<String>,
    today: String,
    pzp: PzpView,
    form: PzpForm,
    places: [&'static str; 5],
    participant_labels: [&'static str; 2],
    decisions: Vec<(&'static str, &'static str)>,
}

const PLACES: [&str; 5] = ["Thuis", "Verpleeghuis", "Hospice", "Ziekenhuis", "Bij familie"];

fn flash_of(code: Option<&str>, version: i64) -> Option<String> {
    match code? {
        "opgeslagen" => Some(format!(
            "De proactieve zorgplanning is opgeslagen als versie {version}."
        )),
        "ongewijzigd" => Some("Er was niets gewijzigd; er is geen nieuwe versie gemaakt.".into()),
        _ => None,
    }
}

#[allow(clippy::too_many_arguments)]
/// The page for the stored PZP `record`, showing `shown` and the `form` as given.
pub async fn pzp_page(
    state: &AppState,
    cu: &CurrentUser,
    v: &Visible,
    record: &PzpRecord,
    shown: &AdvanceCarePlan,
    form: PzpForm,
    errors: Vec<String>,
    flash: Option<String>,
    editing: bool,
) -> AppResult<PzpPage> {
    let (at, by) = record
        .versions
        .first()
        .map(|x| (fmt_timestamp(&x.created_at), x.created_by_name.clone()))
        .unwrap_or_default();
    let mut pzp = view(shown);
    if let Some(m) = shown.representative_member {
        pzp.representative_name = state
            .db
            .team(v.patient().id)
            .await?
            .into_iter()
            .find(|t| t.id == m)
            .map(|t| t.name)
            .unwrap_or_default();
    }
    Ok(PzpPage {
        me: Some(me(state, cu).await?),
        flash,
        csrf: cu.csrf.clone(),
        patient_id: v.patient().id,
        banner: crate::pages::banner::Banner::load(state, v).await?,
        version: record.version,
        based_on: record.version,
        at,
        by,
        can_edit: v.access().edit_pzp,
        can_change_limits: v.access().change_limits,
        editing: v.access().edit_pzp && (editing || !errors.is_empty()),
        errors,
        today: today().to_string(),
        pzp,
        form,
        places: PLACES,
        participant_labels: [PARTICIPANT_PATIENT, PARTICIPANT_REPRESENTATIVE],
        decisions: WishDecision::ALL.iter().map(|d| (d.code(), d.label())).collect(),
    })
}

#[derive(Debug, serde::Deserialize)]
pub struct PzpQuery {
    melding: Option<String>,
    /// `ja`: open the form.
    wijzigen: Option<String>,
}

/// The form for the stored PZP, for this editor.
pub async fn form_for(state: &AppState, v: &Visible, stored: &AdvanceCarePlan) -> AppResult<PzpForm> {
    let people = if v.access().edit_pzp {
        state.app.pzp_people(v).await?
    } else {
        PzpPeople::default()
    };
    let me_gp = Some(v.actor().user().id).filter(|_| v.access().change_limits);
    Ok(PzpForm::from_pzp(stored, &people, v.access().change_limits, me_gp))
}

/// `GET /patienten/{id}/pzp`.
pub async fn page(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<PzpQuery>,
) -> AppResult<Response> {
    let v = state.app.visible(&cu.actor(), id, Action::ViewPzp, None).await?;
    let record = state.app.pzp(&v).await?;
    let editing = q.wijzigen.as_deref() == Some("ja");
    let form = form_for(&state, &v, &record.current).await?;
    let flash = flash_of(q.melding.as_deref(), record.version);
    render(
        &pzp_page(
            &state,
            &cu,
            &v,
            &record,
            &record.current,
            form,
            Vec::new(),
            flash,
            editing,
        )
        .await?,
    )
}
