#!/usr/bin/env python3
"""Scores `failmode check` on the real-code corpus: per-check precision and recall on the labels.

Usage:
    tests/corpus/score.py SNAPSHOTS [--failmode BIN] [--misses] [--findings-out FILE]

SNAPSHOTS is a folder with one work tree per repository of `repos.tsv`, at
`SNAPSHOTS/<owner>+<name>` (for example `git clone URL SNAPSHOTS/rust-lang+crater` then
`git -C SNAPSHOTS/rust-lang+crater checkout <commit>`). A repository whose HEAD is not the pinned
commit is reported and skipped, so figures always refer to the labelled code.

A label matches a finding of the same repository, path and check whose anchor line is within
LINE_SLACK lines of the labelled line (labels name the first line of the statement, or the `fn`
line of a handler; anchors may sit on an attribute or the line of the call inside the statement).
A finding within reach of several labels counts for the nearest one (for every nearest one on a
tie), so labels on neighbouring lines are told apart.

    precision = flag labels found / (flag labels found + no-flag labels found)
    recall    = flag labels found / flag labels

The repeats a finding folds in (its `repeats`, named in its message) count as found at their own
lines; the `findings` column counts findings, not repeats.

Findings on unlabelled lines are counted but not judged here: `judged.tsv` holds the sampled
precision over all findings (`--sample-out FILE` draws 30 per check, seed 14, to judge by hand;
the verdicts are `correct` or `wrong` with a reason). Needs only Python 3 and git; runs no network.
"""

import argparse
import collections
import csv
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
LINE_SLACK = 2


def read_tsv(name):
    with open(os.path.join(HERE, name), newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def head_of(tree):
    try:
        return subprocess.run(
            ["git", "-C", tree, "rev-parse", "HEAD"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()
    except (subprocess.CalledProcessError, FileNotFoundError):
        return None


def built_checks(failmode):
    """The ids `failmode checks` lists: the checks this build has."""
    run = subprocess.run([failmode, "checks"], capture_output=True, text=True, check=True)
    lines = run.stdout.splitlines()[1:]
    return {line.split()[0] for line in lines if line and not line.startswith(" ") and len(line.split()) > 1 and line.split()[1] in ("low", "medium", "high")}


def findings_of(failmode, tree, config):
    run = subprocess.run(
        [failmode, "check", "--format", "json", "--fail-on", "never", "--config", config, tree],
        capture_output=True, text=True,
    )
    if run.returncode not in (0, 1):
        raise RuntimeError(f"failmode exited {run.returncode} on {tree}: {run.stderr[-2000:]}")
    report = json.loads(run.stdout)
    return [
        (f["check"], f["path"], f["span"]["start_line"]) for f in report["findings"]
    ], [
        # A repeat folded into a finding is named in its message: it is reported too.
        (f["check"], f["path"], r["span"]["start_line"])
        for f in report["findings"]
        for r in f.get("repeats", [])
    ]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("snapshots")
    ap.add_argument("--failmode", default=os.path.join(HERE, "..", "..", "target", "release", "failmode"))
    ap.add_argument("--misses", action="store_true", help="list missed flags and flagged no-flags")
    ap.add_argument("--findings-out", help="write every finding as TSV (repo, path, line, check)")
    ap.add_argument("--sample-out", help="write SAMPLE random findings per check as TSV, for judging (judged.tsv)")
    ap.add_argument("--sample", type=int, default=30)
    ap.add_argument("--seed", type=int, default=14)
    args = ap.parse_args()

    repos = read_tsv("repos.tsv")
    labels = read_tsv("labels.tsv")
    # Every labelled check this build has runs, the ones off by default included. A check
    # labelled before it is built is reported as such, with nothing found.
    import tempfile
    built = built_checks(args.failmode)
    config = tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False)
    for check in sorted(set(l["check"] for l in labels) & built):
        config.write(f"[checks.{check}]\nenabled = true\n\n")
    config.close()
    found = {}  # repo -> list of (check, path, line)
    repeats = {}  # repo -> list of (check, path, line) of the repeats folded into those
    skipped = []
    for r in repos:
        tree = os.path.join(args.snapshots, r["repo"].replace("/", "+"))
        head = head_of(tree)
        if head != r["commit"]:
            skipped.append(f"{r['repo']}: HEAD {head or 'missing'}, labels are at {r['commit']}")
            continue
        found[r["repo"]], repeats[r["repo"]] = findings_of(args.failmode, tree, config.name)

    index = collections.defaultdict(list)
    for repo, fs in found.items():
        for check, path, line in fs + repeats[repo]:
            index[(repo, path, check)].append(line)

    # Each finding counts for the label nearest its line (both, on a tie): two labels a line or
    # two apart (a channel's two ends, `let (a, ..)` on consecutive lines) are told apart.
    labels_at = collections.defaultdict(list)
    for l in labels:
        labels_at[(l["repo"], l["path"], l["check"])].append(int(l["line"]))
    hit_lines = set()
    for key, lines in index.items():
        near = labels_at.get(key, [])
        for x in lines:
            dists = [abs(x - y) for y in near if abs(x - y) <= LINE_SLACK]
            if dists:
                best = min(dists)
                hit_lines.update((key, y) for y in near if abs(x - y) == best)
    stats = collections.defaultdict(lambda: collections.Counter())
    misses = []
    for l in labels:
        if l["repo"] not in found:
            continue
        hit = ((l["repo"], l["path"], l["check"]), int(l["line"])) in hit_lines
        s = stats[l["check"]]
        s[(l["label"], hit)] += 1
        if (l["label"] == "flag") != hit:
            misses.append(l)

    os.unlink(config.name)
    totals = collections.Counter(check for fs in found.values() for check, _, _ in fs)
    print(f"repositories scored: {len(found)} of {len(repos)}")
    for s in skipped:
        print(f"  skipped {s}")
    print(f"{'check':<18} {'flags':>5} {'found':>5} {'no-flags':>8} {'flagged':>7} {'precision':>9} {'recall':>6} {'findings':>8}")
    for check in sorted(set(l["check"] for l in labels)):
        s = stats[check]
        tp, fn = s[("flag", True)], s[("flag", False)]
        fp, tn = s[("no-flag", True)], s[("no-flag", False)]
        precision = tp / (tp + fp) if tp + fp else float("nan")
        recall = tp / (tp + fn) if tp + fn else float("nan")
        note = "" if check in built else "  (not built yet)"
        print(f"{check:<18} {tp + fn:>5} {tp:>5} {fp + tn:>8} {fp:>7} {precision:>9.2f} {recall:>6.2f} {totals[check]:>8}{note}")
    if args.misses:
        for l in misses:
            kind = "missed" if l["label"] == "flag" else "wrongly flagged"
            print(f"{kind}: {l['check']} {l['repo']} {l['path']}:{l['line']} — {l['reason']}")
    if args.findings_out:
        with open(args.findings_out, "w") as o:
            o.write("repo\tpath\tline\tcheck\n")
            for repo, fs in sorted(found.items()):
                for check, path, line in sorted(fs, key=lambda x: (x[1], x[2], x[0])):
                    o.write(f"{repo}\t{path}\t{line}\t{check}\n")
    if args.sample_out:
        import random
        rng = random.Random(args.seed)
        commits = {r["repo"]: r["commit"] for r in repos}
        rows = sorted((repo, path, line, check) for repo, fs in found.items() for check, path, line in fs)
        with open(args.sample_out, "w") as o:
            o.write("repo\tcommit\tpath\tline\tcheck\n")
            for check in sorted(set(l["check"] for l in labels)):
                pool = [r for r in rows if r[3] == check]
                for repo, path, line, _ in sorted(rng.sample(pool, min(args.sample, len(pool)))):
                    o.write(f"{repo}\t{commits[repo]}\t{path}\t{line}\t{check}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
