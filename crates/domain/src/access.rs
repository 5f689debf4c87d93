//! Roles and the access rules of Kernteam: roles decide what a user may do, tenancy
//! decides what they may see.
//!
//! - practice staff see their own practice's patients, never another practice's;
//! - a network professional sees only patients whose care team includes them (the
//!   treatment relationship);
//! - regional staff see practice-level figures, never patient records.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    // Practice staff.
    Huisarts,
    PohO,
    VerpleegkundigSpecialist,
    PhysicianAssistant,
    Praktijkmanager,
    // Network professionals.
    Wijkverpleegkundige,
    SpecialistOuderengeneeskunde,
    CasemanagerDementie,
    Apotheker,
    SociaalWijkteam,
    MaatschappelijkWerker,
    // Regional staff.
    Programmamanager,
    Kaderarts,
    /// Administrator of the region: organisations, practices' people and accounts.
    Beheerder,
    /// The region's declarations officer: the per-patient declaration lines (audited).
    Declarant,
    // The portal (`crate::portal`): never made by hand, only by an invitation's code.
    /// A patient, signed in to their own view.
    Patient,
    /// A mantelzorger, signed in to the view the patient allows them.
    Mantelzorger,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    Practice,
    Network,
    Region,
    /// Patients and mantelzorgers in the portal: only their own (or the consenting
    /// patient's) view, through `kernteam_app::gate`'s portal tokens; every staff route
    /// is 404 for them.
    Portal,
}

impl Role {
    /// The staff roles (the accounts the administrator makes); the portal's are
    /// [`Role::PORTAL`].
    pub const ALL: [Role; 15] = [
        Role::Huisarts,
        Role::PohO,
        Role::VerpleegkundigSpecialist,
        Role::PhysicianAssistant,
        Role::Praktijkmanager,
        Role::Wijkverpleegkundige,
        Role::SpecialistOuderengeneeskunde,
        Role::CasemanagerDementie,
        Role::Apotheker,
        Role::SociaalWijkteam,
        Role::MaatschappelijkWerker,
        Role::Programmamanager,
        Role::Kaderarts,
        Role::Beheerder,
        Role::Declarant,
    ];

    /// The portal's roles, made only by activating an invitation.
    pub const PORTAL: [Role; 2] = [Role::Patient, Role::Mantelzorger];

    pub fn code(self) -> &'static str {
        match self {
            Role::Huisarts => "huisarts",
            Role::PohO => "poh_o",
            Role::VerpleegkundigSpecialist => "verpleegkundig_specialist",
            Role::PhysicianAssistant => "physician_assistant",
            Role::Praktijkmanager => "praktijkmanager",
            Role::Wijkverpleegkundige => "wijkverpleegkundige",
            Role::SpecialistOuderengeneeskunde => "specialist_ouderengeneeskunde",
            Role::CasemanagerDementie => "casemanager_dementie",
            Role::Apotheker => "apotheker",
            Role::SociaalWijkteam => "sociaal_wijkteam",
            Role::MaatschappelijkWerker => "maatschappelijk_werker",
            Role::Programmamanager => "programmamanager",
            Role::Kaderarts => "kaderarts",
            Role::Beheerder => "beheerder",
            Role::Declarant => "declarant",
            Role::Patient => "patient",
            Role::Mantelzorger => "mantelzorger",
        }
    }

    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().chain(Role::PORTAL).find(|r| r.code() == code)
    }

    /// Dutch label.
    pub fn label(self) -> &'static str {
        match self {
            Role::Huisarts => "Huisarts",
            Role::PohO => "POH-ouderenzorg",
            Role::VerpleegkundigSpecialist => "Verpleegkundig specialist",
            Role::PhysicianAssistant => "Physician assistant",
            Role::Praktijkmanager => "Praktijkmanager",
            Role::Wijkverpleegkundige => "Wijkverpleegkundige",
            Role::SpecialistOuderengeneeskunde => "Specialist ouderengeneeskunde",
            Role::CasemanagerDementie => "Casemanager dementie",
            Role::Apotheker => "Apotheker",
            Role::SociaalWijkteam => "Sociaal wijkteam",
            Role::MaatschappelijkWerker => "Maatschappelijk werker",
            Role::Programmamanager => "Programmamanager",
            Role::Kaderarts => "Kaderarts ouderengeneeskunde",
            Role::Beheerder => "Beheerder",
            Role::Declarant => "Declarant",
            Role::Patient => "Patiënt",
            Role::Mantelzorger => "Mantelzorger",
        }
    }

    pub fn scope(self) -> Scope {
        match self {
            Role::Huisarts
            | Role::PohO
            | Role::VerpleegkundigSpecialist
            | Role::PhysicianAssistant
            | Role::Praktijkmanager => Scope::Practice,
            Role::Wijkverpleegkundige
            | Role::SpecialistOuderengeneeskunde
            | Role::CasemanagerDementie
            | Role::Apotheker
            | Role::SociaalWijkteam
            | Role::MaatschappelijkWerker => Scope::Network,
            Role::Programmamanager | Role::Kaderarts | Role::Beheerder | Role::Declarant => Scope::Region,
            Role::Patient | Role::Mantelzorger => Scope::Portal,
        }
    }

    /// The kind of network organisation a network professional belongs to.
    pub fn organisation_kind(self) -> Option<OrganisationKind> {
        Some(match self {
            Role::Wijkverpleegkundige => OrganisationKind::Wijkverpleging,
            Role::SpecialistOuderengeneeskunde => OrganisationKind::SpecialistOuderengeneeskunde,
            Role::CasemanagerDementie => OrganisationKind::CasemanagementDementie,
            Role::Apotheker => OrganisationKind::Apotheek,
            Role::SociaalWijkteam => OrganisationKind::SociaalWijkteam,
            Role::MaatschappelijkWerker => OrganisationKind::MaatschappelijkWerk,
            _ => return None,
        })
    }

    /// Staff roles that can see patient data; they must sign in with a second factor.
    pub fn sees_patient_data(self) -> bool {
        matches!(self.scope(), Scope::Practice | Scope::Network)
    }

    /// A patient's or mantelzorger's account in the portal.
    pub fn is_portal(self) -> bool {
        self.scope() == Scope::Portal
    }

    /// Clinicians of the practice: they decide and write the care records.
    pub fn is_practice_clinician(self) -> bool {
        matches!(
            self,
            Role::Huisarts | Role::PohO | Role::VerpleegkundigSpecialist | Role::PhysicianAssistant
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrganisationKind {
    Wijkverpleging,
    SpecialistOuderengeneeskunde,
    CasemanagementDementie,
    Apotheek,
    SociaalWijkteam,
    MaatschappelijkWerk,
    /// A hospital: receives the handover on an SEH referral or admission, sends the
    /// discharge letter. No accounts of its own.
    Ziekenhuis,
    /// A first-line stay (ELV) location.
    Elv,
}

impl OrganisationKind {
    pub const ALL: [OrganisationKind; 8] = [
        OrganisationKind::Wijkverpleging,
        OrganisationKind::SpecialistOuderengeneeskunde,
        OrganisationKind::CasemanagementDementie,
        OrganisationKind::Apotheek,
        OrganisationKind::SociaalWijkteam,
        OrganisationKind::MaatschappelijkWerk,
        OrganisationKind::Ziekenhuis,
        OrganisationKind::Elv,
    ];

    pub fn code(self) -> &'static str {
        match self {
            OrganisationKind::Wijkverpleging => "wijkverpleging",
            OrganisationKind::SpecialistOuderengeneeskunde => "specialist_ouderengeneeskunde",
            OrganisationKind::CasemanagementDementie => "casemanagement_dementie",
            OrganisationKind::Apotheek => "apotheek",
            OrganisationKind::SociaalWijkteam => "sociaal_wijkteam",
            OrganisationKind::MaatschappelijkWerk => "maatschappelijk_werk",
            OrganisationKind::Ziekenhuis => "ziekenhuis",
            OrganisationKind::Elv => "elv",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            OrganisationKind::Wijkverpleging => "Wijkverpleging",
            OrganisationKind::SpecialistOuderengeneeskunde => "Specialist ouderengeneeskunde",
            OrganisationKind::CasemanagementDementie => "Casemanagement dementie",
            OrganisationKind::Apotheek => "Apotheek",
            OrganisationKind::SociaalWijkteam => "Sociaal wijkteam",
            OrganisationKind::MaatschappelijkWerk => "Maatschappelijk werk",
            OrganisationKind::Ziekenhuis => "Ziekenhuis",
            OrganisationKind::Elv => "Eerstelijnsverblijf",
        }
    }
}

/// A user's relation to one patient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Relationship {
    /// The patient belongs to the user's practice.
    pub same_practice: bool,
    /// The user is an active member of the patient's care team.
    pub on_care_team: bool,
}

/// What a user may do with one patient's record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PatientAccess {
    /// See the record (HIS summary, status, team, care plan).
    pub read: bool,
    /// Write the shared care records: care plan, care team, notes.
    pub contribute: bool,
    /// Practice decisions: inclusion, exclusion, first point of contact.
    pub decide: bool,
    /// See who accessed the record (practice administrator).
    pub audit: bool,
    /// Edit the proactive care planning (PZP): conversations, directives, representative,
    /// preferred places, next review. The practice's clinicians; network professionals
    /// read the PZP but do not edit it.
    pub edit_pzp: bool,
    /// Change treatment wishes and limits (the wel/niet per treatment) and the GP
    /// responsible for them: the practice's huisarts only. See [`may_change_limits`].
    pub change_limits: bool,
}

/// Who may change a patient's treatment wishes and limits: a huisarts of the patient's
/// practice. A treatment limit ("Niet reanimeren") is a medical decision the GP takes with
/// the patient and answers for; the POH-O, verpleegkundig specialist and physician
/// assistant record the conversations around it, and network professionals read the
/// limits at the bedside, but neither changes them.
pub fn may_change_limits(role: Role, rel: Relationship) -> bool {
    role == Role::Huisarts && rel.same_practice
}

/// The access rule. A user without `read` gets 404, not 403: whether a patient exists in
/// another practice is itself patient information.
pub fn patient_access(role: Role, is_admin: bool, rel: Relationship) -> PatientAccess {
    match role.scope() {
        Scope::Practice if rel.same_practice => PatientAccess {
            read: true,
            contribute: role.is_practice_clinician(),
            decide: role.is_practice_clinician(),
            audit: is_admin || role == Role::Praktijkmanager,
            edit_pzp: role.is_practice_clinician(),
            change_limits: may_change_limits(role, rel),
        },
        Scope::Network if rel.on_care_team => PatientAccess {
            read: true,
            contribute: true,
            decide: false,
            audit: false,
            edit_pzp: false,
            change_limits: false,
        },
        _ => PatientAccess::default(),
    }
}

/// Who may correct or withdraw a recorded consultation, medication review or event: the
/// practice's clinicians any of their patients' records; a network professional on the care
/// team only what they recorded themselves (they read the others). Never silently: the
/// version before is kept with who, when and why.
pub fn may_correct_record(role: Role, rel: Relationship, recorded_it: bool) -> bool {
    match role.scope() {
        Scope::Practice => rel.same_practice && role.is_practice_clinician(),
        Scope::Network => rel.on_care_team && recorded_it,
        Scope::Region | Scope::Portal => false,
    }
}

/// What a user may do in their practice beyond single patients. These rules hold for the
/// web pages, the API and the command line alike; the gate (`kernteam_app::gate`) is the
/// only caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PracticePermissions {
    /// Practice staff (any practice role): the practice's lists and worklists.
    pub staff: bool,
    /// Plan MDOs, set their agenda and record attendance: the clinicians and the practice's
    /// administrator (praktijkmanager, or an account with `is_admin`).
    pub organise_mdo: bool,
    /// Set the POH-O formation: the practice administrator and the GPs.
    pub set_formation: bool,
}

/// The practice permissions of a role (with the account's administrator flag).
pub fn practice_permissions(role: Role, is_admin: bool) -> PracticePermissions {
    if role.scope() != Scope::Practice {
        return PracticePermissions::default();
    }
    PracticePermissions {
        staff: true,
        organise_mdo: role.is_practice_clinician() || role == Role::Praktijkmanager || is_admin,
        set_formation: is_admin || matches!(role, Role::Praktijkmanager | Role::Huisarts),
    }
}

/// Region staff see practice-level figures (never patient records).
pub fn is_region_staff(role: Role) -> bool {
    role.scope() == Scope::Region
}

/// Who may change the region's settings (contract options, yardsticks, funding
/// categories): the programme manager and the region's administrator. The kaderarts
/// advises and the declarant declares; neither sets the contract.
pub fn may_set_region_settings(role: Role) -> bool {
    matches!(role, Role::Programmamanager | Role::Beheerder)
}

/// The region's administrator: organisations, accounts, second-factor resets.
pub fn is_administrator(role: Role) -> bool {
    role == Role::Beheerder
}

/// Why an account's affiliation does not fit its role, in Dutch: practice staff belong to a
/// practice, network professionals to an organisation, region staff to neither. The
/// administration pages and `kernteam user add` both ask this.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AffiliationProblem {
    PracticeMissing,
    PracticeNotForRole,
    OrganisationMissing,
    OrganisationNotForRole,
}

impl AffiliationProblem {
    pub fn message(self) -> &'static str {
        match self {
            AffiliationProblem::PracticeMissing => "Praktijkmedewerkers horen bij een praktijk: kies de praktijk.",
            AffiliationProblem::PracticeNotForRole => {
                "Een praktijk kiest u alleen bij praktijkmedewerkers; laat 'Praktijk' leeg voor deze rol."
            }
            AffiliationProblem::OrganisationMissing => {
                "Netwerkprofessionals horen bij een organisatie: kies de organisatie."
            }
            AffiliationProblem::OrganisationNotForRole => {
                "Een organisatie kiest u alleen bij netwerkprofessionals; laat 'Organisatie' leeg voor deze rol."
            }
        }
    }
}

/// Every problem with a role's affiliation (empty: it fits).
pub fn affiliation_problems(role: Role, has_practice: bool, has_organisation: bool) -> Vec<AffiliationProblem> {
    let mut out = Vec::new();
    match (role.scope(), has_practice) {
        (Scope::Practice, false) => out.push(AffiliationProblem::PracticeMissing),
        (Scope::Network | Scope::Region | Scope::Portal, true) => out.push(AffiliationProblem::PracticeNotForRole),
        _ => {}
    }
    match (role.scope(), has_organisation) {
        (Scope::Network, false) => out.push(AffiliationProblem::OrganisationMissing),
        (Scope::Practice | Scope::Region | Scope::Portal, true) => out.push(AffiliationProblem::OrganisationNotForRole),
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for r in Role::ALL.into_iter().chain(Role::PORTAL) {
            assert_eq!(Role::from_code(r.code()), Some(r));
        }
        assert!(Role::ALL.iter().all(|r| !r.is_portal()));
        assert!(Role::PORTAL.iter().all(|r| r.is_portal() && !r.sees_patient_data()));
        for k in OrganisationKind::ALL {
            assert_eq!(OrganisationKind::from_code(k.code()), Some(k));
        }
    }

    #[test]
    fn tenancy() {
        let own = Relationship {
            same_practice: true,
            on_care_team: false,
        };
        let other = Relationship {
            same_practice: false,
            on_care_team: false,
        };
        let team = Relationship {
            same_practice: false,
            on_care_team: true,
        };
        assert!(patient_access(Role::PohO, false, own).decide);
        assert!(!patient_access(Role::PohO, false, other).read);
        assert!(
            !patient_access(Role::Huisarts, false, team).read,
            "a GP of another practice on the team sees nothing"
        );
        assert!(patient_access(Role::Wijkverpleegkundige, false, team).contribute);
        assert!(!patient_access(Role::Wijkverpleegkundige, false, team).decide);
        assert!(!patient_access(Role::Wijkverpleegkundige, false, own).read);
        for r in [Role::Programmamanager, Role::Kaderarts, Role::Beheerder] {
            assert_eq!(
                patient_access(
                    r,
                    true,
                    Relationship {
                        same_practice: true,
                        on_care_team: true
                    }
                ),
                PatientAccess::default()
            );
        }
        let pm = patient_access(Role::Praktijkmanager, false, own);
        assert!(pm.read && pm.audit && !pm.contribute && !pm.decide);
        for r in Role::PORTAL {
            let all = Relationship {
                same_practice: true,
                on_care_team: true,
            };
            assert_eq!(
                patient_access(r, false, all),
                PatientAccess::default(),
                "{r:?} reaches the record only through the portal's own rule"
            );
            assert_eq!(practice_permissions(r, true), PracticePermissions::default());
        }
    }

    #[test]
    fn only_the_practice_gp_changes_treatment_limits() {
        let own = Relationship {
            same_practice: true,
            on_care_team: false,
        };
        let team = Relationship {
            same_practice: false,
            on_care_team: true,
        };
        let gp = patient_access(Role::Huisarts, false, own);
        assert!(gp.edit_pzp && gp.change_limits);
        for r in [Role::PohO, Role::VerpleegkundigSpecialist, Role::PhysicianAssistant] {
            let a = patient_access(r, false, own);
            assert!(a.edit_pzp && !a.change_limits, "{r:?} records the PZP, not the limits");
        }
        let pm = patient_access(Role::Praktijkmanager, true, own);
        assert!(pm.read && !pm.edit_pzp && !pm.change_limits);
        for r in [
            Role::Wijkverpleegkundige,
            Role::SpecialistOuderengeneeskunde,
            Role::Apotheker,
        ] {
            let a = patient_access(r, false, team);
            assert!(a.read && !a.edit_pzp && !a.change_limits, "{r:?} reads the limits");
        }
        assert!(
            !may_change_limits(Role::Huisarts, team),
            "a GP of another practice does not"
        );
        assert!(!may_change_limits(Role::PohO, own));
    }

    #[test]
    fn network_professionals_correct_only_their_own_records() {
        let own = Relationship {
            same_practice: true,
            on_care_team: false,
        };
        let team = Relationship {
            same_practice: false,
            on_care_team: true,
        };
        assert!(may_correct_record(Role::PohO, own, false));
        assert!(may_correct_record(Role::Huisarts, own, false));
        assert!(!may_correct_record(Role::Praktijkmanager, own, true));
        assert!(!may_correct_record(Role::PohO, team, true), "another practice");
        assert!(may_correct_record(Role::SpecialistOuderengeneeskunde, team, true));
        assert!(!may_correct_record(Role::Wijkverpleegkundige, team, false));
        assert!(
            !may_correct_record(Role::Wijkverpleegkundige, own, true),
            "not on the team"
        );
        assert!(!may_correct_record(Role::Beheerder, own, true));
    }

    #[test]
    fn practice_permissions_by_role() {
        let poh = practice_permissions(Role::PohO, false);
        assert!(poh.staff && poh.organise_mdo && !poh.set_formation);
        let pm = practice_permissions(Role::Praktijkmanager, false);
        assert!(pm.staff && pm.organise_mdo && pm.set_formation);
        assert!(practice_permissions(Role::Huisarts, false).set_formation);
        assert!(practice_permissions(Role::VerpleegkundigSpecialist, true).set_formation);
        for r in [Role::Wijkverpleegkundige, Role::Programmamanager, Role::Beheerder] {
            assert_eq!(practice_permissions(r, true), PracticePermissions::default());
        }
    }

    #[test]
    fn affiliations() {
        use AffiliationProblem::*;
        assert!(affiliation_problems(Role::PohO, true, false).is_empty());
        assert_eq!(
            affiliation_problems(Role::PohO, false, true),
            [PracticeMissing, OrganisationNotForRole]
        );
        assert!(affiliation_problems(Role::Wijkverpleegkundige, false, true).is_empty());
        assert_eq!(
            affiliation_problems(Role::Apotheker, true, false),
            [PracticeNotForRole, OrganisationMissing]
        );
        assert!(affiliation_problems(Role::Beheerder, false, false).is_empty());
        assert_eq!(
            affiliation_problems(Role::Programmamanager, true, false),
            [PracticeNotForRole]
        );
    }
}
