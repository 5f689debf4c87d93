//! Splitting one CSV file into records, borrowed from a buffer of the file.
//!
//! Nearly every line of an extract is one record without quotes: it is found with one
//! `memchr` for the line break, one `memchr2` for quotes and carriage returns, and cut
//! at the delimiters eight bytes at a time, and handed on where it lies in the buffer
//! (no copy); so is a line whose quoted fields are simple (quotes at both ends, nothing
//! escaped). Any other line with a quote, or with a bare carriage return, is left to
//! `csv_core`'s parser from its first byte, so quoted fields (delimiters and
//! line breaks inside them, doubled quotes) read exactly as the csv crate reads them;
//! the fast path is then resumed after that record. The dialect is the csv crate's
//! default: `"` quotes, CRLF, LF and CR each end a record, and empty lines are skipped.
//!
//! Each record carries the physical line it starts on, counted in line feeds: unlike the
//! csv crate's positions, which after a CRLF line, or after empty lines, name the line
//! before.

use std::io::{self, Read};

/// The buffer a file is read through (it grows for a longer line).
pub(crate) const BUFFER_BYTES: usize = 1 << 16;

/// One record: its fields as ranges of `data`.
pub(crate) struct Split<'a> {
    /// The physical line the record starts on (the header is line 1).
    pub(crate) line: u64,
    /// The record's bytes: the line itself (delimiters between the fields), or for a
    /// quoted record its fields unquoted, one after the other.
    pub(crate) data: &'a [u8],
    /// Start and end of each field in `data`.
    pub(crate) spans: &'a [(usize, usize)],
}

impl<'a> Split<'a> {
    pub(crate) fn len(&self) -> usize {
        self.spans.len()
    }

    pub(crate) fn get(&self, i: usize) -> Option<&'a [u8]> {
        self.spans.get(i).map(|&(s, e)| &self.data[s..e])
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        self.spans.iter().map(|&(s, e)| &self.data[s..e])
    }
}

/// Cuts `line` at every `delimiter`, eight bytes at a time: pushes the span of each field
/// but the last, and returns where the last one starts.
fn split_at(line: &[u8], delimiter: u8, spans: &mut Vec<(usize, usize)>) -> usize {
    const LOW: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let pattern = u64::from_ne_bytes([delimiter; 8]);
    let mut field_start = 0;
    let mut words = line.chunks_exact(8);
    for (w, word) in (&mut words).enumerate() {
        // The high bit of each byte equal to the delimiter (exact: no carries across bytes).
        let x = u64::from_le_bytes(word.try_into().expect("eight bytes")) ^ pattern;
        let mut hits = !(((x & LOW) + LOW) | x | LOW);
        while hits != 0 {
            let at = w * 8 + (hits.trailing_zeros() / 8) as usize;
            spans.push((field_start, at));
            field_start = at + 1;
            hits &= hits - 1;
        }
    }
    let tail = line.len() - words.remainder().len();
    for (i, &b) in words.remainder().iter().enumerate() {
        if b == delimiter {
            spans.push((field_start, tail + i));
            field_start = tail + i + 1;
        }
    }
    field_start
}

/// Cuts a line with quotes but no carriage return into fields when every quoted field is
/// simple: a quote at its start, the next quote at its end (no doubled quote, no line
/// break). Pushes each field's span, inside its quotes; false (spans undefined) otherwise,
/// when csv_core reads the record.
fn split_quoted(line: &[u8], delimiter: u8, spans: &mut Vec<(usize, usize)>) -> bool {
    if memchr::memchr(b'\r', line).is_some() {
        return false;
    }
    let mut at = 0;
    loop {
        let end = if line.get(at) == Some(&b'"') {
            let Some(close) = memchr::memchr(b'"', &line[at + 1..]) else {
                return false;
            };
            spans.push((at + 1, at + 1 + close));
            at + 2 + close
        } else {
            match memchr::memchr2(delimiter, b'"', &line[at..]) {
                None => {
                    spans.push((at, line.len()));
                    return true;
                }
                Some(i) if line[at + i] == delimiter => {
                    spans.push((at, at + i));
                    at + i
                }
                Some(_) => return false, // a quote inside an unquoted field
            }
        };
        match line.get(end) {
            None => return true,
            Some(&b) if b == delimiter => at = end + 1,
            Some(_) => return false, // a doubled quote, or text after the closing quote
        }
    }
}

/// Reads the records of one file.
pub(crate) struct Splitter<R> {
    input: R,
    buf: Vec<u8>,
    /// The unread bytes are `buf[start..end]`.
    start: usize,
    end: usize,
    eof: bool,
    /// The physical line at `start`.
    line: u64,
    /// Bytes consumed before `start`.
    byte: u64,
    delimiter: u8,
    /// The parser of quoted records, and its output.
    core: Option<csv_core::Reader>,
    out: Vec<u8>,
    ends: Vec<usize>,
    spans: Vec<(usize, usize)>,
}

impl<R: Read> Splitter<R> {
    /// Reads `input` through `buf` (cleared; kept for the next file: see [`Self::into_buffer`]).
    pub(crate) fn new(input: R, mut buf: Vec<u8>) -> Self {
        buf.clear();
        buf.resize(BUFFER_BYTES.max(buf.capacity()), 0);
        Splitter {
            input,
            buf,
            start: 0,
            end: 0,
            eof: false,
            line: 1,
            byte: 0,
            delimiter: b',',
            core: None,
            out: Vec::new(),
            ends: Vec::new(),
            spans: Vec::new(),
        }
    }

    pub(crate) fn into_buffer(self) -> Vec<u8> {
        self.buf
    }

    /// The first bytes of the file, read but not consumed (for the byte order mark and
    /// the delimiter).
    pub(crate) fn head(&mut self) -> io::Result<&[u8]> {
        if self.start == self.end {
            self.fill()?;
        }
        Ok(&self.buf[self.start..self.end])
    }

    /// Skips `n` bytes of the head.
    pub(crate) fn skip(&mut self, n: usize) {
        let n = n.min(self.end - self.start);
        self.start += n;
        self.byte += n as u64;
    }

    pub(crate) fn set_delimiter(&mut self, delimiter: u8) {
        self.delimiter = delimiter;
        self.core = None;
    }

    /// Bytes of the file consumed so far.
    pub(crate) fn byte(&self) -> u64 {
        self.byte
    }

    /// Reads more after the unread bytes (moved to the front); false at the end of the file.
    fn fill(&mut self) -> io::Result<bool> {
        if self.eof {
            return Ok(false);
        }
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.end == self.buf.len() {
            self.buf.resize(self.buf.len() * 2, 0);
        }
        let n = loop {
            match self.input.read(&mut self.buf[self.end..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        };
        self.end += n;
        self.eof = n == 0;
        Ok(n > 0)
    }

    /// The next record; `None` at the end of the file.
    pub(crate) fn next_record(&mut self) -> io::Result<Option<Split<'_>>> {
        // Line breaks before a record are empty lines: skipped.
        loop {
            while self.start < self.end {
                match self.buf[self.start] {
                    b'\n' => self.line += 1,
                    b'\r' => {}
                    _ => break,
                }
                self.start += 1;
                self.byte += 1;
            }
            if self.start < self.end {
                break;
            }
            if !self.fill()? {
                return Ok(None);
            }
        }
        // The whole line in the buffer.
        let mut searched = 0;
        let newline = loop {
            if let Some(i) = memchr::memchr(b'\n', &self.buf[self.start + searched..self.end]) {
                break Some(self.start + searched + i);
            }
            searched = self.end - self.start;
            if !self.fill()? {
                break None;
            }
        };
        let line_end = newline.unwrap_or(self.end);
        let mut content_end = line_end;
        if self.buf[content_end - 1] == b'\r' {
            content_end -= 1;
        }
        let line = &self.buf[self.start..content_end];
        self.spans.clear();
        match memchr::memchr2(b'"', b'\r', line).map(|at| line[at]) {
            None => {
                let last = split_at(line, self.delimiter, &mut self.spans);
                self.spans.push((last, line.len()));
            }
            Some(b'"') if split_quoted(line, self.delimiter, &mut self.spans) => {}
            Some(_) => return self.quoted(),
        }
        let record_line = self.line;
        let (from, consumed) = (self.start, newline.map_or(line_end, |n| n + 1) - self.start);
        self.start += consumed;
        self.byte += consumed as u64;
        self.line += u64::from(newline.is_some());
        Ok(Some(Split {
            line: record_line,
            data: &self.buf[from..content_end],
            spans: &self.spans,
        }))
    }

    /// The record at `start`, which has a quote or a bare carriage return: csv_core's.
    fn quoted(&mut self) -> io::Result<Option<Split<'_>>> {
        use csv_core::ReadRecordResult::*;
        let delimiter = self.delimiter;
        let mut core = self
            .core
            .take()
            .unwrap_or_else(|| csv_core::ReaderBuilder::new().delimiter(delimiter).build());
        let (record_line, lines_before) = (self.line, core.line());
        let (mut nout, mut nend) = (0, 0);
        loop {
            if nout == self.out.len() {
                self.out.resize((2 * self.out.len()).max(256), 0);
            }
            if nend == self.ends.len() {
                self.ends.resize((2 * self.ends.len()).max(32), 0);
            }
            let (res, nin, o, e) = core.read_record(
                &self.buf[self.start..self.end],
                &mut self.out[nout..],
                &mut self.ends[nend..],
            );
            self.start += nin;
            self.byte += nin as u64;
            nout += o;
            nend += e;
            match res {
                // At the end of the file the next call, with no input, ends the record.
                InputEmpty => {
                    self.fill()?;
                }
                OutputFull | OutputEndsFull => {}
                Record | End => break,
            }
        }
        self.line += core.line() - lines_before;
        self.core = Some(core);
        self.spans.clear();
        let mut from = 0;
        for &end in &self.ends[..nend] {
            self.spans.push((from, end));
            from = end;
        }
        if nend == 0 {
            return Ok(None);
        }
        Ok(Some(Split {
            line: record_line,
            data: &self.out[..nout],
            spans: &self.spans,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::Splitter;
    use proptest::prelude::*;

    /// Hands out at most `chunk` bytes per read, so that records cross the buffer's refills.
    struct Trickle<'a> {
        data: &'a [u8],
        chunk: usize,
    }

    impl std::io::Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.chunk.min(buf.len()).min(self.data.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    /// Every record as (line, fields).
    fn split(input: &[u8], delimiter: u8, chunk: usize) -> Vec<(u64, Vec<Vec<u8>>)> {
        let mut s = Splitter::new(Trickle { data: input, chunk }, Vec::new());
        s.set_delimiter(delimiter);
        let mut out = Vec::new();
        while let Some(r) = s.next_record().expect("reads from memory") {
            out.push((r.line, r.iter().map(<[u8]>::to_vec).collect()));
        }
        out
    }

    /// The csv crate's records, each with the line it starts on: 1 + the line feeds before
    /// its first byte (its own positions name the line before after CRLF and empty lines).
    fn csv_crate(input: &[u8], delimiter: u8) -> Vec<(u64, Vec<Vec<u8>>)> {
        let mut rdr = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(input);
        let mut rec = csv::ByteRecord::new();
        let mut out = Vec::new();
        while rdr.read_byte_record(&mut rec).expect("reads from memory") {
            let mut start = rec.position().expect("a position").byte() as usize;
            while matches!(input.get(start), Some(b'\r' | b'\n')) {
                start += 1;
            }
            let line = 1 + input[..start].iter().filter(|&&b| b == b'\n').count() as u64;
            out.push((line, rec.iter().map(<[u8]>::to_vec).collect()));
        }
        out
    }

    #[test]
    fn records_carry_the_line_they_start_on() {
        let input = b"a,b\r\nc,d\r\n\r\n\ne,\"f\ng\"\nh,i";
        let lines: Vec<u64> = split(input, b',', 1 << 16).iter().map(|r| r.0).collect();
        assert_eq!(lines, [1, 2, 5, 7]);
        assert_eq!(split(input, b',', 3), csv_crate(input, b','));
    }

    #[test]
    fn a_line_longer_than_the_buffer_is_read_whole() {
        let long = "x".repeat(3 * super::BUFFER_BYTES);
        let input = format!("a;b\n{long};\"{long}\"\nc;d\n");
        let records = split(input.as_bytes(), b';', 1 << 20);
        assert_eq!(records.len(), 3);
        assert_eq!(records[1].1, vec![long.as_bytes().to_vec(), long.as_bytes().to_vec()]);
        assert_eq!(records[2], (3, vec![b"c".to_vec(), b"d".to_vec()]));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(5000))]

        /// Fields and lines as the csv crate's, whatever the quotes, line breaks and reads.
        #[test]
        fn records_are_the_csv_crates(
            bytes in proptest::collection::vec(
                prop_oneof![
                    4 => Just(b'a'), 1 => Just(0xC3u8), 1 => Just(0xA9u8), 3 => Just(b','),
                    2 => Just(b';'), 2 => Just(b'"'), 2 => Just(b'\r'), 3 => Just(b'\n'),
                    1 => Just(b' '),
                ],
                0..80,
            ),
            semicolon in any::<bool>(),
            chunk in 1usize..9,
        ) {
            let delimiter = if semicolon { b';' } else { b',' };
            prop_assert_eq!(split(&bytes, delimiter, chunk), csv_crate(&bytes, delimiter));
        }
    }
}
