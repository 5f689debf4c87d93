//! Where an extract's files come from: a directory, or a zip with the files at its root
//! or in one top-level folder.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use kernteam_domain::extract::ExtractFile;

pub enum ExtractSource {
    Dir {
        files: HashMap<String, PathBuf>,
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

impl ExtractSource {
    /// Opens a directory or a `.zip` file. The message explains what is wrong.
    pub fn open(path: &Path) -> Result<ExtractSource, String> {
        let meta = std::fs::metadata(path).map_err(|e| format!("{}: niet te openen: {e}", path.display()))?;
        if meta.is_dir() {
            let mut files = HashMap::new();
            let entries = std::fs::read_dir(path).map_err(|e| format!("{}: map niet te lezen: {e}", path.display()))?;
            for entry in entries {
                let entry = entry.map_err(|e| format!("{}: map niet te lezen: {e}", path.display()))?;
                if let Some(name) = entry.file_name().to_str() {
                    if entry.path().is_file() {
                        files.insert(name.to_ascii_lowercase(), entry.path());
                    }
                }
            }
            return Ok(ExtractSource::Dir { files });
        }
        let file = File::open(path).map_err(|e| format!("{}: niet te openen: {e}", path.display()))?;
        let mut archive = zip::ZipArchive::new(BufReader::new(file))
            .map_err(|e| format!("{}: geen map en geen leesbaar zip-bestand ({e})", path.display()))?;
        let mut root = HashMap::new();
        let mut nested: HashMap<String, HashMap<String, usize>> = HashMap::new();
        for i in 0..archive.len() {
            let entry = archive
                .by_index_raw(i)
                .map_err(|e| format!("{}: zip-bestand beschadigd ({e})", path.display()))?;
            if entry.is_dir() {
                continue;
            }
            let name = entry.name().replace('\\', "/");
            if name.starts_with("__MACOSX/") {
                continue;
            }
            let parts: Vec<&str> = name.split('/').filter(|p| !p.is_empty()).collect();
            match parts.as_slice() {
                [file] => {
                    root.insert(file.to_ascii_lowercase(), i);
                }
                [dir, file] => {
                    nested
                        .entry(dir.to_string())
                        .or_default()
                        .insert(file.to_ascii_lowercase(), i);
                }
                _ => {}
            }
        }
        let files = if root.contains_key(ExtractFile::Practice.file_name()) || nested.is_empty() {
            root
        } else if nested.len() == 1 {
            nested.into_values().next().unwrap_or_default()
        } else {
            return Err(format!(
                "{}: het zip-bestand bevat meerdere mappen; zet de bestanden in de hoofdmap of in één map",
                path.display()
            ));
        };
        Ok(ExtractSource::Zip { archive, files })
    }

    pub fn has(&self, file: ExtractFile) -> bool {
        match self {
            ExtractSource::Dir { files } => files.contains_key(file.file_name()),
            ExtractSource::Memory { files } => files.contains_key(file.file_name()),
            ExtractSource::Zip { files, .. } => files.contains_key(file.file_name()),
        }
    }

    /// Bytes of the (uncompressed) file, for progress.
    pub fn size(&mut self, file: ExtractFile) -> u64 {
        match self {
            ExtractSource::Dir { files } => files
                .get(file.file_name())
                .and_then(|p| std::fs::metadata(p).ok())
                .map_or(0, |m| m.len()),
            ExtractSource::Memory { files } => files.get(file.file_name()).map_or(0, |b| b.len() as u64),
            ExtractSource::Zip { archive, files } => files
                .get(file.file_name())
                .and_then(|i| archive.by_index_raw(*i).ok().map(|e| e.size()))
                .unwrap_or(0),
        }
    }

    pub fn open_file(&mut self, file: ExtractFile) -> Result<Option<Box<dyn Read + '_>>, String> {
        match self {
            ExtractSource::Dir { files } => match files.get(file.file_name()) {
                None => Ok(None),
                Some(p) => File::open(p)
                    .map(|f| Some(Box::new(f) as Box<dyn Read>))
                    .map_err(|e| format!("niet te openen: {e}")),
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
