//! Human-readable output in the style of rustc diagnostics:
//!
//! ```text
//! high[swallowed-error]: `let _ =` discards the result of ...
//!   --> src/orders.rs:4:5
//!    |
//!  4 |     let _ = sqlx::query(..)...;
//!    |     ^^^^^^^^^^^^^^^^^^^^^^^^^^
//!    = failure mode: ...
//!    = fix: ...
//! ```
//!
//! Colour is added only when the caller says the output is a terminal.

use super::{line_of, Report, SourceText};
use crate::analysis::finding::{Finding, Severity};
use std::fmt::Write as _;

/// Most source lines shown for one finding; longer spans show their first and last lines.
const MAX_SNIPPET_LINES: usize = 6;

/// Longest source line shown before it is cut (minified or generated code).
const MAX_LINE_CHARS: usize = 200;

struct Palette {
    on: bool,
}

impl Palette {
    fn paint(&self, code: &str, s: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn severity(&self, sev: Severity, s: &str) -> String {
        let code = match sev {
            Severity::High => "1;31",
            Severity::Medium => "1;33",
            Severity::Low => "1;36",
        };
        self.paint(code, s)
    }
    fn gutter(&self, s: &str) -> String {
        self.paint("1;34", s)
    }
    fn bold(&self, s: &str) -> String {
        self.paint("1", s)
    }
}

/// Renders every finding, then a one-line summary (with how many findings the baseline hid,
/// when it hid any). `color` adds ANSI colours.
pub fn render(report: &Report<'_>, sources: &dyn SourceText, color: bool) -> String {
    let p = Palette { on: color };
    let mut out = String::new();
    for f in report.findings {
        render_finding(&mut out, f, sources, &p);
        out.push('\n');
    }
    let by = report.by_severity();
    let n = report.findings.len();
    let counts: Vec<String> = [Severity::High, Severity::Medium, Severity::Low]
        .iter()
        .filter_map(|s| by.get(s).map(|c| format!("{c} {s}")))
        .collect();
    let files = report.files_analyzed;
    let summary = if n == 0 {
        format!("failmode: no findings in {files} file{}", plural(files))
    } else {
        format!(
            "failmode: {n} finding{} ({}) in {files} file{}",
            plural(n),
            counts.join(", "),
            plural(files)
        )
    };
    let baselined = if report.baselined == 0 {
        String::new()
    } else {
        format!("; {} hidden by the baseline", report.baselined)
    };
    let skipped = if report.skipped.is_empty() {
        String::new()
    } else {
        format!(
            "; {} file{} skipped",
            report.skipped.len(),
            plural(report.skipped.len())
        )
    };
    let _ = writeln!(out, "{}{baselined}{skipped}", p.bold(&summary));
    out
}

/// Renders the skipped-files list (for stderr in text mode): one `skipped: path: reason` line
/// per file.
pub fn render_skipped(report: &Report<'_>) -> String {
    let mut out = String::new();
    for s in report.skipped {
        let _ = writeln!(out, "skipped: {}: {}", s.path, s.reason);
    }
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn display_line(line: &str) -> String {
    let expanded = line.replace('\t', "    ");
    if expanded.chars().count() > MAX_LINE_CHARS {
        let mut cut: String = expanded.chars().take(MAX_LINE_CHARS).collect();
        cut.push('…');
        cut
    } else {
        expanded
    }
}

/// Display width of the first `byte_col - 1` bytes of `line` (tabs as 4 columns).
fn display_col(line: &str, byte_col: usize) -> usize {
    let mut b = byte_col.saturating_sub(1).min(line.len());
    while b > 0 && !line.is_char_boundary(b) {
        b -= 1;
    }
    line[..b]
        .chars()
        .map(|c| if c == '\t' { 4 } else { 1 })
        .sum::<usize>()
        .min(MAX_LINE_CHARS)
}

fn render_finding(out: &mut String, f: &Finding, sources: &dyn SourceText, p: &Palette) {
    let sev = f.severity.as_str();
    let _ = writeln!(
        out,
        "{}{} {}",
        p.severity(f.severity, &format!("{sev}[{}]", f.check)),
        p.bold(":"),
        p.bold(&f.message)
    );
    let width = f
        .span
        .end_line
        .to_string()
        .len()
        .max(f.span.start_line.to_string().len());
    let pad = " ".repeat(width);
    let _ = writeln!(
        out,
        "{pad}{} {}:{}:{}",
        p.gutter("-->"),
        f.path,
        f.span.start_line,
        f.span.start_col
    );
    let bar = p.gutter("|");
    let text = sources.source(&f.path);
    let lines: Vec<(usize, &str)> = match text {
        Some(t) => (f.span.start_line..=f.span.end_line.max(f.span.start_line))
            .filter_map(|n| line_of(t, n).map(|l| (n, l)))
            .collect(),
        None => Vec::new(),
    };
    if !lines.is_empty() {
        let _ = writeln!(out, "{pad} {bar}");
        let shown: Vec<&(usize, &str)> = if lines.len() > MAX_SNIPPET_LINES {
            lines
                .iter()
                .take(MAX_SNIPPET_LINES - 2)
                .chain(lines.iter().skip(lines.len() - 1))
                .collect()
        } else {
            lines.iter().collect()
        };
        let last_index = shown.len() - 1;
        for (i, (n, l)) in shown.iter().enumerate() {
            if i > 0 && shown[i - 1].0 + 1 != *n {
                let _ = writeln!(out, "{}", p.gutter("..."));
            }
            let _ = writeln!(
                out,
                "{} {bar} {}",
                p.gutter(&format!("{n:>width$}")),
                display_line(l)
            );
            let single = f.span.start_line == f.span.end_line;
            let (from, to) = if single {
                (
                    display_col(l, f.span.start_col),
                    display_col(l, f.span.end_col),
                )
            } else if i == 0 {
                (
                    display_col(l, f.span.start_col),
                    display_col(l, l.len() + 1),
                )
            } else if i == last_index && *n == f.span.end_line {
                let indent = l.len() - l.trim_start().len();
                (display_col(l, indent + 1), display_col(l, f.span.end_col))
            } else {
                continue;
            };
            let len = to.saturating_sub(from).max(1);
            let _ = writeln!(
                out,
                "{pad} {bar} {}{}",
                " ".repeat(from),
                p.severity(f.severity, &"^".repeat(len))
            );
        }
    }
    let eq = p.gutter("=");
    let _ = writeln!(
        out,
        "{pad} {eq} {} {}",
        p.bold("failure mode:"),
        f.failure_mode
    );
    let _ = writeln!(out, "{pad} {eq} {} {}", p.bold("fix:"), f.fix);
    if let Some(s) = &f.suggestion {
        let range = if s.span.start_line == s.span.end_line {
            format!("line {}", s.span.start_line)
        } else {
            format!("lines {}-{}", s.span.start_line, s.span.end_line)
        };
        let _ = writeln!(
            out,
            "{pad} {eq} {} {} (replace {range} with):",
            p.bold("suggestion:"),
            s.description
        );
        for l in s.replacement.lines() {
            let _ = writeln!(out, "{pad} {bar} {}", p.paint("32", &display_line(l)));
        }
    }
    let _ = writeln!(out, "{pad} {eq} {} {}", p.bold("suppress:"), f.suppress);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::FailOn;
    use crate::report::fixtures;
    use crate::report::{NoSource, SkippedFile};

    fn report<'a>(findings: &'a [Finding], skipped: &'a [SkippedFile]) -> Report<'a> {
        Report {
            findings,
            skipped,
            files_analyzed: 3,
            baselined: 0,
            fail_on: FailOn::Severity(Severity::Low),
        }
    }

    #[test]
    fn text_rendering_snapshot() {
        let findings = fixtures::findings();
        let skipped = vec![SkippedFile {
            path: "src/blob.rs".into(),
            kind: "binary".into(),
            reason: "binary file (contains NUL bytes)".into(),
        }];
        let out = render(&report(&findings, &skipped), &fixtures::sources(), false);
        insta::assert_snapshot!(out);
        assert!(!out.contains('\x1b'), "no colour unless asked");
    }

    #[test]
    fn colour_only_when_asked() {
        let findings = fixtures::findings();
        let out = render(&report(&findings, &[]), &fixtures::sources(), true);
        assert!(
            out.contains("\x1b[1;31mhigh[swallowed-error]\x1b[0m"),
            "{out}"
        );
    }

    #[test]
    fn without_source_the_location_and_explanation_remain() {
        let findings = fixtures::findings();
        let out = render(&report(&findings[..1], &[]), &NoSource, false);
        assert!(
            out.starts_with("high[swallowed-error]: `let _ =` discards"),
            "{out}"
        );
        assert!(out.contains(" --> src/orders.rs:4:5\n"), "{out}");
        assert!(
            out.contains("= failure mode: When the database rejects"),
            "{out}"
        );
        assert!(
            out.ends_with("failmode: 1 finding (1 high) in 3 files\n"),
            "{out}"
        );
    }

    #[test]
    fn clean_run_and_skips() {
        let skipped = vec![SkippedFile {
            path: "x.rs".into(),
            kind: "not-utf8".into(),
            reason: "not valid UTF-8".into(),
        }];
        let r = report(&[], &skipped);
        assert_eq!(
            render(&r, &NoSource, false),
            "failmode: no findings in 3 files; 1 file skipped\n"
        );
        assert_eq!(render_skipped(&r), "skipped: x.rs: not valid UTF-8\n");
    }

    #[test]
    fn the_summary_says_how_many_findings_the_baseline_hid() {
        let findings = fixtures::findings();
        let skipped = vec![SkippedFile {
            path: "x.rs".into(),
            kind: "not-utf8".into(),
            reason: "not valid UTF-8".into(),
        }];
        let r = Report {
            baselined: 2,
            ..report(&findings[..1], &skipped)
        };
        let out = render(&r, &NoSource, false);
        assert!(
            out.ends_with(
                "\nfailmode: 1 finding (1 high) in 3 files; 2 hidden by the baseline; 1 file skipped\n"
            ),
            "{out}"
        );
        let r = Report {
            baselined: 1,
            ..report(&[], &[])
        };
        assert_eq!(
            render(&r, &NoSource, false),
            "failmode: no findings in 3 files; 1 hidden by the baseline\n"
        );
    }
}
