// NO FLAG: error recorded before continuing; `?` propagates; timeout used as a bounded wait
async fn tick(ctx: &Ctx) -> anyhow::Result<()> {
    refresh_cache(ctx).await.inspect_err(|e| tracing::warn!(error = %e, "refresh failed")).ok();
    let _ = parse_version(&ctx.raw)?;
    let _ = tokio::time::timeout(ctx.period, ctx.wakeup.notified()).await;
    Ok(())
}
