use axum::http::StatusCode;

// NO FLAG: the Err arm returns a different error or status.
async fn load_invoice(db: &sqlx::PgPool, id: i64) -> Result<Invoice, AppError> {
    match sqlx::query_as::<_, Invoice>("SELECT * FROM invoices WHERE id = $1").bind(id).fetch_one(db).await {
        Ok(inv) => Ok(inv),
        Err(_) => return Err(AppError::NotFound),
    }
}

async fn call_partner(http: &reqwest::Client, body: &Order) -> Result<(), AppError> {
    match http.post("https://partner.example.com/orders").json(body).send().await {
        Ok(_) => Ok(()),
        Err(_) => Err(AppError::Timeout),
    }
}

async fn upload(state: &AppState, key: &str, bytes: Vec<u8>) -> impl IntoResponse {
    match state.s3.put_object().bucket(&state.bucket).key(key).body(bytes.into()).send().await {
        Ok(_) => StatusCode::CREATED,
        Err(_) => StatusCode::BAD_GATEWAY,
    }
}

async fn create_user(db: &sqlx::PgPool, u: NewUser) -> Response {
    match sqlx::query("INSERT INTO users (email) VALUES ($1)").bind(&u.email).execute(db).await {
        Ok(_) => created(),
        Err(_) => bad_request("email already registered"),
    }
}
