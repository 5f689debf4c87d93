//! What the audit log records: every action as a value of [`Action`], with its Dutch label
//! (the text the patient's access report and the practice manager's trail show). No
//! action is typed as a free string in a handler.

/// One kind of event in the NEN 7513 log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    // Reads of patient data.
    ViewRecord,
    ViewTeam,
    ViewCarePlan,
    ViewCarePlanVersions,
    ViewCarePlanVersion,
    PrintCarePlan,
    ViewPzp,
    ViewPzpVersions,
    ViewPzpVersion,
    ViewConsultations,
    ViewMedicationReviews,
    ViewEvents,
    ViewMdo,
    ViewMdoMeetings,
    ViewMdoMinutes,
    SearchMdoPatient,
    ViewMdoProposals,
    ViewPatientList,
    ViewWorklist,
    ViewAuditTrail,
    // Changes of patient data.
    Include,
    Exclude,
    AddTeamMember,
    RemoveTeamMember,
    SetFirstContact,
    SaveCarePlan,
    SavePzp,
    RecordConsultation,
    RecordMedicationReview,
    RecordEvent,
    RecordHandover,
    PlanMdo,
    AddToMdoAgenda,
    RecordMdoAttendance,
    RecordMdoMinutes,
    SetFormation,
    // Accounts and organisations.
    CreateOrganisation,
    CreateUser,
    BlockUser,
    UnblockUser,
    ResetPassword,
    ResetTwoFactor,
    // Refusals.
    AccessRefused,
}

impl Action {
    /// The Dutch label stored as the record's action.
    pub fn label(self) -> &'static str {
        use Action::*;
        match self {
            ViewRecord => "dossier ingezien",
            ViewTeam => "zorgteam ingezien",
            ViewCarePlan => "zorgplan ingezien",
            ViewCarePlanVersions => "zorgplan: versies ingezien",
            ViewCarePlanVersion => "zorgplan: versie ingezien",
            PrintCarePlan => "zorgplan afgedrukt",
            ViewPzp => "pzp ingezien",
            ViewPzpVersions => "pzp: versies ingezien",
            ViewPzpVersion => "pzp: versie ingezien",
            ViewConsultations => "so-consultaties ingezien",
            ViewMedicationReviews => "medicatiebeoordelingen ingezien",
            ViewEvents => "gebeurtenissen ingezien",
            ViewMdo => "MDO ingezien",
            ViewMdoMeetings => "MDO-besprekingen ingezien",
            ViewMdoMinutes => "MDO-verslag ingezien",
            SearchMdoPatient => "MDO: patiënt gezocht",
            ViewMdoProposals => "MDO: voorstellen uit de werklijst bekeken",
            ViewPatientList => "patiëntenlijst bekeken",
            ViewWorklist => "werklijst bekeken",
            ViewAuditTrail => "logging ingezien",
            Include => "inclusie vastgelegd",
            Exclude => "exclusie vastgelegd",
            AddTeamMember => "zorgteam: lid toegevoegd",
            RemoveTeamMember => "zorgteam: lid verwijderd",
            SetFirstContact => "eerste aanspreekpunt ingesteld",
            SaveCarePlan => "zorgplan gewijzigd",
            SavePzp => "pzp gewijzigd",
            RecordConsultation => "so-consultatie vastgelegd",
            RecordMedicationReview => "medicatiebeoordeling vastgelegd",
            RecordEvent => "gebeurtenis vastgelegd",
            RecordHandover => "overdracht verstuurd vastgelegd",
            PlanMdo => "MDO gepland",
            AddToMdoAgenda => "op de MDO-agenda gezet",
            RecordMdoAttendance => "MDO-aanwezigheid vastgelegd",
            RecordMdoMinutes => "MDO-verslag vastgelegd",
            SetFormation => "formatie POH-O ingesteld",
            CreateOrganisation => "organisatie toegevoegd",
            CreateUser => "account aangemaakt",
            BlockUser => "account geblokkeerd",
            UnblockUser => "account gedeblokkeerd",
            ResetPassword => "wachtwoord opnieuw ingesteld",
            ResetTwoFactor => "tweestapsverificatie hersteld",
            AccessRefused => "toegang geweigerd",
        }
    }
}
