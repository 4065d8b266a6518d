//! Rendering findings: text, JSON, SARIF 2.1.0, GitHub workflow annotations, review plans.
