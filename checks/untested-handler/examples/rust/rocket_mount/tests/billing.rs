use rocket::http::{ContentType, Status};
use rocket::local::blocking::Client;

#[test]
fn charges_a_card() {
    let client = Client::tracked(billing::rocket()).expect("valid rocket instance");
    let response = client
        .post("/billing/charge")
        .header(ContentType::JSON)
        .body(r#"{"amount_cents": 500}"#)
        .dispatch();
    assert_eq!(response.status(), Status::Ok);
}

#[test]
fn reads_an_invoice() {
    let client = Client::tracked(billing::rocket()).unwrap();
    let response = client.get(format!("/billing/invoices/{}", 42)).dispatch();
    assert_eq!(response.status(), Status::Ok);
}
