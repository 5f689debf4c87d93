//! Proactive care planning (PZP, advance care planning): the page at
//! `/patienten/{id}/pzp` with its versions, and the API at `/api/v1/patients/{id}/pzp`.
//!
//! Everyone who may see the patient sees the PZP, network professionals on the care team
//! included: treatment limits matter most to whoever is at the bedside. Everyone who may
//! contribute to the care records may save a new version; like the care plan, a save
//! names the version it started from and is refused when someone else saved in between.

use std::collections::HashSet;

use askama::Template;
use axum::extract::{Path, Query, RawForm, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::NaiveDate;
use kernteam_domain::care::MAX_TEXT;
use kernteam_domain::pzp::{
    pzp_changes, treatment_label, AdvanceCarePlan, Conversation, Directive, TreatmentWish, WishDecision,
    STANDARD_TREATMENTS,
};
use kernteam_store::care::CarePlanVersion;
use kernteam_store::program::Document;
use serde::{Deserialize, Serialize};

use super::{date_field, form_pairs, patient_name, text_limit, MAX_NAME};
use crate::api::{ApiResult, Body, Id};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::pages::{fmt_date, fmt_opt_date, fmt_timestamp, me, render, FlashQuery, Me};
use crate::patients::{allowed, audit, today, Allowed};
use crate::records::require;
use crate::AppState;

/// Empty rows for other treatments offered below the filled ones.
const EMPTY_OTHER_ROWS: usize = 2;
/// At most this many conversations and treatments in one PZP.
pub const MAX_ITEMS: usize = 100;
/// Longest list of participants of a conversation, and longest short text (a place, where
/// a document is kept, a representative).
const MAX_SHORT: usize = 500;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/patienten/{id}/pzp", get(page).post(save_form))
        .route("/patienten/{id}/pzp/versies", get(history))
        .route("/patienten/{id}/pzp/versies/{version}", get(version_page))
}

// ---------------------------------------------------------------------------------------
// Shared by the pages and the API.

/// Reads a stored PZP.
pub fn parse(content: &str) -> AppResult<AdvanceCarePlan> {
    serde_json::from_str(content).map_err(|e| AppError::Internal(anyhow::anyhow!("stored PZP unreadable: {e}")))
}

/// The current version (0: none yet, and a blank PZP) from the versions, newest first.
fn current_of(versions: &[CarePlanVersion]) -> AppResult<(i64, AdvanceCarePlan)> {
    Ok(match versions.first() {
        Some(v) => (v.version, parse(&v.content)?),
        None => (0, AdvanceCarePlan::blank()),
    })
}

/// The current PZP of a patient: its version (0: none yet) and content.
pub async fn current(state: &AppState, patient_id: i64) -> AppResult<(i64, AdvanceCarePlan)> {
    current_of(state.db.latest_version(Document::Pzp, patient_id).await?.as_slice())
}

/// The standard code of a treatment named like a standard one ("IC-opname", "ic opname").
fn standard_code(name: &str) -> Option<&'static str> {
    let simple = |s: &str| {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect::<String>()
    };
    let wanted = simple(name);
    STANDARD_TREATMENTS
        .iter()
        .find(|(code, label)| simple(code) == wanted || simple(label) == wanted)
        .map(|(code, _)| *code)
}

/// Trims the PZP, drops empty rows of other treatments, adds the standard treatments
/// that are missing (as not yet discussed), orders conversations by date and treatments
/// standard first, and checks everything. Messages are Dutch and list every problem.
pub fn normalise(mut p: AdvanceCarePlan, today: NaiveDate) -> Result<AdvanceCarePlan, Vec<String>> {
    let mut errors = Vec::new();

    if p.conversations.len() > MAX_ITEMS {
        errors.push(format!("Een PZP heeft hoogstens {MAX_ITEMS} gesprekken."));
    }
    for c in &mut p.conversations {
        c.participants = c.participants.trim().to_string();
        c.summary = c.summary.trim().to_string();
        let what = format!("Gesprek van {}", fmt_date(c.date));
        if c.date > today {
            errors.push(format!("{what}: de datum ligt in de toekomst."));
        }
        if c.participants.is_empty() {
            errors.push(format!("{what}: vul in wie er aan deelnamen."));
        }
        if c.summary.is_empty() {
            errors.push(format!("{what}: vul een samenvatting van het gesprek in."));
        }
        text_limit(
            &c.participants,
            &format!("{what}: de deelnemers"),
            MAX_SHORT,
            &mut errors,
        );
        text_limit(&c.summary, &format!("{what}: de samenvatting"), MAX_TEXT, &mut errors);
    }
    p.conversations.sort_by_key(|c| c.date);

    let mut wishes: Vec<TreatmentWish> = Vec::new();
    let mut seen = HashSet::new();
    for mut w in std::mem::take(&mut p.wishes) {
        w.treatment = w.treatment.trim().to_string();
        w.recorded_by = w.recorded_by.trim().to_string();
        if w.treatment.is_empty() {
            if w.decision != WishDecision::NogNietBesproken {
                errors.push("Vul de naam in van elke andere behandeling waarbij u wel of niet kiest.".into());
            }
            continue;
        }
        if let Some(code) = standard_code(&w.treatment) {
            w.treatment = code.to_string();
        }
        let label = treatment_label(&w.treatment);
        if !seen.insert(w.treatment.to_lowercase()) {
            errors.push(format!("{label} staat meer dan eens in de lijst van behandelingen."));
            continue;
        }
        text_limit(&w.treatment, "De naam van een behandeling", MAX_NAME, &mut errors);
        text_limit(
            &w.recorded_by,
            &format!("{label}: vastgelegd door"),
            MAX_NAME,
            &mut errors,
        );
        if w.recorded_on.is_some_and(|d| d > today) {
            errors.push(format!("{label}: de datum ligt in de toekomst."));
        }
        if w.decision != WishDecision::NogNietBesproken && (w.recorded_on.is_none() || w.recorded_by.is_empty()) {
            errors.push(format!(
                "{label}: vul de datum en wie het vastlegde in bij een besproken wens of grens."
            ));
        }
        wishes.push(w);
    }
    for (code, _) in STANDARD_TREATMENTS {
        if !wishes.iter().any(|w| w.treatment == code) {
            wishes.push(TreatmentWish {
                treatment: code.to_string(),
                decision: WishDecision::NogNietBesproken,
                recorded_on: None,
                recorded_by: String::new(),
            });
        }
    }
    let rank = |w: &TreatmentWish| {
        STANDARD_TREATMENTS
            .iter()
            .position(|(c, _)| *c == w.treatment)
            .unwrap_or(STANDARD_TREATMENTS.len())
    };
    wishes.sort_by_key(rank);
    if wishes.len() > MAX_ITEMS {
        errors.push(format!("Een PZP heeft hoogstens {MAX_ITEMS} behandelingen."));
    }
    p.wishes = wishes;

    for (label, d) in [
        ("Wilsverklaring", &mut p.wilsverklaring),
        ("Niet-reanimeren-verklaring", &mut p.niet_reanimeren),
        ("Euthanasieverzoek", &mut p.euthanasieverzoek),
    ] {
        d.location = d.location.trim().to_string();
        text_limit(&d.location, &format!("{label}: waar bewaard"), MAX_SHORT, &mut errors);
    }
    for (label, s) in [
        ("De wettelijk vertegenwoordiger", &mut p.legal_representative),
        ("De voorkeursplek van zorg", &mut p.preferred_place_of_care),
        ("De voorkeursplek van overlijden", &mut p.preferred_place_of_death),
    ] {
        *s = s.trim().to_string();
        text_limit(s, label, MAX_SHORT, &mut errors);
    }
    if errors.is_empty() {
        // The domain's own rules; stricter ones above, so this only guards against drift.
        if let Err(more) = p.validate() {
            errors.extend(more);
        }
    }
    if errors.is_empty() {
        Ok(p)
    } else {
        Err(errors)
    }
}

/// What saving a PZP did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PzpSaved {
    /// Equal to the current version: nothing written.
    Unchanged { version: i64 },
    /// A new version, with what changed (Dutch, as the history shows it).
    Saved { version: i64, changes: Vec<String> },
}

/// Saves a PZP as a new version (anyone who may contribute). `based_on` is the version the
/// editor started from (0: none): when someone else saved in between, the result is
/// `Conflict` and nothing is written.
pub async fn save(
    state: &AppState,
    cu: &CurrentUser,
    a: &Allowed,
    based_on: i64,
    pzp: AdvanceCarePlan,
) -> AppResult<PzpSaved> {
    require(a.access.contribute)?;
    let mut errors = Vec::new();
    if based_on < 0 {
        errors.push("Het versienummer waarop de wijziging is gebaseerd ontbreekt of klopt niet.".to_string());
    }
    let pzp = match normalise(pzp, today()) {
        Ok(p) => Some(p),
        Err(more) => {
            errors.extend(more);
            None
        }
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let pzp = pzp.expect("no errors, so a PZP");
    let (current, previous) = current(state, a.patient.id).await?;
    if pzp == previous {
        return Ok(PzpSaved::Unchanged { version: current });
    }
    let mut changes = pzp_changes(&previous, &pzp);
    if changes.is_empty() {
        changes.push("Details bijgewerkt (data, namen of gesprekken)".to_string());
    }
    let content = serde_json::to_string(&pzp).map_err(|e| AppError::Internal(e.into()))?;
    let version = state
        .db
        .save_version(
            Document::Pzp,
            a.patient.id,
            based_on,
            &content,
            &changes.join("\n"),
            cu.user.id,
            &cu.user.display_name,
        )
        .await?;
    audit(
        state,
        cu,
        Some(&a.patient),
        "pzp gewijzigd",
        Some(format!("versie {version}")),
    )
    .await?;
    Ok(PzpSaved::Saved { version, changes })
}

/// What the patient record overview shows of the PZP.
#[derive(Debug, Clone, Default)]
pub struct PzpSummary {
    /// The current version, if there is one.
    pub version: Option<i64>,
    /// Labels of the treatments the patient does not want.
    pub limits: Vec<String>,
    /// Advance directives that are present, by label.
    pub directives: Vec<&'static str>,
    pub next_review: Option<String>,
}

/// The PZP in brief, for the patient record overview, from its newest version.
pub fn summary_of(newest: Option<CarePlanVersion>) -> AppResult<PzpSummary> {
    let (version, p) = current_of(newest.as_slice())?;
    if version == 0 {
        return Ok(PzpSummary::default());
    }
    Ok(PzpSummary {
        version: Some(version),
        limits: p.limits().map(|w| treatment_label(&w.treatment)).collect(),
        directives: directives(&p)
            .into_iter()
            .filter(|(_, _, d)| d.present)
            .map(|(_, label, _)| label)
            .collect(),
        next_review: p.next_review.map(fmt_date),
    })
}

/// The three advance directives: form key, label, value.
fn directives(p: &AdvanceCarePlan) -> [(&'static str, &'static str, &Directive); 3] {
    [
        ("wilsverklaring", "Wilsverklaring", &p.wilsverklaring),
        ("niet_reanimeren", "Niet-reanimeren-verklaring", &p.niet_reanimeren),
        ("euthanasieverzoek", "Euthanasieverzoek", &p.euthanasieverzoek),
    ]
}

// ---------------------------------------------------------------------------------------
// Views for the templates.

pub struct LimitView {
    pub label: String,
    pub recorded: String,
}

pub struct ConversationView {
    pub date: String,
    pub participants: String,
    pub summary: String,
}

pub struct WishView {
    pub label: String,
    pub decision: &'static str,
    pub code: &'static str,
    pub date: String,
    pub by: String,
}

pub struct DirectiveView {
    pub label: &'static str,
    pub present: bool,
    pub location: String,
}

/// A PZP as the pages show it.
pub struct PzpView {
    pub limits: Vec<LimitView>,
    pub conversations: Vec<ConversationView>,
    pub wishes: Vec<WishView>,
    pub directives: Vec<DirectiveView>,
    pub legal_representative: String,
    pub place_of_care: String,
    pub place_of_death: String,
    pub next_review: String,
}

fn recorded(w: &TreatmentWish) -> String {
    match (w.recorded_on, w.recorded_by.is_empty()) {
        (Some(d), false) => format!("vastgelegd op {} door {}", fmt_date(d), w.recorded_by),
        (Some(d), true) => format!("vastgelegd op {}", fmt_date(d)),
        (None, false) => format!("vastgelegd door {}", w.recorded_by),
        (None, true) => String::new(),
    }
}

fn view(p: &AdvanceCarePlan) -> PzpView {
    PzpView {
        limits: p
            .limits()
            .map(|w| LimitView {
                label: treatment_label(&w.treatment),
                recorded: recorded(w),
            })
            .collect(),
        conversations: p
            .conversations
            .iter()
            .rev()
            .map(|c| ConversationView {
                date: fmt_date(c.date),
                participants: c.participants.clone(),
                summary: c.summary.clone(),
            })
            .collect(),
        wishes: p
            .wishes
            .iter()
            .map(|w| WishView {
                label: treatment_label(&w.treatment),
                decision: w.decision.label(),
                code: w.decision.code(),
                date: fmt_opt_date(w.recorded_on),
                by: w.recorded_by.clone(),
            })
            .collect(),
        directives: directives(p)
            .into_iter()
            .map(|(_, label, d)| DirectiveView {
                label,
                present: d.present,
                location: d.location.clone(),
            })
            .collect(),
        legal_representative: p.legal_representative.clone(),
        place_of_care: p.preferred_place_of_care.clone(),
        place_of_death: p.preferred_place_of_death.clone(),
        next_review: fmt_opt_date(p.next_review),
    }
}

// ---------------------------------------------------------------------------------------
// The form.

/// One treatment row of the form, as shown (and as entered, after an error).
pub struct WishRow {
    pub treatment: String,
    pub label: String,
    pub standard: bool,
    /// Code of the chosen decision.
    pub decision: String,
    /// As entered; empty means: unchanged, or today for a new choice.
    pub date: String,
    pub by: String,
    /// The stored decision, date and recorder, for the hint beside the fields.
    pub current: String,
}

pub struct DirectiveRow {
    pub key: &'static str,
    pub label: &'static str,
    pub present: bool,
    pub location: String,
}

/// The PZP form's values, as text.
pub struct PzpForm {
    pub conv_date: String,
    pub conv_patient: bool,
    pub conv_carer: bool,
    pub conv_representative: bool,
    pub conv_others: String,
    pub conv_summary: String,
    pub wishes: Vec<WishRow>,
    pub directives: Vec<DirectiveRow>,
    pub legal_representative: String,
    pub place_of_care: String,
    pub place_of_death: String,
    pub next_review: String,
}

const PARTICIPANT_PATIENT: &str = "Patiënt";
const PARTICIPANT_CARER: &str = "Mantelzorger";
const PARTICIPANT_REPRESENTATIVE: &str = "Wettelijk vertegenwoordiger";

fn current_hint(stored: &AdvanceCarePlan, treatment: &str) -> String {
    stored
        .wishes
        .iter()
        .find(|w| w.treatment == treatment)
        .filter(|w| w.decision != WishDecision::NogNietBesproken || w.recorded_on.is_some())
        .map(|w| {
            let r = recorded(w);
            if r.is_empty() {
                format!("Nu: {}.", w.decision.label())
            } else {
                format!("Nu: {}, {r}.", w.decision.label())
            }
        })
        .unwrap_or_default()
}

fn wish_row(stored: &AdvanceCarePlan, treatment: &str, decision: &str, date: &str, by: &str) -> WishRow {
    let standard = STANDARD_TREATMENTS.iter().any(|(c, _)| *c == treatment);
    WishRow {
        treatment: treatment.to_string(),
        label: if standard {
            treatment_label(treatment)
        } else {
            "Andere behandeling".to_string()
        },
        standard,
        decision: decision.to_string(),
        date: date.to_string(),
        by: by.to_string(),
        current: current_hint(stored, treatment),
    }
}

fn empty_other_rows(stored: &AdvanceCarePlan) -> impl Iterator<Item = WishRow> + '_ {
    (0..EMPTY_OTHER_ROWS).map(|_| wish_row(stored, "", WishDecision::NogNietBesproken.code(), "", ""))
}

impl PzpForm {
    /// The form for the stored PZP: date and recorder fields empty (the hint shows them).
    fn from_pzp(p: &AdvanceCarePlan) -> PzpForm {
        let mut wishes: Vec<WishRow> = p
            .wishes
            .iter()
            .map(|w| wish_row(p, &w.treatment, w.decision.code(), "", ""))
            .collect();
        wishes.extend(empty_other_rows(p));
        PzpForm {
            conv_date: String::new(),
            conv_patient: false,
            conv_carer: false,
            conv_representative: false,
            conv_others: String::new(),
            conv_summary: String::new(),
            wishes,
            directives: directives(p)
                .into_iter()
                .map(|(key, label, d)| DirectiveRow {
                    key,
                    label,
                    present: d.present,
                    location: d.location.clone(),
                })
                .collect(),
            legal_representative: p.legal_representative.clone(),
            place_of_care: p.preferred_place_of_care.clone(),
            place_of_death: p.preferred_place_of_death.clone(),
            next_review: p.next_review.map(|d| d.to_string()).unwrap_or_default(),
        }
    }

    /// The form as entered.
    fn from_pairs(pairs: &[(String, String)], stored: &AdvanceCarePlan) -> PzpForm {
        let one = |key: &str| {
            pairs
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let checked = |key: &str| pairs.iter().any(|(k, _)| k == key);
        let mut wishes = Vec::new();
        for i in 0.. {
            let key = format!("w{i}_treatment");
            if !checked(&key) {
                break;
            }
            let decision = one(&format!("w{i}_decision"));
            let decision = if decision.is_empty() {
                WishDecision::NogNietBesproken.code().to_string()
            } else {
                decision
            };
            wishes.push(wish_row(
                stored,
                one(&key).trim(),
                &decision,
                &one(&format!("w{i}_date")),
                &one(&format!("w{i}_by")),
            ));
            if i >= MAX_ITEMS + EMPTY_OTHER_ROWS {
                break;
            }
        }
        PzpForm {
            conv_date: one("conv_date"),
            conv_patient: checked("conv_patient"),
            conv_carer: checked("conv_carer"),
            conv_representative: checked("conv_representative"),
            conv_others: one("conv_others"),
            conv_summary: one("conv_summary"),
            wishes,
            directives: directives(stored)
                .into_iter()
                .map(|(key, label, _)| DirectiveRow {
                    key,
                    label,
                    present: checked(&format!("{key}_present")),
                    location: one(&format!("{key}_location")),
                })
                .collect(),
            legal_representative: one("legal_representative"),
            place_of_care: one("place_of_care"),
            place_of_death: one("place_of_death"),
            next_review: one("next_review"),
        }
    }

    /// The PZP the form describes, on top of the stored one: its conversations stay and
    /// the new one is added; a treatment whose choice changed and whose date or recorder
    /// was left empty gets today and the signed-in user; one whose choice did not change
    /// keeps them. Returns the problems found reading the form (dates, choices, a
    /// half-filled conversation); the content rules are [`normalise`]'s.
    fn to_pzp(&self, stored: &AdvanceCarePlan, user_name: &str, today: NaiveDate) -> (AdvanceCarePlan, Vec<String>) {
        let mut errors = Vec::new();
        let mut p = AdvanceCarePlan {
            conversations: stored.conversations.clone(),
            ..Default::default()
        };

        let mut participants: Vec<String> = [
            (self.conv_patient, PARTICIPANT_PATIENT),
            (self.conv_carer, PARTICIPANT_CARER),
            (self.conv_representative, PARTICIPANT_REPRESENTATIVE),
        ]
        .into_iter()
        .filter(|(on, _)| *on)
        .map(|(_, l)| l.to_string())
        .collect();
        if !self.conv_others.trim().is_empty() {
            participants.push(self.conv_others.trim().to_string());
        }
        let entered =
            !participants.is_empty() || !self.conv_date.trim().is_empty() || !self.conv_summary.trim().is_empty();
        if entered {
            match date_field(&self.conv_date, "Nieuw gesprek: de datum", &mut errors) {
                Some(date) => p.conversations.push(Conversation {
                    date,
                    participants: participants.join(", "),
                    summary: self.conv_summary.clone(),
                }),
                None if self.conv_date.trim().is_empty() => {
                    errors.push("Nieuw gesprek: vul de datum van het gesprek in.".to_string());
                }
                None => {}
            }
        }

        for row in &self.wishes {
            let label = if row.treatment.is_empty() {
                "Andere behandeling".to_string()
            } else {
                treatment_label(&row.treatment)
            };
            let Some(decision) = WishDecision::from_code(row.decision.trim()) else {
                errors.push(format!("{label}: kies wel, niet of nog niet besproken."));
                continue;
            };
            let date = date_field(&row.date, &format!("{label}: de datum"), &mut errors);
            let by = row.by.trim().to_string();
            let before = stored.wishes.iter().find(|w| w.treatment == row.treatment);
            let unchanged = before.is_some_and(|b| b.decision == decision);
            let (recorded_on, recorded_by) = if unchanged {
                let b = before.expect("unchanged, so stored");
                (
                    date.or(b.recorded_on),
                    if by.is_empty() { b.recorded_by.clone() } else { by },
                )
            } else if decision == WishDecision::NogNietBesproken {
                (date, by)
            } else {
                (
                    date.or(if row.date.trim().is_empty() { Some(today) } else { None }),
                    if by.is_empty() { user_name.to_string() } else { by },
                )
            };
            p.wishes.push(TreatmentWish {
                treatment: row.treatment.clone(),
                decision,
                recorded_on,
                recorded_by,
            });
        }

        for row in &self.directives {
            let d = Directive {
                present: row.present,
                location: row.location.clone(),
            };
            match row.key {
                "wilsverklaring" => p.wilsverklaring = d,
                "niet_reanimeren" => p.niet_reanimeren = d,
                _ => p.euthanasieverzoek = d,
            }
        }
        p.legal_representative = self.legal_representative.clone();
        p.preferred_place_of_care = self.place_of_care.clone();
        p.preferred_place_of_death = self.place_of_death.clone();
        p.next_review = date_field(&self.next_review, "Volgende bespreking", &mut errors);
        (p, errors)
    }
}

// ---------------------------------------------------------------------------------------
// Pages.

#[derive(Template)]
#[template(path = "pzp.html")]
struct PzpPage {
    me: Option<Me>,
    flash: Option<String>,
    csrf: String,
    patient_id: i64,
    name: String,
    version: i64,
    /// The version the form starts from (its hidden `based_on`).
    based_on: i64,
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
async fn pzp_page(
    state: &AppState,
    cu: &CurrentUser,
    a: &Allowed,
    versions: &[CarePlanVersion],
    shown: &AdvanceCarePlan,
    form: PzpForm,
    errors: Vec<String>,
    flash: Option<String>,
) -> AppResult<PzpPage> {
    let (version, at, by) = versions
        .first()
        .map(|v| (v.version, fmt_timestamp(&v.created_at), v.created_by_name.clone()))
        .unwrap_or_default();
    Ok(PzpPage {
        me: Some(me(state, cu).await?),
        flash,
        csrf: cu.csrf.clone(),
        patient_id: a.patient.id,
        name: patient_name(state, a).await?,
        version,
        based_on: version,
        at,
        by,
        can_edit: a.access.contribute,
        errors,
        today: today().to_string(),
        pzp: view(shown),
        form,
        places: PLACES,
        participant_labels: [PARTICIPANT_PATIENT, PARTICIPANT_CARER, PARTICIPANT_REPRESENTATIVE],
        decisions: WishDecision::ALL.iter().map(|d| (d.code(), d.label())).collect(),
    })
}

/// `GET /patienten/{id}/pzp`: the PZP with its treatment limits on top; the form for
/// those who may contribute.
async fn page(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<FlashQuery>,
) -> AppResult<Response> {
    let a = allowed(&state, &cu, id).await?;
    audit(&state, &cu, Some(&a.patient), "pzp ingezien", None).await?;
    let versions = state.db.versions(Document::Pzp, id).await?;
    let (version, p) = current_of(&versions)?;
    let form = PzpForm::from_pzp(&p);
    let flash = flash_of(q.melding.as_deref(), version);
    render(&pzp_page(&state, &cu, &a, &versions, &p, form, Vec::new(), flash).await?)
}

/// `POST /patienten/{id}/pzp`: saves a new version; shows the form again with the
/// problems (422) or the conflict (409).
async fn save_form(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<i64>,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    let a = allowed(&state, &cu, id).await?;
    require(a.access.contribute)?;
    let pairs = form_pairs(&body)?;
    let based_on = pairs
        .iter()
        .find(|(k, _)| k == "based_on")
        .and_then(|(_, v)| v.trim().parse::<i64>().ok())
        .unwrap_or(-1);
    let versions = state.db.versions(Document::Pzp, id).await?;
    let (_, stored) = current_of(&versions)?;
    let form = PzpForm::from_pairs(&pairs, &stored);
    let (p, errors) = form.to_pzp(&stored, &cu.user.display_name, today());
    let outcome = if errors.is_empty() {
        save(&state, &cu, &a, based_on, p).await
    } else {
        let mut errors = errors;
        errors.extend(normalise(p, today()).err().unwrap_or_default());
        Err(AppError::Invalid(errors))
    };
    let (status, mut errors) = match outcome {
        Ok(PzpSaved::Unchanged { .. }) => {
            return Ok(Redirect::to(&format!("/patienten/{id}/pzp?melding=ongewijzigd")).into_response())
        }
        Ok(PzpSaved::Saved { .. }) => {
            return Ok(Redirect::to(&format!("/patienten/{id}/pzp?melding=opgeslagen")).into_response())
        }
        Err(AppError::Invalid(errors)) => (StatusCode::UNPROCESSABLE_ENTITY, errors),
        Err(AppError::Conflict(message)) => (StatusCode::CONFLICT, vec![message]),
        Err(e) => return Err(e),
    };
    errors.push(
        "Uw wijzigingen staan nog niet in de proactieve zorgplanning; ze staan hieronder nog in het formulier.".into(),
    );
    // Show what is stored; the form keeps what was entered.
    let versions = state.db.versions(Document::Pzp, id).await?;
    let (_, stored) = current_of(&versions)?;
    let mut page = pzp_page(&state, &cu, &a, &versions, &stored, form, errors, None).await?;
    // The form keeps the version the editor started from: after a conflict, saving again
    // is refused until they have seen the other change.
    page.based_on = based_on.max(0);
    let mut resp = render(&page)?;
    *resp.status_mut() = status;
    Ok(resp)
}

pub struct VersionRow {
    pub version: i64,
    pub at: String,
    pub by: String,
    pub changes: Vec<String>,
}

#[derive(Template)]
#[template(path = "pzp_history.html")]
struct HistoryPage {
    me: Option<Me>,
    flash: Option<String>,
    patient_id: i64,
    name: String,
    versions: Vec<VersionRow>,
}

/// `GET /patienten/{id}/pzp/versies`.
async fn history(State(state): State<AppState>, cu: CurrentUser, Path(id): Path<i64>) -> AppResult<Response> {
    let a = allowed(&state, &cu, id).await?;
    audit(&state, &cu, Some(&a.patient), "pzp: versies ingezien", None).await?;
    let versions = state
        .db
        .versions(Document::Pzp, id)
        .await?
        .into_iter()
        .map(|v| VersionRow {
            version: v.version,
            at: fmt_timestamp(&v.created_at),
            by: v.created_by_name,
            changes: v.summary.lines().map(str::to_string).collect(),
        })
        .collect();
    render(&HistoryPage {
        me: Some(me(&state, &cu).await?),
        flash: None,
        patient_id: id,
        name: patient_name(&state, &a).await?,
        versions,
    })
}

#[derive(Template)]
#[template(path = "pzp_version.html")]
struct VersionPage {
    me: Option<Me>,
    flash: Option<String>,
    patient_id: i64,
    name: String,
    version: i64,
    latest: i64,
    at: String,
    by: String,
    pzp: PzpView,
}

/// `GET /patienten/{id}/pzp/versies/{version}`: one version as it was.
async fn version_page(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path((id, version)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let a = allowed(&state, &cu, id).await?;
    let versions = state.db.versions(Document::Pzp, id).await?;
    let v = versions
        .iter()
        .find(|v| v.version == version)
        .ok_or(AppError::NotFound)?;
    audit(
        &state,
        &cu,
        Some(&a.patient),
        "pzp: versie ingezien",
        Some(format!("versie {version}")),
    )
    .await?;
    render(&VersionPage {
        me: Some(me(&state, &cu).await?),
        flash: None,
        patient_id: id,
        name: patient_name(&state, &a).await?,
        version,
        latest: versions.first().map_or(0, |v| v.version),
        at: fmt_timestamp(&v.created_at),
        by: v.created_by_name.clone(),
        pzp: view(&parse(&v.content)?),
    })
}

// ---------------------------------------------------------------------------------------
// API.

#[derive(Debug, Serialize)]
pub struct ApiVersion {
    version: i64,
    at: String,
    by: String,
    /// What changed from the version before, one line per change (Dutch).
    changes: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct ApiPzp {
    /// The current version; 0 when there is no PZP yet (`pzp` is then blank).
    version: i64,
    at: Option<String>,
    by: Option<String>,
    /// Whether the signed-in user may save a new version.
    can_edit: bool,
    /// Codes or names of the treatments the patient does not want.
    limits: Vec<String>,
    pzp: AdvanceCarePlan,
    /// Every version, newest first.
    versions: Vec<ApiVersion>,
}

/// `GET /api/v1/patients/{id}/pzp`: the current PZP and its versions.
pub async fn api_show(State(state): State<AppState>, cu: CurrentUser, Id(id): Id<i64>) -> ApiResult<Json<ApiPzp>> {
    let a = allowed(&state, &cu, id).await?;
    audit(&state, &cu, Some(&a.patient), "pzp ingezien", None).await?;
    let versions = state.db.versions(Document::Pzp, id).await?;
    let (version, pzp) = current_of(&versions)?;
    Ok(Json(ApiPzp {
        version,
        at: versions.first().map(|v| v.created_at.clone()),
        by: versions.first().map(|v| v.created_by_name.clone()),
        can_edit: a.access.contribute,
        limits: pzp.limits().map(|w| w.treatment.clone()).collect(),
        pzp,
        versions: versions
            .into_iter()
            .map(|v| ApiVersion {
                version: v.version,
                at: v.created_at,
                by: v.created_by_name,
                changes: v.summary.lines().map(str::to_string).collect(),
            })
            .collect(),
    }))
}

#[derive(Debug, Deserialize)]
pub struct ApiSave {
    /// The version the client started from (0 when there was none).
    based_on: i64,
    pzp: AdvanceCarePlan,
}

#[derive(Debug, Serialize)]
pub struct ApiSaved {
    /// False when the PZP equals the current version: nothing was written.
    saved: bool,
    /// The current version afterwards.
    version: i64,
    changes: Vec<String>,
}

/// `PUT /api/v1/patients/{id}/pzp`: saves a new version; 409 when someone else saved
/// since `based_on`.
pub async fn api_save(
    State(state): State<AppState>,
    cu: CurrentUser,
    Id(id): Id<i64>,
    body: Body<ApiSave>,
) -> ApiResult<Json<ApiSaved>> {
    let a = allowed(&state, &cu, id).await?;
    require(a.access.contribute)?;
    let body = body.parse()?;
    Ok(Json(match save(&state, &cu, &a, body.based_on, body.pzp).await? {
        PzpSaved::Unchanged { version } => ApiSaved {
            saved: false,
            version,
            changes: Vec::new(),
        },
        PzpSaved::Saved { version, changes } => ApiSaved {
            saved: true,
            version,
            changes,
        },
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn wish(treatment: &str, decision: WishDecision, on: Option<&str>, by: &str) -> TreatmentWish {
        TreatmentWish {
            treatment: treatment.into(),
            decision,
            recorded_on: on.map(d),
            recorded_by: by.into(),
        }
    }

    #[test]
    fn normalising_orders_fills_in_and_maps_names() {
        let p = AdvanceCarePlan {
            wishes: vec![
                wish(" Dialyse ", WishDecision::Niet, Some("2027-03-01"), " Dr. Janssen "),
                wish("", WishDecision::NogNietBesproken, None, ""),
                wish("IC opname", WishDecision::Wel, Some("2027-03-01"), "Dr. Janssen"),
            ],
            ..Default::default()
        };
        let p = normalise(p, d("2027-08-01")).unwrap();
        let codes: Vec<_> = p.wishes.iter().map(|w| w.treatment.as_str()).collect();
        assert_eq!(
            codes,
            [
                "reanimatie",
                "beademing",
                "ic_opname",
                "ziekenhuisopname",
                "antibiotica",
                "sondevoeding",
                "Dialyse"
            ]
        );
        assert_eq!(p.wishes[6].recorded_by, "Dr. Janssen");
        assert_eq!(p.limits().count(), 1);
    }

    #[test]
    fn normalising_lists_every_problem() {
        let p = AdvanceCarePlan {
            conversations: vec![Conversation {
                date: d("2027-09-01"),
                participants: " ".into(),
                summary: "x".repeat(MAX_TEXT + 1),
            }],
            wishes: vec![
                wish("reanimatie", WishDecision::Niet, None, ""),
                wish("Reanimatie", WishDecision::Wel, Some("2027-03-01"), "X"),
                wish("", WishDecision::Wel, Some("2027-03-01"), "X"),
                wish("antibiotica", WishDecision::Wel, Some("2027-09-01"), "X"),
            ],
            legal_representative: "y".repeat(MAX_SHORT + 1),
            ..Default::default()
        };
        let errors = normalise(p, d("2027-08-01")).unwrap_err();
        assert_eq!(
            errors,
            [
                "Gesprek van 01-09-2027: de datum ligt in de toekomst.",
                "Gesprek van 01-09-2027: vul in wie er aan deelnamen.",
                "Gesprek van 01-09-2027: de samenvatting mag hoogstens 4000 tekens lang zijn.",
                "Reanimatie: vul de datum en wie het vastlegde in bij een besproken wens of grens.",
                "Reanimatie staat meer dan eens in de lijst van behandelingen.",
                "Vul de naam in van elke andere behandeling waarbij u wel of niet kiest.",
                "Antibiotica: de datum ligt in de toekomst.",
                "De wettelijk vertegenwoordiger mag hoogstens 500 tekens lang zijn.",
            ]
        );
    }

    #[test]
    fn the_form_keeps_recordings_and_dates_new_choices() {
        let stored = AdvanceCarePlan {
            conversations: vec![Conversation {
                date: d("2027-02-01"),
                participants: "Patiënt".into(),
                summary: "Eerste gesprek".into(),
            }],
            wishes: vec![
                wish("reanimatie", WishDecision::Niet, Some("2027-02-01"), "Dr. Janssen"),
                wish("beademing", WishDecision::Wel, Some("2027-02-01"), "Dr. Janssen"),
            ],
            ..AdvanceCarePlan::blank()
        };
        let stored = normalise(stored, d("2027-03-05")).unwrap();
        let pairs: Vec<(String, String)> = [
            ("based_on", "1"),
            ("conv_date", "2027-03-01"),
            ("conv_patient", "1"),
            ("conv_others", "dochter Anna"),
            ("conv_summary", "Wil niet meer naar het ziekenhuis."),
            ("w0_treatment", "reanimatie"),
            ("w0_decision", "niet"),
            ("w0_date", ""),
            ("w0_by", ""),
            ("w1_treatment", "beademing"),
            ("w1_decision", "niet"),
            ("w1_date", ""),
            ("w1_by", ""),
            ("w2_treatment", "ziekenhuisopname"),
            ("w2_decision", "niet"),
            ("w2_date", "2027-03-01"),
            ("w2_by", "POH Marieke"),
            ("w3_treatment", ""),
            ("w3_decision", "nog_niet_besproken"),
            ("niet_reanimeren_present", "ja"),
            ("niet_reanimeren_location", "In de la van het nachtkastje"),
            ("next_review", "2028-03-01"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let form = PzpForm::from_pairs(&pairs, &stored);
        let (p, errors) = form.to_pzp(&stored, "Marieke Op de Beeck", d("2027-03-05"));
        assert!(errors.is_empty(), "{errors:?}");
        let p = normalise(p, d("2027-03-05")).unwrap();
        assert_eq!(p.conversations.len(), 2);
        assert_eq!(p.conversations[1].participants, "Patiënt, dochter Anna");
        let find = |t: &str| p.wishes.iter().find(|w| w.treatment == t).unwrap();
        assert_eq!(
            find("reanimatie").recorded_on,
            Some(d("2027-02-01")),
            "unchanged keeps its date"
        );
        assert_eq!(find("reanimatie").recorded_by, "Dr. Janssen");
        assert_eq!(
            find("beademing").recorded_on,
            Some(d("2027-03-05")),
            "a changed choice is dated today"
        );
        assert_eq!(find("beademing").recorded_by, "Marieke Op de Beeck");
        assert_eq!(find("ziekenhuisopname").recorded_by, "POH Marieke");
        assert!(p.niet_reanimeren.present);
        assert_eq!(p.next_review, Some(d("2028-03-01")));
        assert_eq!(
            pzp_changes(&stored, &p),
            [
                "Gesprek van 01-03-2027 vastgelegd",
                "Beademing: Wel → Niet",
                "Ziekenhuisopname: Nog niet besproken → Niet",
                "Niet-reanimeren-verklaring: aanwezig",
                "Volgende bespreking: 01-03-2028",
            ]
        );
    }

    #[test]
    fn a_half_filled_conversation_needs_its_date() {
        let pairs = vec![("conv_summary".to_string(), "Besproken".to_string())];
        let stored = AdvanceCarePlan::blank();
        let (_, errors) = PzpForm::from_pairs(&pairs, &stored).to_pzp(&stored, "X", d("2027-03-05"));
        assert_eq!(errors, ["Nieuw gesprek: vul de datum van het gesprek in."]);
    }
}
