//! Program decisions taken over from an earlier system (`kernteam inclusion import`): the
//! lines read and checked by `kernteam_import::inclusions`, resolved to Kernteam's
//! practices and patients and written in one transaction, all or nothing, each with its
//! audit record in the operator's name. Decisions of one patient on one date take effect
//! in the order of the file: they are recorded in that order.

use kernteam_domain::care::DecisionKind;
use kernteam_import::inclusions::DecisionLine;
use kernteam_import::LocatedError;
use kernteam_store::decisions::NewDecision;

use crate::audit::Action;
use crate::error::Error;
use crate::gate::Operator;
use crate::App;

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DecisionImport {
    pub inclusions: usize,
    pub exclusions: usize,
}

/// Why an import was refused.
#[derive(Debug)]
pub enum DecisionImportError {
    /// Lines that name an unknown practice or patient; nothing was written.
    Invalid(Vec<LocatedError>),
    Other(Error),
}

impl From<Error> for DecisionImportError {
    fn from(e: Error) -> Self {
        DecisionImportError::Other(e)
    }
}

impl From<kernteam_store::StoreError> for DecisionImportError {
    fn from(e: kernteam_store::StoreError) -> Self {
        DecisionImportError::Other(e.into())
    }
}

impl App {
    pub async fn import_decisions(
        &self,
        op: &Operator,
        file: &str,
        lines: &[DecisionLine],
    ) -> std::result::Result<DecisionImport, DecisionImportError> {
        let mut practices = std::collections::HashMap::new();
        let mut resolved = Vec::with_capacity(lines.len());
        let mut errors = Vec::new();
        let err = |line: u64, column: &str, message: String| LocatedError {
            file: file.to_string(),
            line,
            column: column.to_string(),
            message,
        };
        for l in lines {
            if !practices.contains_key(&l.agb_code) {
                let found = self.db.practice_by_agb(&l.agb_code).await?;
                practices.insert(l.agb_code.clone(), found);
            }
            let Some(practice) = practices[&l.agb_code].as_ref() else {
                errors.push(err(
                    l.line,
                    "agb_code",
                    format!("praktijk '{}' is onbekend: lees eerst haar extract in", l.agb_code),
                ));
                continue;
            };
            match self.db.patient_by_his_id(practice.id, &l.patient_id).await? {
                Some(p) => resolved.push((l, p)),
                None => errors.push(err(
                    l.line,
                    "patient_id",
                    format!(
                        "patiënt '{}' komt in geen extract van praktijk {} voor",
                        l.patient_id, l.agb_code
                    ),
                )),
            }
            if errors.len() >= kernteam_import::MAX_ERRORS {
                break;
            }
        }
        if !errors.is_empty() {
            return Err(DecisionImportError::Invalid(errors));
        }
        if resolved.is_empty() {
            return Err(Error::Invalid(vec![format!("{file}: het bestand bevat geen besluiten")]).into());
        }
        let mut done = DecisionImport::default();
        let mut entries = Vec::with_capacity(resolved.len());
        let mut ch = self.db.change().await?;
        for (l, patient) in resolved {
            let d = &l.decision;
            ch.add_decision_by(
                patient.id,
                &NewDecision {
                    kind: d.kind,
                    decided_on: d.decided_on,
                    deciding_gp: d.deciding_gp.clone(),
                    reason: d.reason.map(|r| r.code().to_string()),
                    considerations: Some(format!("overgenomen uit een eerder systeem ({file}, regel {})", l.line)),
                },
                None,
            )
            .await?;
            let what = match d.kind {
                DecisionKind::Inclusion => {
                    done.inclusions += 1;
                    "inclusie".to_string()
                }
                DecisionKind::Exclusion => {
                    done.exclusions += 1;
                    format!("exclusie ({})", d.reason.map_or("", |r| r.code()))
                }
            };
            entries.push(op.entry(
                Some(patient.practice_id),
                Some(patient.id),
                Action::ImportDecision,
                Some(format!("{what} op {} uit {file}:{}", d.decided_on, l.line)),
            ));
        }
        ch.commit(&entries).await?;
        Ok(done)
    }
}
