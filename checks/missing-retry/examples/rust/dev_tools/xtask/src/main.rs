//! Class 11: developer tooling and operator CLIs are not reviewed as production: the person
//! running them sees the error and runs the command again.
async fn publish_docs(http: &reqwest::Client) {
    if let Err(e) = http.put(DOCS_URL).body(render()).send().await {
        eprintln!("docs not published: {e}");
    }
}
