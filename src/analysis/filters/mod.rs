//! Filters: the relational constraints a tree-sitter query cannot express ("not inside a retry
//! wrapper", "nothing logged in the same arm", "not a channel send"). Check files name them in
//! their `filters = [...]` lists; the engine evaluates them on each query match.
//!
//! A filter expression is `name(arg, ...)`, optionally negated with `!`, and alternatives can be
//! joined with `||`. Arguments are capture names (bare words, e.g. `call`) or string literals
//! (`"effect_methods"`, which often name a list in the check's `[data]` table). Every name and
//! argument is validated when the check is loaded, so a typo fails the tests instead of silently
//! disabling a rule.
//!
//! Filters are grouped by topic, one module each; [`registry`] lists them all.

pub mod common;
mod context;
pub mod errors;
pub mod handlers;
pub mod loops;
pub mod retry;
pub mod sequence;
mod statements;
pub mod values;

use super::check::CheckData;
use super::index::RepoIndex;
pub use context::MatchCtx;

/// The kind of one filter argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgKind {
    /// A capture name from the rule's query.
    Capture,
    /// A string literal: a list name from the check's `[data]` table.
    DataList,
    /// A string literal used as-is.
    Text,
    /// A string literal holding a regular expression, which must compile.
    Regex,
    /// A string literal: the name of a list of the check's `[data]` whose entries are regular
    /// expressions, each of which must compile.
    RegexList,
}

/// A filter argument after validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilterArg {
    /// A capture name.
    Capture(String),
    /// A string literal (list name or plain text).
    Text(String),
}

impl FilterArg {
    /// The argument's string, whichever kind it is.
    pub fn as_str(&self) -> &str {
        match self {
            FilterArg::Capture(s) | FilterArg::Text(s) => s,
        }
    }
}

/// The signature of a filter: true when the match passes this constraint.
pub type FilterFn = fn(&mut MatchCtx<'_, '_>, &[FilterArg]) -> bool;

/// A named filter the check files can use.
pub struct FilterDef {
    /// The name used in check files.
    pub name: &'static str,
    /// The arguments it takes, in order.
    pub args: &'static [ArgKind],
    /// Template variables it may set for messages (e.g. `service`).
    pub sets: &'static [&'static str],
    /// What it checks, for `failmode checks --filters` and error messages.
    pub doc: &'static str,
    /// The implementation.
    pub eval: FilterFn,
    /// For a filter that reads the repository index: the index question it cannot pass
    /// without, asked without the syntax tree (see [`Gate`]).
    pub gate: Option<&'static Gate>,
}

/// A necessary condition of a filter that depends on the repository index but not on the
/// syntax tree: while files are still being walked, the engine records the match's `key`; once
/// the index is complete, a match whose key the index does not `admit` fails the filter, so its
/// file's tree need not be kept (or parsed again) for it. Example: "the index registers this
/// function as a handler" for `is_untested_handler`, which most functions fail.
///
/// A gate also serves a filter that does not read the index but reads template variables, so
/// cannot run before the filters that set them: its key says, from the tree alone, whether it
/// can pass at all, and `admits` accepts any key.
pub struct Gate {
    /// The match's key, computed from the tree during the walk; `None` when the filter is
    /// false whatever the index says. It must not read template variables: it is also asked
    /// for a filter after one that waits on the index, before the filters in between have run.
    /// The walk never runs a filter that has a gate (it asks the gate instead), so the key and
    /// [`Gate::admits`] also answer for matches the filter decides without reading the index.
    pub key: fn(&MatchCtx<'_, '_>, &[FilterArg]) -> Option<String>,
    /// Whether the complete index may let the filter pass for `key`. Must be true whenever the
    /// filter could pass.
    pub admits: fn(&RepoIndex, &str) -> bool,
}

impl Gate {
    /// A key of several fields, for [`Gate::fields`] to split again.
    pub fn key_of(fields: &[&str]) -> String {
        fields.join("\u{1f}")
    }

    /// The `N` fields of a key [`Gate::key_of`] made (the last keeps any separator left);
    /// `None` for a key of fewer fields.
    pub fn fields<const N: usize>(key: &str) -> Option<[&str; N]> {
        let mut parts = key.splitn(N, '\u{1f}');
        let mut out = [""; N];
        for slot in &mut out {
            *slot = parts.next()?;
        }
        Some(out)
    }
}

/// Every filter, from every topic module.
pub fn registry() -> impl Iterator<Item = &'static FilterDef> {
    common::FILTERS
        .iter()
        .chain(errors::FILTERS.iter())
        .chain(handlers::FILTERS.iter())
        .chain(loops::FILTERS.iter())
        .chain(retry::FILTERS.iter())
        .chain(sequence::FILTERS.iter())
        .chain(values::FILTERS.iter())
}

/// Looks up a filter by name.
pub fn lookup(name: &str) -> Option<&'static FilterDef> {
    registry().find(|f| f.name == name)
}

/// One call of a filter in a rule: the filter, its arguments, and whether it is negated.
#[derive(Clone)]
pub struct FilterCall {
    /// The filter.
    pub def: &'static FilterDef,
    /// Validated arguments.
    pub args: Vec<FilterArg>,
    /// `!name(..)`.
    pub negated: bool,
}

/// One entry of a rule's `filters` list: alternatives joined by `||`; passes if any passes.
#[derive(Clone)]
pub struct FilterExpr {
    /// The alternatives.
    pub any_of: Vec<FilterCall>,
    /// The text as written, for errors.
    pub source: String,
}

impl std::fmt::Debug for FilterExpr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.source)
    }
}

impl FilterExpr {
    /// Parses and validates `text` against the capture names of the query and the data lists.
    pub fn parse(text: &str, captures: &[&str], data: &CheckData) -> Result<FilterExpr, String> {
        let mut any_of = Vec::new();
        for alt in text.split("||") {
            any_of.push(parse_call(alt.trim(), captures, data)?);
        }
        Ok(FilterExpr {
            any_of,
            source: text.to_string(),
        })
    }

    /// The gate of this expression, when it is one plain (not negated, no `||`) call of a filter
    /// with a [`Gate`]: the expression is then false whenever the gate does not admit the match.
    pub fn gate(&self) -> Option<(&'static Gate, &[FilterArg])> {
        match self.any_of.as_slice() {
            [call] if !call.negated => Some((call.def.gate?, &call.args)),
            _ => None,
        }
    }

    /// Evaluates the expression on a match.
    pub fn eval(&self, ctx: &mut MatchCtx<'_, '_>) -> bool {
        self.any_of
            .iter()
            .any(|c| (c.def.eval)(ctx, &c.args) != c.negated)
    }
}

fn parse_call(text: &str, captures: &[&str], data: &CheckData) -> Result<FilterCall, String> {
    let (negated, text) = match text.strip_prefix('!') {
        Some(rest) => (true, rest.trim()),
        None => (false, text),
    };
    let open = text
        .find('(')
        .ok_or_else(|| format!("filter `{text}` must look like name(arg, ...)"))?;
    if !text.ends_with(')') {
        return Err(format!("filter `{text}` must end with `)`"));
    }
    let name = text[..open].trim();
    let def = lookup(name).ok_or_else(|| {
        let mut names: Vec<_> = registry().map(|f| f.name).collect();
        names.sort_unstable();
        format!(
            "unknown filter `{name}`; known filters: {}",
            names.join(", ")
        )
    })?;
    let inner = text[open + 1..text.len() - 1].trim();
    let raw_args: Vec<&str> = if inner.is_empty() {
        Vec::new()
    } else {
        split_args(inner)
    };
    if raw_args.len() != def.args.len() {
        return Err(format!(
            "filter `{name}` takes {} argument(s), got {}",
            def.args.len(),
            raw_args.len()
        ));
    }
    let mut args = Vec::new();
    for (raw, kind) in raw_args.iter().zip(def.args) {
        let raw = raw.trim();
        let quoted = raw.len() >= 2 && raw.starts_with('"') && raw.ends_with('"');
        match kind {
            ArgKind::Capture => {
                if quoted || !captures.contains(&raw) {
                    return Err(format!(
                        "filter `{name}`: `{raw}` is not a capture of this rule's query (captures: {})",
                        captures.join(", ")
                    ));
                }
                args.push(FilterArg::Capture(raw.to_string()));
            }
            ArgKind::DataList | ArgKind::RegexList => {
                let list = raw.trim_matches('"');
                if !quoted || !data.lists.contains_key(list) {
                    return Err(format!("filter `{name}`: `{raw}` must be a quoted name of a list in this check's [data] table"));
                }
                args.push(FilterArg::Text(list.to_string()));
            }
            ArgKind::Text | ArgKind::Regex => {
                if !quoted {
                    return Err(format!(
                        "filter `{name}`: argument `{raw}` must be a quoted string"
                    ));
                }
                args.push(FilterArg::Text(raw[1..raw.len() - 1].to_string()));
            }
        }
    }
    Ok(FilterCall { def, args, negated })
}

/// `Ok` when every regular expression `expr` names compiles: its [`ArgKind::Regex`] arguments
/// and the entries of its [`ArgKind::RegexList`] lists in `data`. Else the error names the
/// filter and the pattern, so a check never loads with a pattern that would silently match
/// nothing. Compiling costs milliseconds per check, so the loader skips the built-in checks,
/// which a test holds to it.
pub fn check_regexes(expr: &FilterExpr, data: &CheckData) -> Result<(), String> {
    for call in &expr.any_of {
        for (arg, kind) in call.args.iter().zip(call.def.args) {
            let patterns: Vec<&str> = match kind {
                ArgKind::Regex => vec![arg.as_str()],
                ArgKind::RegexList => data.list(arg.as_str()).iter().map(String::as_str).collect(),
                _ => continue,
            };
            for pattern in patterns {
                regex::Regex::new(pattern).map_err(|e| {
                    format!(
                        "filter `{}`: `{pattern}` is not a valid regular expression: {e}",
                        call.def.name
                    )
                })?;
            }
        }
    }
    Ok(())
}

fn split_args(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut in_str = false;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match c {
            '"' => in_str = !in_str,
            ',' if !in_str => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

#[cfg(test)]
mod tests {
    use super::Gate;

    #[test]
    fn a_gate_key_splits_into_the_fields_it_was_made_of() {
        let key = Gate::key_of(&["1", "src/a.rs", "", "Client::send"]);
        assert_eq!(
            Gate::fields::<4>(&key),
            Some(["1", "src/a.rs", "", "Client::send"])
        );
        assert_eq!(Gate::fields::<5>(&key), None);
        assert_eq!(
            Gate::fields::<2>("a\u{1f}b\u{1f}c"),
            Some(["a", "b\u{1f}c"])
        );
    }
}
