//! `--write-baseline` and `--baseline`: accepting the findings a tree has today, so a run
//! reports only the ones added after.
//!
//! A baseline is a TOML file listing one `[[finding]]` per accepted finding, by path, check id
//! and fingerprint (see [`Finding::fingerprint`]), sorted in that order:
//!
//! ```toml
//! version = 1
//!
//! [[finding]]
//! path = "src/orders.rs"
//! check = "swallowed-error"
//! fingerprint = "3f9a1c2b7d4e5f60a1b2"
//! ```
//!
//! No line numbers: fingerprints survive code moving around, so the file changes only when a
//! finding appears or goes, and its diff in a pull request shows exactly what was accepted.
//! A finding is hidden when all three of its check, path and fingerprint are listed (a
//! fingerprint is unique within one file only, so the path is part of the match); renaming a
//! file therefore reports its findings again.

use crate::analysis::finding::Finding;
use crate::config::line_col;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::Path;

/// The baseline format this build writes and reads.
pub const BASELINE_VERSION: i64 = 1;

/// What goes above the entries of a written baseline.
const HEADER: &str = "# failmode baseline: findings accepted as they are; `failmode check --baseline <this file>`\n# reports only findings not listed here. Regenerate with `failmode check --write-baseline <this file>`.\n";

/// One accepted finding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineEntry {
    /// Path relative to the scanned root, with `/` separators.
    pub path: String,
    /// The finding's check id.
    pub check: String,
    /// The finding's structural fingerprint.
    pub fingerprint: String,
}

impl BaselineEntry {
    /// The entry that accepts `f`.
    pub fn of(f: &Finding) -> BaselineEntry {
        BaselineEntry {
            path: f.path.clone(),
            check: f.check.clone(),
            fingerprint: f.fingerprint.clone(),
        }
    }
}

/// A set of accepted findings, read from or written to a baseline file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Baseline {
    entries: BTreeSet<BaselineEntry>,
}

/// A baseline file that cannot be used. Every message names the file and says what to do.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    /// `--baseline` names a file that does not exist.
    #[error("the baseline file {path} does not exist: create it with `failmode check --write-baseline {path}` on a tree whose findings you accept, or drop `--baseline`")]
    Missing {
        /// The file as the user named it.
        path: String,
    },
    /// The file exists but cannot be read.
    #[error("cannot read the baseline file {path}: {source}; check its permissions")]
    Read {
        /// The file as the user named it.
        path: String,
        /// Why reading failed.
        source: std::io::Error,
    },
    /// The file is not a baseline: bad TOML, missing or unknown keys, wrong types.
    #[error("{path}:{line}:{col}: not a failmode baseline: {message}; write it again with `failmode check --write-baseline {path}`")]
    Corrupt {
        /// The file as the user named it.
        path: String,
        /// 1-based line of the problem.
        line: usize,
        /// 1-based column of the problem.
        col: usize,
        /// What is wrong.
        message: String,
    },
    /// The file was written by a failmode with another baseline format.
    #[error("the baseline file {path} has format version {found}, and this failmode reads version {BASELINE_VERSION}: write it again with `failmode check --write-baseline {path}`")]
    Version {
        /// The file as the user named it.
        path: String,
        /// The version the file declares.
        found: i64,
    },
    /// Writing the file failed.
    #[error("cannot write the baseline file {path}: {source}; check that its directory exists and is writable")]
    Write {
        /// The file as the user named it.
        path: String,
        /// Why writing failed.
        source: std::io::Error,
    },
}

/// The file's shape, for reading.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBaseline {
    /// Checked first, through `RawVersion`.
    #[serde(rename = "version")]
    _version: i64,
    #[serde(default)]
    finding: Vec<BaselineEntry>,
}

/// Only the version, read before anything else so a newer format is named as such.
#[derive(Deserialize)]
struct RawVersion {
    version: Option<toml::Spanned<toml::Value>>,
}

/// The file's shape, for writing.
#[derive(Serialize)]
struct OutBaseline<'a> {
    version: i64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    finding: Vec<&'a BaselineEntry>,
}

impl Baseline {
    /// A baseline accepting every finding of `findings`.
    pub fn from_findings(findings: &[Finding]) -> Baseline {
        Baseline {
            entries: findings.iter().map(BaselineEntry::of).collect(),
        }
    }

    /// Number of accepted findings.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the baseline accepts nothing.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries, sorted by path, check and fingerprint.
    pub fn entries(&self) -> impl Iterator<Item = &BaselineEntry> {
        self.entries.iter()
    }

    /// Whether `f` is accepted: its check, path and fingerprint are all listed.
    pub fn contains(&self, f: &Finding) -> bool {
        self.entries.contains(&BaselineEntry::of(f))
    }

    /// Drops the accepted findings from `findings`, keeping the order of the rest, and returns
    /// how many were dropped.
    pub fn hide(&self, findings: &mut Vec<Finding>) -> usize {
        let before = findings.len();
        findings.retain(|f| !self.contains(f));
        before - findings.len()
    }

    /// The file's text: a comment saying what the file is, `version`, then one `[[finding]]`
    /// table per entry in sorted order, so the same findings always give the same bytes.
    pub fn to_toml(&self) -> String {
        let out = OutBaseline {
            version: BASELINE_VERSION,
            finding: self.entries.iter().collect(),
        };
        // Strings and integers only: serialising cannot fail.
        let body = toml::to_string(&out).unwrap_or_default();
        format!("{HEADER}{body}")
    }

    /// Parses baseline text; `display_path` names the file in errors.
    pub fn parse(text: &str, display_path: &str) -> Result<Baseline, BaselineError> {
        let corrupt = |span: Option<std::ops::Range<usize>>, message: String| {
            let (line, col) = line_col(text, span.map_or(0, |s| s.start));
            BaselineError::Corrupt {
                path: display_path.to_string(),
                line,
                col,
                message,
            }
        };
        let toml_error = |e: toml::de::Error| corrupt(e.span(), e.message().trim().to_string());
        let version: RawVersion = toml::from_str(text).map_err(toml_error)?;
        match version.version {
            None => {
                return Err(corrupt(
                    None,
                    "no `version` key (a baseline starts with `version = 1`)".to_string(),
                ))
            }
            Some(v) => match v.get_ref() {
                toml::Value::Integer(BASELINE_VERSION) => {}
                toml::Value::Integer(found) => {
                    return Err(BaselineError::Version {
                        path: display_path.to_string(),
                        found: *found,
                    })
                }
                other => {
                    return Err(corrupt(
                        Some(v.span()),
                        format!("`version` must be the integer 1, not {other}"),
                    ))
                }
            },
        }
        let raw: RawBaseline = toml::from_str(text).map_err(toml_error)?;
        Ok(Baseline {
            entries: raw.finding.into_iter().collect(),
        })
    }

    /// Reads the baseline at `path`.
    pub fn load(path: &Path) -> Result<Baseline, BaselineError> {
        let display = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|source| {
            if source.kind() == std::io::ErrorKind::NotFound {
                BaselineError::Missing {
                    path: display.clone(),
                }
            } else {
                BaselineError::Read {
                    path: display.clone(),
                    source,
                }
            }
        })?;
        let text = String::from_utf8(bytes).map_err(|e| BaselineError::Corrupt {
            path: display.clone(),
            line: 1,
            col: 1,
            message: format!("the file is not valid UTF-8 ({e})"),
        })?;
        Baseline::parse(&text, &display)
    }

    /// Writes the baseline to `path`, replacing the file.
    pub fn write(&self, path: &Path) -> Result<(), BaselineError> {
        std::fs::write(path, self.to_toml()).map_err(|source| BaselineError::Write {
            path: path.display().to_string(),
            source,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixtures;

    #[test]
    fn written_baselines_are_sorted_stable_and_line_free() {
        let mut findings = fixtures::findings();
        findings.push(Finding {
            path: "src/a.rs".into(),
            fingerprint: "00aa".into(),
            ..findings[0].clone()
        });
        let text = Baseline::from_findings(&findings).to_toml();
        assert_eq!(
            text,
            format!(
                "{HEADER}version = 1

[[finding]]
path = \"src/a.rs\"
check = \"swallowed-error\"
fingerprint = \"00aa\"

[[finding]]
path = \"src/orders.rs\"
check = \"missing-retry\"
fingerprint = \"8c0d1e2f3a4b5c6d7e8f\"

[[finding]]
path = \"src/orders.rs\"
check = \"swallowed-error\"
fingerprint = \"3f9a1c2b7d4e5f60a1b2\"
"
            )
        );
        // Moving a finding changes nothing; the order of the findings changes nothing.
        findings.reverse();
        findings[0].span.start_line += 10;
        assert_eq!(Baseline::from_findings(&findings).to_toml(), text);
        assert_eq!(
            Baseline::parse(&text, "b.toml").unwrap(),
            Baseline::from_findings(&findings)
        );
    }

    #[test]
    fn hide_drops_exactly_the_listed_findings_and_counts_them() {
        let findings = fixtures::findings();
        let baseline = Baseline::from_findings(&findings[..1]);
        let mut new = fixtures::findings();
        // Same fingerprint in another file, and another check with the same fingerprint: both
        // are new findings.
        let mut elsewhere = findings[0].clone();
        elsewhere.path = "src/other.rs".into();
        let mut other_check = findings[0].clone();
        other_check.check = "missing-retry".into();
        new.push(elsewhere.clone());
        new.push(other_check.clone());
        let hidden = baseline.hide(&mut new);
        assert_eq!(hidden, 1);
        assert_eq!(new, vec![findings[1].clone(), elsewhere, other_check]);
        assert_eq!(Baseline::default().hide(&mut new), 0);
        assert_eq!(new.len(), 3);
    }

    #[test]
    fn an_empty_baseline_round_trips() {
        let text = Baseline::default().to_toml();
        assert!(text.ends_with("version = 1\n"), "{text}");
        assert!(Baseline::parse(&text, "b.toml").unwrap().is_empty());
    }

    #[test]
    fn corrupt_files_are_errors_that_name_the_file_the_place_and_the_fix() {
        let err = |text: &str| {
            Baseline::parse(text, ".failmode-baseline.toml")
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            err("version = 1\n[[finding]]\ncheck = \"x\"\npath = \"a.rs\"\n"),
            ".failmode-baseline.toml:2:1: not a failmode baseline: missing field `fingerprint`; write it again with `failmode check --write-baseline .failmode-baseline.toml`"
        );
        assert_eq!(
            err("{ not toml"),
            ".failmode-baseline.toml:1:1: not a failmode baseline: invalid key; write it again with `failmode check --write-baseline .failmode-baseline.toml`"
        );
        assert_eq!(
            err("[[finding]]\ncheck = \"x\"\n"),
            ".failmode-baseline.toml:1:1: not a failmode baseline: no `version` key (a baseline starts with `version = 1`); write it again with `failmode check --write-baseline .failmode-baseline.toml`"
        );
        assert_eq!(
            err("version = \"1\"\n"),
            ".failmode-baseline.toml:1:11: not a failmode baseline: `version` must be the integer 1, not \"1\"; write it again with `failmode check --write-baseline .failmode-baseline.toml`"
        );
        assert_eq!(
            err("version = 1\nextra = true\n"),
            ".failmode-baseline.toml:2:1: not a failmode baseline: unknown field `extra`, expected `version` or `finding`; write it again with `failmode check --write-baseline .failmode-baseline.toml`"
        );
        assert_eq!(
            err("version = 2\n"),
            "the baseline file .failmode-baseline.toml has format version 2, and this failmode reads version 1: write it again with `failmode check --write-baseline .failmode-baseline.toml`"
        );
    }

    #[test]
    fn load_names_a_missing_file_and_how_to_create_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nope.toml");
        let e = Baseline::load(&path).unwrap_err();
        assert!(matches!(e, BaselineError::Missing { .. }), "{e:?}");
        assert_eq!(
            e.to_string(),
            format!(
                "the baseline file {p} does not exist: create it with `failmode check --write-baseline {p}` on a tree whose findings you accept, or drop `--baseline`",
                p = path.display()
            )
        );
        let baseline = Baseline::from_findings(&fixtures::findings());
        baseline.write(&path).unwrap();
        assert_eq!(Baseline::load(&path).unwrap(), baseline);
        std::fs::write(&path, b"version = 1\n# caf\xe9\n").unwrap();
        assert!(matches!(
            Baseline::load(&path),
            Err(BaselineError::Corrupt {
                line: 1,
                col: 1,
                ..
            })
        ));
        let e = baseline
            .write(&dir.path().join("no/such/dir/b.toml"))
            .unwrap_err();
        assert!(
            e.to_string().starts_with(&format!(
                "cannot write the baseline file {}: ",
                dir.path().join("no/such/dir/b.toml").display()
            )),
            "{e}"
        );
    }
}
