//! Writing the CSV files of one extract: header from the spec, LF line ends, quoting by
//! the csv crate, dates as `YYYY-MM-DD`.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::Context;
use chrono::{Datelike, NaiveDate};
use kernteam_domain::extract::ExtractFile;

/// A day as chrono's days since 1 January of year 1 (`num_days_from_ce`): cheap to add
/// and compare.
pub(crate) type Day = i32;

pub(crate) fn day(d: NaiveDate) -> Day {
    d.num_days_from_ce()
}

/// `YYYY-MM-DD` of a day (years 1000..=9999).
pub(crate) fn date_bytes(d: Day) -> [u8; 10] {
    let date = NaiveDate::from_num_days_from_ce_opt(d).expect("generated dates are in chrono's range");
    let (y, m, dd) = (date.year() as u32, date.month(), date.day());
    debug_assert!((1000..=9999).contains(&y));
    let mut b = *b"0000-00-00";
    b[0] = b'0' + (y / 1000 % 10) as u8;
    b[1] = b'0' + (y / 100 % 10) as u8;
    b[2] = b'0' + (y / 10 % 10) as u8;
    b[3] = b'0' + (y % 10) as u8;
    b[5] = b'0' + (m / 10) as u8;
    b[6] = b'0' + (m % 10) as u8;
    b[8] = b'0' + (dd / 10) as u8;
    b[9] = b'0' + (dd % 10) as u8;
    b
}

/// An optional date: the formatted day, or an empty field.
pub(crate) struct OptDate(Option<[u8; 10]>);

impl OptDate {
    pub(crate) fn new(d: Option<Day>) -> Self {
        OptDate(d.map(date_bytes))
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        match &self.0 {
            Some(b) => b,
            None => b"",
        }
    }
}

/// One CSV file of the extract, with its data-row count.
pub(crate) struct Table {
    w: csv::Writer<BufWriter<File>>,
    rows: u64,
}

impl Table {
    /// Creates (or truncates) the file and writes the header row with all the spec's columns.
    pub(crate) fn create(dir: &Path, file: ExtractFile) -> anyhow::Result<Table> {
        let path = dir.join(file.file_name());
        let f = File::create(&path).with_context(|| format!("cannot create {}", path.display()))?;
        let mut w = csv::WriterBuilder::new()
            .delimiter(b',')
            .terminator(csv::Terminator::Any(b'\n'))
            .quote_style(csv::QuoteStyle::Necessary)
            .buffer_capacity(64 * 1024)
            .from_writer(BufWriter::with_capacity(64 * 1024, f));
        w.write_record(file.columns().iter().map(|(name, _)| name.as_bytes()))?;
        Ok(Table { w, rows: 0 })
    }

    pub(crate) fn row(&mut self, fields: &[&[u8]]) -> anyhow::Result<()> {
        self.w.write_record(fields)?;
        self.rows += 1;
        Ok(())
    }

    /// Flushes the file; returns the number of data rows written.
    pub(crate) fn finish(self) -> anyhow::Result<u64> {
        let mut inner = self.w.into_inner().map_err(|e| e.into_error())?;
        inner.flush()?;
        Ok(self.rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_iso() {
        let d = day(NaiveDate::from_ymd_opt(1924, 2, 29).unwrap());
        assert_eq!(&date_bytes(d), b"1924-02-29");
        assert_eq!(&date_bytes(d + 1), b"1924-03-01");
        assert_eq!(OptDate::new(None).bytes(), b"");
    }
}
