//! `GET /patienten/{id}/pzp`: the PZP with its treatment limits on top; the form for
//! those who may contribute.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use kernteam_app::gate::Visible;
use kernteam_app::pzp::PzpRecord;
use kernteam_app::{today, Action};
use kernteam_domain::pzp::{AdvanceCarePlan, WishDecision};

use super::form::{PzpForm, PARTICIPANT_CARER, PARTICIPANT_PATIENT, PARTICIPANT_REPRESENTATIVE};
use super::view::{view, PzpView};
use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::pages::{fmt_timestamp, me, render, FlashQuery, Me};
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
    errors: Vec<String>,
    today: String,
    pzp: PzpView,
    form: PzpForm,
    places: [&'static str; 5],
    participant_labels: [&'static str; 3],
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
) -> AppResult<PzpPage> {
    let (at, by) = record
        .versions
        .first()
        .map(|x| (fmt_timestamp(&x.created_at), x.created_by_name.clone()))
        .unwrap_or_default();
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
        can_edit: v.access().contribute,
        errors,
        today: today().to_string(),
        pzp: view(shown),
        form,
        places: PLACES,
        participant_labels: [PARTICIPANT_PATIENT, PARTICIPANT_CARER, PARTICIPANT_REPRESENTATIVE],
        decisions: WishDecision::ALL.iter().map(|d| (d.code(), d.label())).collect(),
    })
}

/// `GET /patienten/{id}/pzp`.
pub async fn page(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<FlashQuery>,
) -> AppResult<Response> {
    let v = state.app.visible(&cu.actor(), id, Action::ViewPzp, None).await?;
    let record = state.app.pzp(&v).await?;
    let form = PzpForm::from_pzp(&record.current);
    let flash = flash_of(q.melding.as_deref(), record.version);
    render(&pzp_page(&state, &cu, &v, &record, &record.current, form, Vec::new(), flash).await?)
}
