use axum::http::HeaderMap;
use axum::{routing::post, Router};

pub fn routes() -> Router {
    Router::new().route("/charge", post(charge))
}

// FLAG: a request handler turns malformed input into defaults instead of answering 400.
async fn charge(headers: HeaderMap, Json(req): Json<ChargeRequest>) -> StatusCode {
    let amount = req.amount.parse::<u64>().unwrap_or_default(); //~ swallowed-error:high
    let retries: u32 = headers //~ swallowed-error
        .get("x-retry-count")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("0")
        .parse()
        .unwrap_or(0);
    bill(amount, retries).await
}

// NO FLAG: outside a request handler the parsed text is mostly the program's own (a local
// import file here), and there is no client to answer 400.
fn import_line(line: &str) -> Item {
    let cols: Vec<&str> = line.split(',').collect();
    let qty = cols[2].trim().parse::<i32>().unwrap_or(0);
    // Operator configuration with a default: not incoming data (no finding).
    let workers = std::env::var("WORKERS").unwrap_or_default().parse::<usize>().unwrap_or(4);
    Item { qty, workers }
}

// NO FLAG: constants, logged fallbacks, and Option conversions that are then checked.
fn defaults(req: &Request) -> Settings {
    let port: u16 = "8080".parse().unwrap_or(8080);
    let limit = req.limit.parse::<u32>().unwrap_or_else(|e| {
        tracing::warn!(error = %e, raw = %req.limit, "bad limit, using 50");
        50
    });
    let page = req.page.parse::<u32>().ok();
    Settings { port, limit, page }
}

// NO FLAG: a value this program stored itself, read back from its own database, and a panic
// (not a default) when embedded data does not parse.
fn load_params(conn: &rusqlite::Connection, id: i64) -> rusqlite::Result<Params> {
    conn.query_row("SELECT param FROM msgs WHERE id=?", [id], |row| {
        Ok(row.get::<_, String>(0)?.parse().unwrap_or_default())
    })
}

fn embedded_metadata() -> Metadata {
    serde_json::from_str(include_str!("metadata.json"))
        .unwrap_or_else(|e| panic!("embedded metadata.json is invalid: {e}"))
}
