//! The service's own GitHub client: blocking reqwest behind methods that return the error. The
//! requests here are not reported: every caller is, at its call of the method, because that is
//! where the work that is lost is known (a failure report, a comment).
use anyhow::{bail, Result};

const API_BASE: &str = "https://api.github.com";

pub struct Client {
    internal: reqwest::blocking::Client,
}

pub struct Pr {
    pub head_sha: String,
}

impl Client {
    pub fn query_pr(&self, repo: &str, number: u32) -> Result<Pr> {
        let resp = self
            .internal
            .get(format!("{}/repos/{}/pulls/{}", API_BASE, repo, number).as_str())
            .send()?;
        if !resp.status().is_success() {
            bail!("querying the PR failed: {:?}", resp.status());
        }
        Ok(Pr { head_sha: resp.text()? })
    }

    pub fn post_comment(&self, repo: &str, number: u32, body: &str) -> Result<()> {
        let resp = self
            .internal
            .post(format!("{}/repos/{}/issues/{}/comments", API_BASE, repo, number).as_str())
            .body(body.to_string())
            .send()?;
        if !resp.status().is_success() {
            bail!("posting the comment failed: {:?}", resp.status());
        }
        Ok(())
    }

    pub fn add_label(&self, repo: &str, number: u32, label: &str) -> Result<()> {
        self.internal
            .post(format!("{}/repos/{}/issues/{}/labels", API_BASE, repo, number).as_str())
            .body(format!("[\"{label}\"]"))
            .send()?
            .error_for_status()?;
        Ok(())
    }

    pub fn hide_comment(&self, node_id: &str) -> Result<()> {
        self.graphql("mutation { minimizeComment }", node_id)
    }

    fn graphql(&self, query: &str, id: &str) -> Result<()> {
        self.internal
            .post(format!("{}/graphql", API_BASE).as_str())
            .body(format!("{query} {id}"))
            .send()?
            .error_for_status()?;
        Ok(())
    }
}
