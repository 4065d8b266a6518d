//! Class 4: `.context(..)` or `.map_err(..)` between the call and the discard still discards.
//! Class 1: the effect is two workspace calls away (`wrap_up` -> `finish_order` -> `keep_copy` -> S3).
use anyhow::Context;

pub async fn label_pull(gh: &Octocrab, pr: u64) {
    let _ = gh.issues("o", "r").add_labels(pr, &["ready".into()]).await.context("add label"); //~ swallowed-error
}

async fn keep_copy(ctx: &Ctx, key: &str, body: Vec<u8>) -> anyhow::Result<()> {
    ctx.s3.put_object().bucket("archive").key(key).body(body.into()).send().await?;
    Ok(())
}

async fn finish_order(ctx: &Ctx, order: &Order) -> anyhow::Result<()> {
    keep_copy(ctx, &order.key(), order.to_bytes()).await.context("archive")
}

async fn wrap_up(ctx: &Ctx, order: &Order) -> anyhow::Result<()> {
    finish_order(ctx, order).await?;
    Ok(())
}

pub async fn close(ctx: &Ctx, order: &Order) {
    wrap_up(ctx, order).await.ok(); //~ swallowed-error:high
}
