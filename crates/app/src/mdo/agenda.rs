//! A meeting's agenda: the patients to discuss, each shown through a logged read, and
//! putting a patient on it.

use kernteam_domain::mdo;
use kernteam_store::care::PatientRef;
use kernteam_store::program::AgendaItem;

use super::MdoMeeting;
use crate::audit::Action;
use crate::error::{Error, Result};
use crate::App;

/// A patient on the agenda as the meeting page and the API show them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgendaShown {
    pub patient_id: i64,
    pub name: String,
    pub reason: Option<String>,
    pub discussed: bool,
    pub minutes: Option<String>,
    /// The patient's treatment limits, for the minutes.
    pub limits: super::minutes::Limits,
}

impl App {
    /// The agenda, in the order the patients were put on it; a read record
    /// ([`Action::ViewMdo`]) per patient shown.
    pub async fn mdo_agenda(&self, m: &MdoMeeting) -> Result<Vec<AgendaShown>> {
        let mut out = Vec::new();
        for item in self.db.agenda(m.meeting.id).await? {
            out.push(self.show_item(m, item).await?);
        }
        Ok(out)
    }

    /// One patient's place on the agenda (a read record); `NotFound` when not on it.
    pub async fn mdo_agenda_item(&self, m: &MdoMeeting, patient_id: i64) -> Result<AgendaShown> {
        let item = self.agenda_item(m, patient_id).await?;
        self.show_item(m, item).await
    }

    pub(super) async fn agenda_item(&self, m: &MdoMeeting, patient_id: i64) -> Result<AgendaItem> {
        self.db
            .agenda(m.meeting.id)
            .await?
            .into_iter()
            .find(|i| i.patient_id == patient_id)
            .ok_or(Error::NotFound)
    }

    async fn show_item(&self, m: &MdoMeeting, item: AgendaItem) -> Result<AgendaShown> {
        let v = self
            .visible(m.actor(), item.patient_id, Action::ViewMdo, Some(m.label()))
            .await?;
        Ok(AgendaShown {
            patient_id: item.patient_id,
            name: self.patient_name(&v).await?,
            reason: item.reason,
            discussed: item.discussed,
            minutes: item.minutes,
            limits: self.treatment_limits(item.patient_id).await?,
        })
    }

    /// Refuses (and logs the refusal) unless the actor may put patients on the meeting's
    /// agenda and record its minutes: the practice's clinicians.
    pub async fn mdo_writer(&self, m: &MdoMeeting) -> Result<()> {
        if m.may_write() {
            return Ok(());
        }
        self.record(&m.actor().refusal(
            None,
            Action::AccessRefused,
            Some(format!("{}: agenda en verslag", m.label())),
        ))
        .await?;
        Err(Error::Forbidden)
    }

    /// Puts a patient of the meeting's practice on its agenda with a reason (the practice's
    /// clinicians: 403 for others). `NotFound` for a patient the actor may not see or of
    /// another practice, `Conflict` when the patient is already on it. Returns the item's id.
    pub async fn add_to_mdo_agenda(&self, m: &MdoMeeting, patient_id: i64, reason: &str) -> Result<i64> {
        self.mdo_writer(m).await?;
        let c = self.contributor(m.actor(), patient_id).await?;
        if c.patient().practice_id != m.meeting.practice_id {
            return Err(Error::NotFound);
        }
        let reason = mdo::validate_reason(reason).map_err(Error::Invalid)?;
        let mut ch = self.db.change().await?;
        let id = ch.add_to_agenda(m.meeting.id, patient_id, Some(&reason)).await?;
        ch.commit(&[c.actor().entry(
            Some(c.patient()),
            Action::AddToMdoAgenda,
            Some(format!("{}: {reason}", m.label())),
        )])
        .await?;
        Ok(id)
    }

    /// Writes the reads of a search for a patient to put on the agenda (the practice's
    /// clinicians): one record for the search, without the search words (they may be a
    /// BSN), and one per patient shown ([`Action::SearchMdoPatient`]). `shown` are
    /// patients of the meeting's practice list.
    async fn mdo_search_shown(&self, m: &MdoMeeting, shown: &[i64]) -> Result<()> {
        if !m.may_write() {
            return Err(Error::Forbidden);
        }
        let label = m.label();
        let mut entries = vec![m.actor().entry(
            None,
            Action::SearchMdoPatient,
            Some(format!("{label}: {} gevonden", shown.len())),
        )];
        entries.extend(shown.iter().map(|id| {
            let p = PatientRef {
                id: *id,
                practice_id: m.meeting.practice_id,
                his_id: String::new(),
            };
            m.actor().entry(Some(&p), Action::SearchMdoPatient, Some(label.clone()))
        }));
        self.record_all(entries).await
    }

    /// The patients of the meeting's practice list matching the search words, except those
    /// in `exclude` (already on the agenda): at most `max`, and whether there were more.
    /// The practice's clinicians only; each patient shown is a logged read.
    pub async fn search_for_mdo(
        &self,
        m: &MdoMeeting,
        query: &str,
        exclude: &std::collections::HashSet<i64>,
        max: usize,
    ) -> Result<(Vec<crate::practice_list::ListRow>, bool)> {
        if !m.may_write() {
            return Err(Error::Forbidden);
        }
        let Some(list) = self.list_of_practice(m.meeting.practice_id).await? else {
            self.mdo_search_shown(m, &[]).await?;
            return Ok((Vec::new(), false));
        };
        let found: Vec<_> = list
            .rows
            .iter()
            .filter(|r| !exclude.contains(&r.patient_id) && r.matches(query))
            .collect();
        let more = found.len() > max;
        let rows: Vec<_> = found.into_iter().take(max).cloned().collect();
        let ids: Vec<i64> = rows.iter().map(|r| r.patient_id).collect();
        self.mdo_search_shown(m, &ids).await?;
        Ok((rows, more))
    }
}
