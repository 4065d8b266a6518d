//! Hostile input: syntax nested or chained as deep as a pull request's author likes. Every check
//! runs through [`analyze`] (what `failmode check` and the App call) on threads with the stack
//! the analysis gets in production, and must return a normal result: no stack overflow, no
//! panic, every file parsed. Nothing in the analysis may recurse over syntax to a depth the
//! input controls.

use super::*;
use proptest::prelude::*;

/// How deep the generated mixtures of nestings and chains go.
const DEPTH: usize = 100_000;

/// How deep each shape goes on its own (see the test).
const SHAPE_DEPTH: usize = 20_000;

/// The stack of the threads the analysis runs on in production: rayon's workers and tokio's
/// `spawn_blocking` threads both get Rust's default of 2 MiB.
const PRODUCTION_STACK: usize = 2 * 1024 * 1024;

/// Expression shapes that nest: `open` repeated, an atom, then `close` repeated. Postfix chains
/// have an empty `open`, prefix operators an empty `close`; any mix of them is an expression.
const SHAPES: &[(&str, &str, &str)] = &[
    ("to_string chain", "", ".to_string()"),
    ("clone chain", "", ".clone()"),
    ("await chain", "", ".await"),
    ("try chain", "", "?"),
    ("ok chain", "", ".ok()"),
    ("send chain", "", ".send()"),
    ("call chain", "", "()"),
    ("field chain", "", ".b"),
    ("index chain", "", "[0]"),
    ("cast chain", "", " as u8"),
    ("binary operators", "", " + a"),
    ("blocks", "{ ", " }"),
    ("closures", "move || ", ""),
    ("async blocks", "async move { ", " }"),
    ("parentheses", "(", ")"),
    ("arrays", "[", "]"),
    ("tuples", "(", ",)"),
    ("negations", "!", ""),
    ("references", "&", ""),
    ("returns", "return ", ""),
    ("assignments", "a = ", ""),
    ("if-else", "if c { b } else { ", " }"),
    ("match arms", "match a { Err(_) => {} _ => ", " }"),
    ("call arguments", "f(", ")"),
    ("request arguments", "client.get(", ").send().await"),
    ("spawned tasks", "tokio::spawn(async move { ", " })"),
    ("macro bodies", "m!(", ")"),
    ("vec! macros", "vec![", "]"),
    ("assertions", "assert!(", ")"),
];

/// `depth` levels of `layers` (cycled: `layers[0]` outermost) around the atom `"/x"`.
fn nested(layers: &[(&str, &str)], depth: usize) -> String {
    let mut out = String::new();
    for i in 0..depth {
        out.push_str(layers[i % layers.len()].0);
    }
    out.push_str("\"/x\"");
    for i in (0..depth).rev() {
        out.push_str(layers[i % layers.len()].1);
    }
    out
}

/// A repository with `expr` in context number `context` (modulo their count): a handler's body,
/// a route registration, an attribute-routed handler, a test function in `tests/`, a
/// `#[cfg(test)]` module, a spawned task, an unbounded channel drained in and out of the
/// function that makes it, a `macro_rules!` body. Routes and tests around it
/// give every check something to look at.
fn repository(expr: &str, context: usize) -> Vec<SourceInput> {
    let contexts = [
        (
            "src/handlers.rs",
            format!("pub async fn h() -> Result<String, E> {{\n    let _ = {expr};\n    {expr};\n    client.post(u).send().await?;\n    Ok(String::new())\n}}\n"),
        ),
        (
            "src/routes.rs",
            format!("pub fn app() -> Router {{\n    Router::new().route({expr}, get(h2)).route(\"/y\", post(|| async {{ {expr} }}))\n}}\n"),
        ),
        (
            "src/attr.rs",
            format!("#[get(\"/z\")]\nasync fn h3() -> Result<(), E> {{ {expr}; db.execute(q).await.ok(); Ok(()) }}\n"),
        ),
        (
            "tests/api.rs",
            format!("#[tokio::test]\nasync fn t() {{\n    let r = client.get({expr}).send().await.unwrap();\n    {expr};\n}}\n"),
        ),
        (
            "src/lib.rs",
            format!("pub fn f() {{}}\n#[cfg(test)]\nmod tests {{\n    #[tokio::test]\n    async fn t() {{ let r = client.get({expr}).send().await.unwrap(); {expr}; }}\n}}\n"),
        ),
        (
            "src/worker.rs",
            format!("pub fn run() {{ tokio::spawn(async move {{ {expr}; let _ = reqwest::get(u).await; }}); }}\n"),
        ),
        (
            "src/queue.rs",
            format!("pub fn q(sink: Sink) {{\n    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();\n    tokio::spawn(async move {{ while let Some(m) = rx.recv().await {{ {expr}; sink.send(m).await; }} }});\n    drain(rx, {expr});\n}}\nasync fn drain(mut rx: R, x: X) {{ loop {{ tokio::select! {{ Some(m) = rx.recv() => {{ {expr}; db.insert(m).await; }} }} }} }}\n"),
        ),
        (
            "src/macros.rs",
            format!("macro_rules! m {{ ($x:expr) => {{ {expr} }}; }}\nfn g() {{ println!(\"{{}}\", {expr}); }}\n"),
        ),
    ];
    let (path, text) = &contexts[context % contexts.len()];
    let mut inputs = vec![
        SourceInput::new("src/app.rs", b"pub fn app() -> Router { Router::new().route(\"/x\", get(h)).route(\"/w\", post(w)) }\npub async fn w() { let _ = reqwest::get(u).await; }\n".to_vec()),
        SourceInput::new(*path, text.clone().into_bytes()),
    ];
    if *path != "tests/api.rs" {
        inputs.push(SourceInput::new(
            "tests/smoke.rs",
            b"#[tokio::test]\nasync fn smoke() { client.get(\"/x\").send().await.unwrap(); }\n"
                .to_vec(),
        ));
    }
    inputs
}

/// Runs [`analyze`] with every embedded check the way production does: called from a thread with
/// a 2 MiB stack (a `spawn_blocking` thread in the App), its parallel work on rayon's global
/// pool (2 MiB worker stacks). The parse budget is generous so that every file really is
/// parsed and checked, not skipped for time.
fn analyze_like_production(inputs: Vec<SourceInput>) -> Analysis {
    // Fails harmlessly when another test built the pool first: with the same default stack.
    let _ = rayon::ThreadPoolBuilder::new()
        .stack_size(PRODUCTION_STACK)
        .build_global();
    std::thread::Builder::new()
        .name("analysis".into())
        .stack_size(PRODUCTION_STACK)
        .spawn(move || {
            let checks = CheckSet::embedded().expect("checks load");
            let opts = AnalysisOptions {
                max_file_size: usize::MAX,
                parse_budget: Duration::from_secs(600),
                report_paths: None,
                explain: None,
            };
            // Every check, the ones off by default included: a repository can turn them on.
            let mut config = Config::default();
            for c in &checks.checks {
                config.checks.entry(c.id.clone()).or_default().enabled = Some(true);
            }
            analyze(&inputs, &config, checks, &opts)
        })
        .expect("spawn the analysis thread")
        .join()
        .expect("the analysis neither panics nor overflows its stack")
}

/// A normal result: every file parsed and checked, nothing skipped.
fn assert_normal(analysis: &Analysis, files: usize, what: &str) {
    assert!(
        analysis.skipped.is_empty(),
        "{what}: {:?}",
        analysis.skipped
    );
    assert_eq!(analysis.files_parsed, files, "{what}");
}

#[test]
fn a_route_path_behind_20000_to_string_calls_and_a_test_url_behind_20000_clones_are_read() {
    // The attack of issue 13: each of these overflowed the stack of `failmode check` (exit 134).
    let route = format!(
        "pub fn app() -> Router {{\n    Router::new().route(\"/orders\"{}, get(list_orders))\n}}\npub async fn list_orders() -> String {{ db.load().await }}\n",
        ".to_string()".repeat(20_000)
    );
    let test = format!(
        "#[tokio::test]\nasync fn lists() {{\n    let r = client.get(url{}).send().await.unwrap();\n}}\n",
        ".clone()".repeat(20_000)
    );
    let untested = |inputs: Vec<SourceInput>| {
        let files = inputs.len();
        let analysis = analyze_like_production(inputs);
        assert_normal(&analysis, files, "20,000-link chains");
        analysis
            .findings
            .iter()
            .any(|f| f.check == "untested-handler" && f.code.contains("list_orders"))
    };
    let app = SourceInput::new("src/app.rs", route.into_bytes());
    // The route is read through its chain: with no test, its handler is reported...
    assert!(untested(vec![app.clone()]));
    // ...and a test's URL is read through its chain too (`url` is bound to the route's path).
    let test = SourceInput::new(
        "tests/api.rs",
        test.replace("let r", "let url = format!(\"{base}/orders\");\n    let r")
            .into_bytes(),
    );
    assert!(!untested(vec![app, test]));
}

/// Slow (14 minutes in a debug build on a busy 2-core machine): run it when a filter changes,
/// `cargo test --lib -- --ignored every_check_survives_every_shape`.
#[test]
#[ignore]
fn every_check_survives_every_shape_nested_20000_deep_in_every_context() {
    // 20,000 levels (the depth of the reported attack) rather than `DEPTH`: some filters still
    // walk ancestors with `Node::parent`, which costs the node's depth each step, and all
    // shapes at 100,000 take too long for CI. The stack is what is tested here; the mixtures
    // below go 100,000 deep.
    for (i, (name, open, close)) in SHAPES.iter().enumerate() {
        let expr = nested(&[(open, close)], SHAPE_DEPTH);
        let inputs = repository(&expr, i);
        let files = inputs.len();
        let analysis = analyze_like_production(inputs);
        assert_normal(&analysis, files, name);
    }
    // An `else if` chain nests through its `else` clauses.
    let chain = format!(
        "if a {{ b }}{} else {{ c }}",
        " else if a { b }".repeat(DEPTH)
    );
    let inputs = repository(&chain, 0);
    let files = inputs.len();
    assert_normal(&analyze_like_production(inputs), files, "else-if chain");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, failure_persistence: None, ..ProptestConfig::default() })]

    /// Mixtures of the shapes (a chain inside a closure inside a macro inside a block...), in
    /// any context, 100,000 levels deep.
    #[test]
    fn every_check_survives_mixed_nestings_100000_deep(
        layers in proptest::collection::vec(0..SHAPES.len(), 1..5),
        context in 0usize..7,
    ) {
        let layers: Vec<(&str, &str)> = layers.iter().map(|&i| (SHAPES[i].1, SHAPES[i].2)).collect();
        let inputs = repository(&nested(&layers, DEPTH), context);
        let files = inputs.len();
        assert_normal(&analyze_like_production(inputs), files, &format!("{layers:?} in context {context}"));
    }
}
