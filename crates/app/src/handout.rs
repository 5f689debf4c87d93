//! What the care plan printed for the patient (the handout) needs beyond the record: how
//! to reach the practice and which GP the patient has.

use kernteam_domain::care::DecisionKind;
use kernteam_store::people::PracticeContact;

use crate::error::Result;
use crate::gate::Visible;
use crate::App;

impl App {
    /// The address and phone of the patient's practice, as its extracts give them.
    pub async fn practice_contact(&self, v: &Visible) -> Result<PracticeContact> {
        Ok(self.db.practice_contact(v.patient().practice_id).await?)
    }

    /// The GP who included the patient in the programme (the latest inclusion that names
    /// one), as the handout names "uw huisarts".
    pub async fn programme_gp(&self, v: &Visible) -> Result<Option<String>> {
        let mut inclusions: Vec<_> = self
            .db
            .decisions(v.patient().id)
            .await?
            .into_iter()
            .filter(|d| d.kind == DecisionKind::Inclusion)
            .filter_map(|d| d.deciding_gp.map(|gp| (d.decided_on, gp)))
            .collect();
        inclusions.sort();
        Ok(inclusions.pop().map(|(_, gp)| gp))
    }
}
