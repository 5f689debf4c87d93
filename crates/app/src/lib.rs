//! Kernteam's application layer: one function per use case (include a patient, save the
//! care plan, record MDO minutes …), free of HTTP, used by the web pages, the JSON API and
//! the command line alike.
//!
//! Every use case takes the token of [`gate`] that proves the actor may do it; a use case
//! that changes data writes its audit record in the same transaction as the change.
//! Input rules live in the domain crate and come back as [`Error::Invalid`].

pub mod accounts;
pub mod actor;
pub mod audit;
pub mod capacity;
pub mod care_plan_evaluation;
pub mod case_finding;
pub mod consultations;
pub mod contract;
pub mod corrections;
pub mod dashboard;
pub mod decision_import;
pub mod declarations;
pub mod discharge_import;
pub mod email_sign_in;
pub mod error;
pub mod events;
pub mod fhir;
pub mod fhir_tokens;
pub mod first_contact;
pub mod formation;
pub mod gate;
pub mod handout;
pub mod handovers;
pub mod list_search;
pub mod mail;
pub mod mdo;
pub mod medication_reviews;
pub mod messages;
pub mod patients;
pub mod pdca;
pub mod portal;
pub mod portal_gate;
pub mod portal_reset;
pub mod practice_list;
pub mod pzp;
pub mod region;
pub mod screenings;
pub mod team;
pub mod visits;
pub mod worklist;
pub mod worklist_marks;

use kernteam_store::care::AuditEntry;
use kernteam_store::Db;

pub use actor::Actor;
pub use audit::Action;
pub use error::{Error, Result};

/// The application: storage behind the gate.
#[derive(Clone, Debug)]
pub struct App {
    db: Db,
    /// The practice lists per snapshot and the held list searches.
    lists: std::sync::Arc<practice_list::ListCache>,
    /// The dashboards' quarters, computed once per data version.
    dashboards: std::sync::Arc<dashboard::DashboardCache>,
    /// The frailty deficits of case finding (the embedded default or the region's own).
    frailty_codes: std::sync::Arc<kernteam_domain::frailty::CodeList>,
    /// The case-finding lists per snapshot.
    case_finding: std::sync::Arc<case_finding::CaseFindingCache>,
    /// E-mail, where an SMTP server is configured.
    mailer: Option<mail::Mailer>,
}

impl App {
    pub fn new(db: Db) -> App {
        App {
            db,
            lists: Default::default(),
            dashboards: Default::default(),
            frailty_codes: std::sync::Arc::new(kernteam_domain::frailty::CodeList::default_list()),
            case_finding: Default::default(),
            mailer: None,
        }
    }

    /// The app sending e-mail through `mailer` (`--smtp-url`).
    pub fn with_mailer(mut self, mailer: Option<mail::Mailer>) -> App {
        self.mailer = mailer;
        self
    }

    /// Whether e-mail can be sent (an SMTP server is configured).
    pub fn mail_enabled(&self) -> bool {
        self.mailer.is_some()
    }

    /// Tells these users by e-mail, content-free, that something new waits for them in
    /// Kernteam (those with an e-mail address and an active account). Returns at once: the
    /// addresses are looked up and the e-mails queued in a task of their own.
    pub(crate) fn mail_notified(&self, users: Vec<i64>) {
        let Some(mailer) = self.mailer.clone() else {
            return;
        };
        if users.is_empty() {
            return;
        }
        let db = self.db.clone();
        tokio::spawn(async move {
            for id in users {
                match (db.user(id).await, db.user_email(id).await) {
                    (Ok(u), Ok(Some(to))) if u.active => {
                        mailer.queue(&to, mail::NOTICE_SUBJECT, mail::NOTICE_BODY.to_string(), "melding")
                    }
                    (Ok(_), Ok(_)) => {}
                    (Err(e), _) | (_, Err(e)) => tracing::warn!("e-mail notification not sent: {e}"),
                }
            }
        });
    }

    /// The app with another frailty code list (`--code-list`).
    pub fn with_frailty_codes(mut self, codes: std::sync::Arc<kernteam_domain::frailty::CodeList>) -> App {
        self.frailty_codes = codes;
        self.case_finding = Default::default();
        self
    }

    /// The frailty code list in use.
    pub fn frailty_codes(&self) -> &kernteam_domain::frailty::CodeList {
        &self.frailty_codes
    }

    /// Appends records concurrently (the audit writer batches them into few
    /// transactions); returns when every one is committed.
    pub(crate) async fn record_all(&self, entries: Vec<AuditEntry>) -> Result<()> {
        let mut set = tokio::task::JoinSet::new();
        for e in entries {
            let db = self.db.clone();
            set.spawn(async move { db.audit(&e).await });
        }
        while let Some(done) = set.join_next().await {
            done.map_err(|e| Error::Internal(e.into()))??;
        }
        Ok(())
    }

    /// Appends one record to the audit log (committed when this returns): for reads and
    /// refusals. A change commits its records with itself (`kernteam_store::change::Change`).
    pub(crate) async fn record(&self, entry: &AuditEntry) -> Result<()> {
        self.db.audit(entry).await?;
        Ok(())
    }
}

/// Today, in the practice's time zone (the server's).
pub fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}
