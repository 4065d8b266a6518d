// Panics on the raw request in code that is not a registered handler: an actix middleware and a
// helper that handlers call with their `HttpRequest` (docs/checks/panic-in-handler.md).
use actix_web::dev::{Service, ServiceRequest, ServiceResponse};
use actix_web::{http::header, App, Error, HttpRequest};

// Every request with a non-ASCII Authorization header crashes the worker before any 401.
pub async fn authenticate<S>(req: ServiceRequest, srv: &S) -> Result<ServiceResponse, Error>
where
    S: Service<ServiceRequest, Response = ServiceResponse, Error = Error>,
{
    let token = match req.headers().get(header::AUTHORIZATION) {
        Some(value) => value.to_str().unwrap(), //~ panic-in-handler
        None => return srv.call(req).await,
    };
    check_token(token)?;
    srv.call(req).await
}

// A handler helper: a missing or malformed tenant header is a 500 for the caller.
pub fn tenant_of(req: &HttpRequest) -> u64 {
    let raw = req.headers().get("x-tenant").expect("tenant header"); //~ panic-in-handler
    raw.to_str().ok().and_then(|t| t.parse().ok()).unwrap_or(0)
}

// Must not flag: the header is checked before it is read.
pub fn request_id(req: &HttpRequest) -> String {
    if req.headers().get("x-request-id").is_none() {
        return String::new();
    }
    let id = req.headers().get("x-request-id").unwrap();
    id.to_str().unwrap_or_default().to_string()
}

// Must not flag: the application's shared state, not the request's content.
pub fn pool_of(req: &HttpRequest) -> &Pool {
    req.app_data::<Pool>().unwrap()
}

// Must not flag: a value of the server's own configuration, not of the request.
pub fn limit(req: &HttpRequest, configured: &str) -> usize {
    let _ = req;
    configured.parse().unwrap()
}

pub fn app() -> App {
    App::new().wrap_fn(|req, srv| authenticate(req, srv))
}
