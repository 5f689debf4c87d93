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
}
