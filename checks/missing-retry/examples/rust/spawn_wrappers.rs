//! Class 2: a project fn that hands its future to `tokio::spawn` is a spawn too. Nothing awaits
//! the task, so a failed send inside it is never tried again.
pub fn spawn_try_task<F>(fut: F)
where
    F: std::future::Future<Output = anyhow::Result<()>> + Send + 'static,
{
    tokio::spawn(async move {
        let _ = fut.await;
    });
}

pub fn on_signup(state: AppState, user: User) {
    spawn_try_task(async move {
        state.mailer.send(welcome_email(&user)).await?; //~ missing-retry:high
        Ok(())
    });
}
