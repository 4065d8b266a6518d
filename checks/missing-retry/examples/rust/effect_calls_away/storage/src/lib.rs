//! Class 1 of the effect model: the HTTP call is two helpers and a crate away from the caller
//! that drops its error. The model follows `purge_user` -> `purge_image` -> `delete_object`.
//! The request itself is not reported here: its error goes up through `purge_image`, and is
//! reported at the steps of the fn whose callers only log it.
pub async fn delete_object(http: &reqwest::Client, key: &str) -> Result<(), reqwest::Error> {
    http.delete(format!("{}/{key}", CDN_URL)).send().await?.error_for_status()?;
    Ok(())
}
