//! Unified diffs and GitHub `patch` hunks → changed and commentable lines per file.
