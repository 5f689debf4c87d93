//! Ages, activity and registration on a reference date (extract-format.md, "Terms").

use chrono::{Datelike, NaiveDate};

/// Completed years on `on`: `on.year - birth.year`, minus one when (month, day) of `on`
/// comes before (month, day) of `birth`. Someone born on 29 February is a year older on
/// 1 March in a year without 29 February.
pub fn age_on(birth: NaiveDate, on: NaiveDate) -> i32 {
    let mut age = on.year() - birth.year();
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

/// A dated interval with an optional, inclusive end: an episode, a prescription, an
/// enrolment or a registration. Active on `d` when `start <= d` and (`end` empty or
/// `end >= d`).
pub fn active_on(start: NaiveDate, end: Option<NaiveDate>, d: NaiveDate) -> bool {
    start <= d && end.is_none_or(|e| e >= d)
}

/// Whether an interval overlaps the inclusive range `from..=to` on at least one day.
pub fn active_during(start: NaiveDate, end: Option<NaiveDate>, from: NaiveDate, to: NaiveDate) -> bool {
    start <= to && end.is_none_or(|e| e >= from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn age_turns_on_the_birthday_itself() {
        assert_eq!(age_on(d("1952-06-30"), d("2027-06-29")), 74);
        assert_eq!(age_on(d("1952-06-30"), d("2027-06-30")), 75);
        assert_eq!(age_on(d("1952-07-01"), d("2027-06-30")), 74);
    }

    #[test]
    fn leap_day_birthdays_age_on_first_of_march_in_common_years() {
        let born = d("1952-02-29");
        assert_eq!(age_on(born, d("2027-02-28")), 74);
        assert_eq!(age_on(born, d("2027-03-01")), 75);
        assert_eq!(age_on(born, d("2028-02-28")), 75);
        assert_eq!(age_on(born, d("2028-02-29")), 76);
    }

    #[test]
    fn end_date_on_the_reference_date_is_still_active() {
        assert!(active_on(d("2020-01-01"), Some(d("2027-06-30")), d("2027-06-30")));
        assert!(!active_on(d("2020-01-01"), Some(d("2027-06-29")), d("2027-06-30")));
        assert!(active_on(d("2027-06-30"), None, d("2027-06-30")));
        assert!(!active_on(d("2027-07-01"), None, d("2027-06-30")));
    }

    #[test]
    fn active_during_touches_either_edge() {
        let (from, to) = (d("2026-01-01"), d("2026-12-31"));
        assert!(active_during(d("2015-01-01"), Some(d("2026-01-01")), from, to));
        assert!(active_during(d("2026-12-31"), None, from, to));
        assert!(!active_during(d("2015-01-01"), Some(d("2025-12-31")), from, to));
        assert!(!active_during(d("2027-01-01"), None, from, to));
    }
}
