//! `--format github`: GitHub Actions workflow commands, one per finding, which the runner turns
//! into annotations on the pull request:
//!
//! ```text
//! ::error file=src/orders.rs,line=4,endLine=4,col=5,endColumn=99,title=failmode/swallowed-error::message%0A%0AFailure mode: ...
//! ```
//!
//! Escaping follows the runner's rules: in the message `%`, `\r`, `\n` become `%25`, `%0D`,
//! `%0A`; in property values `:` and `,` are escaped too (`%3A`, `%2C`).

use super::Report;
use crate::analysis::finding::{Finding, Severity};

/// The workflow command for a severity: high → `error`, medium → `warning`, low → `notice`.
pub fn command(s: Severity) -> &'static str {
    match s {
        Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "notice",
    }
}

/// Escapes a command's message.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command property value.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// One workflow command line (without the trailing newline) for `f`.
pub fn finding_command(f: &Finding) -> String {
    let mut props = vec![
        format!("file={}", escape_property(&f.path)),
        format!("line={}", f.span.start_line),
        format!("endLine={}", f.span.end_line.max(f.span.start_line)),
    ];
    // Columns only make sense to the runner on a single-line annotation.
    if f.span.start_line == f.span.end_line {
        props.push(format!("col={}", f.span.start_col));
        props.push(format!("endColumn={}", f.span.end_col));
    }
    props.push(format!(
        "title={}",
        escape_property(&format!("failmode/{}", f.check))
    ));
    let mut message = format!(
        "{}\n\nFailure mode: {}\nFix: {}",
        f.message, f.failure_mode, f.fix
    );
    if let Some(s) = &f.suggestion {
        message.push_str(&format!(
            "\nSuggestion ({}):\n{}",
            s.description, s.replacement
        ));
    }
    message.push_str(&format!("\nSuppress: {}", f.suppress));
    format!(
        "::{} {}::{}",
        command(f.severity),
        props.join(","),
        escape_data(&message)
    )
}

/// All findings as workflow commands, then skipped files as `::warning` commands, then a
/// `::notice` summary line (saying how many findings the baseline hid, when it hid any).
pub fn render(report: &Report<'_>) -> String {
    let mut out = String::new();
    for f in report.findings {
        out.push_str(&finding_command(f));
        out.push('\n');
    }
    for s in report.skipped {
        out.push_str(&format!(
            "::warning file={},title={}::{}\n",
            escape_property(&s.path),
            escape_property("failmode: file skipped"),
            escape_data(&format!("{} was not analysed: {}", s.path, s.reason))
        ));
    }
    let mut summary = format!(
        "{} finding(s) in {} file(s), {} skipped",
        report.findings.len(),
        report.files_analyzed,
        report.skipped.len()
    );
    if report.baselined > 0 {
        summary.push_str(&format!(", {} hidden by the baseline", report.baselined));
    }
    out.push_str(&format!(
        "::notice title={}::{}\n",
        escape_property("failmode"),
        escape_data(&summary)
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::FailOn;
    use crate::report::{fixtures, SkippedFile};

    #[test]
    fn workflow_commands_snapshot() {
        let findings = fixtures::findings();
        let skipped = vec![SkippedFile {
            path: "src/a,b.rs".into(),
            kind: "binary".into(),
            reason: "binary file".into(),
        }];
        let r = Report {
            findings: &findings,
            skipped: &skipped,
            files_analyzed: 3,
            baselined: 0,
            fail_on: FailOn::Severity(Severity::Low),
        };
        insta::assert_snapshot!(render(&r));
        let r = Report { baselined: 2, ..r };
        assert!(
            render(&r).ends_with(
                "\n::notice title=failmode::2 finding(s) in 3 file(s), 1 skipped, 2 hidden by the baseline\n"
            ),
            "{}",
            render(&r)
        );
    }

    #[test]
    fn escaping_follows_the_runner_rules() {
        assert_eq!(escape_data("100% done\r\nnext"), "100%25 done%0D%0Anext");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
        let mut f = fixtures::findings().remove(0);
        f.path = "src/we:ird,name.rs".into();
        f.message = "a\nb: 50%, done".into();
        let line = finding_command(&f);
        assert!(
            line.starts_with(
                "::error file=src/we%3Aird%2Cname.rs,line=4,endLine=4,col=5,endColumn="
            ),
            "{line}"
        );
        assert!(
            line.contains(
                ",title=failmode/swallowed-error::a%0Ab: 50%25, done%0A%0AFailure mode: "
            ),
            "{line}"
        );
        assert!(!line.contains('\n'));
        let multi = &fixtures::findings()[1];
        let line = finding_command(multi);
        assert!(
            line.starts_with("::warning file=src/orders.rs,line=8,endLine=11,title="),
            "{line}"
        );
    }
}
