//! Rules for the administrator's forms: organisation and account names as entered, and the
//! ids chosen in a select. What role fits which affiliation is [`crate::access::affiliation_problems`].

/// Longest organisation or display name, in characters.
pub const NAME_MAX_CHARS: usize = 200;
/// Longest username, in characters.
pub const USERNAME_MAX_CHARS: usize = 100;

/// Checks a required name (already trimmed): 1 to `max` characters, no control characters.
/// `what` names it in a sentence ("de naam van de organisatie").
pub fn check_name(value: &str, what: &str, max: usize, problems: &mut Vec<String>) {
    let n = value.chars().count();
    if n == 0 {
        problems.push(format!("Vul {what} in."));
    } else if n > max {
        problems.push(format!("{} mag hoogstens {max} tekens lang zijn.", capitalise(what)));
    } else if value.chars().any(char::is_control) {
        problems.push(format!("{} bevat een ongeldig teken.", capitalise(what)));
    }
}

/// Checks a username (already trimmed): a name without spaces.
pub fn check_username(value: &str, problems: &mut Vec<String>) {
    check_name(value, "een gebruikersnaam", USERNAME_MAX_CHARS, problems);
    if value.chars().any(char::is_whitespace) {
        problems.push("Een gebruikersnaam bevat geen spaties.".to_string());
    }
}

/// An id chosen in a select: `None` when nothing was chosen; `problem` when it is no number.
pub fn chosen_id(value: &str, problem: &str, problems: &mut Vec<String>) -> Option<i64> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    match value.parse() {
        Ok(id) => Some(id),
        Err(_) => {
            problems.push(problem.to_string());
            None
        }
    }
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked() {
        let mut p = Vec::new();
        check_name("", "de naam", 5, &mut p);
        check_name("abcdef", "de naam", 5, &mut p);
        check_name("ab\u{7}", "de naam", 5, &mut p);
        check_name("abcde", "de naam", 5, &mut p);
        assert_eq!(
            p,
            [
                "Vul de naam in.",
                "De naam mag hoogstens 5 tekens lang zijn.",
                "De naam bevat een ongeldig teken."
            ]
        );
        let mut p = Vec::new();
        check_username("a b", &mut p);
        assert_eq!(p, ["Een gebruikersnaam bevat geen spaties."]);
    }

    #[test]
    fn chosen_ids() {
        let mut p = Vec::new();
        assert_eq!(chosen_id(" ", "x", &mut p), None);
        assert_eq!(chosen_id(" 7 ", "x", &mut p), Some(7));
        assert!(p.is_empty());
        assert_eq!(chosen_id("zeven", "Kies.", &mut p), None);
        assert_eq!(p, ["Kies."]);
    }
}
