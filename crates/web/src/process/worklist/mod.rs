//! Worklists at `/werklijst` ([`page`]) and `GET /api/v1/worklist` ([`api`]): per included
//! patient what needs doing, grouped per patient, urgent and earliest-due work first, a page
//! of patients at a time; items are ticked off or put off from the list ([`mark`]).
//! Practice staff see their whole practice, the patients whose care team they are on, or
//! the actions assigned to them; network professionals the actions assigned to them. The
//! list and its audit records (one per patient shown) are `kernteam_app::worklist`.

use kernteam_app::worklist::PatientWork;
use kernteam_domain::worklist::WorkItem;

pub mod api;
pub mod mark;
pub mod page;

pub use api::{api_routes, api_worklist};
pub use kernteam_domain::worklist::GROUPS;

/// The page routes of the worklist.
pub fn routes() -> Vec<crate::PageRoute> {
    crate::page_table![
        "/werklijst" => get(page::page),
        "/patienten/{id}/werklijst" => post(mark::mark),
    ]
}

/// The group code of `soort` (a code of [`GROUPS`]); anything else: every group.
pub fn group_code(soort: Option<&str>) -> Option<&'static str> {
    soort
        .and_then(|s| GROUPS.iter().find(|(code, _)| *code == s))
        .map(|(code, _)| *code)
}

/// Where the item is dealt with.
pub fn link_of(patient_id: i64, item: &WorkItem) -> String {
    match item {
        WorkItem::Handover { event_id, .. } => format!("/patienten/{patient_id}/gebeurtenissen#gebeurtenis-{event_id}"),
        WorkItem::ActionDue { .. } | WorkItem::NoCarePlan => format!("/patienten/{patient_id}/zorgplan"),
        WorkItem::EvaluationDue { .. } => format!("/patienten/{patient_id}/zorgplan/evalueren"),
        WorkItem::NoCaregiverSupport => format!("/patienten/{patient_id}/zorgplan/wijzigen#caregiver_support"),
        WorkItem::NoPzp | WorkItem::PzpReviewDue { .. } => format!("/patienten/{patient_id}/pzp"),
        WorkItem::MedicationReviewDue { .. } | WorkItem::MedicationFollowUpDue { .. } => {
            format!("/patienten/{patient_id}/medicatiebeoordelingen")
        }
        WorkItem::NoFirstContact | WorkItem::FirstContactEvaluationDue { .. } => {
            format!("/patienten/{patient_id}/aanspreekpunt")
        }
        WorkItem::MdoCandidate { .. } => format!("/patienten/{patient_id}/gebeurtenissen#h-mdo"),
        WorkItem::LeftPractice { .. } => format!("/patienten/{patient_id}#excluderen"),
    }
}

/// One item of a patient on the page.
pub struct Row {
    pub key: String,
    pub kind: &'static str,
    pub text: String,
    /// The due date, `dd-mm-jjjj`, or empty.
    pub due: String,
    pub urgent: bool,
    pub link: String,
    pub can_mark: bool,
}

/// A patient with their work: the worklist is grouped per patient.
pub struct PatientBlock {
    pub patient_id: i64,
    pub name: String,
    pub urgent: usize,
    pub rows: Vec<Row>,
}

/// The Dutch label of a group code.
pub fn group_label(code: &str) -> &'static str {
    GROUPS.iter().find(|(c, _)| *c == code).map_or("", |(_, l)| *l)
}

/// The page's patients as blocks, in the order the application gave them.
pub fn blocks(work: &[PatientWork]) -> Vec<PatientBlock> {
    work.iter()
        .map(|p| PatientBlock {
            patient_id: p.patient_id,
            name: p.name.clone(),
            urgent: p.items.iter().filter(|i| i.urgent()).count(),
            rows: p
                .items
                .iter()
                .map(|item| Row {
                    key: item.key(),
                    kind: group_label(item.group()),
                    text: item.text(),
                    due: item.due().map(crate::pages::fmt_date).unwrap_or_default(),
                    urgent: item.urgent(),
                    link: link_of(p.patient_id, item),
                    can_mark: item.can_mark(),
                })
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use kernteam_domain::events::EventKind;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn blocks_show_each_patient_once_with_their_items() {
        let work = vec![PatientWork {
            patient_id: 2,
            name: "Aarts, Els".into(),
            items: vec![
                WorkItem::ActionDue {
                    what: "Bellen".into(),
                    who: String::new(),
                    member: None,
                    due: d("2027-02-01"),
                    overdue: true,
                },
                WorkItem::Handover {
                    event_id: 9,
                    event: EventKind::HospitalDischarge,
                    status: kernteam_domain::worklist::HandoverState::Open,
                    due: d("2027-02-02"),
                },
                WorkItem::NoPzp,
            ],
        }];
        let b = blocks(&work);
        assert_eq!(b.len(), 1);
        assert_eq!(b[0].urgent, 1);
        assert_eq!(b[0].rows[0].due, "01-02-2027");
        assert_eq!(b[0].rows[0].key, "actie:2027-02-01:Bellen");
        assert!(!b[0].rows[1].can_mark, "a handover is done by sending it");
        assert_eq!(b[0].rows[1].link, "/patienten/2/gebeurtenissen#gebeurtenis-9");
        assert_eq!(b[0].rows[2].kind, "Proactieve zorgplanning: ontbreekt of herzien");
        assert_eq!(group_code(Some("pzp")), Some("pzp"));
        assert_eq!(group_code(Some("vakantie")), None);
        let json = api::item_json(2, &work[0].items[1]);
        assert_eq!(json["kind"], "handover");
        assert_eq!(json["event"], "ontslag_ziekenhuis");
        assert_eq!(json["group"], "overdracht");
        assert_eq!(json["key"], "overdracht:9");
    }
}
