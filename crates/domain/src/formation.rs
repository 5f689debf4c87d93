//! The practice's POH-O formation: hours per week, valid from a date. The periodic reports
//! read the formation as last set on or before their reference date.

use chrono::{Datelike, Duration, NaiveDate};

/// More than this many hours a week is a typing error.
pub const MAX_HOURS: f64 = 200.0;

/// A new formation entry, validated.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NewFormation {
    pub hours: f64,
    pub valid_from: NaiveDate,
}

/// Hours as people write them: `6,5`, `8`.
pub fn hours_text(h: f64) -> String {
    let s = format!("{h:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.replace('.', ",")
}

/// Hours typed into a form: `6,5` or `6.5`.
pub fn parse_hours(s: &str) -> Result<f64, String> {
    let t = s.trim();
    if t.is_empty() {
        return Err("Vul het aantal uren per week in.".to_string());
    }
    t.replace(',', ".")
        .parse::<f64>()
        .map_err(|_| format!("'{t}' is geen aantal uren; schrijf bijvoorbeeld 6,5."))
}

/// The rules: hours from 0 to [`MAX_HOURS`] (at most two decimals kept); a real date
/// (`jjjj-mm-dd`) from 2000 up to a year after `today`. `hours` is the number or why it
/// could not be read. Every problem is listed, in Dutch.
pub fn validate(hours: Result<f64, String>, valid_from: &str, today: NaiveDate) -> Result<NewFormation, Vec<String>> {
    let mut errors = Vec::new();
    let hours = match hours {
        Ok(h) if !h.is_finite() || !(0.0..=MAX_HOURS).contains(&h) => {
            errors.push(format!(
                "Het aantal uren per week ligt tussen 0 en {}.",
                hours_text(MAX_HOURS)
            ));
            None
        }
        Ok(h) => Some((h * 100.0).round() / 100.0),
        Err(e) => {
            errors.push(e);
            None
        }
    };
    let valid_from = match NaiveDate::parse_from_str(valid_from.trim(), "%Y-%m-%d") {
        Ok(d) if d.year() < 2000 => {
            errors.push("De ingangsdatum ligt vóór 2000; controleer het jaar.".to_string());
            None
        }
        Ok(d) if d > today + Duration::days(366) => {
            errors.push("De ingangsdatum ligt meer dan een jaar vooruit.".to_string());
            None
        }
        Ok(d) => Some(d),
        Err(_) => {
            errors.push("Ingangsdatum: vul een geldige datum in.".to_string());
            None
        }
    };
    match (hours, valid_from) {
        (Some(hours), Some(valid_from)) if errors.is_empty() => Ok(NewFormation { hours, valid_from }),
        _ => Err(errors),
    }
}

/// The entry in force on `on` in a newest-first history of valid-from dates: the latest
/// date on or before `on`, and of equal dates the last set (the first in the list).
pub fn in_force(valid_from_newest_first: &[NaiveDate], on: NaiveDate) -> Option<usize> {
    valid_from_newest_first.iter().position(|d| *d <= on)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn hours_are_read_and_written_the_dutch_way() {
        assert_eq!(parse_hours(" 6,5 "), Ok(6.5));
        assert_eq!(parse_hours("8"), Ok(8.0));
        assert!(parse_hours("zes").is_err());
        assert!(parse_hours(" ").is_err());
        assert_eq!(hours_text(6.5), "6,5");
        assert_eq!(hours_text(8.0), "8");
        assert_eq!(hours_text(6.54), "6,54");
        assert_eq!(hours_text(0.0), "0");
    }

    #[test]
    fn validation_lists_every_problem() {
        let today = d("2027-03-01");
        assert_eq!(
            validate(Ok(-1.0), "2029-01-01", today).unwrap_err(),
            [
                "Het aantal uren per week ligt tussen 0 en 200.",
                "De ingangsdatum ligt meer dan een jaar vooruit."
            ]
        );
        assert!(validate(Ok(f64::NAN), "2027-01-01", today).is_err());
        assert!(validate(Ok(6.0), "1999-12-31", today).is_err());
        assert!(validate(Ok(6.0), "01-01-2027", today).is_err());
        assert_eq!(
            validate(Ok(6.544), "2027-01-01", today).unwrap(),
            NewFormation {
                hours: 6.54,
                valid_from: d("2027-01-01")
            }
        );
    }

    #[test]
    fn the_entry_in_force_is_the_latest_set_for_the_latest_date() {
        let history = [d("2027-06-01"), d("2027-01-01"), d("2027-01-01")];
        assert_eq!(in_force(&history, d("2027-03-01")), Some(1));
        assert_eq!(in_force(&history, d("2027-06-01")), Some(0));
        assert_eq!(in_force(&history, d("2026-12-31")), None);
    }
}
