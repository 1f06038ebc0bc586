//! The key-encryption key (KEK) and AES-256-GCM for private keys at rest. The KEK is never
//! stored in the database: it comes from configuration (`kek`, base64 of 32 bytes) or, by
//! default, from a 0600 file in the data directory.

use std::io::Write;
use std::path::{Path, PathBuf};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use ring::rand::{SecureRandom, SystemRandom};

/// The key-encryption key.
pub struct Kek(LessSafeKey);

/// Why a KEK could not be had, or did not seal or open.
#[derive(Debug, thiserror::Error)]
pub enum KekError {
    /// The configured value is not base64.
    #[error("kek: not valid base64")]
    NotBase64,
    /// The configured value is not 32 bytes.
    #[error("kek: must be 32 bytes, got {0}")]
    Length(usize),
    /// The KEK file holds no valid KEK.
    #[error("{source} ({})", path.display())]
    BadFile {
        /// The file.
        path: PathBuf,
        /// What is wrong with its content.
        source: Box<KekError>,
    },
    /// The KEK file cannot be read or written.
    #[error("kek file {}: {source}", path.display())]
    File {
        /// The file.
        path: PathBuf,
        /// The I/O failure.
        source: std::io::Error,
    },
    /// Its folder cannot be created.
    #[error(transparent)]
    Folder(#[from] crate::db::CreateError),
    /// Group or others may read or write the KEK file.
    #[error(
        "kek file {} is accessible to other users (mode {mode:o}); it decrypts every signing key. Fix it with: chmod 600 {}",
        path.display(),
        path.display()
    )]
    Shared {
        /// The file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// The operating system gave no randomness.
    #[error("no randomness available")]
    NoRandomness,
    /// The AEAD refused to seal.
    #[error("encryption failed")]
    Seal,
    /// Sealed data that does not open: a wrong KEK, a wrong `aad`, or damage (the AEAD cannot
    /// tell these apart, by design).
    #[error("sealed data does not open: {0}")]
    Open(&'static str),
}

impl std::fmt::Debug for Kek {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Kek(…)")
    }
}

impl Kek {
    /// From base64 of exactly 32 bytes.
    ///
    /// # Errors
    /// Not base64, or not 32 bytes.
    pub fn from_base64(text: &str) -> Result<Kek, KekError> {
        let bytes = STANDARD
            .decode(text.trim())
            .map_err(|_| KekError::NotBase64)?;
        let key =
            UnboundKey::new(&AES_256_GCM, &bytes).map_err(|_| KekError::Length(bytes.len()))?;
        Ok(Kek(LessSafeKey::new(key)))
    }

    /// Reads `data_dir/kek`, creating it (mode 0600) with a fresh random key if missing.
    /// Returns the KEK and whether it was just created.
    ///
    /// # Errors
    /// The file cannot be read or written, or holds no valid KEK.
    pub fn from_file(path: &Path) -> Result<(Kek, bool), KekError> {
        let file_error = |source| KekError::File {
            path: path.to_owned(),
            source,
        };
        if path.exists() {
            refuse_if_shared(path)?;
            let text = std::fs::read_to_string(path).map_err(file_error)?;
            return Kek::from_base64(&text)
                .map(|k| (k, false))
                .map_err(|e| KekError::BadFile {
                    path: path.to_owned(),
                    source: Box::new(e),
                });
        }
        let mut bytes = [0u8; 32];
        SystemRandom::new()
            .fill(&mut bytes)
            .map_err(|_| KekError::NoRandomness)?;
        let text = STANDARD.encode(bytes);
        if let Some(dir) = path.parent() {
            crate::db::create_private_dir(dir)?;
        }
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(path).map_err(file_error)?;
        file.write_all(format!("{text}\n").as_bytes())
            .map_err(file_error)?;
        Kek::from_base64(&text).map(|k| (k, true))
    }

    /// Encrypts `plaintext` bound to `aad` (the key id): base64(nonce || ciphertext || tag).
    ///
    /// # Errors
    /// No randomness, or the AEAD failed.
    pub fn seal(&self, aad: &str, plaintext: &[u8]) -> Result<String, KekError> {
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new()
            .fill(&mut nonce)
            .map_err(|_| KekError::NoRandomness)?;
        let mut data = plaintext.to_vec();
        self.0
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(aad.as_bytes()),
                &mut data,
            )
            .map_err(|_| KekError::Seal)?;
        Ok(STANDARD.encode([nonce.as_slice(), &data].concat()))
    }

    /// Decrypts what [`Kek::seal`] wrote for the same `aad`.
    ///
    /// # Errors
    /// A wrong KEK, a wrong `aad`, or damaged data (indistinguishable, by design of the AEAD).
    pub fn open(&self, aad: &str, sealed: &str) -> Result<Vec<u8>, KekError> {
        let bytes = STANDARD
            .decode(sealed)
            .map_err(|_| KekError::Open("not base64"))?;
        if bytes.len() < NONCE_LEN + 16 {
            return Err(KekError::Open("too short"));
        }
        let (nonce, rest) = bytes.split_at(NONCE_LEN);
        let nonce =
            Nonce::try_assume_unique_for_key(nonce).map_err(|_| KekError::Open("bad nonce"))?;
        let mut data = rest.to_vec();
        let plain = self
            .0
            .open_in_place(nonce, Aad::from(aad.as_bytes()), &mut data)
            .map_err(|_| KekError::Open("authentication failed"))?;
        Ok(plain.to_vec())
    }
}

/// Refuses a KEK file that group or others may read or write: whoever reads it can decrypt
/// every signing key.
#[cfg(unix)]
fn refuse_if_shared(path: &Path) -> Result<(), KekError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)
        .map_err(|source| KekError::File {
            path: path.to_owned(),
            source,
        })?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        return Err(KekError::Shared {
            path: path.to_owned(),
            mode: mode & 0o777,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn refuse_if_shared(_: &Path) -> Result<(), KekError> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_open_round_trip_and_binding() {
        let kek = Kek::from_base64(&STANDARD.encode([7u8; 32])).unwrap();
        let sealed = kek.seal("kid-1", b"secret").unwrap();
        assert_eq!(kek.open("kid-1", &sealed).unwrap(), b"secret");
        assert!(kek.open("kid-2", &sealed).is_err(), "bound to the key id");
        let other = Kek::from_base64(&STANDARD.encode([8u8; 32])).unwrap();
        assert!(
            other.open("kid-1", &sealed).is_err(),
            "a wrong KEK cannot open it"
        );
        let short = Kek::from_base64("AAAA").unwrap_err();
        assert!(matches!(short, KekError::Length(3)), "{short:?}");
        assert!(short.to_string().contains("32 bytes"));
    }

    #[cfg(unix)]
    #[test]
    fn kek_file_is_created_0600_once() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("gatepass-kek-{}", std::process::id()));
        let path = dir.join("kek");
        let _ = std::fs::remove_dir_all(&dir);
        let (_, created) = Kek::from_file(&path).unwrap();
        assert!(created);
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        let (_, created) = Kek::from_file(&path).unwrap();
        assert!(!created);
        assert_eq!(
            std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777,
            0o700,
            "the data directory is private"
        );
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = Kek::from_file(&path).unwrap_err();
        assert!(
            matches!(err, KekError::Shared { mode: 0o644, .. }),
            "{err:?}"
        );
        let message = err.to_string();
        assert!(
            message.contains("chmod 600") && message.contains("644"),
            "{message}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
