//! Rules for free text as entered: trimmed, empty is absent, bounded in length.

/// Trims optional text; empty is absent; longer than `max` characters adds a Dutch
/// message naming `label` to `errors` (and gives `None`).
pub fn optional(s: Option<String>, label: &str, max: usize, errors: &mut Vec<String>) -> Option<String> {
    let s = s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    if s.as_ref().is_some_and(|s| s.chars().count() > max) {
        errors.push(too_long(label, max));
        return None;
    }
    s
}

/// The message for text longer than `max` characters.
pub fn too_long(label: &str, max: usize) -> String {
    format!("{label} mag hoogstens {max} tekens lang zijn.")
}

/// Adds the message of [`too_long`] to `errors` when `s` is longer than `max` characters.
pub fn check_length(s: &str, label: &str, max: usize, errors: &mut Vec<String>) {
    if s.chars().count() > max {
        errors.push(too_long(label, max));
    }
}

/// An optional date as entered (`yyyy-mm-dd`): empty is absent; anything else that is not
/// a date adds a Dutch message naming `label` to `errors` (and gives `None`).
pub fn optional_date(raw: &str, label: &str, errors: &mut Vec<String>) -> Option<chrono::NaiveDate> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    match chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            errors.push(format!("{label}: '{raw}' is geen geldige datum."));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn optional_text() {
        let mut e = Vec::new();
        assert_eq!(optional(Some("  a ".into()), "X", 3, &mut e), Some("a".into()));
        assert_eq!(optional(Some("   ".into()), "X", 3, &mut e), None);
        assert!(e.is_empty());
        assert_eq!(optional(Some("abcd".into()), "X", 3, &mut e), None);
        assert_eq!(e, ["X mag hoogstens 3 tekens lang zijn."]);
    }

    #[test]
    fn dates_and_lengths_as_entered() {
        let mut e = Vec::new();
        assert_eq!(optional_date(" ", "D", &mut e), None);
        assert_eq!(optional_date("2027-03-01", "D", &mut e), "2027-03-01".parse().ok());
        check_length("abc", "X", 3, &mut e);
        assert!(e.is_empty());
        assert_eq!(optional_date("2027-02-30", "D", &mut e), None);
        check_length("abcd", "X", 3, &mut e);
        assert_eq!(
            e,
            [
                "D: '2027-02-30' is geen geldige datum.",
                "X mag hoogstens 3 tekens lang zijn."
            ]
        );
    }
}
