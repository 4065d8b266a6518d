use warp::Filter;

pub mod handlers {
    use std::convert::Infallible;

    pub async fn get_order(id: u64, db: crate::Db) -> Result<impl warp::Reply, Infallible> {
        match db.order(id).await {
            Some(o) => Ok(warp::reply::with_status(warp::reply::json(&o), warp::http::StatusCode::OK)),
            None => Ok(warp::reply::with_status(warp::reply::json(&"missing"), warp::http::StatusCode::NOT_FOUND)),
        }
    }

    pub async fn cancel_order(id: u64, db: crate::Db) -> Result<impl warp::Reply, Infallible> { //~ untested-handler:high
        let ok = db.cancel(id).await;
        Ok(warp::reply::with_status(warp::reply(), if ok { warp::http::StatusCode::NO_CONTENT } else { warp::http::StatusCode::CONFLICT }))
    }
}

#[derive(Clone)]
pub struct Db;

impl Db {
    pub async fn order(&self, _id: u64) -> Option<String> {
        None
    }
    pub async fn cancel(&self, _id: u64) -> bool {
        true
    }
}

fn with_db(db: Db) -> impl Filter<Extract = (Db,), Error = std::convert::Infallible> + Clone {
    warp::any().map(move || db.clone())
}

pub fn routes(db: Db) -> impl Filter<Extract = impl warp::Reply, Error = warp::Rejection> + Clone {
    let get_order = warp::path!("orders" / u64).and(warp::get()).and(with_db(db.clone())).and_then(handlers::get_order);
    let cancel = warp::path!("orders" / u64 / "cancel").and(warp::post()).and(with_db(db)).and_then(handlers::cancel_order);
    get_order.or(cancel)
}
