//! What a patient's overview shows besides lists, read in one round trip.

use crate::convert::opt_date;
use crate::direct_read::Arg;
use crate::documents::{CarePlanVersion, Document, VersionRow};
use crate::{Db, StoreResult};

/// What a patient's overview shows besides lists, read in one query.
#[derive(Debug, Clone, Default)]
pub struct RecordSummary {
    pub first_contact_member: Option<i64>,
    pub last_medication_review: Option<chrono::NaiveDate>,
    pub care_plan: Option<CarePlanVersion>,
    pub pzp: Option<CarePlanVersion>,
}

struct SummaryRow {
    first_contact_member: Option<i64>,
    last_medication_review: Option<String>,
    care_plan_version: Option<i64>,
    care_plan_content: Option<String>,
    care_plan_summary: Option<String>,
    care_plan_created_by_name: Option<String>,
    care_plan_created_at: Option<String>,
    pzp_version: Option<i64>,
    pzp_content: Option<String>,
    pzp_summary: Option<String>,
    pzp_created_by_name: Option<String>,
    pzp_created_at: Option<String>,
}

impl Db {
    /// The first point of contact, the last medication review and the newest care plan and
    /// PZP versions of a patient, in one round trip.
    pub async fn record_summary(&self, patient_id: i64) -> StoreResult<RecordSummary> {
        let mut select = vec![
            "(SELECT member_id FROM first_contacts WHERE patient_id = $1) AS first_contact_member".to_string(),
            "(SELECT MAX(reviewed_on) FROM medication_reviews WHERE patient_id = $1 AND withdrawn_at IS NULL) AS last_medication_review"
                .to_string(),
        ];
        for (doc, prefix) in [(Document::CarePlan, "care_plan"), (Document::Pzp, "pzp")] {
            for column in ["version", "content", "summary", "created_by_name", "created_at"] {
                select.push(format!(
                    "(SELECT {column} FROM {} WHERE patient_id = $1 ORDER BY version DESC LIMIT 1) AS {prefix}_{column}",
                    doc.table()
                ));
            }
        }
        let r = self
            .read_row(&format!("SELECT {}", select.join(", ")), &[Arg::Int(patient_id)], |c| {
                Ok(SummaryRow {
                    first_contact_member: c.opt_int(0)?,
                    last_medication_review: c.opt_text(1)?,
                    care_plan_version: c.opt_int(2)?,
                    care_plan_content: c.opt_text(3)?,
                    care_plan_summary: c.opt_text(4)?,
                    care_plan_created_by_name: c.opt_text(5)?,
                    care_plan_created_at: c.opt_text(6)?,
                    pzp_version: c.opt_int(7)?,
                    pzp_content: c.opt_text(8)?,
                    pzp_summary: c.opt_text(9)?,
                    pzp_created_by_name: c.opt_text(10)?,
                    pzp_created_at: c.opt_text(11)?,
                })
            })
            .await?
            .ok_or_else(|| crate::StoreError::Corrupt("overzicht zonder rij".into()))?;
        Ok(RecordSummary {
            first_contact_member: r.first_contact_member,
            last_medication_review: opt_date("medication_reviews.reviewed_on", r.last_medication_review)?,
            care_plan: VersionRow::optional(
                Document::CarePlan,
                r.care_plan_version,
                r.care_plan_content,
                r.care_plan_summary,
                r.care_plan_created_by_name,
                r.care_plan_created_at,
            )?,
            pzp: VersionRow::optional(
                Document::Pzp,
                r.pzp_version,
                r.pzp_content,
                r.pzp_summary,
                r.pzp_created_by_name,
                r.pzp_created_at,
            )?,
        })
    }
}
