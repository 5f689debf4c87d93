//! The compact binary encoding of Kernteam's stored values ([`crate::facts_blob`],
//! [`crate::records_blob`]): integers as LEB128 varints, texts as their length and bytes,
//! a date as its day number from the common era (zigzag-coded, so that a day before
//! 0001-01-01 stays small too) and an optional date as that plus one (0 = none).
//!
//! Reading never trusts the value: a count larger than the bytes left, a cut-off value or
//! a date out of range is an error naming the column, never a panic or a misread.

use std::borrow::Cow;

use chrono::{Datelike, NaiveDate};

use crate::{StoreError, StoreResult};

pub(crate) fn day(d: NaiveDate) -> i32 {
    d.num_days_from_ce()
}

pub(crate) fn put(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

pub(crate) fn put_bytes(out: &mut Vec<u8>, b: &[u8]) {
    put(out, b.len() as u64);
    out.extend_from_slice(b);
}

/// An optional text: its length plus one, then its bytes (0 = none).
pub(crate) fn put_opt_text(out: &mut Vec<u8>, t: Option<&str>) {
    match t {
        None => out.push(0),
        Some(t) => {
            put(out, t.len() as u64 + 1);
            out.extend_from_slice(t.as_bytes());
        }
    }
}

fn zigzag(d: i32) -> u64 {
    u64::from(((d << 1) ^ (d >> 31)) as u32)
}

fn unzigzag(v: u64) -> Option<i32> {
    let v = u32::try_from(v).ok()?;
    Some(((v >> 1) as i32) ^ -((v & 1) as i32))
}

/// The first day of [`DAYS`]: 1 January 1900 (days from the common era, day 1 being
/// 1 January of year 1).
const FIRST_DAY: i32 = 693_596;

/// The dates of 1900 to 2099 by their day number from [`FIRST_DAY`]: a report reads some
/// ten million dates, and chrono's conversion from a day number (a division into 400-year
/// cycles and a table walk) was a tenth of its time.
static DAYS: std::sync::LazyLock<Vec<NaiveDate>> = std::sync::LazyLock::new(|| {
    let first = NaiveDate::from_num_days_from_ce_opt(FIRST_DAY).expect("1900-01-01");
    let end = NaiveDate::from_ymd_opt(2100, 1, 1).expect("2100-01-01");
    first.iter_days().take_while(|d| *d < end).collect()
});

/// The date of day number `n` from the common era, as [`NaiveDate::from_num_days_from_ce_opt`].
#[inline]
fn date_of_day(n: i32) -> Option<NaiveDate> {
    match n
        .checked_sub(FIRST_DAY)
        .and_then(|i| DAYS.get(usize::try_from(i).ok()?))
    {
        Some(d) => Some(*d),
        None => NaiveDate::from_num_days_from_ce_opt(n),
    }
}

pub(crate) fn put_day(out: &mut Vec<u8>, d: i32) {
    put(out, zigzag(d));
}

pub(crate) fn put_opt_day(out: &mut Vec<u8>, d: Option<i32>) {
    put(out, d.map_or(0, |d| zigzag(d) + 1));
}

pub(crate) fn put_date(out: &mut Vec<u8>, d: NaiveDate) {
    put_day(out, day(d));
}

pub(crate) fn put_opt_date(out: &mut Vec<u8>, d: Option<NaiveDate>) {
    put_opt_day(out, d.map(day));
}

/// What [`Reader::skip`] reads past: a varint (a number or a date), a text, an optional text.
#[derive(Clone, Copy)]
pub(crate) enum Skip {
    Number,
    Text,
    OptText,
}

/// Reads a value written with the functions above; `column` names it in errors.
pub(crate) struct Reader<'a> {
    data: &'a [u8],
    at: usize,
    column: &'static str,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(data: &'a [u8], at: usize, column: &'static str) -> Self {
        Reader { data, at, column }
    }

    #[cold]
    #[inline(never)]
    pub(crate) fn broken(&self, what: &str) -> StoreError {
        StoreError::Corrupt(format!("{}: {what}", self.column))
    }

    /// Where the next read starts, for [`Self::set_at`].
    pub(crate) fn at(&self) -> usize {
        self.at
    }

    /// Reads again from `at`, a position [`Self::at`] gave.
    pub(crate) fn set_at(&mut self, at: usize) {
        self.at = at;
    }

    pub(crate) fn done(&self) -> bool {
        self.at == self.data.len()
    }

    #[inline]
    pub(crate) fn int(&mut self) -> StoreResult<u64> {
        // Most numbers are one byte (lengths, text numbers), so that is the first test.
        let mut v = 0u64;
        let mut shift = 0;
        while let Some(&b) = self.data.get(self.at) {
            self.at += 1;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
            shift += 7;
            if shift >= 64 {
                return Err(self.broken("getal te lang"));
            }
        }
        Err(self.broken("afgebroken"))
    }

    /// A count or length: never more than the bytes left, as each item takes at least one.
    #[inline]
    pub(crate) fn len(&mut self) -> StoreResult<usize> {
        let n = self.int()?;
        usize::try_from(n)
            .ok()
            .filter(|n| *n <= self.data.len() - self.at)
            .ok_or_else(|| self.broken("lengte buiten de waarde"))
    }

    #[inline]
    fn bytes(&mut self, n: usize) -> StoreResult<&'a str> {
        let bytes = &self.data[self.at..self.at + n];
        self.at += n;
        std::str::from_utf8(bytes).map_err(|_| self.broken("geen UTF-8"))
    }

    #[inline]
    pub(crate) fn text(&mut self) -> StoreResult<&'a str> {
        let n = self.len()?;
        self.bytes(n)
    }

    /// Reads past one item without checking what it says (a value that is read past, not
    /// read): a number or a date is a varint, a text its length and its bytes.
    pub(crate) fn skip(&mut self, kind: Skip) -> StoreResult<()> {
        let n = self.int()?;
        let n = match kind {
            Skip::Number => return Ok(()),
            Skip::Text => n,
            Skip::OptText => n.saturating_sub(1),
        };
        let n = usize::try_from(n)
            .ok()
            .filter(|n| *n <= self.data.len() - self.at)
            .ok_or_else(|| self.broken("lengte buiten de waarde"))?;
        self.at += n;
        Ok(())
    }

    pub(crate) fn opt_text(&mut self) -> StoreResult<Option<&'a str>> {
        let n = self.int()?;
        if n == 0 {
            return Ok(None);
        }
        let n = usize::try_from(n - 1)
            .ok()
            .filter(|n| *n <= self.data.len() - self.at)
            .ok_or_else(|| self.broken("lengte buiten de waarde"))?;
        self.bytes(n).map(Some)
    }

    #[inline]
    pub(crate) fn date(&mut self) -> StoreResult<NaiveDate> {
        let v = self.int()?;
        unzigzag(v).and_then(date_of_day).ok_or_else(|| self.broken("datum"))
    }

    #[inline]
    pub(crate) fn opt_date(&mut self) -> StoreResult<Option<NaiveDate>> {
        match self.int()? {
            0 => Ok(None),
            v => unzigzag(v - 1)
                .and_then(date_of_day)
                .map(Some)
                .ok_or_else(|| self.broken("datum")),
        }
    }
}

/// A value packed with LZ4 (its block format): `magic`, the unpacked length as a varint,
/// then the block. The kept records are mostly repeated texts (titles, medicine names,
/// dosages), which LZ4 halves at some hundreds of megabytes per second; fewer bytes to
/// write is what makes an import faster, and a page's one value unpacks in microseconds.
pub(crate) fn pack(magic: &[u8; 4], raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(16 + lz4_flex::block::get_maximum_output_size(raw.len()));
    out.extend_from_slice(magic);
    put(&mut out, raw.len() as u64);
    let head = out.len();
    out.resize(head + lz4_flex::block::get_maximum_output_size(raw.len()), 0);
    let n =
        lz4_flex::block::compress_into(raw, &mut out[head..]).expect("the output has LZ4's maximum size for the input");
    out.truncate(head + n);
    out
}

/// `data` itself, or unpacked ([`unpack`]) when it starts with `magic`: a stored value
/// read in either form.
pub(crate) fn unpacked<'a>(magic: &[u8; 4], data: &'a [u8], column: &'static str) -> StoreResult<Cow<'a, [u8]>> {
    if data.starts_with(magic) {
        unpack(magic, data, column).map(Cow::Owned)
    } else {
        Ok(Cow::Borrowed(data))
    }
}

/// The value [`pack`] packed after `magic` (`data` starting with it). A damaged value is
/// an error naming `column`: an unpacked length that LZ4 could not have packed into these
/// bytes (at most 255 to one) is refused before anything is allocated.
pub(crate) fn unpack(magic: &[u8; 4], data: &[u8], column: &'static str) -> StoreResult<Vec<u8>> {
    let mut r = Reader::new(data, magic.len(), column);
    let n = r.int()?;
    let block = &data[r.at..];
    let n = usize::try_from(n)
        .ok()
        .filter(|n| *n <= block.len().saturating_mul(255).saturating_add(16))
        .ok_or_else(|| r.broken("ingepakte lengte buiten de waarde"))?;
    let mut out = vec![0; n];
    match lz4_flex::block::decompress_into(block, &mut out) {
        Ok(m) if m == n => Ok(out),
        _ => Err(r.broken("ingepakte waarde beschadigd")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_number_gives_the_date_chrono_gives() {
        let near = FIRST_DAY - 40_000..FIRST_DAY + 120_000;
        let far = [i32::MIN, i32::MIN + 1, -1, 0, 1, i32::MAX - 1, i32::MAX];
        for n in near.chain(far) {
            assert_eq!(date_of_day(n), NaiveDate::from_num_days_from_ce_opt(n), "{n}");
        }
        assert_eq!(date_of_day(FIRST_DAY), NaiveDate::from_ymd_opt(1900, 1, 1));
        assert_eq!(DAYS.last().copied(), NaiveDate::from_ymd_opt(2099, 12, 31));
    }

    #[test]
    fn numbers_read_back_and_overlong_ones_are_refused() {
        for v in [0, 1, 127, 128, 300, 1 << 35, u64::MAX] {
            let mut out = Vec::new();
            put(&mut out, v);
            let mut r = Reader::new(&out, 0, "t");
            assert_eq!(r.int().unwrap(), v);
            assert!(r.done());
        }
        let eleven = [0x80u8; 10].iter().copied().chain([1]).collect::<Vec<_>>();
        assert!(Reader::new(&eleven, 0, "t").int().is_err());
        assert!(Reader::new(&[0x80], 0, "t").int().is_err());
    }
}
