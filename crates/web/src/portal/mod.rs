//! The patient's own view (the portal), for patients and mantelzorgers: plain Dutch (B1),
//! large type, one column that works on a phone. Every page goes through the portal's gate
//! (`kernteam_app::portal_gate`) and says that the portal is not for urgent questions,
//! with the practice's phone number. The staff's side (invitations, the letter, messages,
//! notifications) is in [`staff`]; activating an invitation in [`activation`].

pub mod account_care;
pub mod activation;
mod messages;
mod pages;
pub mod staff;

use kernteam_app::portal::PortalFrame;
use kernteam_app::portal_gate::{PortalPart, PortalUser};
use kernteam_domain::portal::PortalKind;
use kernteam_store::people::User;

use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::AppState;

/// The page routes of the portal and of the staff's side of it.
pub fn routes() -> Vec<crate::PageRoute> {
    let mut table = crate::page_table![
        "/portaal" => get(pages::home),
        "/portaal/zorgplan" => get(pages::plan),
        "/portaal/afdrukken" => get(pages::print),
        "/portaal/wensen" => get(pages::pzp),
        "/portaal/voorstel" => post(pages::propose),
        "/portaal/toestemming" => get(pages::consent).post(pages::set_consent),
        "/portaal/toestemming/accounts/{account}/beeindigen" => post(pages::end_carer_account),
        "/portaal/belasting" => get(pages::load).post(pages::record_load),
        "/portaal/account" => get(pages::account),
        "/portaal/account/beeindigen" => post(pages::end_own_account),
        "/portaal/berichten" => get(messages::threads).post(messages::new_thread),
        "/portaal/berichten/{thread}" => get(messages::thread).post(messages::reply),
        "/inloggen/activeren" => get(activation::form).post(activation::activate),
    ];
    table.extend(staff::routes());
    table
}

/// The portal's menu, for the pages shared with the staff (password, second factor).
pub fn menu(user: &User) -> Vec<(&'static str, &'static str)> {
    let mut menu = vec![("Overzicht", "/portaal"), ("Zorgplan", "/portaal/zorgplan")];
    menu.push(("Berichten", "/portaal/berichten"));
    if user.role == kernteam_domain::access::Role::Patient {
        menu.push(("Wie mag wat zien", "/portaal/toestemming"));
    } else {
        menu.push(("Hoe gaat het met u", "/portaal/belasting"));
    }
    menu
}

/// What every portal page shows around its content.
pub struct Chrome {
    pub frame: PortalFrame,
    pub csrf: String,
    pub user_name: String,
    pub kind: PortalKind,
    /// (label, link, is this page).
    pub nav: Vec<(&'static str, &'static str, bool)>,
    pub flash: Option<String>,
    /// The legal representative, acting for the patient (every page says so).
    pub on_behalf: bool,
}

impl Chrome {
    pub fn is_patient(&self) -> bool {
        self.kind == PortalKind::Patient
    }
}

/// The chrome for a page at `current` (its link).
pub async fn chrome(state: &AppState, cu: &CurrentUser, u: &PortalUser, current: &str) -> AppResult<Chrome> {
    let frame = state.app.portal_frame(u).await?;
    let access = u.access();
    let mut nav = vec![("Overzicht", "/portaal")];
    if access.agreements {
        nav.push(("Zorgplan", "/portaal/zorgplan"));
    }
    if access.pzp {
        nav.push(("Wensen en grenzen", "/portaal/wensen"));
    }
    if access.messages {
        nav.push(("Berichten", "/portaal/berichten"));
    }
    if access.consent {
        nav.push(("Wie mag wat zien", "/portaal/toestemming"));
    }
    if access.own_load {
        nav.push(("Hoe gaat het met u", "/portaal/belasting"));
    }
    nav.push(("Mijn account", "/portaal/account"));
    Ok(Chrome {
        frame,
        csrf: cu.csrf.clone(),
        user_name: cu.user.display_name.clone(),
        kind: u.kind(),
        nav: nav.into_iter().map(|(l, h)| (l, h, h == current)).collect(),
        flash: None,
        on_behalf: u.on_behalf(),
    })
}

/// The portal user of the request, admitted to `part` (the read audited as `read`).
pub async fn admit(
    state: &AppState,
    cu: &CurrentUser,
    part: PortalPart,
    read: Option<kernteam_app::Action>,
) -> AppResult<PortalUser> {
    Ok(state.app.portal_user(&cu.actor(), part, read).await?)
}

/// A flash message after a redirect (`?melding=`).
pub fn flash(code: Option<&str>) -> Option<String> {
    Some(
        match code? {
            "verstuurd" => "Uw bericht is verstuurd.",
            "toestemming" => "Uw keuze is opgeslagen. Die geldt meteen.",
            "voorstel" => "Bedankt. Uw voorstel gaat naar uw praktijkondersteuner.",
            "belasting" => "Bedankt. Het zorgteam leest wat u schreef.",
            "beeindigd" => "Het account is beëindigd.",
            _ => return None,
        }
        .to_string(),
    )
}
