// A method of the workspace called on a value whose type the function writes: `post` is also a
// well-known client method name, so it is only looked up as `BotComment::post`, the method of
// the type the value was built as (docs/checks/swallowed-error.md).
pub struct GithubClient {
    http: reqwest::blocking::Client,
}

impl GithubClient {
    pub fn post(&self, url: &str, body: &str) -> Result<(), reqwest::Error> {
        self.http.post(url).body(body.to_string()).send()?.error_for_status()?;
        Ok(())
    }
}

pub struct BotComment {
    url: String,
    body: String,
}

impl BotComment {
    pub fn new(issue: u64, body: &str) -> BotComment {
        BotComment { url: format!("{API}/issues/{issue}/comments"), body: body.into() }
    }

    pub fn post(&self, gh: &GithubClient) -> Result<(), reqwest::Error> {
        gh.post(&self.url, &self.body)
    }
}

pub fn cancel_proposal(gh: &GithubClient, issue: u64) {
    let comment = BotComment::new(issue, "The proposal was cancelled.");
    let _ = comment.post(gh); //~ swallowed-error
}

pub struct Draft {
    lines: Vec<String>,
}

impl Draft {
    pub fn post(&mut self, line: &str) -> Result<(), String> {
        self.lines.push(line.to_string());
        Ok(())
    }
}

// Must not flag: this `post` only appends to a local list.
pub fn note(line: &str) {
    let mut draft = Draft { lines: Vec::new() };
    let _ = draft.post(line);
}
