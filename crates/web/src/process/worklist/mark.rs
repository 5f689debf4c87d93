//! `POST /patienten/{id}/werklijst`: ticks a worklist item off (`wat=afvinken`) or puts it off
//! until a day (`wat=uitstellen`, `tot`), with a reason, then returns to the list as it
//! was (`terug`: its query).

use axum::extract::{Path, RawForm, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use kernteam_domain::worklist::MarkKind;
use serde::Deserialize;

use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::AppState;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct MarkForm {
    sleutel: String,
    wat: String,
    tot: String,
    reden: String,
    terug: String,
}

/// The list's query to return to: only the list's own parameters, so that `terug` cannot
/// send the user elsewhere.
fn back_query(terug: &str) -> String {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(terug).unwrap_or_default();
    let kept: Vec<(String, String)> = pairs
        .into_iter()
        .filter(|(k, _)| matches!(k.as_str(), "weergave" | "soort" | "sorteer" | "pagina"))
        .collect();
    serde_urlencoded::to_string(kept).unwrap_or_default()
}

pub async fn mark(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<i64>,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    // Access first: a refusal is the answer (and recorded) whatever the form holds.
    let c = state.app.contributor(&cu.actor(), id).await?;
    let form: MarkForm =
        serde_urlencoded::from_bytes(&body).map_err(|_| AppError::invalid("Het formulier is onleesbaar."))?;
    let kind = match form.wat.as_str() {
        "afvinken" => MarkKind::Done,
        "uitstellen" => match NaiveDate::parse_from_str(form.tot.trim(), "%Y-%m-%d") {
            Ok(d) => MarkKind::Snoozed(d),
            Err(_) => {
                return Err(AppError::invalid(
                    "Kies de datum tot wanneer het punt wordt uitgesteld.",
                ))
            }
        },
        _ => return Err(AppError::invalid("Kies afvinken of uitstellen.")),
    };
    let marked = state.app.mark_work_item(&c, &form.sleutel, kind, &form.reden).await?;
    let melding = match (marked.kind, marked.care_plan_version) {
        (MarkKind::Done, Some(_)) => "actie-afgerond",
        (MarkKind::Done, None) => "afgevinkt",
        (MarkKind::Snoozed(_), _) => "uitgesteld",
    };
    let query = back_query(&form.terug);
    let sep = if query.is_empty() { "" } else { "&" };
    Ok(Redirect::to(&format!("/werklijst?{query}{sep}melding={melding}")).into_response())
}

#[cfg(test)]
mod tests {
    use super::back_query;

    #[test]
    fn only_the_lists_own_parameters_return() {
        assert_eq!(
            back_query("weergave=mijn-taken&pagina=2&naar=https://elders.example"),
            "weergave=mijn-taken&pagina=2"
        );
        assert_eq!(back_query("%%%"), "");
    }
}
