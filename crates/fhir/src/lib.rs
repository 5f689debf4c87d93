//! Kernteam's records as FHIR R4 (4.0.1) resources on the Dutch nl-core (zib 2020)
//! profiles, as `serde_json` values. Pure mapping: the records come in as a
//! [`PatientData`] (gathered by `kernteam_app` behind the gate), the resources go out;
//! no I/O, no access decisions here.
//!
//! Resource ids: a patient's own resources start with the patient's id and a dash
//! (`12-K74-20200101`), so a read of any of them names the patient whose record the
//! gate must open ([`patient_of`]). Accounts are `Practitioner/{user id}` and
//! `PractitionerRole/{user id}`; organisations `Organization/praktijk-{id}` (a practice,
//! with its AGB code) and `Organization/organisatie-{id}` (a network organisation).

mod bundle;
mod capability;
mod care_plan;
mod care_team;
mod consent;
pub mod discharge;
mod handover;
pub mod handover_view;
mod his;
mod patient;
mod people;
mod program;
pub mod systems;

use chrono::NaiveDate;
use kernteam_domain::care::CarePlan;
use kernteam_domain::pzp::AdvanceCarePlan;
use kernteam_store::care::{DecisionRecord, HisRecord, Person, TeamMember};
use kernteam_store::patients::PatientRef;
use kernteam_store::people::{Organisation, Practice, PracticeContact, User};
use serde_json::Value;

pub use bundle::{operation_outcome, searchset, IssueCode};
pub use capability::capability_statement;
pub use handover::{handover_document, RECENT_EVENTS};
pub use handover_view::{document_view, DocumentView};
pub use people::{organisation_resource, practice_resource, practitioner, practitioner_role};

/// A versioned document as stored: its version, when and by whom it was saved.
#[derive(Debug, Clone)]
pub struct Versioned<T> {
    pub version: i64,
    pub created_at: String,
    pub created_by: String,
    pub content: T,
}

/// An event of the record (SEH, ELV, admission, discharge, fall …).
#[derive(Debug, Clone)]
pub struct EventLine {
    pub id: i64,
    pub kind: kernteam_domain::events::EventKind,
    pub occurred_at: chrono::DateTime<chrono::Utc>,
    pub notes: Option<String>,
    pub withdrawn: bool,
}

/// Where an account works: a practice or a network organisation.
#[derive(Debug, Clone)]
pub enum Place {
    Practice(Practice, PracticeContact),
    Organisation(Organisation),
}

impl Place {
    pub fn reference(&self) -> String {
        match self {
            Place::Practice(p, _) => format!("Organization/praktijk-{}", p.id),
            Place::Organisation(o) => format!("Organization/organisatie-{}", o.id),
        }
    }

    pub fn name(&self) -> &str {
        match self {
            Place::Practice(p, _) => &p.name,
            Place::Organisation(o) => &o.name,
        }
    }

    pub fn resource(&self) -> Value {
        match self {
            Place::Practice(p, c) => practice_resource(p, c),
            Place::Organisation(o) => organisation_resource(o),
        }
    }
}

/// An account on the patient's care team, with where they work.
#[derive(Debug, Clone)]
pub struct Professional {
    pub user: User,
    pub place: Option<Place>,
}

/// One patient's record, as far as FHIR shows it.
#[derive(Debug, Clone)]
pub struct PatientData {
    pub patient: PatientRef,
    pub practice: Practice,
    pub practice_contact: PracticeContact,
    /// The date of the practice's latest extract (what "running" means for HIS lines).
    pub extract_date: Option<NaiveDate>,
    /// Who the patient is in the latest extract (`None`: not in it).
    pub person: Option<Person>,
    pub his: HisRecord,
    pub decisions: Vec<DecisionRecord>,
    pub team: Vec<TeamMember>,
    /// The care-team member who is the first point of contact.
    pub first_contact: Option<i64>,
    /// The accounts on the care team.
    pub professionals: Vec<Professional>,
    pub care_plan: Option<Versioned<CarePlan>>,
    pub pzp: Option<Versioned<AdvanceCarePlan>>,
    pub events: Vec<EventLine>,
}

impl PatientData {
    pub fn patient_ref(&self) -> String {
        format!("Patient/{}", self.patient.id)
    }

    fn professional(&self, user_id: i64) -> Option<&Professional> {
        self.professionals.iter().find(|p| p.user.id == user_id)
    }

    /// The reference of a care-team member: the account's Practitioner, the
    /// mantelzorger's RelatedPerson, or only a name for a professional without an account.
    fn member_reference(&self, m: &TeamMember) -> Value {
        if m.kind == "mantelzorger" {
            return serde_json::json!({
                "reference": format!("RelatedPerson/{}-{}", self.patient.id, m.id),
                "display": m.name,
            });
        }
        match m.user_id {
            Some(u) => serde_json::json!({ "reference": format!("Practitioner/{u}"), "display": m.name }),
            None => serde_json::json!({ "display": m.name }),
        }
    }
}

/// The resource types of a patient's record (searchable with `patient=`).
pub const COMPARTMENT: [&str; 11] = [
    "Patient",
    "RelatedPerson",
    "CareTeam",
    "Condition",
    "MedicationStatement",
    "Observation",
    "EpisodeOfCare",
    "CarePlan",
    "Goal",
    "Consent",
    "Encounter",
];

/// The resource types outside a patient's record, read by id.
pub const DIRECTORY: [&str; 3] = ["Practitioner", "PractitionerRole", "Organization"];

/// Every resource type served.
pub const SERVED: [&str; 14] = [
    "Patient",
    "Practitioner",
    "PractitionerRole",
    "Organization",
    "RelatedPerson",
    "CareTeam",
    "Condition",
    "MedicationStatement",
    "Observation",
    "EpisodeOfCare",
    "CarePlan",
    "Goal",
    "Consent",
    "Encounter",
];

/// The patient whose record holds the resource with this id, for the types of
/// [`COMPARTMENT`] (`12` for `Patient/12`, `CarePlan/12`, `Condition/12-K74-20200101`).
pub fn patient_of(resource_type: &str, id: &str) -> Option<i64> {
    if !COMPARTMENT.contains(&resource_type) {
        return None;
    }
    let head = id.split('-').next()?;
    if head.is_empty() || !head.bytes().all(|b| b.is_ascii_digit()) || head.len() > 18 {
        return None;
    }
    head.parse().ok()
}

/// Every resource of this type in the patient's record.
pub fn resources(data: &PatientData, resource_type: &str) -> Vec<Value> {
    match resource_type {
        "Patient" => vec![patient::patient(data)],
        "RelatedPerson" => people::related_persons(data),
        "CareTeam" => vec![care_team::care_team(data)],
        "Condition" => his::conditions(data),
        "MedicationStatement" => his::medication_statements(data),
        "Observation" => his::observations(data),
        "EpisodeOfCare" => program::episodes_of_care(data),
        "CarePlan" => care_plan::care_plans(data),
        "Goal" => care_plan::goals(data),
        "Consent" => consent::consents(data),
        "Encounter" => program::encounters(data),
        _ => Vec::new(),
    }
}

/// The parts of a patient's record, beyond who they are and their practice, that an
/// answer needs: what the application reads for it (`App::fhir_record_for`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Needs {
    /// HIS episodes, medication and determinants.
    pub his: bool,
    /// Inclusion and exclusion decisions.
    pub decisions: bool,
    /// The care team and its accounts.
    pub team: bool,
    /// The care plan, the PZP and the first point of contact.
    pub care: bool,
    pub events: bool,
}

impl Needs {
    pub const ALL: Needs = Needs {
        his: true,
        decisions: true,
        team: true,
        care: true,
        events: true,
    };
}

/// What [`resources`] of the type, with these includes, read of the record.
pub fn needs(resource_type: &str, includes: &[String]) -> Needs {
    if !includes.is_empty() {
        return Needs::ALL;
    }
    let none = Needs::default();
    match resource_type {
        "Patient" => none,
        "RelatedPerson" => Needs { team: true, ..none },
        "Condition" | "MedicationStatement" | "Observation" => Needs { his: true, ..none },
        "Consent" => Needs { care: true, ..none },
        "CareTeam" | "CarePlan" | "Goal" => Needs {
            team: true,
            care: true,
            ..none
        },
        "EpisodeOfCare" | "Encounter" => Needs {
            decisions: true,
            team: true,
            care: true,
            events: true,
            ..none
        },
        _ => Needs::ALL,
    }
}

/// What `_include` brings along, per searched type: `(include parameter, resources)`.
pub fn included(data: &PatientData, include: &str) -> Option<Vec<Value>> {
    let practice = || practice_resource(&data.practice, &data.practice_contact);
    let people = || {
        let mut out: Vec<Value> = data.professionals.iter().map(|p| practitioner(&p.user)).collect();
        out.extend(people::related_persons(data));
        out
    };
    Some(match include {
        "Patient:general-practitioner" | "Patient:organization" | "EpisodeOfCare:organization" => vec![practice()],
        "CareTeam:participant" => {
            let mut out = people();
            let mut seen = Vec::new();
            for p in &data.professionals {
                if let Some(place) = &p.place {
                    let r = place.reference();
                    if !seen.contains(&r) {
                        seen.push(r);
                        out.push(place.resource());
                    }
                }
            }
            out
        }
        "CarePlan:goal" => care_plan::goals(data),
        "CarePlan:care-team" => vec![care_team::care_team(data)],
        "CarePlan:performer" => people(),
        "Condition:patient"
        | "MedicationStatement:patient"
        | "Observation:patient"
        | "CareTeam:patient"
        | "CarePlan:patient"
        | "Goal:patient"
        | "Consent:patient"
        | "Encounter:patient"
        | "EpisodeOfCare:patient"
        | "RelatedPerson:patient" => vec![patient::patient(data)],
        _ => return None,
    })
}

/// The `_include` values each type supports (for the CapabilityStatement and errors).
pub fn includes_of(resource_type: &str) -> Vec<String> {
    let mut out: Vec<String> = match resource_type {
        "Patient" => vec!["Patient:general-practitioner".into(), "Patient:organization".into()],
        "CareTeam" => vec!["CareTeam:participant".into()],
        "CarePlan" => vec![
            "CarePlan:goal".into(),
            "CarePlan:care-team".into(),
            "CarePlan:performer".into(),
        ],
        "EpisodeOfCare" => vec!["EpisodeOfCare:organization".into()],
        _ => Vec::new(),
    };
    if resource_type != "Patient" && COMPARTMENT.contains(&resource_type) {
        out.push(format!("{resource_type}:patient"));
    }
    out
}

/// `meta` with the profile of the type (`Consent:treatment` → the treatment directive's).
pub(crate) fn meta(profile_of: &str) -> Value {
    serde_json::json!({ "profile": [systems::profile(profile_of)] })
}

/// An id part of free text: letters, digits and dots kept, anything else a dot; at most 40.
pub(crate) fn id_part(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '.' { c } else { '.' })
        .take(40)
        .collect()
}

pub(crate) fn date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

pub(crate) fn compact_date(d: NaiveDate) -> String {
    d.format("%Y%m%d").to_string()
}

/// Drops `null` members (absent elements) of an object, recursively, and empty arrays:
/// FHIR has no nulls and no empty arrays.
pub(crate) fn clean(mut v: Value) -> Value {
    fn walk(v: &mut Value) {
        match v {
            Value::Object(map) => {
                map.retain(|_, x| {
                    walk(x);
                    !(x.is_null()
                        || x.as_array().is_some_and(|a| a.is_empty())
                        || x.as_object().is_some_and(|o| o.is_empty())
                        || x.as_str().is_some_and(|s| s.trim().is_empty()))
                });
            }
            Value::Array(items) => {
                items.iter_mut().for_each(walk);
                items.retain(|x| !(x.is_null() || x.as_object().is_some_and(|o| o.is_empty())));
            }
            _ => {}
        }
    }
    walk(&mut v);
    v
}
