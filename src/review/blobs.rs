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

/// How much of one repository a review reads whole (`FAILMODE_MAX_REPO_BYTES`,
/// `FAILMODE_MAX_REPO_FILES`). A repository over these caps is reviewed from the files its pull
/// request changes only, and the check run says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RepoLimits {
    /// Most bytes of Rust sources and manifests kept from one repository.
    pub max_bytes: u64,
    /// Most Rust sources and manifests kept from one repository.
    pub max_files: usize,
}

/// Archive entries of any kind (directories, other files) read per source file allowed.
const ENTRIES_PER_SOURCE_FILE: u64 = 5;
/// Bytes unpacked in all (other files included) per source byte allowed.
const UNPACKED_PER_SOURCE_BYTE: u64 = 4;

impl RepoLimits {
    /// The defaults: 256 MiB and 20,000 files.
    pub const DEFAULT: RepoLimits = RepoLimits {
        max_bytes: 256 * 1024 * 1024,
        max_files: 20_000,
    };

    /// Most archive entries of any kind read before the repository counts as too big
    /// (5 × `max_files`: 100,000 by default, where GitHub truncates a recursive tree too).
    pub fn max_entries(&self) -> u64 {
        (self.max_files as u64).saturating_mul(ENTRIES_PER_SOURCE_FILE)
    }

    /// Most bytes decompressed from an archive, skipped files included (4 × `max_bytes`).
    pub fn max_unpacked_bytes(&self) -> u64 {
        self.max_bytes.saturating_mul(UNPACKED_PER_SOURCE_BYTE)
    }

    /// Largest compressed archive downloaded (`max_bytes`).
    pub fn max_archive_bytes(&self) -> usize {
        usize::try_from(self.max_bytes).unwrap_or(usize::MAX)
    }
}

impl Default for RepoLimits {
    fn default() -> Self {
        RepoLimits::DEFAULT
    }
}

/// Why a repository is not read whole (mostly: which cap it went over). Its review then
/// covers only the changed files.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RepoTooBig {
    /// Its Rust sources and manifests add up to more than this many bytes.
    #[error("its Rust sources and manifests add up to more than {} MiB (FAILMODE_MAX_REPO_BYTES)", limit / (1024 * 1024))]
    SourceBytes {
        /// The cap in bytes.
        limit: u64,
    },
    /// It has more Rust sources and manifests than this.
    #[error("it has more than {limit} Rust sources and manifests (FAILMODE_MAX_REPO_FILES)")]
    SourceFiles {
        /// The cap.
        limit: usize,
    },
    /// Its archive has more entries (files, directories, links) than this.
    #[error("its archive has more than {limit} entries (5 × FAILMODE_MAX_REPO_FILES)")]
    Entries {
        /// The cap.
        limit: u64,
    },
    /// GitHub truncated its recursive tree (more than 100,000 entries or 7 MB), or the tree
    /// is larger than the client reads.
    #[error("its file tree is longer than GitHub lists in one answer (more than 100,000 entries)")]
    TreeTooLarge,
    /// GitHub did not list its file tree (and no archive was usable).
    #[error("GitHub did not list its file tree")]
    TreeUnavailable,
}

/// Why a tarball could not be used.
#[derive(Debug, thiserror::Error)]
pub enum TarballError {
    /// The archive is not a readable `.tar.gz`.
    #[error("cannot read the repository tarball: {0}")]
    Unreadable(#[from] std::io::Error),
    /// The archive unpacks to more than this many bytes in all (files failmode does not read
    /// included): reading stopped there. The file tree tells the sizes without unpacking.
    #[error("the repository tarball unpacks to more than {limit} bytes (4 × FAILMODE_MAX_REPO_BYTES); reading stopped there")]
    Unpacked {
        /// The cap in bytes.
        limit: u64,
    },
    /// The repository is over a cap: reading stopped there.
    #[error("the repository is too big to review whole: {0}")]
    TooBig(RepoTooBig),
}

/// A reader that fails once `left` bytes have been read through it, and says so in
/// `exhausted`. Put between the decompressor and the tar reader, it bounds both the work of
/// decompressing and everything the tar reader allocates (GNU long names, pax headers).
struct Budgeted<'a, R> {
    inner: R,
    left: u64,
    exhausted: &'a std::cell::Cell<bool>,
}

impl<R: Read> Read for Budgeted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.left == 0 {
            self.exhausted.set(true);
            return Err(std::io::Error::other("unpacked size budget exhausted"));
        }
        let room = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..room])?;
        self.left -= n as u64;
        Ok(n)
    }
}

/// Unpacks a `.tar.gz` as served by `GET /repos/{o}/{r}/tarball/{ref}` into
/// (repository-relative path, bytes) for files `wanted` accepts. GitHub prefixes every entry with
/// one `<owner>-<repo>-<sha>/` folder, which is stripped. Entries that are not regular files, or
/// larger than `max_file`, are left out.
///
/// Reading stops, and nothing is returned, as soon as the kept files would go over
/// `limits.max_bytes` or `limits.max_files`, more than [`RepoLimits::max_entries`] entries have
/// been read, or more than [`RepoLimits::max_unpacked_bytes`] decompressed: memory stays under
/// the caps whatever the archive holds.
pub fn unpack_tarball(
    gz: impl Read,
    limits: &RepoLimits,
    max_file: u64,
    wanted: impl Fn(&str) -> bool,
) -> Result<Vec<(String, Vec<u8>)>, TarballError> {
    let exhausted = std::cell::Cell::new(false);
    let budget = limits.max_unpacked_bytes();
    let reader = Budgeted {
        inner: flate2::read::GzDecoder::new(gz),
        left: budget,
        exhausted: &exhausted,
    };
    let over_budget = |e: std::io::Error| {
        if exhausted.get() {
            TarballError::Unpacked { limit: budget }
        } else {
            TarballError::Unreadable(e)
        }
    };
    let mut archive = tar::Archive::new(reader);
    let mut out = Vec::new();
    let mut kept_bytes = 0u64;
    let mut entries_read = 0u64;
    for entry in archive.entries().map_err(over_budget)? {
        let mut entry = entry.map_err(over_budget)?;
        entries_read += 1;
        if entries_read > limits.max_entries() {
            return Err(TarballError::TooBig(RepoTooBig::Entries {
                limit: limits.max_entries(),
            }));
        }
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let raw_path = entry
            .path()
            .map_err(over_budget)?
            .to_string_lossy()
            .replace('\\', "/");
        let Some((_, path)) = raw_path.split_once('/') else {
            continue;
        };
        if path.is_empty() || !wanted(path) || entry.size() > max_file {
            continue;
        }
        if out.len() >= limits.max_files {
            return Err(TarballError::TooBig(RepoTooBig::SourceFiles {
                limit: limits.max_files,
            }));
        }
        kept_bytes = kept_bytes.saturating_add(entry.size());
        if kept_bytes > limits.max_bytes {
            return Err(TarballError::TooBig(RepoTooBig::SourceBytes {
                limit: limits.max_bytes,
            }));
        }
        let mut bytes = Vec::with_capacity(entry.size() as usize);
        entry.read_to_end(&mut bytes).map_err(over_budget)?;
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
        let files = unpack_tarball(&gz[..], &RepoLimits::DEFAULT, 1 << 20, |p| {
            p.ends_with(".rs")
        })
        .unwrap();
        let paths: Vec<_> = files.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(paths, vec!["src/lib.rs", "tests/t.rs"]);
        assert!(unpack_tarball(&b"not gzip"[..], &RepoLimits::DEFAULT, 1 << 20, |_| true).is_err());
    }

    /// A tar stream made up on the fly as it is read, so a test can offer an archive of any
    /// size without holding it: `entries` entries named by `name`, each `size` bytes of zeros
    /// declared in its header. `produced` counts the bytes handed out so far.
    struct TarGenerator {
        entries: u64,
        size: u64,
        name: fn(u64) -> String,
        next_entry: u64,
        pending: Vec<u8>,
        data_left: u64,
        finished: bool,
        produced: u64,
    }

    impl TarGenerator {
        fn new(entries: u64, size: u64, name: fn(u64) -> String) -> TarGenerator {
            TarGenerator {
                entries,
                size,
                name,
                next_entry: 0,
                pending: Vec::new(),
                data_left: 0,
                finished: false,
                produced: 0,
            }
        }
    }

    impl Read for TarGenerator {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.pending.is_empty() && self.data_left == 0 {
                if self.next_entry < self.entries {
                    let mut h = tar::Header::new_ustar();
                    h.set_path((self.name)(self.next_entry))?;
                    h.set_size(self.size);
                    h.set_mode(0o644);
                    h.set_cksum();
                    self.pending = h.as_bytes().to_vec();
                    // Data is padded to whole 512-byte blocks.
                    self.data_left = self.size.div_ceil(512) * 512;
                    self.next_entry += 1;
                } else if !self.finished {
                    self.pending = vec![0; 1024];
                    self.finished = true;
                } else {
                    return Ok(0);
                }
            }
            let n = if !self.pending.is_empty() {
                let n = buf.len().min(self.pending.len());
                buf[..n].copy_from_slice(&self.pending[..n]);
                self.pending.drain(..n);
                n
            } else {
                let n = buf
                    .len()
                    .min(usize::try_from(self.data_left).unwrap_or(usize::MAX));
                buf[..n].fill(0);
                self.data_left -= n as u64;
                n
            };
            self.produced += n as u64;
            Ok(n)
        }
    }

    /// Unpacks what `generator` makes up, gzipped as it goes (so only what is read is ever
    /// made), and returns the result with how many tar bytes were made.
    fn unpack_generated(
        generator: &mut TarGenerator,
        limits: &RepoLimits,
    ) -> Result<Vec<(String, Vec<u8>)>, TarballError> {
        let gz = flate2::read::GzEncoder::new(generator, flate2::Compression::fast());
        unpack_tarball(gz, limits, DEFAULT_MAX_FILE, wanted_rs)
    }

    const DEFAULT_MAX_FILE: u64 = 2 * 1024 * 1024;
    const MIB: u64 = 1024 * 1024;
    /// How far past the point where reading stops the gzip decoder may have pulled the stream
    /// (its 32 KiB input buffer holds several MiB of compressed zeros).
    const READ_AHEAD: u64 = 8 * MIB;

    fn wanted_rs(path: &str) -> bool {
        path.ends_with(".rs")
    }

    #[test]
    fn identical_big_files_stop_at_the_byte_cap_after_reading_about_that_much() {
        // The reported bomb: 1,500 identical 2 MiB files (3 GiB unpacked).
        let mut bomb = TarGenerator::new(1500, 2 * MIB, |i| format!("o-r-abc/src/f{i:05}.rs"));
        let limits = RepoLimits {
            max_bytes: 16 * MIB,
            max_files: 20_000,
        };
        let result = unpack_generated(&mut bomb, &limits);
        assert!(
            matches!(
                result,
                Err(TarballError::TooBig(RepoTooBig::SourceBytes { limit })) if limit == 16 * MIB
            ),
            "{result:?}"
        );
        // Reading stopped at the cap: the kept 16 MiB (the file that went over is not read),
        // plus what the gzip decoder reads ahead.
        assert!(
            bomb.produced <= 16 * MIB + READ_AHEAD,
            "read {} bytes of a 3 GiB bomb",
            bomb.produced
        );
    }

    #[test]
    fn a_million_tiny_files_stop_at_the_file_cap() {
        let mut bomb = TarGenerator::new(1_000_000, 1, |i| format!("o-r-abc/src/f{i}.rs"));
        let limits = RepoLimits {
            max_bytes: 256 * MIB,
            max_files: 1000,
        };
        let result = unpack_generated(&mut bomb, &limits);
        assert!(
            matches!(
                result,
                Err(TarballError::TooBig(RepoTooBig::SourceFiles {
                    limit: 1000
                }))
            ),
            "{result:?}"
        );
        assert!(
            bomb.produced <= 1000 * 1024 + READ_AHEAD,
            "read {} entries",
            bomb.next_entry
        );
    }

    #[test]
    fn a_million_skipped_entries_stop_at_the_entry_cap() {
        // Nothing here is kept, so only the count of entries read can stop it.
        let mut bomb = TarGenerator::new(1_000_000, 0, |i| format!("o-r-abc/assets/{i}.png"));
        let limits = RepoLimits {
            max_bytes: 256 * MIB,
            max_files: 1000,
        };
        let result = unpack_generated(&mut bomb, &limits);
        assert!(
            matches!(
                result,
                Err(TarballError::TooBig(RepoTooBig::Entries { limit: 5000 }))
            ),
            "{result:?}"
        );
        assert!(
            bomb.produced <= 5000 * 512 + READ_AHEAD,
            "read {} entries",
            bomb.next_entry
        );
    }

    #[test]
    fn one_huge_skipped_file_stops_at_the_unpacked_budget() {
        // One 64 GiB file nobody reads: skipping it would still decompress it all.
        let mut bomb = TarGenerator::new(1, 64 * 1024 * MIB, |_| "o-r-abc/data.bin".into());
        let limits = RepoLimits {
            max_bytes: 4 * MIB,
            max_files: 1000,
        };
        let result = unpack_generated(&mut bomb, &limits);
        assert!(
            matches!(result, Err(TarballError::Unpacked { limit }) if limit == 16 * MIB),
            "{result:?}"
        );
        assert!(
            bomb.produced <= 16 * MIB + READ_AHEAD,
            "read {} bytes",
            bomb.produced
        );
    }

    #[test]
    fn a_repository_within_the_caps_is_read_whole() {
        let mut small = TarGenerator::new(20, 1000, |i| format!("o-r-abc/src/f{i}.rs"));
        let limits = RepoLimits {
            max_bytes: 20_000,
            max_files: 20,
        };
        let files = unpack_generated(&mut small, &limits).unwrap();
        assert_eq!(files.len(), 20);
        assert!(files.iter().all(|(_, b)| b.len() == 1000));
    }
}
