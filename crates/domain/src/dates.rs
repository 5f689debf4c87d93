//! Ages, activity and registration on a reference date (extract-format.md, "Terms"), and
//! the table of days the extract's dates are read from.

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

/// The days of 1900–2099 by (year, month, day of month 1–31), `None` where a month has
/// no such day: an import parses some ten million dates, and chrono's `from_ymd_opt` (a
/// division of the year into 400-year cycles, then a table) was 2 % of its time.
static DATES: std::sync::LazyLock<Vec<Option<NaiveDate>>> = std::sync::LazyLock::new(|| {
    (1900..2100)
        .flat_map(|y| (1..=12).flat_map(move |m| (1..=31).map(move |d| NaiveDate::from_ymd_opt(y, m, d))))
        .collect()
});

/// `NaiveDate::from_ymd_opt`, from [`DATES`] for 1900–2099.
pub(crate) fn date_of(year: u32, month: u32, day: u32) -> Option<NaiveDate> {
    if (1900..2100).contains(&year) && (1..=12).contains(&month) && (1..=31).contains(&day) {
        DATES[(((year - 1900) * 12 + month - 1) * 31 + day - 1) as usize]
    } else {
        NaiveDate::from_ymd_opt(year as i32, month, day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_of_dates_is_chronos_calendar() {
        for y in (1890..2110).chain([0, 1, 9999]) {
            for m in 0..=13 {
                for d in 0..=32 {
                    assert_eq!(date_of(y, m, d), NaiveDate::from_ymd_opt(y as i32, m, d), "{y}-{m}-{d}");
                }
            }
        }
        assert_eq!(
            crate::extract::parse_date("2000-02-29").unwrap().to_string(),
            "2000-02-29"
        );
        assert!(crate::extract::parse_date("1900-02-29").is_err());
        assert!(crate::extract::parse_date("2099-04-31").is_err());
        assert_eq!(
            crate::extract::parse_date("2100-02-28").unwrap().to_string(),
            "2100-02-28"
        );
    }

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
