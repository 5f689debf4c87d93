//! The portal's gate: a patient or mantelzorger signed in is admitted to exactly one
//! patient (their own, or the one whose mantelzorger they are), and within it only to the
//! parts the rule of `kernteam_domain::portal::portal_access` allows (for a mantelzorger:
//! what the patient consented to, read afresh on every request, so a withdrawal takes
//! effect at once). A [`PortalUser`] has no public constructor; making one writes the read
//! to the audit log, a refusal writes the refusal and answers 404 (what a portal user may
//! not see does not exist for them).
//!
//! A mantelzorger whom the current PZP names as the patient's legal representative acts
//! for the patient (`kernteam_domain::portal::represents`, read afresh from the PZP on
//! every request): every audit record their token writes says so (`on_behalf_of`).
//!
//! Staff who invite patients get a [`PortalInviter`] from [`App::portal_inviter`]: the
//! practice's clinicians, and the patient's first point of contact.

use kernteam_domain::care::{status_on, Decision, ProgramStatus};
use kernteam_domain::portal::{portal_access, represents, ConsentLevel, PortalAccess, PortalKind, PortalState};
use kernteam_store::care::{AuditEntry, PatientRef};
use kernteam_store::portal::PortalAccount;

use crate::audit::Action;
use crate::error::{Error, Result};
use crate::gate::{PortalInviter, Want};
use crate::pzp::current_of;
use crate::{today, Actor, App};

/// The parts of the portal, as the gate admits to them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortalPart {
    /// The portal at all: the overview, one's own account.
    Enter,
    Agreements,
    Pzp,
    Messages,
    Consent,
    Propose,
    OwnLoad,
}

impl PortalPart {
    fn allowed(self, a: PortalAccess) -> bool {
        match self {
            PortalPart::Enter => a.enter,
            PortalPart::Agreements => a.agreements,
            PortalPart::Pzp => a.pzp,
            PortalPart::Messages => a.messages,
            PortalPart::Consent => a.consent,
            PortalPart::Propose => a.propose,
            PortalPart::OwnLoad => a.own_load,
        }
    }
}

/// A portal user admitted to their patient, for one part of the portal.
#[derive(Debug, Clone)]
pub struct PortalUser {
    actor: Actor,
    account: PortalAccount,
    patient: PatientRef,
    access: PortalAccess,
    consent: ConsentLevel,
}

impl PortalUser {
    pub fn actor(&self) -> &Actor {
        &self.actor
    }
    pub fn patient(&self) -> &PatientRef {
        &self.patient
    }
    pub fn account(&self) -> &PortalAccount {
        &self.account
    }
    pub fn kind(&self) -> PortalKind {
        self.account.kind
    }
    /// Everything the account may do now (for showing or hiding links).
    pub fn access(&self) -> PortalAccess {
        self.access
    }
    /// For a mantelzorger: what the patient lets them see now.
    pub fn consent(&self) -> ConsentLevel {
        self.consent
    }
    /// Whether the token admits to `part` (a use case checks before it reads).
    pub(crate) fn may(&self, part: PortalPart) -> bool {
        part.allowed(self.access)
    }
    /// The legal representative, acting for the patient.
    pub fn on_behalf(&self) -> bool {
        self.access.on_behalf
    }
    /// Whom the user acts for, as the audit log says it (the legal representative).
    pub(crate) fn on_behalf_of(&self) -> Option<&'static str> {
        self.access.on_behalf.then_some(ON_BEHALF)
    }
    /// The audit record of an action on the patient's view, by this user (and, for the
    /// legal representative, on the patient's behalf).
    pub(crate) fn entry(&self, action: Action, detail: Option<String>) -> AuditEntry {
        on_behalf(self.actor.entry(Some(&self.patient), action, detail), self.access)
    }
}

/// What the audit log says of a legal representative's steps.
pub const ON_BEHALF: &str = "namens de patiënt (wettelijk vertegenwoordiger)";

fn on_behalf(mut e: AuditEntry, a: PortalAccess) -> AuditEntry {
    if a.on_behalf {
        e.on_behalf_of = Some(ON_BEHALF.to_string());
    }
    e
}

impl App {
    /// Whether the patient is in the programme (not excluded): a portal account of a
    /// patient who left it sees nothing.
    pub(crate) async fn in_programme(&self, patient_id: i64) -> Result<bool> {
        let decisions: Vec<Decision> = self
            .db
            .decisions(patient_id)
            .await?
            .iter()
            .map(|d| d.as_decision())
            .collect();
        Ok(status_on(&decisions, today()) != ProgramStatus::Excluded)
    }

    /// Admits a portal user to `part` of their patient's view and writes `read` (when
    /// given) to the audit log; refuses (404, audited) a staff member, an ended account,
    /// or a part the account may not see.
    pub async fn portal_user(&self, actor: &Actor, part: PortalPart, read: Option<Action>) -> Result<PortalUser> {
        let user = actor.user();
        let account = match self.db.portal_account(user.id).await? {
            Some(a) if user.role.is_portal() => a,
            _ => {
                self.refuse(actor, None, "portaal").await?;
                return Err(Error::NotFound);
            }
        };
        let patient = self.db.patient(account.patient_id).await?;
        let consent = match (account.kind, account.member_id) {
            (PortalKind::Mantelzorger, Some(member)) => self.db.consent(member).await?,
            _ => ConsentLevel::None,
        };
        // A mantelzorger taken off the care team keeps no access through their account.
        let still_carer = match (account.kind, account.member_id) {
            (PortalKind::Patient, _) => true,
            (PortalKind::Mantelzorger, Some(member)) => self.db.team(patient.id).await?.iter().any(|m| m.id == member),
            (PortalKind::Mantelzorger, None) => false,
        };
        // The legal representative as the current PZP names them (read every time: ending
        // the designation ends it at once).
        let legal_representative = account.kind == PortalKind::Mantelzorger && {
            let versions = self
                .db
                .latest_version(kernteam_store::program::Document::Pzp, patient.id)
                .await?;
            represents(
                current_of(versions.as_slice())?.1.representative_member,
                account.member_id,
            )
        };
        let access = portal_access(PortalState {
            kind: account.kind,
            account_active: account.ended_at.is_none() && user.active && still_carer,
            patient_in_programme: self.in_programme(patient.id).await?,
            consent,
            legal_representative,
        });
        if !part.allowed(access) {
            self.refuse(actor, Some(&patient), &format!("portaal: {part:?}"))
                .await?;
            return Err(Error::NotFound);
        }
        if let Some(read) = read {
            self.record(&on_behalf(actor.entry(Some(&patient), read, None), access))
                .await?;
        }
        Ok(PortalUser {
            actor: actor.clone(),
            account,
            patient,
            access,
            consent,
        })
    }

    /// A [`PortalUser`] for another part, for the same actor (the access read afresh).
    pub async fn portal_reread(&self, u: &PortalUser, part: PortalPart, read: Option<Action>) -> Result<PortalUser> {
        self.portal_user(&u.actor, part, read).await
    }

    /// May the actor invite this patient and their mantelzorgers to the portal? The
    /// practice's clinicians may; so may the patient's first point of contact when they
    /// are a network professional on the care team.
    pub async fn portal_inviter(&self, actor: &Actor, patient_id: i64) -> Result<PortalInviter> {
        let u = actor.user();
        let first_contact = u.role.scope() == kernteam_domain::access::Scope::Network
            && self.db.first_contact(patient_id).await?.and_then(|m| m.user_id) == Some(u.id);
        let want = if first_contact { Want::Contribute } else { Want::Decide };
        Ok(PortalInviter::from_grant(self.grant(actor, patient_id, want).await?))
    }

    /// A portal user on a route of the staff: refused (audited), answered 404.
    pub async fn refuse_staff_route(&self, actor: &Actor, path: &str) -> Result<()> {
        let path: String = path.chars().take(200).collect();
        self.refuse(actor, None, &format!("portaal-account op {path}")).await
    }
}
