//! The installation's secret key, kept outside the database: a file with 32 random bytes
//! in hex, readable by its owner only. From it are derived the key of the audit chain's
//! HMAC and the key that encrypts TOTP secrets at rest, so that write access to the
//! database alone can neither forge audit records nor read or plant second factors.

use std::io::Write;
use std::path::{Path, PathBuf};

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Nonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

use crate::{StoreError, StoreResult};

pub type HmacSha256 = Hmac<Sha256>;

/// Keys derived from the key file.
#[derive(Clone)]
pub struct Keys {
    audit: [u8; 32],
    totp: [u8; 32],
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keys(…)")
    }
}

fn derive(master: &[u8; 32], label: &str) -> [u8; 32] {
    let mut mac = <HmacSha256 as Mac>::new_from_slice(master).expect("HMAC takes any key length");
    mac.update(label.as_bytes());
    mac.finalize().into_bytes().into()
}

/// Encrypted values start with this, so that a plain value is never mistaken for one.
const SEALED_PREFIX: &str = "v1:";

impl Keys {
    pub fn from_master(master: &[u8; 32]) -> Keys {
        Keys {
            audit: derive(master, "kernteam audit chain v1"),
            totp: derive(master, "kernteam totp secret v1"),
        }
    }

    /// A random key (tests).
    pub fn random() -> Keys {
        let mut master = [0u8; 32];
        rand::rng().fill_bytes(&mut master);
        Keys::from_master(&master)
    }

    /// Reads the key file, or creates it (mode 0600) when it does not exist. Refuses a
    /// file that its group or others may read or write.
    pub fn load_or_create(path: &Path) -> StoreResult<Keys> {
        let bad = |m: String| StoreError::Key(format!("{}: {m}", path.display()));
        match std::fs::metadata(path) {
            Ok(meta) => {
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt;
                    let mode = meta.permissions().mode() & 0o777;
                    if mode & 0o077 != 0 {
                        return Err(bad(format!(
                            "rechten {mode:o} zijn te ruim: alleen de eigenaar mag het sleutelbestand lezen (chmod 600)"
                        )));
                    }
                }
                let _ = meta;
                let text = std::fs::read_to_string(path).map_err(|e| bad(format!("niet te lezen: {e}")))?;
                let bytes = hex::decode(text.trim()).map_err(|_| bad("geen hexadecimale sleutel".into()))?;
                let master: [u8; 32] = bytes
                    .try_into()
                    .map_err(|_| bad("de sleutel hoort 32 bytes (64 hextekens) te zijn".into()))?;
                Ok(Keys::from_master(&master))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut master = [0u8; 32];
                rand::rng().fill_bytes(&mut master);
                // Written whole to a file of its own, then linked into place: a process
                // that starts at the same moment never reads a half-written key, and of
                // two that create one at once, the second takes the first one's key.
                let tmp = path.with_extension(format!("key-nieuw-{}", hex::encode(&master[..6])));
                let mut options = std::fs::OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                {
                    use std::os::unix::fs::OpenOptionsExt;
                    options.mode(0o600);
                }
                let mut file = options.open(&tmp).map_err(|e| bad(format!("niet aan te maken: {e}")))?;
                let written = file
                    .write_all(format!("{}\n", hex::encode(master)).as_bytes())
                    .and_then(|_| file.sync_all());
                drop(file);
                let linked = written.and_then(|_| std::fs::hard_link(&tmp, path));
                let _ = std::fs::remove_file(&tmp);
                match linked {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Keys::load_or_create(path),
                    Err(e) => return Err(bad(format!("niet te schrijven: {e}"))),
                }
                tracing::warn!(
                    "nieuw sleutelbestand {} aangemaakt: maak er een back-up van, apart van de database",
                    path.display()
                );
                Ok(Keys::from_master(&master))
            }
            Err(e) => Err(bad(format!("niet te lezen: {e}"))),
        }
    }

    /// HMAC-SHA256 of the audit chain, keyed.
    pub(crate) fn audit_mac(&self) -> HmacSha256 {
        <HmacSha256 as Mac>::new_from_slice(&self.audit).expect("HMAC takes any key length")
    }

    /// Encrypts a secret (ChaCha20-Poly1305, random nonce), bound to `context` (e.g. the
    /// user id), as `v1:` + hex(nonce | ciphertext).
    pub fn seal(&self, context: &str, plain: &str) -> StoreResult<String> {
        let cipher = ChaCha20Poly1305::new((&self.totp).into());
        let mut nonce = [0u8; 12];
        rand::rng().fill_bytes(&mut nonce);
        let sealed = cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plain.as_bytes(),
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| StoreError::Key("versleutelen mislukt".into()))?;
        let mut out = nonce.to_vec();
        out.extend(sealed);
        Ok(format!("{SEALED_PREFIX}{}", hex::encode(out)))
    }

    /// Decrypts what [`Keys::seal`] made with the same context; anything else is an error.
    pub fn open(&self, context: &str, sealed: &str) -> StoreResult<String> {
        let corrupt = || StoreError::Corrupt("versleuteld geheim klopt niet (andere sleutel of gewijzigd)".into());
        let bytes = sealed
            .strip_prefix(SEALED_PREFIX)
            .and_then(|h| hex::decode(h).ok())
            .filter(|b| b.len() > 12)
            .ok_or_else(corrupt)?;
        let cipher = ChaCha20Poly1305::new((&self.totp).into());
        let plain = cipher
            .decrypt(
                Nonce::from_slice(&bytes[..12]),
                Payload {
                    msg: &bytes[12..],
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| corrupt())?;
        String::from_utf8(plain).map_err(|_| corrupt())
    }

    pub fn is_sealed(value: &str) -> bool {
        value.starts_with(SEALED_PREFIX)
    }
}

/// Where the key and anchor files go by default: beside an SQLite database file
/// (`kernteam.db` → `kernteam.key`, `kernteam.anchor`), else in the current folder.
pub fn default_key_file(database_url: &str) -> PathBuf {
    let path = database_url
        .strip_prefix("sqlite://")
        .or_else(|| database_url.strip_prefix("sqlite:"))
        .map(|p| p.split('?').next().unwrap_or(p))
        .filter(|p| !p.is_empty() && !p.contains(":memory:"));
    match path {
        Some(p) => Path::new(p).with_extension("key"),
        None => PathBuf::from("kernteam.key"),
    }
}

pub fn default_anchor_file(key_file: &Path) -> PathBuf {
    key_file.with_extension("anchor")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn processes_starting_at_once_share_one_complete_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kernteam.key");
        let sealed: Vec<String> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8)
                .map(|_| s.spawn(|| Keys::load_or_create(&path).unwrap().seal("1", "geheim").unwrap()))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let key = Keys::load_or_create(&path).unwrap();
        for s in &sealed {
            assert_eq!(
                key.open("1", s).unwrap(),
                "geheim",
                "every thread used the one key on disk"
            );
        }
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "no temporary files left behind");
    }

    #[test]
    fn seal_and_open() {
        let k = Keys::random();
        let s = k.seal("7", "JBSWY3DPEHPK3PXP").unwrap();
        assert!(!s.contains("JBSWY3DPEHPK3PXP"));
        assert_eq!(k.open("7", &s).unwrap(), "JBSWY3DPEHPK3PXP");
        assert!(k.open("8", &s).is_err(), "bound to its context");
        assert!(Keys::random().open("7", &s).is_err(), "needs the same key");
        assert!(k.open("7", "JBSWY3DPEHPK3PXP").is_err(), "plain text is refused");
    }

    #[test]
    fn key_file_is_created_private_and_refused_when_readable_by_others() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.key");
        let a = Keys::load_or_create(&path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let b = Keys::load_or_create(&path).unwrap();
        assert_eq!(a.audit, b.audit, "the same key on the next start");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        let err = Keys::load_or_create(&path).unwrap_err().to_string();
        assert!(err.contains("te ruim"), "{err}");
    }

    #[test]
    fn defaults_lie_beside_the_database() {
        assert_eq!(default_key_file("sqlite://kernteam.db"), PathBuf::from("kernteam.key"));
        assert_eq!(
            default_key_file("sqlite://kernteam-demo.db"),
            PathBuf::from("kernteam-demo.key")
        );
        assert_eq!(
            default_key_file("sqlite:///srv/k/data.db?mode=rwc"),
            PathBuf::from("/srv/k/data.key")
        );
        assert_eq!(default_key_file("postgres://x/y"), PathBuf::from("kernteam.key"));
        assert_eq!(
            default_anchor_file(Path::new("kernteam.key")),
            PathBuf::from("kernteam.anchor")
        );
    }
}
