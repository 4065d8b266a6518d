//! File contents by git blob SHA: a bounded in-memory cache, the git blob id of some bytes, and
//! the unpacking of a repository tarball into blobs. Keyed by content, so a later push of the
//! same pull request refetches only the files that changed.

use sha1::{Digest, Sha1};
use std::collections::{HashMap, VecDeque};
use std::io::Read;
use std::sync::{Arc, Mutex};

/// The git blob id (`sha1("blob <len>\0" + bytes)`, lower-case hex) of some contents: the
/// same id GitHub reports in trees and `pulls/{n}/files`.
pub fn git_blob_sha(bytes: &[u8]) -> String {
    let mut h = Sha1::new();
    h.update(format!("blob {}\0", bytes.len()).as_bytes());
    h.update(bytes);
    hex::encode(h.finalize())
}

/// A thread-safe cache of blob contents, bounded by total bytes, evicting the oldest entries.
#[derive(Debug)]
pub struct BlobCache {
    max_bytes: usize,
    inner: Mutex<CacheInner>,
}

#[derive(Debug, Default)]
struct CacheInner {
    blobs: HashMap<String, Arc<Vec<u8>>>,
    order: VecDeque<String>,
    bytes: usize,
}

impl BlobCache {
    /// A cache holding at most `max_bytes` of contents.
    pub fn new(max_bytes: usize) -> BlobCache {
        BlobCache {
            max_bytes,
            inner: Mutex::new(CacheInner::default()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, CacheInner> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The contents of blob `sha`, if cached.
    pub fn get(&self, sha: &str) -> Option<Arc<Vec<u8>>> {
        self.lock().blobs.get(sha).cloned()
    }

    /// Stores contents under their blob sha. Blobs larger than the whole cache are not kept.
    pub fn insert(&self, sha: String, bytes: Vec<u8>) -> Arc<Vec<u8>> {
        let bytes = Arc::new(bytes);
        if bytes.len() > self.max_bytes {
            return bytes;
        }
        let mut inner = self.lock();
        if let Some(existing) = inner.blobs.get(&sha) {
            return existing.clone();
        }
        inner.bytes += bytes.len();
        inner.blobs.insert(sha.clone(), bytes.clone());
        inner.order.push_back(sha);
        while inner.bytes > self.max_bytes {
            let Some(old) = inner.order.pop_front() else {
                break;
            };
            if let Some(b) = inner.blobs.remove(&old) {
                inner.bytes -= b.len();
            }
        }
        bytes
    }

    /// Number of cached blobs.
    pub fn len(&self) -> usize {
        self.lock().blobs.len()
    }

    /// Whether the cache is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Why a tarball could not be read.
#[derive(Debug, thiserror::Error)]
#[error("cannot read the repository tarball: {0}")]
pub struct TarballError(#[from] std::io::Error);

/// Unpacks a `.tar.gz` as served by `GET /repos/{o}/{r}/tarball/{ref}` into
/// (repository-relative path, bytes) for files `wanted` accepts. GitHub prefixes every entry with
/// one `<owner>-<repo>-<sha>/` folder, which is stripped. Entries that are not regular files, or
/// larger than `max_file`, are left out.
pub fn unpack_tarball(
    gz: &[u8],
    max_file: u64,
    wanted: impl Fn(&str) -> bool,
) -> Result<Vec<(String, Vec<u8>)>, TarballError> {
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(gz));
    let mut out = Vec::new();
    for entry in archive.entries()? {
        let mut entry = entry?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let raw_path = entry.path()?.to_string_lossy().replace('\\', "/");
        let Some((_, path)) = raw_path.split_once('/') else {
            continue;
        };
        if path.is_empty() || !wanted(path) || entry.size() > max_file {
            continue;
        }
        let mut bytes = Vec::with_capacity(entry.size() as usize);
        entry.read_to_end(&mut bytes)?;
        out.push((path.to_string(), bytes));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blob_sha_matches_git() {
        // `printf 'hello\n' | git hash-object --stdin`
        assert_eq!(
            git_blob_sha(b"hello\n"),
            "ce013625030ba8dba906f756967f9e9ca394464a"
        );
        assert_eq!(
            git_blob_sha(b""),
            "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"
        );
    }

    #[test]
    fn cache_evicts_oldest_beyond_budget() {
        let c = BlobCache::new(10);
        c.insert("a".into(), vec![0; 6]);
        c.insert("b".into(), vec![0; 4]);
        assert_eq!(c.len(), 2);
        c.insert("c".into(), vec![0; 3]);
        assert!(c.get("a").is_none());
        assert!(c.get("b").is_some() && c.get("c").is_some());
        c.insert("huge".into(), vec![0; 11]);
        assert!(c.get("huge").is_none());
    }

    #[test]
    fn tarball_entries_lose_the_top_folder() {
        let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(
            Vec::new(),
            flate2::Compression::fast(),
        ));
        for (path, body) in [
            ("o-r-abc/src/lib.rs", "fn a() {}\n"),
            ("o-r-abc/README.md", "hi"),
            ("o-r-abc/tests/t.rs", "#[test] fn t() {}"),
        ] {
            let mut h = tar::Header::new_gnu();
            h.set_size(body.len() as u64);
            h.set_mode(0o644);
            h.set_cksum();
            builder.append_data(&mut h, path, body.as_bytes()).unwrap();
        }
        let gz = builder.into_inner().unwrap().finish().unwrap();
        let files = unpack_tarball(&gz, 1 << 20, |p| p.ends_with(".rs")).unwrap();
        let paths: Vec<_> = files.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(paths, vec!["src/lib.rs", "tests/t.rs"]);
        assert!(unpack_tarball(b"not gzip", 1 << 20, |_| true).is_err());
    }
}
