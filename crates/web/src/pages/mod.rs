//! The pages: one handler per action, each a plain `async fn` returning [`AppResult`].

pub mod account;
pub mod account_email;
mod admin;
pub mod banner;
mod capacity;
mod care_plan;
mod care_plan_evaluation;
mod care_plan_form;
mod care_plan_print;
mod collaboration;
mod confirm;
mod dashboard;
mod declarations;
mod first_contact;
pub mod login;
mod patient;
mod patient_list;
mod patient_settings;
mod pdca;
mod region;
mod region_settings;
mod visits;

pub use admin::{admin, block_user, create_organisation, create_user, reset_two_factor, set_password, unblock_user};
pub use capacity::{capacity, complete_follow_up, record_conversation};
pub use care_plan::{care_plan, care_plan_history, care_plan_version};
pub use care_plan_evaluation::{care_plan_evaluation_form, evaluate_care_plan};
pub use care_plan_form::{care_plan_form, save_care_plan};
pub use care_plan_print::care_plan_print;
pub use dashboard::{dashboard, practice_dashboard, regional_report, regional_report_xlsx};
pub use declarations::{download_lines, practice_declarations, region_declarations};
pub use first_contact::{evaluate_first_contact, first_contact_page, set_first_contact};
pub(crate) use login::{audit_sign_in, check_password_attempt};
pub use login::{home, login, login_form, logout};
pub use patient::{add_member, exclude, include, patient_audit, patient_record, remove_member};
pub use patient_list::{patient_list, search_patients};
pub use patient_settings::{patient_settings, save_patient_settings};
pub use region::{region, region_csv, region_dutch_csv, region_xlsx};
pub use region_settings::{save_contract, save_funding, save_settings, settings};

/// The page routes of the region's quality cycle: practice visits, the network
/// collaboration and the PDCA cycle (for the region and for the practice).
pub fn quality_routes() -> Vec<crate::PageRoute> {
    [visits::routes(), collaboration::routes(), pdca::routes()]
        .into_iter()
        .flatten()
        .collect()
}

use askama::Template;
use axum::response::{Html, IntoResponse, Response};
use kernteam_domain::access::Scope;

use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::AppState;

/// The signed-in user as the page header shows them.
#[derive(Clone)]
pub struct Me {
    pub name: String,
    pub role: String,
    pub place: String,
    pub csrf: String,
    pub menu: Vec<(&'static str, &'static str)>,
    /// Unread notifications (shown beside "Meldingen").
    pub unread: i64,
    /// A patient's or mantelzorger's account (no staff links).
    pub portal: bool,
}

pub async fn me(state: &AppState, cu: &CurrentUser) -> AppResult<Me> {
    let place = cu.place.clone();
    let menu = match cu.user.role.scope() {
        Scope::Practice => vec![
            ("Patiënten", "/patienten"),
            ("Werklijst", "/werklijst"),
            ("Opsporing", "/opsporing"),
            ("MDO", "/mdo"),
            ("Formatie", "/praktijk/formatie"),
            ("Declaraties", "/praktijk/declaraties"),
            ("Bezoeken", "/praktijk/bezoeken"),
            ("PDCA", "/praktijk/pdca"),
            ("Dashboard", "/dashboard"),
            ("Meldingen", "/meldingen"),
        ],
        Scope::Network => vec![
            ("Mijn patiënten", "/patienten"),
            ("Werklijst", "/werklijst"),
            ("Meldingen", "/meldingen"),
        ],
        Scope::Region if cu.user.role == kernteam_domain::access::Role::Beheerder => {
            vec![("Regio", "/regio"), ("Dashboard", "/dashboard"), ("Beheer", "/beheer")]
        }
        Scope::Region if cu.user.role == kernteam_domain::access::Role::Declarant => {
            vec![
                ("Regio", "/regio"),
                ("Dashboard", "/dashboard"),
                ("Declaraties", "/regio/declaraties"),
            ]
        }
        Scope::Region if kernteam_domain::visits::runs_quality_cycle(cu.user.role) => {
            vec![
                ("Regio", "/regio"),
                ("Dashboard", "/dashboard"),
                ("Bezoeken", "/regio/bezoeken"),
                ("Samenwerking", "/regio/samenwerking"),
                ("PDCA", "/regio/pdca"),
            ]
        }
        Scope::Region => vec![("Regio", "/regio"), ("Dashboard", "/dashboard")],
        Scope::Portal => crate::portal::menu(&cu.user),
    };
    Ok(Me {
        name: cu.user.display_name.clone(),
        role: cu.user.role.label().to_string(),
        place,
        csrf: cu.csrf.clone(),
        menu,
        unread: if cu.user.role.is_portal() {
            0
        } else {
            state.db.unread_notifications(cu.user.id).await?
        },
        portal: cu.user.role.is_portal(),
    })
}

/// Renders a template into a response.
pub fn render(t: &impl Template) -> AppResult<Response> {
    Ok(Html(t.render()?).into_response())
}

/// The Dutch message for a `?melding=` code after a redirect.
pub fn flash(code: Option<&str>) -> Option<String> {
    Some(
        match code? {
            "geincludeerd" => "De patiënt is geïncludeerd.",
            "geexcludeerd" => "De patiënt is geëxcludeerd.",
            "team" => "Het zorgteam is bijgewerkt.",
            "aanspreekpunt" => "Het eerste aanspreekpunt is ingesteld.",
            "aanspreekpunt-geevalueerd" => "De evaluatie van het eerste aanspreekpunt is vastgelegd.",
            "zorgplan-geevalueerd" => {
                "De evaluatie van het zorgplan is vastgelegd; de volgende evaluatie staat in het zorgplan."
            }
            "zorgplan" => "Het zorgplan is opgeslagen als nieuwe versie.",
            "organisatie" => "De organisatie is toegevoegd.",
            "gebruiker" => "Het account is aangemaakt. Geef het wachtwoord persoonlijk door.",
            "geblokkeerd" => "Het account is geblokkeerd; de gebruiker is overal uitgelogd.",
            "gedeblokkeerd" => "Het account is weer actief.",
            "wachtwoord" => "Het nieuwe wachtwoord is ingesteld.",
            "tweestap" => {
                "De tweestapsverificatie is hersteld; de gebruiker stelt haar opnieuw in bij de volgende keer inloggen."
            }
            _ => return None,
        }
        .to_string(),
    )
}

#[derive(serde::Deserialize, Default)]
pub struct FlashQuery {
    pub melding: Option<String>,
}

pub fn fmt_date(d: chrono::NaiveDate) -> String {
    d.format("%d-%m-%Y").to_string()
}

pub fn fmt_opt_date(d: Option<chrono::NaiveDate>) -> String {
    d.map(fmt_date).unwrap_or_default()
}

/// `2027-01-31T09:15:00Z` as `31-01-2027 09:15`.
pub fn fmt_timestamp(ts: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(ts)
        .map(|t| t.with_timezone(&chrono::Local).format("%d-%m-%Y %H:%M").to_string())
        .unwrap_or_else(|_| ts.to_string())
}
