//! Filters for the `retry` topic, and the repository facts they need.

use super::FilterDef;
use crate::analysis::index::Manifests;
use crate::analysis::source::ParsedFile;

/// The filters of this topic.
pub static FILTERS: &[FilterDef] = &[];

/// Repository-wide facts for this topic, collected from every parsed file.
#[derive(Debug, Default)]
pub struct RetryFacts {}

impl RetryFacts {
    /// Collects facts from one file.
    pub fn collect(&mut self, _file: &ParsedFile, _manifests: &Manifests) {}

    /// Merges facts collected from other files.
    pub fn merge(&mut self, _other: Self) {}

    /// Resolves facts that need the whole repository, after all files are merged.
    pub fn finish(&mut self) {}
}
