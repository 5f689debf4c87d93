//! Worklists at `/werklijst` ([`page`]) and `GET /api/v1/worklist` ([`api`]): per included
//! patient what needs doing, grouped by kind with counts, urgent ones first. Practice staff
//! see their whole practice (or, filtered, the patients whose care team they are on);
//! network professionals the patients whose care team they are on. The list and its audit
//! records (one per patient shown) are `kernteam_app::worklist`.

use chrono::NaiveDate;
use kernteam_app::worklist::PatientWork;
use kernteam_domain::worklist::WorkItem;

pub mod api;
pub mod page;

pub use api::{api_routes, api_worklist};
pub use kernteam_domain::worklist::GROUPS;

/// The page routes of the worklist.
pub fn routes() -> Vec<crate::PageRoute> {
    crate::page_table!["/werklijst" => get(page::page)]
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
        WorkItem::ActionDue { .. } | WorkItem::EvaluationDue { .. } | WorkItem::NoCarePlan => {
            format!("/patienten/{patient_id}/zorgplan")
        }
        WorkItem::NoPzp => format!("/patienten/{patient_id}/pzp"),
        WorkItem::MedicationReviewDue { .. } => format!("/patienten/{patient_id}/medicatiebeoordelingen"),
        WorkItem::NoFirstContact => format!("/patienten/{patient_id}"),
        WorkItem::MdoCandidate { .. } => format!("/patienten/{patient_id}/gebeurtenissen#h-mdo"),
    }
}

/// A date to order items of one group by (earliest first).
fn date_of(item: &WorkItem) -> Option<NaiveDate> {
    match item {
        WorkItem::ActionDue { due, .. } => Some(*due),
        WorkItem::EvaluationDue { date, .. } => Some(*date),
        WorkItem::MedicationReviewDue { last } => Some(last.unwrap_or(NaiveDate::MIN)),
        _ => None,
    }
}

pub struct Row {
    pub patient_id: i64,
    pub name: String,
    pub text: String,
    pub urgent: bool,
    pub link: String,
}

pub struct Group {
    pub code: &'static str,
    pub label: &'static str,
    pub urgent: usize,
    pub rows: Vec<Row>,
}

/// The items grouped: groups with urgent items first (otherwise in the order of
/// [`GROUPS`]), within a group urgent items first, then by date and name. Empty groups are
/// left out.
pub fn grouped(work: &[PatientWork]) -> Vec<Group> {
    let mut groups: Vec<Group> = GROUPS
        .iter()
        .map(|(code, label)| Group {
            code,
            label,
            urgent: 0,
            rows: Vec::new(),
        })
        .collect();
    let mut keyed: Vec<(usize, (bool, Option<NaiveDate>), Row)> = Vec::new();
    for p in work {
        for item in &p.items {
            let Some(gi) = groups.iter().position(|g| g.code == item.group()) else {
                continue;
            };
            keyed.push((
                gi,
                (!item.urgent(), date_of(item)),
                Row {
                    patient_id: p.patient_id,
                    name: p.name.clone(),
                    text: item.text(),
                    urgent: item.urgent(),
                    link: link_of(p.patient_id, item),
                },
            ));
        }
    }
    keyed.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then(a.1.cmp(&b.1))
            .then(a.2.name.cmp(&b.2.name))
            .then(a.2.patient_id.cmp(&b.2.patient_id))
    });
    for (gi, _, row) in keyed {
        groups[gi].urgent += usize::from(row.urgent);
        groups[gi].rows.push(row);
    }
    groups.retain(|g| !g.rows.is_empty());
    groups.sort_by_key(|g| g.urgent == 0);
    groups
}

#[cfg(test)]
mod tests {
    use super::*;
    use kernteam_domain::events::EventKind;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn groups_put_urgent_work_first() {
        let work = vec![
            PatientWork {
                patient_id: 1,
                name: "Bakker, Jan".into(),
                items: vec![
                    WorkItem::NoPzp,
                    WorkItem::ActionDue {
                        what: "Huisbezoek".into(),
                        who: "POH-O".into(),
                        due: d("2027-03-05"),
                        overdue: false,
                    },
                ],
            },
            PatientWork {
                patient_id: 2,
                name: "Aarts, Els".into(),
                items: vec![
                    WorkItem::NoPzp,
                    WorkItem::ActionDue {
                        what: "Bellen".into(),
                        who: String::new(),
                        due: d("2027-02-01"),
                        overdue: true,
                    },
                    WorkItem::Handover {
                        event_id: 9,
                        event: EventKind::HospitalDischarge,
                        status: kernteam_domain::worklist::HandoverState::Open,
                    },
                ],
            },
        ];
        let groups = grouped(&work);
        let codes: Vec<_> = groups.iter().map(|g| (g.code, g.rows.len(), g.urgent)).collect();
        assert_eq!(codes, [("actie", 2, 1), ("overdracht", 1, 0), ("pzp", 2, 0)]);
        assert_eq!(groups[0].rows[0].patient_id, 2, "the overdue action first");
        assert_eq!(groups[2].rows[0].name, "Aarts, Els", "then by name");
        assert_eq!(groups[1].rows[0].link, "/patienten/2/gebeurtenissen#gebeurtenis-9");
        assert_eq!(group_code(Some("pzp")), Some("pzp"));
        assert_eq!(group_code(Some("vakantie")), None);
        let json = api::item_json(2, &work[1].items[2]);
        assert_eq!(json["kind"], "handover");
        assert_eq!(json["event"], "ontslag_ziekenhuis");
        assert_eq!(json["group"], "overdracht");
    }
}
