use actix_web::{delete, get, post, web, HttpResponse};
use sqlx::PgPool;

#[derive(serde::Deserialize)]
pub struct NewUser {
    email: String,
}

#[post("/users")]
pub async fn create_user(pool: web::Data<PgPool>, body: web::Json<NewUser>) -> HttpResponse {
    match sqlx::query("INSERT INTO users (email) VALUES ($1)").bind(&body.email).execute(pool.get_ref()).await {
        Ok(_) => HttpResponse::Created().finish(),
        Err(_) => HttpResponse::InternalServerError().finish(),
    }
}

#[get("/users/{id}")]
pub async fn get_user(pool: web::Data<PgPool>, id: web::Path<i64>) -> HttpResponse {
    match sqlx::query_scalar::<_, String>("SELECT email FROM users WHERE id = $1")
        .bind(*id)
        .fetch_optional(pool.get_ref())
        .await
    {
        Ok(Some(email)) => HttpResponse::Ok().json(email),
        Ok(None) => HttpResponse::NotFound().finish(),
        Err(_) => HttpResponse::InternalServerError().finish(),
    }
}

// The test requests DELETE /users/3, without the /api scope: it never reaches this handler.
#[delete("/users/{id}")]
pub async fn delete_user(pool: web::Data<PgPool>, id: web::Path<i64>) -> HttpResponse { //~ untested-handler:high
    match sqlx::query("DELETE FROM users WHERE id = $1").bind(*id).execute(pool.get_ref()).await {
        Ok(_) => HttpResponse::NoContent().finish(),
        Err(_) => HttpResponse::InternalServerError().finish(),
    }
}

#[derive(serde::Deserialize)]
pub struct Credentials {
    email: String,
    password: String,
}

// Auth: no test posts to /api/sessions.
pub async fn login(pool: web::Data<PgPool>, creds: web::Json<Credentials>) -> HttpResponse { //~ untested-handler:high
    let hash: Option<String> = sqlx::query_scalar("SELECT password_hash FROM users WHERE email = $1")
        .bind(&creds.email)
        .fetch_optional(pool.get_ref())
        .await
        .unwrap_or(None);
    match hash {
        Some(h) if bcrypt::verify(&creds.password, &h).unwrap_or(false) => HttpResponse::Ok().finish(),
        _ => HttpResponse::Unauthorized().finish(),
    }
}

pub async fn connect() -> PgPool {
    PgPool::connect(&std::env::var("DATABASE_URL").unwrap()).await.unwrap()
}
