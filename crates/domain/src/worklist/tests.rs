use super::*;
use crate::care::{ActionStatus, CareAction};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

#[test]
fn an_empty_record_lists_what_is_missing() {
    let items = work_items(&PatientState::default(), d("2027-03-01"), t("2027-03-01T12:00:00Z"));
    let codes: Vec<_> = items.iter().map(|i| i.text()).collect();
    assert_eq!(
        codes,
        [
            "Geen zorgplan",
            "Geen proactieve zorgplanning",
            "Geen eerste aanspreekpunt",
            "Medicatiebeoordeling nodig (nog nooit)",
            "Kandidaat voor het volgende MDO: nog niet in een MDO besproken",
        ]
    );
}

#[test]
fn a_patient_who_left_the_practice_is_flagged_for_exclusion_first() {
    let state = PatientState {
        left: Some(LeftPractice {
            on: Some(d("2027-05-31")),
            extract_date: d("2027-07-04"),
        }),
        ..Default::default()
    };
    let items = work_items(&state, d("2027-07-10"), t("2027-07-10T12:00:00Z"));
    assert_eq!(items[0].group(), "exclusie");
    assert_eq!(GROUPS[0].0, "exclusie");
    assert!(items[0]
        .text()
        .starts_with("Uitgeschreven per 31-05-2027 (HIS-extract van 04-07-2027)"));
    assert_eq!(items[0].due(), Some(d("2027-05-31")));
    let missing = WorkItem::LeftPractice {
        on: None,
        extract_date: d("2027-07-04"),
    };
    assert!(missing
        .text()
        .starts_with("Niet meer in het HIS-extract van 04-07-2027"));
    assert_ne!(missing.key(), items[0].key());
}

#[test]
fn due_actions_evaluations_and_late_handovers() {
    let plan = CarePlan {
        actions: vec![
            CareAction {
                what: "Huisbezoek".into(),
                who: "POH-O".into(),
                due: Some(d("2027-02-20")),
                status: ActionStatus::Gepland,
                ..Default::default()
            },
            CareAction {
                what: "Later".into(),
                who: String::new(),
                due: Some(d("2027-06-01")),
                status: ActionStatus::Gepland,
                ..Default::default()
            },
            CareAction {
                what: "Klaar".into(),
                who: String::new(),
                due: Some(d("2027-02-01")),
                status: ActionStatus::Afgerond,
                ..Default::default()
            },
        ],
        evaluation_date: Some(d("2027-03-10")),
        ..Default::default()
    };
    let state = PatientState {
        care_plan: Some(plan),
        has_pzp: true,
        has_first_contact: true,
        last_medication_review: Some(d("2026-06-01")),
        last_mdo: Some(d("2027-01-15")),
        events: vec![(7, EventKind::HospitalDischarge, t("2027-02-27T09:00:00Z"), None)],
        ..Default::default()
    };
    let items = work_items(&state, d("2027-03-01"), t("2027-03-01T12:00:00Z"));
    assert!(items.contains(&WorkItem::ActionDue {
        what: "Huisbezoek".into(),
        who: "POH-O".into(),
        member: None,
        due: d("2027-02-20"),
        overdue: true
    }));
    assert!(items.contains(&WorkItem::EvaluationDue {
        date: d("2027-03-10"),
        overdue: false
    }));
    assert!(items.contains(&WorkItem::Handover {
        event_id: 7,
        event: EventKind::HospitalDischarge,
        status: HandoverState::Overdue,
        due: d("2027-02-28"),
    }));
    assert!(items.iter().any(|i| matches!(i, WorkItem::MdoCandidate { .. })));
    assert!(!items.iter().any(|i| matches!(i, WorkItem::MedicationReviewDue { .. })));
    assert_eq!(items.iter().filter(|i| i.urgent()).count(), 2);
}

#[test]
fn ticked_off_items_go_and_snoozed_ones_come_back() {
    let today = d("2027-03-01");
    let items = work_items(&PatientState::default(), today, t("2027-03-01T12:00:00Z"));
    let marks = vec![
        ("pzp".to_string(), MarkKind::Done),
        ("aanspreekpunt".to_string(), MarkKind::Snoozed(d("2027-03-08"))),
    ];
    let left = without_marked(items.clone(), &marks, today);
    assert_eq!(left.len(), items.len() - 2);
    assert!(!left.contains(&WorkItem::NoPzp));
    let later = without_marked(items.clone(), &marks, d("2027-03-08"));
    assert!(
        later.contains(&WorkItem::NoFirstContact),
        "back on the day it was put off to"
    );
    assert!(!later.contains(&WorkItem::NoPzp));
}

#[test]
fn a_new_review_or_due_date_is_a_new_item() {
    let a = WorkItem::MedicationReviewDue {
        last: Some(d("2026-01-01")),
    };
    let b = WorkItem::MedicationReviewDue {
        last: Some(d("2026-02-01")),
    };
    assert_ne!(a.key(), b.key());
    assert_eq!(a.due(), Some(d("2027-01-01")));
    assert_eq!(WorkItem::NoPzp.due(), None);
}

#[test]
fn a_mark_needs_a_reason_and_a_later_date() {
    let today = d("2027-03-01");
    assert!(check_mark(MarkKind::Done, "Gesprek gepland", today).is_ok());
    assert_eq!(
        check_mark(MarkKind::Done, " ", today).unwrap_err(),
        ["Geef een reden op."]
    );
    assert!(check_mark(MarkKind::Snoozed(today), "later", today).is_err());
    assert!(check_mark(MarkKind::Snoozed(d("2028-06-01")), "later", today).is_err());
    assert!(check_mark(MarkKind::Snoozed(d("2027-03-15")), "later", today).is_ok());
}

#[test]
fn own_tasks_are_the_open_actions_assigned_to_the_member() {
    let today = d("2027-03-01");
    let plan = CarePlan {
        actions: vec![
            CareAction {
                what: "Huisbezoek".into(),
                member: Some(4),
                due: Some(d("2027-05-01")),
                ..Default::default()
            },
            CareAction {
                what: "Bellen".into(),
                member: Some(5),
                ..Default::default()
            },
            CareAction {
                what: "Klaar".into(),
                member: Some(4),
                status: ActionStatus::Afgerond,
                ..Default::default()
            },
        ],
        ..Default::default()
    };
    let mine = assigned_actions(&plan, &[4], today);
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].due(), Some(d("2027-05-01")));
}

#[test]
fn follow_ups_come_on_the_list_when_due() {
    let today = d("2027-03-01");
    let state = PatientState {
        care_plan: Some(CarePlan::default()),
        has_pzp: true,
        pzp_review: Some(d("2027-03-10")),
        has_first_contact: true,
        first_contact_evaluation: Some(d("2027-02-01")),
        last_medication_review: Some(d("2026-12-01")),
        medication_follow_up: Some(d("2027-02-28")),
        last_mdo: Some(d("2027-01-15")),
        has_mantelzorger: true,
        ..Default::default()
    };
    let items = work_items(&state, today, t("2027-03-01T12:00:00Z"));
    let texts: Vec<_> = items.iter().map(WorkItem::text).collect();
    assert_eq!(
        texts,
        [
            "Draaglast en ondersteuningsbehoefte van de mantelzorger niet in het zorgplan",
            "Proactieve zorgplanning herzien binnenkort (10-03-2027)",
            "Eerste aanspreekpunt evalueren te laat (01-02-2027)",
            "Vervolg van de medicatiebeoordeling te laat (28-02-2027)",
        ]
    );
    assert_eq!(items.iter().filter(|i| i.urgent()).count(), 2);
    let groups: Vec<_> = items.iter().map(WorkItem::group).collect();
    assert_eq!(groups, ["mantelzorg", "pzp", "aanspreekpunt", "medicatiebeoordeling"]);
    assert!(groups.iter().all(|g| GROUPS.iter().any(|(c, _)| c == g)));

    // Far ahead: not yet on the list; support need recorded: the item goes.
    let later = PatientState {
        care_plan: Some(CarePlan {
            caregiver_support: "Dochter kan niet meer elke dag komen".into(),
            ..Default::default()
        }),
        pzp_review: Some(d("2027-06-01")),
        first_contact_evaluation: Some(d("2028-01-01")),
        medication_follow_up: Some(d("2027-05-01")),
        ..state
    };
    assert!(work_items(&later, today, t("2027-03-01T12:00:00Z")).is_empty());
}

#[test]
fn a_missing_record_is_asked_for_before_its_review() {
    let state = PatientState {
        pzp_review: Some(d("2027-01-01")),
        first_contact_evaluation: Some(d("2027-01-01")),
        ..Default::default()
    };
    let items = work_items(&state, d("2027-03-01"), t("2027-03-01T12:00:00Z"));
    assert!(items.contains(&WorkItem::NoPzp));
    assert!(items.contains(&WorkItem::NoFirstContact));
    assert!(!items.iter().any(|i| matches!(
        i,
        WorkItem::PzpReviewDue { .. } | WorkItem::FirstContactEvaluationDue { .. }
    )));
    // Without a care plan the mantelzorger's need is not asked separately.
    assert!(!items.contains(&WorkItem::NoCaregiverSupport));
}

#[test]
fn every_item_key_is_distinct_per_date() {
    let a = WorkItem::PzpReviewDue {
        date: d("2027-01-01"),
        overdue: false,
    };
    let b = WorkItem::FirstContactEvaluationDue {
        date: d("2027-01-01"),
        overdue: false,
    };
    let c = WorkItem::MedicationFollowUpDue {
        date: d("2027-01-01"),
        overdue: false,
    };
    assert_ne!(a.key(), b.key());
    assert_ne!(b.key(), c.key());
    assert_eq!(c.due(), Some(d("2027-01-01")));
    assert!(a.can_mark());
}

#[test]
fn every_kind_is_listed_for_the_document() {
    let date = d("2027-01-01");
    let items = [
        WorkItem::ActionDue {
            what: "x".into(),
            who: String::new(),
            member: None,
            due: date,
            overdue: false,
        },
        WorkItem::EvaluationDue { date, overdue: false },
        WorkItem::NoCarePlan,
        WorkItem::NoPzp,
        WorkItem::NoFirstContact,
        WorkItem::MedicationReviewDue { last: None },
        WorkItem::FirstContactEvaluationDue { date, overdue: false },
        WorkItem::PzpReviewDue { date, overdue: false },
        WorkItem::MedicationFollowUpDue { date, overdue: false },
        WorkItem::NoCaregiverSupport,
        WorkItem::Handover {
            event_id: 1,
            event: EventKind::HospitalDischarge,
            status: HandoverState::Open,
            due: date,
        },
        WorkItem::MdoCandidate { reason: "x".into() },
        WorkItem::LeftPractice {
            on: None,
            extract_date: date,
        },
    ];
    let kinds: Vec<String> = items
        .iter()
        .map(|i| serde_json::to_value(i).unwrap()["kind"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(kinds, KINDS);
}
