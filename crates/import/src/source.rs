//! Where an extract's files come from: a directory, or a zip with the files at its root
//! or in one top-level folder.
//!
//! Opening refuses what could make the import pick or read the wrong thing: two names
//! that differ only in case (`patients.csv` and `PATIENTS.CSV`), symbolic links (never
//! followed), special files, and files whose (declared) size is over the [`Limits`].

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use kernteam_domain::extract::ExtractFile;

use crate::LocatedError;

/// How much an extract may unpack to. Sizes are checked when the extract is opened (the
/// sizes a directory or a zip declares) and again while reading (the bytes actually read):
/// reading stops at the limit, so a zip that lies about its sizes cannot grow past it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// All files of the extract together, uncompressed.
    pub max_total_bytes: u64,
    /// One file, uncompressed.
    pub max_file_bytes: u64,
    /// A zip entry larger than [`Limits::RATIO_FROM_BYTES`] may unpack to at most this many
    /// times its compressed size (CSV compresses 5–20 times; a zip bomb 1,000 times).
    pub max_ratio: u64,
}

impl Limits {
    pub const RATIO_FROM_BYTES: u64 = 64 << 20;

    /// The defaults with another total (the CLI's `--max-bytes`); the per-file limit is
    /// never more than the total.
    pub fn with_max_total(max_total_bytes: u64) -> Limits {
        let d = Limits::default();
        Limits {
            max_total_bytes,
            max_file_bytes: d.max_file_bytes.min(max_total_bytes),
            ..d
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_total_bytes: 2 << 30,
            max_file_bytes: 1 << 30,
            max_ratio: 100,
        }
    }
}

/// Why an extract could not be opened.
#[derive(Debug)]
pub enum OpenError {
    /// Not an extract at all (missing, unreadable, not a directory or zip).
    Source(String),
    /// An extract, but refused; each error names its file.
    Invalid(Vec<LocatedError>),
}

pub enum ExtractSource {
    Dir {
        files: HashMap<String, DirFile>,
    },
    /// Files held in memory (tests and fuzzing), by lower-case name.
    Memory {
        files: HashMap<String, Vec<u8>>,
    },
    Zip {
        archive: zip::ZipArchive<BufReader<File>>,
        files: HashMap<String, usize>,
    },
}

/// A regular file in an extract directory, with what identifies it, so that a file
/// swapped for a link between listing and opening is noticed.
pub struct DirFile {
    path: PathBuf,
    len: u64,
    #[cfg(unix)]
    id: (u64, u64),
}

pub(crate) fn file_error(file: &str, message: impl Into<String>) -> LocatedError {
    LocatedError {
        file: file.to_string(),
        line: 0,
        column: "-".into(),
        message: message.into(),
    }
}

fn is_extract_file(lower: &str) -> bool {
    ExtractFile::ALL.iter().any(|f| f.file_name() == lower)
}

/// Remembers names by lower case; a second name equal ignoring case is an error.
fn insert_unique<T>(map: &mut HashMap<String, (String, T)>, name: &str, value: T, errors: &mut Vec<LocatedError>) {
    let lower = name.to_lowercase();
    if let Some((first, _)) = map.get(&lower) {
        errors.push(file_error(
            name,
            format!("'{first}' en '{name}' verschillen alleen in hoofdletters; laat er één over"),
        ));
    } else {
        map.insert(lower, (name.to_string(), value));
    }
}

fn check_sizes(sizes: &[(&str, u64)], limits: &Limits, errors: &mut Vec<LocatedError>) {
    let mut total = 0u64;
    for (name, size) in sizes {
        if *size > limits.max_file_bytes {
            errors.push(file_error(
                name,
                format!(
                    "is {size} bytes groot; maximaal {} bytes per bestand",
                    limits.max_file_bytes
                ),
            ));
        }
        total = total.saturating_add(*size);
    }
    if total > limits.max_total_bytes && errors.is_empty() {
        let name = sizes.last().map_or("-", |(n, _)| *n);
        errors.push(file_error(
            name,
            format!(
                "de bestanden van het extract zijn samen {total} bytes; maximaal {} bytes (--max-bytes)",
                limits.max_total_bytes
            ),
        ));
    }
}

impl ExtractSource {
    /// Opens a directory or a `.zip` file.
    pub fn open(path: &Path, limits: &Limits) -> Result<ExtractSource, OpenError> {
        let src = |m: String| OpenError::Source(m);
        let meta = std::fs::metadata(path).map_err(|e| src(format!("{}: niet te openen: {e}", path.display())))?;
        if meta.is_dir() {
            return Self::open_dir(path, limits);
        }
        let file = File::open(path).map_err(|e| src(format!("{}: niet te openen: {e}", path.display())))?;
        let mut archive = zip::ZipArchive::new(BufReader::new(file)).map_err(|e| {
            src(format!(
                "{}: geen map en geen leesbaar zip-bestand ({e})",
                path.display()
            ))
        })?;
        let mut errors = Vec::new();
        let mut root = HashMap::new();
        let mut nested: HashMap<String, HashMap<String, (String, usize)>> = HashMap::new();
        for i in 0..archive.len() {
            let entry = archive
                .by_index_raw(i)
                .map_err(|e| src(format!("{}: zip-bestand beschadigd ({e})", path.display())))?;
            if entry.is_dir() {
                continue;
            }
            let name = entry.name().replace('\\', "/");
            if name.starts_with("__MACOSX/") {
                continue;
            }
            if entry.is_symlink() {
                errors.push(file_error(
                    &name,
                    "is een symbolische koppeling; een extract bevat alleen gewone bestanden",
                ));
                continue;
            }
            let parts: Vec<&str> = name.split('/').filter(|p| !p.is_empty()).collect();
            match parts.as_slice() {
                [file] => insert_unique(&mut root, file, i, &mut errors),
                [dir, file] => insert_unique(nested.entry(dir.to_string()).or_default(), file, i, &mut errors),
                _ => {}
            }
        }
        let chosen = if root.contains_key(ExtractFile::Practice.file_name()) || nested.is_empty() {
            root
        } else if nested.len() == 1 {
            nested.into_values().next().unwrap_or_default()
        } else {
            return Err(src(format!(
                "{}: het zip-bestand bevat meerdere mappen; zet de bestanden in de hoofdmap of in één map",
                path.display()
            )));
        };
        let files: HashMap<String, usize> = chosen
            .into_iter()
            .filter(|(lower, _)| is_extract_file(lower))
            .map(|(lower, (_, i))| (lower, i))
            .collect();
        let mut sizes = Vec::new();
        for file in ExtractFile::ALL {
            let Some(i) = files.get(file.file_name()) else { continue };
            let entry = archive
                .by_index_raw(*i)
                .map_err(|e| src(format!("{}: zip-bestand beschadigd ({e})", path.display())))?;
            let (size, packed) = (entry.size(), entry.compressed_size().max(1));
            if size > Limits::RATIO_FROM_BYTES && size / packed > limits.max_ratio {
                errors.push(file_error(
                    file.file_name(),
                    format!(
                        "pakt uit tot {size} bytes, {} keer de ingepakte grootte; dat is geen extract maar een zip-bom",
                        size / packed
                    ),
                ));
            }
            sizes.push((file.file_name(), size));
        }
        check_sizes(&sizes, limits, &mut errors);
        if !errors.is_empty() {
            return Err(OpenError::Invalid(errors));
        }
        Ok(ExtractSource::Zip { archive, files })
    }

    fn open_dir(path: &Path, limits: &Limits) -> Result<ExtractSource, OpenError> {
        let unreadable = |e: std::io::Error| OpenError::Source(format!("{}: map niet te lezen: {e}", path.display()));
        let mut errors = Vec::new();
        let mut seen: HashMap<String, (String, Option<DirFile>)> = HashMap::new();
        for entry in std::fs::read_dir(path).map_err(unreadable)? {
            let entry = entry.map_err(unreadable)?;
            let Some(name) = entry.file_name().to_str().map(str::to_string) else {
                continue;
            };
            // Not followed: the entry itself.
            let meta = std::fs::symlink_metadata(entry.path()).map_err(unreadable)?;
            let kind = meta.file_type();
            if kind.is_symlink() {
                errors.push(file_error(
                    &name,
                    "is een symbolische koppeling; die volgt de import niet: kopieer het bestand zelf in de map",
                ));
                continue;
            }
            let file = if kind.is_file() {
                Some(DirFile {
                    path: entry.path(),
                    len: meta.len(),
                    #[cfg(unix)]
                    id: {
                        use std::os::unix::fs::MetadataExt;
                        (meta.dev(), meta.ino())
                    },
                })
            } else if kind.is_dir() {
                None
            } else if is_extract_file(&name.to_lowercase()) {
                errors.push(file_error(&name, "is geen gewoon bestand"));
                continue;
            } else {
                None
            };
            insert_unique(&mut seen, &name, file, &mut errors);
        }
        let files: HashMap<String, DirFile> = seen
            .into_iter()
            .filter(|(lower, _)| is_extract_file(lower))
            .filter_map(|(lower, (name, f))| match f {
                Some(f) => Some((lower, f)),
                None => {
                    errors.push(file_error(&name, "is een map, geen bestand"));
                    None
                }
            })
            .collect();
        let sizes: Vec<(&str, u64)> = ExtractFile::ALL
            .iter()
            .filter_map(|f| files.get(f.file_name()).map(|d| (f.file_name(), d.len)))
            .collect();
        check_sizes(&sizes, limits, &mut errors);
        if !errors.is_empty() {
            return Err(OpenError::Invalid(errors));
        }
        Ok(ExtractSource::Dir { files })
    }

    /// Files held in memory, by name; names are compared ignoring case.
    pub fn memory(files: HashMap<String, Vec<u8>>) -> Result<ExtractSource, OpenError> {
        let mut errors = Vec::new();
        let mut seen = HashMap::new();
        let mut names: Vec<String> = files.keys().cloned().collect();
        names.sort();
        let mut files = files;
        for name in names {
            let data = files.remove(&name).unwrap_or_default();
            insert_unique(&mut seen, &name, data, &mut errors);
        }
        if !errors.is_empty() {
            return Err(OpenError::Invalid(errors));
        }
        Ok(ExtractSource::Memory {
            files: seen.into_iter().map(|(lower, (_, data))| (lower, data)).collect(),
        })
    }

    pub fn has(&self, file: ExtractFile) -> bool {
        match self {
            ExtractSource::Dir { files } => files.contains_key(file.file_name()),
            ExtractSource::Memory { files } => files.contains_key(file.file_name()),
            ExtractSource::Zip { files, .. } => files.contains_key(file.file_name()),
        }
    }

    /// Bytes of the (uncompressed) file as declared, for progress and limits.
    pub fn size(&mut self, file: ExtractFile) -> u64 {
        match self {
            ExtractSource::Dir { files } => files.get(file.file_name()).map_or(0, |d| d.len),
            ExtractSource::Memory { files } => files.get(file.file_name()).map_or(0, |b| b.len() as u64),
            ExtractSource::Zip { archive, files } => files
                .get(file.file_name())
                .and_then(|i| archive.by_index_raw(*i).ok().map(|e| e.size()))
                .unwrap_or(0),
        }
    }

    /// Whether reading more than [`ExtractSource::size`] bytes means the source lied
    /// (a zip entry's declared size); a directory's file may have grown, which the
    /// limits catch instead.
    pub fn size_is_exact(&self) -> bool {
        matches!(self, ExtractSource::Zip { .. } | ExtractSource::Memory { .. })
    }

    pub fn open_file(&mut self, file: ExtractFile) -> Result<Option<Box<dyn Read + '_>>, String> {
        match self {
            ExtractSource::Dir { files } => match files.get(file.file_name()) {
                None => Ok(None),
                Some(d) => open_regular(d).map(|f| Some(Box::new(f) as Box<dyn Read>)),
            },
            ExtractSource::Memory { files } => Ok(files
                .get(file.file_name())
                .map(|b| Box::new(std::io::Cursor::new(b.as_slice())) as Box<dyn Read + '_>)),
            ExtractSource::Zip { archive, files } => match files.get(file.file_name()) {
                None => Ok(None),
                Some(i) => archive
                    .by_index(*i)
                    .map(|f| Some(Box::new(f) as Box<dyn Read + '_>))
                    .map_err(|e| format!("niet uit te pakken: {e}")),
            },
        }
    }
}

/// Opens the file listed earlier and checks it is still that regular file: a link put in
/// its place in the meantime is refused, not followed.
fn open_regular(d: &DirFile) -> Result<File, String> {
    let f = File::open(&d.path).map_err(|e| format!("niet te openen: {e}"))?;
    let meta = f.metadata().map_err(|e| format!("niet te openen: {e}"))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if (meta.dev(), meta.ino()) != d.id {
            return Err("is tijdens het inlezen vervangen; begin opnieuw".into());
        }
    }
    if !meta.is_file() {
        return Err("is geen gewoon bestand".into());
    }
    Ok(f)
}
