#[macro_use]
extern crate rocket;

use rocket::serde::json::Json;
use rocket::State;

mod payments;

#[get("/")]
fn index() -> &'static str {
    "billing service"
}

#[get("/invoices/<id>")]
async fn invoice(db: &State<payments::Db>, id: u64) -> Option<Json<payments::Invoice>> {
    db.invoice(id).await.map(Json)
}

#[post("/charge", data = "<req>")]
async fn charge(db: &State<payments::Db>, req: Json<payments::ChargeRequest>) -> Result<Json<payments::Receipt>, payments::Error> {
    let receipt = payments::charge_card(&req).await?;
    db.save_receipt(&receipt).await?;
    Ok(Json(receipt))
}

#[post("/refund/<id>")]
async fn refund(db: &State<payments::Db>, id: u64) -> Result<Json<payments::Receipt>, payments::Error> { //~ untested-handler:high
    let receipt = db.receipt(id).await.ok_or(payments::Error::NotFound)?;
    let refunded = payments::refund_card(&receipt).await?;
    db.save_receipt(&refunded).await?;
    Ok(Json(refunded))
}

#[launch]
pub fn rocket() -> _ {
    rocket::build()
        .manage(payments::Db::default())
        .mount("/", routes![index])
        .mount("/billing", routes![invoice, charge, refund])
}
