//! Whether a database method call runs a statement. One rule, read by both classifiers of
//! effects (`swallowed-error`'s in [`super::errors`], `missing-retry`'s in [`super::retry`]) and
//! so by the effect model built from them, with its lists in the shared vocabulary
//! (`checks/vocabulary/rust.toml`: `db_methods`, `db_methods_needing_evidence`,
//! `statement_words`, `db_receivers`, `http_receivers`).

use crate::analysis::check::CheckData;

/// What a call chain shows about the statement its database method would run.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StatementSigns<'s> {
    /// The chain starts with a statement builder or macro (vocabulary `sql_builders`:
    /// `sqlx::query(..)`, `diesel::delete(t)`, `query!(..)`).
    pub built: bool,
    /// The text of the chain's root receiver (`self.db`, `stmt`, `federation`); empty when the
    /// chain starts with a function call (`Entity::insert(row).exec(&db)`).
    pub root: &'s str,
    /// How many method calls the chain makes (`.bind(x).execute(&pool)` is two).
    pub methods: usize,
    /// The argument list of the chain's first method call, parentheses included.
    pub first_args: &'s str,
}

/// Whether `method`, called at the end of a chain with `signs`, runs a database statement.
///
/// It must be a `db_methods` entry, and the root must not be an HTTP client
/// (`http_receivers`). A name other libraries use too (`db_methods_needing_evidence`: an
/// executor's, a federation client's or a GraphQL schema's `execute`) needs evidence of a
/// statement besides:
/// - a statement builder below it;
/// - a root named like a connection (`db_receivers`) or a statement (`statement_words`);
/// - more than one method in the chain (`.bind(x).execute(..)`);
/// - a statement argument: a string literal first (`conn.execute("DELETE ..", ..)`), or a
///   `db_receivers` or `statement_words` word (`client.execute(&stmt, ..)`).
pub(crate) fn runs_a_statement(data: &CheckData, method: &str, signs: &StatementSigns<'_>) -> bool {
    if !data.contains("db_methods", method) || any_word(data, "http_receivers", signs.root) {
        return false;
    }
    if !data.contains("db_methods_needing_evidence", method) {
        return true;
    }
    signs.built
        || any_word(data, "db_receivers", signs.root)
        || any_word(data, "statement_words", signs.root)
        || signs.methods > 1
        || statement_arguments(data, signs.first_args)
}

/// Whether an argument list looks like a statement to run (see [`runs_a_statement`]).
fn statement_arguments(data: &CheckData, args: &str) -> bool {
    let first = args.trim_start_matches('(').trim_start();
    let literal = first.starts_with('"') || first.starts_with("r\"") || first.starts_with("r#");
    literal || any_word(data, "db_receivers", args) || any_word(data, "statement_words", args)
}

/// Whether one of the lower-case identifier words of `text` (split at every character that is
/// not a letter or digit, so `pg_pool` is `pg` and `pool`) is in list `name`, without
/// collecting them. Shared with [`super::errors`].
pub(crate) fn any_word(data: &CheckData, name: &str, text: &str) -> bool {
    let Some(list) = data.indexed(name) else {
        return false;
    };
    let mut lower = String::new();
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .any(|w| {
            lower.clear();
            lower.extend(w.chars().map(|c| c.to_ascii_lowercase()));
            list.contains(&lower)
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::check::CheckSet;

    fn runs(method: &str, root: &str, methods: usize, first_args: &str, built: bool) -> bool {
        let set = CheckSet::embedded().unwrap();
        // Every Rust check reads the shared vocabulary: both classifiers' checks answer alike.
        let answers: Vec<bool> = ["missing-retry", "swallowed-error"]
            .iter()
            .map(|id| {
                let signs = StatementSigns {
                    built,
                    root,
                    methods,
                    first_args,
                };
                runs_a_statement(&set.get(id).unwrap().data, method, &signs)
            })
            .collect();
        assert_eq!(answers[0], answers[1], "{method} on {root}");
        answers[0]
    }

    #[test]
    fn execute_is_a_statement_only_with_evidence_of_one() {
        assert!(!runs("execute", "federation", 1, "(dest, request)", false));
        assert!(!runs("execute", "self.executor", 1, "(fut)", false));
        assert!(runs("execute", "self.db", 1, "(q)", false));
        assert!(runs("execute", "stmt", 1, "([])", false));
        assert!(runs("execute", "client", 1, "(&stmt, &[&id])", false));
        assert!(runs("execute", "conn", 1, "(\"DELETE FROM t\", [])", false));
        assert!(runs(
            "execute",
            "client",
            1,
            "(r#\"DELETE FROM t\"#, [])",
            false
        ));
        assert!(runs("execute", "q", 2, "(id)", false));
        assert!(runs("execute", "sqlx::query", 1, "(\"..\")", true));
    }

    #[test]
    fn other_database_methods_need_no_evidence_but_never_run_on_an_http_client() {
        assert!(runs("fetch_one", "q", 1, "(&mut *tx)", false));
        assert!(runs("insert_one", "self.messages", 1, "(doc)", false));
        assert!(!runs("fetch_one", "self.api", 1, "(x)", false));
        assert!(!runs("post", "self.db", 1, "(x)", false));
    }
}
