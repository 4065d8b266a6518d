//! Every check's examples, run as tests: each `//~ <check-id>` marker must be matched by a
//! finding on that line, and nothing else of the compared checks may be reported.
//! Set `FAILMODE_CHECK=<id>` to run one check's examples only.

use failmode::analysis::check::CheckSet;
use failmode::analysis::examples::{examples_of, run_example};

#[test]
fn every_check_example_produces_exactly_its_marked_findings() {
    let set = CheckSet::embedded().expect("the embedded checks load");
    let only = std::env::var("FAILMODE_CHECK").ok();
    let mut failures = Vec::new();
    let mut ran = 0;
    for check in &set.checks {
        if only.as_deref().is_some_and(|o| o != check.id) {
            continue;
        }
        let examples = examples_of(check);
        assert!(
            !examples.is_empty(),
            "check {} has no examples under checks/{}/examples/",
            check.id,
            check.id
        );
        for ex in &examples {
            ran += 1;
            if let Err(e) = run_example(set, check, ex) {
                failures.push(e);
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {ran} examples failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
