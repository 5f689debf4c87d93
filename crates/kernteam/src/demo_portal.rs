//! The demo's portal accounts: the first included patient of the first practice who has a
//! mantelzorger, a first point of contact and a care plan, with their own account, and that mantelzorger's account
//! with the patient's consent to see the agreements; and a message from the patient. Made
//! as an activated invitation would make them (audited as demo data), on every start if
//! missing.

use kernteam_domain::access::Role;
use kernteam_domain::portal::{ConsentLevel, PortalKind};
use kernteam_store::care::AuditEntry;
use kernteam_store::people::NewUser;
use kernteam_store::portal::NewInvitation;
use kernteam_store::program::Document;
use kernteam_store::Db;

/// The portal's demo accounts: (role, username).
pub const PORTAL_ACCOUNTS: [(Role, &str); 2] = [(Role::Patient, "patient"), (Role::Mantelzorger, "mantelzorger")];

fn entry() -> AuditEntry {
    AuditEntry::command_line("demogegevens", None)
}

pub async fn seed_portal(db: &Db, password_hash: &str) -> anyhow::Result<()> {
    if db.credentials("patient").await?.is_some() {
        return Ok(());
    }
    let Some(practice) = db.practices().await?.into_iter().next() else {
        return Ok(());
    };
    let Some(poh) = db.credentials("poh").await?.map(|c| c.user) else {
        return Ok(());
    };
    let Some(snap) = db.latest_snapshot(practice.id).await? else {
        return Ok(());
    };
    // The first patient with a care plan and a mantelzorger.
    let mut chosen = None;
    for person in db.snapshot_people(snap.snapshot_id).await? {
        let pid = person.patient_id;
        if db.latest_version(Document::CarePlan, pid).await?.is_none() || db.first_contact(pid).await?.is_none() {
            continue;
        }
        if let Some(m) = db.team(pid).await?.into_iter().find(|m| m.kind == "mantelzorger") {
            chosen = Some((person, m));
            break;
        }
    }
    let Some((person, carer)) = chosen else {
        return Ok(());
    };
    let pid = person.patient_id;
    let mut users = Vec::new();
    for (role, username) in PORTAL_ACCOUNTS {
        let kind = PortalKind::of_role(role).expect("a portal role");
        let member_id = (kind == PortalKind::Mantelzorger).then_some(carer.id);
        let hash = kernteam_app::portal::code_hash(&format!("demo-{username}"));
        kernteam_store::audited!(db, entry(), |ch| ch.add_invitation(&NewInvitation {
            patient_id: pid,
            kind,
            member_id,
            code_hash: hash.clone(),
            created_by: poh.id,
            expires_at: "2099-01-01T00:00:00Z".into(),
            email: None,
            resets_user_id: None,
        }))?;
        let invitation = db.invitation_by_hash(&hash).await?.expect("just made");
        let display_name = match kind {
            PortalKind::Patient => person.name(),
            PortalKind::Mantelzorger => carer.name.clone(),
        };
        let uid = kernteam_store::audited!(db, entry(), |ch| ch.activate_invitation(
            &invitation,
            &NewUser {
                username: username.into(),
                display_name: display_name.clone(),
                role,
                practice_id: None,
                organisation_id: None,
                password_hash: password_hash.to_string(),
                is_admin: false,
            }
        ))?;
        users.push(uid);
    }
    let patient_user = users[0];
    kernteam_store::audited!(db, entry(), |ch| ch.set_consent(
        pid,
        carer.id,
        ConsentLevel::Agreements,
        patient_user
    ))?;
    let thread = kernteam_store::audited!(db, entry(), |ch| ch.add_thread(
        pid,
        "Vraag over het huisbezoek",
        false,
        patient_user
    ))?;
    kernteam_store::audited!(db, entry(), |ch| ch.add_message(
        thread,
        patient_user,
        "Goedemorgen, komt u volgende week nog langs voor het valrisico? Mijn dochter is er op dinsdag."
    ))?;
    Ok(())
}
