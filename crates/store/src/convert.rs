//! How values are stored, and their conversion at the storage boundary.
//!
//! Both backends store the same values the same way, in the types sqlx's `Any` driver can
//! carry (64-bit integers, doubles, text; no dates, no booleans):
//!
//! - ids and counts: 64-bit integers (`INTEGER` on SQLite, `BIGINT` on PostgreSQL), read as `i64`;
//! - dates: TEXT `YYYY-MM-DD`, so that they sort and compare as dates in SQL;
//! - timestamps: TEXT RFC 3339 in UTC with seconds (`2027-01-31T09:15:00Z`), which sort too;
//! - flags: integers 0 (no) and 1 (yes);
//! - kinds (roles, decisions, organisation kinds, chain programs): their text codes.
//!
//! Rows are read by column name into private row structs (`#[derive(sqlx::FromRow)]`) with
//! these raw types, and converted once into the public types with the helpers below. A value
//! that does not convert is [`StoreError::Corrupt`], naming the column.

use chrono::NaiveDate;

use crate::{StoreError, StoreResult};

/// Now, as stored: RFC 3339 in UTC with seconds.
pub fn now_timestamp() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A date as stored.
pub(crate) fn fmt_date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn corrupt(column: &str, what: &str, value: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{column}: {what} '{value}'"))
}

/// A stored date (`YYYY-MM-DD`) of `column`.
pub(crate) fn date(column: &str, s: &str) -> StoreResult<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| corrupt(column, "datum", s))
}

/// A stored date that may be absent.
pub(crate) fn opt_date(column: &str, s: Option<String>) -> StoreResult<Option<NaiveDate>> {
    s.as_deref().map(|s| date(column, s)).transpose()
}

/// A stored timestamp: checked to be RFC 3339, returned as stored.
pub(crate) fn timestamp(column: &str, s: String) -> StoreResult<String> {
    match chrono::DateTime::parse_from_rfc3339(&s) {
        Ok(_) => Ok(s),
        Err(_) => Err(corrupt(column, "tijdstip", s)),
    }
}

/// A stored timestamp that may be absent.
pub(crate) fn opt_timestamp(column: &str, s: Option<String>) -> StoreResult<Option<String>> {
    s.map(|s| timestamp(column, s)).transpose()
}

/// A stored flag: 0 or 1.
pub(crate) fn flag(column: &str, v: i64) -> StoreResult<bool> {
    match v {
        0 => Ok(false),
        1 => Ok(true),
        _ => Err(corrupt(column, "vlag", v)),
    }
}

/// A flag as stored.
pub(crate) fn store_flag(b: bool) -> i64 {
    i64::from(b)
}

/// A kind stored as its text code, decoded with the kind's `from_code`.
pub(crate) fn code<T>(column: &str, s: &str, from_code: impl Fn(&str) -> Option<T>) -> StoreResult<T> {
    from_code(s).ok_or_else(|| corrupt(column, "code", s))
}

/// A count (never negative in SQL) as `u64`.
pub(crate) fn count(column: &str, n: i64) -> StoreResult<u64> {
    u64::try_from(n).map_err(|_| corrupt(column, "aantal", n))
}

/// Converts every row, stopping at the first that does not convert.
pub(crate) fn all<R, T>(rows: Vec<R>) -> StoreResult<Vec<T>>
where
    T: TryFrom<R, Error = StoreError>,
{
    rows.into_iter().map(T::try_from).collect()
}

/// A count per text key (`SELECT x AS item, COUNT(*) AS n … GROUP BY x`).
#[derive(sqlx::FromRow)]
pub(crate) struct CountRow {
    item: String,
    n: i64,
}

impl CountRow {
    pub(crate) fn all(rows: Vec<CountRow>) -> StoreResult<Vec<(String, u64)>> {
        rows.into_iter()
            .map(|r| Ok((r.item, count("COUNT(*)", r.n)?)))
            .collect()
    }
}

/// A stored date, for the modules that read dates without a column name at hand.
pub(crate) fn parse_stored_date(s: &str) -> StoreResult<NaiveDate> {
    date("datum", s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(e: StoreError) -> String {
        match e {
            StoreError::Corrupt(m) => m,
            other => panic!("expected Corrupt, got {other:?}"),
        }
    }

    #[test]
    fn dates_round_trip_and_bad_ones_name_their_column() {
        let d = NaiveDate::from_ymd_opt(2027, 1, 31).unwrap();
        assert_eq!(fmt_date(d), "2027-01-31");
        assert_eq!(date("t.c", "2027-01-31").unwrap(), d);
        assert_eq!(opt_date("t.c", None).unwrap(), None);
        assert_eq!(
            message(date("mdo_meetings.meeting_date", "31-01-2027").unwrap_err()),
            "mdo_meetings.meeting_date: datum '31-01-2027'"
        );
        assert!(opt_date("t.c", Some("2027-02-30".into())).is_err());
    }

    #[test]
    fn timestamps_must_be_rfc_3339() {
        assert_eq!(
            timestamp("t.c", "2027-01-31T09:15:00Z".into()).unwrap(),
            "2027-01-31T09:15:00Z"
        );
        assert!(timestamp("t.c", now_timestamp()).is_ok());
        assert_eq!(opt_timestamp("t.c", None).unwrap(), None);
        assert_eq!(
            message(timestamp("care_events.occurred_at", "gisteren".into()).unwrap_err()),
            "care_events.occurred_at: tijdstip 'gisteren'"
        );
    }

    #[test]
    fn flags_are_zero_or_one() {
        assert!(!flag("t.c", 0).unwrap());
        assert!(flag("t.c", 1).unwrap());
        assert_eq!(store_flag(true), 1);
        assert_eq!(
            message(flag("mdo_agenda.discussed", 2).unwrap_err()),
            "mdo_agenda.discussed: vlag '2'"
        );
    }

    #[test]
    fn codes_and_counts() {
        let parse = |s: &str| (s == "a").then_some(1);
        assert_eq!(code("t.kind", "a", parse).unwrap(), 1);
        assert_eq!(message(code("t.kind", "b", parse).unwrap_err()), "t.kind: code 'b'");
        assert_eq!(count("n", 3).unwrap(), 3);
        assert!(count("n", -1).is_err());
    }
}
