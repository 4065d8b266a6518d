// Panics on input in a hyper server's service function and in a queue consumer's callback,
// beside code of the same shape that answers nothing from outside
// (docs/checks/panic-in-handler.md).
use amqprs::channel::{BasicAckArguments, Channel};
use amqprs::consumer::AsyncConsumer;
use amqprs::{BasicProperties, Deliver};
use hyper::service::{make_service_fn, service_fn};
use hyper::{Body, Request, Response, Server};
use serde::Deserialize;
use std::convert::Infallible;

#[derive(Deserialize)]
pub struct Payment {
    pub hash: String,
}

pub async fn serve(addr: std::net::SocketAddr, pool: sqlx::PgPool) {
    let make = make_service_fn(move |_conn| {
        let pool = pool.clone();
        async move {
            Ok::<_, Infallible>(service_fn(move |request: Request<Body>| {
                handle_web_request(request, pool.clone())
            }))
        }
    });
    let _ = Server::bind(&addr).serve(make).await;
}

async fn handle_web_request(
    request: Request<Body>,
    pool: sqlx::PgPool,
) -> Result<Response<Body>, Infallible> {
    let event = request.headers().get("x-event").unwrap(); //~ panic-in-handler
    let kind = event.to_str().unwrap().to_string(); //~ panic-in-handler
    let bytes = hyper::body::to_bytes(request.into_body()).await.unwrap(); //~ panic-in-handler
    let payment: Payment = serde_json::from_slice(&bytes).unwrap(); //~ panic-in-handler
    // Must not flag: the pool is application state, not input.
    let _conn = pool.acquire().await.unwrap();
    Ok(Response::new(Body::from(format!("{kind} {}", payment.hash))))
}

// Must not flag: a client's connector is handed to `connect_with_connector`, it answers no
// request.
pub async fn channel(path: String) -> tonic::transport::Channel {
    tonic::transport::Endpoint::from_static("http://[::]:50051")
        .connect_with_connector(tower::service_fn(move |uri: hyper::Uri| {
            let host = uri.host().unwrap().to_string();
            tokio::net::UnixStream::connect(format!("{path}/{host}"))
        }))
        .await
        .expect("socket is there")
}

pub struct AckConsumer;

#[async_trait::async_trait]
impl AsyncConsumer for AckConsumer {
    async fn consume(
        &mut self,
        channel: &Channel,
        deliver: Deliver,
        _basic_properties: BasicProperties,
        content: Vec<u8>,
    ) {
        let text = String::from_utf8(content).unwrap(); //~ panic-in-handler
        let payment: Payment = serde_json::from_str(&text).unwrap(); //~ panic-in-handler
        let pending = pending_invoices(&payment.hash).await;
        if let Ok(list) = &pending {
            if list.is_empty() {
                return;
            }
        } else {
            return;
        }
        // Must not flag: the `Err` case returned just above.
        println!("{} {}", payment.hash, pending.unwrap().len());
        // Must not flag: the ack fails on the broker, not on the message.
        channel
            .basic_ack(BasicAckArguments::new(deliver.delivery_tag(), false))
            .await
            .unwrap();
    }
}

async fn pending_invoices(hash: &str) -> Result<Vec<String>, std::io::Error> {
    Ok(vec![hash.to_string()])
}
