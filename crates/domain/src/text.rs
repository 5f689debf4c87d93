//! Rules for free text as entered (trimmed, empty is absent, bounded in length), and the
//! small rules of natural Dutch that the pages share: singular and plural, names in
//! running text, name sorting that ignores tussenvoegsels, and the names of periods.

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

/// A count with the right form of the noun: "1 patiënt", "3 patiënten", "0 patiënten".
pub fn count(n: usize, singular: &str, plural: &str) -> String {
    if n == 1 {
        format!("1 {singular}")
    } else {
        format!("{n} {plural}")
    }
}

/// A name as running text writes it: "Ger Maas", "Anna de Bie-Visser"; the family name
/// alone when there is no given name.
pub fn running_name(given: Option<&str>, family: Option<&str>) -> Option<String> {
    let given = given.map(str::trim).filter(|s| !s.is_empty());
    let family = family.map(str::trim).filter(|s| !s.is_empty());
    match (given, family) {
        (Some(g), Some(f)) => Some(format!("{g} {f}")),
        (None, Some(f)) => Some(f.to_string()),
        (Some(g), None) => Some(g.to_string()),
        (None, None) => None,
    }
}

/// Dutch tussenvoegsels: a family name sorts on what follows them ("de Bie-Visser" under B).
const TUSSENVOEGSELS: [&str; 18] = [
    "van der", "van den", "van de", "van 't", "van", "de", "den", "der", "het", "in 't", "in de", "op de", "op den",
    "te", "ten", "ter", "'t", "la",
];

/// The family name without its leading tussenvoegsels: "de Bie-Visser" gives "Bie-Visser".
pub fn without_tussenvoegsel(family: &str) -> &str {
    let mut rest = family.trim();
    'again: loop {
        for t in TUSSENVOEGSELS {
            if rest.len() > t.len()
                && rest.is_char_boundary(t.len())
                && rest[..t.len()].eq_ignore_ascii_case(t)
                && rest[t.len()..].starts_with(' ')
            {
                rest = rest[t.len()..].trim_start();
                continue 'again;
            }
        }
        return rest;
    }
}

/// The key a Dutch name list sorts on: the family name without tussenvoegsels, then the
/// given name, case- and accent-insensitive enough for Dutch names.
pub fn name_sort_key(family: Option<&str>, given: Option<&str>) -> String {
    let fold = |s: &str| {
        s.to_lowercase()
            .chars()
            .map(|c| match c {
                'á' | 'à' | 'â' | 'ä' => 'a',
                'é' | 'è' | 'ê' | 'ë' => 'e',
                'í' | 'ì' | 'î' | 'ï' => 'i',
                'ó' | 'ò' | 'ô' | 'ö' => 'o',
                'ú' | 'ù' | 'û' | 'ü' => 'u',
                c => c,
            })
            .collect::<String>()
    };
    format!(
        "{}\u{1}{}\u{1}{}",
        fold(without_tussenvoegsel(family.unwrap_or(""))),
        fold(given.unwrap_or("")),
        fold(family.unwrap_or(""))
    )
}

/// A quarter as Dutch text writes it: "2e kwartaal 2026".
pub fn quarter_name(year: i32, quarter: u32) -> String {
    format!("{quarter}e kwartaal {year}")
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

    #[test]
    fn natural_dutch() {
        assert_eq!(count(1, "patiënt", "patiënten"), "1 patiënt");
        assert_eq!(count(0, "patiënt", "patiënten"), "0 patiënten");
        assert_eq!(count(3, "patiënt", "patiënten"), "3 patiënten");
        assert_eq!(running_name(Some("Ger"), Some("Maas")).as_deref(), Some("Ger Maas"));
        assert_eq!(running_name(None, Some(" de Bie ")).as_deref(), Some("de Bie"));
        assert_eq!(running_name(Some(""), None), None);
        assert_eq!(quarter_name(2026, 2), "2e kwartaal 2026");
    }

    #[test]
    fn names_sort_without_tussenvoegsels() {
        assert_eq!(without_tussenvoegsel("de Bie-Visser"), "Bie-Visser");
        assert_eq!(without_tussenvoegsel("van der Berg"), "Berg");
        assert_eq!(without_tussenvoegsel("Van den Heuvel"), "Heuvel");
        assert_eq!(without_tussenvoegsel("Dekker"), "Dekker");
        assert_eq!(without_tussenvoegsel("de"), "de");
        let mut names = [
            ("Bakker", "Jan"),
            ("de Bie-Visser", "Anna"),
            ("Claassen", "Piet"),
            ("van Aalst", "Els"),
        ];
        names.sort_by_key(|(f, g)| name_sort_key(Some(f), Some(g)));
        let order: Vec<_> = names.iter().map(|n| n.0).collect();
        assert_eq!(order, ["van Aalst", "Bakker", "de Bie-Visser", "Claassen"]);
        assert!(name_sort_key(Some("Émile"), None) < name_sort_key(Some("Fons"), None));
    }
}
