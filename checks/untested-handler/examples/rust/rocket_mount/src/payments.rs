#[derive(Default)]
pub struct Db;

#[derive(serde::Serialize)]
pub struct Invoice;

#[derive(serde::Deserialize)]
pub struct ChargeRequest {
    pub amount_cents: u64,
}

#[derive(serde::Serialize)]
pub struct Receipt;

#[derive(Debug, rocket::Responder)]
pub enum Error {
    NotFound(()),
}

impl Db {
    pub async fn invoice(&self, _id: u64) -> Option<Invoice> {
        None
    }
    pub async fn receipt(&self, _id: u64) -> Option<Receipt> {
        None
    }
    pub async fn save_receipt(&self, _r: &Receipt) -> Result<(), Error> {
        Ok(())
    }
}

pub async fn charge_card(_req: &ChargeRequest) -> Result<Receipt, Error> {
    Ok(Receipt)
}

pub async fn refund_card(_r: &Receipt) -> Result<Receipt, Error> {
    Ok(Receipt)
}
