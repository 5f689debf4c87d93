//! The gate: access is decided here, once, and proven by values only this module can make.
//!
//! A use case that reads a patient's data takes a [`Visible`]; one that writes the shared
//! care records takes a [`Contributor`]; a practice decision (inclusion, exclusion, first
//! point of contact, the care team) takes a [`Decider`]; the patient's access trail takes
//! an [`AuditReader`]. Practice-wide work takes [`PracticeStaff`] or [`MdoOrganiser`] /
//! [`FormationSetter`], region figures [`RegionStaff`], accounts [`Administrator`]. None of
//! these has a public constructor: the only way to get one is to ask [`App`], which applies
//! the rules of `kernteam_domain::access` and writes the audit record. Making a `Visible`
//! writes the read; a refusal writes the refusal (outcome: refused) and answers 404 for a
//! patient the actor may not see (whether a patient exists elsewhere is itself patient
//! information) or 403 for what they may see but not do.
//!
//! So a handler that forgets a check does not compile: it has no token to pass.
//!
//! Patients and mantelzorgers (the portal) pass a gate of their own, in
//! [`crate::portal_gate`]: they never get any of these tokens.

use kernteam_domain::access::{
    is_administrator, is_region_staff, patient_access, practice_permissions, PatientAccess, Relationship, Scope,
};
use kernteam_store::care::PatientRef;

use crate::audit::Action;
use crate::error::{Error, Result};
use crate::{Actor, App};

#[derive(Debug, Clone)]
pub(crate) struct Grant {
    actor: Actor,
    patient: PatientRef,
    access: PatientAccess,
}

macro_rules! patient_token {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $name(Grant);

        impl $name {
            pub fn patient(&self) -> &PatientRef {
                &self.0.patient
            }
            pub fn actor(&self) -> &Actor {
                &self.0.actor
            }
            /// Everything the actor may do with this patient (for showing or hiding buttons).
            pub fn access(&self) -> PatientAccess {
                self.0.access
            }
        }
    };
}

patient_token!(
    /// The actor may see this patient's record; the read is in the audit log.
    Visible
);
patient_token!(
    /// The actor may write this patient's shared care records (care plan, PZP, events …).
    Contributor
);
patient_token!(
    /// The actor may edit this patient's proactive care planning (PZP); whether they may
    /// also change its treatment limits is `access().change_limits`, which the PZP use
    /// case enforces (see `kernteam_domain::access::may_change_limits`).
    PzpEditor
);
patient_token!(
    /// The actor may take the practice's decisions for this patient (inclusion, exclusion,
    /// care team, first point of contact).
    Decider
);
patient_token!(
    /// The actor may see who accessed this patient's record.
    AuditReader
);
patient_token!(
    /// The actor may invite the patient and their mantelzorgers to the portal, withdraw
    /// invitations and end accounts: the practice's clinicians, and the patient's first
    /// point of contact (see `crate::portal_gate`).
    PortalInviter
);

impl Contributor {
    /// A contributor may read what they change (e.g. the record a handover summarises);
    /// the change's use case writes the audit record.
    pub(crate) fn as_visible(&self) -> Visible {
        Visible(self.0.clone())
    }
}

/// The actor may read one sent handover document: as one who may see the patient, or as
/// an account of the organisation it was sent to (which may not see the rest of the
/// record). The read is in the audit log.
#[derive(Debug, Clone)]
pub struct SentDocument {
    actor: Actor,
    patient: PatientRef,
    handover_id: i64,
}

impl SentDocument {
    pub fn patient(&self) -> &PatientRef {
        &self.patient
    }
    pub fn actor(&self) -> &Actor {
        &self.actor
    }
    pub fn handover_id(&self) -> i64 {
        self.handover_id
    }
}

impl AuditReader {
    /// Reading the trail is itself a logged read of the record, so the reader may see it.
    pub fn visible(&self) -> Visible {
        Visible(self.0.clone())
    }
}

/// A member of a practice's staff, for that practice's lists.
#[derive(Debug, Clone)]
pub struct PracticeStaff {
    actor: Actor,
    practice_id: i64,
}

/// Practice staff who may plan MDOs, set their agenda and record attendance.
#[derive(Debug, Clone)]
pub struct MdoOrganiser(PracticeStaff);

/// Practice staff who may set the POH-O formation.
#[derive(Debug, Clone)]
pub struct FormationSetter(PracticeStaff);

impl PracticeStaff {
    pub fn practice_id(&self) -> i64 {
        self.practice_id
    }
    pub fn actor(&self) -> &Actor {
        &self.actor
    }
}

impl MdoOrganiser {
    pub fn staff(&self) -> &PracticeStaff {
        &self.0
    }
}

impl FormationSetter {
    pub fn staff(&self) -> &PracticeStaff {
        &self.0
    }
}

/// A network professional, for the list of patients whose care team they are on.
#[derive(Debug, Clone)]
pub struct NetworkMember(Actor);

impl NetworkMember {
    pub fn actor(&self) -> &Actor {
        &self.0
    }
}

/// Region staff: practice-level figures, never patient records.
#[derive(Debug, Clone)]
pub struct RegionStaff(Actor);

impl RegionStaff {
    pub fn actor(&self) -> &Actor {
        &self.0
    }
}

/// Region staff who may change the region's settings (contracts, yardsticks, funding
/// categories): see `kernteam_domain::access::may_set_region_settings`.
#[derive(Debug, Clone)]
pub struct RegionSettingsEditor(Actor);

impl RegionSettingsEditor {
    pub fn actor(&self) -> &Actor {
        &self.0
    }
}

/// Who may obtain the per-patient declaration lines: the region's declarant (every
/// practice) or a practice's own staff (their practice only).
#[derive(Debug, Clone)]
pub struct DeclarationReader {
    actor: Actor,
    /// `None`: every practice (the declarant).
    practice_id: Option<i64>,
}

impl DeclarationReader {
    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    pub fn practice_id(&self) -> Option<i64> {
        self.practice_id
    }
}

/// The operator of the command line (`kernteam contract set` …): whoever may run the
/// binary against the database. Audited under their system user name.
#[derive(Debug, Clone)]
pub struct Operator {
    name: String,
}

impl Operator {
    pub fn name(&self) -> &str {
        &self.name
    }

    pub(crate) fn entry(
        &self,
        practice_id: Option<i64>,
        patient_id: Option<i64>,
        action: Action,
        detail: Option<String>,
    ) -> kernteam_store::care::AuditEntry {
        kernteam_store::care::AuditEntry {
            username: self.name.clone(),
            role: "opdrachtregel".into(),
            practice_id,
            patient_id,
            action: action.label().to_string(),
            detail,
            ..Default::default()
        }
    }
}

/// The region's administrator: organisations, accounts, resets.
#[derive(Debug, Clone)]
pub struct Administrator(Actor);

impl Administrator {
    pub fn actor(&self) -> &Actor {
        &self.0
    }
}

/// A professional who sees patient data (practice or network), for looking up the
/// accounts and organisations of care by id (FHIR `Practitioner`, `PractitionerRole`,
/// `Organization`): no patient data, so no read is written; region staff are refused.
#[derive(Debug, Clone)]
pub struct CareDirectory(Actor);

impl CareDirectory {
    pub fn actor(&self) -> &Actor {
        &self.0
    }
}

/// What the actor wants with the patient, which decides the token and the audit record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Want {
    Read,
    Contribute,
    EditPzp,
    Decide,
    AuditTrail,
}

impl App {
    pub(crate) async fn grant(&self, actor: &Actor, patient_id: i64, want: Want) -> Result<Grant> {
        let patient = match self.db.patient(patient_id).await {
            Ok(p) => p,
            Err(kernteam_store::StoreError::NotFound) => {
                self.refuse(actor, None, &format!("patiënt {patient_id}")).await?;
                return Err(Error::NotFound);
            }
            Err(e) => return Err(e.into()),
        };
        let user = actor.user();
        let same_practice = user.practice_id == Some(patient.practice_id);
        let on_care_team = user.role.scope() == Scope::Network && self.db.on_care_team(patient.id, user.id).await?;
        let access = patient_access(
            user.role,
            user.is_admin,
            Relationship {
                same_practice,
                on_care_team,
            },
        );
        if !access.read {
            self.refuse(actor, Some(&patient), "inzien").await?;
            return Err(Error::NotFound);
        }
        let (ok, what) = match want {
            Want::Read => (true, ""),
            Want::Contribute => (access.contribute, "wijzigen"),
            Want::EditPzp => (access.edit_pzp, "pzp wijzigen"),
            Want::Decide => (access.decide, "besluiten"),
            Want::AuditTrail => (access.audit, "logging inzien"),
        };
        if !ok {
            self.refuse(actor, Some(&patient), what).await?;
            return Err(Error::Forbidden);
        }
        Ok(Grant {
            actor: actor.clone(),
            patient,
            access,
        })
    }

    /// Refuses what a token's holder wants beyond the token (e.g. a PZP editor changing
    /// treatment limits): audits the refusal; the caller answers `Forbidden`.
    pub(crate) async fn refuse_holder(&self, holder: &impl HoldsPatient, detail: &str) -> Result<()> {
        self.refuse(holder.held_actor(), Some(holder.held_patient()), detail)
            .await
    }

    pub(crate) async fn refuse(&self, actor: &Actor, patient: Option<&PatientRef>, detail: &str) -> Result<()> {
        self.record(&actor.refusal(patient, Action::AccessRefused, Some(detail.to_string())))
            .await
    }

    /// Opens a patient's record to read: writes `read` (e.g. [`Action::ViewCarePlan`]) with
    /// `detail` to the audit log. Refused (and the refusal logged) unless the actor may see
    /// the patient.
    pub async fn visible(
        &self,
        actor: &Actor,
        patient_id: i64,
        read: Action,
        detail: Option<String>,
    ) -> Result<Visible> {
        let g = self.grant(actor, patient_id, Want::Read).await?;
        self.record(&actor.entry(Some(&g.patient), read, detail)).await?;
        Ok(Visible(g))
    }

    /// A [`Visible`] for the same patient and actor as a token the caller already holds
    /// (e.g. to show the stored records again after refused input): writes the read.
    pub async fn reread(&self, holder: &impl HoldsPatient, read: Action, detail: Option<String>) -> Result<Visible> {
        self.visible(holder.held_actor(), holder.held_patient().id, read, detail)
            .await
    }

    /// May the actor write this patient's shared care records? The change itself is
    /// audited by the use case, in the change's own transaction.
    pub async fn contributor(&self, actor: &Actor, patient_id: i64) -> Result<Contributor> {
        Ok(Contributor(self.grant(actor, patient_id, Want::Contribute).await?))
    }

    /// May the actor edit this patient's PZP? The save is audited by the use case.
    pub async fn pzp_editor(&self, actor: &Actor, patient_id: i64) -> Result<PzpEditor> {
        Ok(PzpEditor(self.grant(actor, patient_id, Want::EditPzp).await?))
    }

    /// May the actor take the practice's decisions for this patient?
    pub async fn decider(&self, actor: &Actor, patient_id: i64) -> Result<Decider> {
        Ok(Decider(self.grant(actor, patient_id, Want::Decide).await?))
    }

    /// May the actor see who accessed this patient's record? Writes the read.
    pub async fn audit_reader(&self, actor: &Actor, patient_id: i64) -> Result<AuditReader> {
        let g = self.grant(actor, patient_id, Want::AuditTrail).await?;
        self.record(&actor.entry(Some(&g.patient), Action::ViewAuditTrail, None))
            .await?;
        Ok(AuditReader(g))
    }

    /// May the actor read the handover document `handover_id` of this patient? Yes when
    /// they may see the patient, or when their organisation is its recipient; writes
    /// `read` with `detail` (`(ontvanger)` added for a recipient). Otherwise refused and
    /// not found, as for any patient the actor may not see. A handover the patient does not
    /// have is not found after the read of the visible record is written.
    pub async fn sent_document(
        &self,
        actor: &Actor,
        patient_id: i64,
        handover_id: i64,
        read: Action,
        detail: String,
    ) -> Result<SentDocument> {
        let handover = match self.db.handover(handover_id).await {
            Ok(h) if h.patient_id == patient_id => Some(h),
            Ok(_) | Err(kernteam_store::StoreError::NotFound) => None,
            Err(e) => return Err(e.into()),
        };
        let user = actor.user();
        let recipient = user.role.sees_patient_data()
            && user.organisation_id.is_some()
            && handover
                .as_ref()
                .is_some_and(|h| h.organisation_id == user.organisation_id);
        if recipient {
            let patient = self.db.patient(patient_id).await?;
            self.record(&actor.entry(Some(&patient), read, Some(format!("{detail} (ontvanger)"))))
                .await?;
            return Ok(SentDocument {
                actor: actor.clone(),
                patient,
                handover_id,
            });
        }
        let g = self.grant(actor, patient_id, Want::Read).await?;
        self.record(&actor.entry(Some(&g.patient), read, Some(detail))).await?;
        if handover.is_none() {
            return Err(Error::NotFound);
        }
        Ok(SentDocument {
            actor: actor.clone(),
            patient: g.patient,
            handover_id,
        })
    }

    /// The actor as a member of their practice's staff.
    pub async fn practice_staff(&self, actor: &Actor) -> Result<PracticeStaff> {
        let u = actor.user();
        match (practice_permissions(u.role, u.is_admin).staff, u.practice_id) {
            (true, Some(practice_id)) => Ok(PracticeStaff {
                actor: actor.clone(),
                practice_id,
            }),
            _ => {
                self.refuse(actor, None, "praktijk").await?;
                Err(Error::Forbidden)
            }
        }
    }

    /// The actor as one who organises their practice's MDOs.
    pub async fn mdo_organiser(&self, actor: &Actor) -> Result<MdoOrganiser> {
        let staff = self.practice_staff(actor).await?;
        if practice_permissions(actor.user().role, actor.user().is_admin).organise_mdo {
            Ok(MdoOrganiser(staff))
        } else {
            self.refuse(actor, None, "MDO organiseren").await?;
            Err(Error::Forbidden)
        }
    }

    /// The actor as one who sets their practice's POH-O formation.
    pub async fn formation_setter(&self, actor: &Actor) -> Result<FormationSetter> {
        let staff = self.practice_staff(actor).await?;
        if practice_permissions(actor.user().role, actor.user().is_admin).set_formation {
            Ok(FormationSetter(staff))
        } else {
            self.refuse(actor, None, "formatie instellen").await?;
            Err(Error::Forbidden)
        }
    }

    /// The actor as a network professional.
    pub async fn network_member(&self, actor: &Actor) -> Result<NetworkMember> {
        if actor.user().role.scope() == Scope::Network {
            Ok(NetworkMember(actor.clone()))
        } else {
            self.refuse(actor, None, "netwerk").await?;
            Err(Error::Forbidden)
        }
    }

    /// The actor as region staff.
    pub async fn region_staff(&self, actor: &Actor) -> Result<RegionStaff> {
        if is_region_staff(actor.user().role) {
            Ok(RegionStaff(actor.clone()))
        } else {
            self.refuse(actor, None, "regio").await?;
            Err(Error::Forbidden)
        }
    }

    /// The actor as someone who may change the region's settings.
    pub async fn region_settings_editor(&self, actor: &Actor) -> Result<RegionSettingsEditor> {
        if kernteam_domain::access::may_set_region_settings(actor.user().role) {
            Ok(RegionSettingsEditor(actor.clone()))
        } else {
            self.refuse(actor, None, "regio-instellingen").await?;
            Err(Error::Forbidden)
        }
    }

    /// The actor as a reader of per-patient declaration lines: the declarant for every
    /// practice, a practice's staff for their own (a refusal is audited).
    pub async fn declaration_reader(&self, actor: &Actor) -> Result<DeclarationReader> {
        let u = actor.user();
        if u.role == kernteam_domain::access::Role::Declarant {
            return Ok(DeclarationReader {
                actor: actor.clone(),
                practice_id: None,
            });
        }
        if u.role.scope() == Scope::Practice {
            if let Some(p) = u.practice_id {
                return Ok(DeclarationReader {
                    actor: actor.clone(),
                    practice_id: Some(p),
                });
            }
        }
        self.refuse(actor, None, "declaratieregels").await?;
        Err(Error::Forbidden)
    }

    /// The command line's operator, named after the system user running it.
    pub fn operator(&self) -> Operator {
        let name = ["KERNTEAM_OPERATOR", "USER", "LOGNAME"]
            .iter()
            .find_map(|v| std::env::var(v).ok().filter(|s| !s.trim().is_empty()))
            .unwrap_or_else(|| "kernteam".into());
        Operator { name }
    }

    /// The actor as one who may look up the accounts and organisations of care.
    pub async fn care_directory(&self, actor: &Actor) -> Result<CareDirectory> {
        if actor.user().role.sees_patient_data() {
            Ok(CareDirectory(actor.clone()))
        } else {
            self.refuse(actor, None, "zorgverleners opzoeken").await?;
            Err(Error::Forbidden)
        }
    }

    /// The actor as the region's administrator.
    pub async fn administrator(&self, actor: &Actor) -> Result<Administrator> {
        if is_administrator(actor.user().role) {
            Ok(Administrator(actor.clone()))
        } else {
            self.refuse(actor, None, "beheer").await?;
            Err(Error::Forbidden)
        }
    }
}

/// A token that names one patient and one actor.
pub trait HoldsPatient {
    fn held_patient(&self) -> &PatientRef;
    fn held_actor(&self) -> &Actor;
}

macro_rules! holds {
    ($($t:ident),*) => {$(
        impl HoldsPatient for $t {
            fn held_patient(&self) -> &PatientRef {
                &self.0.patient
            }
            fn held_actor(&self) -> &Actor {
                &self.0.actor
            }
        }
    )*};
}
holds!(Visible, Contributor, PzpEditor, Decider, AuditReader, PortalInviter);

impl PortalInviter {
    pub(crate) fn from_grant(g: Grant) -> Self {
        PortalInviter(g)
    }
}
