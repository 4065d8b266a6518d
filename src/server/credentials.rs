//! The App credentials setup mode saves (`FAILMODE_CREDENTIALS_PATH`): the App id, its private
//! key and its webhook secret, written once when GitHub's manifest flow finishes and read at
//! every later start.
//!
//! They go to a file of their own with mode 0600, not to the job database: the job store is
//! shared by every replica and often backed up or read by other tools, while the key should
//! be readable by this process's user alone — the same place an operator would otherwise
//! mount `FAILMODE_PRIVATE_KEY_PATH`. Moving to environment variables or a Kubernetes Secret
//! later means copying three values out of this file.

use serde::{Deserialize, Serialize};
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Default [`FAILMODE_CREDENTIALS_PATH`](crate::server::settings::Startup): beside the default
/// SQLite job store, in the working directory.
pub const DEFAULT_CREDENTIALS_PATH: &str = "failmode-credentials.json";

/// What the manifest flow gave us, as saved on disk. `Debug` hides the secrets.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct StoredCredentials {
    /// The App id.
    pub app_id: u64,
    /// The App's slug (its bot user is `<slug>[bot]`).
    pub slug: String,
    /// The App's page on GitHub; installing it is `<html_url>/installations/new`.
    pub html_url: String,
    /// The App's private key (PEM).
    pub private_key_pem: String,
    /// The webhook secret.
    pub webhook_secret: String,
}

impl std::fmt::Debug for StoredCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredCredentials")
            .field("app_id", &self.app_id)
            .field("slug", &self.slug)
            .field("html_url", &self.html_url)
            .field("private_key_pem", &"<redacted>")
            .field("webhook_secret", &"<redacted>")
            .finish()
    }
}

/// Why the credentials file could not be read or written. Every message names the file and
/// what to do.
#[derive(Debug, thiserror::Error)]
pub enum CredentialsError {
    /// Reading failed for a reason other than the file not existing.
    #[error("FAILMODE_CREDENTIALS_PATH: cannot read `{path}`: {source}; fix its permissions or remove it to run setup again")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not what setup writes.
    #[error("FAILMODE_CREDENTIALS_PATH: `{path}` is not a failmode credentials file ({reason}); restore it from a backup, or remove it and run setup again")]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// Others than the owner may read the file.
    #[error("FAILMODE_CREDENTIALS_PATH: `{path}` holds the App's private key but its mode is {mode:o}; run `chmod 600 {path}`")]
    TooOpen {
        /// The file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// The file already exists (setup never overwrites credentials).
    #[error("FAILMODE_CREDENTIALS_PATH: `{path}` already exists; failmode never overwrites saved App credentials — restart to use them")]
    Exists {
        /// The file.
        path: PathBuf,
    },
    /// Writing failed.
    #[error("FAILMODE_CREDENTIALS_PATH: cannot write `{path}`: {source}; point it at a writable directory")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

impl StoredCredentials {
    /// Reads the file at `path`: `Ok(None)` when there is none (setup has not run).
    pub fn load(path: &Path) -> Result<Option<StoredCredentials>, CredentialsError> {
        let metadata = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(CredentialsError::Read {
                    path: path.to_path_buf(),
                    source,
                })
            }
        };
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = metadata.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                return Err(CredentialsError::TooOpen {
                    path: path.to_path_buf(),
                    mode,
                });
            }
        }
        if metadata.len() > 64 * 1024 {
            return Err(CredentialsError::Malformed {
                path: path.to_path_buf(),
                reason: format!("{} bytes, far more than setup writes", metadata.len()),
            });
        }
        let text = std::fs::read_to_string(path).map_err(|source| CredentialsError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| CredentialsError::Malformed {
                path: path.to_path_buf(),
                reason: e.to_string(),
            })
    }

    /// Writes the file at `path` with mode 0600, all or nothing: a temporary file beside it is
    /// written, synced and renamed into place. Refuses to replace an existing file.
    pub fn save(&self, path: &Path) -> Result<(), CredentialsError> {
        let write_error = |source| CredentialsError::Write {
            path: path.to_path_buf(),
            source,
        };
        if path.exists() {
            return Err(CredentialsError::Exists {
                path: path.to_path_buf(),
            });
        }
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(format!(".{}.tmp", std::process::id()));
        let tmp = PathBuf::from(tmp);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            options.mode(0o600);
        }
        let json = serde_json::to_vec_pretty(self).map_err(|e| write_error(e.into()))?;
        let written = options.open(&tmp).and_then(|mut file| {
            file.write_all(&json)?;
            file.sync_all()
        });
        if let Err(source) = written {
            let _ignored_cleanup = std::fs::remove_file(&tmp);
            return Err(write_error(source));
        }
        // A hard link fails when the target exists, so two setups finishing at once cannot
        // overwrite each other; the temporary name is removed either way.
        let linked = std::fs::hard_link(&tmp, path);
        let _ignored_cleanup = std::fs::remove_file(&tmp);
        match linked {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                Err(CredentialsError::Exists {
                    path: path.to_path_buf(),
                })
            }
            Err(source) => Err(write_error(source)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> StoredCredentials {
        StoredCredentials {
            app_id: 7,
            slug: "failmode-acme".into(),
            html_url: "https://github.com/apps/failmode-acme".into(),
            private_key_pem:
                "-----BEGIN RSA PRIVATE KEY-----\nMII\n-----END RSA PRIVATE KEY-----\n".into(),
            webhook_secret: "s3cret".into(),
        }
    }

    #[test]
    fn saved_credentials_are_private_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("creds.json");
        assert_eq!(StoredCredentials::load(&path).unwrap(), None);
        sample().save(&path).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        assert_eq!(StoredCredentials::load(&path).unwrap(), Some(sample()));
        // Only the file itself is left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        let again = sample().save(&path).unwrap_err();
        assert!(matches!(again, CredentialsError::Exists { .. }), "{again}");
    }

    #[cfg(unix)]
    #[test]
    fn a_file_others_can_read_is_refused_with_the_fix() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("creds.json");
        sample().save(&path).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = StoredCredentials::load(&path).unwrap_err().to_string();
        assert!(err.contains("chmod 600"), "{err}");
    }

    #[test]
    fn a_broken_file_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("creds.json");
        sample().save(&path).unwrap();
        let mut text = std::fs::read_to_string(&path).unwrap();
        text.truncate(text.len() / 2);
        std::fs::write(&path, text).unwrap();
        let err = StoredCredentials::load(&path).unwrap_err().to_string();
        assert!(
            err.contains("creds.json") && err.contains("run setup again"),
            "{err}"
        );
        assert!(!format!("{:?}", sample()).contains("s3cret"));
    }
}
