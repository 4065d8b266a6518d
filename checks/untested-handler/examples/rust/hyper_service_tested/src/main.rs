// Must not flag: the hyper service function is called by a test with a request.
use hyper::service::{make_service_fn, service_fn};
use hyper::{Body, Request, Response, Server, StatusCode};
use std::convert::Infallible;

async fn handle(req: Request<Body>) -> Result<Response<Body>, Infallible> {
    let body = hyper::body::to_bytes(req.into_body()).await.unwrap_or_default();
    let status = if body.is_empty() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    Ok(Response::builder().status(status).body(Body::empty()).unwrap())
}

#[tokio::main]
async fn main() {
    let make = make_service_fn(|_| async { Ok::<_, Infallible>(service_fn(handle)) });
    Server::bind(&([0, 0, 0, 0], 8080).into()).serve(make).await.unwrap();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_empty_body_is_a_bad_request() {
        let res = handle(Request::post("/").body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    }
}
