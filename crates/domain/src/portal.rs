//! The patient's own view (the portal): who may have an account, what each account may
//! see and do, the patient's consent per mantelzorger, and the invitation's one-time code.
//!
//! - a patient's account sees their own plan, agreements, PZP and messages, and decides
//!   per mantelzorger what that mantelzorger sees;
//! - a mantelzorger's account sees nothing without the patient's consent; with it the
//!   agreements (care plan goals and actions, contacts, first point of contact) and the
//!   messages, and with the wider consent also the PZP wishes and limits;
//! - a mantelzorger whom the PZP names as the patient's legal representative acts for
//!   the patient: sees what the patient sees and chooses for them (every such step is
//!   audited as done on the patient's behalf); the designation ending ends that at once;
//! - an account ends when the patient leaves the programme (excluded, deceased), or when
//!   the practice or the patient ends it.

use chrono::{Duration, NaiveDateTime};
use serde::{Deserialize, Serialize};

use crate::access::Role;

/// How long an invitation's code can be used.
pub const INVITATION_VALID: Duration = Duration::weeks(6);

/// Whose account: the patient's own, or one of their mantelzorgers'.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PortalKind {
    Patient,
    Mantelzorger,
}

impl PortalKind {
    pub const ALL: [PortalKind; 2] = [PortalKind::Patient, PortalKind::Mantelzorger];

    pub fn code(self) -> &'static str {
        match self {
            PortalKind::Patient => "patient",
            PortalKind::Mantelzorger => "mantelzorger",
        }
    }

    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            PortalKind::Patient => "Patiënt",
            PortalKind::Mantelzorger => "Mantelzorger",
        }
    }

    /// The account's role.
    pub fn role(self) -> Role {
        match self {
            PortalKind::Patient => Role::Patient,
            PortalKind::Mantelzorger => Role::Mantelzorger,
        }
    }

    pub fn of_role(role: Role) -> Option<Self> {
        match role {
            Role::Patient => Some(PortalKind::Patient),
            Role::Mantelzorger => Some(PortalKind::Mantelzorger),
            _ => None,
        }
    }
}

/// What the patient lets one mantelzorger see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ConsentLevel {
    /// Nothing (also: not chosen yet).
    #[default]
    None,
    /// The agreements: care plan goals and actions, appointments, first point of contact,
    /// and the messages.
    Agreements,
    /// Also the PZP: wishes and limits of treatment.
    AlsoPzp,
}

impl ConsentLevel {
    pub const ALL: [ConsentLevel; 3] = [ConsentLevel::None, ConsentLevel::Agreements, ConsentLevel::AlsoPzp];

    pub fn code(self) -> &'static str {
        match self {
            ConsentLevel::None => "none",
            ConsentLevel::Agreements => "agreements",
            ConsentLevel::AlsoPzp => "also_pzp",
        }
    }

    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }

    /// In plain Dutch, as the patient chooses it.
    pub fn label(self) -> &'static str {
        match self {
            ConsentLevel::None => "Niets",
            ConsentLevel::Agreements => "Alleen de afspraken",
            ConsentLevel::AlsoPzp => "De afspraken en mijn wensen en grenzen (PZP)",
        }
    }
}

/// The state of the account and the patient that access depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PortalState {
    pub kind: PortalKind,
    /// The account has not been ended.
    pub account_active: bool,
    /// The patient is in the programme (not excluded, not deceased).
    pub patient_in_programme: bool,
    /// For a mantelzorger: the patient's current choice. Ignored for the patient.
    pub consent: ConsentLevel,
    /// For a mantelzorger: the current PZP names them the legal representative (see
    /// [`represents`]). Ignored for the patient.
    pub legal_representative: bool,
}

/// Whether the mantelzorger with care-team record `member` is the legal representative
/// the PZP designates (`pzp_representative`, `AdvanceCarePlan::representative_member` of
/// the current version). No PZP, no designation, or a designation of another: no.
pub fn represents(pzp_representative: Option<i64>, member: Option<i64>) -> bool {
    matches!((pzp_representative, member), (Some(r), Some(m)) if r == m)
}

/// What a portal account may see and do. All false: the account sees nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PortalAccess {
    /// The portal at all (signed in to an account in force).
    pub enter: bool,
    /// The agreements: first point of contact, care team, goals, actions, evaluation,
    /// upcoming contacts, the printable plan.
    pub agreements: bool,
    /// The PZP: wishes and limits of treatment.
    pub pzp: bool,
    /// Read and write messages with the care team.
    pub messages: bool,
    /// Choose what each mantelzorger sees (the patient only).
    pub consent: bool,
    /// Propose wishes and goals for the next care plan.
    pub propose: bool,
    /// Record one's own load and support needs as a mantelzorger.
    pub own_load: bool,
    /// Everything is done on the patient's behalf (the legal representative): audited so.
    pub on_behalf: bool,
}

/// The portal's access rule.
pub fn portal_access(s: PortalState) -> PortalAccess {
    if !s.account_active || !s.patient_in_programme {
        return PortalAccess::default();
    }
    match s.kind {
        PortalKind::Patient => PortalAccess {
            enter: true,
            agreements: true,
            pzp: true,
            messages: true,
            consent: true,
            propose: true,
            own_load: false,
            on_behalf: false,
        },
        PortalKind::Mantelzorger if s.legal_representative => PortalAccess {
            enter: true,
            agreements: true,
            pzp: true,
            messages: true,
            consent: true,
            propose: true,
            own_load: true,
            on_behalf: true,
        },
        PortalKind::Mantelzorger => {
            let sees = s.consent >= ConsentLevel::Agreements;
            PortalAccess {
                enter: true,
                agreements: sees,
                pzp: s.consent >= ConsentLevel::AlsoPzp,
                messages: sees,
                consent: false,
                propose: sees,
                own_load: true,
                on_behalf: false,
            }
        }
    }
}

/// Whether an invitation's code can still be used at `now`.
pub fn invitation_usable(
    created_at: NaiveDateTime,
    now: NaiveDateTime,
    withdrawn: bool,
    used: bool,
) -> Result<(), InvitationProblem> {
    if withdrawn {
        return Err(InvitationProblem::Withdrawn);
    }
    if used {
        return Err(InvitationProblem::Used);
    }
    if now > created_at + INVITATION_VALID {
        return Err(InvitationProblem::Expired);
    }
    Ok(())
}

/// Why a code cannot be used. The activation page gives one answer for all of them (and
/// for unknown codes), so that a guessed code tells nothing; these are for the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvitationProblem {
    Unknown,
    Withdrawn,
    Used,
    Expired,
}

impl InvitationProblem {
    pub fn audit_detail(self) -> &'static str {
        match self {
            InvitationProblem::Unknown => "onbekende code",
            InvitationProblem::Withdrawn => "uitnodiging ingetrokken",
            InvitationProblem::Used => "code al gebruikt",
            InvitationProblem::Expired => "code verlopen",
        }
    }
}

/// The letters of an activation code: no look-alikes (0/O, 1/I/L), upper case as printed.
pub const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
/// Characters in a code (16 of 31 letters: about 79 bits), printed in groups of four.
pub const CODE_LEN: usize = 16;

/// A code from random bytes (one byte per character), as printed: `ABCD-EFGH-JKMN-PQRS`.
pub fn code_from_bytes(bytes: &[u8; CODE_LEN]) -> String {
    let chars: Vec<char> = bytes
        .iter()
        .map(|b| CODE_ALPHABET[*b as usize % CODE_ALPHABET.len()] as char)
        .collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// A code as typed, normalised for hashing: letters and digits only, upper case, with the
/// look-alikes a reader may type read as the letter printed (O → 0 is not in the alphabet,
/// so O stays O and fails; we only forgive case, spaces and dashes).
pub fn normalise_code(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// The text a patient or mantelzorger writes (a message, a proposal): trimmed, at least
/// one character, at most `max` characters, no control characters except new lines.
pub fn check_text(text: &str, max: usize, what: &str) -> Result<String, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err(format!("Schrijf eerst {what}."));
    }
    if t.chars().count() > max {
        return Err(format!("{} mag hoogstens {max} tekens lang zijn.", capitalise(what)));
    }
    Ok(t.chars().filter(|c| !c.is_control() || *c == '\n').collect())
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// What a mantelzorger says about their own load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CarerLoad {
    Goed,
    Zwaar,
    TeZwaar,
}

impl CarerLoad {
    pub const ALL: [CarerLoad; 3] = [CarerLoad::Goed, CarerLoad::Zwaar, CarerLoad::TeZwaar];

    pub fn code(self) -> &'static str {
        match self {
            CarerLoad::Goed => "goed",
            CarerLoad::Zwaar => "zwaar",
            CarerLoad::TeZwaar => "te_zwaar",
        }
    }

    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            CarerLoad::Goed => "Het gaat goed",
            CarerLoad::Zwaar => "Het is zwaar",
            CarerLoad::TeZwaar => "Het is te zwaar",
        }
    }
}

/// What a patient or mantelzorger proposes for the next care plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProposalKind {
    Wish,
    Goal,
}

impl ProposalKind {
    pub fn code(self) -> &'static str {
        match self {
            ProposalKind::Wish => "wish",
            ProposalKind::Goal => "goal",
        }
    }

    pub fn from_code(s: &str) -> Option<Self> {
        match s {
            "wish" => Some(ProposalKind::Wish),
            "goal" => Some(ProposalKind::Goal),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ProposalKind::Wish => "Wat ik belangrijk vind",
            ProposalKind::Goal => "Wat ik wil bereiken",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(kind: PortalKind, consent: ConsentLevel) -> PortalState {
        PortalState {
            kind,
            account_active: true,
            patient_in_programme: true,
            consent,
            legal_representative: false,
        }
    }

    #[test]
    fn the_patient_sees_everything_of_their_own() {
        let a = portal_access(state(PortalKind::Patient, ConsentLevel::None));
        assert!(a.enter && a.agreements && a.pzp && a.messages && a.consent && a.propose);
        assert!(!a.own_load);
    }

    #[test]
    fn a_mantelzorger_sees_only_what_the_patient_allows() {
        let none = portal_access(state(PortalKind::Mantelzorger, ConsentLevel::None));
        assert!(none.enter && none.own_load);
        assert!(!none.agreements && !none.pzp && !none.messages && !none.consent && !none.propose);
        let agreements = portal_access(state(PortalKind::Mantelzorger, ConsentLevel::Agreements));
        assert!(agreements.agreements && agreements.messages && !agreements.pzp && !agreements.consent);
        let pzp = portal_access(state(PortalKind::Mantelzorger, ConsentLevel::AlsoPzp));
        assert!(pzp.agreements && pzp.pzp && !pzp.consent);
    }

    #[test]
    fn the_legal_representative_acts_for_the_patient_whatever_the_consent() {
        for consent in ConsentLevel::ALL {
            let mut s = state(PortalKind::Mantelzorger, consent);
            s.legal_representative = true;
            let a = portal_access(s);
            assert!(a.enter && a.agreements && a.pzp && a.messages && a.consent && a.propose);
            assert!(a.own_load, "still a mantelzorger with a load of their own");
            assert!(a.on_behalf, "every step is on the patient's behalf");
        }
        // The patient's own account is never "on behalf"; a flag on it changes nothing.
        let mut p = state(PortalKind::Patient, ConsentLevel::None);
        p.legal_representative = true;
        assert_eq!(
            portal_access(p),
            portal_access(state(PortalKind::Patient, ConsentLevel::None))
        );
        assert!(!portal_access(p).on_behalf);
        // A plain mantelzorger never chooses, nor acts on behalf.
        let plain = portal_access(state(PortalKind::Mantelzorger, ConsentLevel::AlsoPzp));
        assert!(!plain.consent && !plain.on_behalf);
    }

    #[test]
    fn the_designation_ends_with_the_account_or_the_programme() {
        let mut s = state(PortalKind::Mantelzorger, ConsentLevel::None);
        s.legal_representative = true;
        s.account_active = false;
        assert_eq!(portal_access(s), PortalAccess::default());
        s.account_active = true;
        s.patient_in_programme = false;
        assert_eq!(portal_access(s), PortalAccess::default());
    }

    #[test]
    fn only_the_designated_mantelzorger_represents() {
        assert!(represents(Some(7), Some(7)));
        assert!(!represents(Some(7), Some(8)));
        assert!(!represents(None, Some(7)));
        assert!(!represents(Some(7), None));
        assert!(!represents(None, None));
    }

    #[test]
    fn an_ended_account_or_a_patient_out_of_the_programme_sees_nothing() {
        for kind in PortalKind::ALL {
            let mut s = state(kind, ConsentLevel::AlsoPzp);
            s.account_active = false;
            assert_eq!(portal_access(s), PortalAccess::default());
            let mut s = state(kind, ConsentLevel::AlsoPzp);
            s.patient_in_programme = false;
            assert_eq!(portal_access(s), PortalAccess::default());
        }
    }

    #[test]
    fn invitations_are_valid_six_weeks_once() {
        let t = chrono::NaiveDate::from_ymd_opt(2027, 1, 1)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap();
        assert_eq!(invitation_usable(t, t + Duration::days(42), false, false), Ok(()));
        assert_eq!(
            invitation_usable(t, t + Duration::days(42) + Duration::seconds(1), false, false),
            Err(InvitationProblem::Expired)
        );
        assert_eq!(invitation_usable(t, t, true, false), Err(InvitationProblem::Withdrawn));
        assert_eq!(invitation_usable(t, t, false, true), Err(InvitationProblem::Used));
    }

    #[test]
    fn codes_print_in_groups_and_forgive_case_and_dashes() {
        let code = code_from_bytes(&[0u8, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 30, 31]);
        assert_eq!(code, "ABCD-EFGH-JKMN-PQ9A");
        assert_eq!(normalise_code(" abcd efgh-jkmn pq9a "), "ABCDEFGHJKMNPQ9A");
        assert_eq!(normalise_code(&code).len(), CODE_LEN);
    }

    #[test]
    fn codes_round_trip() {
        for k in PortalKind::ALL {
            assert_eq!(PortalKind::from_code(k.code()), Some(k));
            assert_eq!(PortalKind::of_role(k.role()), Some(k));
        }
        for c in ConsentLevel::ALL {
            assert_eq!(ConsentLevel::from_code(c.code()), Some(c));
        }
        for l in CarerLoad::ALL {
            assert_eq!(CarerLoad::from_code(l.code()), Some(l));
        }
        assert!(ConsentLevel::None < ConsentLevel::Agreements && ConsentLevel::Agreements < ConsentLevel::AlsoPzp);
    }

    #[test]
    fn texts_are_checked() {
        assert!(check_text("  ", 10, "een bericht").is_err());
        assert!(check_text("x".repeat(11).as_str(), 10, "een bericht").is_err());
        assert_eq!(
            check_text(" hallo\u{7}\ndaar ", 100, "een bericht").unwrap(),
            "hallo\ndaar"
        );
    }
}
