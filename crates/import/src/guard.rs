//! Byte guards between a file and the CSV parser: no physical line past
//! [`MAX_LINE_BYTES`], no file past its share of the [`Limits`].

use std::io::Read;

use crate::source::Limits;

/// The longest physical line accepted. A longer one is refused at once, so that a broken
/// export (a line of gigabytes, a binary file) cannot exhaust memory.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// Passes bytes through and fails when a physical line grows past [`MAX_LINE_BYTES`].
pub(crate) struct LineGuard<R> {
    pub(crate) inner: R,
    pub(crate) since_newline: usize,
    pub(crate) line: std::rc::Rc<std::cell::Cell<u64>>,
}

impl<R: Read> Read for LineGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let chunk = &buf[..n];
        // memchr finds the line breaks a word at a time; the rest is per line, not per byte.
        // Lines are counted up to the one that is too long, as the error names its number.
        let (mut too_long, mut lines, mut start) = (false, 0u64, 0usize);
        for at in memchr::memchr_iter(b'\n', chunk) {
            if self.since_newline + (at - start) > MAX_LINE_BYTES {
                too_long = true;
                break;
            }
            self.since_newline = 0;
            start = at + 1;
            lines += 1;
        }
        self.line.set(self.line.get() + lines);
        self.since_newline += n - start;
        if too_long || self.since_newline > MAX_LINE_BYTES {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("regel is langer dan {} MiB", MAX_LINE_BYTES >> 20),
            ));
        }
        Ok(n)
    }
}

/// How many bytes of `file` may be read, and the message when it holds more.
pub(crate) fn read_cap(file: &str, limits: &Limits, total_read: u64, exact: Option<u64>) -> (u64, String) {
    let left_total = limits.max_total_bytes.saturating_sub(total_read);
    let mut cap = (
        limits.max_file_bytes,
        format!(
            "is groter dan {} bytes; maximaal zoveel per bestand",
            limits.max_file_bytes
        ),
    );
    if left_total < cap.0 {
        cap = (
            left_total,
            format!(
                "de bestanden van het extract zijn samen groter dan {} bytes (--max-bytes); {file} is niet helemaal gelezen",
                limits.max_total_bytes
            ),
        );
    }
    if let Some(declared) = exact.filter(|d| *d < cap.0) {
        cap = (
            declared,
            format!("bevat meer dan de {declared} bytes die het zip-bestand opgeeft; het zip-bestand is beschadigd of vervalst"),
        );
    }
    cap
}

pub(crate) const CAP_ERROR: &str = "groter dan toegestaan";

/// Passes at most `left` bytes through; past that it fails (and says so in `tripped`),
/// so that no more than the limit is ever read or unpacked.
pub(crate) struct Capped<R> {
    pub(crate) inner: R,
    pub(crate) left: u64,
    pub(crate) counted: std::rc::Rc<std::cell::Cell<u64>>,
    pub(crate) tripped: std::rc::Rc<std::cell::Cell<bool>>,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.left == 0 {
            // One byte more than allowed tells a file that is exactly at the limit from one over it.
            let mut probe = [0u8; 1];
            if self.inner.read(&mut probe)? == 0 {
                return Ok(0);
            }
            self.tripped.set(true);
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, CAP_ERROR));
        }
        let max = buf.len().min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..max])?;
        self.left -= n as u64;
        self.counted.set(self.counted.get() + n as u64);
        Ok(n)
    }
}
