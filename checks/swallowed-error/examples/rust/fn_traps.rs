// FLAG: false-negative traps from the spec.
async fn settle(db: &sqlx::PgPool, http: &reqwest::Client, id: i64) {
    // `.is_ok();` as a statement
    sqlx::query("UPDATE payments SET settled = true WHERE id = $1").bind(id).execute(db).await.is_ok(); //~ swallowed-error:high

    // `if let Ok(..)` with no else around a write
    if let Ok(resp) = http.post("https://ledger.example.com/entries").json(&id).send().await { //~ swallowed-error
        tracing::info!(status = %resp.status(), "ledger entry posted");
    }

    // `.unwrap_or(())` and `.map_err(|_| ())` as statements
    std::fs::write("/var/lib/app/settled.json", b"[]").unwrap_or(()); //~ swallowed-error
    std::fs::rename("/var/lib/app/a", "/var/lib/app/b").map_err(|_| ()); //~ swallowed-error
    std::fs::copy("/var/lib/app/a", "/var/lib/app/c").unwrap_or_default(); //~ swallowed-error

    // `_ = <call>;` and `drop(<call>)`
    _ = http.put("https://ledger.example.com/close").send().await; //~ swallowed-error
    drop(sqlx::query("DELETE FROM holds WHERE payment_id = $1").bind(id).execute(db).await); //~ swallowed-error:high

    // empty `if let Err(_)`
    if let Err(_) = sqlx::query("INSERT INTO settlements (id) VALUES ($1)").bind(id).execute(db).await {} //~ swallowed-error:high
}

pub fn routes() -> axum::Router {
    axum::Router::new().route("/orders", axum::routing::get(list_orders))
}

// FLAG: in a request handler, unwrap_or_default on a network/DB read serves an outage as
// "empty list".
async fn list_orders(db: &sqlx::PgPool, http: &reqwest::Client) -> Vec<Order> {
    let rates: Vec<Rate> = http.get("https://fx.example.com/rates").send().await.unwrap().json().await.unwrap_or_default(); //~ swallowed-error
    let _ = rates;
    sqlx::query_as::<_, Order>("SELECT * FROM orders WHERE open") //~ swallowed-error
        .fetch_all(db)
        .await
        .unwrap_or_default()
}

// FLAG: durable deletes discarded inside a cleanup loop.
async fn purge_images(s3: &aws_sdk_s3::Client, keys: Vec<String>) {
    for key in keys {
        let _ = s3.delete_object().bucket("images").key(&key).send().await; //~ swallowed-error:high
    }
}

// FLAG: a Result returned from a spawned task whose JoinHandle is dropped.
fn schedule_invoice(db: sqlx::PgPool, id: i64) {
    tokio::spawn(async move { //~ swallowed-error:high
        sqlx::query("UPDATE invoices SET sent = true WHERE id = $1").bind(id).execute(&db).await?;
        Ok::<_, sqlx::Error>(())
    });
}

fn fire_webhook(http: reqwest::Client, url: String, body: String) {
    tokio::spawn(async move { http.post(url).body(body).send().await }); //~ swallowed-error
}

// NO FLAG: a function that starts a thread and returns its handle, `Option<JoinHandle<()>>`:
// dropping the handle detaches the thread, and there is no error in it to lose.
fn start_scraper(http: reqwest::blocking::Client) -> Option<std::thread::JoinHandle<()>> {
    Some(std::thread::spawn(move || loop {
        if let Err(e) = http.get("https://api.example.com/issues").send() {
            tracing::error!(error = %e, "scrape failed");
        }
        std::thread::sleep(std::time::Duration::from_secs(60));
    }))
}

fn main_loop(http: reqwest::blocking::Client) {
    let _ = start_scraper(http);
}

// NO FLAG: spawned work whose output is () or which logs.
fn schedule_logged(db: sqlx::PgPool, id: i64) {
    tokio::spawn(async move {
        if let Err(e) = sqlx::query("UPDATE invoices SET sent = true WHERE id = $1").bind(id).execute(&db).await {
            tracing::error!(error = %e, id, "could not mark invoice sent");
        }
    });
    tokio::spawn(async move {
        let r = sqlx::query("SELECT 1").execute(&db).await;
        metrics::counter!("ping", "ok" => r.is_ok().to_string()).increment(1);
    });
}
