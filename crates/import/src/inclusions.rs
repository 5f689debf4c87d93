//! `kernteam inclusion import FILE.csv` (region.md, *Command line*): program decisions
//! taken in an earlier system, read and checked here. Columns `agb_code`, `patient_id`,
//! `date`, `decision` (`inclusie`/`exclusie`), `reason` (exclusions) and `decided_by`;
//! every problem is a `FILE:LINE: COLUMN: message` as in extract-format.md. Whether the
//! practices and patients exist is checked by the use case that writes them
//! (`kernteam_app::App::import_decisions`), in one transaction.

use chrono::NaiveDate;
use kernteam_domain::care::DecisionKind;
use kernteam_domain::decisions::{validate, DecisionInput, ValidDecision};

use crate::read::csv_file::detect_delimiter;
use crate::{LocatedError, MAX_ERRORS};

/// The columns, and whether each is required in the header.
pub const COLUMNS: [(&str, bool); 6] = [
    ("agb_code", true),
    ("patient_id", true),
    ("date", true),
    ("decision", true),
    ("reason", false),
    ("decided_by", false),
];

/// One decision of the file, checked against the decision rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionLine {
    /// The line in the file (the header is line 1).
    pub line: u64,
    pub agb_code: String,
    pub patient_id: String,
    pub decision: ValidDecision,
}

fn column_of(message: &str) -> &'static str {
    if message.starts_with("Datum") || message.contains("datum") {
        "date"
    } else if message.contains("huisarts") {
        "decided_by"
    } else if message.contains("reden") {
        "reason"
    } else {
        "-"
    }
}

/// What a good file holds: its decisions and the warnings about them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DecisionFile {
    pub lines: Vec<DecisionLine>,
    /// Decisions dated after `today` are taken over as they are (an earlier system's
    /// record is not Kernteam's to correct), but named.
    pub warnings: Vec<LocatedError>,
}

/// Reads the file; every problem (up to [`MAX_ERRORS`]) when it breaks the rules.
pub fn read_decisions(file: &str, bytes: &[u8], today: NaiveDate) -> Result<DecisionFile, Vec<LocatedError>> {
    let mut warnings = Vec::new();
    let mut errors = Vec::new();
    let err = |line: u64, column: &str, message: String| LocatedError {
        file: file.to_string(),
        line,
        column: column.to_string(),
        message,
    };
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut csv = csv::ReaderBuilder::new()
        .delimiter(detect_delimiter(bytes))
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut records = csv.records();
    let header = match records.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => return Err(vec![err(1, "-", format!("kopregel onleesbaar: {e}"))]),
        None => return Err(vec![err(1, "-", "het bestand is leeg: de kopregel ontbreekt".into())]),
    };
    let mut positions = [None; COLUMNS.len()];
    for (i, name) in header.iter().enumerate() {
        let name = name.trim().to_ascii_lowercase();
        if let Some(k) = COLUMNS.iter().position(|(c, _)| *c == name) {
            if positions[k].is_some() {
                errors.push(err(
                    1,
                    COLUMNS[k].0,
                    "kolom komt meer dan eens voor in de kopregel".into(),
                ));
            }
            positions[k] = Some(i);
        }
    }
    for (k, (col, required)) in COLUMNS.iter().enumerate() {
        if *required && positions[k].is_none() {
            errors.push(err(1, col, "verplichte kolom ontbreekt in de kopregel".into()));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut out = Vec::new();
    for record in records {
        if errors.len() >= MAX_ERRORS {
            break;
        }
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                errors.push(err(line, "-", format!("CSV onleesbaar: {e}")));
                break;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let field = |k: usize| {
            positions[k]
                .and_then(|i| record.get(i))
                .map(str::trim)
                .filter(|s| !s.is_empty())
        };
        let agb = field(0);
        let patient = field(1);
        if agb.is_none() {
            errors.push(err(line, "agb_code", "verplicht veld is leeg".into()));
        } else if let Some(a) = agb.filter(|a| a.len() != 8 || !a.bytes().all(|b| b.is_ascii_digit())) {
            errors.push(err(line, "agb_code", format!("'{a}' is geen AGB-code van 8 cijfers")));
        }
        if patient.is_none() {
            errors.push(err(line, "patient_id", "verplicht veld is leeg".into()));
        }
        let kind = match field(3) {
            Some("inclusie") => Some(DecisionKind::Inclusion),
            Some("exclusie") => Some(DecisionKind::Exclusion),
            Some(other) => {
                errors.push(err(
                    line,
                    "decision",
                    format!("'{other}' is geen besluit: kies inclusie of exclusie"),
                ));
                None
            }
            None => {
                errors.push(err(line, "decision", "verplicht veld is leeg".into()));
                None
            }
        };
        let Some(kind) = kind else {
            continue;
        };
        if kind == DecisionKind::Inclusion {
            if let Some(r) = field(4) {
                errors.push(err(line, "reason", format!("een inclusie heeft geen reden ('{r}')")));
            }
        } else if let Some(r) = field(4) {
            if kernteam_domain::care::ExclusionReason::from_code(r).is_none() {
                errors.push(err(
                    line,
                    "reason",
                    format!("'{r}' is geen exclusiereden: kies overleden, verhuisd, opgenomen_met_behandeling, niet_meer_kwetsbaar, wil_niet_meer of anders"),
                ));
                continue;
            }
        }
        let input = DecisionInput {
            decided_on: field(2).unwrap_or_default().to_string(),
            deciding_gp: field(5).map(str::to_string),
            reason: field(4).map(str::to_string),
            considerations: None,
            exception_reason: None,
        };
        // The future-date rule of the web form becomes a warning here (see DecisionFile).
        match validate(kind, input, NaiveDate::MAX) {
            Ok(decision) => {
                if decision.decided_on > today {
                    warnings.push(err(
                        line,
                        "date",
                        format!(
                            "{} ligt na vandaag; overgenomen zoals het er staat",
                            decision.decided_on
                        ),
                    ));
                }
                if let (Some(agb), Some(patient)) = (agb, patient) {
                    out.push(DecisionLine {
                        line,
                        agb_code: agb.to_string(),
                        patient_id: patient.to_string(),
                        decision,
                    });
                }
            }
            Err(problems) => {
                for p in problems {
                    errors.push(err(line, column_of(&p), p));
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(DecisionFile { lines: out, warnings })
    } else {
        errors.truncate(MAX_ERRORS);
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        "2027-07-01".parse().unwrap()
    }

    #[test]
    fn a_good_file_is_read_in_order() {
        let csv = "agb_code,patient_id,date,decision,reason,decided_by\n\
                   01234567,P1,2027-01-10,inclusie,,dr. Jansen\n\
                   01234567,P1,2027-01-10,exclusie,verhuisd,\n";
        let read = read_decisions("besluiten.csv", csv.as_bytes(), "2027-01-09".parse().unwrap()).unwrap();
        assert_eq!(read.warnings.len(), 2, "dated after today: named");
        let lines = read.lines;
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].line, 2);
        assert_eq!(lines[1].decision.kind, DecisionKind::Exclusion);
    }

    #[test]
    fn every_problem_is_placed() {
        let csv = "agb_code;patient_id;date;decision;reason;decided_by\n\
                   0123;P1;2027-01-10;inclusie;;dr. Jansen\n\
                   01234567;P2;2027-02-30;inclusie;;dr. Jansen\n\
                   01234567;P3;2027-01-10;exclusie;;\n\
                   01234567;P4;2027-01-10;exclusie;weg;\n\
                   01234567;P5;2027-01-10;inclusie;;\n\
                   01234567;P6;2027-01-10;misschien;;\n\
                   01234567;P7;2027-13-10;inclusie;;dr. Jansen\n";
        let errors: Vec<String> = read_decisions("b.csv", csv.as_bytes(), today())
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert!(errors[0].starts_with("b.csv:2: agb_code:"), "{errors:?}");
        assert!(errors[1].starts_with("b.csv:3: date:"), "{errors:?}");
        assert!(errors[2].starts_with("b.csv:4: reason:"), "{errors:?}");
        assert!(errors[3].starts_with("b.csv:5: reason:"), "{errors:?}");
        assert!(errors[4].starts_with("b.csv:6: decided_by:"), "{errors:?}");
        assert!(errors[5].starts_with("b.csv:7: decision:"), "{errors:?}");
        assert!(errors[6].starts_with("b.csv:8: date:"), "{errors:?}");
        assert_eq!(errors.len(), 7);
    }

    #[test]
    fn a_missing_column_is_named() {
        let errors = read_decisions("b.csv", b"agb_code,patient_id,date\n", today()).unwrap_err();
        assert_eq!(
            errors[0].to_string(),
            "b.csv:1: decision: verplichte kolom ontbreekt in de kopregel"
        );
        assert!(read_decisions("b.csv", b"", today()).is_err());
    }
}
