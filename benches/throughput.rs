//! Throughput over a large real Rust tree: MB/s for (a) reading the files, (b) parsing only,
//! (c) parsing + every check (`analyze`), best of N runs each (alternating, so a slow minute on a
//! shared machine hits both), and the ratio (c)/(b), in wall and CPU time. Below (c), its parts
//! timed on trees parsed beforehand (the one walk that collects index facts and pattern matches,
//! and that walk with the index facts only; the index's cross-file step; the filters), and the
//! floor any tree-sitter engine pays: parsing every file while holding every tree until the end,
//! parsing and walking each file in one go, one bare cursor walk, and one query-cursor pass with
//! a trivial pattern.
//!
//! Tree: `FAILMODE_BENCH_DIR`, default the cargo registry sources (`~/.cargo/registry/src`).
//! `FAILMODE_BENCH_MAX_MB` caps how much source is used (default 64), `FAILMODE_BENCH_RUNS`
//! sets N (default 3). Run with `cargo bench --bench throughput`.

use failmode::analysis::check::CheckSet;
use failmode::analysis::engine;
use failmode::analysis::index::{Manifests, RepoIndex};
use failmode::analysis::source::{self, SourceInput};
use failmode::analysis::syntax::NodeList;
use failmode::analysis::{analyze, AnalysisOptions};
use failmode::config::Config;
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use streaming_iterator::StreamingIterator;

/// The allocator the `failmode` binary runs on, so the figures are the binary's.
#[global_allocator]
static ALLOCATOR: failmode::allocator::Allocator = failmode::allocator::Allocator;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn bench_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("FAILMODE_BENCH_DIR") {
        return PathBuf::from(d);
    }
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cargo")
        });
    cargo_home.join("registry/src")
}

/// Rust files and manifests under `dir`, sorted, up to `max_bytes` of `.rs` source.
fn list_files(dir: &Path, max_bytes: u64) -> Vec<(PathBuf, String)> {
    let mut files: Vec<(PathBuf, String, u64)> = ignore::WalkBuilder::new(dir)
        .standard_filters(false)
        .build()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .filter(|e| {
            e.path().extension().is_some_and(|x| x == "rs") || e.file_name() == "Cargo.toml"
        })
        .filter_map(|e| {
            let len = e.metadata().ok()?.len();
            let rel = e
                .path()
                .strip_prefix(dir)
                .ok()?
                .to_string_lossy()
                .replace('\\', "/");
            Some((e.into_path(), rel, len))
        })
        .collect();
    files.sort();
    let mut total = 0;
    files
        .into_iter()
        .take_while(|(_, rel, len)| {
            if rel.ends_with(".rs") {
                total += len;
            }
            total <= max_bytes
        })
        .map(|(p, rel, _)| (p, rel))
        .collect()
}

fn read_all(files: &[(PathBuf, String)]) -> Vec<SourceInput> {
    files
        .par_iter()
        .filter_map(|(p, rel)| {
            std::fs::read(p)
                .ok()
                .map(|bytes| SourceInput::new(rel.clone(), bytes))
        })
        .collect()
}

/// CPU time (user + system) this process has used so far, in seconds: steadier than wall time
/// on a shared machine, where another tenant's burst stretches wall time but not our CPU time.
fn cpu_seconds() -> f64 {
    // /proc/self/stat fields 14 and 15 are utime and stime in clock ticks.
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // Fields after the name start at 3 (state), so utime (14) is index 11 here.
    (ticks(11) + ticks(12)) / 100.0
}

fn best_of<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut last = None;
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        let out = f();
        best = best.min(t.elapsed());
        last = Some(out);
    }
    (best, last.expect("at least one run"))
}

fn main() {
    failmode::allocator::serve_tree_sitter();
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing useful. Either way
    // the whole measurement runs.
    let dir = bench_dir();
    let max_mb = env_usize("FAILMODE_BENCH_MAX_MB", 64);
    let runs = env_usize("FAILMODE_BENCH_RUNS", 3);
    let files = list_files(&dir, (max_mb as u64) * 1024 * 1024);
    if files.is_empty() {
        eprintln!(
            "no Rust files under {}; set FAILMODE_BENCH_DIR to a Rust source tree",
            dir.display()
        );
        std::process::exit(2);
    }
    let checks = match CheckSet::embedded() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("the built-in checks failed to load: {e}");
            std::process::exit(2);
        }
    };
    let opts = AnalysisOptions::default();
    let config = Config::default();

    let (t_read, inputs) = best_of(runs, || read_all(&files));
    let rs_bytes: usize = inputs
        .iter()
        .filter(|i| i.path.ends_with(".rs"))
        .map(|i| i.size())
        .sum();
    // (b) and (c) alternate, best of N each: on a shared machine a slow minute then lands on
    // both instead of skewing their ratio.
    let mut t_parse = Duration::MAX;
    let mut t_all = Duration::MAX;
    let mut t_hold = Duration::MAX;
    let mut t_fused = Duration::MAX;
    let mut cpu_parse = f64::MAX;
    let mut cpu_all = f64::MAX;
    let mut parsed = 0;
    let mut analysis = None;
    for _ in 0..runs.max(1) {
        let c = cpu_seconds();
        let (t, n) = best_of(1, || {
            inputs
                .par_iter()
                .filter_map(|i| source::load(i, opts.max_file_size, opts.parse_budget))
                .filter(Result::is_ok)
                .count()
        });
        cpu_parse = cpu_parse.min(cpu_seconds() - c);
        t_parse = t_parse.min(t);
        parsed = n;
        // What holding every tree until the end costs by itself: parse all, then free all.
        let (t, ()) = best_of(1, || {
            let trees: Vec<_> = inputs
                .par_iter()
                .filter_map(|i| source::load(i, opts.max_file_size, opts.parse_budget))
                .filter_map(Result::ok)
                .collect();
            trees.into_par_iter().for_each(drop);
        });
        t_hold = t_hold.min(t);
        // Parse and walk each tree at once, while it is still in cache.
        let (t, _) = best_of(1, || {
            inputs
                .par_iter()
                .filter_map(|i| source::load(i, opts.max_file_size, opts.parse_budget))
                .filter_map(Result::ok)
                .map(|f| {
                    NodeList::new(f.tree.root_node(), checks.walk_plan(f.language))
                        .iter()
                        .count()
                })
                .sum::<usize>()
        });
        t_fused = t_fused.min(t);
        let c = cpu_seconds();
        let (t, a) = best_of(1, || analyze(&inputs, &config, checks, &opts));
        cpu_all = cpu_all.min(cpu_seconds() - c);
        t_all = t_all.min(t);
        analysis = Some(a);
    }
    let analysis = analysis.expect("at least one run");

    // Where (c) spends its time beyond parsing: the repository index and the checks, each
    // timed on trees parsed beforehand.
    let trees: Vec<_> = inputs
        .par_iter()
        .filter_map(|i| source::load(i, opts.max_file_size, opts.parse_budget))
        .filter_map(Result::ok)
        .collect();
    let manifests = Manifests::default();
    // The one walk per tree: node list, index facts, pattern matches.
    let (t_walked, walked) = best_of(runs, || {
        trees
            .par_iter()
            .map(|f| {
                let nodes = NodeList::new(f.tree.root_node(), checks.walk_plan(f.language));
                let part = RepoIndex::collect_from(f, &manifests, &nodes);
                let matches =
                    engine::find_matches(f, checks, &config, &manifests, &nodes, opts.parse_budget);
                (part, matches)
            })
            .collect::<Vec<_>>()
    });
    // The same walk with the index facts only, so the matcher's share is the difference.
    let (t_facts, _) = best_of(runs, || {
        trees
            .par_iter()
            .map(|f| {
                let nodes = NodeList::new(f.tree.root_node(), checks.walk_plan(f.language));
                RepoIndex::collect_from(f, &manifests, &nodes)
            })
            .collect::<Vec<_>>()
    });
    let mut index = RepoIndex::default();
    let mut matches = Vec::new();
    for (part, m) in walked {
        index.merge(part);
        matches.push(m);
    }
    let (t_finish, ()) = best_of(1, || index.finish());
    // The filters of every match and the findings they make.
    let (t_checks, _) = best_of(runs, || {
        trees
            .par_iter()
            .zip(matches.par_iter())
            .map(|(f, m)| {
                engine::check_matches(f, checks, &index, &config, opts.parse_budget, m.clone())
                    .len()
            })
            .sum::<usize>()
    });
    drop(matches);
    // The floor any tree-sitter engine pays on top of parsing: one cursor walk over every
    // tree, and one query-cursor pass with a pattern that matches almost nothing.
    let (t_walk, _) = best_of(runs, || {
        trees
            .par_iter()
            .map(|f| {
                NodeList::new(f.tree.root_node(), checks.walk_plan(f.language))
                    .iter()
                    .count()
            })
            .sum::<usize>()
    });
    let trivial = tree_sitter::Query::new(&tree_sitter_rust::LANGUAGE.into(), "(source_file) @f")
        .expect("a one-node query compiles");
    let (t_query, _) = best_of(runs, || {
        trees
            .par_iter()
            .map(|f| {
                let mut cursor = tree_sitter::QueryCursor::new();
                let mut matches = cursor.matches(&trivial, f.tree.root_node(), f.text.as_bytes());
                let mut n = 0;
                while matches.next().is_some() {
                    n += 1;
                }
                n
            })
            .sum::<usize>()
    });
    drop(trees);

    let mb = rs_bytes as f64 / (1024.0 * 1024.0);
    let rate = |d: Duration| mb / d.as_secs_f64();
    println!(
        "failmode throughput over {} ({} files, {:.1} MB of .rs, {} parsed, best of {runs})",
        dir.display(),
        inputs.len(),
        mb,
        parsed
    );
    println!(
        "checks: {} ({})",
        checks.checks.len(),
        checks.ids().join(", ")
    );
    println!("threads: {}", rayon::current_num_threads());
    println!();
    println!("| stage                    | time (s) | MB/s   |");
    println!("|--------------------------|---------:|-------:|");
    println!(
        "| (a) read                 | {:>8.3} | {:>6.1} |",
        t_read.as_secs_f64(),
        rate(t_read)
    );
    println!(
        "| (b) parse only           | {:>8.3} | {:>6.1} |",
        t_parse.as_secs_f64(),
        rate(t_parse)
    );
    println!(
        "| (c) parse + all checks   | {:>8.3} | {:>6.1} |",
        t_all.as_secs_f64(),
        rate(t_all)
    );
    println!(
        "|   walk: facts + matches  | {:>8.3} | {:>6.1} |",
        t_walked.as_secs_f64(),
        rate(t_walked)
    );
    println!(
        "|     of which index facts | {:>8.3} | {:>6.1} |",
        t_facts.as_secs_f64(),
        rate(t_facts)
    );
    println!(
        "|   index finish           | {:>8.3} | {:>6.1} |",
        t_finish.as_secs_f64(),
        rate(t_finish)
    );
    println!(
        "|   filters + findings     | {:>8.3} | {:>6.1} |",
        t_checks.as_secs_f64(),
        rate(t_checks)
    );
    println!(
        "| floor: parse, hold, free | {:>8.3} | {:>6.1} |",
        t_hold.as_secs_f64(),
        rate(t_hold)
    );
    println!(
        "| floor: parse + walk each | {:>8.3} | {:>6.1} |",
        t_fused.as_secs_f64(),
        rate(t_fused)
    );
    println!(
        "| floor: bare tree walk    | {:>8.3} | {:>6.1} |",
        t_walk.as_secs_f64(),
        rate(t_walk)
    );
    println!(
        "| floor: one-node query    | {:>8.3} | {:>6.1} |",
        t_query.as_secs_f64(),
        rate(t_query)
    );
    println!();
    println!(
        "CPU seconds, best of {runs}: (b) {cpu_parse:.2}  (c) {cpu_all:.2}  (c)/(b) = {:.2}",
        cpu_all / cpu_parse
    );
    println!(
        "(c)/(b) = {:.2}   findings: {}   skipped: {}",
        t_all.as_secs_f64() / t_parse.as_secs_f64(),
        analysis.findings.len(),
        analysis.skipped.len()
    );
}
